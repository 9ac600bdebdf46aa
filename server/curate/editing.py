"""What the platform and vendor editors share: saving a new entry, saving an edit (a change that
waits for review when published claims stand on the entry, a 409 with both versions when someone
saved first), and the entry's history and revert pages. `kind` is "platform" or "vendor": its
page is `curate.<kind>`, with `<kind>_id`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from .. import operations
from ..db import get_session
from ..models import PendingChange
from . import history
from .access import actor, on_failure

# render(form, entity, *, status=..., loose=..., conflict=...) -> a response
Render = Callable[..., Any]


def entry_url(kind: str, entity: Any, suffix: str = "") -> str:
    return url_for(f"curate.{kind}{suffix}", **{f"{kind}_id": entity.id})


def save_new(kind: str, form: Any, render: Render, create: Callable[..., Any],
             created: Callable[[Any], str]):
    """Create the entry from a validated form; the form again (422) with the operation's
    field messages when it refuses."""
    on_failure(lambda error: render(form, None, status=422,
                                    loose=form.place_errors(error.fields))
               if isinstance(error, operations.Invalid) else None)
    entity = create(get_session(), form.to_record(), user=actor(), comment=form.comment.data)
    flash(created(entity), "success")
    return redirect(entry_url(kind, entity))


def save_edit(kind: str, entity: Any, form: Any, render: Render, update: Callable[..., Any]):
    """Save a validated form over `entity` at the version the form was loaded at."""
    submitted = form.to_record()

    def failed(error):
        if isinstance(error, operations.Invalid):
            return render(form, entity, status=422, loose=form.place_errors(error.fields))
        if isinstance(error, operations.Conflict):
            context = history.conflict_context(entity, error, submitted=submitted,
                                               expected_version=form.version.data)
            form.version.data = str(entity.version)
            return render(form, entity, status=409, conflict=context)
        return None

    on_failure(failed)
    changed = update(get_session(), entity, submitted, user=actor(),
                     expected_version=form.version.data, comment=form.comment.data)
    if not changed:
        flash(_("Nothing changed, so nothing was saved."), "info")
    elif isinstance(changed, PendingChange):
        flash(_("Your change waits for another curator's review: published claims stand on "
                "this entry, so the live version stays until the change is published."),
              "success")
        return redirect(url_for("curate.change", change_id=changed.id))
    else:
        flash(_("Saved: version %(num)d.", num=entity.version), "success")
    return redirect(entry_url(kind, entity))


def history_page(kind: str, entity: Any, title: str):
    return history.render_history(
        entity, title=title, back_url=entry_url(kind, entity),
        revert_endpoint=f"curate.{kind}_revert" if actor().has_role("curator") else None,
        id_arg=f"{kind}_id")


def revert_page(kind: str, entity: Any, revision_id: int):
    return history.revert_view(entity, revision_id,
                               history_url=entry_url(kind, entity, "_history"))

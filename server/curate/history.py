"""Readable differences between two records, and the history, revert and conflict pages that
every kind of entry (claim, platform, vendor) shares."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import operations
from ..db import get_session
from ..models import PendingChange, Revision
from ..revisions import entity_type
from .access import actor, on_failure
from .forms import ActionForm

# The names of a record's fields in a difference; a field not named here shows its key.
LABELS = {
    "id": _l("Public id"), "kind": _l("Kind"), "summary": _l("Summary"),
    "translations": _l("Translation"), "platforms": _l("Platforms"), "vendor": _l("Vendor"),
    "vendors": _l("Vendors"), "locations": _l("Location"), "country": _l("Country"),
    "city": _l("City"), "workers": _l("Workers"), "workers_basis": _l("Workers counted as"),
    "pay": _l("Pay"), "amount": _l("Amount"), "currency": _l("Currency"), "per": _l("Per"),
    "qualifier": _l("Qualifier"), "observed": _l("Observed"), "start": _l("Start"),
    "end": _l("End"), "evidence": _l("Evidence"), "status": _l("Status"),
    "last_verified": _l("Last verified"), "sources": _l("Source"), "source": _l("Source"),
    "url": _l("URL"), "title": _l("Title"), "publisher": _l("Publisher"),
    "published": _l("Published"), "quote": _l("Quote"), "language": _l("Language"),
    "is_copy": _l("Copy"), "archive_url": _l("Archived copy"),
    "responses": _l("Company response"), "by": _l("Who replied"), "slug": _l("Slug"),
    "name": _l("Name"), "owner": _l("Owner"), "hq_country": _l("Headquarters"),
    "description": _l("Description"), "domains": _l("Domains"), "host": _l("Host"),
    "path": _l("Path"), "scope": _l("Scope"), "actions": _l("Action"),
    "moderators": _l("Moderator figure"), "count": _l("Count"), "period": _l("Period"),
    "period_label": _l("Period as reported"), "internal": _l("In-house"),
    "external": _l("Outsourced"), "sites": _l("Site"), "website": _l("Website"),
    "wikidata": "Wikidata", "opencorporates": "OpenCorporates", "email": _l("Email"),
    "display_name": _l("Display name"), "role": _l("Role"), "active": _l("Active"),
    "origin": _l("Origin"), "platform": _l("Platform"), "source_url": _l("Source URL"),
    "note": _l("Note"),
}


def _empty() -> str:
    """How a missing or empty value reads (the same on both sides of a comparison)."""
    return _("(empty)")


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return _empty()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def flatten(value: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, text) for every leaf of a record; lists of scalars are one leaf."""
    if isinstance(value, dict) and value:
        out: list[tuple[tuple, str]] = []
        for key, item in value.items():
            out += flatten(item, (*path, key))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = []
        for number, item in enumerate(value, start=1):
            out += flatten(item, (*path, number))
        return out
    return [(path, _text(value))]


def label(path: tuple) -> str:
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]} {part}"
        elif path[:1] == ("translations",) and part != "translations":
            parts[-1] = f"{parts[-1]} ({part})"
        else:
            name = LABELS.get(part)
            parts.append(str(name) if name is not None
                         else str(part).replace("_", " ").capitalize())
    return " · ".join(parts) or _("Value")


@dataclass
class Row:
    label: str
    before: str
    after: str
    changed: bool
    before_parts: list[tuple[bool, str]]
    after_parts: list[tuple[bool, str]]
    note: str = ""


def word_diff(before: str, after: str) -> tuple[list[tuple[bool, str]], list[tuple[bool, str]]]:
    """Each side as (changed, text) runs of words, so a long summary shows what moved."""
    a, b = before.split(" "), after.split(" ")
    left: list[tuple[bool, str]] = []
    right: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        same = tag == "equal"
        if i2 > i1:
            left.append((not same, " ".join(a[i1:i2])))
        if j2 > j1:
            right.append((not same, " ".join(b[j1:j2])))
    return _spaced(left), _spaced(right)


def _spaced(parts: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    return [(changed, text + (" " if n < len(parts) - 1 else ""))
            for n, (changed, text) in enumerate(parts)]


def diff_rows(before: dict | None, after: dict | None, *, only_changed: bool = True) -> list[Row]:
    """Field-by-field rows of two records (None: the entry did not exist)."""
    left = dict(flatten(before)) if before is not None else {}
    right = dict(flatten(after)) if after is not None else {}
    paths = list(right) + [p for p in left if p not in right]
    rows = []
    empty = _empty()
    for path in paths:
        old, new = left.get(path, empty), right.get(path, empty)
        changed = old != new
        if only_changed and not changed:
            continue
        if changed:
            before_parts, after_parts = word_diff(old, new)
        else:
            before_parts, after_parts = [(False, old)], [(False, new)]
        rows.append(Row(label(path), old, new, changed, before_parts, after_parts))
    return rows


def conflict_rows(submitted: dict | None, current: dict | None, base: dict | None) -> list[Row]:
    """Every field, yours beside the current one; notes the fields the other save changed."""
    rows = diff_rows(submitted or {}, current or {}, only_changed=False)
    if base is not None:
        base_text = dict(flatten(base))
        current_text = dict(flatten(current or {}))
        by_label = {label(p): p for p in current_text}
        for row in rows:
            path = by_label.get(row.label)
            if path is not None and base_text.get(path, _empty()) != current_text[path]:
                row.note = _("changed by the other save")
    return rows


# --- shared views ------------------------------------------------------------------------------


def revisions_of(session: Session, entity: Any) -> list[Revision]:
    return list(session.scalars(
        select(Revision)
        .where(Revision.entity_type == entity_type(entity), Revision.entity_id == entity.id)
        .options(selectinload(Revision.user))
        .order_by(Revision.id.desc())))


def revision_at(session: Session, entity: Any, version: int | None) -> Revision | None:
    """The revision that produced `version` of the entity."""
    if version is None:
        return None
    return session.scalar(
        select(Revision)
        .where(Revision.entity_type == entity_type(entity), Revision.entity_id == entity.id,
               Revision.version == version)
        .order_by(Revision.id.desc()).limit(1))


def render_history(entity: Any, *, title: str, back_url: str, revert_endpoint: str | None,
                   id_arg: str):
    session = get_session()
    revisions = revisions_of(session, entity)
    items = [(rev, diff_rows(rev.before, rev.after)) for rev in revisions]
    return render_template(
        "curate/history.html", entity=entity, title=title, back_url=back_url, items=items,
        revert_endpoint=revert_endpoint, id_arg=id_arg, form=ActionForm(),
        kind=entity_type(entity))


def revert_view(entity: Any, revision_id: int, *, history_url: str):
    """GET: what restoring (or, with ?undo=1, undoing) one revision would change, to confirm.
    POST: do it, as a new revision, or as a change waiting for review when the public sees
    the entry and review is required."""
    session = get_session()
    revision = session.get(Revision, revision_id)
    if revision is None or revision.entity_type != entity_type(entity) \
            or revision.entity_id != entity.id:
        abort(404)
    undo = request.values.get("undo") == "1"
    target = operations.revert_target(revision, undo=undo)
    if target is None:
        abort(404)
    if request.method == "GET":
        current = operations.record_of(entity)
        return render_template(
            "curate/revert_confirm.html", entity=entity, kind=entity_type(entity),
            revision=revision, undo=undo, rows=diff_rows(current, target),
            history_url=history_url,
            needs_review=operations.needs_review(session, entity, target),
            form=ActionForm(data={"version": str(entity.version)}))
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)

    def failed(error):
        if isinstance(error, operations.Conflict):
            return stale_page(entity, error, back_url=history_url)
        if isinstance(error, operations.Invalid):
            flash(_("This version cannot be restored as it is: %(problems)s",
                    problems="; ".join(operations.flat_messages(error.fields))), "error")
            return redirect(history_url)
        return None

    on_failure(failed)
    result = operations.revert(session, entity, revision, user=actor(),
                               expected_version=form.version.data, undo=undo)
    if isinstance(result, PendingChange):
        flash(_("The restore waits for another curator's review; until then the live "
                "version stays as it is."), "success")
        return redirect(url_for("curate.change", change_id=result.id))
    if undo:
        flash(_("Undid version %(num)d; this is now version %(current)d.",
                num=revision.version, current=entity.version), "success")
    else:
        flash(_("Restored version %(num)d; this is now version %(current)d.",
                num=revision.version, current=entity.version), "success")
    return redirect(history_url)


def stale_page(entity: Any, conflict: operations.Conflict, *, back_url: str):
    """409 for an action (not a form) taken on an out-of-date page."""
    session = get_session()
    session.refresh(entity)
    return render_template("curate/stale.html", entity=entity, conflict=conflict,
                           back_url=back_url, kind=entity_type(entity),
                           current_version=entity.version), 409


def conflict_context(entity: Any, conflict: operations.Conflict, *,
                     submitted: dict | None = None, expected_version: Any = None
                     ) -> dict[str, Any]:
    """What a conflict page shows: after a rollback, the entry as saved now beside yours.

    `submitted` and `expected_version` are what the form sent, for a conflict only the
    database noticed (a stale row at flush), which knows neither."""
    session = get_session()
    session.refresh(entity)
    current = operations.record_of(entity)
    expected = conflict.expected_version
    if expected is None:
        try:
            expected = int(expected_version)
        except (TypeError, ValueError):
            expected = None
    base_revision = revision_at(session, entity, expected)
    latest = revision_at(session, entity, entity.version)
    return {
        "rows": conflict_rows(conflict.submitted or submitted, current, base_revision.after
                              if base_revision else None),
        "expected_version": expected,
        "current_version": entity.version,
        "saved_by": latest.user.display_name if latest and latest.user else None,
        "saved_at": latest.created_at if latest else None,
        "history_url": url_for(f"curate.{entity_type(entity)}_history", **{
            f"{entity_type(entity)}_id": entity.id}),
    }

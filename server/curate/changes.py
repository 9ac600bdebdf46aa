"""Changes waiting for review: an edit, restore or retraction of something the public sees,
kept beside the live version until another curator publishes, rejects or sends it back."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import operations
from ..db import get_session
from ..models import PendingChange, User
from . import bp, history
from .access import actor, on_failure, role_required
from .forms import ActionForm


def _change_or_404(change_id: int) -> PendingChange:
    change = get_session().scalar(
        select(PendingChange).where(PendingChange.id == change_id)
        .options(selectinload(PendingChange.author), selectinload(PendingChange.reviewer)))
    if change is None:
        abort(404)
    return change


def entity_url(change: PendingChange) -> str:
    kind = change.entity_type
    return url_for(f"curate.{kind}", **{f"{kind}_id": change.entity_id})


def entity_name(entity: Any) -> str:
    return getattr(entity, "key", None) or getattr(entity, "name", None) or str(entity.id)


def french_not_updated(live: dict[str, Any], pending: dict[str, Any]) -> bool:
    """The English summary changed but the French one did not (a French text left behind)."""
    if "summary" not in pending:
        return False
    live_fr = (live.get("translations") or {}).get("fr")
    pending_fr = (pending.get("translations") or {}).get("fr")
    return live.get("summary") != pending.get("summary") and bool(pending_fr) \
        and live_fr == pending_fr


def waiting(user: User | None = None, *, own: bool = False):
    """Pending changes: others' (for review) or the user's own."""
    statement = (select(PendingChange).where(PendingChange.status == "pending")
                 .options(selectinload(PendingChange.author))
                 .order_by(PendingChange.created_at, PendingChange.id))
    if user is not None and own:
        statement = statement.where(PendingChange.author_id == user.id)
    elif user is not None and operations.review_required():
        statement = statement.where((PendingChange.author_id.is_(None))
                                    | (PendingChange.author_id != user.id))
    return statement


def describe(changes: list[PendingChange]) -> list[tuple[PendingChange, str, str]]:
    """(change, entry name, entry URL) for lists."""
    session = get_session()
    out = []
    for change in changes:
        model = operations.ENTITY_MODELS.get(change.entity_type)
        entity = session.get(model, change.entity_id) if model else None
        out.append((change, entity_name(entity) if entity else f"#{change.entity_id}",
                    entity_url(change)))
    return out


def _page(change: PendingChange, *, status: int = 200, conflict: dict | None = None):
    session = get_session()
    user = actor()
    entity = operations.change_entity(session, change)
    live = operations.record_of(entity)
    author = change.author_id == user.id
    review_off = not operations.review_required()
    return render_template(
        "curate/change.html", change=change, entity=entity, name=entity_name(entity),
        kind=change.entity_type, entity_url=entity_url(change),
        rows=history.diff_rows(live, change.record),
        french_behind=french_not_updated(live, change.record),
        stale=entity.version != change.base_version, conflict=conflict,
        can_review=change.status == "pending" and (review_off or not author),
        can_withdraw=change.status == "pending" and author,
        form=ActionForm(data={"version": str(change.version)})), status


@bp.route("/changes/<int:change_id>")
@role_required("curator")
def change(change_id: int):
    return _page(_change_or_404(change_id))


def _decision(change_id: int, decision: str):
    session = get_session()
    change = _change_or_404(change_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("curate.change", change_id=change.id)
    user = actor()
    entity: Any = None

    def failed(error):
        if isinstance(error, operations.Conflict):
            entity = operations.change_entity(session, change)
            session.refresh(entity)
            current = operations.record_of(entity)
            base = history.revision_at(session, entity, change.base_version)
            context = {
                "rows": history.conflict_rows(change.record, current,
                                              base.after if base else None),
                "expected_version": change.base_version, "current_version": entity.version,
                "history_url": url_for(f"curate.{change.entity_type}_history",
                                       **{f"{change.entity_type}_id": entity.id}),
            }
            return _page(change, status=409, conflict=context)
        if isinstance(error, operations.StaleChange):
            flash(error.message, "error")
            return _page(change, status=409)
        if isinstance(error, operations.Invalid):
            for message in operations.flat_messages(error.fields):
                flash(" ".join((str(error.message), str(message))), "error")
            return redirect(back)
        return None

    on_failure(failed)
    if decision == "publish":
        entity = operations.publish_change(session, change, user=user,
                                           expected_version=form.version.data)
    elif decision == "withdraw":
        operations.withdraw_change(session, change, user=user,
                                   expected_version=form.version.data)
    else:
        operations.review_change(session, change, decision, user=user,
                                 expected_version=form.version.data, comment=form.comment.data)
    if decision == "publish":
        message = _("Published: this is now version %(num)s, and the public record shows it.",
                    num=getattr(entity, "version", ""))
    elif decision == "withdraw":
        message = _("Withdrawn: the change is dropped and the live version stays.")
    elif decision == "rejected":
        message = _("Rejected: the live version stays as it was.")
    else:
        message = _("Sent back to its author; the live version stays as it was.")
    flash(message, "success")
    return redirect(entity_url(change))


@bp.route("/changes/<int:change_id>/publish", methods=["POST"])
@role_required("curator")
def change_publish(change_id: int):
    return _decision(change_id, "publish")


@bp.route("/changes/<int:change_id>/reject", methods=["POST"])
@role_required("curator")
def change_reject(change_id: int):
    return _decision(change_id, "rejected")


@bp.route("/changes/<int:change_id>/request-changes", methods=["POST"])
@role_required("curator")
def change_request_changes(change_id: int):
    return _decision(change_id, "changes_requested")


@bp.route("/changes/<int:change_id>/withdraw", methods=["POST"])
@role_required("curator")
def change_withdraw(change_id: int):
    return _decision(change_id, "withdraw")

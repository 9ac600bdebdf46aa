"""Pending changes (edits, restores and retractions of what the public sees, waiting for a
second curator) and restoring an earlier version."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..models import Claim, PendingChange, Platform, Revision, User, Vendor, utcnow
from ..records import ClaimRecord, record_of
from ..revisions import entity_type
from .claims import apply_claim_record, claim_written, validate_claim
from .common import (
    Conflict,
    Forbidden,
    Invalid,
    OperationError,
    StaleChange,
    check_version,
    flush,
    require,
    review_required,
    touch,
    version_of,
    write_revision,
)
from .platforms import apply_platform, validate_platform
from .review import needs_review, propose
from .vendors import apply_vendor, validate_vendor

# --- restoring -----------------------------------------------------------------------------------


def revert_target(revision: Revision, *, undo: bool = False) -> dict[str, Any] | None:
    """The record a restore brings back: the state after `revision`, or (undo) before it."""
    state = revision.before if undo else revision.after
    return dict(state) if state is not None else None


def revert(session: Session, entity: Claim | Platform | Vendor, revision: Revision, *,
           user: User, expected_version: Any, undo: bool = False) -> Any:
    """Restore the state recorded by `revision` exactly (or, `undo`, the state before it), as a
    new revision (action revert). With review required, restoring anything the public sees
    becomes a PendingChange (returned) for another curator to publish."""
    require(user, "curator")
    if revision.entity_type != entity_type(entity) or revision.entity_id != entity.id:
        raise OperationError(_("This revision belongs to another entry."))
    target = revert_target(revision, undo=undo)
    if target is None:
        raise OperationError(_("There is no recorded state to restore here (the entry did not "
                               "exist then, or was deleted)."))
    before = record_of(entity)
    check_version(entity, expected_version, before, target)
    comment = (f"Undid version {revision.version}." if undo
               else f"Reverted to version {revision.version}.")
    record = _validate_any(session, entity, target)
    if needs_review(session, entity, record):
        return propose(session, entity, record, "revert", user=user, comment=comment)
    _apply_any(session, entity, record)
    touch(entity, user)
    flush(session, entity, expected_version, target)
    if isinstance(entity, Claim):
        claim_written(session, entity, "revert", before, user, comment)
    else:
        write_revision(session, entity, "revert", before, user, comment)
    session.flush()
    return entity


def _validate_any(session: Session, entity: Any, record: dict[str, Any]) -> dict[str, Any]:
    if isinstance(entity, Claim):
        # An earlier state is restored as it was, even one saved before it had a source.
        return validate_claim(session, {**record, "id": entity.key}, entity,
                               needs_source=record.get("status") == "published")
    if isinstance(entity, Platform):
        return validate_platform(session, {**record, "slug": entity.slug}, entity)
    return validate_vendor(session, {**record, "slug": entity.slug}, entity)


def _apply_any(session: Session, entity: Any, record: dict[str, Any]) -> None:
    if isinstance(entity, Claim):
        apply_claim_record(session, entity, record)
        entity.status_comment = None  # a restored state carries no reviewer's old comment
    elif isinstance(entity, Platform):
        apply_platform(entity, record)
    else:
        apply_vendor(entity, record)


# --- waiting for review ---------------------------------------------------------------------------

PENDING_ACTIONS = {"update": "update", "revert": "revert", "retract": "status"}
# Why a change cannot be handled again, for each state it can be in once handled.
ALREADY_HANDLED = {
    "published": _l("This change is already published."),
    "rejected": _l("This change is already rejected."),
    "changes_requested": _l("This change is already sent back for changes."),
    "withdrawn": _l("This change is already withdrawn."),
}


ENTITY_MODELS: dict[str, Any] = {"claim": Claim, "platform": Platform, "vendor": Vendor}


def change_entity(session: Session, change: PendingChange) -> Any:
    entity = session.get(ENTITY_MODELS[change.entity_type], change.entity_id)
    if entity is None:
        raise Forbidden(_("The entry this change was made to no longer exists."))
    return entity


def pending_changes(session: Session, entity: Any) -> list[PendingChange]:
    """The changes of `entity` waiting for review, oldest first."""
    return list(session.scalars(
        select(PendingChange).where(PendingChange.entity_type == entity_type(entity),
                                    PendingChange.entity_id == entity.id,
                                    PendingChange.status == "pending")
        .order_by(PendingChange.id)))


def _check_change(change: PendingChange, expected_version: Any) -> None:
    if version_of(expected_version) != change.version:
        raise StaleChange(_("This change was handled since you opened it; nothing was done. "
                            "Look at it again."))
    if change.status != "pending":
        handled = ALREADY_HANDLED.get(change.status)
        raise Forbidden(str(handled) if handled is not None else _(
            "This change is already %(status)s.", status=change.status.replace("_", " ")))


def _flush_change(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleChange(_("Another curator handled this change at the same moment; nothing "
                            "was done. Look at it again.")) from exc


def _decide(change: PendingChange, status: str, user: User, comment: str | None) -> None:
    change.version += 1
    change.status = status
    change.reviewer_id = user.id
    change.reviewed_at = utcnow()
    change.review_comment = comment


def publish_change(session: Session, change: PendingChange, *, user: User,
                   expected_version: Any) -> Any:
    """Apply a pending change to its live entry through the same path as a direct edit: a new
    version, its Revision, the public snapshot refreshed. The author never publishes their own
    change when review is required; a change made against an older version is a Conflict."""
    require(user, "curator")
    _check_change(change, expected_version)
    if review_required() and change.author_id == user.id:
        raise Forbidden(_("You proposed this change, so another curator must review it."))
    entity = change_entity(session, change)
    before = record_of(entity)
    if entity.version != change.base_version:
        raise Conflict(entity, change.base_version, entity.version, before, change.record)
    record = _validate_any(session, entity, change.record)
    if isinstance(entity, Claim) and record.get("status") == "published":
        try:
            ClaimRecord().load(record)
        except ValidationError as exc:
            raise Invalid(exc.messages, _("This change cannot be published as it is.")) from exc
    _apply_any(session, entity, record)
    if change.action == "retract" and isinstance(entity, Claim):
        entity.status_comment = change.comment
    author = session.get(User, change.author_id) if change.author_id else None
    touch(entity, author)
    flush(session, entity, change.base_version, change.record)
    reviewer = f"Published after review by {user.display_name}."
    comment = " ".join(filter(None, [change.comment, reviewer]))
    write_revision(session, entity, PENDING_ACTIONS[change.action], before, author, comment)
    _decide(change, "published", user, None)
    _flush_change(session)
    return entity


def review_change(session: Session, change: PendingChange, decision: str, *, user: User,
                  expected_version: Any, comment: str | None) -> None:
    """Reject a pending change or send it back for changes; the live entry stays as it is."""
    require(user, "curator")
    if decision not in ("rejected", "changes_requested"):
        raise OperationError(_("Unknown decision %(decision)s.", decision=repr(decision)))
    _check_change(change, expected_version)
    if review_required() and change.author_id == user.id:
        raise Forbidden(_("You proposed this change; withdraw it instead."))
    comment = (comment or "").strip()
    if not comment:
        raise Invalid({"comment": [_("Say why: the author reads this comment.")]})
    _decide(change, decision, user, comment)
    _flush_change(session)


def withdraw_change(session: Session, change: PendingChange, *, user: User,
                    expected_version: Any) -> None:
    """The author takes back their own pending change."""
    require(user, "contributor")
    _check_change(change, expected_version)
    if change.author_id != user.id:
        raise Forbidden(_("Only the author of a change can withdraw it."))
    change.version += 1
    change.status = "withdrawn"
    change.reviewed_at = utcnow()
    _flush_change(session)

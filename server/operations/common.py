"""What every operation shares: the errors a face maps to a status, the role and version
checks, and writing the Revision.

An operation checks who may do it, validates, checks the version the form was loaded at,
bumps `version`, writes the Revision and flushes; it never commits. The face commits once
(server/operations/transaction.py), which refreshes the public snapshot when a write marked
the public record as changed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..models import Revision, User, utcnow
from ..records import load, record_of
from ..revisions import entity_type, record_revision

PUBLIC_CHANGED = "btf_public_changed"

# A conflict's message, whole, for each kind of entry (an entry's name alone does not say how
# the rest of the sentence agrees with it in every language).
CONFLICT_MESSAGES = {
    "claim": _l("This claim was changed by someone else since you opened it (you had version "
                "%(expected)s, it is now at version %(current)s)."),
    "platform": _l("This platform was changed by someone else since you opened it (you had "
                   "version %(expected)s, it is now at version %(current)s)."),
    "vendor": _l("This vendor was changed by someone else since you opened it (you had version "
                 "%(expected)s, it is now at version %(current)s)."),
    "user": _l("This user was changed by someone else since you opened it (you had version "
               "%(expected)s, it is now at version %(current)s)."),
    "proposal": _l("This proposal was changed by someone else since you opened it (you had "
                   "version %(expected)s, it is now at version %(current)s)."),
    "source": _l("This source was changed by someone else since you opened it (you had version "
                 "%(expected)s, it is now at version %(current)s)."),
    "collection": _l("This collection was changed by someone else since you opened it (you had "
                     "version %(expected)s, it is now at version %(current)s)."),
    "entry": _l("This entry was changed by someone else since you opened it (you had version "
                "%(expected)s, it is now at version %(current)s)."),
}
ROLE_NEEDED = {
    "contributor": _l("This needs the contributor role."),
    "curator": _l("This needs the curator role."),
    "admin": _l("This needs the admin role."),
}


class OperationError(Exception):
    """A write was refused; `message` says why in words a curator can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(OperationError):
    """The input is not valid; `fields` maps each field (as in the record form) to messages."""

    def __init__(self, fields: dict[str, Any], message: str | None = None):
        super().__init__(message or _("Some fields need attention."))
        self.fields = fields


class Forbidden(OperationError):
    """The user's role or the entry's state does not allow this."""


class Conflict(OperationError):
    """Someone saved the entry since the form was loaded; nothing was written.

    `current` is the record as saved now (None when only the database noticed, at flush: the
    caller reloads it after rolling back), `submitted` what this user sent. `entity` is None
    when a stale write was caught with nothing more known (the face knows what it was saving).
    """

    def __init__(self, entity: Any, expected_version: int | None, current_version: int | None,
                 current: dict[str, Any] | None, submitted: dict[str, Any] | None):
        what = entity_type(entity) if entity is not None else "entry"
        super().__init__(str(CONFLICT_MESSAGES.get(what, CONFLICT_MESSAGES["entry"])) % {
            "expected": expected_version, "current": current_version})
        self.entity = entity
        self.expected_version = expected_version
        self.current_version = current_version
        self.current = current
        self.submitted = submitted


class StaleChange(OperationError):
    """The pending change was handled since the page showing it was loaded."""


class Unavailable(OperationError):
    """The database cannot be reached or is busy; nothing was written, try again."""


def review_required() -> bool:
    return bool(current_app.config.get("BTF_REVIEW_REQUIRED", True))


def public_changed(session: Session) -> bool:
    """Whether a write in this transaction changed what the public index shows."""
    return bool(session.info.get(PUBLIC_CHANGED))


def forget_public_change(session: Session) -> None:
    session.info.pop(PUBLIC_CHANGED, None)


def mark_public(session: Session) -> None:
    session.info[PUBLIC_CHANGED] = True


def require(user: User | None, role: str) -> None:
    if user is None or not user.active or not user.has_role(role):
        needed = ROLE_NEEDED.get(role)
        raise Forbidden(str(needed) if needed is not None
                        else _("This needs the %(role)s role.", role=role))


def version_of(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_version(entity: Any, expected: Any, current: dict | None,
                  submitted: dict | None) -> None:
    if version_of(expected) != entity.version:
        raise Conflict(entity, version_of(expected), entity.version, current, submitted)


def flush(session: Session, entity: Any, expected: Any, submitted: dict | None) -> None:
    """Flush; a concurrent save that slipped in after our version check is a Conflict too."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(entity, version_of(expected), None, None, submitted) from exc


def touch(entity: Any, user: User | None, *, editor: bool = True) -> None:
    entity.version = (entity.version or 0) + 1
    if hasattr(entity, "updated_at"):
        entity.updated_at = utcnow()
    if editor and hasattr(entity, "updated_by_id"):
        entity.updated_by_id = user.id if user else None


def load_record(schema: Schema, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return load(schema, raw)
    except ValidationError as exc:
        raise Invalid(exc.messages) from exc


def write_revision(session: Session, entity: Any, action: str, before: dict | None,
                   user: User | None, comment: str | None, *, public: bool = True) -> Revision:
    """The Revision of a change just made to `entity`; `public` marks the public record as
    changed, so the commit refreshes the snapshot."""
    after = record_of(entity)
    if public:
        mark_public(session)
    return record_revision(session, entity, action, before, after,
                           user_id=user.id if user else None, comment=comment or None)


def flat_messages(value: Any) -> list[str]:
    """Every message of a nested marshmallow-style error mapping, in order."""
    if isinstance(value, dict):
        return [m for v in value.values() for m in flat_messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in flat_messages(v)]
    return [str(value)]

"""Every write of the curators' workspace: claims, platforms, vendors, users, proposals, imports.

Each operation checks who may do it, validates (with the dataset schemas of server/dataset.py, so
a form, a file and a revision obey the same rules), checks the version the form was loaded at,
bumps `version`, sets updated_at/updated_by, writes the Revision and flushes. The caller commits
once, then calls `index.rebuild` when `public_changed(session)` says the public data moved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from decimal import Decimal
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import domains
from ..dataset import (
    ClaimRecord,
    Dataset,
    DomainRuleRecord,
    ImportReport,
    PlatformRecord,
    VendorRecord,
    apply_claim_record,
    apply_domain_rules,
    claim_record,
    domain_sort_key,
    import_dataset,
    platform_record,
    vendor_record,
)
from ..models import (
    ROLES,
    Claim,
    Domain,
    PendingChange,
    Platform,
    Proposal,
    Revision,
    User,
    Vendor,
    utcnow,
)
from ..revisions import entity_type, record_revision

MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3
MAX_PASSWORD_LENGTH = 1024
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
PUBLIC_CHANGED = "btf_public_changed"

# Claim workflow: action -> (statuses it starts from, status it leads to, least role, comment).
TRANSITIONS: dict[str, tuple[frozenset[str], str, str, bool]] = {
    "submit": (frozenset({"draft", "changes_requested"}), "pending", "contributor", False),
    "withdraw": (frozenset({"pending"}), "draft", "contributor", False),
    "publish": (frozenset({"pending"}), "published", "curator", False),
    "request_changes": (frozenset({"pending"}), "changes_requested", "curator", True),
    "reject": (frozenset({"pending"}), "rejected", "curator", True),
    "retract": (frozenset({"published"}), "retracted", "curator", True),
    "reopen": (frozenset({"rejected", "retracted"}), "draft", "curator", False),
}
REVIEW_ACTIONS = frozenset({"publish", "request_changes", "reject"})
CONTRIBUTOR_EDITABLE = frozenset({"draft", "changes_requested"})

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


# --- errors ----------------------------------------------------------------------------------


class OperationError(Exception):
    """A write was refused; `message` says why in words a curator can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(OperationError):
    """The input is not valid; `fields` maps each field (as in the record form) to messages."""

    def __init__(self, fields: dict[str, Any], message: str = "Some fields need attention."):
        super().__init__(message)
        self.fields = fields


class Forbidden(OperationError):
    """The user's role or the entry's state does not allow this."""


class Conflict(OperationError):
    """Someone saved the entry since the form was loaded; nothing was written.

    `current` is the record as saved now (None when only the database noticed, at flush: the
    caller reloads it after rolling back), `submitted` what this user sent.
    """

    def __init__(self, entity: Any, expected_version: int | None, current_version: int | None,
                 current: dict[str, Any] | None, submitted: dict[str, Any] | None):
        super().__init__(
            f"This {entity_type(entity)} was changed by someone else since you opened it "
            f"(you had version {expected_version}, it is now at version {current_version}).")
        self.entity = entity
        self.expected_version = expected_version
        self.current_version = current_version
        self.current = current
        self.submitted = submitted


# --- shared steps ------------------------------------------------------------------------------


def review_required() -> bool:
    return bool(current_app.config.get("BTF_REVIEW_REQUIRED", True))


def public_changed(session: Session) -> bool:
    """Whether a write in this transaction changed what the public index shows."""
    return bool(session.info.get(PUBLIC_CHANGED))


def forget_public_change(session: Session) -> None:
    session.info.pop(PUBLIC_CHANGED, None)


def _mark_public(session: Session) -> None:
    session.info[PUBLIC_CHANGED] = True


def _require(user: User | None, role: str) -> None:
    if user is None or not user.active or not user.has_role(role):
        raise Forbidden(f"This needs the {role} role.")


def _version(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_version(entity: Any, expected: Any, current: dict | None,
                   submitted: dict | None) -> None:
    if _version(expected) != entity.version:
        raise Conflict(entity, _version(expected), entity.version, current, submitted)


def _flush(session: Session, entity: Any, expected: Any, submitted: dict | None) -> None:
    """Flush; a concurrent save that slipped in after our version check is a Conflict too."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(entity, _version(expected), None, None, submitted) from exc


def _touch(entity: Any, user: User | None, *, editor: bool = True) -> None:
    entity.version = (entity.version or 0) + 1
    if hasattr(entity, "updated_at"):
        entity.updated_at = utcnow()
    if editor and hasattr(entity, "updated_by_id"):
        entity.updated_by_id = user.id if user else None


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """A loaded record as the files hold it: decimals as numbers, dates as ISO text."""

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return json.loads(json.dumps(record, default=default))


def _load(schema: Any, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return _plain(schema.load(raw))
    except ValidationError as exc:
        raise Invalid(exc.messages) from exc


def record_of(entity: Any) -> dict[str, Any]:
    """The record form of an entity, as revisions store it."""
    if isinstance(entity, Claim):
        return claim_record(entity)
    if isinstance(entity, Platform):
        return platform_record(entity)
    if isinstance(entity, Vendor):
        return vendor_record(entity)
    if isinstance(entity, User):
        return user_record(entity)
    if isinstance(entity, Proposal):
        return proposal_record(entity)
    raise TypeError(type(entity).__name__)


def user_record(user: User) -> dict[str, Any]:
    # Never the password hash: revisions are shown to admins.
    return {"email": user.email, "display_name": user.display_name, "role": user.role,
            "active": user.active}


def proposal_record(proposal: Proposal) -> dict[str, Any]:
    return {"origin": proposal.origin, "kind": proposal.kind, "platform": proposal.platform_slug,
            "host": proposal.host, "source_url": proposal.source_url, "status": proposal.status,
            "note": proposal.note}


# --- claims ---------------------------------------------------------------------------------------


def can_edit_claim(user: User, claim: Claim) -> bool:
    if user.has_role("curator"):
        return True
    return user.has_role("contributor") and claim.status in CONTRIBUTOR_EDITABLE


def _validate_claim(session: Session, raw: dict[str, Any], claim: Claim | None, *,
                    needs_source: bool = True) -> dict[str, Any]:
    """The record, checked by the dataset schema and against the database, every problem at
    once (so a form shows them all in one round)."""
    errors: dict[str, Any] = {}
    try:
        record = _plain(ClaimRecord().load(raw))
    except ValidationError as exc:
        errors = dict(exc.messages)
        record = raw
    if needs_source and not record.get("sources") and "sources" not in errors:
        errors["sources"] = ["Add at least one source: a claim says only what a source says."]
    slugs = [s for s in record.get("platforms") or [] if isinstance(s, str)]
    if not slugs:
        errors["platforms"] = ["Choose the platform the claim is about."]
    elif "platforms" not in errors:
        known = set(session.scalars(select(Platform.slug).where(Platform.slug.in_(slugs))))
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            errors["platforms"] = [f"No platform is called {', '.join(unknown)}."]
    vendors = [s for s in record.get("vendors") or [] if isinstance(s, str)]
    if vendors and "vendors" not in errors:
        known = set(session.scalars(select(Vendor.slug).where(Vendor.slug.in_(vendors))))
        unknown = [slug for slug in vendors if slug not in known]
        if unknown:
            errors["vendors"] = [f"No vendor is called {', '.join(unknown)}."]
    if "id" not in errors:
        other = session.scalar(select(Claim.id).where(Claim.key == record.get("id")))
        if other is not None and (claim is None or other != claim.id):
            errors["id"] = [f"Another claim already has the id {record['id']}."]
    if errors:
        raise Invalid(errors)
    return record


def _claim_written(session: Session, claim: Claim, action: str, before: dict | None,
                   user: User | None, comment: str | None) -> Revision:
    after = claim_record(claim)
    if "published" in ((before or {}).get("status"), after["status"]):
        _mark_public(session)
    return record_revision(session, claim, action, before, after,
                           user_id=user.id if user else None, comment=comment or None)


def create_claim(session: Session, raw: dict[str, Any], *, user: User,
                 comment: str | None = None, proposal: Proposal | None = None,
                 proposal_version: Any = None) -> Claim:
    """A new draft claim from its record form; accepting `proposal` with it when given."""
    _require(user, "contributor")
    if proposal is not None:
        _require(user, "curator")
    raw = {**raw, "status": "draft"}
    if not raw.get("id"):
        raw["id"] = suggest_claim_key(session, raw)
    record = _validate_claim(session, raw, None)
    if proposal is not None:
        _check_proposal(proposal, proposal_version)
    claim = Claim(version=1, created_by_id=user.id, updated_by_id=user.id,
                  created_at=utcnow(), updated_at=utcnow())
    session.add(claim)
    apply_claim_record(session, claim, record)
    session.flush()
    _claim_written(session, claim, "create", None, user, comment)
    if proposal is not None:
        _handle_proposal(session, proposal, "accepted", user,
                         f"Draft claim {claim.key} created from it.")
    session.flush()
    return claim


def suggest_claim_key(session: Session, raw: dict[str, Any]) -> str:
    """A free public id from the claim's platform, vendor, kind and start year."""
    parts = [*(raw.get("platforms") or [])[:1], (raw.get("vendors") or [""])[0] or "",
             raw.get("kind") or "",
             str((raw.get("observed") or {}).get("start") or "")[:4]]
    base = "-".join(p for p in (re.sub(r"[^a-z0-9]+", "-", str(part).lower()).strip("-")
                                for part in parts) if p)[:100] or "claim"
    key, number = base, 1
    while session.scalar(select(Claim.id).where(Claim.key == key)) is not None:
        number += 1
        key = f"{base}-{number}"
    return key


def update_claim(session: Session, claim: Claim, raw: dict[str, Any], *, user: User,
                 expected_version: Any, comment: str | None = None) -> bool | PendingChange:
    """Save an edit; False when nothing changed (no new version, no revision).

    The public id never changes. With review required, an edit of a published claim does not
    touch the live claim: it waits as a PendingChange (returned) until another curator
    publishes it.
    """
    _require(user, "contributor")
    if not can_edit_claim(user, claim):
        raise Forbidden(f"A contributor can edit drafts and claims sent back for changes; this "
                        f"claim is {claim.status.replace('_', ' ')}.")
    record = _validate_claim(session, {**raw, "id": claim.key, "status": claim.status}, claim)
    before = claim_record(claim)
    _check_version(claim, expected_version, before, record)
    if record == before:
        return False
    if needs_review(session, claim):
        return _propose(session, claim, record, "update", user=user, comment=comment)
    apply_claim_record(session, claim, record)
    _touch(claim, user)
    _flush(session, claim, expected_version, record)
    _claim_written(session, claim, "update", before, user, comment)
    session.flush()
    return True


def change_claim_status(session: Session, claim: Claim, action: str, *, user: User,
                        expected_version: Any, comment: str | None = None
                        ) -> Claim | PendingChange:
    """Move a claim along the workflow (submit, withdraw, publish, request_changes, reject,
    retract, reopen); the comment is kept on the claim and in the revision. With review
    required, a retraction waits as a PendingChange (returned) for another curator."""
    if action not in TRANSITIONS:
        raise OperationError(f"Unknown action {action!r}.")
    starts, target, role, needs_comment = TRANSITIONS[action]
    _require(user, role)
    before = claim_record(claim)
    _check_version(claim, expected_version, before, None)
    if claim.status not in starts:
        raise Forbidden(f"A {claim.status.replace('_', ' ')} claim cannot be "
                        f"{_done(action)}.")
    comment = (comment or "").strip() or None
    if needs_comment and not comment:
        raise Invalid({"comment": ["Say why: the author reads this comment."]})
    if action in REVIEW_ACTIONS and review_required() and claim.updated_by_id == user.id:
        raise Forbidden("You made the last change to this claim, so another curator must "
                        "review it.")
    if action == "withdraw" and not user.has_role("curator") and claim.updated_by_id != user.id:
        raise Forbidden("Only the last editor or a curator can withdraw a claim from review.")
    if target == "published":
        try:
            ClaimRecord().load({**before, "status": "published"})
        except ValidationError as exc:
            raise Invalid(exc.messages, "This claim cannot be published yet.") from exc
    if action == "retract" and review_required():
        # Taking a claim out of the public record is a public change: another curator
        # confirms it.
        return _propose(session, claim, {**before, "status": "retracted"}, "retract",
                        user=user, comment=comment)
    claim.status = target
    claim.status_comment = comment
    # The last editor stays the last editor: a status change is not a change of content, so
    # submitting or publishing someone else's work does not make it yours.
    _touch(claim, user, editor=False)
    _flush(session, claim, expected_version, None)
    _claim_written(session, claim, "status", before, user, comment)
    session.flush()
    return claim


def allowed_actions(user: User, claim: Claim) -> list[str]:
    """The workflow actions `user` may take on `claim` now (the buttons its page shows)."""
    actions = []
    for action, (starts, _target, role, _comment) in TRANSITIONS.items():
        if claim.status not in starts or not user.has_role(role):
            continue
        if action in REVIEW_ACTIONS and review_required() and claim.updated_by_id == user.id:
            continue
        if action == "withdraw" and not user.has_role("curator") \
                and claim.updated_by_id != user.id:
            continue
        actions.append(action)
    return actions


def _done(action: str) -> str:
    return {"submit": "submitted", "withdraw": "withdrawn", "publish": "published",
            "request_changes": "sent back for changes", "reject": "rejected",
            "retract": "retracted", "reopen": "reopened"}[action]


# --- platforms and vendors ---------------------------------------------------------------------


def _validate_platform(session: Session, raw: dict[str, Any],
                       platform: Platform | None) -> dict[str, Any]:
    """The platform record, every problem at once; host rules checked by server.domains and
    against the rules other platforms list."""
    raw = {k: v for k, v in raw.items() if k != "claims"}
    rules_in = raw.get("domains") or []
    errors: dict[str, Any] = {}
    try:
        record = _plain(PlatformRecord().load({**raw, "domains": []}))
    except ValidationError as exc:
        errors.update(exc.messages)
        record = None
    rules: list[str | dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    host_errors: list[str] = []
    for item in rules_in if isinstance(rules_in, list) else [rules_in]:
        try:
            if isinstance(item, dict):
                item = {**DomainRuleRecord().load(item)}
            rule = domains.rule_from_entry(
                domains.check_listable(item) if isinstance(item, str)
                else {**item, "host": domains.check_listable(item.get("host", ""))}, "x")
        except (ValueError, ValidationError) as exc:
            host_errors += flat_messages(exc.messages) if isinstance(exc, ValidationError) \
                else [str(exc)]
            continue
        if (rule.host, rule.path) in seen:
            continue
        seen.add((rule.host, rule.path))
        entry: str | dict[str, str] = rule.host
        if rule.path:
            entry = {"host": rule.host, "path": rule.path}
        elif rule.scope == "exact":
            entry = {"host": rule.host, "scope": "exact"}
        rules.append(entry)
    hosts = sorted({host for host, _path in seen})
    if hosts:
        taken = session.execute(
            select(Domain.host, Domain.path, Platform.name, Platform.id)
            .join(Platform, Domain.platform_id == Platform.id)
            .where(Domain.host.in_(hosts))).all()
        for host, path, name, platform_id in taken:
            if (host, path or "") in seen and (platform is None or platform_id != platform.id):
                host_errors.append(f"{host}{path or ''!s} is already listed for {name}; remove "
                                   "it there first if it belongs here.")
    if host_errors:
        errors["domains"] = host_errors
    if record is not None:
        other = session.scalar(select(Platform.id).where(Platform.slug == record["slug"]))
        if other is not None and (platform is None or other != platform.id):
            errors["slug"] = [f"Another platform already has the slug {record['slug']}."]
    if errors:
        raise Invalid(errors)
    assert record is not None
    record["domains"] = sorted(rules, key=domain_sort_key)
    return record


def _apply_platform(platform: Platform, record: dict[str, Any]) -> None:
    for name in ("slug", "name", "owner", "hq_country", "description"):
        setattr(platform, name, record[name])
    platform.actions = list(record.get("actions") or [])
    platform.moderators = list(record.get("moderators") or [])
    platform.domains = apply_domain_rules(list(platform.domains), record["domains"])


def _write(session: Session, entity: Any, action: str, before: dict | None, user: User | None,
           comment: str | None, *, public: bool = True) -> Revision:
    after = record_of(entity)
    if public:
        _mark_public(session)
    return record_revision(session, entity, action, before, after,
                           user_id=user.id if user else None, comment=comment or None)


def create_platform(session: Session, raw: dict[str, Any], *, user: User,
                    comment: str | None = None) -> Platform:
    """A new platform with its domains."""
    _require(user, "curator")
    record = _validate_platform(session, raw, None)
    platform = Platform(version=1, created_at=utcnow(), updated_at=utcnow())
    session.add(platform)
    _apply_platform(platform, record)
    session.flush()
    _write(session, platform, "create", None, user, comment)
    session.flush()
    return platform


def update_platform(session: Session, platform: Platform, raw: dict[str, Any], *, user: User,
                    expected_version: Any, comment: str | None = None
                    ) -> bool | PendingChange:
    """Save an edit of a platform (its slug never changes); False when nothing changed.

    With review required, an edit of a platform that published claims stand on waits as a
    PendingChange (returned): its domains do not answer lookups until another curator
    publishes it.
    """
    _require(user, "curator")
    record = _validate_platform(session, {**raw, "slug": platform.slug}, platform)
    before = platform_record(platform)
    _check_version(platform, expected_version, before, record)
    if record == before:
        return False
    if needs_review(session, platform):
        return _propose(session, platform, record, "update", user=user, comment=comment)
    _apply_platform(platform, record)
    _touch(platform, user)
    _flush(session, platform, expected_version, record)
    _write(session, platform, "update", before, user, comment)
    session.flush()
    return True


def _validate_vendor(session: Session, raw: dict[str, Any], vendor: Vendor | None) -> dict:
    record = _load(VendorRecord(), raw)
    other = session.scalar(select(Vendor.id).where(Vendor.slug == record["slug"]))
    if other is not None and (vendor is None or other != vendor.id):
        raise Invalid({"slug": [f"Another vendor already has the slug {record['slug']}."]})
    return record


def _apply_vendor(vendor: Vendor, record: dict[str, Any]) -> None:
    for name in ("slug", "name", "hq_country", "website", "description", "wikidata",
                 "opencorporates"):
        setattr(vendor, name, record.get(name))
    vendor.sites = list(record.get("sites") or [])
    vendor.actions = list(record.get("actions") or [])


def create_vendor(session: Session, raw: dict[str, Any], *, user: User,
                  comment: str | None = None) -> Vendor:
    """A new vendor."""
    _require(user, "curator")
    record = _validate_vendor(session, raw, None)
    vendor = Vendor(version=1, created_at=utcnow(), updated_at=utcnow())
    session.add(vendor)
    _apply_vendor(vendor, record)
    session.flush()
    _write(session, vendor, "create", None, user, comment)
    session.flush()
    return vendor


def update_vendor(session: Session, vendor: Vendor, raw: dict[str, Any], *, user: User,
                  expected_version: Any, comment: str | None = None) -> bool | PendingChange:
    """Save an edit of a vendor (its slug never changes); False when nothing changed. With
    review required, the edit of a vendor a published claim names waits as a PendingChange."""
    _require(user, "curator")
    record = _validate_vendor(session, {**raw, "slug": vendor.slug}, vendor)
    before = vendor_record(vendor)
    _check_version(vendor, expected_version, before, record)
    if record == before:
        return False
    if needs_review(session, vendor):
        return _propose(session, vendor, record, "update", user=user, comment=comment)
    _apply_vendor(vendor, record)
    _touch(vendor, user)
    _flush(session, vendor, expected_version, record)
    _write(session, vendor, "update", before, user, comment)
    session.flush()
    return True


# --- history -----------------------------------------------------------------------------------


def revert_target(revision: Revision, *, undo: bool = False) -> dict[str, Any] | None:
    """The record a restore brings back: the state after `revision`, or (undo) before it."""
    state = revision.before if undo else revision.after
    return dict(state) if state is not None else None


def revert(session: Session, entity: Claim | Platform | Vendor, revision: Revision, *,
           user: User, expected_version: Any, undo: bool = False) -> Any:
    """Restore the state recorded by `revision` exactly (or, `undo`, the state before it), as a
    new revision (action revert). With review required, restoring anything the public sees
    becomes a PendingChange (returned) for another curator to publish."""
    _require(user, "curator")
    if revision.entity_type != entity_type(entity) or revision.entity_id != entity.id:
        raise OperationError("This revision belongs to another entry.")
    target = revert_target(revision, undo=undo)
    if target is None:
        raise OperationError("There is no recorded state to restore here (the entry did not "
                             "exist then, or was deleted).")
    before = record_of(entity)
    _check_version(entity, expected_version, before, target)
    comment = (f"Undid version {revision.version}." if undo
               else f"Reverted to version {revision.version}.")
    record = _validate_any(session, entity, target)
    if needs_review(session, entity, record):
        return _propose(session, entity, record, "revert", user=user, comment=comment)
    _apply_any(session, entity, record)
    _touch(entity, user)
    _flush(session, entity, expected_version, target)
    if isinstance(entity, Claim):
        _claim_written(session, entity, "revert", before, user, comment)
    else:
        _write(session, entity, "revert", before, user, comment)
    session.flush()
    return entity


def _validate_any(session: Session, entity: Any, record: dict[str, Any]) -> dict[str, Any]:
    if isinstance(entity, Claim):
        # An earlier state is restored as it was, even one saved before it had a source.
        return _validate_claim(session, {**record, "id": entity.key}, entity,
                               needs_source=record.get("status") == "published")
    if isinstance(entity, Platform):
        return _validate_platform(session, {**record, "slug": entity.slug}, entity)
    return _validate_vendor(session, {**record, "slug": entity.slug}, entity)


def _apply_any(session: Session, entity: Any, record: dict[str, Any]) -> None:
    if isinstance(entity, Claim):
        apply_claim_record(session, entity, record)
        entity.status_comment = None  # a restored state carries no reviewer's old comment
    elif isinstance(entity, Platform):
        _apply_platform(entity, record)
    else:
        _apply_vendor(entity, record)


# --- pending changes ---------------------------------------------------------------------------

PENDING_ACTIONS = {"update": "update", "revert": "revert", "retract": "status"}
PENDING_LABELS = {"update": "Edit", "revert": "Restore", "retract": "Retraction"}


def needs_review(session: Session, entity: Any, record: dict[str, Any] | None = None) -> bool:
    """Whether a change of `entity` (to `record`) touches the public record while review is
    required: then it waits as a PendingChange."""
    if not review_required():
        return False
    if isinstance(entity, Claim):
        target = (record or {}).get("status")
        return entity.status in ("published", "retracted") or target == "published"
    if isinstance(entity, Platform):
        return bool(session.scalar(select(exists().where(
            Claim.status == "published", Claim.platforms.any(Platform.id == entity.id)))))
    if isinstance(entity, Vendor):
        return bool(session.scalar(select(exists().where(
            Claim.status == "published", Claim.vendors.any(Vendor.id == entity.id)))))
    return False


def _propose(session: Session, entity: Any, record: dict[str, Any], action: str, *,
             user: User, comment: str | None) -> PendingChange:
    change = PendingChange(entity_type=entity_type(entity), entity_id=entity.id,
                           base_version=entity.version, action=action, record=_plain(record),
                           status="pending", comment=(comment or "").strip() or None,
                           author_id=user.id, created_at=utcnow(), version=1)
    session.add(change)
    session.flush()
    return change


ENTITY_MODELS: dict[str, Any] = {"claim": Claim, "platform": Platform, "vendor": Vendor}


def change_entity(session: Session, change: PendingChange) -> Any:
    entity = session.get(ENTITY_MODELS[change.entity_type], change.entity_id)
    if entity is None:
        raise Forbidden("The entry this change was made to no longer exists.")
    return entity


def pending_changes(session: Session, entity: Any) -> list[PendingChange]:
    """The changes of `entity` waiting for review, oldest first."""
    return list(session.scalars(
        select(PendingChange).where(PendingChange.entity_type == entity_type(entity),
                                    PendingChange.entity_id == entity.id,
                                    PendingChange.status == "pending")
        .order_by(PendingChange.id)))


class StaleChange(OperationError):
    """The pending change was handled since the page showing it was loaded."""


def _check_change(change: PendingChange, expected_version: Any) -> None:
    if _version(expected_version) != change.version:
        raise StaleChange("This change was handled since you opened it; nothing was done. "
                          "Look at it again.")
    if change.status != "pending":
        raise Forbidden(f"This change is already {change.status.replace('_', ' ')}.")


def _flush_change(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleChange("Another curator handled this change at the same moment; nothing "
                          "was done. Look at it again.") from exc


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
    _require(user, "curator")
    _check_change(change, expected_version)
    if review_required() and change.author_id == user.id:
        raise Forbidden("You proposed this change, so another curator must review it.")
    entity = change_entity(session, change)
    before = record_of(entity)
    if entity.version != change.base_version:
        raise Conflict(entity, change.base_version, entity.version, before, change.record)
    record = _validate_any(session, entity, change.record)
    if isinstance(entity, Claim) and record.get("status") == "published":
        try:
            ClaimRecord().load(record)
        except ValidationError as exc:
            raise Invalid(exc.messages, "This change cannot be published as it is.") from exc
    _apply_any(session, entity, record)
    if change.action == "retract" and isinstance(entity, Claim):
        entity.status_comment = change.comment
    author = session.get(User, change.author_id) if change.author_id else None
    _touch(entity, author)
    _flush(session, entity, change.base_version, change.record)
    reviewer = f"Published after review by {user.display_name}."
    comment = " ".join(filter(None, [change.comment, reviewer]))
    _write(session, entity, PENDING_ACTIONS[change.action], before, author, comment)
    _decide(change, "published", user, None)
    _flush_change(session)
    return entity


def review_change(session: Session, change: PendingChange, decision: str, *, user: User,
                  expected_version: Any, comment: str | None) -> None:
    """Reject a pending change or send it back for changes; the live entry stays as it is."""
    _require(user, "curator")
    if decision not in ("rejected", "changes_requested"):
        raise OperationError(f"Unknown decision {decision!r}.")
    _check_change(change, expected_version)
    if review_required() and change.author_id == user.id:
        raise Forbidden("You proposed this change; withdraw it instead.")
    comment = (comment or "").strip()
    if not comment:
        raise Invalid({"comment": ["Say why: the author reads this comment."]})
    _decide(change, decision, user, comment)
    _flush_change(session)


def withdraw_change(session: Session, change: PendingChange, *, user: User,
                    expected_version: Any) -> None:
    """The author takes back their own pending change."""
    _require(user, "contributor")
    _check_change(change, expected_version)
    if change.author_id != user.id:
        raise Forbidden("Only the author of a change can withdraw it.")
    change.version += 1
    change.status = "withdrawn"
    change.reviewed_at = utcnow()
    _flush_change(session)


# --- users -------------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_fingerprint(user: User) -> str:
    """A short tag of the current password hash: kept in the session, so a password change
    signs the other sessions out."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:24]


def _check_password(password: str, field: str = "password", *,
                    known: tuple[str, ...] = ()) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid({field: [f"Use at least {MIN_PASSWORD_LENGTH} characters."]})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid({field: [f"Use at most {MAX_PASSWORD_LENGTH} characters."]})
    # zxcvbn knows common passwords, names, keyboard walks and dates; 3 of 4 is "safely
    # unguessable" against an offline attack on a slow hash.
    from zxcvbn import zxcvbn

    verdict = zxcvbn(password[:100], user_inputs=[k for k in known if k])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        hint = verdict["feedback"].get("warning") or "It is too easy to guess."
        raise Invalid({field: [f"{hint.rstrip('.')}. Try a few unrelated words together."]})


def new_session_token(user: User) -> None:
    """End every session of `user`: cookies carrying the old token are refused from now on."""
    user.session_token = secrets.token_urlsafe(32)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(session: Session, *, email: str, password: str, role: str = "curator",
                display_name: str | None = None, actor: User | None = None) -> User:
    """A new account. `actor` is the admin creating it (None from the command line)."""
    if actor is not None:
        _require(actor, "admin")
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = [f"{email!r} is not an email address."]
    elif session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        errors["email"] = [f"A user with the email {email} already exists."]
    if role not in ROLES:
        errors["role"] = [f"The role must be one of {', '.join(ROLES)}."]
    display_name = (display_name or "").strip() or email.split("@")[0]
    if len(display_name) > 120:
        errors["display_name"] = ["Use at most 120 characters."]
    try:
        _check_password(password, known=(email, display_name, *email.split("@")))
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    user = User(email=email, display_name=display_name, role=role, active=True, version=1,
                password_hash=hash_password(password), created_at=utcnow())
    session.add(user)
    session.flush()
    _write(session, user, "create", None, actor, None if actor else "created on the command line",
           public=False)
    session.flush()
    return user


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))) or 0


def update_user(session: Session, target: User, *, actor: User, expected_version: Any,
                role: str | None = None, active: bool | None = None,
                display_name: str | None = None) -> bool:
    """Change a user's role, name or active flag; never leaves the service without an admin."""
    _require(actor, "admin")
    before = user_record(target)
    _check_version(target, expected_version, before, None)
    errors: dict[str, list[str]] = {}
    if role is not None and role not in ROLES:
        errors["role"] = [f"The role must be one of {', '.join(ROLES)}."]
    if display_name is not None:
        display_name = display_name.strip()
        if not display_name or len(display_name) > 120:
            errors["display_name"] = ["Give a name of 1 to 120 characters."]
    if errors:
        raise Invalid(errors)
    new_role = role if role is not None else target.role
    new_active = active if active is not None else target.active
    was_admin = target.role == "admin" and target.active
    if was_admin and not (new_role == "admin" and new_active) and _active_admins(session) <= 1:
        who = "yourself" if target.id == actor.id else "the last admin"
        raise Forbidden(f"You cannot demote or deactivate {who}: the service would have no "
                        "admin left. Make someone else an admin first.")
    target.role = new_role
    target.active = new_active
    if display_name is not None:
        target.display_name = display_name
    if user_record(target) == before:
        return False
    _touch(target, actor)
    _flush(session, target, expected_version, None)
    _write(session, target, "update", before, actor, None, public=False)
    session.flush()
    return True


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (the same None for every reason)."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None or len(password) > MAX_PASSWORD_LENGTH:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        return None
    if not _verify(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        # The same password under today's parameters: no change a person would see, so no
        # revision and no new version.
        user.password_hash = hash_password(password)
        session.flush()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(session: Session, user: User, *, current_password: str,
                    new_password: str) -> None:
    """Set a new password after checking the current one."""
    _require(user, "contributor")
    if not _verify(user.password_hash, current_password):
        raise Invalid({"current_password": ["This is not your current password."]})
    _check_password(new_password, "new_password",
                    known=(user.email, user.display_name, *user.email.split("@")))
    before = user_record(user)
    user.password_hash = hash_password(new_password)
    new_session_token(user)
    _touch(user, user)
    session.flush()
    _write(session, user, "update", before, user, "password changed", public=False)
    session.flush()


# --- proposals ---------------------------------------------------------------------------------


def queue_proposals(session: Session, rows: list[dict[str, Any]], *,
                    comment: str) -> tuple[list[Proposal], list[Proposal]]:
    """Add proposals for the curators' queue, each with its create Revision.

    `rows` are Proposal columns with a `fingerprint`; one already queued (whatever its status)
    is not added again. Returns (added, already queued); only flushes.
    """
    fingerprints = [row["fingerprint"] for row in rows]
    existing: dict[str, Proposal] = {}
    for start in range(0, len(fingerprints), 500):
        chunk = fingerprints[start:start + 500]
        existing.update((p.fingerprint, p) for p in session.scalars(
            select(Proposal).where(Proposal.fingerprint.in_(chunk))))
    added: list[Proposal] = []
    for row in rows:
        if row["fingerprint"] in existing:
            continue
        proposal = Proposal(**{**row, "status": "new"})
        session.add(proposal)
        existing[row["fingerprint"]] = proposal
        added.append(proposal)
    session.flush()
    for proposal in added:
        record_revision(session, proposal, "create", None, proposal_record(proposal),
                        comment=comment)
    session.flush()
    already = [existing[f] for f in dict.fromkeys(fingerprints)
               if existing[f] not in added]
    return added, already


def _check_proposal(proposal: Proposal, expected_version: Any) -> None:
    _check_version(proposal, expected_version, proposal_record(proposal), None)
    if proposal.status != "new":
        raise Forbidden(f"This proposal was already {proposal.status}.")


def _handle_proposal(session: Session, proposal: Proposal, status: str, user: User,
                     note: str | None) -> None:
    before = proposal_record(proposal)
    proposal.status = status
    proposal.note = note
    proposal.handled_by_id = user.id
    proposal.handled_at = utcnow()
    _touch(proposal, user)
    session.flush()
    _write(session, proposal, "status", before, user, note, public=False)


def proposal_change(proposal: Proposal) -> dict[str, Any]:
    change = (proposal.payload or {}).get("change")
    return change if isinstance(change, dict) else {}


def accept_proposal(session: Session, proposal: Proposal, *, user: User, expected_version: Any,
                    note: str | None = None) -> Any:
    """Accept a proposal. A domain or owner proposal is applied to its platform (through the
    platform operation); any other kind is marked accepted (a claim proposal is accepted by
    `create_claim(..., proposal=...)` instead, from the prefilled form)."""
    _require(user, "curator")
    _check_proposal(proposal, expected_version)
    note = (note or "").strip() or None
    result: Any = None
    if proposal.kind in ("domain", "owner"):
        platform = session.scalar(select(Platform).where(Platform.slug == proposal.platform_slug))
        if platform is None:
            raise Forbidden(f"No platform is called {proposal.platform_slug!r}.")
        record = platform_record(platform)
        change = proposal_change(proposal)
        if proposal.kind == "domain":
            host = change.get("add") or proposal.host
            if not host:
                raise Forbidden("This proposal names no domain.")
            record["domains"] = [*record["domains"], host]
        else:
            owner = change.get("to")
            if not owner:
                raise Forbidden("This proposal names no owner.")
            record["owner"] = owner
        try:
            update_platform(session, platform, record, user=user,
                            expected_version=platform.version,
                            comment=f"From proposal #{proposal.id} ({proposal.origin})")
        except Invalid as exc:
            problems = "; ".join(m for ms in exc.fields.values() for m in flat_messages(ms))
            raise Forbidden(f"This proposal cannot be applied: {problems}") from exc
        result = platform
    _handle_proposal(session, proposal, "accepted", user, note)
    session.flush()
    return result


def flat_messages(value: Any) -> list[str]:
    """Every message of a nested marshmallow-style error mapping, in order."""
    if isinstance(value, dict):
        return [m for v in value.values() for m in flat_messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in flat_messages(v)]
    return [str(value)]


def dismiss_proposal(session: Session, proposal: Proposal, *, user: User, expected_version: Any,
                     note: str | None) -> None:
    """Dismiss a proposal, saying why."""
    _require(user, "curator")
    _check_proposal(proposal, expected_version)
    note = (note or "").strip()
    if not note:
        raise Invalid({"note": ["Say why it is dismissed, for whoever reads the queue next."]})
    _handle_proposal(session, proposal, "dismissed", user, note)
    session.flush()


# --- import ------------------------------------------------------------------------------------


def import_files(session: Session, dataset: Dataset, *, user: User, comment: str,
                 dry_run: bool = False) -> ImportReport:
    """Import a validated dataset (server.dataset.import_dataset): flushes only, so the caller
    commits it or, for a preview, rolls it back."""
    _require(user, "admin")
    report = import_dataset(session, dataset, user_id=user.id, comment=comment, dry_run=dry_run)
    if report.changed:
        _mark_public(session)
    return report

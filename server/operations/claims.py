"""Claims: create, edit and move along the review workflow."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..models import (
    Claim,
    ClaimTranslation,
    PendingChange,
    Platform,
    Proposal,
    Revision,
    Source,
    User,
    Vendor,
    utcnow,
)
from ..records import ClaimRecord, claim_record, plain, source_record
from ..revisions import record_revision
from .common import (
    Forbidden,
    Invalid,
    OperationError,
    check_version,
    flush,
    mark_public,
    require,
    review_required,
    touch,
)
from .proposals import check_proposal, handle_proposal
from .review import needs_review, propose

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

# A claim's status as the refusals below name it.
STATUS_WORDS = {"draft": _l("draft"), "pending": _l("pending"), "published": _l("published"),
                "changes_requested": _l("changes requested"), "rejected": _l("rejected"),
                "retracted": _l("retracted")}
# Why a contributor cannot edit a claim, for each status they cannot edit.
NOT_EDITABLE = {
    "pending": _l("A contributor can edit drafts and claims sent back for changes; this claim is "
                  "pending."),
    "published": _l("A contributor can edit drafts and claims sent back for changes; this claim "
                    "is published."),
    "rejected": _l("A contributor can edit drafts and claims sent back for changes; this claim "
                   "is rejected."),
    "retracted": _l("A contributor can edit drafts and claims sent back for changes; this claim "
                    "is retracted."),
}
# Why an action does not apply to a claim in its status (%(status)s: a STATUS_WORDS word).
CANNOT = {
    "submit": _l("A %(status)s claim cannot be submitted."),
    "withdraw": _l("A %(status)s claim cannot be withdrawn."),
    "publish": _l("A %(status)s claim cannot be published."),
    "request_changes": _l("A %(status)s claim cannot be sent back for changes."),
    "reject": _l("A %(status)s claim cannot be rejected."),
    "retract": _l("A %(status)s claim cannot be retracted."),
    "reopen": _l("A %(status)s claim cannot be reopened."),
}


def _status_word(status: str) -> str:
    word = STATUS_WORDS.get(status)
    return str(word) if word is not None else status.replace("_", " ")


def can_edit_claim(user: User, claim: Claim) -> bool:
    if user.has_role("curator"):
        return True
    return user.has_role("contributor") and claim.status in CONTRIBUTOR_EDITABLE


def validate_claim(session: Session, raw: dict[str, Any], claim: Claim | None, *,
                    needs_source: bool = True) -> dict[str, Any]:
    """The record, checked by the dataset schema and against the database, every problem at
    once (so a form shows them all in one round)."""
    errors: dict[str, Any] = {}
    try:
        record = plain(ClaimRecord().load(raw))
    except ValidationError as exc:
        errors = dict(exc.messages)
        record = raw
    if needs_source and not record.get("sources") and "sources" not in errors:
        errors["sources"] = [_("Add at least one source: a claim says only what a source "
                               "says.")]
    slugs = [s for s in record.get("platforms") or [] if isinstance(s, str)]
    if not slugs:
        errors["platforms"] = [_("Choose the platform the claim is about.")]
    elif "platforms" not in errors:
        known = set(session.scalars(select(Platform.slug).where(Platform.slug.in_(slugs))))
        unknown = [slug for slug in slugs if slug not in known]
        if unknown:
            errors["platforms"] = [_("No platform is called %(name)s.",
                                     name=", ".join(unknown))]
    vendors = [s for s in record.get("vendors") or [] if isinstance(s, str)]
    if vendors and "vendors" not in errors:
        known = set(session.scalars(select(Vendor.slug).where(Vendor.slug.in_(vendors))))
        unknown = [slug for slug in vendors if slug not in known]
        if unknown:
            errors["vendors"] = [_("No vendor is called %(name)s.", name=", ".join(unknown))]
    if "id" not in errors:
        other = session.scalar(select(Claim.id).where(Claim.key == record.get("id")))
        if other is not None and (claim is None or other != claim.id):
            errors["id"] = [_("Another claim already has the id %(id)s.", id=record["id"])]
    if errors:
        raise Invalid(errors)
    return record


def claim_written(session: Session, claim: Claim, action: str, before: dict | None,
                   user: User | None, comment: str | None) -> Revision:
    after = claim_record(claim)
    if "published" in ((before or {}).get("status"), after["status"]):
        mark_public(session)
    return record_revision(session, claim, action, before, after,
                           user_id=user.id if user else None, comment=comment or None)


def create_claim(session: Session, raw: dict[str, Any], *, user: User,
                 comment: str | None = None, proposal: Proposal | None = None,
                 proposal_version: Any = None) -> Claim:
    """A new draft claim from its record form; accepting `proposal` with it when given."""
    require(user, "contributor")
    if proposal is not None:
        require(user, "curator")
    raw = {**raw, "status": "draft"}
    if not raw.get("id"):
        raw["id"] = suggest_claim_key(session, raw)
    record = validate_claim(session, raw, None)
    if proposal is not None:
        check_proposal(proposal, proposal_version)
    claim = Claim(version=1, created_by_id=user.id, updated_by_id=user.id,
                  created_at=utcnow(), updated_at=utcnow())
    session.add(claim)
    apply_claim_record(session, claim, record)
    session.flush()
    claim_written(session, claim, "create", None, user, comment)
    if proposal is not None:
        handle_proposal(session, proposal, "accepted", user,
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
    require(user, "contributor")
    if not can_edit_claim(user, claim):
        refusal = NOT_EDITABLE.get(claim.status)
        raise Forbidden(str(refusal) if refusal is not None else _(
            "A contributor can edit drafts and claims sent back for changes; this claim is "
            "%(status)s.", status=_status_word(claim.status)))
    record = validate_claim(session, {**raw, "id": claim.key, "status": claim.status}, claim)
    before = claim_record(claim)
    check_version(claim, expected_version, before, record)
    if record == before:
        return False
    if needs_review(session, claim):
        return propose(session, claim, record, "update", user=user, comment=comment)
    apply_claim_record(session, claim, record)
    touch(claim, user)
    flush(session, claim, expected_version, record)
    claim_written(session, claim, "update", before, user, comment)
    session.flush()
    return True


def change_claim_status(session: Session, claim: Claim, action: str, *, user: User,
                        expected_version: Any, comment: str | None = None
                        ) -> Claim | PendingChange:
    """Move a claim along the workflow (submit, withdraw, publish, request_changes, reject,
    retract, reopen); the comment is kept on the claim and in the revision. With review
    required, a retraction waits as a PendingChange (returned) for another curator."""
    if action not in TRANSITIONS:
        raise OperationError(_("Unknown action %(action)s.", action=repr(action)))
    starts, target, role, needs_comment = TRANSITIONS[action]
    require(user, role)
    before = claim_record(claim)
    check_version(claim, expected_version, before, None)
    if claim.status not in starts:
        raise Forbidden(str(CANNOT[action]) % {"status": _status_word(claim.status)})
    comment = (comment or "").strip() or None
    if needs_comment and not comment:
        raise Invalid({"comment": [_("Say why: the author reads this comment.")]})
    if action in REVIEW_ACTIONS and review_required() and claim.updated_by_id == user.id:
        raise Forbidden(_("You made the last change to this claim, so another curator must "
                          "review it."))
    if action == "withdraw" and not user.has_role("curator") and claim.updated_by_id != user.id:
        raise Forbidden(_("Only the last editor or a curator can withdraw a claim from "
                          "review."))
    if target == "published":
        try:
            ClaimRecord().load({**before, "status": "published"})
        except ValidationError as exc:
            raise Invalid(exc.messages, _("This claim cannot be published yet.")) from exc
    if action == "retract" and review_required():
        # Taking a claim out of the public record is a public change: another curator
        # confirms it.
        return propose(session, claim, {**before, "status": "retracted"}, "retract",
                        user=user, comment=comment)
    claim.status = target
    claim.status_comment = comment
    # The last editor stays the last editor: a status change is not a change of content, so
    # submitting or publishing someone else's work does not make it yours.
    touch(claim, user, editor=False)
    flush(session, claim, expected_version, None)
    claim_written(session, claim, "status", before, user, comment)
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


# --- the record applied to the rows ----------------------------------------------------------


def apply_claim_record(session: Session, claim: Claim, record: dict[str, Any], *,
                       platforms: dict[str, Platform] | None = None,
                       vendors: dict[str, Vendor] | None = None) -> None:
    """Set a claim's fields, platforms, translations and sources from its record form.

    `platforms` and `vendors` (by slug) spare the look-ups when many claims are applied.
    """
    claim.key = record["id"]
    claim.kind = record["kind"]
    claim.summary = record["summary"]
    claim.evidence = record["evidence"]
    claim.status = record["status"]
    claim.workers = record.get("workers")
    claim.workers_basis = record.get("workers_basis")
    claim.responses = list(record.get("responses") or [])
    claim.locations = [
        {"country": loc["country"], **({"city": loc["city"]} if loc.get("city") else {})}
        for loc in record.get("locations") or []
    ]
    pay = record.get("pay")
    claim.pay_amount = Decimal(str(pay["amount"])) if pay else None
    claim.pay_currency = pay["currency"] if pay else None
    claim.pay_per = pay["per"] if pay else None
    claim.pay_qualifier = pay["qualifier"] if pay else None
    observed = record.get("observed")
    claim.observed_start = observed["start"] if observed else None
    claim.observed_end = observed.get("end") if observed else None
    last_verified = record.get("last_verified")
    if isinstance(last_verified, str):
        last_verified = dt.date.fromisoformat(last_verified)
    claim.last_verified = last_verified
    wanted_vendors = list(record.get("vendors") or [])
    if vendors is None:
        vendors = {
            v.slug: v
            for v in session.scalars(select(Vendor).where(Vendor.slug.in_(wanted_vendors)))
        } if wanted_vendors else {}
    claim.vendors = [vendors[slug] for slug in wanted_vendors]
    if platforms is None:
        platforms = {
            p.slug: p
            for p in session.scalars(select(Platform).where(Platform.slug.in_(record["platforms"])))
        }
    claim.platforms = [platforms[slug] for slug in record["platforms"]]
    if claim.id is None:
        # A new claim has nothing stored yet: no need to ask for its rows.
        set_committed_value(claim, "translations", [])
        set_committed_value(claim, "sources", [])
    existing = {t.language: t for t in claim.translations}
    translations = record.get("translations") or {}
    claim.translations = [
        _translation(existing.get(lang), lang, text) for lang, text in sorted(translations.items())
    ]
    # Keep the Source rows whose content is unchanged, so their link-check state survives.
    unused = list(claim.sources)
    kept = []
    for position, item in enumerate(record.get("sources") or []):
        wanted = _source_defaults(item)
        source = next((s for s in unused if _source_defaults(source_record(s)) == wanted), None)
        if source is None:
            source = Source(**wanted)
        else:
            unused.remove(source)
        source.position = position
        kept.append(source)
    claim.sources = kept


def _source_defaults(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": record["url"], "title": record["title"], "publisher": record["publisher"],
        "published": record.get("published"), "quote": record["quote"],
        "language": record.get("language", "en"), "is_copy": record.get("is_copy", False),
        "archive_url": record.get("archive_url"),
    }


def _translation(existing: ClaimTranslation | None, language: str, text: str) -> ClaimTranslation:
    if existing is None:
        return ClaimTranslation(language=language, summary=text)
    existing.summary = text
    return existing

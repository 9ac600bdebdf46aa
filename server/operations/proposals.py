"""Proposals: user suggestions and scrapers' findings queued for the curators, and what
accepting or dismissing one does. Accepting never bypasses review: a proposal that changes a
platform, vendor or source goes through that entry's own operation."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import domains
from ..models import PendingChange, Platform, Proposal, User, Vendor, utcnow
from ..records import domain_sort_key, platform_record, proposal_record, vendor_record
from ..revisions import record_revision
from .common import (
    Forbidden,
    Invalid,
    check_version,
    flat_messages,
    require,
    touch,
    write_revision,
)
from .platforms import update_platform
from .sources import set_archive_url
from .vendors import update_vendor

# Kinds that accepting applies to an entry (the others are accepted from the claim form).
APPLIED_KINDS = ("domain", "owner", "archive", "moderators", "vendor_ids")
# Why a proposal cannot be handled again, for each state it can be in once handled.
ALREADY_HANDLED = {"accepted": _l("This proposal was already accepted."),
                   "dismissed": _l("This proposal was already dismissed.")}


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


def create_suggestion(session: Session, data: dict[str, Any]) -> Proposal:
    """A user's report (already loaded by the API schema), checked against the database and
    queued as a Proposal; the same report sent twice is one proposal."""
    host = None
    if data.get("host"):
        try:
            host = domains.normalize_host(data["host"])
        except ValueError as exc:
            raise Invalid({"host": [str(exc)]}) from exc
    slug = data.get("platform")
    if slug and session.scalar(select(Platform.id).where(Platform.slug == slug)) is None:
        raise Invalid({"platform": [_("No platform is called %(name)s.", name=repr(slug))]})
    payload = {"kind": data["kind"], "message": data["message"].strip(),
               "language": data.get("language")}
    identity = json.dumps([host, slug, payload, data.get("source_url")], sort_keys=True)
    row = {
        "origin": "suggestion", "kind": "report", "platform_slug": slug, "host": host,
        "payload": payload, "source_url": data.get("source_url"),
        "fingerprint": hashlib.sha256(f"suggestion|{identity}".encode()).hexdigest(),
    }
    added, already = queue_proposals(session, [row], comment="suggestion from the public API")
    return (added or already)[0]


def check_proposal(proposal: Proposal, expected_version: Any) -> None:
    check_version(proposal, expected_version, proposal_record(proposal), None)
    if proposal.status != "new":
        handled = ALREADY_HANDLED.get(proposal.status)
        raise Forbidden(str(handled) if handled is not None else _(
            "This proposal was already %(status)s.", status=proposal.status))


def handle_proposal(session: Session, proposal: Proposal, status: str, user: User,
                    note: str | None) -> None:
    before = proposal_record(proposal)
    proposal.status = status
    proposal.note = note
    proposal.handled_by_id = user.id
    proposal.handled_at = utcnow()
    touch(proposal, user)
    session.flush()
    write_revision(session, proposal, "status", before, user, note, public=False)


def proposal_change(proposal: Proposal) -> dict[str, Any]:
    change = (proposal.payload or {}).get("change")
    return change if isinstance(change, dict) else {}


def proposed_record(session: Session, proposal: Proposal) -> tuple[Any, dict, dict] | None:
    """(entry, its record now, its record once the proposal is applied) for a proposal that
    changes a platform or vendor; None for other kinds. Forbidden when it cannot apply."""
    change = proposal_change(proposal)
    if proposal.kind == "vendor_ids":
        vendor = session.scalar(select(Vendor).where(Vendor.slug == change.get("vendor")))
        if vendor is None:
            raise Forbidden(_("No vendor is called %(name)s.", name=repr(change.get("vendor"))))
        before = vendor_record(vendor)
        ids = {k: change[k] for k in ("wikidata", "opencorporates") if change.get(k)}
        if not ids:
            raise Forbidden(_("This proposal names no identifier."))
        return vendor, before, {**before, **ids}
    if proposal.kind not in ("domain", "owner", "moderators"):
        return None
    platform = session.scalar(select(Platform).where(Platform.slug == proposal.platform_slug))
    if platform is None:
        raise Forbidden(_("No platform is called %(name)s.", name=repr(proposal.platform_slug)))
    before = platform_record(platform)
    after = dict(before)
    if proposal.kind == "domain":
        host = change.get("add") or proposal.host
        if not host:
            raise Forbidden(_("This proposal names no domain."))
        after["domains"] = sorted([*before["domains"], *([host] if host not in before["domains"]
                                                          else [])], key=domain_sort_key)
    elif proposal.kind == "owner":
        if not change.get("to"):
            raise Forbidden(_("This proposal names no owner."))
        after["owner"] = change["to"]
    else:
        rows = [r for r in change.get("add") or [] if isinstance(r, dict)]
        if not rows:
            raise Forbidden(_("This proposal names no moderator figures."))
        # A report's figures replace the same language's figures for the same period.
        new = {(r.get("language"), json.dumps(r.get("period"), sort_keys=True)) for r in rows}
        kept = [r for r in before["moderators"]
                if (r.get("language"), json.dumps(r.get("period"), sort_keys=True)) not in new]
        after["moderators"] = kept + rows
    return platform, before, after


def accept_proposal(session: Session, proposal: Proposal, *, user: User, expected_version: Any,
                    note: str | None = None) -> Any:
    """Accept a proposal. A domain, owner, moderators or vendor_ids proposal is applied through
    the platform or vendor operation (so it waits for review like any edit of a live entry);
    an archive proposal sets the sources' archive_url; any other kind is marked accepted (a
    claim proposal is accepted by `create_claim(..., proposal=...)`, from the prefilled form)."""
    require(user, "curator")
    check_proposal(proposal, expected_version)
    note = (note or "").strip() or None
    comment = f"From proposal #{proposal.id} ({proposal.origin})"
    result: Any = None
    if proposal.kind == "archive":
        change = proposal_change(proposal)
        if not change.get("add"):
            raise Forbidden(_("This proposal names no archived copy."))
        try:
            result = set_archive_url(session, proposal.source_url, change["add"],
                                     source_ids=change.get("source_ids"), user=user,
                                     comment=comment)
        except Invalid as exc:
            raise Forbidden(_("This proposal cannot be applied: %(reasons)s",
                              reasons="; ".join(flat_messages(exc.fields)))) from exc
    applied = proposed_record(session, proposal)
    if applied is not None:  # domain, owner, moderators, vendor_ids
        entity, _before, after = applied
        update = update_vendor if isinstance(entity, Vendor) else update_platform
        try:
            changed = update(session, entity, after, user=user,
                             expected_version=entity.version, comment=comment)
        except Invalid as exc:
            raise Forbidden(_("This proposal cannot be applied: %(reasons)s",
                              reasons="; ".join(flat_messages(exc.fields)))) from exc
        # A live entry's change waits for review: the caller shows where.
        result = changed if isinstance(changed, PendingChange) else entity
    handle_proposal(session, proposal, "accepted", user, note)
    session.flush()
    return result


def dismiss_proposal(session: Session, proposal: Proposal, *, user: User, expected_version: Any,
                     note: str | None) -> None:
    """Dismiss a proposal, saying why."""
    require(user, "curator")
    check_proposal(proposal, expected_version)
    note = (note or "").strip()
    if not note:
        raise Invalid({"note": [_("Say why it is dismissed, for whoever reads the queue "
                                  "next.")]})
    handle_proposal(session, proposal, "dismissed", user, note)
    session.flush()

"""The dashboard and its queues: reviews waiting, proposals, broken sources, stale claims."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import operations
from ..db import get_session
from ..models import PROPOSAL_STATUSES, Claim, PendingChange, Platform, Proposal, Source, User
from . import bp, changes, history
from .access import actor, on_failure, role_required
from .forms import ProposalForm

STALE_MONTHS = 18
DASHBOARD_ROWS = 8
CLAIM_PROPOSALS = ("new_claim", "lead", "report")


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _reviews(user: User):
    statement = (select(Claim).where(Claim.status == "pending")
                 .options(selectinload(Claim.updated_by), selectinload(Claim.platforms))
                 .order_by(Claim.updated_at))
    if operations.review_required():
        # Only others' work: nobody reviews their own change.
        statement = statement.where(or_(Claim.updated_by_id.is_(None),
                                        Claim.updated_by_id != user.id))
    return statement


def _stale():
    cutoff = months_before(dt.date.today(), STALE_MONTHS)
    return (select(Claim).where(Claim.status == "published",
                                or_(Claim.last_verified.is_(None), Claim.last_verified < cutoff))
            .options(selectinload(Claim.platforms))
            .order_by(Claim.last_verified.is_not(None), Claim.last_verified, Claim.key))


def _broken():
    """Sources the link checker found broken or moved, or whose page no longer has the quote."""
    return (select(Source).where(or_(Source.check_status.in_(("broken", "moved")),
                                     Source.quote_found.is_(False)))
            .options(selectinload(Source.claim)).order_by(Source.claim_id, Source.position))


def _new_proposals():
    return select(Proposal).where(Proposal.status == "new").order_by(Proposal.created_at.desc())


def _count(statement) -> int:
    return get_session().scalar(select(func.count()).select_from(statement.subquery())) or 0


@bp.route("/")
@role_required("contributor")
def dashboard():
    session = get_session()
    user = actor()
    queues: dict[str, Any] = {}
    if user.has_role("curator"):
        queues["reviews"] = (_count(_reviews(user)) + _count(changes.waiting(user)),
                             session.scalars(_reviews(user).limit(DASHBOARD_ROWS)).all())
        queues["proposals"] = (_count(_new_proposals()),
                               session.scalars(_new_proposals().limit(DASHBOARD_ROWS)).all())
    queues["broken"] = (_count(_broken()), session.scalars(_broken().limit(DASHBOARD_ROWS)).all())
    queues["stale"] = (_count(_stale()), session.scalars(_stale().limit(DASHBOARD_ROWS)).all())
    mine = session.scalars(
        select(Claim).where(Claim.updated_by_id == user.id,
                            Claim.status.in_(("draft", "changes_requested", "pending")))
        .order_by(Claim.updated_at.desc()).limit(DASHBOARD_ROWS * 2)).all()
    return render_template("curate/dashboard.html", queues=queues, mine=mine,
                           review_required=operations.review_required(),
                           stale_months=STALE_MONTHS)


@bp.route("/reviews")
@role_required("curator")
def reviews():
    session = get_session()
    user = actor()
    waiting = session.scalars(_reviews(user)).all()
    own = []
    if operations.review_required():
        own = session.scalars(
            select(Claim).where(Claim.status == "pending", Claim.updated_by_id == user.id)
            .order_by(Claim.updated_at)).all()
    change_rows = changes.describe(session.scalars(changes.waiting(user)).all())
    own_changes = changes.describe(session.scalars(changes.waiting(user, own=True)).all()) \
        if operations.review_required() else []
    return render_template("curate/reviews.html", waiting=waiting, own=own,
                           change_rows=change_rows, own_changes=own_changes)


@bp.route("/sources/broken")
@role_required("contributor")
def broken_sources():
    return render_template("curate/broken_sources.html",
                           sources=get_session().scalars(_broken()).all())


@bp.route("/claims/stale")
@role_required("contributor")
def stale_claims():
    return render_template("curate/stale_claims.html", claims=get_session().scalars(_stale()).all(),
                           months=STALE_MONTHS)


# --- proposals ---------------------------------------------------------------------------------


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = get_session().get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


@bp.route("/proposals")
@role_required("curator")
def proposals():
    status = request.args.get("status", "new")
    if status not in PROPOSAL_STATUSES:
        status = "new"
    session = get_session()
    items = session.scalars(
        select(Proposal).where(Proposal.status == status)
        .options(selectinload(Proposal.handled_by))
        .order_by(Proposal.created_at.desc()).limit(200)).all()
    counts = dict(session.execute(
        select(Proposal.status, func.count()).group_by(Proposal.status)).all())
    return render_template("curate/proposals.html", proposals=items, status=status,
                           counts=counts, statuses=PROPOSAL_STATUSES)


def proposal_effect(proposal: Proposal) -> dict[str, Any]:
    """What accepting a proposal would change, for its page."""
    session = get_session()
    change = operations.proposal_change(proposal)
    platform = None
    if proposal.platform_slug:
        platform = session.scalar(select(Platform).where(Platform.slug == proposal.platform_slug))
    effect: dict[str, Any] = {"platform": platform, "applies": False, "problem": None,
                              "review": False, "sources": []}
    try:
        applied = operations.proposed_record(session, proposal)
    except operations.Forbidden as exc:
        applied, effect["problem"] = None, exc.message
    if applied is not None:
        entity, before, after = applied
        return {**effect, "rows": history.diff_rows(before, after), "applies": True,
                "entity": entity, "review": operations.needs_review(session, entity)}
    if proposal.kind == "archive" and change.get("add"):
        sources = operations.archive_sources(session, proposal.source_url,
                                             change.get("source_ids"))
        return {**effect, "applies": bool(sources), "sources": sources,
                "rows": history.diff_rows({"archive_url": None}, {"archive_url": change["add"]})}
    if isinstance(change.get("claim"), dict):
        return {**effect, "rows": history.diff_rows(None, change["claim"])}
    return {**effect, "rows": history.diff_rows(None, change) if change else []}


@bp.route("/proposals/<int:proposal_id>")
@role_required("curator")
def proposal(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    form = ProposalForm(data={"version": str(proposal.version)})
    payload = json.dumps(proposal.payload or {}, indent=2, ensure_ascii=False, sort_keys=True)
    return render_template("curate/proposal.html", proposal=proposal, form=form,
                           payload=payload, effect=proposal_effect(proposal),
                           claim_kind=proposal.kind in CLAIM_PROPOSALS)


def _proposal_action(proposal_id: int, accept: bool):
    session = get_session()
    proposal = _proposal_or_404(proposal_id)
    form = ProposalForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("curate.proposal", proposal_id=proposal.id)

    def failed(error):
        if isinstance(error, operations.Conflict):
            return history.stale_page(proposal, error, back_url=back)
        if not isinstance(error, (operations.Invalid, operations.Forbidden)):
            return None
        messages = operations.flat_messages(error.fields) \
            if isinstance(error, operations.Invalid) else [error.message]
        for message in messages:
            flash(message, "error")
        return redirect(back)

    on_failure(failed)
    if not accept:
        operations.dismiss_proposal(session, proposal, user=actor(),
                                    expected_version=form.version.data, note=form.note.data)
        flash(_("Proposal dismissed."), "success")
        return redirect(url_for("curate.proposals"))
    result = operations.accept_proposal(session, proposal, user=actor(),
                                        expected_version=form.version.data, note=form.note.data)
    if isinstance(result, PendingChange):
        flash(_("Proposal accepted: the change waits for another curator's review beside "
                "the live version."), "success")
        return redirect(url_for("curate.change", change_id=result.id))
    flash(_("Proposal accepted."), "success")
    return redirect(url_for("curate.proposals"))


@bp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@role_required("curator")
def proposal_accept(proposal_id: int):
    return _proposal_action(proposal_id, accept=True)


@bp.route("/proposals/<int:proposal_id>/dismiss", methods=["POST"])
@role_required("curator")
def proposal_dismiss(proposal_id: int):
    return _proposal_action(proposal_id, accept=False)

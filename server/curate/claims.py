"""Claims: list, view, create, edit, the review workflow, history and revert."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import domains, operations
from ..db import get_session
from ..models import KINDS, STATUSES, Claim, Domain, PendingChange, Platform, Proposal, Vendor
from ..records import claim_record, source_stub
from ..workshop.i18n import PAY_PERIODS
from . import bp, history
from .access import actor, on_failure, role_required
from .forms import (
    EVIDENCE_LABELS,
    KIND_LABELS,
    WORKERS_BASIS_LABELS,
    ActionForm,
    ClaimForm,
    claim_form_data,
)

PER_PAGE = 50
# Workflow action -> (URL segment, least role, what the flash message says after it).
ACTIONS = {
    "submit": ("submit", "contributor", _l("Submitted for review.")),
    "withdraw": ("withdraw", "contributor", _l("Withdrawn from review: it is a draft again.")),
    "publish": ("publish", "curator", _l("Published: the public index and API show it now.")),
    "request_changes": ("request-changes", "curator",
                        _l("Sent back to its author for changes.")),
    "reject": ("reject", "curator", _l("Rejected.")),
    "retract": ("retract", "curator", _l("Retracted: it has left the public index.")),
    "reopen": ("reopen", "curator", _l("Reopened as a draft.")),
}
# The workflow's buttons on a claim's page.
ACTION_LABELS = {"submit": _l("Submit for review"), "withdraw": _l("Withdraw from review"),
                 "publish": _l("Publish"), "request_changes": _l("Request changes"),
                 "reject": _l("Reject"), "retract": _l("Retract"),
                 "reopen": _l("Reopen as a draft")}


def _claim_or_404(claim_id: int) -> Claim:
    claim = get_session().scalar(
        select(Claim).where(Claim.id == claim_id).options(
            selectinload(Claim.platforms), selectinload(Claim.sources),
            selectinload(Claim.translations), selectinload(Claim.vendors),
            selectinload(Claim.created_by), selectinload(Claim.updated_by)))
    if claim is None:
        abort(404)
    return claim


def _choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    session = get_session()
    platforms = [(p.slug, f"{p.name} ({p.slug})")
                 for p in session.scalars(select(Platform).order_by(Platform.name))]
    vendors = [(v.slug, f"{v.name} ({v.slug})")
               for v in session.scalars(select(Vendor).order_by(Vendor.name))]
    return platforms, vendors


def _render_form(form: ClaimForm, *, claim: Claim | None, status: int = 200,
                 loose: list[str] | None = None, conflict: dict | None = None,
                 proposal: Proposal | None = None):
    return render_template(
        "curate/claim_form.html", form=form, claim=claim, loose_errors=loose or [],
        conflict=conflict, proposal=proposal,
        publishing_edit=bool(claim and operations.needs_review(get_session(), claim)),
    ), status


def _pay_text(pay: dict[str, Any] | None) -> str:
    """The pay as recorded (amount and currency unconverted), per period in the page's words."""
    if not pay:
        return ""
    amount = f"{pay['amount']} {pay['currency']}"
    period = PAY_PERIODS.get(pay.get("per"))
    if period is None:
        return _("%(amount)s per %(period)s", amount=amount, period=pay.get("per"))
    return _(period).format(amount=amount)


# --- list and view -----------------------------------------------------------------------------


@bp.route("/claims")
@role_required("contributor")
def claims():
    session = get_session()
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    query = (request.args.get("q") or "").strip()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    statement = select(Claim).options(selectinload(Claim.platforms),
                                      selectinload(Claim.updated_by))
    if status in STATUSES:
        statement = statement.where(Claim.status == status)
    if kind in KINDS:
        statement = statement.where(Claim.kind == kind)
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(or_(func.lower(Claim.summary).like(like),
                                        func.lower(Claim.key).like(like)))
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    items = session.scalars(statement.order_by(Claim.updated_at.desc(), Claim.id.desc())
                            .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("curate/claims.html", claims=items, total=total, page=page,
                           per_page=PER_PAGE, status=status, kind=kind, q=query,
                           statuses=STATUSES, kinds=KINDS)


@bp.route("/claims/<int:claim_id>")
@role_required("contributor")
def claim(claim_id: int):
    claim = _claim_or_404(claim_id)
    user = actor()
    record = claim_record(claim)
    return render_template(
        "curate/claim.html", claim=claim, record=record,
        actions=operations.allowed_actions(user, claim), action_labels=ACTION_LABELS,
        needs_comment={a for a, t in operations.TRANSITIONS.items() if t[3]},
        can_edit=operations.can_edit_claim(user, claim), form=ActionForm(),
        kind_labels=KIND_LABELS, evidence_labels=EVIDENCE_LABELS,
        workers_basis_labels=WORKERS_BASIS_LABELS, pay_text=_pay_text(record["pay"]),
        self_review=(claim.status == "pending" and operations.review_required()
                     and claim.updated_by_id == user.id and user.has_role("curator")),
        pending=operations.pending_changes(get_session(), claim))


# --- create and edit ---------------------------------------------------------------------------


def _proposal_from_args() -> Proposal | None:
    proposal_id = request.args.get("proposal", type=int)
    if proposal_id is None:
        return None
    if not actor().has_role("curator"):
        abort(403, description=_("Accepting a proposal needs the curator role."))
    proposal = get_session().get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


def proposal_prefill(proposal: Proposal) -> dict[str, Any]:
    """What a proposal says about a claim, as a (partial) claim record for the form."""
    payload = proposal.payload or {}
    change = operations.proposal_change(proposal)
    record: dict[str, Any] = {}
    if isinstance(change.get("claim"), dict):
        record = dict(change["claim"])
    elif proposal.kind == "lead":
        found = payload.get("record") or {}
        kinds = [k for k in change.get("kinds") or [] if k in KINDS]
        record = {
            "kind": kinds[0] if kinds else None,
            "platforms": list(change.get("platforms") or []),
            "vendors": [v for v in change.get("vendors") or [] if isinstance(v, str)],
            "sources": [source_stub(found.get("url") or proposal.source_url or "",
                                    title=found.get("title") or "",
                                    published=(found.get("published") or "")[:10] or None,
                                    language=found.get("language") or "en")],
        }
    platforms = record.get("platforms") or []
    if not platforms and proposal.platform_slug:
        platforms = [proposal.platform_slug]
    if not platforms and proposal.host:
        hosts = dict(get_session().execute(
            select(Domain.host, Platform.slug).join(Platform)).all())
        try:
            slug = domains.match_host(proposal.host, hosts)
        except ValueError:
            slug = None
        platforms = [slug] if slug else []
    record["platforms"] = platforms
    if not record.get("sources") and proposal.source_url:
        record["sources"] = [source_stub(proposal.source_url)]
    return record


@bp.route("/claims/new", methods=["GET", "POST"])
@role_required("contributor")
def claim_new():
    session = get_session()
    proposal = _proposal_from_args()
    if request.method == "GET":
        data = claim_form_data(proposal_prefill(proposal)) if proposal else {}
        form = ClaimForm(data=data)
        form.proposal_version.data = str(proposal.version) if proposal else ""
        form.locations.append_entry()
    else:
        form = ClaimForm()
    form.set_choices(*_choices())
    if request.method == "GET" or form.adding_rows():
        return _render_form(form, claim=None, proposal=proposal)
    if not form.validate_on_submit():
        return _render_form(form, claim=None, status=422, proposal=proposal)
    user = actor()

    def failed(error):
        if isinstance(error, operations.Invalid):
            loose = form.place_errors(error.fields)
            return _render_form(form, claim=None, status=422, loose=loose, proposal=proposal)
        handled_meanwhile = proposal is not None and (
            isinstance(error, operations.Conflict) or proposal.status != "new")
        if not handled_meanwhile:
            return None
        # Someone handled the proposal meanwhile: keep the text, save it as a plain draft.
        flash(_("Someone handled this proposal while you were writing, so your claim was not "
                "saved. Your text is still in the form: save it again to keep it as a draft of "
                "its own."), "error")
        return _render_form(form, claim=None, status=409, proposal=None)

    on_failure(failed)
    claim = operations.create_claim(
        session, form.to_record(), user=user, comment=form.comment.data,
        proposal=proposal, proposal_version=form.proposal_version.data)
    if form.save_submit.data:
        operations.change_claim_status(session, claim, "submit", user=user,
                                       expected_version=claim.version)
    flash(_("Claim %(key)s saved as a draft.", key=claim.key) if not form.save_submit.data
          else _("Claim %(key)s saved and submitted for review.", key=claim.key), "success")
    return redirect(url_for("curate.claim", claim_id=claim.id))


@bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@role_required("contributor")
def claim_edit(claim_id: int):
    session = get_session()
    claim = _claim_or_404(claim_id)
    user = actor()
    if not operations.can_edit_claim(user, claim):
        abort(403, description=_("A contributor can edit drafts and claims sent back for "
                                 "changes; ask a curator to change this one."))
    record = claim_record(claim)
    if request.method == "GET":
        form = ClaimForm(data={**claim_form_data(record), "version": str(claim.version)})
        form.locations.append_entry()
    else:
        form = ClaimForm()
    form.set_choices(*_choices())
    if request.method == "GET" or form.adding_rows():
        return _render_form(form, claim=claim)
    if not form.validate_on_submit():
        return _render_form(form, claim=claim, status=422)
    submitted = form.to_record(record["translations"])

    def failed(error):
        if isinstance(error, operations.Invalid):
            loose = form.place_errors(error.fields)
            return _render_form(form, claim=claim, status=422, loose=loose)
        if isinstance(error, operations.Conflict):
            context = history.conflict_context(claim, error, submitted=submitted,
                                               expected_version=form.version.data)
            form.version.data = str(claim.version)
            return _render_form(form, claim=claim, status=409, conflict=context)
        return None

    on_failure(failed)
    changed = operations.update_claim(session, claim, submitted, user=user,
                                      expected_version=form.version.data,
                                      comment=form.comment.data)
    if form.save_submit.data and claim.status in operations.TRANSITIONS["submit"][0]:
        operations.change_claim_status(session, claim, "submit", user=user,
                                       expected_version=claim.version)
        changed = True
    if not changed:
        flash(_("Nothing changed, so nothing was saved."), "info")
        return redirect(url_for("curate.claim", claim_id=claim.id))
    if isinstance(changed, PendingChange):
        flash(_("Your change waits for another curator's review. Until it is published, the "
                "live claim stays as it was, in the public index too."), "success")
        return redirect(url_for("curate.change", change_id=changed.id))
    flash(_("Saved: version %(num)d.", num=claim.version), "success")
    return redirect(url_for("curate.claim", claim_id=claim.id))


# --- workflow ----------------------------------------------------------------------------------


def _status_view(action: str):
    def view(claim_id: int):
        session = get_session()
        claim = _claim_or_404(claim_id)
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        back = url_for("curate.claim", claim_id=claim.id)

        def failed(error):
            if isinstance(error, operations.Conflict):
                return history.stale_page(claim, error, back_url=back)
            if isinstance(error, operations.Invalid):
                for message in operations.flat_messages(error.fields):
                    flash(" ".join((str(error.message), str(message))), "error")
                return redirect(back)
            return None

        on_failure(failed)
        result = operations.change_claim_status(session, claim, action, user=actor(),
                                                expected_version=form.version.data,
                                                comment=form.comment.data)
        if isinstance(result, PendingChange):
            flash(_("The retraction waits for another curator's review; until then the claim "
                    "stays published."), "success")
            return redirect(url_for("curate.change", change_id=result.id))
        flash(str(ACTIONS[action][2]), "success")
        return redirect(back)

    view.__name__ = f"claim_{action}"
    return view


for _action, (_segment, _role, _message) in ACTIONS.items():
    bp.add_url_rule(f"/claims/<int:claim_id>/{_segment}", endpoint=f"claim_{_action}",
                    view_func=role_required(_role)(_status_view(_action)), methods=["POST"])


# --- history -----------------------------------------------------------------------------------


@bp.route("/claims/<int:claim_id>/history")
@role_required("contributor")
def claim_history(claim_id: int):
    claim = _claim_or_404(claim_id)
    return history.render_history(
        claim, title=_("Claim %(key)s", key=claim.key),
        back_url=url_for("curate.claim", claim_id=claim.id),
        revert_endpoint="curate.claim_revert" if actor().has_role("curator") else None,
        id_arg="claim_id")


@bp.route("/claims/<int:claim_id>/revert/<int:revision_id>", methods=["GET", "POST"])
@role_required("curator")
def claim_revert(claim_id: int, revision_id: int):
    claim = _claim_or_404(claim_id)
    return history.revert_view(
        claim, revision_id, history_url=url_for("curate.claim_history", claim_id=claim.id))


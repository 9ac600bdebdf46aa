"""Vendors: list, view, create, edit, history and revert."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import operations
from ..db import get_session
from ..models import Claim, PendingChange, Vendor, claim_vendors
from ..records import vendor_record
from . import bp, history
from .access import actor, on_failure, role_required
from .forms import VendorForm, vendor_form_data


def _vendor_or_404(vendor_id: int) -> Vendor:
    vendor = get_session().get(Vendor, vendor_id)
    if vendor is None:
        abort(404)
    return vendor


@bp.route("/vendors")
@role_required("contributor")
def vendors():
    session = get_session()
    counts = dict(session.execute(
        select(claim_vendors.c.vendor_id, func.count()).group_by(claim_vendors.c.vendor_id)).all())
    items = session.scalars(select(Vendor).order_by(Vendor.name)).all()
    return render_template("curate/vendors.html", vendors=items, counts=counts)


@bp.route("/vendors/<int:vendor_id>")
@role_required("contributor")
def vendor(vendor_id: int):
    vendor = _vendor_or_404(vendor_id)
    claims = get_session().scalars(
        select(Claim).join(claim_vendors).where(claim_vendors.c.vendor_id == vendor.id)
        .order_by(Claim.key)).all()
    return render_template("curate/vendor.html", vendor=vendor, claims=claims,
                           pending=operations.pending_changes(get_session(), vendor))


def _render(form: VendorForm, vendor: Vendor | None, *, status: int = 200,
            loose: list[str] | None = None, conflict: dict | None = None):
    return render_template("curate/vendor_form.html", form=form, vendor=vendor,
                           loose_errors=loose or [], conflict=conflict), status


@bp.route("/vendors/new", methods=["GET", "POST"])
@role_required("curator")
def vendor_new():
    form = VendorForm()
    if request.method == "GET":
        return _render(form, None)
    if not form.validate_on_submit():
        return _render(form, None, status=422)
    on_failure(lambda error: _render(form, None, status=422,
                                     loose=form.place_errors(error.fields))
               if isinstance(error, operations.Invalid) else None)
    vendor = operations.create_vendor(get_session(), form.to_record(), user=actor(),
                                  comment=form.comment.data)
    flash(_("Vendor %(name)s created.", name=vendor.name), "success")
    return redirect(url_for("curate.vendor", vendor_id=vendor.id))


@bp.route("/vendors/<int:vendor_id>/edit", methods=["GET", "POST"])
@role_required("curator")
def vendor_edit(vendor_id: int):
    vendor = _vendor_or_404(vendor_id)
    if request.method == "GET":
        form = VendorForm(data={**vendor_form_data(vendor_record(vendor)),
                                "version": str(vendor.version)})
        return _render(form, vendor)
    form = VendorForm()
    if not form.validate_on_submit():
        return _render(form, vendor, status=422)
    submitted = form.to_record()

    def failed(error):
        if isinstance(error, operations.Invalid):
            return _render(form, vendor, status=422, loose=form.place_errors(error.fields))
        if isinstance(error, operations.Conflict):
            context = history.conflict_context(vendor, error, submitted=submitted,
                                               expected_version=form.version.data)
            form.version.data = str(vendor.version)
            return _render(form, vendor, status=409, conflict=context)
        return None

    on_failure(failed)
    changed = operations.update_vendor(get_session(), vendor, submitted, user=actor(),
                                   expected_version=form.version.data,
                                   comment=form.comment.data)
    if not changed:
        flash(_("Nothing changed, so nothing was saved."), "info")
    elif isinstance(changed, PendingChange):
        flash(_("Your change waits for another curator's review: published claims stand on "
                "this entry, so the live version stays until the change is published."),
              "success")
        return redirect(url_for("curate.change", change_id=changed.id))
    else:
        flash(_("Saved: version %(num)d.", num=vendor.version), "success")
    return redirect(url_for("curate.vendor", vendor_id=vendor.id))


@bp.route("/vendors/<int:vendor_id>/history")
@role_required("contributor")
def vendor_history(vendor_id: int):
    vendor = _vendor_or_404(vendor_id)
    return history.render_history(
        vendor, title=_("Vendor %(name)s", name=vendor.name),
        back_url=url_for("curate.vendor", vendor_id=vendor.id),
        revert_endpoint="curate.vendor_revert" if actor().has_role("curator") else None,
        id_arg="vendor_id")


@bp.route("/vendors/<int:vendor_id>/revert/<int:revision_id>", methods=["GET", "POST"])
@role_required("curator")
def vendor_revert(vendor_id: int, revision_id: int):
    vendor = _vendor_or_404(vendor_id)
    return history.revert_view(vendor, revision_id, history_url=url_for(
        "curate.vendor_history", vendor_id=vendor.id))

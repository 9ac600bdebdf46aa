"""Vendors: list, view, create, edit, history and revert."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import operations
from ..db import get_session
from ..models import Claim, Vendor, claim_vendors
from ..records import vendor_record
from . import bp, editing
from .access import role_required
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
    return editing.save_new("vendor", form, _render, operations.create_vendor,
                            lambda vendor: _("Vendor %(name)s created.", name=vendor.name))


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
    return editing.save_edit("vendor", vendor, form, _render, operations.update_vendor)


@bp.route("/vendors/<int:vendor_id>/history")
@role_required("contributor")
def vendor_history(vendor_id: int):
    vendor = _vendor_or_404(vendor_id)
    return editing.history_page("vendor", vendor, _("Vendor %(name)s", name=vendor.name))


@bp.route("/vendors/<int:vendor_id>/revert/<int:revision_id>", methods=["GET", "POST"])
@role_required("curator")
def vendor_revert(vendor_id: int, revision_id: int):
    vendor = _vendor_or_404(vendor_id)
    return editing.revert_page("vendor", vendor, revision_id)

"""Platforms and their domains: list, view, create, edit, history and revert."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import domains, operations
from ..db import get_session
from ..models import Claim, Domain, Platform, claim_platforms
from ..records import platform_record
from . import bp, editing
from .access import role_required
from .forms import PlatformForm, parse_rules, platform_form_data


def _platform_or_404(platform_id: int) -> Platform:
    platform = get_session().scalar(
        select(Platform).where(Platform.id == platform_id)
        .options(selectinload(Platform.domains)))
    if platform is None:
        abort(404)
    return platform


@bp.route("/platforms")
@role_required("contributor")
def platforms():
    session = get_session()
    counts = dict(session.execute(
        select(claim_platforms.c.platform_id, func.count())
        .group_by(claim_platforms.c.platform_id)).all())
    items = session.scalars(select(Platform).options(selectinload(Platform.domains))
                            .order_by(Platform.name)).all()
    return render_template("curate/platforms.html", platforms=items, counts=counts)


@bp.route("/platforms/<int:platform_id>")
@role_required("contributor")
def platform(platform_id: int):
    platform = _platform_or_404(platform_id)
    claims = get_session().scalars(
        select(Claim).join(claim_platforms).where(claim_platforms.c.platform_id == platform.id)
        .order_by(Claim.key)).all()
    return render_template("curate/platform.html", platform=platform, claims=claims,
                           pending=operations.pending_changes(get_session(), platform))


def rules_preview(form: PlatformForm, platform: Platform | None) -> dict[str, Any]:
    """Which platform each example address would be shown for, with the rules of the form in
    place of this platform's and every other platform's rules as they are."""
    slug = (platform.slug if platform else form.slug.data) or _("(this platform)")
    problems: list[str] = []
    rules: list[Any] = []
    for entry in parse_rules(form.domains.data or ""):
        try:
            if isinstance(entry, str):
                entry = domains.check_listable(entry)
            else:
                entry = {**entry, "host": domains.check_listable(entry["host"])}
            rules.append(domains.rule_from_entry(entry, slug))
        except ValueError as exc:
            problems.append(str(exc))
    others = get_session().execute(
        select(Domain, Platform.slug).join(Platform, Domain.platform_id == Platform.id)
        .where(Platform.id != (platform.id if platform else -1))).all()
    compiled = domains.HostRules()
    for rule in rules:
        try:
            compiled.add(rule)
        except ValueError as exc:
            problems.append(str(exc))
    for row, other_slug in others:
        try:
            compiled.add(domains.Rule(row.host, other_slug, row.scope, row.path or ""))
        except ValueError as exc:
            problems.append(str(exc))
    urls = [line.strip() for line in (form.preview_urls.data or "").splitlines()
            if line.strip()][:50]
    return {"slug": slug, "problems": problems, "rows": domains.preview(compiled, urls)}


def _render(form: PlatformForm, platform: Platform | None, *, status: int = 200,
            loose: list[str] | None = None, conflict: dict | None = None,
            preview: dict | None = None):
    return render_template("curate/platform_form.html", form=form, platform=platform,
                           loose_errors=loose or [], conflict=conflict,
                           preview=preview), status


@bp.route("/platforms/new", methods=["GET", "POST"])
@role_required("curator")
def platform_new():
    form = PlatformForm()
    if request.method == "GET":
        return _render(form, None)
    if form.preview.data:
        return _render(form, None, preview=rules_preview(form, None))
    if not form.validate_on_submit():
        return _render(form, None, status=422)
    return editing.save_new("platform", form, _render, operations.create_platform,
                            lambda platform: _("Platform %(name)s created.", name=platform.name))


@bp.route("/platforms/<int:platform_id>/edit", methods=["GET", "POST"])
@role_required("curator")
def platform_edit(platform_id: int):
    platform = _platform_or_404(platform_id)
    if request.method == "GET":
        form = PlatformForm(data={**platform_form_data(platform_record(platform)),
                                  "version": str(platform.version)})
        return _render(form, platform)
    form = PlatformForm()
    if form.preview.data:
        return _render(form, platform, preview=rules_preview(form, platform))
    if not form.validate_on_submit():
        return _render(form, platform, status=422)
    return editing.save_edit("platform", platform, form, _render, operations.update_platform)


@bp.route("/platforms/<int:platform_id>/history")
@role_required("contributor")
def platform_history(platform_id: int):
    platform = _platform_or_404(platform_id)
    return editing.history_page("platform", platform, _("Platform %(name)s", name=platform.name))


@bp.route("/platforms/<int:platform_id>/revert/<int:revision_id>", methods=["GET", "POST"])
@role_required("curator")
def platform_revert(platform_id: int, revision_id: int):
    platform = _platform_or_404(platform_id)
    return editing.revert_page("platform", platform, revision_id)

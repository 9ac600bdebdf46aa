"""axe-core (tests/a11y, from the npm registry) run in Chromium on every page of the curators'
workspace, signed in through the sign-in form as a curator and as an admin: zero violations.

The app runs over real HTTP (werkzeug in a thread) with CSRF checks on, on the seeded dataset,
plus a pending change (a curator's edit of a published claim, made through the claim form), a
proposal, and a broken source so that their pages have something to show."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from server import db, operations
from server.models import PendingChange, Platform, Proposal, Revision, Source, User, Vendor

from .helpers import PASSWORD, a_claim, make_user

pytestmark = pytest.mark.e2e
AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
CURATOR = "ada@example.org"
REVIEWER = "grace@example.org"
ADMIN = "root@example.org"


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


@pytest.fixture
def workspace(make_app, serve_app):
    """The app (CSRF on, review required) with its people and entries: ids of what the pages
    show."""
    app = make_app()
    assert app.config["BTF_REVIEW_REQUIRED"]
    curator = make_user(app, CURATOR, "curator", "Ada Curator")
    reviewer = make_user(app, REVIEWER, "curator", "Grace Reviewer")
    make_user(app, ADMIN, "admin", "Alex Admin")
    contributor = make_user(app, "carla@example.org", "contributor", "Carla Contributor")
    with app.app_context():
        session = db.get_session()
        claim = operations.create_claim(session, a_claim(platforms=["facebook"]),
                                        user=session.get(User, curator))
        for action, who in (("submit", curator), ("publish", reviewer)):
            operations.change_claim_status(session, claim, action, user=session.get(User, who),
                                           expected_version=claim.version)
        operations.create_suggestion(session, {
            "kind": "wrong", "message": "The figure of moderators looks out of date.",
            "platform": "facebook", "host": None, "language": "en",
            "source_url": "https://news.example/moderators"})
        broken = session.scalar(select(Source).where(Source.claim_id != claim.id)
                                .order_by(Source.id))
        broken.check_status = "broken"
        session.commit()
        ids = {
            "claim": claim.id,
            "platform": session.scalar(select(Platform.id).where(Platform.slug == "facebook")),
            "vendor": session.scalar(select(Vendor.id).order_by(Vendor.slug)),
            "proposal": session.scalar(select(Proposal.id)),
            "revision": session.scalar(select(Revision.id).where(
                Revision.entity_type == "claim", Revision.entity_id == claim.id)
                .order_by(Revision.id)),
            "contributor": contributor,
        }
    with serve_app(app) as origin:
        yield app, origin, ids


def _violations(page) -> list[str]:
    assert AXE.exists(), "axe-core is missing: npm ci --prefix tests/a11y (tests/run.sh does it)"
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => v.id + ': ' + v.help + ' @ ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")


def _sign_in(page, origin: str, email: str, language: str, found: dict) -> None:
    page.goto(f"{origin}/curate/login?lang={language}")
    assert page.locator("h1").count() == 1
    violations = _violations(page)
    if violations:
        found["/curate/login"] = violations
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{origin}/curate/")


def _check(page, origin: str, paths: list[str], found: dict) -> None:
    for path in paths:
        response = page.goto(f"{origin}{path}")
        assert response is not None and response.status == 200, path
        violations = _violations(page)
        if violations:
            found[path] = violations


def _check_sent(page, label: str, found: dict) -> None:
    """The page a form sent back (with its errors shown), checked as it is."""
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() >= 1, label
    violations = _violations(page)
    if violations:
        found[label] = violations


def _edited_platform_file(page, origin: str, folder: Path) -> Path:
    """One platform file of the admin's own export, its description changed."""
    exported = page.request.get(f"{origin}/curate/admin/export")
    assert exported.status == 200
    with zipfile.ZipFile(io.BytesIO(exported.body())) as archive:
        name = next(n for n in archive.namelist() if n.endswith("facebook.json"))
        record = json.loads(archive.read(name))
    record["description"] = record["description"] + " Edited for the import preview."
    path = folder / "facebook.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _context(browser, language: str):
    # The workspace's CSP allows no inline script: the test's own context lets axe in.
    return browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800},
                               locale="fr-FR" if language == "fr" else "en-GB")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_curator_page_has_no_axe_violation(browser, workspace, language, tmp_path):
    app, origin, ids = workspace
    claim, platform, vendor = ids["claim"], ids["platform"], ids["vendor"]
    found: dict[str, list[str]] = {}

    context = _context(browser, language)
    page = context.new_page()
    try:
        _sign_in(page, origin, CURATOR, language, found)
        # A curator's edit of a published claim waits for review: made through the form.
        page.goto(f"{origin}/curate/claims/{claim}/edit")
        page.locator("textarea[name=summary]").fill(
            "A test newspaper reported that outsourced moderators in Nairobi review the posts.")
        page.locator("button[name=save]").click()
        page.wait_for_url(f"{origin}/curate/changes/*")
        with app.app_context():
            change = db.get_session().scalar(select(PendingChange.id)
                                             .where(PendingChange.status == "pending"))
        assert change is not None
        _check(page, origin, [
            "/curate/", "/curate/claims", "/curate/claims?q=moderators", f"/curate/claims/{claim}",
            "/curate/claims/new", f"/curate/claims/{claim}/edit",
            f"/curate/claims/{claim}/history", "/curate/platforms",
            f"/curate/platforms/{platform}", "/curate/platforms/new",
            f"/curate/platforms/{platform}/edit", f"/curate/platforms/{platform}/history",
            "/curate/vendors", f"/curate/vendors/{vendor}", "/curate/vendors/new",
            f"/curate/vendors/{vendor}/edit", f"/curate/vendors/{vendor}/history",
            "/curate/reviews", f"/curate/changes/{change}", "/curate/proposals",
            f"/curate/proposals/{ids['proposal']}", "/curate/sources/broken",
            "/curate/claims/stale", "/curate/account/password",
            f"/curate/claims/{claim}/revert/{ids['revision']}",
        ], found)
        response = page.goto(f"{origin}/curate/claims/999999")
        assert response is not None and response.status == 404
        violations = _violations(page)
        if violations:
            found["/curate/claims/999999 (not found)"] = violations
        # Forms sent back with their errors shown.
        page.goto(f"{origin}/curate/claims/new")
        page.locator("button[name=save]").click()
        _check_sent(page, "/curate/claims/new (errors)", found)
        for path in ("/curate/platforms/new", "/curate/vendors/new"):
            page.goto(f"{origin}{path}")
            page.locator("form[method=post] button[type=submit]").last.click()
            _check_sent(page, f"{path} (errors)", found)
        page.goto(f"{origin}/curate/account/password")
        page.locator("form[method=post] button[type=submit]").last.click()
        _check_sent(page, "/curate/account/password (errors)", found)
    finally:
        context.close()

    context = _context(browser, language)
    page = context.new_page()
    try:
        _sign_in(page, origin, ADMIN, language, found)
        _check(page, origin, [
            "/curate/", "/curate/reviews", f"/curate/changes/{change}", "/curate/admin/users",
            "/curate/admin/users/new", f"/curate/admin/users/{ids['contributor']}",
            "/curate/admin/import", "/curate/account/password",
        ], found)
        # The import's preview of what would change.
        page.goto(f"{origin}/curate/admin/import")
        page.locator("input[name=files]").set_input_files(
            _edited_platform_file(page, origin, tmp_path))
        page.locator("form[enctype] button[type=submit]").click()
        page.wait_for_load_state()
        assert "Edited for the import preview." in page.content()
        violations = _violations(page)
        if violations:
            found["/curate/admin/import (preview)"] = violations
    finally:
        context.close()
    assert found == {}

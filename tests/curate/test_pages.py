"""The pages themselves: nothing inline a Content-Security-Policy would block, local assets only,
a CSRF token in every form, a label for every field."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import select

from server import db, operations
from server.models import Claim, Proposal, User

from .helpers import a_claim, signed_in

TEMPLATES = Path(__file__).resolve().parents[2] / "server" / "templates" / "curate"


class Page(HTMLParser):
    """Collects what the checks need from a rendered page."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[tuple[str, str]] = []
        self.forms: list[dict] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self.problems.append("<script> element")  # not even a local one is needed
        if tag in ("link", "img", "iframe") and re.match(
                r"^(https?:)?//", attributes.get("href") or attributes.get("src") or ""):
            self.problems.append(f"<{tag}> from another site")
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.labels.add(attributes["for"])
        if tag in ("input", "select", "textarea") and attributes.get("type") not in (
                "hidden", "submit"):
            self.fields.append((attributes.get("id") or "", attributes.get("name") or ""))
        if tag == "form":
            self.forms.append({"method": (attributes.get("method") or "get").lower(),
                               "csrf": False})
        if tag == "input" and attributes.get("name") == "csrf_token" and self.forms:
            self.forms[-1]["csrf"] = True


def _check(html: str, where: str) -> None:
    page = Page()
    page.feed(html)
    assert page.problems == [], where
    unlabelled = [name for field_id, name in page.fields if field_id not in page.labels]
    assert unlabelled == [], f"fields without a label in {where}"
    assert all(form["csrf"] for form in page.forms if form["method"] == "post"), where
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert duplicates == set(), f"duplicate ids in {where}"
    assert '<html lang="en">' in html


def test_templates_have_no_inline_script_style_or_handlers():
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", text, re.I), path.name
        assert "|safe" not in text.replace(" ", "") and "Markup(" not in text, path.name
        assert not re.search(r'(href|src)="(https?:)?//', text), path.name  # no CDN


def test_every_page_passes_the_checks(capp, people):
    with capp.app_context():
        session = db.get_session()
        claim = operations.create_claim(session, a_claim(),
                                        user=session.get(User, people["curator"]))
        session.add(Proposal(origin="wikidata", kind="owner", platform_slug="testplatform",
                             fingerprint="w" * 64, version=1,
                             payload={"identity": {}, "change": {"field": "owner",
                                                                 "to": "New Owner"}}))
        session.commit()
        proposal_id = session.scalar(select(Proposal.id))
        published = session.scalar(select(Claim.id).where(Claim.status == "published"))
        claim_id = claim.id
    admin = signed_in(capp, people["admin"])
    pages = [url for url in (
        "/curate/", "/curate/claims", f"/curate/claims/{claim_id}",
        f"/curate/claims/{claim_id}/edit", f"/curate/claims/{claim_id}/history",
        f"/curate/claims/{published}", "/curate/claims/new", f"/curate/claims/new?proposal="
        f"{proposal_id}", "/curate/platforms", "/curate/platforms/new", "/curate/vendors",
        "/curate/vendors/new", "/curate/reviews", "/curate/proposals",
        f"/curate/proposals/{proposal_id}", "/curate/sources/broken", "/curate/claims/stale",
        "/curate/admin/users", "/curate/admin/users/new",
        f"/curate/admin/users/{people['curator']}", "/curate/admin/import",
        "/curate/account/password")]
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200, url
        _check(response.get_data(as_text=True), url)
        assert response.headers["Cache-Control"] == "no-store"
    # Pages with errors on them, too.
    response = admin.post("/curate/claims/new", data={"kind": "moderation",
                                                      "evidence": "allegation"})
    assert response.status_code == 422
    _check(response.get_data(as_text=True), "a claim form with errors")
    login = capp.test_client().get("/curate/login")
    _check(login.get_data(as_text=True), "the sign-in page")
    assert "script-src 'self'" in login.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in login.headers["Content-Security-Policy"]


def test_the_stylesheet_is_served_locally(capp):
    html = capp.test_client().get("/curate/login").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    assert href == "/static/curate/curate.css"
    response = capp.test_client().get(href)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert b"@import" not in response.data and b"url(" not in response.data
    response.close()


def test_error_pages_are_html_in_the_workspace(capp, people):
    client = signed_in(capp, people["contributor"])
    response = client.get("/curate/claims/999999")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert b"There is nothing at this address." in response.data
    response = client.get("/curate/admin/users")
    assert response.status_code == 403 and b"needs the admin role" in response.data

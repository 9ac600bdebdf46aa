"""Markup typed into any text field stays text: escaped in every curator page, and a plain JSON
string in the public API."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from server import db
from server.models import Claim, Platform, Revision, Vendor

from .helpers import IMG, SCRIPT, a_claim, claim_form, form_version, signed_in

PAYLOADS = (SCRIPT, IMG)
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;")


def _assert_escaped(page: str, where: str) -> None:
    for payload in PAYLOADS:
        assert payload not in page, f"raw markup in {where}"
    assert "<script" not in page.lower(), f"a script element in {where}"
    assert not re.search(r"<img\b", page, re.I), f"an img element in {where}"
    assert not re.search(r"\son\w+\s*=", page.replace("onerror=alert(1)&gt;", "")), \
        f"an event handler attribute in {where}"


def test_markup_in_every_text_field_is_escaped_everywhere(capp, people):
    ada, grace = signed_in(capp, people["curator"]), signed_in(capp, people["reviewer"])
    response = ada.post("/curate/platforms/new", data={
        "slug": "xss-platform", "name": f"Platform {SCRIPT}", "owner": IMG,
        "hq_country": "US", "description": f"{SCRIPT} {IMG}", "domains": "xss-platform.example",
        "comment": IMG})
    assert response.status_code == 302
    platform_page = response.location
    response = ada.post("/curate/vendors/new", data={
        "slug": "xss-vendor", "name": IMG, "hq_country": "KE",
        "website": f"https://vendor.example/{IMG}", "description": SCRIPT, "comment": SCRIPT})
    assert response.status_code == 302
    vendor_page = response.location

    record = a_claim(
        id="xss-claim", summary=f"Summary {SCRIPT}", translations={"fr": f"Résumé {IMG}"},
        platforms=["xss-platform"], vendors=["xss-vendor"],
        locations=[{"country": "KE", "city": IMG}],
        sources=[{"url": f"https://news.example/?q={IMG}", "title": SCRIPT, "publisher": IMG,
                  "published": "2024", "quote": f"{SCRIPT} said {IMG}", "language": "en",
                  "is_copy": False}])
    response = ada.post("/curate/claims/new",
                        data=claim_form(record, save_submit="1", comment=IMG))
    assert response.status_code == 302
    claim_page = response.location
    claim_id = int(claim_page.rsplit("/", 1)[1])

    suggestion = capp.test_client().post("/api/v1/suggestions", json={
        "platform": "xss-platform", "kind": "other", "message": f"{SCRIPT} {IMG}",
        "source_url": f"https://report.example/{IMG}"})
    assert suggestion.status_code == 201
    proposal_page = f"/curate/proposals/{suggestion.get_json()['id']}"

    # The reviewer sends it back with a comment full of markup, then it goes through.
    page = grace.get(claim_page).get_data(as_text=True)
    grace.post(f"/curate/claims/{claim_id}/request-changes",
               data={"version": form_version(page), "comment": f"{SCRIPT}{IMG}"})
    page = ada.get(claim_page).get_data(as_text=True)
    ada.post(f"/curate/claims/{claim_id}/submit", data={"version": form_version(page)})
    page = grace.get(claim_page).get_data(as_text=True)
    assert grace.post(f"/curate/claims/{claim_id}/publish",
                      data={"version": form_version(page)}).status_code == 302

    with capp.app_context():
        session = db.get_session()
        assert session.get(Claim, claim_id).summary == f"Summary {SCRIPT}"  # stored as typed
        platform_id = session.scalar(select(Platform.id).where(Platform.slug == "xss-platform"))
        vendor_id = session.scalar(select(Vendor.id).where(Vendor.slug == "xss-vendor"))
        assert session.scalar(select(Revision.comment).where(
            Revision.entity_type == "claim", Revision.entity_id == claim_id,
            Revision.action == "status", Revision.comment.is_not(None))) == f"{SCRIPT}{IMG}"

    pages = [
        "/curate/", "/curate/claims", "/curate/claims?q=xss", claim_page,
        f"/curate/claims/{claim_id}/edit", f"/curate/claims/{claim_id}/history",
        "/curate/platforms", platform_page, f"/curate/platforms/{platform_id}/edit",
        f"/curate/platforms/{platform_id}/history", "/curate/vendors", vendor_page,
        f"/curate/vendors/{vendor_id}/edit", f"/curate/vendors/{vendor_id}/history",
        "/curate/proposals", proposal_page, f"/curate/claims/new?proposal="
        f"{proposal_page.rsplit('/', 1)[1]}",
    ]
    seen = ""
    for url in pages:
        response = ada.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        _assert_escaped(page, url)
        seen += page
    for escaped in ESCAPED:
        assert escaped in seen
    # The conflict page shows both versions: escaped too.
    page = ada.get(f"/curate/claims/{claim_id}/edit").get_data(as_text=True)
    response = ada.post(f"/curate/claims/{claim_id}/edit", data=claim_form(
        {**record, "summary": f"Mine {SCRIPT}"}, version="1"))
    assert response.status_code == 409
    _assert_escaped(response.get_data(as_text=True), "the conflict page")

    # The public API: the same text, as JSON strings in JSON documents.
    for url in ("/api/v1/platforms/xss-platform", "/api/v1/platforms/xss-platform?lang=fr",
                "/api/v1/index", "/api/v1/export.json", "/api/v1/vendors/xss-vendor"):
        response = capp.test_client().get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.get_data(as_text=True)
        assert '"><img' not in body.replace('\\"><img', "")  # the quote is escaped in JSON
        assert json.loads(body)  # one JSON document: the markup cannot break out of a string
    detail = capp.test_client().get("/api/v1/platforms/xss-platform").get_json()
    assert detail["name"] == f"Platform {SCRIPT}" and detail["owner"] == IMG
    claim = detail["claims"][0]
    assert claim["summary"] == f"Summary {SCRIPT}"
    assert claim["locations"] == [{"country": "KE", "city": IMG}]
    assert claim["vendor"]["name"] == IMG
    assert claim["sources"][0] == {**record["sources"][0]}
    french = capp.test_client().get("/api/v1/platforms/xss-platform?lang=fr").get_json()
    assert french["claims"][0]["summary"] == f"Résumé {IMG}"
    index = capp.test_client().get("/api/v1/index").get_json()
    assert index["platforms"]["xss-platform"]["headlines"]["moderation"]["en"] == \
        f"Summary {SCRIPT}"

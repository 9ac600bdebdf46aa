"""The curator forms for the v2 fields: vendors in order, company responses, host rules with a
preview, actions and moderators, vendor sites and identifiers. Each form is filled in as a
browser would: every field the page shows is sent back as the page shows it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import select

from server import db, operations
from server.models import Claim, Platform, User, Vendor
from server.records import claim_record, platform_record, vendor_record

from .helpers import PLATFORM_HOST, PLATFORM_SLUG, a_claim, signed_in

RESPONSE = {
    "by": "Test Owner Inc.",
    "summary": "The owner said the moderators are paid above the local minimum wage.",
    "translations": {"fr": "Le proprietaire dit que les moderateurs sont payes au-dessus."},
    "source": {"url": "https://news.example/reply", "title": "The owner replies",
               "publisher": "Test Daily", "published": "2024-03-05",
               "quote": "paid above the local minimum wage", "language": "en",
               "is_copy": False, "archive_url": "https://web.archive.org/web/2024/x"},
}
ACTION = {"kind": "complaint", "name": "Test complaint desk", "url": "https://help.example/c",
          "description": "Where to complain about the platform.",
          "translations": {"fr": "Ou se plaindre."}, "source": None}


class _FormReader(HTMLParser):
    """The fields of each POST form on a page, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self._in_form = True
            self.fields = []
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button"):
                return
            if kind == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "y" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields.append((self._textarea, ""))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [v for v, sel in self._options if sel] or \
                [v for v, _ in self._options[:1]]
            self.fields += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self.forms.append(self.fields)


def page_form(html: str) -> dict[str, list[str]]:
    """The page's main form (the one with the most fields)."""
    reader = _FormReader()
    reader.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in max(reader.forms, key=len):
        # A textarea's first newline is not part of its value (as browsers read it).
        data.setdefault(name, []).append(value.removeprefix("\r\n").removeprefix("\n"))
    return data


def _set(data: dict[str, list[str]], name: str, value: str) -> dict[str, list[str]]:
    return {**data, name: [value]}


def _field_errors(html: str, field_id: str) -> str:
    match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-error">(.*?)</ul>',
                      html, re.S)
    return match.group(1) if match else ""


def _vendor(session, slug, name, user):
    return operations.create_vendor(session, {"slug": slug, "name": name}, user=user)


def test_editing_a_claim_keeps_its_responses_and_vendor_order(capp, people):
    with capp.app_context():
        session = db.get_session()
        curator = session.get(User, people["curator"])
        _vendor(session, "vendor-b", "Vendor B", curator)
        _vendor(session, "vendor-a", "Vendor A", curator)
        claim = operations.create_claim(
            session, a_claim(vendors=["vendor-b", "vendor-a"], responses=[RESPONSE]),
            user=curator)
        session.commit()
        claim_id = claim.id
    client = signed_in(capp, people["curator"])
    html = client.get(f"/curate/claims/{claim_id}/edit").get_data(as_text=True)
    data = page_form(html)
    assert data["vendors-0"] == ["vendor-b"] and data["vendors-1"] == ["vendor-a"]
    assert data["responses-0-by"] == ["Test Owner Inc."]
    response = client.post(f"/curate/claims/{claim_id}/edit",
                           data=_set(data, "summary", "An edited summary, nothing else."))
    assert response.status_code == 302
    with capp.app_context():
        record = claim_record(db.get_session().get(Claim, claim_id))
    assert record["summary"] == "An edited summary, nothing else."
    assert record["responses"] == [RESPONSE]
    assert record["vendors"] == ["vendor-b", "vendor-a"]
    # The page shows the response and both vendors.
    page = client.get(f"/curate/claims/{claim_id}").get_data(as_text=True)
    assert "Test Owner Inc." in page and "Vendor B" in page and "Vendor A" in page


def test_a_response_is_added_and_checked_on_the_form(capp, people):
    with capp.app_context():
        session = db.get_session()
        claim = operations.create_claim(session, a_claim(),
                                        user=session.get(User, people["curator"]))
        session.commit()
        claim_id = claim.id
    client = signed_in(capp, people["curator"])
    data = page_form(client.get(f"/curate/claims/{claim_id}/edit").get_data(as_text=True))
    html = client.post(f"/curate/claims/{claim_id}/edit",
                       data={**data, "add_response": "1"}).get_data(as_text=True)
    data = page_form(html)
    assert "responses-0-by" in data
    data.update({"responses-0-by": ["Test Owner Inc."], "responses-0-summary": ["Denied it."],
                 "responses-0-url": ["ftp://not.example/"], "responses-0-title": ["T"],
                 "responses-0-publisher": ["P"], "responses-0-published": ["2024"],
                 "responses-0-quote": ["denied"]})
    response = client.post(f"/curate/claims/{claim_id}/edit", data=data)
    assert response.status_code == 422
    assert _field_errors(response.get_data(as_text=True), "responses-0-url")
    data["responses-0-url"] = ["https://news.example/denial"]
    assert client.post(f"/curate/claims/{claim_id}/edit", data=data).status_code == 302
    with capp.app_context():
        [reply] = claim_record(db.get_session().get(Claim, claim_id))["responses"]
    assert (reply["by"], reply["summary"], reply["source"]["url"]) == \
        ("Test Owner Inc.", "Denied it.", "https://news.example/denial")


def _platform_id(capp) -> int:
    with capp.app_context():
        return db.get_session().scalar(
            select(Platform.id).where(Platform.slug == PLATFORM_SLUG))


def test_platform_host_rules_with_scope_and_path_and_a_preview(capp, people):
    client = signed_in(capp, people["curator"])
    pid = _platform_id(capp)
    data = page_form(client.get(f"/curate/platforms/{pid}/edit").get_data(as_text=True))
    rules = f"{PLATFORM_HOST}\nexact: mail.testplatform-mail.example\nsearch.example/find"
    data = {**data, "domains": [rules],
            "preview_urls": ["https://www.testplatform.example/a\n"
                             "https://mail.testplatform-mail.example/inbox\n"
                             "https://x.mail.testplatform-mail.example/\n"
                             "https://search.example/find?q=1\n"
                             "https://search.example/findings\n"
                             "https://www.facebook.com/"]}
    html = client.post(f"/curate/platforms/{pid}/edit",
                       data={**data, "preview": "1"}).get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*><td>([^<]+)</td><td>([^<]+)</td></tr>", html)
    assert rows == [
        ("https://www.testplatform.example/a", f"this platform ({PLATFORM_SLUG})"),
        ("https://mail.testplatform-mail.example/inbox", f"this platform ({PLATFORM_SLUG})"),
        ("https://x.mail.testplatform-mail.example/", "no platform"),
        ("https://search.example/find?q=1", f"this platform ({PLATFORM_SLUG})"),
        ("https://search.example/findings", "no platform"),
        ("https://www.facebook.com/", "another platform: facebook"),
    ]
    with capp.app_context():  # a preview saves nothing
        assert platform_record(db.get_session().get(Platform, pid))["domains"] == [PLATFORM_HOST]
    response = client.post(f"/curate/platforms/{pid}/edit", data={**data, "save": "1"})
    assert response.status_code == 302
    with capp.app_context():
        saved = platform_record(db.get_session().get(Platform, pid))["domains"]
    assert saved == [{"host": "mail.testplatform-mail.example", "scope": "exact"},
                     {"host": "search.example", "path": "/find"}, PLATFORM_HOST]
    # The form shows them back as it reads them.
    again = page_form(client.get(f"/curate/platforms/{pid}/edit").get_data(as_text=True))
    assert sorted(again["domains"][0].splitlines()) == sorted(rules.splitlines())


def test_bad_rules_and_bad_actions_are_shown_next_to_their_fields(capp, people):
    client = signed_in(capp, people["curator"])
    pid = _platform_id(capp)
    data = page_form(client.get(f"/curate/platforms/{pid}/edit").get_data(as_text=True))
    response = client.post(f"/curate/platforms/{pid}/edit", data={
        **data, "domains": [f"{PLATFORM_HOST}\nexample.org/search/\nexact: co.uk"],
        "actions": ['[{"kind": "petition", "name": "X", "url": "javascript:alert(1)", '
                    '"description": "d", "translations": {}, "source": null}]'],
        "moderators": ["{not json"]})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This is not valid JSON" in _field_errors(html, "moderators")
    data["moderators"] = [""]
    response = client.post(f"/curate/platforms/{pid}/edit", data={
        **data, "domains": [f"{PLATFORM_HOST}\nexample.org/search/\nexact: co.uk"],
        "actions": ['[{"kind": "petition", "name": "X", "url": "javascript:alert(1)", '
                    '"description": "d", "translations": {}, "source": null}]']})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    domain_errors = _field_errors(html, "domains")
    assert "final slash" in domain_errors and "public suffix" in domain_errors
    action_errors = _field_errors(html, "actions")
    assert "Entry 1, kind" in action_errors and "Entry 1, url" in action_errors
    # Valid actions are saved, and the edit form shows them back.
    import json
    response = client.post(f"/curate/platforms/{pid}/edit", data={
        **data, "actions": [json.dumps([ACTION])]})
    assert response.status_code == 302
    with capp.app_context():
        assert platform_record(db.get_session().get(Platform, pid))["actions"] == [ACTION]


def test_vendor_form_edits_identifiers_and_keeps_sites(capp, people):
    site = {"city": "Nairobi", "country": "KE", "period": None,
            "source": {**RESPONSE["source"]}}
    with capp.app_context():
        session = db.get_session()
        vendor = operations.create_vendor(session, {
            "slug": "test-vendor", "name": "Test Vendor", "sites": [site],
            "actions": [ACTION]}, user=session.get(User, people["curator"]))
        session.commit()
        vendor_id = vendor.id
    client = signed_in(capp, people["curator"])
    data = page_form(client.get(f"/curate/vendors/{vendor_id}/edit").get_data(as_text=True))
    response = client.post(f"/curate/vendors/{vendor_id}/edit", data={
        **data, "wikidata": ["Q42x"], "opencorporates": ["gb/01234567"]})
    assert response.status_code == 422
    assert _field_errors(response.get_data(as_text=True), "wikidata")
    response = client.post(f"/curate/vendors/{vendor_id}/edit", data={
        **data, "wikidata": ["Q42"], "opencorporates": ["gb/01234567"]})
    assert response.status_code == 302
    with capp.app_context():
        record = vendor_record(db.get_session().get(Vendor, vendor_id))
    assert (record["wikidata"], record["opencorporates"]) == ("Q42", "gb/01234567")
    assert record["sites"] == [site] and record["actions"] == [ACTION]


def test_a_domain_proposal_page_works_for_a_platform_with_narrow_rules(capp, people):
    from server.models import Proposal

    with capp.app_context():
        session = db.get_session()
        platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
        operations.update_platform(
            session, platform, {**platform_record(platform), "domains": [
                PLATFORM_HOST, {"host": "mail.testplatform-mail.example", "scope": "exact"}]},
            user=session.get(User, people["curator"]), expected_version=platform.version)
        proposal = Proposal(origin="suggestion", kind="domain", platform_slug=PLATFORM_SLUG,
                            host="testplatform-extra.example", fingerprint="d" * 64, version=1,
                            payload={"change": {"add": "testplatform-extra.example"}})
        session.add(proposal)
        session.commit()
        proposal_id = proposal.id
    page = signed_in(capp, people["curator"]).get(f"/curate/proposals/{proposal_id}")
    assert page.status_code == 200
    assert "testplatform-extra.example" in page.get_data(as_text=True)

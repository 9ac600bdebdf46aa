"""Editing through the pages: claim, platform and vendor forms, their messages, the workflow
buttons, history and revert, and the conflict page when two curators save the same entry."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from sqlalchemy import select

from server import db, operations
from server.models import Claim, Platform, Proposal, Revision, Source, User, Vendor
from server.records import claim_record

from .helpers import (
    PLATFORM_SLUG,
    a_claim,
    claim_by_key,
    claim_form,
    form_version,
    platform_id,
    sign_in,
    signed_in,
)


def _text(page: str) -> str:
    """What a reader sees: the page without tags, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", page))


def _field_error(html: str, field_id: str) -> str:
    """The error text shown next to a field (empty if none)."""
    match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-error">(.*?)</ul>', html,
                      re.S)
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def test_a_contributor_adds_a_claim_with_every_field(capp, people):
    client = signed_in(capp, people["contributor"])
    page = client.get("/curate/claims/new").get_data(as_text=True)
    for label in ("Kind of work", "French translation", "Main platform", "Other platforms",
                  "Vendor", "Country", "City", "Workers", "Pay: amount", "Pay: currency",
                  "Pay: per", "Observed from", "Observed until", "Evidence", "Last verified",
                  "URL (http or https)", "Title", "Publisher", "Published", "Quote",
                  "Language of the source", "republished copy"):
        assert label in page, label
    record = a_claim(platforms=[PLATFORM_SLUG, "facebook"], vendors=["sama"],
                     locations=[{"country": "KE", "city": "Nairobi"}, {"country": "PH"}])
    record["sources"].append({**record["sources"][0], "url": "http://copy.example/x",
                              "title": "A copy", "is_copy": True, "published": "2024"})
    response = client.post("/curate/claims/new", data=claim_form(record, save_submit="1"))
    assert response.status_code == 302
    claim = claim_by_key(capp, record["id"])
    with capp.app_context():
        claim = db.get_session().get(Claim, claim.id)
        saved = claim_record(claim)
        assert claim.created_by_id == claim.updated_by_id == people["contributor"]
    assert saved == {**record, "status": "pending",
                     "locations": [{"country": "KE", "city": "Nairobi"}, {"country": "PH"}]}
    page = client.get(response.location).get_data(as_text=True)
    assert "Submitted" not in page or "pending" in page
    assert "A copy" in page and "republished copy" in page


def test_form_errors_show_next_to_their_fields(capp, people):
    client = signed_in(capp, people["curator"])
    record = a_claim(id="Bad Id", last_verified="2024-02-30",
                     pay={"amount": "lots", "currency": "XYZ", "per": "hour"},
                     observed={"start": "March 2024"})
    record["sources"] = [{}, {**record["sources"][0], "url": "javascript:alert(1)",
                              "quote": "word " * 41, "published": "2024-1"}]
    response = client.post("/curate/claims/new", data=claim_form(record))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not a valid" in _field_error(html, "pay_amount")
    assert "ISO 4217" in _field_error(html, "pay_currency")
    assert "YYYY" in _field_error(html, "observed_start")
    assert _field_error(html, "last_verified")
    assert _field_error(html, "key")
    # The empty first source row is skipped; the second row's errors stay on the second row.
    assert "Only http and https" in _field_error(html, "sources-1-url")
    assert "at most 40 words" in _field_error(html, "sources-1-quote")
    assert "YYYY" in _field_error(html, "sources-1-published")
    assert 'aria-invalid="true"' in html and 'aria-describedby="pay_amount-error"' in html
    assert 'role="alert"' in html and 'href="#sources-1-url"' in html
    # What was typed is still there.
    assert "javascript:alert(1)" in html and "March 2024" in html
    with capp.app_context():
        assert db.get_session().scalar(select(Claim).where(Claim.key == "bad-id")) is None


def test_a_claim_needs_a_source_and_known_platforms(capp, people):
    client = signed_in(capp, people["curator"])
    response = client.post("/curate/claims/new", data=claim_form(
        a_claim(sources=[], observed={"start": "soon"})))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # Every problem in one round: the schema's and the workspace's own.
    assert "Add at least one source" in html and _field_error(html, "observed_start")
    response = client.post("/curate/claims/new",
                           data=claim_form(a_claim(platforms=[]), main_platform=""))
    assert response.status_code == 422
    assert "Choose the platform the claim is about." in _field_error(
        response.get_data(as_text=True), "main_platform")


def test_adding_rows_keeps_what_was_typed_and_saves_nothing(capp, people):
    client = signed_in(capp, people["curator"])
    data = claim_form(a_claim(), add_source="1")
    del data["save"]
    response = client.post("/curate/claims/new", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="sources-1-url"' in html and "news.example/moderators" in html
    data = claim_form(a_claim(), add_location="1")
    del data["save"]
    html = client.post("/curate/claims/new", data=data).get_data(as_text=True)
    assert 'id="locations-1-country"' in html
    assert claim_by_key(capp, a_claim()["id"]) is None


def _create(capp, people, who="curator", **overrides) -> int:
    with capp.app_context():
        session = db.get_session()
        claim = operations.create_claim(session, a_claim(**overrides),
                                        user=session.get(User, people[who]))
        session.commit()
        return claim.id


def _version(capp, model, entity_id) -> int:
    with capp.app_context():
        return db.get_session().get(model, entity_id).version


def test_the_workflow_buttons(capp, people):
    claim_id = _create(capp, people)
    author, reviewer = signed_in(capp, people["curator"]), signed_in(capp, people["reviewer"])
    page = author.get(f"/curate/claims/{claim_id}").get_data(as_text=True)
    assert "Submit for review" in page and ">Publish<" not in page
    response = author.post(f"/curate/claims/{claim_id}/submit",
                           data={"version": form_version(page)})
    assert response.status_code == 302
    page = author.get(f"/curate/claims/{claim_id}").get_data(as_text=True)
    assert "another curator reviews it" in page and ">Publish<" not in page
    refused = author.post(f"/curate/claims/{claim_id}/publish",
                          data={"version": form_version(page)})
    assert refused.status_code == 403
    assert b"another curator must review it" in refused.data

    review = reviewer.get("/curate/reviews").get_data(as_text=True)
    assert a_claim()["id"] in review
    assert a_claim()["id"] not in author.get("/curate/reviews").get_data(as_text=True) \
        .split("Your changes waiting")[0]
    page = reviewer.get(f"/curate/claims/{claim_id}").get_data(as_text=True)
    response = reviewer.post(f"/curate/claims/{claim_id}/request-changes",
                             data={"version": form_version(page), "comment": ""})
    assert response.status_code == 302
    assert _version(capp, Claim, claim_id) == 2  # refused: a comment is required
    response = reviewer.post(f"/curate/claims/{claim_id}/request-changes", data={
        "version": form_version(page), "comment": "Add the source's date."}, follow_redirects=True)
    assert b"Add the source&#39;s date." in response.data
    assert b"changes requested" in response.data
    # A stale button (an old version) is a 409 that changes nothing.
    response = reviewer.post(f"/curate/claims/{claim_id}/reject",
                             data={"version": form_version(page), "comment": "x"})
    assert response.status_code == 409
    with capp.app_context():
        assert db.get_session().get(Claim, claim_id).status == "changes_requested"


def test_two_curators_editing_one_claim_lose_nothing(capp, people):
    claim_id = _create(capp, people)
    ada, grace = capp.test_client(), capp.test_client()
    assert sign_in(ada, "ada@example.org").status_code == 302
    assert sign_in(grace, "grace@example.org").status_code == 302
    ada_form = ada.get(f"/curate/claims/{claim_id}/edit").get_data(as_text=True)
    grace_form = grace.get(f"/curate/claims/{claim_id}/edit").get_data(as_text=True)
    assert form_version(ada_form) == form_version(grace_form) == "1"

    first = a_claim(summary="Ada's newspaper says two hundred moderators work there.",
                    workers=210)
    response = ada.post(f"/curate/claims/{claim_id}/edit",
                        data=claim_form(first, version=form_version(ada_form)))
    assert response.status_code == 302

    second = a_claim(summary="Grace adds that they are paid two dollars an hour.",
                     pay={"amount": 2, "currency": "USD", "per": "hour", "qualifier": "exact"})
    response = grace.post(f"/curate/claims/{claim_id}/edit",
                          data=claim_form(second, version=form_version(grace_form)))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved this entry while you were editing it" in html
    assert "saved by Ada Curator" in html
    # Both versions, field by field: theirs in the comparison, hers in the table and the form.
    table = _text(html.split('<table class="diff">')[1].split("</table>")[0])
    assert first["summary"] in table and second["summary"] in table
    assert "210" in table and "changed by the other save" in table
    form = html.split('class="claim-form"')[1]
    assert "Grace adds that they are paid two dollars an hour." in form
    assert form_version(form) == "2"

    with capp.app_context():
        session = db.get_session()
        claim = session.get(Claim, claim_id)
        assert claim.summary == first["summary"] and claim.workers == 210
        assert claim.version == 2

    merged = {**second, "workers": 210}
    response = grace.post(f"/curate/claims/{claim_id}/edit",
                          data=claim_form(merged, version=form_version(form)))
    assert response.status_code == 302
    with capp.app_context():
        session = db.get_session()
        claim = session.get(Claim, claim_id)
        assert (claim.summary, claim.workers, claim.version) == (second["summary"], 210, 3)
        revisions = session.scalars(select(Revision).where(
            Revision.entity_type == "claim", Revision.entity_id == claim_id)
            .order_by(Revision.id)).all()
        assert [r.after["summary"] for r in revisions] == [
            a_claim()["summary"], first["summary"], second["summary"]]
        assert [r.user_id for r in revisions] == [people["curator"], people["curator"],
                                                  people["reviewer"]]


def test_history_shows_who_did_what_and_restore_asks_to_confirm(capp, people):
    claim_id = _create(capp, people)
    client = signed_in(capp, people["reviewer"])
    page = client.get(f"/curate/claims/{claim_id}/edit").get_data(as_text=True)
    client.post(f"/curate/claims/{claim_id}/edit", data=claim_form(
        a_claim(summary="A corrected summary of the report.", workers=None, workers_basis=None),
        version=form_version(page), comment="Fixed the head count."))
    html = client.get(f"/curate/claims/{claim_id}/history").get_data(as_text=True)
    assert "Version 2: update" in html and "Version 1: create" in html
    assert "Grace Reviewer" in html and "Ada Curator" in html
    assert "Fixed the head count." in html
    assert "<del>" in html and "<ins>" in html and "Workers" in html
    match = re.search(r'href="(/curate/claims/\d+/revert/\d+)"', html)
    assert match and "Restore version 1" in html
    # A confirmation page shows what restoring would change before anything is done.
    confirm = client.get(match.group(1)).get_data(as_text=True)
    assert "What will change" in confirm
    assert "A corrected summary of the report." in re.sub(r"<[^>]+>", "", confirm)
    with capp.app_context():
        assert db.get_session().get(Claim, claim_id).version == 2
    response = client.post(match.group(1), data={"version": form_version(confirm)},
                           follow_redirects=True)
    assert b"Restored version 1; this is now version 3." in response.data
    with capp.app_context():
        claim = db.get_session().get(Claim, claim_id)
        assert claim_record(claim) == {**a_claim(), "status": "draft"}
    # A contributor sees the history but no revert buttons.
    html = signed_in(capp, people["contributor"]).get(
        f"/curate/claims/{claim_id}/history").get_data(as_text=True)
    assert "Version 3: revert" in html and "Restore version" not in html


def test_platform_form_checks_domains_with_clear_messages(capp, people):
    client = signed_in(capp, people["curator"])
    pid = platform_id(capp)
    page = client.get(f"/curate/platforms/{pid}/edit").get_data(as_text=True)
    response = client.post(f"/curate/platforms/{pid}/edit", data={
        "version": form_version(page), "name": "Test Platform", "owner": "Test Owner Inc.",
        "hq_country": "us", "description": "",
        "domains": "testplatform.example\nco.uk\nbad host\nfacebook.com\n"})
    assert response.status_code == 422
    errors = _field_error(response.get_data(as_text=True), "domains")
    assert "'co.uk' is a public suffix" in errors
    assert "not a valid host" in errors
    assert "already listed for Facebook" in errors
    response = client.post(f"/curate/platforms/{pid}/edit", data={
        "version": form_version(page), "name": "Test Platform", "owner": "Test Owner Inc.",
        "hq_country": "us", "description": "",
        "domains": "testplatform.example\nTestPlatform-App.example\n"})
    assert response.status_code == 302
    with capp.app_context():
        platform = db.get_session().get(Platform, pid)
        assert sorted(d.host for d in platform.domains) == ["testplatform-app.example",
                                                             "testplatform.example"]
        assert platform.hq_country == "US"
    response = client.post("/curate/platforms/new", data={
        "slug": "Not a slug", "name": "", "domains": "com"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _field_error(html, "slug") and _field_error(html, "name")
    assert "public suffix" in _field_error(html, "domains")


def test_vendor_create_edit_and_conflict(capp, people):
    ada, grace = signed_in(capp, people["curator"]), signed_in(capp, people["reviewer"])
    response = ada.post("/curate/vendors/new", data={
        "slug": "test-vendor", "name": "Test Vendor", "hq_country": "KE",
        "website": "https://vendor.example/", "description": "Moderation contractor."})
    assert response.status_code == 302
    vendor_id = int(response.location.rsplit("/", 1)[1])
    ada_page = ada.get(f"/curate/vendors/{vendor_id}/edit").get_data(as_text=True)
    grace_page = grace.get(f"/curate/vendors/{vendor_id}/edit").get_data(as_text=True)
    fields = {"name": "Test Vendor", "hq_country": "KE", "website": "https://vendor.example/"}
    assert ada.post(f"/curate/vendors/{vendor_id}/edit", data={
        **fields, "version": form_version(ada_page),
        "description": "Ada's description."}).status_code == 302
    response = grace.post(f"/curate/vendors/{vendor_id}/edit", data={
        **fields, "version": form_version(grace_page), "description": "Grace's description."})
    assert response.status_code == 409
    table = _text(response.get_data(as_text=True).split('<table class="diff">')[1])
    assert "Ada's description." in table and "Grace's description." in table
    with capp.app_context():
        assert db.get_session().get(Vendor, vendor_id).description == "Ada's description."
    response = ada.post("/curate/vendors/new", data={"slug": "test-vendor", "name": "Again",
                                                     "website": "ftp://x.example/"})
    assert response.status_code == 422
    assert "Only http and https" in _field_error(response.get_data(as_text=True), "website")


def test_dashboard_queues(capp, people):
    with capp.app_context():
        session = db.get_session()
        author = session.get(User, people["curator"])
        pending = operations.create_claim(session, a_claim(id="pending-one"), user=author)
        operations.change_claim_status(session, pending, "submit", user=author,
                                       expected_version=pending.version)
        stale = session.scalar(select(Claim).where(Claim.status == "published"))
        stale.last_verified = dt.date.today() - dt.timedelta(days=600)
        source = stale.sources[0]
        source.check_status, source.final_url = "moved", "https://moved.example/new"
        session.add(Proposal(origin="dsa-reports", kind="new_claim", fingerprint="p" * 64,
                             platform_slug=PLATFORM_SLUG, version=1,
                             payload={"identity": {}, "change": {"claim": a_claim(id="x")}}))
        session.commit()
        stale_key = stale.key
    reviewer = signed_in(capp, people["reviewer"]).get("/curate/").get_data(as_text=True)
    assert "1</strong> review waiting" in reviewer and "pending-one" in reviewer
    assert "1</strong> new proposal" in reviewer
    assert "broken or moved source" in reviewer and "moved.example" not in reviewer
    assert stale_key in reviewer
    author = signed_in(capp, people["curator"]).get("/curate/").get_data(as_text=True)
    assert "0</strong> reviews waiting" in author  # not their own work
    broken = signed_in(capp, people["contributor"]).get("/curate/sources/broken")
    assert b"moved.example/new" in broken.data
    stale_page = signed_in(capp, people["contributor"]).get("/curate/claims/stale")
    assert stale_key.encode() in stale_page.data


def test_a_proposal_becomes_a_prefilled_draft(capp, people):
    with capp.app_context():
        session = db.get_session()
        change = {k: v for k, v in a_claim().items() if k not in ("id", "last_verified")}
        proposal = Proposal(origin="dsa-reports", kind="new_claim", fingerprint="q" * 64,
                            platform_slug=PLATFORM_SLUG, version=1,
                            source_url="https://news.example/moderators",
                            payload={"identity": {"k": 1}, "record": {"rows": [1]},
                                     "change": {"claim": change}})
        session.add(proposal)
        session.commit()
        proposal_id = proposal.id
    client = signed_in(capp, people["curator"])
    page = client.get(f"/curate/proposals/{proposal_id}").get_data(as_text=True)
    assert "What it would change" in page and "news.example/moderators" in page
    assert "Accept: write a draft claim from it" in page
    form = client.get(f"/curate/claims/new?proposal={proposal_id}").get_data(as_text=True)
    assert a_claim()["summary"] in form and "From proposal #" in form
    data = claim_form(a_claim(id=""), proposal_version="1")
    response = client.post(f"/curate/claims/new?proposal={proposal_id}", data=data)
    assert response.status_code == 302
    with capp.app_context():
        session = db.get_session()
        proposal = session.get(Proposal, proposal_id)
        assert proposal.status == "accepted" and proposal.handled_by_id == people["curator"]
        claim = session.scalar(select(Claim).where(Claim.key == "testplatform-moderation-2024"))
        assert claim.status == "draft"
    # A second curator who had the same proposal open keeps their text, as a plain draft.
    grace = signed_in(capp, people["reviewer"])
    response = grace.post(f"/curate/claims/new?proposal={proposal_id}",
                          data=claim_form(a_claim(id="grace-draft"), proposal_version="1"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone handled this proposal" in html and 'action="/curate/claims/new"' in html
    assert claim_by_key(capp, "grace-draft") is None
    response = grace.post("/curate/claims/new", data=claim_form(a_claim(id="grace-draft")))
    assert response.status_code == 302 and claim_by_key(capp, "grace-draft") is not None


def test_a_suggestion_from_the_api_is_dismissed_with_a_note(capp, people):
    response = capp.test_client().post("/api/v1/suggestions", json={
        "platform": PLATFORM_SLUG, "kind": "wrong", "message": "The pay figure is out of date.",
        "source_url": "https://news.example/update"})
    assert response.status_code == 201
    proposal_id = response.get_json()["id"]
    client = signed_in(capp, people["curator"])
    listing = client.get("/curate/proposals").get_data(as_text=True)
    assert "The pay figure is out of date." in listing and "suggestion" in listing
    response = client.post(f"/curate/proposals/{proposal_id}/dismiss",
                           data={"version": "1", "note": ""}, follow_redirects=True)
    assert b"Say why it is dismissed" in response.data
    response = client.post(f"/curate/proposals/{proposal_id}/dismiss",
                           data={"version": "1", "note": "Already fixed in version 4."})
    assert response.status_code == 302
    with capp.app_context():
        proposal = db.get_session().get(Proposal, proposal_id)
        assert (proposal.status, proposal.note) == ("dismissed", "Already fixed in version 4.")
    dismissed = client.get("/curate/proposals?status=dismissed").get_data(as_text=True)
    assert "Already fixed in version 4." in dismissed


def test_broken_source_state_survives_an_unrelated_edit(capp, people):
    claim_id = _create(capp, people)
    with capp.app_context():
        session = db.get_session()
        session.scalar(select(Source).where(Source.claim_id == claim_id)).check_status = "broken"
        session.commit()
    client = signed_in(capp, people["reviewer"])
    page = client.get(f"/curate/claims/{claim_id}/edit").get_data(as_text=True)
    client.post(f"/curate/claims/{claim_id}/edit", data=claim_form(
        a_claim(summary="Only the summary changes."), version=form_version(page)))
    with capp.app_context():
        assert db.get_session().scalar(
            select(Source.check_status).where(Source.claim_id == claim_id)) == "broken"


def test_a_quote_not_found_joins_the_broken_sources_queue(capp, people):
    with capp.app_context():
        session = db.get_session()
        claim = session.scalar(select(Claim).where(Claim.status == "published"))
        source = claim.sources[0]
        source.check_status = "ok"
        source.quote_found = False
        source.quote_excerpt = "The page now says something rather different."
        source.published, source.page_published, source.date_mismatch = "2021-03", "2019-05-02", \
            True
        other = session.scalars(select(Claim).where(Claim.id != claim.id)).first().sources[0]
        other.check_status, other.quote_found = "ok", None  # unknown: not in the queue
        session.commit()
        key, url, unknown_url = claim.key, source.url, other.url
    page = signed_in(capp, people["contributor"]).get("/curate/sources/broken")
    text = _text(page.get_data(as_text=True))
    assert key in text and "Quote not found on the page." in text
    assert "Nearest text on the page: The page now says something rather different." in text
    assert "the page says 2019-05-02; the source says 2021-03" in text
    assert unknown_url not in text or unknown_url == url
    dashboard = _text(signed_in(capp, people["reviewer"]).get("/curate/").get_data(as_text=True))
    assert "quote not found" in dashboard


def test_a_news_lead_prefills_its_platforms_vendors_and_source(capp, people):
    with capp.app_context():
        session = db.get_session()
        vendor = session.scalars(select(Vendor).order_by(Vendor.slug)).first()
        session.add(Proposal(origin="news", kind="lead", fingerprint="l" * 64, version=1,
                             source_url="https://news.example/lead",
                             payload={"identity": {}, "record": {
                                 "url": "https://news.example/lead", "title": "Lead headline",
                                 "published": "2025-02-03T10:00:00Z", "language": "en"},
                                 "change": {"kinds": ["moderation"],
                                            "platforms": [PLATFORM_SLUG],
                                            "vendors": [vendor.slug]}}))
        session.commit()
        proposal_id = session.scalar(select(Proposal.id).where(Proposal.kind == "lead"))
        slug = vendor.slug
    form = signed_in(capp, people["curator"]).get(f"/curate/claims/new?proposal={proposal_id}")
    html = form.get_data(as_text=True)
    select_vendor = re.search(r'<select[^>]*name="vendors-0".*?</select>', html, re.S).group(0)
    assert re.search(r'<option[^>]*selected[^>]*value="' + re.escape(slug) + '"', select_vendor)
    assert 'value="Lead headline"' in html and 'value="2025-02-03"' in html

"""Scrapers' proposals a curator accepts or dismisses from the proposal page: an archived copy
(the sources' archive_url, with a Revision), a platform's moderator figures and a vendor's
Wikidata/OpenCorporates ids (through the platform and vendor operations, so a live entry's
change waits for review)."""

from __future__ import annotations

from sqlalchemy import select

from server import db, operations
from server.models import Claim, PendingChange, Platform, Proposal, Revision, User, Vendor

from .helpers import PLATFORM_SLUG, form_version, signed_in

SNAPSHOT = "https://web.archive.org/web/20240102030405/https://news.example/story"
REPORT = {"url": "https://transparency.example/dsa-report-2024-h1.pdf",
          "title": "DSA Transparency Report, January to June 2024",
          "publisher": "Test Owner Inc.", "published": "2024-08",
          "quote": "We employ 120 content moderators reviewing content in French.",
          "language": "en", "is_copy": False}
ROW = {"language": "fr", "count": 120, "period": {"start": "2024-01", "end": "2024-06"},
       "period_label": "H1 2024", "internal": None, "external": None, "note": None,
       "source": REPORT}


def _proposal(capp, **columns) -> int:
    with capp.app_context():
        session = db.get_session()
        proposal = Proposal(version=1, status="new", **columns)
        session.add(proposal)
        session.commit()
        return proposal.id


def _accept(client, proposal_id: int, **data):
    page = client.get(f"/curate/proposals/{proposal_id}").get_data(as_text=True)
    return page, client.post(f"/curate/proposals/{proposal_id}/accept",
                             data={"version": form_version(page), **data})


def test_an_archived_copy_is_added_to_the_sources_with_a_revision(capp, people):
    with capp.app_context():
        session = db.get_session()
        claim = session.scalar(select(Claim).where(Claim.status == "published"))
        source = next(s for s in claim.sources if not s.archive_url)
        claim_id, version, url, source_id = claim.id, claim.version, source.url, source.id
        key = claim.key
    proposal_id = _proposal(capp, origin="wayback", kind="archive", source_url=url,
                            fingerprint="a" * 64,
                            payload={"identity": {"url": url}, "change": {
                                "field": "archive_url", "add": SNAPSHOT,
                                "source_ids": [source_id]}})
    grace = signed_in(capp, people["reviewer"])
    page, response = _accept(grace, proposal_id)
    assert "The archived copy is added to 1 source" in page and key in page
    assert response.status_code == 302
    with capp.app_context():
        session = db.get_session()
        claim = session.get(Claim, claim_id)
        assert [s.archive_url for s in claim.sources if s.id == source_id] == [SNAPSHOT]
        assert claim.version == version + 1
        revision = session.scalars(select(Revision).where(
            Revision.entity_type == "claim", Revision.entity_id == claim_id)
            .order_by(Revision.id.desc())).first()
        assert revision.comment == f"From proposal #{proposal_id} (wayback)"
        assert SNAPSHOT in str(revision.after["sources"])
        assert session.get(Proposal, proposal_id).status == "accepted"
    # The public record shows it at once: the snapshot was refreshed after the commit.
    export = capp.test_client().get("/api/v1/export.json").get_data(as_text=True)
    assert SNAPSHOT in export


def test_moderator_figures_go_through_the_platform_editor(capp, people):
    proposal_id = _proposal(capp, origin="dsa-reports", kind="moderators",
                            platform_slug=PLATFORM_SLUG, source_url=REPORT["url"],
                            fingerprint="m" * 64,
                            payload={"identity": {}, "change": {"field": "moderators",
                                                                "add": [ROW]}})
    grace = signed_in(capp, people["reviewer"])
    page, response = _accept(grace, proposal_id)
    assert "H1 2024" in page and "If accepted" in page
    assert response.status_code == 302
    with capp.app_context():
        platform = db.get_session().scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
        assert platform.moderators == [ROW]


def test_moderator_figures_of_a_live_platform_wait_for_review(capp, people):
    with capp.app_context():
        session = db.get_session()
        platform = session.scalar(select(Platform).join(Platform.claims)
                                  .where(Claim.status == "published").limit(1))
        slug, before = platform.slug, list(platform.moderators or [])
    proposal_id = _proposal(capp, origin="dsa-reports", kind="moderators", platform_slug=slug,
                            source_url=REPORT["url"], fingerprint="n" * 64,
                            payload={"identity": {}, "change": {"field": "moderators",
                                                                "add": [ROW]}})
    grace = signed_in(capp, people["reviewer"])
    page, response = _accept(grace, proposal_id)
    assert "waits for another curator's review" in page
    assert response.status_code == 302 and "/curate/changes/" in response.headers["Location"]
    with capp.app_context():
        session = db.get_session()
        assert session.scalar(select(Platform).where(Platform.slug == slug)).moderators == before
        change = session.scalar(select(PendingChange).order_by(PendingChange.id.desc()))
        assert change.status == "pending" and ROW in change.record["moderators"]
        assert session.get(Proposal, proposal_id).status == "accepted"


def test_figures_without_a_quote_cannot_be_applied_and_say_why(capp, people):
    row = {**ROW, "source": {**REPORT, "quote": ""}}
    proposal_id = _proposal(capp, origin="dsa-reports", kind="moderators",
                            platform_slug=PLATFORM_SLUG, fingerprint="q" * 64,
                            payload={"identity": {}, "change": {"field": "moderators",
                                                                "add": [row]}})
    grace = signed_in(capp, people["reviewer"])
    _page, response = _accept(grace, proposal_id)
    assert response.status_code == 302
    page = grace.get(response.headers["Location"]).get_data(as_text=True)
    assert "This proposal cannot be applied" in page
    with capp.app_context():
        session = db.get_session()
        assert session.get(Proposal, proposal_id).status == "new"
        platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
        assert not platform.moderators


def test_vendor_ids_are_set_through_the_vendor_editor_or_dismissed(capp, people):
    with capp.app_context():
        session = db.get_session()
        vendor = operations.create_vendor(session, {
            "slug": "test-vendor", "name": "Test Vendor", "hq_country": "KE",
            "website": "https://vendor.example/", "description": "A vendor for the tests."},
            user=session.get(User, people["curator"]))
        session.commit()
    change = {"field": "vendor_ids", "vendor": "test-vendor", "wikidata": "Q4242",
              "opencorporates": "ke/PVT-123"}
    accepted = _proposal(capp, origin="wikidata", kind="vendor_ids", fingerprint="v" * 64,
                         payload={"identity": {}, "change": change})
    dismissed = _proposal(capp, origin="wikidata", kind="vendor_ids", fingerprint="w" * 64,
                          payload={"identity": {}, "change": {**change, "wikidata": "Q1"}})
    grace = signed_in(capp, people["reviewer"])
    page, response = _accept(grace, accepted)
    assert "Q4242" in page and response.status_code == 302
    page = grace.get(f"/curate/proposals/{dismissed}").get_data(as_text=True)
    response = grace.post(f"/curate/proposals/{dismissed}/dismiss",
                          data={"version": form_version(page), "note": "Another company."})
    assert response.status_code == 302
    with capp.app_context():
        session = db.get_session()
        vendor = session.scalar(select(Vendor).where(Vendor.slug == "test-vendor"))
        assert (vendor.wikidata, vendor.opencorporates) == ("Q4242", "ke/PVT-123")
        assert vendor.version == 2
        assert session.get(Proposal, dismissed).status == "dismissed"
        assert session.get(Proposal, dismissed).note == "Another company."

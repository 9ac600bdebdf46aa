"""Changes to what the public sees wait for review: the live version stays live meanwhile.

Edits, restores and retractions of a published claim, and edits of a platform or vendor that a
published claim stands on, become PendingChanges when BTF_REVIEW_REQUIRED is on; a second
curator publishes them through the same write path as a direct edit.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server import db, operations
from server.models import Claim, PendingChange, Platform, Revision, User, Vendor
from server.records import claim_record, platform_record, vendor_record

from .helpers import (
    PLATFORM_HOST,
    PLATFORM_SLUG,
    a_claim,
    claim_form,
    form_version,
    signed_in,
    stored_claim,
)


def _publish_claim(app, people, **overrides) -> int:
    return stored_claim(app, people, published=True, **overrides)


def _public_summary(app) -> str:
    detail = app.test_client().get(f"/api/v1/platforms/{PLATFORM_SLUG}").get_json()
    return detail["claims"][0]["summary"]


def _pending(app) -> list[PendingChange]:
    with app.app_context():
        session = db.get_session()
        changes = list(session.scalars(select(PendingChange).order_by(PendingChange.id)))
        session.expunge_all()
        return changes


def _edit(client, claim_id: int, **changes):
    page = client.get(f"/curate/claims/{claim_id}/edit").get_data(as_text=True)
    with client.application.app_context():
        record = claim_record(db.get_session().get(Claim, claim_id))
    return client.post(f"/curate/claims/{claim_id}/edit",
                       data=claim_form({**record, **changes}, version=form_version(page)))


def _change_form(client, change_id: int) -> tuple[str, str]:
    page = client.get(f"/curate/changes/{change_id}").get_data(as_text=True)
    match = re.search(r'name="version" value="(\d+)"', page)
    return page, match.group(1) if match else ""


def test_a_published_claim_stays_live_while_its_edit_waits(capp, people):
    claim_id = _publish_claim(capp, people)
    ada = signed_in(capp, people["curator"])
    index_before = capp.test_client().get("/api/v1/index").get_json()

    response = _edit(ada, claim_id, summary="A corrected summary of the moderators' work.")
    assert response.status_code == 302 and "/curate/changes/" in response.location

    # Nothing public moved: the index, the platform detail and the claim are as they were.
    assert capp.test_client().get("/api/v1/index").get_json() == index_before
    assert _public_summary(capp) == a_claim()["summary"]
    with capp.app_context():
        claim = db.get_session().get(Claim, claim_id)
        assert (claim.status, claim.version, claim.summary) == \
            ("published", 3, a_claim()["summary"])
    [change] = _pending(capp)
    assert (change.entity_type, change.entity_id, change.base_version, change.status) == \
        ("claim", claim_id, 3, "pending")
    assert change.record["summary"] == "A corrected summary of the moderators' work."

    # The author is not offered to publish it, cannot force it, and may withdraw it.
    page, version = _change_form(ada, change.id)
    assert "Publish this change" not in page and "Withdraw this change" in page
    assert ada.post(f"/curate/changes/{change.id}/publish",
                    data={"version": version}).status_code == 403
    assert _public_summary(capp) == a_claim()["summary"]

    # Another curator sees it in the queue with its diff, and publishes it.
    grace = signed_in(capp, people["reviewer"])
    assert f"/curate/changes/{change.id}" in grace.get("/curate/reviews").get_data(as_text=True)
    page, version = _change_form(grace, change.id)
    assert "Withdraw this change" not in page and "Publish this change" in page
    assert re.search(r"<ins>[^<]*corrected", page)
    assert "French not updated" in page  # the English changed, the French did not
    assert a_claim()["translations"]["fr"] in page
    response = grace.post(f"/curate/changes/{change.id}/publish", data={"version": version})
    assert response.status_code == 302

    assert _public_summary(capp) == "A corrected summary of the moderators' work."
    with capp.app_context():
        session = db.get_session()
        claim = session.get(Claim, claim_id)
        assert (claim.status, claim.version) == ("published", 4)
        last = session.scalar(select(Revision).where(Revision.entity_type == "claim",
                                                     Revision.entity_id == claim_id)
                              .order_by(Revision.id.desc()).limit(1))
        assert (last.action, last.version, last.user_id) == ("update", 4, people["curator"])
        assert last.before["summary"] == a_claim()["summary"]
        assert "Grace Reviewer" in last.comment
    assert [c.status for c in _pending(capp)] == ["published"]


def test_the_french_flag_is_off_when_both_languages_changed(capp, people):
    claim_id = _publish_claim(capp, people)
    ada = signed_in(capp, people["curator"])
    _edit(ada, claim_id, summary="A new English summary.",
          translations={"fr": "Un nouveau resume en francais."})
    [change] = _pending(capp)
    page, _version = _change_form(signed_in(capp, people["reviewer"]), change.id)
    assert "French not updated" not in page
    assert "Un nouveau resume en francais." in re.sub(r"<[^>]+>", "", page)


def test_rejecting_or_sending_back_leaves_the_live_claim(capp, people):
    claim_id = _publish_claim(capp, people)
    ada = signed_in(capp, people["curator"])
    grace = signed_in(capp, people["reviewer"])
    for endpoint in ("reject", "request-changes"):
        _edit(ada, claim_id, summary=f"A change to {endpoint}.")
        change = _pending(capp)[-1]
        _page, version = _change_form(grace, change.id)
        # A reason is required.
        grace.post(f"/curate/changes/{change.id}/{endpoint}", data={"version": version})
        assert _pending(capp)[-1].status == "pending"
        response = grace.post(f"/curate/changes/{change.id}/{endpoint}",
                              data={"version": version, "comment": "Not what the source says."})
        assert response.status_code == 302
        assert _public_summary(capp) == a_claim()["summary"]
    assert [c.status for c in _pending(capp)] == ["rejected", "changes_requested"]
    with capp.app_context():
        assert db.get_session().get(Claim, claim_id).version == 3


def test_a_change_made_on_an_older_version_is_a_conflict_showing_both(capp, people):
    claim_id = _publish_claim(capp, people)
    ada = signed_in(capp, people["curator"])
    _edit(ada, claim_id, summary="Ada's wording of the summary.")
    [change] = _pending(capp)
    # Meanwhile the live claim moves on (review off for a moment: a direct edit).
    capp.config["BTF_REVIEW_REQUIRED"] = False
    _edit(signed_in(capp, people["reviewer"]), claim_id, summary="Grace's direct fix.")
    capp.config["BTF_REVIEW_REQUIRED"] = True
    grace = signed_in(capp, people["reviewer"])
    page, version = _change_form(grace, change.id)
    assert "cannot be published" in page
    response = grace.post(f"/curate/changes/{change.id}/publish", data={"version": version})
    assert response.status_code == 409
    text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    assert "Ada&#39;s wording" in text and "Grace&#39;s direct fix." in text
    assert _public_summary(capp) == "Grace's direct fix."
    assert _pending(capp)[0].status == "pending"


def test_the_author_withdraws_their_change_and_the_reviewer_cannot(capp, people):
    claim_id = _publish_claim(capp, people)
    ada = signed_in(capp, people["curator"])
    _edit(ada, claim_id, summary="Second thoughts.")
    [change] = _pending(capp)
    grace = signed_in(capp, people["reviewer"])
    _page, version = _change_form(grace, change.id)
    assert grace.post(f"/curate/changes/{change.id}/withdraw",
                      data={"version": version}).status_code == 403
    assert ada.post(f"/curate/changes/{change.id}/withdraw",
                    data={"version": version}).status_code == 302
    assert _pending(capp)[0].status == "withdrawn"
    assert _public_summary(capp) == a_claim()["summary"]


def test_restore_of_a_published_claim_waits_for_review(capp, people):
    claim_id = _publish_claim(capp, people)
    grace = signed_in(capp, people["reviewer"])
    with capp.app_context():
        session = db.get_session()
        first = session.scalar(select(Revision.id).where(
            Revision.entity_type == "claim", Revision.entity_id == claim_id)
            .order_by(Revision.id).limit(1))
        claim = session.get(Claim, claim_id)
        claim.status_comment = "An old reviewer comment."
        session.commit()
    url = f"/curate/claims/{claim_id}/revert/{first}"
    # A confirmation page first, with what will change and no stale comment.
    page = grace.get(url).get_data(as_text=True)
    assert "What will change" in page and "draft" in page
    assert "An old reviewer comment." not in page
    assert "another curator publishes it" in page
    response = grace.post(url, data={"version": form_version(page)})
    assert response.status_code == 302 and "/curate/changes/" in response.location
    # Still published and public; the restore waits.
    assert _public_summary(capp) == a_claim()["summary"]
    [change] = _pending(capp)
    assert (change.action, change.record["status"], change.author_id) == \
        ("revert", "draft", people["reviewer"])
    # Its author cannot publish it; the other curator can, and only then it leaves.
    _page, version = _change_form(grace, change.id)
    assert grace.post(f"/curate/changes/{change.id}/publish",
                      data={"version": version}).status_code == 403
    ada = signed_in(capp, people["curator"])
    assert ada.post(f"/curate/changes/{change.id}/publish",
                    data={"version": version}).status_code == 302
    assert capp.test_client().get(f"/api/v1/platforms/{PLATFORM_SLUG}").status_code == 404
    with capp.app_context():
        claim = db.get_session().get(Claim, claim_id)
        assert (claim.status, claim.status_comment) == ("draft", None)


def test_undo_from_the_history_is_a_proposed_revert(capp, people):
    claim_id = _publish_claim(capp, people)
    grace = signed_in(capp, people["reviewer"])
    history = grace.get(f"/curate/claims/{claim_id}/history").get_data(as_text=True)
    undo = re.findall(r'href="(/curate/claims/\d+/revert/\d+\?undo=1)"', history)
    assert undo, "no Undo link in the history"
    page = grace.get(undo[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "Undo the change of version 3" in page
    response = grace.post(undo[0], data={"version": form_version(page), "undo": "1"})
    assert response.status_code == 302
    [change] = _pending(capp)
    assert (change.action, change.record["status"]) == ("revert", "pending")
    assert _public_summary(capp) == a_claim()["summary"]


def test_retraction_waits_for_a_second_curator(capp, people):
    claim_id = _publish_claim(capp, people)
    grace = signed_in(capp, people["reviewer"])
    page = grace.get(f"/curate/claims/{claim_id}").get_data(as_text=True)
    response = grace.post(f"/curate/claims/{claim_id}/retract",
                          data={"version": form_version(page), "comment": "Source withdrawn."})
    assert response.status_code == 302
    assert _public_summary(capp) == a_claim()["summary"]
    [change] = _pending(capp)
    assert change.action == "retract"
    ada = signed_in(capp, people["curator"])
    _page, version = _change_form(ada, change.id)
    assert ada.post(f"/curate/changes/{change.id}/publish",
                    data={"version": version}).status_code == 302
    assert capp.test_client().get(f"/api/v1/platforms/{PLATFORM_SLUG}").status_code == 404
    with capp.app_context():
        claim = db.get_session().get(Claim, claim_id)
        assert (claim.status, claim.status_comment) == ("retracted", "Source withdrawn.")


def test_a_domain_added_by_edit_answers_lookups_only_once_published(capp, people):
    _publish_claim(capp, people)
    public = capp.test_client()
    assert public.get(f"/api/v1/lookup?host=www.{PLATFORM_HOST}").status_code == 200
    assert public.get("/api/v1/lookup?host=www.testplatform-new.example").get_json() \
        .get("slug") is None
    with capp.app_context():
        session = db.get_session()
        platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
        record = platform_record(platform)
        result = operations.update_platform(
            session, platform, {**record, "domains": [*record["domains"],
                                                      "testplatform-new.example"]},
            user=session.get(User, people["curator"]), expected_version=platform.version)
        session.commit()
        assert isinstance(result, PendingChange)
        change_id = result.id
    assert public.get("/api/v1/lookup?host=www.testplatform-new.example").get_json() \
        .get("slug") is None
    ada = signed_in(capp, people["curator"])
    _page, version = _change_form(ada, change_id)
    assert ada.post(f"/curate/changes/{change_id}/publish",
                    data={"version": version}).status_code == 403
    grace = signed_in(capp, people["reviewer"])
    assert grace.post(f"/curate/changes/{change_id}/publish",
                      data={"version": version}).status_code == 302
    lookup = public.get("/api/v1/lookup?host=www.testplatform-new.example").get_json()
    assert lookup["slug"] == PLATFORM_SLUG


def test_a_platform_form_edit_is_proposed_when_published_claims_stand_on_it(capp, people):
    _publish_claim(capp, people)
    ada = signed_in(capp, people["curator"])
    with capp.app_context():
        platform = db.get_session().scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
        platform_id = platform.id
    page = ada.get(f"/curate/platforms/{platform_id}/edit").get_data(as_text=True)
    response = ada.post(f"/curate/platforms/{platform_id}/edit", data={
        "version": form_version(page), "name": "Test Platform", "owner": "New Owner Ltd",
        "hq_country": "US", "description": "A platform for the tests.",
        "domains": PLATFORM_HOST})
    assert response.status_code == 302 and "/curate/changes/" in response.location
    assert capp.test_client().get(f"/api/v1/platforms/{PLATFORM_SLUG}").get_json()["owner"] \
        == "Test Owner Inc."


def test_a_vendor_named_by_a_published_claim_changes_only_after_review(capp, people):
    with capp.app_context():
        session = db.get_session()
        vendor = operations.create_vendor(session, {"slug": "test-vendor", "name": "Test Vendor"},
                                          user=session.get(User, people["curator"]))
        session.commit()
        vendor_id = vendor.id
    _publish_claim(capp, people, vendors=["test-vendor"])
    with capp.app_context():
        session = db.get_session()
        vendor = session.get(Vendor, vendor_id)
        result = operations.update_vendor(
            session, vendor, {**vendor_record(vendor), "name": "Renamed Vendor"},
            user=session.get(User, people["curator"]), expected_version=vendor.version)
        session.commit()
        assert isinstance(result, PendingChange)
        assert session.get(Vendor, vendor_id).name == "Test Vendor"
        with pytest.raises(operations.Forbidden):
            operations.publish_change(session, result, user=session.get(User, people["curator"]),
                                      expected_version=result.version)
        session.rollback()
        change = session.get(PendingChange, result.id)
        operations.publish_change(session, change, user=session.get(User, people["reviewer"]),
                                  expected_version=change.version)
        session.commit()
        assert session.get(Vendor, vendor_id).name == "Renamed Vendor"


def test_without_review_everything_applies_at_once(make_app, people_solo=None):
    app = make_app(WTF_CSRF_ENABLED=False, BTF_REVIEW_REQUIRED=False)
    from .helpers import make_user
    solo = make_user(app, "solo@example.org", "curator", "Solo Curator")
    with app.app_context():
        session = db.get_session()
        user = session.get(User, solo)
        operations.create_platform(session, {"slug": PLATFORM_SLUG, "name": "Test",
                                             "domains": [PLATFORM_HOST]}, user=user)
        claim = operations.create_claim(session, a_claim(), user=user)
        for action in ("submit", "publish"):
            operations.change_claim_status(session, claim, action, user=user,
                                           expected_version=claim.version)
        session.commit()
        claim_id = claim.id
    client = signed_in(app, solo)
    response = _edit(client, claim_id, summary="Fixed at once.")
    assert response.status_code == 302 and "/curate/claims/" in response.location
    assert _public_summary(app) == "Fixed at once."
    with app.app_context():
        session = db.get_session()
        claim = session.get(Claim, claim_id)
        first = session.scalar(select(Revision).where(
            Revision.entity_type == "claim", Revision.entity_id == claim_id)
            .order_by(Revision.id).limit(1))
        operations.revert(session, claim, first, user=session.get(User, solo),
                          expected_version=claim.version)
        session.commit()
        assert claim.status == "draft"
    assert _pending(app) == []

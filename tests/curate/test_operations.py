"""The operations layer: every write validated, versioned and logged; review and revert rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server import db, index, operations
from server.models import Claim, PendingChange, Platform, Proposal, Revision, User
from server.records import claim_record, platform_record, vendor_record

from .helpers import PLATFORM_SLUG, a_claim


@pytest.fixture
def ops(capp, people):
    """An app context with its session and the people as User objects."""
    with capp.app_context():
        session = db.get_session()
        users = {role: session.get(User, user_id) for role, user_id in people.items()}
        yield session, users


def _revisions(session, entity) -> list[Revision]:
    return list(session.scalars(
        select(Revision).where(Revision.entity_type == type(entity).__name__.lower(),
                               Revision.entity_id == entity.id).order_by(Revision.id)))


def _count_revisions(session) -> int:
    return session.scalar(select(func.count(Revision.id)))


def test_every_write_adds_exactly_one_revision_with_before_and_after(ops):
    session, users = ops
    curator, reviewer, admin = users["curator"], users["reviewer"], users["admin"]
    steps = []

    def step(name, write):
        start = _count_revisions(session)
        result = write()
        session.commit()
        steps.append((name, _count_revisions(session) - start))
        return result

    claim = step("create claim", lambda: operations.create_claim(session, a_claim(), user=curator))
    step("edit claim", lambda: operations.update_claim(
        session, claim, a_claim(summary="An edited summary."), user=curator,
        expected_version=claim.version))
    step("submit", lambda: operations.change_claim_status(
        session, claim, "submit", user=curator, expected_version=claim.version))
    step("publish", lambda: operations.change_claim_status(
        session, claim, "publish", user=reviewer, expected_version=claim.version))
    first = _revisions(session, claim)[0]
    # The claim is published: the restore waits as a change until another curator publishes
    # it, and only that writes the revision.
    change = operations.revert(session, claim, first, user=reviewer,
                               expected_version=claim.version)
    assert isinstance(change, PendingChange) and claim.status == "published"
    session.commit()
    step("revert", lambda: operations.publish_change(session, change, user=curator,
                                                     expected_version=change.version))
    vendor = step("create vendor", lambda: operations.create_vendor(
        session, {"slug": "test-vendor", "name": "Test Vendor"}, user=curator))
    step("edit vendor", lambda: operations.update_vendor(
        session, vendor, {"slug": "test-vendor", "name": "Test Vendor Ltd"}, user=curator,
        expected_version=vendor.version))
    platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
    step("edit platform", lambda: operations.update_platform(
        session, platform, {**platform_record(platform), "owner": "New Owner"}, user=curator,
        expected_version=platform.version))
    user = step("create user", lambda: operations.create_user(
        session, email="new@example.org", password="plum orchard at dusk", role="contributor",
        actor=admin))
    step("edit user", lambda: operations.update_user(
        session, user, actor=admin, expected_version=user.version, role="curator"))
    step("change password", lambda: operations.change_password(
        session, user, current_password="plum orchard at dusk",
        new_password="copper kettle under rain"))
    proposal = Proposal(origin="suggestion", kind="report", payload={"message": "x"},
                        fingerprint="f" * 64, status="new", version=1)
    session.add(proposal)
    session.commit()
    step("dismiss proposal", lambda: operations.dismiss_proposal(
        session, proposal, user=curator, expected_version=proposal.version, note="Not a lead."))

    assert steps == [(name, 1) for name, _ in steps]
    history = _revisions(session, claim)
    assert [r.action for r in history] == ["create", "update", "status", "status", "revert"]
    assert [r.version for r in history] == [1, 2, 3, 4, 5]
    assert history[1].before["summary"] == a_claim()["summary"]
    assert history[1].after["summary"] == "An edited summary."
    assert all(r.after == history[i + 1].before for i, r in enumerate(history[:-1]))
    assert "password_hash" not in str(_revisions(session, user)[-1].after)


def test_revert_restores_the_earlier_state_exactly(ops):
    session, users = ops
    curator = users["curator"]
    claim = operations.create_claim(session, a_claim(), user=curator)
    session.commit()
    original = claim_record(claim)
    operations.update_claim(
        session, claim,
        a_claim(summary="Changed.", translations={}, locations=[], workers=None,
                workers_basis=None, pay=None,
                platforms=[PLATFORM_SLUG, "facebook"], vendors=["sama"],
                sources=[{**a_claim()["sources"][0], "url": "https://other.example/"},
                         {**a_claim()["sources"][0], "title": "A second source"}]),
        user=curator, expected_version=claim.version)
    session.commit()
    assert claim_record(claim) != original
    create = _revisions(session, claim)[0]
    operations.revert(session, claim, create, user=curator, expected_version=claim.version)
    session.commit()
    session.expire_all()
    reloaded = session.get(Claim, claim.id)
    assert claim_record(reloaded) == original == create.after
    last = _revisions(session, reloaded)[-1]
    assert (last.action, last.version, last.after) == ("revert", 3, original)
    assert "version 1" in last.comment


def test_platform_order_survives_a_reload(ops):
    session, users = ops
    # The second platform has the lower id: the order must come from the form, not from ids.
    claim = operations.create_claim(
        session, a_claim(platforms=[PLATFORM_SLUG, "facebook"]), user=users["curator"])
    session.commit()
    session.expire_all()
    assert [p.slug for p in session.get(Claim, claim.id).platforms] == [PLATFORM_SLUG, "facebook"]


def test_a_curator_cannot_publish_their_own_change(ops):
    session, users = ops
    claim = operations.create_claim(session, a_claim(), user=users["curator"])
    operations.change_claim_status(session, claim, "submit", user=users["curator"],
                                   expected_version=claim.version)
    session.commit()
    with pytest.raises(operations.Forbidden, match="another curator"):
        operations.change_claim_status(session, claim, "publish", user=users["curator"],
                                       expected_version=claim.version)
    session.rollback()
    assert "publish" not in operations.allowed_actions(users["curator"], claim)
    assert "publish" in operations.allowed_actions(users["reviewer"], claim)
    operations.change_claim_status(session, claim, "publish", user=users["reviewer"],
                                   expected_version=claim.version)
    session.commit()
    assert claim.status == "published"
    # The reviewer did not become the author: the last editor is still the curator.
    assert claim.updated_by_id == users["curator"].id


def test_submitting_someone_elses_draft_does_not_make_it_yours_to_publish(ops):
    session, users = ops
    claim = operations.create_claim(session, a_claim(), user=users["curator"])
    operations.change_claim_status(session, claim, "submit", user=users["contributor"],
                                   expected_version=claim.version)
    session.commit()
    with pytest.raises(operations.Forbidden):
        operations.change_claim_status(session, claim, "publish", user=users["curator"],
                                       expected_version=claim.version)


def test_without_review_required_a_curator_publishes_their_own_change(make_app):
    app = make_app(WTF_CSRF_ENABLED=False, BTF_REVIEW_REQUIRED=False)
    with app.app_context():
        session = db.get_session()
        curator = operations.create_user(session, email="solo@example.org",
                                         password="plum orchard at dusk", role="curator")
        operations.create_platform(session, {"slug": PLATFORM_SLUG, "name": "Test",
                                              "domains": ["testplatform.example"]}, user=curator)
        claim = operations.create_claim(session, a_claim(), user=curator)
        operations.change_claim_status(session, claim, "submit", user=curator,
                                       expected_version=claim.version)
        operations.change_claim_status(session, claim, "publish", user=curator,
                                       expected_version=claim.version)
        session.commit()
        assert claim.status == "published"
        # And an edit of a published claim stays published: no one else would review it.
        operations.update_claim(session, claim, a_claim(summary="Fixed a typo."), user=curator,
                                expected_version=claim.version)
        session.commit()
        assert claim.status == "published"


def test_with_review_an_edit_of_a_published_claim_waits_beside_the_live_one(ops):
    session, users = ops
    claim = operations.create_claim(session, a_claim(), user=users["curator"])
    for action, who in (("submit", "curator"), ("publish", "reviewer")):
        operations.change_claim_status(session, claim, action, user=users[who],
                                       expected_version=claim.version)
    session.commit()
    change = operations.update_claim(session, claim, a_claim(summary="A sneaky change."),
                                     user=users["reviewer"], expected_version=claim.version)
    session.commit()
    assert isinstance(change, PendingChange)
    assert (claim.status, claim.summary, claim.version) == ("published", a_claim()["summary"], 3)
    with pytest.raises(operations.Forbidden):
        operations.publish_change(session, change, user=users["reviewer"],
                                  expected_version=change.version)


def test_contributors_draft_and_submit_but_do_not_review(ops):
    session, users = ops
    contributor = users["contributor"]
    claim = operations.create_claim(session, a_claim(), user=contributor)
    operations.change_claim_status(session, claim, "submit", user=contributor,
                                   expected_version=claim.version)
    session.commit()
    for action in ("publish", "reject", "request_changes"):
        with pytest.raises(operations.Forbidden):
            operations.change_claim_status(session, claim, action, user=contributor,
                                           expected_version=claim.version, comment="x")
    with pytest.raises(operations.Forbidden):  # pending: not a contributor's to edit
        operations.update_claim(session, claim, a_claim(), user=contributor,
                                expected_version=claim.version)
    with pytest.raises(operations.Forbidden):
        operations.create_platform(session, {"slug": "x", "name": "X"}, user=contributor)


def test_review_comments_are_required_and_kept(ops):
    session, users = ops
    claim = operations.create_claim(session, a_claim(), user=users["contributor"])
    operations.change_claim_status(session, claim, "submit", user=users["contributor"],
                                   expected_version=claim.version)
    session.commit()
    with pytest.raises(operations.Invalid) as error:
        operations.change_claim_status(session, claim, "request_changes", user=users["curator"],
                                       expected_version=claim.version, comment="  ")
    assert "comment" in error.value.fields
    operations.change_claim_status(session, claim, "request_changes", user=users["curator"],
                                   expected_version=claim.version,
                                   comment="Quote the pay figure from the source.")
    session.commit()
    assert claim.status == "changes_requested"
    assert claim.status_comment == "Quote the pay figure from the source."
    assert _revisions(session, claim)[-1].comment == "Quote the pay figure from the source."
    # changes_requested -> edit -> pending again
    operations.update_claim(session, claim, a_claim(summary="Now with the figure."),
                            user=users["contributor"], expected_version=claim.version)
    operations.change_claim_status(session, claim, "submit", user=users["contributor"],
                                   expected_version=claim.version)
    operations.change_claim_status(session, claim, "reject", user=users["curator"],
                                   expected_version=claim.version, comment="Not sourced well.")
    session.commit()
    assert (claim.status, claim.status_comment) == ("rejected", "Not sourced well.")


def test_publish_and_retract_rebuild_the_public_index_at_once(ops, capp):
    session, users = ops
    claim = operations.create_claim(session, a_claim(), user=users["curator"])
    operations.change_claim_status(session, claim, "submit", user=users["curator"],
                                   expected_version=claim.version)
    session.commit()
    assert not operations.public_changed(session)
    operations.change_claim_status(session, claim, "publish", user=users["reviewer"],
                                   expected_version=claim.version)
    assert operations.public_changed(session)
    commit = operations.commit  # the one commit of every request and command
    commit(session)
    assert index.current().summaries[PLATFORM_SLUG]["total"] == 1
    change = operations.change_claim_status(session, claim, "retract", user=users["reviewer"],
                                            expected_version=claim.version,
                                            comment="Source withdrawn.")
    commit(session)
    assert index.current().summaries[PLATFORM_SLUG]["total"] == 1  # waits for review
    operations.publish_change(session, change, user=users["curator"],
                              expected_version=change.version)
    commit(session)
    assert PLATFORM_SLUG not in index.current().platforms


def test_a_stale_version_is_a_conflict_carrying_both_records(ops):
    session, users = ops
    claim = operations.create_claim(session, a_claim(), user=users["curator"])
    session.commit()
    operations.update_claim(session, claim, a_claim(summary="First save."),
                            user=users["curator"], expected_version=1)
    session.commit()
    with pytest.raises(operations.Conflict) as error:
        operations.update_claim(session, claim, a_claim(summary="Second save."),
                                user=users["reviewer"], expected_version=1)
    conflict = error.value
    assert (conflict.expected_version, conflict.current_version) == (1, 2)
    assert conflict.current["summary"] == "First save."
    assert conflict.submitted["summary"] == "Second save."
    session.rollback()
    assert session.get(Claim, claim.id).summary == "First save."


def test_claim_validation_reuses_the_dataset_rules(ops):
    session, users = ops
    bad = a_claim(id="Not A Slug", pay={"amount": "-1", "currency": "EURO", "per": "hour",
                                        "qualifier": "exact"},
                  observed={"start": "2024-13"}, platforms=[PLATFORM_SLUG, "no-such-platform"],
                  vendors=["no-such-vendor"],
                  sources=[{**a_claim()["sources"][0], "url": "javascript:alert(1)",
                            "quote": "word " * 41}])
    with pytest.raises(operations.Invalid) as error:
        operations.create_claim(session, bad, user=users["curator"])
    fields = error.value.fields
    assert set(fields) >= {"id", "pay", "observed"}
    assert set(fields["pay"]) == {"amount", "currency"}
    assert set(fields["sources"][0]) == {"url", "quote"}
    with pytest.raises(operations.Invalid) as error:
        operations.create_claim(session, a_claim(platforms=[PLATFORM_SLUG, "no-such-platform"],
                                                 vendors=["no-such-vendor"], sources=[]),
                                user=users["curator"])
    assert set(error.value.fields) == {"platforms", "vendors", "sources"}


@pytest.mark.parametrize("host, message", [
    ("com", "public suffix"),
    ("co.uk", "public suffix"),
    ("not a host", "not a valid host"),
    ("facebook.com", "already listed for Facebook"),
])
def test_platform_domains_are_checked(ops, host, message):
    session, users = ops
    platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
    with pytest.raises(operations.Invalid) as error:
        operations.update_platform(
            session, platform, {**platform_record(platform), "domains": ["ok-host.example", host]},
            user=users["curator"], expected_version=platform.version)
    assert message in " ".join(error.value.fields["domains"])


def test_platform_domains_are_normalised_and_deduplicated(ops):
    session, users = ops
    platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
    operations.update_platform(
        session, platform, {**platform_record(platform),
                            "domains": ["WWW.Example-Test.org", "www.example-test.org.",
                                        "testplatform.example"]},
        user=users["curator"], expected_version=platform.version)
    session.commit()
    assert platform_record(platform)["domains"] == ["testplatform.example",
                                                    "www.example-test.org"]


def test_vendor_slug_is_unique_and_website_http_only(ops):
    session, users = ops
    with pytest.raises(operations.Invalid) as error:
        operations.create_vendor(session, {"slug": "sama", "name": "Another Sama",
                                           "website": "ftp://files.example/"},
                                 user=users["curator"])
    assert set(error.value.fields) == {"website"}
    with pytest.raises(operations.Invalid) as error:
        operations.create_vendor(session, {"slug": "sama", "name": "Another Sama"},
                                 user=users["curator"])
    assert "slug" in error.value.fields
    vendor = operations.create_vendor(session, {"slug": "new-vendor", "name": "New"},
                                      user=users["curator"])
    assert vendor_record(vendor)["name"] == "New"


def test_the_last_admin_cannot_be_demoted_or_deactivated(ops):
    session, users = ops
    admin = users["admin"]
    for change in ({"role": "curator"}, {"active": False}):
        with pytest.raises(operations.Forbidden, match="no admin left"):
            operations.update_user(session, admin, actor=admin, expected_version=admin.version,
                                   **change)
        session.rollback()
    other = operations.create_user(session, email="second@example.org",
                                   password="plum orchard at dusk",
                                   role="admin", actor=admin)
    session.commit()
    operations.update_user(session, admin, actor=admin, expected_version=admin.version,
                           role="curator")
    session.commit()
    assert admin.role == "curator"
    with pytest.raises(operations.Forbidden):
        operations.update_user(session, other, actor=other, expected_version=other.version,
                               active=False)


def test_users_bad_input(ops):
    session, users = ops
    with pytest.raises(operations.Invalid) as error:
        operations.create_user(session, email="not-an-email", password="short", role="king")
    assert set(error.value.fields) == {"email", "password", "role"}
    with pytest.raises(operations.Invalid) as error:
        operations.create_user(session, email="ADA@example.org ", password="plum orchard at dusk")
    assert "already exists" in error.value.fields["email"][0]
    with pytest.raises(operations.Forbidden):
        operations.create_user(session, email="x@example.org", password="plum orchard at dusk",
                               actor=users["curator"])


def test_passwords_are_argon2id_and_rehashed_when_parameters_change(ops):
    session, users = ops
    from argon2 import PasswordHasher

    user = users["curator"]
    assert user.password_hash.startswith("$argon2id$")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(
        "a long enough password")
    session.commit()
    assert operations.authenticate(session, "ADA@example.org", "a long enough password") is user
    session.commit()
    assert "m=8," not in user.password_hash and user.password_hash.startswith("$argon2id$")
    assert operations.authenticate(session, "ada@example.org", "wrong password") is None
    assert operations.authenticate(session, "nobody@example.org", "a long enough password") \
        is None


def test_accepting_domain_and_owner_proposals_goes_through_the_platform_operation(ops):
    session, users = ops
    domain = Proposal(origin="wikidata", kind="domain", platform_slug=PLATFORM_SLUG,
                      host="test-platform-app.example", fingerprint="d" * 64, version=1,
                      payload={"identity": {}, "change": {"field": "domain",
                                                          "add": "test-platform-app.example"}})
    owner = Proposal(origin="wikidata", kind="owner", platform_slug=PLATFORM_SLUG,
                     fingerprint="o" * 64, version=1,
                     payload={"identity": {}, "change": {"field": "owner", "from": "Test Owner",
                                                         "to": "Test Holding plc"}})
    session.add_all([domain, owner])
    session.commit()
    for proposal in (domain, owner):
        operations.accept_proposal(session, proposal, user=users["curator"],
                                   expected_version=proposal.version)
    session.commit()
    platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
    assert "test-platform-app.example" in platform_record(platform)["domains"]
    assert platform.owner == "Test Holding plc"
    assert (domain.status, owner.status) == ("accepted", "accepted")
    assert domain.handled_by_id == users["curator"].id
    comments = [r.comment for r in _revisions(session, platform)]
    assert comments[-2:] == [f"From proposal #{domain.id} (wikidata)",
                             f"From proposal #{owner.id} (wikidata)"]
    with pytest.raises(operations.Forbidden, match="already accepted"):
        operations.accept_proposal(session, domain, user=users["curator"],
                                   expected_version=domain.version)


def test_a_claim_written_from_a_proposal_accepts_it(ops):
    session, users = ops
    proposal = Proposal(origin="suggestion", kind="report", platform_slug=PLATFORM_SLUG,
                        fingerprint="s" * 64, version=1,
                        payload={"kind": "missing", "message": "They outsource moderation."})
    session.add(proposal)
    session.commit()
    with pytest.raises(operations.Forbidden):
        operations.create_claim(session, a_claim(), user=users["contributor"], proposal=proposal,
                                proposal_version=1)
    session.rollback()
    claim = operations.create_claim(session, a_claim(), user=users["curator"], proposal=proposal,
                                    proposal_version=1)
    session.commit()
    assert claim.status == "draft"
    assert proposal.status == "accepted"
    assert claim.key in proposal.note
    with pytest.raises(operations.Invalid, match="Some fields"):
        operations.dismiss_proposal(session, _new_report(session), user=users["curator"],
                                    expected_version=1, note=" ")


def _new_report(session) -> Proposal:
    proposal = Proposal(origin="suggestion", kind="report", fingerprint="n" * 64, version=1,
                        payload={"message": "?"})
    session.add(proposal)
    session.flush()
    return proposal


def test_an_empty_public_id_gets_a_free_one(ops):
    session, users = ops
    first = operations.create_claim(session, a_claim(id=""), user=users["curator"])
    second = operations.create_claim(session, a_claim(id=""), user=users["curator"])
    assert first.key == "testplatform-moderation-2024"
    assert second.key == "testplatform-moderation-2024-2"

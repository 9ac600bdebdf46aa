"""Access control over every /curate route: each role gets exactly what it is allowed.

The table below names the least role of every (endpoint, method). A new /curate route without
an entry fails the test, so nobody adds a page without deciding who may use it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server import db, operations
from server.models import Claim, Platform, Proposal, Revision, User, Vendor
from server.records import platform_record

from .helpers import PLATFORM_SLUG, a_claim, signed_in

ANONYMOUS, CONTRIBUTOR, CURATOR, ADMIN = "anonymous", "contributor", "curator", "admin"
ROLES = (ANONYMOUS, CONTRIBUTOR, CURATOR, ADMIN)

EXPECTED = {
    ("curate.login", "GET"): ANONYMOUS,
    ("curate.login", "POST"): ANONYMOUS,
    ("curate.logout", "POST"): CONTRIBUTOR,
    ("curate.password", "GET"): CONTRIBUTOR,
    ("curate.password", "POST"): CONTRIBUTOR,
    ("curate.dashboard", "GET"): CONTRIBUTOR,
    ("curate.broken_sources", "GET"): CONTRIBUTOR,
    ("curate.stale_claims", "GET"): CONTRIBUTOR,
    ("curate.claims", "GET"): CONTRIBUTOR,
    ("curate.claim", "GET"): CONTRIBUTOR,
    ("curate.claim_new", "GET"): CONTRIBUTOR,
    ("curate.claim_new", "POST"): CONTRIBUTOR,
    ("curate.claim_edit", "GET"): CONTRIBUTOR,
    ("curate.claim_edit", "POST"): CONTRIBUTOR,
    ("curate.claim_history", "GET"): CONTRIBUTOR,
    ("curate.claim_submit", "POST"): CONTRIBUTOR,
    ("curate.claim_withdraw", "POST"): CONTRIBUTOR,
    ("curate.claim_publish", "POST"): CURATOR,
    ("curate.claim_request_changes", "POST"): CURATOR,
    ("curate.claim_reject", "POST"): CURATOR,
    ("curate.claim_retract", "POST"): CURATOR,
    ("curate.claim_reopen", "POST"): CURATOR,
    ("curate.claim_revert", "GET"): CURATOR,
    ("curate.claim_revert", "POST"): CURATOR,
    ("curate.platforms", "GET"): CONTRIBUTOR,
    ("curate.platform", "GET"): CONTRIBUTOR,
    ("curate.platform_history", "GET"): CONTRIBUTOR,
    ("curate.platform_new", "GET"): CURATOR,
    ("curate.platform_new", "POST"): CURATOR,
    ("curate.platform_edit", "GET"): CURATOR,
    ("curate.platform_edit", "POST"): CURATOR,
    ("curate.platform_revert", "GET"): CURATOR,
    ("curate.platform_revert", "POST"): CURATOR,
    ("curate.vendors", "GET"): CONTRIBUTOR,
    ("curate.vendor", "GET"): CONTRIBUTOR,
    ("curate.vendor_history", "GET"): CONTRIBUTOR,
    ("curate.vendor_new", "GET"): CURATOR,
    ("curate.vendor_new", "POST"): CURATOR,
    ("curate.vendor_edit", "GET"): CURATOR,
    ("curate.vendor_edit", "POST"): CURATOR,
    ("curate.vendor_revert", "GET"): CURATOR,
    ("curate.vendor_revert", "POST"): CURATOR,
    ("curate.reviews", "GET"): CURATOR,
    ("curate.change", "GET"): CURATOR,
    ("curate.change_publish", "POST"): CURATOR,
    ("curate.change_reject", "POST"): CURATOR,
    ("curate.change_request_changes", "POST"): CURATOR,
    ("curate.change_withdraw", "POST"): CURATOR,
    ("curate.proposals", "GET"): CURATOR,
    ("curate.proposal", "GET"): CURATOR,
    ("curate.proposal_accept", "POST"): CURATOR,
    ("curate.proposal_dismiss", "POST"): CURATOR,
    ("curate.users", "GET"): ADMIN,
    ("curate.user_new", "GET"): ADMIN,
    ("curate.user_new", "POST"): ADMIN,
    ("curate.user_edit", "GET"): ADMIN,
    ("curate.user_edit", "POST"): ADMIN,
    ("curate.export", "GET"): ADMIN,
    ("curate.import_upload", "GET"): ADMIN,
    ("curate.import_upload", "POST"): ADMIN,
    ("curate.import_confirm", "POST"): ADMIN,
}


def _curate_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/curate"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


@pytest.fixture
def targets(capp, people):
    """One entry of each kind for the URLs, and a revision of each: ids by URL argument."""
    with capp.app_context():
        session = db.get_session()
        contributor = session.get(User, people["contributor"])
        claim = operations.create_claim(session, a_claim(), user=contributor)
        proposal = Proposal(origin="suggestion", kind="report", fingerprint="a" * 64, version=1,
                            payload={"kind": "missing", "message": "A missing platform."})
        session.add(proposal)
        session.commit()
        platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
        vendor = session.scalar(select(Vendor).order_by(Vendor.id))
        # A change waiting for review, to a platform a published claim stands on.
        curator = session.get(User, people["curator"])
        published = operations.create_claim(session, a_claim(id="published-one"), user=curator)
        for action, who in (("submit", "curator"), ("publish", "reviewer")):
            operations.change_claim_status(session, published, action,
                                           user=session.get(User, people[who]),
                                           expected_version=published.version)
        change = operations.update_platform(
            session, platform, {**platform_record(platform), "owner": "Someone Else"},
            user=curator, expected_version=platform.version)
        session.commit()

        def revision(kind, entity_id):
            return session.scalar(select(Revision.id).where(
                Revision.entity_type == kind, Revision.entity_id == entity_id))

        return {
            "claim_id": claim.id, "platform_id": platform.id, "vendor_id": vendor.id,
            "user_id": people["contributor"], "proposal_id": proposal.id,
            "change_id": change.id,
            "revision_id": {"claim": revision("claim", claim.id),
                            "platform": revision("platform", platform.id),
                            "vendor": revision("vendor", vendor.id)},
        }


def _url(rule, targets) -> str:
    values = {}
    for name in rule.arguments:
        value = targets[name]
        if name == "revision_id":
            value = value[rule.endpoint.split(".")[1].split("_")[0]]
        values[name] = value
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value))
    return path


def _client(capp, people, role):
    if role == ANONYMOUS:
        return capp.test_client()
    return signed_in(capp, people[role])


def test_every_curate_route_is_in_the_table(capp):
    found = {(rule.endpoint, method) for rule, method in _curate_rules(capp)}
    assert found - set(EXPECTED) == set(), "a /curate route has no access entry: add one"
    assert set(EXPECTED) - found == set(), "the table names a route that does not exist"


def test_every_view_but_sign_in_declares_its_role(capp):
    for rule, method in _curate_rules(capp):
        if rule.endpoint != "curate.login":
            view = capp.view_functions[rule.endpoint]
            assert getattr(view, "required_role", None) == EXPECTED[(rule.endpoint, method)]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_is_allowed(capp, people, targets, role):
    rank = ROLES.index(role)
    problems = []
    for rule, method in sorted(_curate_rules(capp), key=lambda item: item[0].rule):
        least = EXPECTED[(rule.endpoint, method)]
        url = _url(rule, targets)
        client = _client(capp, people, role)
        response = client.open(url, method=method, data={})
        location = response.headers.get("Location", "")
        to_login = response.status_code == 302 and location.startswith("/curate/login")
        allowed = rank >= ROLES.index(least)
        if allowed:
            ok = response.status_code not in (401, 403, 404, 405) \
                and response.status_code < 500 \
                and (not to_login or rule.endpoint in ("curate.logout", "curate.login"))
        elif role == ANONYMOUS:
            # Never a curator page for an anonymous visitor: to the sign-in page, or refused.
            ok = to_login if method == "GET" else response.status_code in (401, 403) or to_login
            if method == "GET":
                ok = ok and "next=" in location
        else:
            ok = response.status_code == 403
        if not ok:
            problems.append(f"{role} {method} {url} ({rule.endpoint}, needs {least}): "
                            f"{response.status_code} {location}")
    assert problems == []


def test_an_anonymous_visitor_sees_no_curator_content(capp, people, targets):
    client = capp.test_client()
    for url in ("/curate/", f"/curate/claims/{targets['claim_id']}",
                f"/curate/claims/{targets['claim_id']}/history", "/curate/admin/export",
                "/curate/proposals"):
        response = client.get(url, follow_redirects=True)
        assert response.request.path == "/curate/login"
        assert b"testplatform-moderators-2024" not in response.data
        assert b"Sign in" in response.data


def test_a_deactivated_user_is_signed_out_at_once(capp, people):
    client = signed_in(capp, people["curator"])
    assert client.get("/curate/").status_code == 200
    with capp.app_context():
        session = db.get_session()
        admin = session.get(User, people["admin"])
        target = session.get(User, people["curator"])
        operations.update_user(session, target, actor=admin, expected_version=target.version,
                               active=False)
        session.commit()
    response = client.get("/curate/")
    assert response.status_code == 302 and response.location.startswith("/curate/login")


def test_contributors_cannot_edit_a_claim_under_review(capp, people, targets):
    client = signed_in(capp, people["contributor"])
    claim_id = targets["claim_id"]
    with capp.app_context():
        version = db.get_session().get(Claim, claim_id).version
    assert client.post(f"/curate/claims/{claim_id}/submit",
                       data={"version": version}).status_code == 302
    assert client.get(f"/curate/claims/{claim_id}/edit").status_code == 403
    curator = signed_in(capp, people["curator"])
    assert curator.get(f"/curate/claims/{claim_id}/edit").status_code == 200

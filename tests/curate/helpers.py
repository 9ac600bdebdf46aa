"""Helpers of the curators' workspace tests: accounts, signed-in clients, claim form data."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from server import db, operations
from server.models import Claim, Platform, User

PASSWORD = "a long enough password"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PLATFORM_SLUG = "testplatform"
PLATFORM_HOST = "testplatform.example"


def make_user(app, email: str, role: str, name: str | None = None) -> int:
    with app.app_context():
        session = db.get_session()
        user = operations.create_user(session, email=email, password=PASSWORD, role=role,
                                      display_name=name or email.split("@")[0])
        session.commit()
        return user.id


def signed_in(app, user_id: int):
    """A test client whose session is signed in as the user (as a sign-in would leave it)."""
    with app.app_context():
        session = db.get_session()
        user = session.get(User, user_id)
        if not user.session_token:
            operations.new_session_token(user)
            session.commit()
        fingerprint = operations.password_fingerprint(user)
        token = user.session_token
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["btf_auth"] = fingerprint
        session["btf_token"] = token
    return client


def sign_in(client, email: str, password: str = PASSWORD, **data: str):
    return client.post("/curate/login", data={"email": email, "password": password, **data})


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def form_version(html: str) -> str:
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', html)
    assert match, "no version field in the page"
    return match.group(1)


def a_claim(**overrides: Any) -> dict[str, Any]:
    """A valid claim record on the test platform, with one source."""
    record = {
        "id": "testplatform-moderators-2024",
        "kind": "moderation",
        "summary": "A test newspaper reported that outsourced moderators review the platform.",
        "translations": {"fr": "Un journal de test rapporte que des moderateurs externes."},
        "platforms": [PLATFORM_SLUG],
        "vendors": [],
        "locations": [{"country": "KE", "city": "Nairobi"}],
        "workers": 200,
        "workers_basis": "contracted",
        "pay": {"amount": 2.2, "currency": "USD", "per": "hour", "qualifier": "about"},
        "observed": {"start": "2024-03", "end": None},
        "evidence": "investigative_journalism",
        "last_verified": "2025-01-15",
        "sources": [{
            "url": "https://news.example/moderators",
            "title": "The people who moderate the test platform",
            "publisher": "Test Daily",
            "published": "2024-03-02",
            "quote": "about two hundred moderators work in Nairobi",
            "language": "en",
            "is_copy": False,
        }],
        "responses": [],
    }
    record.update(overrides)
    return record


def claim_form(record: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The POST data of the claim form for a record, as a browser sends it."""
    pay = record.get("pay") or {}
    observed = record.get("observed") or {}
    platforms = record.get("platforms") or []
    data: dict[str, Any] = {
        "key": record.get("id", ""),
        "kind": record["kind"],
        "summary": record["summary"],
        "summary_fr": (record.get("translations") or {}).get("fr", ""),
        "main_platform": platforms[0] if platforms else "",
        "other_platforms": platforms[1:],
        "workers_basis": record.get("workers_basis") or "",
        "workers": "" if record.get("workers") is None else str(record["workers"]),
        "pay_amount": str(pay.get("amount", "")),
        "pay_currency": pay.get("currency", ""),
        "pay_per": pay.get("per", ""),
        "pay_qualifier": pay.get("qualifier", ""),
        "observed_start": observed.get("start") or "",
        "observed_end": observed.get("end") or "",
        "evidence": record["evidence"],
        "last_verified": record.get("last_verified") or "",
        "save": "1",
    }
    for n, vendor in enumerate(record.get("vendors") or [""]):
        data[f"vendors-{n}"] = vendor
    for n, response in enumerate(record.get("responses") or []):
        source = response["source"]
        data.update({f"responses-{n}-by": response["by"],
                     f"responses-{n}-summary": response["summary"],
                     f"responses-{n}-summary_fr": (response.get("translations") or {})
                     .get("fr", "")})
        for name in ("url", "title", "publisher", "published", "quote", "language",
                     "archive_url"):
            data[f"responses-{n}-{name}"] = source.get(name) or ""
        if source.get("is_copy"):
            data[f"responses-{n}-is_copy"] = "y"
    for n, location in enumerate(record.get("locations") or []):
        data[f"locations-{n}-country"] = location["country"]
        data[f"locations-{n}-city"] = location.get("city") or ""
    for n, source in enumerate(record.get("sources") or []):
        for name in ("url", "title", "publisher", "published", "quote", "language",
                     "archive_url"):
            data[f"sources-{n}-{name}"] = source.get(name) or ""
        if source.get("is_copy"):
            data[f"sources-{n}-is_copy"] = "y"
    data.update(extra)
    return data


def claim_by_key(app, key: str) -> Claim | None:
    with app.app_context():
        return db.get_session().scalar(select(Claim).where(Claim.key == key))


def platform_id(app, slug: str = PLATFORM_SLUG) -> int:
    with app.app_context():
        return db.get_session().scalar(select(Platform.id).where(Platform.slug == slug))


def stored_claim(app, people: dict[str, int], *, published: bool = False,
                 **overrides: Any) -> int:
    """A claim made by the curator through the operations (a draft), or, with `published`,
    submitted by them and published by the reviewer; its id."""
    with app.app_context():
        session = db.get_session()
        claim = operations.create_claim(session, a_claim(**overrides),
                                        user=session.get(User, people["curator"]))
        if published:
            for action, who in (("submit", "curator"), ("publish", "reviewer")):
                operations.change_claim_status(session, claim, action,
                                               user=session.get(User, people[who]),
                                               expected_version=claim.version)
        session.commit()
        return claim.id

"""Fixtures of the curators' workspace tests: an app (CSRF off unless a test needs it on), its
people in each role, and a platform of its own to write claims about."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from server import db, operations
from server.models import User
from server.operations import users as user_operations

from .helpers import PLATFORM_HOST, PLATFORM_SLUG, make_user


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch):
    """argon2id still, with small parameters: the suite makes many accounts."""
    monkeypatch.setattr(user_operations, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def capp(make_app):
    """The app on a fresh seeded database, with CSRF checks off (tests/curate/test_auth.py has
    the tests that keep them on)."""
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def people(capp):
    """User ids by role; `reviewer` is a second curator."""
    ids = {
        "contributor": make_user(capp, "carla@example.org", "contributor", "Carla Contributor"),
        "curator": make_user(capp, "ada@example.org", "curator", "Ada Curator"),
        "reviewer": make_user(capp, "grace@example.org", "curator", "Grace Reviewer"),
        "admin": make_user(capp, "root@example.org", "admin", "Alex Admin"),
    }
    with capp.app_context():
        session = db.get_session()
        operations.create_platform(session, {
            "slug": PLATFORM_SLUG, "name": "Test Platform", "owner": "Test Owner Inc.",
            "hq_country": "US", "description": "A platform for the tests.",
            "domains": [PLATFORM_HOST],
        }, user=session.get(User, ids["curator"]))
        session.commit()
    return ids

"""After a commit that changes the public record, the snapshot is refreshed by one background
worker per process: the committing request returns at once and the public files and API follow
within a moment (`index.wait_for_refresh`)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from curate.helpers import make_user
from sqlalchemy import select

from server import db, index, operations
from server.models import Claim, User


def _retract_one(app, curator: int) -> str:
    """A curator retracts a published Facebook claim (review off: it leaves the record now)."""
    session = db.get_session()
    claim = session.scalars(select(Claim).where(Claim.status == "published")
                            .where(Claim.platforms.any(slug="facebook"))
                            .order_by(Claim.key)).first()
    operations.change_claim_status(session, claim, "retract", user=session.get(User, curator),
                                   expected_version=claim.version, comment="Source withdrawn.")
    operations.commit(session)
    return claim.key


def _facebook_total(client) -> int:
    return client.get("/api/v1/index").get_json()["platforms"]["facebook"]["total"]


def test_a_publish_returns_before_the_refresh_and_the_public_record_follows(make_app):
    app = make_app(BTF_SNAPSHOT_REFRESH="background", BTF_REVIEW_REQUIRED=False)
    curator = make_user(app, "ada@example.org", "curator", "Ada Curator")
    client = app.test_client()
    holder = app.extensions["btf_snapshot"]
    assert holder.background
    total = _facebook_total(client)
    public = Path(app.config["BTF_PUBLIC_DIR"])

    # Hold the refresh back (as a slow rebuild would) while the commit runs.
    holder._lock.acquire()
    try:
        with app.app_context():
            started = time.monotonic()
            key = _retract_one(app, curator)
            assert time.monotonic() - started < 5, "the commit waited for the refresh"
        # Readers are not held either: they get the snapshot they had.
        assert _facebook_total(client) == total
        assert not holder.wait_for_refresh(timeout=0.2)
    finally:
        holder._lock.release()

    with app.app_context():
        assert index.wait_for_refresh(timeout=30)
    assert _facebook_total(client) == total - 1
    export = json.loads((public / "export.json").read_bytes())
    assert key not in {c["id"] for c in export["claims"]}
    assert json.loads((public / "index.json").read_bytes())["platforms"]["facebook"]["total"] \
        == total - 1
    assert client.get("/api/v1/export.json").data == (public / "export.json").read_bytes()


def test_commits_in_a_burst_are_coalesced_and_all_reach_the_record(make_app):
    app = make_app(BTF_SNAPSHOT_REFRESH="background", BTF_REVIEW_REQUIRED=False)
    curator = make_user(app, "ada@example.org", "curator", "Ada Curator")
    client = app.test_client()
    holder = app.extensions["btf_snapshot"]
    total = _facebook_total(client)
    refreshes = holder.stats["patches"] + holder.stats["builds"]

    holder._lock.acquire()
    try:
        keys = []
        for _ in range(3):
            with app.app_context():
                keys.append(_retract_one(app, curator))
    finally:
        holder._lock.release()
    with app.app_context():
        assert index.wait_for_refresh(timeout=30)
    assert _facebook_total(client) == total - 3
    exported = {c["id"] for c in client.get("/api/v1/export.json").get_json()["claims"]}
    assert not exported.intersection(keys)
    # Three commits, at most two refreshes: the one that was waiting and one for the rest.
    assert holder.stats["patches"] + holder.stats["builds"] - refreshes <= 2


def test_sync_mode_refreshes_before_the_commit_returns(make_app):
    app = make_app(BTF_SNAPSHOT_REFRESH="sync", BTF_REVIEW_REQUIRED=False)
    curator = make_user(app, "ada@example.org", "curator", "Ada Curator")
    client = app.test_client()
    total = _facebook_total(client)
    with app.app_context():
        _retract_one(app, curator)
        assert app.extensions["btf_snapshot"]._worker is None  # no worker was started
    assert _facebook_total(client) == total - 1

"""Two app hosts on one database, each with its own public folder: a publish on one reaches the
other through the database (the publications table), not through a shared folder."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from sqlalchemy import select

from server import index
from server.models import Claim
from server.records import claim_record
from server.revisions import record_revision

from .conftest import gunicorn, service_env

WITHIN_SECONDS = 5.0


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read()


def test_two_hosts_with_separate_folders_learn_of_a_publish(app, db_session, tmp_path):
    app.test_client().get("/api/v1/index")
    folders = [tmp_path / "host-a", tmp_path / "host-b"]
    with gunicorn(service_env(app, BTF_PUBLIC_DIR=str(folders[0])), workers=1) as (a, _), \
            gunicorn(service_env(app, BTF_PUBLIC_DIR=str(folders[1])), workers=1) as (b, _):
        before = _get(f"{a}/api/v1/index")
        assert _get(f"{b}/api/v1/index") == before

        claim = db_session.scalars(select(Claim).where(Claim.status == "published")
                                   .where(Claim.platforms.any(slug="facebook"))
                                   .order_by(Claim.key)).first()
        record = claim_record(claim)
        claim.status = "retracted"
        claim.version += 1
        db_session.flush()
        record_revision(db_session, claim, "status", record, claim_record(claim))
        db_session.commit()
        published_at = time.monotonic()
        expected = index.rebuild(db_session).index_body  # the publishing host (this process)
        assert expected != before

        for base, folder in zip((a, b), folders, strict=True):
            while (body := _get(f"{base}/api/v1/index")) != expected:
                assert body == before
                assert time.monotonic() - published_at < WITHIN_SECONDS, f"{base} never heard"
                time.sleep(0.1)
            assert (folder / "index.json").read_bytes() == expected
            export = json.loads((folder / "export.json").read_bytes())
            assert claim.key not in {c["id"] for c in export["claims"]}
            lookup = json.loads(_get(f"{base}/api/v1/lookup?host=facebook.com"))
            assert lookup["total"] == json.loads(expected)["platforms"]["facebook"]["total"]
        assert not Path(app.config["BTF_PUBLIC_DIR"]).samefile(folders[0])

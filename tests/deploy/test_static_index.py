"""The index as static files: written on every publish to BTF_PUBLIC_DIR, byte for byte what the
API serves, picked up by every other worker without a restart or a database query, and served by
nginx with the configuration of docs/deployment.md."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import event, select

from server import create_app, index
from server.models import Claim
from server.records import claim_record
from server.revisions import record_revision

from .conftest import ROOT, free_port, gunicorn, service_env

RELOAD_WITHIN_SECONDS = 3.0


def _files(app) -> Path:
    return Path(app.config["BTF_PUBLIC_DIR"])


def _unpublish_one_claim(session, platform: str = "facebook") -> Claim:
    """Retract a claim with its revision, as the curators' operations write it."""
    claim = session.scalars(
        select(Claim).where(Claim.status == "published")
        .where(Claim.platforms.any(slug=platform)).order_by(Claim.id)).first()
    before = claim_record(claim)
    claim.status = "retracted"
    claim.version += 1
    session.flush()
    record_revision(session, claim, "status", before, claim_record(claim))
    session.commit()
    return claim


def _another_worker(app, public_dir: Path | None = None):
    """A second app on the same database, as a second gunicorn worker or another host is."""
    keys = ("TESTING", "SQLALCHEMY_DATABASE_URI", "BTF_DATA_DIR", "BTF_PUBLIC_DIR", "SECRET_KEY")
    config = {key: app.config[key] for key in keys}
    if public_dir is not None:
        config["BTF_PUBLIC_DIR"] = str(public_dir)
    return create_app(config)


def _only_publication_checks(statements: list[str]) -> bool:
    """Only the cheap check for a newer publication (and the deferred BEGIN of SQLite)."""
    queries = [s for s in statements if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
    return all("publications" in s and "claims" not in s for s in queries)


def test_public_files_are_the_api_bodies_byte_for_byte(client, app):
    index_body = client.get("/api/v1/index").data
    export_body = client.get("/api/v1/export.json").data
    version = json.loads(index_body)["version"]
    folder = _files(app)
    assert (folder / "index.json").read_bytes() == index_body
    assert (folder / f"index.{version}.json").read_bytes() == index_body
    assert (folder / "export.json").read_bytes() == export_body
    assert not list(folder.glob(".*.tmp")), "a temporary file was left behind"


def test_a_publish_rewrites_the_files_and_the_api(client, app, db_session):
    before = client.get("/api/v1/index")
    old_version = before.get_json()["version"]
    claim = _unpublish_one_claim(db_session)
    index.rebuild(db_session)

    after = client.get("/api/v1/index")
    new_version = after.get_json()["version"]
    assert new_version != old_version
    assert after.headers["ETag"] == f'"{new_version}"' != before.headers["ETag"]
    folder = _files(app)
    assert (folder / "index.json").read_bytes() == after.data
    assert (folder / f"index.{new_version}.json").read_bytes() == after.data
    # The old hashed file stays: a cache or a page that names it still gets what it named.
    assert (folder / f"index.{old_version}.json").read_bytes() == before.data
    export = (folder / "export.json").read_bytes()
    assert export == client.get("/api/v1/export.json").data
    assert claim.key not in {c["id"] for c in json.loads(export)["claims"]}
    # The old ETag no longer matches: a client holding it gets the new index.
    again = client.get("/api/v1/index", headers={"If-None-Match": before.headers["ETag"]})
    assert again.status_code == 200 and again.data == after.data


def test_another_host_serves_the_new_index_from_the_database_alone(app, client, db_session,
                                                                   tmp_path):
    other = _another_worker(app, tmp_path / "other-public")
    try:
        other_client = other.test_client()
        old = other_client.get("/api/v1/index")
        assert old.data == client.get("/api/v1/index").data
        statements: list[str] = []
        event.listen(other.extensions["btf_engine"], "before_cursor_execute",
                     lambda *args: statements.append(args[2]))

        _unpublish_one_claim(db_session)
        published_at = time.monotonic()
        new_body = index.rebuild(db_session).index_body
        etag = old.headers["ETag"]
        while True:
            answer = other_client.get("/api/v1/index", headers={"If-None-Match": etag})
            if answer.status_code == 200:
                break
            assert answer.status_code == 304
            assert time.monotonic() - published_at < RELOAD_WITHIN_SECONDS, "never reloaded"
            time.sleep(0.05)
        assert answer.data == new_body
        lookup = other_client.get("/api/v1/lookup?host=m.facebook.com").get_json()
        assert lookup["total"] == json.loads(new_body)["platforms"]["facebook"]["total"]
        # It read the new publication and the changed claim, not the whole dataset, and wrote
        # its own public folder.
        assert any("publications" in s for s in statements)
        assert len(statements) < 25, statements
        assert (tmp_path / "other-public" / "index.json").read_bytes() == new_body
        assert other_client.get("/api/v1/export.json").data == client.get(
            "/api/v1/export.json").data
        # Then no query while nothing is published, but the check at most once a second.
        statements.clear()
        for _ in range(20):
            other_client.get("/api/v1/index")
        assert _only_publication_checks(statements)
        assert len([s for s in statements if "publications" in s]) <= 1
    finally:
        other.extensions["btf_engine"].dispose()


def test_a_worker_started_with_the_files_only_checks_the_publications(app, client):
    client.get("/api/v1/index")  # the first worker writes the files
    other = _another_worker(app)
    statements: list[str] = []
    event.listen(other.extensions["btf_engine"], "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    try:
        body = other.test_client().get("/api/v1/index").data
        assert body == (_files(app) / "index.json").read_bytes()
        assert statements and _only_publication_checks(statements), statements
    finally:
        other.extensions["btf_engine"].dispose()


# --- nginx in front, with the documented configuration -------------------------------------------

def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def nginx_in_front(app, tmp_path):
    """nginx with the configuration of docs/deployment.md, in front of gunicorn on `app`'s data."""
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    render = runpy.run_path(str(ROOT / "bench" / "nginx_conf.py"))["render"]
    client = app.test_client()
    client.get("/api/v1/index")  # write the public files
    with gunicorn(service_env(app), workers=1) as (upstream, _):
        port = free_port()
        conf = tmp_path / "nginx.conf"
        conf.write_text(render(public_dir=_files(app), upstream=upstream.split("//")[1],
                               listen=f"127.0.0.1:{port}", prefix=tmp_path / "nginx"))
        log = tmp_path / "nginx.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"],
                                       stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/index", timeout=2)
                    break
                except OSError:
                    assert process.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "nginx did not answer"
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}", upstream
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_nginx_serves_the_index_file_with_etag_and_caching(nginx_in_front, app):
    front, upstream = nginx_in_front
    status, headers, body = _get(f"{front}/api/v1/index")
    assert status == 200
    assert body == (_files(app) / "index.json").read_bytes() == _get(f"{upstream}/api/v1/index")[2]
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "public, max-age=3600"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Content-Type-Options"] == "nosniff"
    etag = headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    # nginx's own ETag (modification time and size), not the API's: the file answered, not Python.
    assert "-" in etag and etag != f'"{json.loads(body)["version"]}"'
    assert "Content-Security-Policy" not in headers
    status, headers, body = _get(f"{front}/api/v1/index", {"If-None-Match": etag})
    assert (status, body) == (304, b"")
    assert headers["ETag"] == etag
    version = json.loads(_get(f"{front}/api/v1/index")[2])["version"]
    status, headers, body = _get(f"{front}/index.{version}.json")
    assert status == 200 and "immutable" in headers["Cache-Control"]


def test_nginx_passes_the_rest_to_gunicorn(nginx_in_front):
    front, upstream = nginx_in_front
    status, headers, body = _get(f"{front}/api/v1/lookup?host=m.facebook.com")
    assert status == 200 and json.loads(body)["slug"] == "facebook"
    assert body == _get(f"{upstream}/api/v1/lookup?host=m.facebook.com")[2]
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    status, _, body = _get(f"{front}/api/v1/platforms/no-such-platform")
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"
    # The public folder holds only what is meant to be public; nothing else is served from it.
    status, _, _ = _get(f"{front}/export.json.tmp")
    assert status == 404

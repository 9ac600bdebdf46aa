"""Faults: the database goes away and comes back; processes die with SIGKILL in the middle of a
write. Reads go on from memory, writes say 503, nothing is ever half-written, nothing needs a
restart. (The shared PostgreSQL server is never stopped: only the test's own database is shut.)"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ON_POSTGRES, POSTGRES_URL, PostgresDatabases
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from server import create_app, db
from server.dataset import DATASET_DIR, load_dataset
from server.models import Claim, Platform, Revision, Source, Vendor

from .conftest import CLI, free_port, gunicorn, service_env, worker_pids

SUGGESTION = {"host": "facebook.com", "kind": "other",
              "message": "Sent while the database is down."}
READS = ["/api/v1/index", "/api/v1/lookup?host=m.facebook.com", "/api/v1/platforms/facebook",
         "/api/v1/platforms?per_page=5", "/api/v1/vendors/sama", "/api/v1/export.json"]


def _sqlite_path(app) -> Path:
    return Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)


def _pg_name(app) -> str:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database


@contextmanager
def database_down(app):
    """The app's database refuses service until the block ends.

    SQLite: another process holds an exclusive lock, so every read and write of the app waits
    out its busy timeout and fails. PostgreSQL: the database stops accepting connections and the
    app's are terminated, as in a failover.
    """
    if not ON_POSTGRES:
        holder = sqlite3.connect(_sqlite_path(app), timeout=0, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    pg = PostgresDatabases(POSTGRES_URL)
    name = _pg_name(app)
    with pg.admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    try:
        yield
    finally:
        with pg.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        pg.admin.dispose()


def _another_worker(app):
    keys = ("TESTING", "SQLALCHEMY_DATABASE_URI", "BTF_DATA_DIR", "BTF_PUBLIC_DIR", "SECRET_KEY",
            "WTF_CSRF_ENABLED")
    return create_app({key: app.config[key] for key in keys})


def test_reads_go_on_and_writes_say_503_while_the_database_is_down(make_app):
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    before = {path: client.get(path).data for path in READS}
    etag = client.get("/api/v1/index").headers["ETag"]

    with database_down(app):
        for path, body in before.items():
            answer = client.get(path)
            assert (answer.status_code, answer.data) == (200, body), path
        assert client.get("/api/v1/index", headers={"If-None-Match": etag}).status_code == 304

        answer = client.post("/api/v1/suggestions", json=SUGGESTION)
        assert answer.status_code == 503
        assert answer.get_json()["error"]["code"] == "database_unavailable"
        assert "try again" in answer.get_json()["error"]["message"]
        # (Flask-Limiter puts its own window's Retry-After on the rate-limited suggestions.)
        assert int(answer.headers["Retry-After"]) > 0

        page = client.post("/curate/login", data={"email": "ada@example.org", "password": "x" * 12})
        assert page.status_code == 503
        assert page.mimetype == "text/html"
        text_ = page.get_data(as_text=True)
        assert "Temporarily unavailable" in text_
        assert "Traceback" not in text_ and "sqlite" not in text_.lower() and "psycopg" not in text_
        assert int(page.headers["Retry-After"]) > 0
        assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")

        # A worker that starts now (gunicorn replacing one) serves from the public files.
        fresh = _another_worker(app)
        try:
            fresh_client = fresh.test_client()
            for path, body in before.items():
                assert fresh_client.get(path).data == body, path
        finally:
            fresh.extensions["btf_engine"].dispose()

    # Back, without a restart: the same app writes again.
    answer = client.post("/api/v1/suggestions", json=SUGGESTION)
    assert answer.status_code == 201
    page = client.post("/curate/login", data={"email": "nobody@example.org", "password": "x" * 12})
    assert page.status_code == 401  # the database answered: no such account
    assert client.get("/api/v1/index").data == before["/api/v1/index"]


# --- SIGKILL in the middle of a write ------------------------------------------------------------

def _counts(app) -> dict[str, int]:
    with app.app_context():
        session = db.get_session()
        counts = {
            "vendors": session.scalar(select(func.count(Vendor.id))),
            "platforms": session.scalar(select(func.count(Platform.id))),
            "claims": session.scalar(select(func.count(Claim.id))),
            "sources": session.scalar(select(func.count(Source.id))),
            "claim revisions": session.scalar(
                select(func.count(Revision.id)).where(Revision.entity_type == "claim")),
            "claims without a revision": session.scalar(
                select(func.count(Claim.id)).where(~select(Revision.id).where(
                    Revision.entity_type == "claim", Revision.entity_id == Claim.id).exists())),
        }
    return counts


def _whole() -> dict[str, int]:
    dataset = load_dataset(DATASET_DIR)
    return {
        "vendors": len(dataset.vendors), "platforms": len(dataset.platforms),
        "claims": len(dataset.claims),
        "sources": sum(len(c["sources"]) for c in dataset.claims),
        "claim revisions": len(dataset.claims), "claims without a revision": 0,
    }


@contextmanager
def write_watcher(app):
    """A function telling whether a write transaction is open on the app's database right now."""
    if not ON_POSTGRES:
        journal = _sqlite_path(app).with_name(_sqlite_path(app).name + "-journal")
        yield journal.exists
        return
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                     "AND backend_xid IS NOT NULL")
        yield lambda: bool(conn.scalar(query, {"name": _pg_name(app)}))
    engine.dispose()


def _kill_while_writing(args: list[str], env: dict, app, rng: random.Random) -> str:
    """Run the command, SIGKILL it at a random moment of its write; say when it was killed."""
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    with write_watcher(app) as writing:
        while process.poll() is None and not writing():
            assert time.monotonic() < deadline, "the command never started writing"
            time.sleep(0.002)
    time.sleep(rng.uniform(0, 0.15))
    finished = process.poll() is not None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return "after it finished" if finished else "while writing"


def test_sigkill_during_an_import_leaves_all_or_nothing(make_app):
    rng = random.Random(20261126)
    whole, nothing = _whole(), dict.fromkeys(_whole(), 0)
    seen = []
    for _ in range(4):
        app = make_app(seed=False)
        env = service_env(app)
        when = _kill_while_writing([CLI, "import", str(DATASET_DIR)], env, app, rng)
        counts = _counts(app)
        assert counts in (nothing, whole), f"half an import, killed {when}: {counts}"
        seen.append((when, counts == whole))
        # The next run finishes the job on what the killed one left.
        result = subprocess.run([CLI, "import", str(DATASET_DIR)], env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert _counts(app) == whole
        public = Path(app.config["BTF_PUBLIC_DIR"])
        for name in ("index.json", "export.json"):
            json.loads((public / name).read_bytes())  # whole files, never a torn one
        app.extensions["btf_engine"].dispose()
    assert any(when == "while writing" for when, _ in seen), seen


def test_sigkill_during_the_first_migration_can_be_finished(blank_database, tmp_path):
    """On SQLite too: a migration is one transaction, so a start killed half-way is finished by
    the next one instead of failing for ever with 'table ... already exists'."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BTF_")}
    env.update(BTF_DATA_DIR=str(tmp_path), BTF_DATABASE_URL=blank_database)
    for attempt in range(3):
        url = make_url(blank_database)
        if ON_POSTGRES:
            pg = PostgresDatabases(POSTGRES_URL)
            pg.create(url.database)
            pg.admin.dispose()
        else:
            Path(url.database).unlink(missing_ok=True)
        process = subprocess.Popen([CLI, "init-db"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        engine = db.make_engine(blank_database)
        try:
            deadline = time.monotonic() + 60
            # Kill as soon as a table of the schema shows (Alembic makes its own first): half-way
            # through the migration, where DDL is not transactional.
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    with engine.connect() as conn:
                        if conn.scalar(text(
                                "SELECT count(*) FROM information_schema.tables WHERE "
                                "table_schema = 'public' AND table_name <> 'alembic_version'"
                                if ON_POSTGRES else
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                "AND name <> 'alembic_version'")):
                            break
                except OperationalError:  # the file is being created
                    pass
                time.sleep(0.001 * attempt)
            process.send_signal(signal.SIGKILL)
            process.wait()
        finally:
            engine.dispose()
        result = subprocess.run([CLI, "init-db"], env=env, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr


def test_a_gunicorn_worker_killed_under_requests_is_replaced(app):
    with gunicorn(service_env(app), workers=2) as (base, master):
        victims = worker_pids(master.pid)
        assert len(victims) == 2
        os.kill(victims[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        answered = 0
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{base}/api/v1/lookup?host=m.facebook.com",
                                        timeout=10) as answer:
                assert answer.status == 200
                answered += 1
            workers = worker_pids(master.pid)
            if len(workers) == 2 and victims[0] not in workers and answered >= 20:
                break
            time.sleep(0.05)
        assert victims[0] not in worker_pids(master.pid)
        assert len(worker_pids(master.pid)) == 2, "the killed worker was not replaced"


# --- the rate-limit store goes away ---------------------------------------------------------------

@contextmanager
def private_redis(port: int):
    """A Redis server of the test's own on a loopback port (the shared one is left alone)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def _post(url: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_reads_go_on_and_suggestions_say_503_while_redis_is_down(app):
    port = free_port()
    env = service_env(app, BTF_RATELIMIT_STORAGE=f"redis://127.0.0.1:{port}")
    with gunicorn(env, workers=1) as (base, _):
        with private_redis(port):
            assert _post(f"{base}/api/v1/suggestions", {**SUGGESTION, "message": "one"})[0] == 201
        status, body = _post(f"{base}/api/v1/suggestions", {**SUGGESTION, "message": "two"})
        assert status == 503
        assert body["error"]["code"] == "rate_limit_store_unavailable"
        for path in READS:
            with urllib.request.urlopen(f"{base}{path}", timeout=30) as answer:
                assert answer.status == 200, path
        with private_redis(port):  # back, and the same workers use it again
            assert _post(f"{base}/api/v1/suggestions", {**SUGGESTION, "message": "three"})[0] \
                == 201


def test_the_embedded_server_takes_writes_while_it_serves(tmp_path):
    """`behind-the-feed serve` prepares the database, then serves for hours: nothing it did at
    start-up may keep a lock that makes every later write wait out its timeout and fail."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BTF_")}
    env["BTF_DATA_DIR"] = str(tmp_path / "data")
    with open(tmp_path / "serve.log", "wb") as log:
        process = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                urllib.request.urlopen(f"{base}/api/v1/index", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the service did not answer"
                time.sleep(0.2)
        started = time.monotonic()
        status, body = _post(f"{base}/api/v1/suggestions", SUGGESTION)
        assert (status, time.monotonic() - started < 3) == (201, True), body
    finally:
        process.terminate()
        process.wait(timeout=20)

"""Shared fixtures: an app on a fresh, seeded database per test (SQLite or PostgreSQL).

Set BTF_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run on PostgreSQL;
otherwise every test gets its own SQLite file. Either way the schema is migrated and the
shipped dataset seeded once into a template, then copied for each test.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

os.environ.setdefault("BTF_DATA_DIR", tempfile.mkdtemp(prefix="btf-test-home-"))
os.environ.pop("BTF_DATABASE_URL", None)
os.environ.pop("BTF_ENV", None)

from server import create_app, db  # noqa: E402
from server.cli import cli as btf_cli  # noqa: E402
from server.cli import ensure_database  # noqa: E402
from server.extensions import limiter  # noqa: E402

POSTGRES_URL = os.environ.get("BTF_TEST_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgres")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _test_config(database_url: str, folder: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BTF_DATA_DIR": str(folder),
        "BTF_PUBLIC_DIR": str(folder / "public"),
        "SECRET_KEY": "test-secret-key-not-for-production",
    }


class PostgresDatabases:
    """Creates databases from a template on one server, and drops them afterwards."""

    def __init__(self, url: str):
        self.url = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def create(self, name: str, template: str | None = None) -> str:
        self.drop(name)
        with self.admin.connect() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        return self.url_for(name)


def _build_template(database_url: str, folder: Path, *, seed: bool) -> None:
    app = create_app(_test_config(database_url, folder))
    with app.app_context():
        ensure_database(seed=seed)
    app.extensions["btf_engine"].dispose()


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    """Template databases (seeded and empty), built once per test run."""
    folder = tmp_path_factory.mktemp("templates")
    if ON_POSTGRES:
        pg = PostgresDatabases(POSTGRES_URL)
        names = {}
        for kind in ("seeded", "empty"):
            name = f"btf_tpl_{kind}_{WORKER}"
            _build_template(pg.create(name), folder / kind, seed=kind == "seeded")
            names[kind] = name
        yield {"pg": pg, **names}
        for name in names.values():
            pg.drop(name)
        pg.admin.dispose()
    else:
        paths = {}
        for kind in ("seeded", "empty"):
            path = folder / f"{kind}.sqlite"
            _build_template(f"sqlite:///{path}", folder / kind, seed=kind == "seeded")
            paths[kind] = path
        yield paths


def _fresh_database(templates, kind: str, folder: Path):
    if ON_POSTGRES:
        pg = templates["pg"]
        name = f"btf_t_{WORKER}_{uuid.uuid4().hex[:10]}"
        return pg.create(name, template=templates[kind]), lambda: pg.drop(name)
    path = folder / "behind-the-feed.sqlite"
    shutil.copyfile(templates[kind], path)
    return f"sqlite:///{path}", lambda: None


def _make_app(templates, kind: str, folder: Path, overrides: dict | None = None):
    url, cleanup = _fresh_database(templates, kind, folder)
    app = create_app({**_test_config(url, folder), **(overrides or {})})
    with app.app_context():
        limiter.reset()
    return app, cleanup


@pytest.fixture
def make_app(_templates, tmp_path):
    """Build more apps in one test: make_app(seed=True, **config) -> app (each with its own DB)."""
    made = []

    def factory(seed: bool = True, **overrides):
        folder = tmp_path / f"app{len(made)}"
        folder.mkdir()
        app, cleanup = _make_app(_templates, "seeded" if seed else "empty", folder, overrides)
        made.append((app, cleanup))
        return app

    yield factory
    for app, cleanup in made:
        app.extensions["btf_engine"].dispose()
        cleanup()


@pytest.fixture
def app(make_app):
    """The app on a fresh database seeded with the shipped dataset."""
    return make_app()


@pytest.fixture
def empty_app(make_app):
    """The app on a fresh, migrated database with no data."""
    return make_app(seed=False)


@pytest.fixture
def client(app):
    return app.test_client()


class CliRunner(FlaskCliRunner):
    """Invokes the `behind-the-feed` command group against the test's app."""

    def invoke(self, cli=None, args=None, **kwargs):
        return super().invoke(cli or btf_cli, args, **kwargs)


@pytest.fixture
def runner(app):
    return CliRunner(app)


@pytest.fixture
def db_session(app):
    """A session inside an app context (commit to make changes visible to requests)."""
    with app.app_context():
        yield db.get_session()


@pytest.fixture
def count_queries(request):
    """SQL statements an app sends while a block runs: `with count_queries() as statements:`
    watches the test's `app`; `count_queries(other_app)` watches another one."""
    from contextlib import contextmanager

    @contextmanager
    def counting(app=None):
        engine = (app or request.getfixturevalue("app")).extensions["btf_engine"]
        statements: list[str] = []

        def listener(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    return counting


@pytest.fixture
def service_env(tmp_path):
    """Environment for running `behind-the-feed` in a subprocess on a fresh, empty database:
    its own data folder, and on PostgreSQL its own database (dropped afterwards)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BTF_")}
    env["BTF_DATA_DIR"] = str(tmp_path / "service-data")
    if not ON_POSTGRES:
        yield env
        return
    pg = PostgresDatabases(POSTGRES_URL)
    name = f"btf_svc_{WORKER}_{uuid.uuid4().hex[:10]}"
    env["BTF_DATABASE_URL"] = pg.create(name)
    yield env
    pg.drop(name)
    pg.admin.dispose()


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver per test process, shared by every browser test.

    Browsers are Debian's /usr/bin/chromium, never a downloaded build; tests/run.sh installs it.
    """
    if not os.access("/usr/bin/chromium", os.X_OK):
        pytest.fail("/usr/bin/chromium is missing: apt-get install chromium (tests/run.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _buffered(app):
    """The app with each response read whole and its iterable closed before any byte is sent.
    A browser that leaves a page drops connections mid-response; werkzeug's development server
    then fails while draining the request and never closes the response (a static file stays
    open until the garbage collector finds it: a ResourceWarning in an unrelated test)."""

    def application(environ, start_response):
        result = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return [body]

    return application


@contextmanager
def _serving(app):
    """`app` served over HTTP on a free local port, in a thread: yields its origin."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    # Join the request threads on close, so a response still being written when a test ends
    # finishes and closes its file instead of leaving it to the garbage collector.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def serve_app():
    """A context manager serving an app over real HTTP for the browser tests:
    `with serve_app(app) as origin: ...`."""
    return _serving


@pytest.fixture(scope="session")
def chromium(playwright):
    """Debian's Chromium, headless, with no background traffic (never a downloaded browser), for
    the pages' browser tests (the extension's have their own, with the extension loaded)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS)
    yield browser
    browser.close()

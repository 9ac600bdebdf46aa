"""Fixtures for the workshop: an app on a small dataset of known figures (tests/workshop/dataset).

The workshop's tests assert exact figures, so they load their own dataset rather than the
shipped one, which curators change. On SQLite the database is built once and copied per test;
with BTF_TEST_DATABASE_URL (PostgreSQL) the shared `make_app` fixture gives an empty database
and the dataset is imported into it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from server import create_app, db, index
from server.dataset import load_dataset
from server.operations import import_dataset

DATASET = Path(__file__).parent / "dataset"
ON_POSTGRES = os.environ.get("BTF_TEST_DATABASE_URL", "").startswith("postgres")


def _config(url: str, folder: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "BTF_DATA_DIR": str(folder),
        "BTF_PUBLIC_DIR": str(folder / "public"),
        "SECRET_KEY": "test-secret-key-not-for-production",
    }


def _load(app) -> None:
    with app.app_context():
        session = db.get_session()
        import_dataset(session, load_dataset(DATASET), comment="workshop test dataset")
        session.commit()
        index.rebuild(session)


@pytest.fixture(scope="session")
def _workshop_template(tmp_path_factory):
    if ON_POSTGRES:
        return None
    folder = tmp_path_factory.mktemp("workshop-template")
    path = folder / "workshop.sqlite"
    app = create_app(_config(f"sqlite:///{path}", folder))
    with app.app_context():
        db.migrate()
    _load(app)
    app.extensions["btf_engine"].dispose()
    return path


@pytest.fixture
def workshop_app(request, _workshop_template, tmp_path):
    """The app on a fresh database holding the workshop test dataset, snapshot built."""
    if ON_POSTGRES:
        app = request.getfixturevalue("make_app")(seed=False)
        _load(app)
        yield app
        return
    path = tmp_path / "behind-the-feed.sqlite"
    shutil.copyfile(_workshop_template, path)
    app = create_app(_config(f"sqlite:///{path}", tmp_path))
    yield app
    app.extensions["btf_engine"].dispose()


@pytest.fixture
def wclient(workshop_app):
    return workshop_app.test_client()


@pytest.fixture
def export(wclient):
    """The published dataset, as the public API gives it."""
    return wclient.get("/api/v1/export.json").get_json()


# --- a real server for the browser tests ---------------------------------------------------------


@pytest.fixture
def live_server(workshop_app, serve_app):
    """The workshop app (test dataset) over HTTP."""
    with serve_app(workshop_app) as origin:
        yield origin


@pytest.fixture
def shipped_server(app, serve_app):
    """The app on the shipped dataset (or BTF_SEED_DIR) over HTTP."""
    with serve_app(app) as origin:
        yield origin


@pytest.fixture(scope="session")
def browser(chromium):
    """Debian's Chromium (tests/conftest.py)."""
    return chromium

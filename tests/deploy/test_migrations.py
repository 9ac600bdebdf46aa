"""Migrations carry real data forward: a database made by the first migration, holding rows written
with plain SQL, is upgraded to the latest schema and still serves the same platform."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, bindparam, inspect, text

from server import create_app, db

FIRST = "0001"
WHEN = dt.datetime(2024, 5, 1, 12, 0, 0)

ROWS = [
    ("INSERT INTO platforms (id, slug, name, owner, hq_country, description, version, created_at,"
     " updated_at) VALUES (1, 'examplegram', 'Examplegram', 'Example Corp', 'US',"
     " 'Photo sharing.', 1, :when, :when)", {}),
    ("INSERT INTO domains (id, host, platform_id) VALUES (1, 'examplegram.org', 1)", {}),
    ("INSERT INTO vendors (id, slug, name, hq_country, website, description, version, created_at,"
     " updated_at) VALUES (1, 'acme-bpo', 'Acme BPO', 'PH', 'https://acme-bpo.example/',"
     " 'Outsourcing.', 1, :when, :when)", {}),
    ("INSERT INTO claims (id, key, kind, summary, vendor_id, locations, workers, pay_amount,"
     " pay_currency, pay_per, observed_start, observed_end, evidence, status, last_verified,"
     " version, created_at, updated_at) VALUES (1, 'examplegram-acme-manila-2023', 'moderation',"
     " 'Acme BPO moderators in Manila review Examplegram posts.', 1, :locations, 300, 2.25,"
     " 'USD', 'hour', '2023-04', NULL, 'investigative_journalism', 'published', :verified, 1,"
     " :when, :when)", {"locations": [{"country": "PH", "city": "Manila"}]}),
    ("INSERT INTO claim_platforms (claim_id, platform_id, position) VALUES (1, 1, 0)", {}),
    ("INSERT INTO claim_translations (id, claim_id, language, summary) VALUES (1, 1, 'fr',"
     " 'Des modérateurs d''Acme BPO à Manille examinent les publications d''Examplegram.')", {}),
    ("INSERT INTO sources (id, claim_id, position, url, title, publisher, published, quote,"
     " language, is_copy) VALUES (1, 1, 0, 'https://news.example/acme', 'Inside Acme',"
     " 'Example News', '2023-05-02', 'moderators review hundreds of posts an hour', 'en',"
     " :false)", {}),
    ("INSERT INTO revisions (id, entity_type, entity_id, version, created_at, action, comment)"
     " VALUES (1, 'claim', 1, 1, :when, 'create', 'written before the upgrade')", {}),
]


def _revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(db.alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _upgrade(database_url: str, target: str) -> None:
    """Upgrade as `behind-the-feed init-db` does, through the app's own engine."""
    app = create_app(_config(database_url))
    try:
        with app.app_context():
            db.migrate(target)
    finally:
        app.extensions["btf_engine"].dispose()


def _downgrade(engine, target: str) -> None:
    """Downgrade through the app's own migration step (on SQLite, foreign keys off meanwhile)."""
    app = create_app(_config(engine.url.render_as_string(hide_password=False)))
    try:
        with app.app_context():
            db.migrate(target, down=True)
    finally:
        app.extensions["btf_engine"].dispose()


def _insert_rows(engine) -> None:
    with engine.begin() as connection:
        for statement, params in ROWS:
            query = text(statement)
            if "locations" in params:
                query = query.bindparams(bindparam("locations", type_=JSON))
            values = {"when": WHEN, "verified": dt.date(2024, 6, 1), "false": False, **params}
            connection.execute(query, {k: v for k, v in values.items() if f":{k}" in statement})


def _stored(engine) -> dict:
    """The rows that were written, read back with plain SQL (whichever schema is in place)."""
    with engine.connect() as connection:
        def one(sql):
            return tuple(connection.execute(text(sql)).one())

        # 0002 moved a claim's vendor from claims.vendor_id to the ordered claim_vendors.
        if "vendor_id" in {c["name"] for c in inspect(connection).get_columns("claims")}:
            vendor = one("SELECT vendor_id FROM claims")
        else:
            vendor = one("SELECT vendor_id FROM claim_vendors ORDER BY position LIMIT 1")

        return {
            "platform": one("SELECT slug, name, owner, hq_country FROM platforms"),
            "domain": one("SELECT host, platform_id FROM domains"),
            "vendor": one("SELECT slug, name, website FROM vendors"),
            "claim": one("SELECT key, kind, status, workers, pay_currency, pay_per, "
                         "observed_start FROM claims"),
            "claim_vendor": vendor,
            "source": one("SELECT url, publisher, published, quote FROM sources"),
            "translation": one("SELECT language, summary FROM claim_translations"),
            "revisions": one("SELECT count(*) FROM revisions"),
        }


def _config(database_url: str, folder=None) -> dict:
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
              "SECRET_KEY": "test-secret-key-not-for-production"}
    if folder is not None:
        config.update(BTF_DATA_DIR=str(folder), BTF_PUBLIC_DIR=str(folder / "public"))
    return config


def _check_served(database_url: str, folder) -> None:
    app = create_app(_config(database_url, folder))
    try:
        client = app.test_client()
        lookup = client.get("/api/v1/lookup?host=m.examplegram.org")
        assert lookup.status_code == 200
        assert lookup.get_json()["slug"] == "examplegram"
        assert lookup.get_json()["counts"]["moderation"] == 1
        detail = client.get("/api/v1/platforms/examplegram?lang=fr").get_json()
        [claim] = detail["claims"]
        assert claim["id"] == "examplegram-acme-manila-2023"
        assert claim["summary"].startswith("Des modérateurs d'Acme BPO")
        assert claim["vendor"]["name"] == "Acme BPO"
        assert [v["name"] for v in claim["vendors"]] == ["Acme BPO"]
        assert claim["locations"] == [{"country": "PH", "city": "Manila"}]
        # What the figure's wording was is not known from before 0002: left for a curator.
        assert claim["pay"] == {"amount": 2.25, "currency": "USD", "per": "hour",
                                "qualifier": None}
        assert claim["observed"] == {"start": "2023-04", "end": None}
        assert claim["last_verified"] == "2024-06-01"
        assert claim["sources"][0]["url"] == "https://news.example/acme"
        assert claim["sources"][0]["is_copy"] is False
    finally:
        app.extensions["btf_engine"].dispose()


def test_revisions_form_one_line_from_the_first():
    revisions = _revisions()
    assert revisions[0] == FIRST
    script = ScriptDirectory.from_config(db.alembic_config())
    assert len(script.get_heads()) == 1, "two heads: merge them"


def test_upgrade_from_the_first_migration_keeps_the_data(blank_database, tmp_path):
    engine = db.make_engine(blank_database)
    try:
        _upgrade(blank_database, FIRST)
        _insert_rows(engine)
        before = _stored(engine)
        _upgrade(blank_database, "head")
        assert _stored(engine) == before
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        assert current == _revisions()[-1]
    finally:
        engine.dispose()
    _check_served(blank_database, tmp_path / "served")


def test_schema_after_all_migrations_matches_the_models(blank_database):
    from server.models import Base

    engine = db.make_engine(blank_database)
    try:
        _upgrade(blank_database, "head")
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == [], "the models and the migrations disagree: add a migration"
    finally:
        engine.dispose()


def test_every_migration_goes_down_and_up_again(blank_database):
    """Each step of the stairway: up one, down one, up again, from nothing to the latest."""
    engine = db.make_engine(blank_database)
    try:
        previous = "base"
        for revision in _revisions():
            _upgrade(blank_database, revision)
            _downgrade(engine, previous)
            _upgrade(blank_database, revision)
            previous = revision
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
        assert {"platforms", "claims", "sources", "revisions", "alembic_version"} <= tables
        _downgrade(engine, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


@pytest.mark.skipif(len(_revisions()) < 2, reason="only the first migration exists")
def test_downgrade_to_the_first_and_upgrade_again_keeps_the_data(blank_database, tmp_path):
    engine = db.make_engine(blank_database)
    try:
        _upgrade(blank_database, FIRST)
        _insert_rows(engine)
        before = _stored(engine)
        _upgrade(blank_database, "head")
        _downgrade(engine, FIRST)
        assert _stored(engine) == before
        _upgrade(blank_database, "head")
        assert _stored(engine) == before
    finally:
        engine.dispose()
    _check_served(blank_database, tmp_path / "served")

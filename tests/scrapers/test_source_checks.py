"""server.operations.sources: a link check written on a source, with its revision."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from server import db
from server.models import Claim, Revision, Source
from server.operations.sources import record_check, record_checks

NOW = dt.datetime(2026, 11, 26, 12, 0)
CHECK = {"check_status": "ok", "last_checked_at": NOW, "final_url": None,
         "check_detail": "GET 200", "quote_found": False,
         "quote_excerpt": "…the nearest passage…", "page_published": "2022-02-14",
         "date_mismatch": False}


@pytest.fixture
def source_id(empty_app):
    with empty_app.app_context():
        session = db.get_session()
        claim = Claim(key="a-claim", kind="moderation", summary="A claim.",
                      evidence="investigative_journalism")
        claim.sources = [Source(url="https://news.example.com/a", title="A", publisher="P",
                                quote="a quote", position=0)]
        session.add(claim)
        session.commit()
        return claim.sources[0].id


def test_a_changed_check_is_written_with_one_revision(empty_app, source_id):
    with empty_app.app_context():
        session = db.get_session()
        source = session.get(Source, source_id)
        revision = record_check(session, source, CHECK)
        session.commit()
        assert (revision.entity_type, revision.entity_id, revision.action) == (
            "source", source_id, "check")
        assert revision.before == {"check_status": None, "check_detail": None,
                                   "quote_found": None, "quote_excerpt": None,
                                   "page_published": None}
        assert revision.after["quote_found"] is False
        assert "last_checked_at" not in revision.after
        assert (source.quote_found, source.last_checked_at) == (False, NOW)


def test_a_rerun_that_sees_the_same_only_moves_the_time(empty_app, source_id):
    with empty_app.app_context():
        session = db.get_session()
        record_checks(session, [(source_id, "", CHECK)])
        later = {**CHECK, "last_checked_at": NOW + dt.timedelta(days=7)}
        assert record_checks(session, [(None, "https://news.example.com/a", later)]) == 0
        session.commit()
        assert session.get(Source, source_id).last_checked_at == NOW + dt.timedelta(days=7)
        assert len(session.scalars(select(Revision).where(
            Revision.entity_type == "source")).all()) == 1


def test_only_check_columns_can_be_written(empty_app, source_id):
    with empty_app.app_context():
        session = db.get_session()
        with pytest.raises(ValueError, match="not a check column: archive_url, quote"):
            record_check(session, session.get(Source, source_id),
                         {"quote": "changed", "archive_url": "https://web.archive.org/x"})

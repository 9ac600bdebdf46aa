"""DSA Transparency Database daily aggregates."""

from __future__ import annotations

import datetime as dt

import pytest
import responses
from scraper_helpers import allow_robots, as_json, expected, fixture_bytes

from scrapers import dsa_tdb
from scrapers.base import MalformedInput

DAY_CSV = "aggregates-2026-11-16.csv"
DAY_JSON = "aggregates-2026-11-17.json"


def parse(name):
    url = dsa_tdb.aggregates_url(dt.date.fromisoformat(name[11:21]), name.rsplit(".", 1)[1])
    return dsa_tdb.parse(fixture_bytes(f"dsa_tdb/{name}"), source_url=url)


def test_csv_aggregates_parse_to_the_expected_totals():
    assert as_json(parse(DAY_CSV)) == expected("dsa_tdb/aggregates-2026-11-16.expected.json")


def test_json_aggregates_parse_to_the_expected_totals():
    assert as_json(parse(DAY_JSON)) == expected("dsa_tdb/aggregates-2026-11-17.expected.json")


def test_totals_add_up_per_platform_and_day():
    facebook = next(r for r in parse(DAY_CSV) if r.platform_name == "Facebook")
    assert (facebook.total, facebook.fully_automated, facebook.not_fully_automated) == (
        432000, 412000, 20000)
    # The CSV has no keyword column: unknown, not zero.
    assert facebook.inauthentic_accounts is None
    assert next(r for r in parse(DAY_JSON)
                if r.platform_name == "Facebook").inauthentic_accounts == 254100


def test_proposals_for_the_week(known):
    drafts = dsa_tdb.to_proposals(parse(DAY_CSV) + parse(DAY_JSON), known)
    assert as_json(drafts) == expected("dsa_tdb/week.proposals.expected.json")
    # Temu is not in the database; TikTok reported no inauthentic accounts.
    assert [(d.platform_slug, d.payload["change"]["claim"]["kind"]) for d in drafts] == [
        ("facebook", "moderation"), ("facebook", "engagement"), ("tiktok", "moderation")]


def test_a_rerun_missing_a_day_keeps_the_same_fingerprint(known):
    both = dsa_tdb.to_proposals(parse(DAY_CSV) + parse(DAY_JSON), known)
    one = dsa_tdb.to_proposals(parse(DAY_CSV), known)
    assert both[0].fingerprint == one[0].fingerprint  # same platform, measure and ISO week


def test_default_days_lag_two_days():
    assert dsa_tdb.default_days(dt.date(2026, 11, 26), 3) == [
        dt.date(2026, 11, 24), dt.date(2026, 11, 23), dt.date(2026, 11, 22)]


@pytest.mark.parametrize(("data", "message"), [
    (b"automated_decision,platform_name\nAUTOMATED_DECISION_FULLY,X\n",
     "missing column.*total"),
    (b"automated_decision,platform_name,total,received_date\n"
     b"AUTOMATED_DECISION_FULLY,X,12,2026-11-16\nAUTOMATED_DECISION_FULLY,X\n",
     r"line 3 has 2 fields, the header 4 \(is the file truncated\?\)"),
    (b"automated_decision,platform_name,total,received_date\n"
     b"AUTOMATED_DECISION_SOMETIMES,X,12,2026-11-16\n", "unknown automated_decision"),
    (b"automated_decision,platform_name,total,received_date\n"
     b"AUTOMATED_DECISION_FULLY,X,many,2026-11-16\n", "row 2: total 'many' is not a whole"),
    (b'{"aggregates": [{"platform_name": "X", "automated_decision": "AUTOMATED_DECISION_FULLY", '
     b'"total": 1', "broken JSON"),
    (b"<html><body>Not found</body></html>", "an HTML page"),
])
def test_malformed_aggregates_are_clear_errors(data, message):
    with pytest.raises(MalformedInput, match=message):
        dsa_tdb.parse(data, name="aggregates-2026-11-16.csv")


def test_fetch_builds_the_daily_url(offline, http):
    allow_robots(offline, "https://transparency.dsa.ec.europa.eu")
    url = "https://transparency.dsa.ec.europa.eu/explore-data/download/aggregates-2026-11-16.csv"
    offline.add(responses.GET, url, body=fixture_bytes(f"dsa_tdb/{DAY_CSV}"))
    assert dsa_tdb.fetch(http, dt.date(2026, 11, 16)) == fixture_bytes(f"dsa_tdb/{DAY_CSV}")

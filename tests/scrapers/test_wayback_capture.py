"""wayback-capture: Save Page Now, asked only when a curator runs it; offline."""

from __future__ import annotations

import pytest
import requests
import responses
from scraper_helpers import allow_robots

from scrapers import wayback
from scrapers.base import FetchError, Known, KnownSource, MalformedInput, RunContext, Target

PAGE = "https://news.example.com/2022/02/moderators"
SAVE = f"https://web.archive.org/save/{PAGE}"
SNAPSHOT = f"https://web.archive.org/web/20261126120000/{PAGE}"
TARGET = Target(PAGE, {"source_ids": [4, 9], "published": "2022-02-14"})


def answer(**headers):
    return wayback.CaptureAnswer(url=PAGE, status=200, final_url=SAVE, **headers)


@pytest.mark.parametrize("capture", [
    answer(content_location=f"/web/20261126120000/{PAGE}"),
    answer(link=f'<{PAGE}>; rel="original", <{SNAPSHOT}>; rel="memento"; '
                'datetime="Thu, 26 Nov 2026 12:00:00 GMT"'),
    wayback.CaptureAnswer(url=PAGE, status=200, final_url=SNAPSHOT),  # redirected to it
])
def test_the_snapshot_is_read_from_any_of_the_answer_s_forms(capture):
    [found] = wayback.parse_capture(capture, TARGET)
    assert (found.snapshot, found.timestamp, found.source_ids) == (SNAPSHOT, "20261126120000",
                                                                   (4, 9))


def test_an_answer_naming_no_snapshot_is_a_clear_error():
    with pytest.raises(MalformedInput, match=r"no snapshot named in the answer \(status 200\)"):
        wayback.parse_capture(answer(), TARGET)
    with pytest.raises(MalformedInput, match="the archive refused: RobotAccessControlException"):
        wayback.parse_capture(answer(runtime_error="RobotAccessControlException: Blocked By "
                                                   "Robots"), TARGET)


def test_a_capture_through_the_polite_session(offline, http, slept):
    allow_robots(offline, "https://web.archive.org")
    offline.add(responses.GET, SAVE, status=429, headers={"Retry-After": "30"})
    offline.add(responses.GET, SAVE, status=200,
                headers={"Content-Location": f"/web/20261126120000/{PAGE}"})
    capture = wayback.capture_fetch(http, TARGET, RunContext())
    assert 30 in slept.calls  # the archive said when to come back
    [found] = wayback.parse_capture(capture, TARGET)
    [draft] = wayback.capture_proposals([found], Known())
    assert (draft.origin, draft.kind, draft.source_url) == ("wayback-capture", "archive", PAGE)
    assert draft.payload["change"] == {"field": "archive_url", "add": SNAPSHOT,
                                       "source_ids": [4, 9]}


def test_failures_are_errors_for_that_source(offline, http):
    allow_robots(offline, "https://web.archive.org")
    offline.add(responses.GET, SAVE, status=520,
                headers={"X-Archive-Wayback-Runtime-Error": "LiveDocumentNotAvailableException"})
    with pytest.raises(FetchError, match="Save Page Now answered 520 .*LiveDocumentNotAvailable"):
        wayback.capture_fetch(http, TARGET, RunContext())
    offline.add(responses.GET, SAVE + "x", body=requests.exceptions.ReadTimeout("timed out"))
    with pytest.raises(FetchError, match="timed out"):
        wayback.capture_fetch(http, Target(PAGE + "x"), RunContext())


def test_only_sources_without_a_copy_are_captured_and_at_most_the_setting_s_number():
    known = Known(sources=(
        KnownSource(url="https://a.example/1", id=1, published="2022"),
        KnownSource(url="https://a.example/1", id=2, published="2021-05"),
        KnownSource(url="https://b.example/2", id=3, archive_url=SNAPSHOT),
        KnownSource(url="https://c.example/3", id=4, archive_proposed=True),
        KnownSource(url="https://d.example/4", id=5, check_status="broken"),
        KnownSource(url="https://e.example/5", id=6),
    ))
    targets = wayback.capture_targets(RunContext(known=known))
    assert [(t.location, t.hints) for t in targets] == [
        ("https://a.example/1", {"source_ids": [1, 2], "published": "2021-05"}),
        ("https://e.example/5", {"source_ids": [6], "published": None})]
    limited = RunContext(known=known, settings={"BTF_WAYBACK_CAPTURE_MAX": 1})
    assert len(wayback.capture_targets(limited)) == 1

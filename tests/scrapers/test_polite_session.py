"""The polite session: identity, timeouts, retries, robots.txt, per-host delay, cache."""

from __future__ import annotations

import pytest
import requests
import responses
from scraper_helpers import SleepRecorder, allow_robots

from scrapers.http import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    FetchError,
    PoliteSession,
    RobotsDisallowed,
    ScrapeError,
)

SITE = "https://data.example.org"
URL = f"{SITE}/reports/9_human_resources.csv"


def test_requests_name_the_project_and_carry_a_timeout(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=b"a,b\n1,2\n")

    assert http.fetch(URL) == b"a,b\n1,2\n"

    for call in offline.calls:
        assert call.request.headers["User-Agent"] == USER_AGENT
        assert call.request.req_kwargs["timeout"] == DEFAULT_TIMEOUT
    assert USER_AGENT == "BehindTheFeed/0.1 (+https://github.com/behind-the-feed/behind-the-feed)"


def test_a_timeout_is_a_clear_fetch_error(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=requests.exceptions.ReadTimeout("read timed out"))

    with pytest.raises(FetchError, match=r"GET .*9_human_resources.csv timed out") as caught:
        http.fetch(URL)
    assert caught.value.url == URL
    assert isinstance(caught.value, ScrapeError)


def test_a_connection_error_is_a_clear_fetch_error(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=requests.exceptions.ConnectionError("Name or service "
                                                                             "not known"))
    with pytest.raises(FetchError, match="failed: Name or service not known"):
        http.fetch(URL)


def test_429_is_retried_after_the_wait_the_server_asked_for(offline, http, slept):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, status=429, headers={"Retry-After": "7"})
    offline.add(responses.GET, URL, body=b"ok")

    assert http.fetch(URL) == b"ok"

    assert len([c for c in offline.calls if c.request.url == URL]) == 2
    assert slept.calls == [7]


def test_retry_after_is_capped(offline, slept):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, status=503, headers={"Retry-After": "86400"})
    offline.add(responses.GET, URL, body=b"ok")
    with PoliteSession(delay=0, retry_after_max=120, sleep=slept) as session:
        assert session.fetch(URL) == b"ok"
    assert slept.calls == [120]


def test_500_then_success_retries_with_backoff(offline, http, slept):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, status=500)
    offline.add(responses.GET, URL, body=b"ok")

    assert http.fetch(URL) == b"ok"

    assert len([c for c in offline.calls if c.request.url == URL]) == 2
    assert slept.calls == [pytest.approx(0.01)]


def test_a_server_that_keeps_failing_gives_up_with_the_status(offline, http, slept):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, status=503)

    with pytest.raises(FetchError, match="answered 503 .*after retries") as caught:
        http.fetch(URL)

    assert caught.value.status == 503
    assert len([c for c in offline.calls if c.request.url == URL]) == 4  # 1 + 3 retries
    assert slept.calls == [pytest.approx(0.01), pytest.approx(0.02), pytest.approx(0.04)]


def test_404_is_not_retried(offline, http, slept):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, status=404)

    with pytest.raises(FetchError, match="answered 404") as caught:
        http.fetch(URL)
    assert caught.value.status == 404
    assert len([c for c in offline.calls if c.request.url == URL]) == 1
    assert slept.calls == []


def test_robots_txt_disallowing_the_path_stops_the_request(offline, http):
    allow_robots(offline, SITE, "User-agent: *\nDisallow: /reports/\n")
    forbidden = offline.add(responses.GET, URL, body=b"secret")

    with pytest.raises(RobotsDisallowed, match=r"disallowed for BehindTheFeed by "
                                               r"https://data.example.org/robots.txt"):
        http.fetch(URL)

    assert forbidden.call_count == 0


def test_robots_txt_rules_for_our_agent_apply(offline, http):
    allow_robots(offline, SITE, "User-agent: BehindTheFeed\nDisallow: /\n\n"
                                "User-agent: *\nAllow: /\n")
    with pytest.raises(RobotsDisallowed):
        http.fetch(URL)


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (401, False), (403, False),
                                                 (500, False)])
def test_robots_txt_errors(offline, http, status, allowed):
    offline.add(responses.GET, f"{SITE}/robots.txt", status=status)
    target = offline.add(responses.GET, URL, body=b"data")

    if allowed:
        assert http.fetch(URL) == b"data"
    else:
        with pytest.raises(RobotsDisallowed):
            http.fetch(URL)
        assert target.call_count == 0


def test_robots_txt_is_read_once_per_host(offline, http):
    robots = offline.add(responses.GET, f"{SITE}/robots.txt", body="User-agent: *\nAllow: /\n")
    offline.add(responses.GET, URL, body=b"1")
    offline.add(responses.GET, f"{SITE}/other.csv", body=b"2")
    http.fetch(URL)
    http.fetch(f"{SITE}/other.csv")
    assert robots.call_count == 1


def test_requests_to_one_host_are_spaced_by_the_delay(offline):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=b"1")
    slept = SleepRecorder()
    now = [100.0]
    with PoliteSession(delay=2.0, sleep=slept, clock=lambda: now[0]) as session:
        session.fetch(URL)  # robots.txt, then the file: waits 2 s between them
        now[0] += 0.5
        session.fetch(URL)  # 0.5 s later: waits the remaining 1.5 s
    assert slept.calls == [2.0, 1.5]


def test_crawl_delay_in_robots_txt_raises_the_delay(offline, slept):
    allow_robots(offline, SITE, "User-agent: *\nCrawl-delay: 5\n")
    offline.add(responses.GET, URL, body=b"1")
    with PoliteSession(delay=1.0, sleep=slept, clock=lambda: 0.0) as session:
        session.fetch(URL)
    assert slept.calls == [5.0]


def test_a_rerun_is_served_from_the_cache(offline, tmp_path, slept):
    allow_robots(offline, SITE)
    target = offline.add(responses.GET, URL, body=b"a,b\n1,2\n")
    with PoliteSession(cache_dir=tmp_path / "cache", delay=0, sleep=slept) as session:
        assert session.fetch(URL) == b"a,b\n1,2\n"
    with PoliteSession(cache_dir=tmp_path / "cache", delay=0, sleep=slept) as session:
        assert session.fetch(URL) == b"a,b\n1,2\n"
    assert target.call_count == 1
    assert (tmp_path / "cache").is_dir()


def test_a_file_over_the_size_limit_is_refused(offline, slept):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=b"x" * 2048)
    with PoliteSession(delay=0, max_bytes=1024, sleep=slept) as session:
        with pytest.raises(FetchError, match="over the 1024 byte limit"):
            session.fetch(URL)


def test_only_http_urls(http):
    with pytest.raises(FetchError, match="not an http"):
        http.fetch("file:///etc/passwd")


def test_a_connection_broken_mid_download_is_a_clear_fetch_error(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=requests.exceptions.ChunkedEncodingError(
        "Connection broken: IncompleteRead(1024 bytes read, 2048 more expected)"))
    with pytest.raises(FetchError, match="IncompleteRead"):
        http.fetch(URL)

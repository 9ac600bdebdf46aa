"""The link checker: classification and checks through the polite session."""

from __future__ import annotations

import pytest
import requests
import responses
from scraper_helpers import allow_robots

from scrapers import linkcheck

SITE = "https://news.example.com"
URL = f"{SITE}/2022/02/moderators"


@pytest.mark.parametrize(("status", "history", "final", "result"), [
    (200, [], URL, "ok"),
    (404, [], URL, "broken"),
    (410, [], URL, "broken"),
    (503, [], URL, "broken"),
    (None, [], None, "broken"),  # DNS failure, refused, timeout
    (200, [(301, "https://www.news.example.com/2022/02/moderators/")],
     "https://www.news.example.com/2022/02/moderators/", "ok"),  # www. and a trailing slash
    (200, [(301, "https://news.example.com/2022/02/moderators?ref=rss")],
     "https://news.example.com/2022/02/moderators?ref=rss", "ok"),
    (200, [(301, "http://news.example.com/2022/02/moderators")],
     "http://news.example.com/2022/02/moderators", "ok"),
    (200, [(302, f"{SITE}/")], f"{SITE}/", "moved"),  # sent to the home page
    (200, [(301, "https://archive.example.org/moderators")],
     "https://archive.example.org/moderators", "moved"),  # another registrable domain
    (404, [(301, "https://archive.example.org/moderators")],
     "https://archive.example.org/moderators", "broken"),
])
def test_classify(status, history, final, result):
    assert linkcheck.classify(status, history, URL, final) == result


def test_a_live_page_is_ok(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.HEAD, URL, status=200)
    result = linkcheck.check(http, URL, now=lambda: "2026-11-26T12:00:00Z")
    assert (result.result, result.status, result.method) == ("ok", 200, "HEAD")
    assert result.checked_at == "2026-11-26T12:00:00Z"
    assert linkcheck.to_update(result)["check_status"] == "ok"


def test_a_dead_page_is_broken(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.HEAD, URL, status=404)
    result = linkcheck.check(http, URL)
    assert result.result == "broken"
    assert result.detail == "HEAD 404"


def test_head_refused_falls_back_to_get(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.HEAD, URL, status=405)
    get = offline.add(responses.GET, URL, status=200, body=b"<html></html>")
    result = linkcheck.check(http, URL)
    assert (result.result, result.method) == ("ok", "GET")
    assert get.call_count == 1


def test_a_redirect_elsewhere_is_moved(offline, http):
    allow_robots(offline, SITE)
    new = "https://archive.example.org/2022/moderators"
    offline.add(responses.HEAD, URL, status=301, headers={"Location": new})
    allow_robots(offline, "https://archive.example.org")
    offline.add(responses.HEAD, new, status=200)
    result = linkcheck.check(http, URL)
    assert result.result == "moved"
    assert result.final_url == new
    assert result.history == ((301, new),)
    assert linkcheck.to_update(result)["final_url"] == new


def test_an_unreachable_host_is_broken(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.HEAD, URL, body=requests.exceptions.ConnectionError("Name or service "
                                                                              "not known"))
    result = linkcheck.check(http, URL)
    assert (result.result, result.status) == ("broken", None)
    assert "Name or service not known" in result.detail


def test_a_timeout_is_broken(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.HEAD, URL, body=requests.exceptions.ConnectTimeout("timed out"))
    assert linkcheck.check(http, URL).result == "broken"


def test_a_server_error_is_retried_before_it_counts_as_broken(offline, http, slept):
    allow_robots(offline, SITE)
    head = offline.add(responses.HEAD, URL, status=502)
    result = linkcheck.check(http, URL)
    assert result.result == "broken"
    assert head.call_count == 4
    assert len(slept.calls) == 3

"""The link checker: status, quote on the page, page date, Wayback snapshots; offline."""

from __future__ import annotations

import pytest
import requests
import responses
from responses import matchers
from scraper_helpers import allow_robots, as_json, expected, fixture_bytes

from scrapers import linkcheck, pagecheck, wayback
from scrapers.base import Known, KnownSource, MalformedInput, RunContext, Target

SITE = "https://news.example.com"
URL = f"{SITE}/2022/02/moderators"
NEW_URL = "https://archive.example.org/2022/moderators"
QUOTE = ("Moderators said they reviewed “up to 700 posts a shift” — and were given nine minutes "
         "of ‘wellness time’ per hour")
ARCHIVED = "https://web.archive.org/web/20220301000000/https://news.example.com/2022/02/moderators"
SOURCE = {"id": 7, "quote": QUOTE, "published": "2022-02-14", "archive_url": ARCHIVED,
          "archive_proposed": False}
NOW = "2026-11-26T12:00:00Z"
CTX = RunContext(settings={"BTF_WAYBACK_LOOKUP": True}, now=lambda: NOW)
HTML = "text/html; charset=utf-8"


def page(name: str) -> bytes:
    return fixture_bytes(f"linkcheck/{name}")


def check(http, *, sources=(SOURCE,), ctx=CTX):
    target = Target(URL, {"sources": list(sources)})
    return linkcheck.parse(linkcheck.fetch(http, target, ctx), target, ctx)


# -- status --------------------------------------------------------------------------------


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


# -- saved pages, with their expected checks -----------------------------------------------


PAGES = [
    ("present", "present.html", HTML),
    ("absent", "absent.html", HTML),
    ("paywalled", "paywalled.html", HTML),
    ("consent", "consent.html", HTML),
    ("pdf", "report.pdf", "application/pdf"),
]


@pytest.mark.parametrize(("case", "name", "content_type"), PAGES)
def test_saved_pages_give_the_expected_checks(offline, http, case, name, content_type):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=page(name), content_type=content_type)
    assert as_json(check(http)) == expected("linkcheck/pages.expected.json")[case]


def test_a_moved_and_edited_page_still_has_the_quote_and_its_new_date_is_flagged(offline, http):
    allow_robots(offline, SITE)
    allow_robots(offline, "https://archive.example.org")
    offline.add(responses.GET, URL, status=301, headers={"Location": NEW_URL})
    offline.add(responses.GET, NEW_URL, body=page("moved.html"), content_type=HTML)
    [result] = check(http)
    assert as_json([result]) == expected("linkcheck/pages.expected.json")["moved"]
    assert (result.result, result.final_url) == ("moved", NEW_URL)
    assert result.quote_found is True and 90 <= result.quote_score < 100  # fuzzy, not verbatim
    assert (result.page_published, result.date_mismatch) == ("2023-05-10", True)
    assert "the page is dated 2023-05-10, the source 2022-02-14" in result.detail


def test_what_each_saved_page_tells(offline, http):
    allow_robots(offline, SITE)
    found = {}
    for case, name, content_type in PAGES:
        offline.remove(responses.GET, URL)
        offline.add(responses.GET, URL, body=page(name), content_type=content_type)
        [found[case]] = check(http)
    assert {case: r.quote_found for case, r in found.items()} == {
        "present": True, "absent": False, "paywalled": None, "consent": None, "pdf": None}
    assert found["present"].quote_score == 100 and not found["present"].date_mismatch
    assert "quote not found (best match" in found["absent"].detail
    assert found["absent"].quote_excerpt  # the nearest passage, for the curator
    assert found["paywalled"].quote_note.startswith("paywall")
    assert found["pdf"].quote_note == "a PDF (its text is not read)"
    assert found["consent"].quote_note.startswith("too little text")


def test_every_source_citing_a_page_gets_its_own_quote_checked(offline, http):
    allow_robots(offline, SITE)
    get = offline.add(responses.GET, URL, body=page("present.html"), content_type=HTML)
    other = {**SOURCE, "id": 8, "quote": "a sentence that is nowhere on the page at all"}
    empty = {**SOURCE, "id": 9, "quote": ""}
    results = check(http, sources=[SOURCE, other, empty])
    assert get.call_count == 1  # one fetch for the three
    assert [(r.source_id, r.quote_found) for r in results] == [(7, True), (8, False), (9, None)]
    assert results[2].quote_note == "no quote to look for"


@pytest.mark.parametrize(("status", "note"), [
    (402, "paywall or login (status 402)"),
    (403, "paywall or login (status 403)"),
    (404, "the page answered 404"),
])
def test_an_error_status_leaves_the_quote_unknown(offline, http, status, note):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, status=status, body=b"<html>no</html>", content_type=HTML)
    [result] = check(http)
    assert (result.result, result.quote_found, result.quote_note) == ("broken", None, note)


def test_a_page_robots_txt_keeps_us_from_is_skipped_and_unknown(offline, http):
    allow_robots(offline, SITE, "User-agent: *\nDisallow: /2022/\n")
    [result] = check(http)
    assert (result.result, result.status, result.quote_found) == ("skipped", None, None)
    assert result.quote_note == "robots.txt keeps us from the page"


def test_a_page_too_large_to_read_leaves_the_quote_unknown(offline, http, monkeypatch):
    monkeypatch.setattr(linkcheck, "PAGE_MAX_BYTES", 1000)
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=page("present.html"), content_type=HTML)
    [result] = check(http)
    assert (result.result, result.quote_found) == ("ok", None)
    assert result.quote_note.startswith("the page could not be read") and "1000" in \
        result.quote_note


# -- faults ---------------------------------------------------------------------------------


def test_an_unreachable_host_is_broken(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=requests.exceptions.ConnectionError(
        "Name or service not known"))
    [result] = check(http)
    assert (result.result, result.status, result.quote_found) == ("broken", None, None)
    assert "Name or service not known" in result.detail
    assert result.quote_note == "the page could not be fetched"


def test_a_timeout_is_broken(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=requests.exceptions.ConnectTimeout("timed out"))
    [result] = check(http)
    assert (result.result, result.quote_found) == ("broken", None)
    assert "timed out" in result.detail


def test_a_server_error_is_retried_before_it_counts_as_broken(offline, http, slept):
    allow_robots(offline, SITE)
    get = offline.add(responses.GET, URL, status=502)
    [result] = check(http)
    assert result.result == "broken"
    assert get.call_count == 4
    assert len(slept.calls) == 3


def test_too_many_requests_waits_as_told_then_reads_the_page(offline, http, slept):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, status=429, headers={"Retry-After": "7"})
    offline.add(responses.GET, URL, body=page("present.html"), content_type=HTML)
    [result] = check(http)
    assert (result.result, result.quote_found) == ("ok", True)
    assert 7 in slept.calls


def test_check_one_url_outside_the_runner(offline, http):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=page("present.html"), content_type=HTML)
    result = linkcheck.check(http, URL, now=lambda: NOW, quote=QUOTE, published="2022-02")
    assert (result.result, result.quote_found, result.checked_at) == ("ok", True, NOW)
    values = linkcheck.to_update(result)
    assert values["check_status"] == "ok" and values["quote_found"] is True
    assert values["page_published"] == "2022-02-14" and values["date_mismatch"] is False


# -- the Wayback Machine ----------------------------------------------------------------------


def test_availability_answers():
    snapshot = wayback.parse_availability(page("wayback-snapshot.json"), published="2022-02-14")
    assert snapshot == wayback.Snapshot(
        url="https://web.archive.org/web/20220215093012/https://news.example.com/2022/02/moderators",
        timestamp="20220215093012")
    assert wayback.parse_availability(page("wayback-none.json"), published="2022-02-14") is None
    # Archived months before the article appeared: not the article.
    assert wayback.parse_availability(page("wayback-before.json"), published="2022-02") is None
    assert wayback.parse_availability(page("wayback-before.json"), published="2021") is not None
    # The archive holds an error page for that address.
    assert wayback.parse_availability(page("wayback-not-found.json")) is None


@pytest.mark.parametrize(("data", "message"), [
    (b'{"archived_snapshots": {"closest": {"available": tr', "broken JSON"),
    (b"<html>Service unavailable</html>", "broken JSON"),
    (b'{"url": "x"}', "no archived_snapshots"),
    (b'{"archived_snapshots": {"closest": {"available": true, "status": "200"}}}',
     "no url or timestamp"),
])
def test_broken_availability_answers_are_clear_errors(data, message):
    with pytest.raises(MalformedInput, match=message):
        wayback.parse_availability(data)


@pytest.mark.parametrize(("published", "stamp"), [
    ("2022-02-14", "20220214"), ("2022-02", "20220201"), ("2022", "20220101"), (None, None),
    ("14/02/2022", None),
])
def test_availability_url_asks_for_the_publication_date(published, stamp):
    url = wayback.availability_url(URL, published)
    assert url.startswith("https://archive.org/wayback/available?url=https%3A%2F%2Fnews.")
    assert (f"&timestamp={stamp}" in url) if stamp else ("timestamp" not in url)


def _availability(offline, name=None, *, status=200):
    allow_robots(offline, "https://archive.org")
    return offline.add(
        responses.GET, "https://archive.org/wayback/available",
        body=page(name) if name else b"", status=status,
        match=[matchers.query_param_matcher({"url": URL, "timestamp": "20220214"})])


def test_a_snapshot_is_proposed_for_a_source_without_one(offline, http, known):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=page("present.html"), content_type=HTML)
    lookup = _availability(offline, "wayback-snapshot.json")
    bare = {**SOURCE, "archive_url": None}
    results = check(http, sources=[bare, {**bare, "id": 8}])
    assert lookup.call_count == 1
    drafts = linkcheck.to_proposals(results, known)
    assert as_json(drafts) == expected("linkcheck/archive.proposals.expected.json")
    assert drafts[0].kind == "archive"
    assert drafts[0].payload["change"]["source_ids"] == [7, 8]


def test_no_snapshot_proposes_nothing(offline, http, known):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=page("present.html"), content_type=HTML)
    _availability(offline, "wayback-none.json")
    [result] = check(http, sources=[{**SOURCE, "archive_url": None}])
    assert result.archive is None
    assert result.archive_note == "no usable snapshot in the Wayback Machine"
    assert linkcheck.to_proposals([result], known) == []


def test_a_wayback_error_is_noted_and_the_page_check_stands(offline, http, known, slept):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=page("present.html"), content_type=HTML)
    lookup = _availability(offline, status=503)
    [result] = check(http, sources=[{**SOURCE, "archive_url": None}])
    assert lookup.call_count == 4  # retried like any request
    assert result.archive_note.startswith("Wayback look-up failed: GET https://archive.org/")
    assert (result.result, result.quote_found) == ("ok", True)
    assert linkcheck.to_proposals([result], known) == []


def test_no_lookup_for_an_archived_source_a_waiting_proposal_or_when_switched_off(offline,
                                                                                  http):
    allow_robots(offline, SITE)
    offline.add(responses.GET, URL, body=page("present.html"), content_type=HTML)
    lookup = _availability(offline, "wayback-snapshot.json")
    check(http)  # SOURCE has an archive_url
    check(http, sources=[{**SOURCE, "archive_url": None, "archive_proposed": True}])
    check(http, sources=[{**SOURCE, "archive_url": None}],
          ctx=RunContext(settings={"BTF_WAYBACK_LOOKUP": False}, now=lambda: NOW))
    assert lookup.call_count == 0


def test_targets_group_the_sources_of_one_url():
    known = Known(sources=(
        KnownSource(url=URL, id=1, quote="a", published="2022-02-14"),
        KnownSource(url="https://other.example.net/x", id=2),
        KnownSource(url=URL, id=3, quote="b", archive_url=ARCHIVED),
    ))
    targets = linkcheck.targets(RunContext(known=known))
    assert [(t.location, [s["id"] for s in t.hints["sources"]]) for t in targets] == [
        (URL, [1, 3]), ("https://other.example.net/x", [2])]
    given = linkcheck.targets(RunContext(known=known, sources=(URL, "https://new.example/")))
    assert [(t.location, len(t.hints.get("sources", []))) for t in given] == [
        (URL, 2), ("https://new.example/", 0)]


# -- the normalising and the matching -----------------------------------------------------------


@pytest.mark.parametrize(("raw", "clean"), [
    ("“up to 700” — per hour", '"up to 700" - per hour'),
    ("l’équipe\u00a0de  modération", "l'équipe de modération"),
    ("co\u00adop\u200berative", "cooperative"),
    ("wait…\n\tthen", "wait... then"),
    ("«\u202fentre guillemets\u202f»", '" entre guillemets "'),
])
def test_normalising(raw, clean):
    assert pagecheck.clean(raw) == clean


def test_quotes_with_elisions_are_matched_part_by_part():
    text = ("The workers said the targets were impossible to meet. Supervisors checked every "
            "count. Several said they were never told what the job involved.")
    assert pagecheck.check_quote("the targets were impossible to meet […] they were never told "
                                 "what the job involved", [text]).found is True
    assert pagecheck.check_quote("the targets were impossible to meet … and the pay was good "
                                 "enough for all of them", [text]).found is False


def test_the_threshold_separates_an_edit_from_a_paraphrase():
    text = "Moderators said they reviewed up to 700 posts per shift and got nine minutes a break."
    edited = pagecheck.check_quote("Moderators said they reviewed up to 700 posts a shift", [text])
    paraphrase = pagecheck.check_quote("Reviewers told us that they looked at 700 items each day",
                                       [text])
    assert edited.found is True and edited.score >= pagecheck.QUOTE_THRESHOLD
    assert paraphrase.found is False and paraphrase.score < pagecheck.QUOTE_THRESHOLD


@pytest.mark.parametrize(("published", "found", "disagree"), [
    ("2022-02-14", "2022-02-14", False),
    ("2022-02-14", "2022-02-15", False),  # time zones
    ("2022-02-14", "2022-02-17", True),
    ("2022-02", "2022-02-28", False),
    ("2022-02", "2022-03-01", True),
    ("2022", "2021-12-31", True),
    ("2022", None, False),
    (None, "2022-01-01", False),
])
def test_dates_disagree(published, found, disagree):
    assert pagecheck.dates_disagree(published, found) is disagree

"""What a user meets with the extension, written once and run in every browser it ships for.

Each test takes `any_browser` and runs twice: in Debian's Chromium (Playwright) and in Debian's
Firefox ESR (Marionette). The extension is freshly installed for each test, with no server set
(the bundled index), and every https:// page is a small stand-in page served on this machine.

Adding a scenario:
1. Write `def test_<what the user does>(any_browser, ...)` here (or in a new test_*.py beside it,
   with the same `pytestmark`). Use only the `Browser` interface (browsers.py): `open`,
   `open_extension_page`, `overlay`, `click_overlay`, `focus`/`press`, `badge`, `text`, `count`,
   `click`, `fill`, `select`, `evaluate`, `storage`, `grant_origin`, `revoke_origins`,
   `requests`, `screenshot`, `resize`, `tabs`, `close_tab`, `restart`,
   and the helpers here and in browsers.py (`wait_for_overlay`, `overlay_stays_away`,
   `wait_for_text`, `wait_until`, `set_server`, `listed`).
2. Assert what the user sees (texts from the extension's _locales files, figures from the
   bundled index or the dataset), never a browser's internals.
3. When a browser needs a capability the interface lacks, add one method to `Browser` and to both
   `ChromiumBrowser` (browsers.py) and `FirefoxBrowser` (firefox_browser.py), with how it works
   in the docstring. The `service` fixture gives the real service when a journey needs a server.
`service` and the browsers are started once per test session; Chromium's profile and Firefox's
add-on install are fresh per test.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from .browsers import (
    Browser,
    overlay_stays_away,
    wait_for_overlay,
    wait_for_text,
    wait_until,
)
from .conftest import EXTENSION, ROOT
from .local_web import LISTED_SITES, UNLISTED_SITES

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

DATASET = ROOT / "server" / "data" / "dataset"


def messages(lang: str) -> dict[str, str]:
    """The extension's user-visible strings in this language."""
    path = EXTENSION / "_locales" / lang / "messages.json"
    return {key: value["message"] for key, value in json.loads(path.read_text()).items()}


EN, FR = messages("en"), messages("fr")


def listed(host: str) -> tuple[str, dict]:
    """(slug, index entry) of a listed site in the bundled index, read when asked (the data files
    are regenerated whenever the dataset changes)."""
    index = json.loads((EXTENSION / "data" / "index.json").read_text())
    slug = index["hosts"][host]
    return slug, index["platforms"][slug]


def published_claims(slug: str) -> list[dict]:
    """The platform's published claims, from the dataset files."""
    claims = []
    for path in sorted(DATASET.glob("*.json")):
        if path.name == "vendors.json":
            continue
        for claim in json.loads(path.read_text()).get("claims", []):
            if slug in claim["platforms"] and claim.get("status") == "published":
                claims.append(claim)
    return claims


def set_server(browser: Browser, service) -> None:
    """Set the server in the options page, as a user does, and wait for the first sync."""
    browser.grant_origin("http://127.0.0.1/*")
    options = browser.open_extension_page("options/options.html")
    browser.fill(options, "#server-url", service.url)
    browser.click(options, "#server-save")
    wait_for_text(browser, options, "#last-sync", "updated")
    assert browser.storage()["serverUrl"] == service.url


def test_overlay_and_badge_on_a_listed_site(any_browser: Browser, artifacts):
    host = LISTED_SITES[0]
    _slug, platform = listed(host)
    tab = any_browser.open(f"https://www.{host}/feed")

    texts = wait_for_overlay(any_browser, tab)
    assert platform["name"] in texts
    for kind, count in platform["counts"].items():
        if count:
            assert platform["headlines"][kind]["en"] in texts, f"no {kind} headline in {texts}"
    for key in ("overlayDetails", "overlayHideSite", "overlayTurnOff"):
        assert EN[key] in texts
    wait_until(lambda: any_browser.badge(tab) == str(platform["total"]), 10,
               f"badge {platform['total']} on {host}")
    any_browser.screenshot(tab, str(artifacts / f"journey-overlay-{any_browser.name}.png"))


def test_nothing_on_an_unlisted_site(any_browser: Browser):
    listed_tab = any_browser.open(f"https://www.{LISTED_SITES[0]}/")
    wait_for_overlay(any_browser, listed_tab)  # the extension is up and drawing

    tab = any_browser.open(f"https://{UNLISTED_SITES[0]}/")
    assert overlay_stays_away(any_browser, tab)
    assert any_browser.evaluate(tab, "document.querySelector('behind-the-feed-overlay')") is None
    assert any_browser.badge(tab) == ""
    assert any_browser.badge(listed_tab) == str(listed(LISTED_SITES[0])[1]["total"])


def test_panel_offline_shows_the_platforms_claims(any_browser: Browser):
    """With no server set, the panel shows every claim the badge counts, each with its sources
    (issue 11: the whole sourced record on the device)."""
    slug, platform = listed(LISTED_SITES[0])
    dataset_ids = {claim["id"] for claim in published_claims(slug)}

    panel = any_browser.open_extension_page(f"popup/popup.html?platform={slug}")
    assert any_browser.text(panel, "h1") == platform["name"]
    shown = any_browser.evaluate(
        panel, "[...document.querySelectorAll('article.claim')].map(a => a.dataset.claim)")
    assert len(shown) == platform["total"], (
        f"{len(shown)} claims shown, the badge says {platform['total']}; the panel says "
        f"{any_browser.text(panel, '#status')!r}")
    assert set(shown) <= dataset_ids, set(shown) - dataset_ids
    without_sources = any_browser.evaluate(
        panel, "[...document.querySelectorAll('article.claim')]"
               ".filter(a => !a.querySelector('ul.sources a[href^=\"http\"]'))"
               ".map(a => a.dataset.claim)")
    assert without_sources == []
    assert not any(r.url.startswith("http://127.0.0.1") for r in any_browser.requests())


def test_dismissing_the_overlay(any_browser: Browser):
    host = LISTED_SITES[1]
    tab = any_browser.open(f"https://www.{host}/")
    wait_for_overlay(any_browser, tab)
    any_browser.click_overlay(tab, EN["overlayClose"])
    wait_until(lambda: any_browser.overlay(tab) is None, 5, "the overlay closes")
    any_browser.reload(tab)
    assert overlay_stays_away(any_browser, tab), "dismissed, yet back after a reload"


def test_escape_closes_the_overlay_and_gives_focus_back(any_browser: Browser):
    tab = any_browser.open(f"https://www.{LISTED_SITES[0]}/")
    wait_for_overlay(any_browser, tab)
    any_browser.focus(tab, "#first-link")
    any_browser.press(tab, "Tab")
    # Focus is inside the closed shadow root: the page only sees the host element.
    assert any_browser.evaluate(tab, "document.activeElement.tagName") == "BEHIND-THE-FEED-OVERLAY"
    any_browser.press(tab, "Escape")
    wait_until(lambda: any_browser.overlay(tab) is None, 5, "Escape closes the overlay")
    assert any_browser.evaluate(tab, "document.activeElement.id") == "first-link"


def test_site_access_withdrawn_means_no_overlay_and_no_badge(any_browser: Browser):
    """A user (or a policy) turns off the extension's access to one listed site: nothing shows
    there, the other listed sites still work. (The hint the panel and the settings then show,
    with its one button, is test_site_access.py's journey, on both browsers too.)"""
    host, other = LISTED_SITES[0], LISTED_SITES[1]
    any_browser.revoke_origins([f"*://{host}/*", f"*://*.{host}/*"])
    granted = any_browser.evaluate(any_browser.open_extension_page("options/options.html"),
                                   "chrome.permissions.getAll()")
    assert not {f"*://{host}/*", f"*://*.{host}/*"} & set(granted["origins"]), granted

    tab = any_browser.open(f"https://www.{host}/")
    assert overlay_stays_away(any_browser, tab)
    assert any_browser.badge(tab) == ""
    other_tab = any_browser.open(f"https://www.{other}/")
    wait_for_overlay(any_browser, other_tab)
    assert any_browser.badge(other_tab) == str(listed(other)[1]["total"])


FIRST_RUN = "/firstrun/firstrun.html"
# How to pin the toolbar button, in each browser's own words (its menus and buttons).
PIN_WORDS = {"chromium": ("Extensions", "puzzle", "the pin"),
             "firefox": ("Extensions", "gear", '"Pin to Toolbar"')}
PIN_WORDS_FR = {"chromium": ("Extensions", "puzzle", "épingle"),
                "firefox": ("Extensions", "roue dentée", "« Épingler à la barre d'outils »")}


def first_run_tabs(browser: Browser) -> list:
    return [tab for tab, url in browser.tabs()
            if url.startswith(("chrome-extension://", "moz-extension://"))
            and urlsplit(url).path == FIRST_RUN]


def shown(browser: Browser, tab, selector: str) -> bool:
    """The element is rendered (not hidden, not display:none) with a size on the page."""
    return browser.evaluate(
        tab, f"(n => !!n && n.checkVisibility() && n.getBoundingClientRect().height > 0)"
             f"(document.querySelector({json.dumps(selector)}))")


@pytest.mark.parametrize("keep_first_run", [True], ids=["install"])
def test_first_run_page_opens_once_on_install(any_browser: Browser, keep_first_run, artifacts):
    """Installing opens one tab: what the extension shows, what it never sends, how to pin its
    button in this browser, the language; it loads nothing from anywhere; and it does not open
    again when the extension starts later."""
    name = any_browser.name
    tabs = wait_until(lambda: first_run_tabs(any_browser), 10, "a first-run tab on install")
    assert len(tabs) == 1, any_browser.tabs()
    page = tabs[0]
    wait_until(lambda: any_browser.evaluate(page, "document.documentElement.dataset.ready")
               == "true", 10, "the first-run page ready")
    shown_since = any_browser.storage()["firstRunShown"]

    assert any_browser.text(page, "h1") == EN["firstRunHeading"]
    assert any_browser.evaluate(page, "document.title") == EN["firstRunTitle"]
    assert any_browser.evaluate(page, "document.documentElement.lang") == "en"
    # The privacy promise, in full and on screen.
    assert any_browser.text(page, "#privacy-heading") == EN["firstRunPrivacyHeading"]
    assert any_browser.text(page, "#privacy-heading + p") == EN["firstRunPrivacy"]
    assert shown(any_browser, page, "#privacy-heading + p")
    # Pinning: this browser's steps, in its own words; the other browser's stay hidden.
    other = "firefox" if name == "chromium" else "chromium"
    pin = any_browser.text(page, f"#pin-{name}")
    assert pin == EN[f"firstRunPin{name.capitalize()}"]
    assert all(words in pin for words in PIN_WORDS[name]), pin
    assert shown(any_browser, page, f"#pin-{name}")
    assert not shown(any_browser, page, f"#pin-{other}")
    # Five sections, each under its heading; the language menu labelled.
    assert any_browser.count(page, "main > section[aria-labelledby] > h2") == 5
    assert any_browser.evaluate(
        page, "document.getElementById('language').labels[0].textContent") == EN["languageLabel"]
    any_browser.resize(page, 800, 1000)
    any_browser.screenshot(page, str(artifacts / f"first-run-{name}-en.png"))

    # The language: French at once, on this page and from then on.
    any_browser.select(page, "#language", "fr")
    wait_for_text(any_browser, page, "h1", FR["firstRunHeading"])
    assert any_browser.evaluate(page, "document.documentElement.lang") == "fr"
    assert any_browser.text(page, "#privacy-heading + p") == FR["firstRunPrivacy"]
    pin = any_browser.text(page, f"#pin-{name}")
    assert all(words in pin for words in PIN_WORDS_FR[name]), pin
    assert any_browser.storage()["language"] == "fr"
    any_browser.screenshot(page, str(artifacts / f"first-run-{name}-fr.png"))

    # Nothing remote: no request left the browser, and the page loaded only its own files.
    assert any_browser.requests() == [], any_browser.requests()
    loaded = any_browser.evaluate(
        page, "performance.getEntriesByType('resource').map(e => e.name)")
    origin = any_browser.evaluate(page, "location.origin")
    # (Chromium leaves the extension's own files out of this list; Firefox lists them.)
    assert all(url.startswith(origin + "/") for url in loaded), loaded
    assert any_browser.count(page, "[src^='http'], link[href^='http'], iframe, object") == 0

    # Once only: closed, the extension started again later, it stays closed.
    any_browser.close_tab(page)
    any_browser.restart()
    listed_tab = any_browser.open(f"https://www.{LISTED_SITES[0]}/")
    wait_for_overlay(any_browser, listed_tab)  # the extension is up again
    assert first_run_tabs(any_browser) == [], any_browser.tabs()
    assert any_browser.storage()["firstRunShown"] == shown_since
    # It stays one click away in the settings.
    options = any_browser.open_extension_page("options/options.html")
    assert any_browser.evaluate(
        options, "document.getElementById('open-first-run').getAttribute('href')"
    ) == "../firstrun/firstrun.html"


def test_french(any_browser: Browser):
    options = any_browser.open_extension_page("options/options.html")
    any_browser.select(options, "#language", "fr")
    wait_for_text(any_browser, options, "h1", FR["optionsHeading"])
    assert any_browser.storage()["language"] == "fr"

    host = LISTED_SITES[0]
    _slug, platform = listed(host)
    texts = wait_for_overlay(any_browser, any_browser.open(f"https://www.{host}/"))
    for key in ("overlayDetails", "overlayHideSite", "overlayTurnOff"):
        assert FR[key] in texts, f"{FR[key]!r} not in {texts}"
    for kind, count in platform["counts"].items():
        if count:
            assert platform["headlines"][kind]["fr"] in texts


def test_privacy_no_request_carries_a_visited_host_or_url(any_browser: Browser, service):
    """Every request the browser makes is recorded: the service only ever gets whole files (the
    index and the record), and nothing else leaves but the visits."""
    set_server(any_browser, service)
    start = len(any_browser.requests())
    visits = [f"https://www.{host}/private/path-{i}?secret=token{i}"
              for i, host in enumerate(LISTED_SITES)]
    visits += [f"https://{host}/private/path-u{i}?secret=utoken{i}"
               for i, host in enumerate(UNLISTED_SITES)]
    for url in visits:
        tab = any_browser.open(url)
        if url.startswith("https://www."):
            wait_for_overlay(any_browser, tab)
        else:
            assert overlay_stays_away(any_browser, tab, 0.5)
    slug, _ = listed(LISTED_SITES[0])
    panel = any_browser.open_extension_page(f"popup/popup.html?platform={slug}")
    wait_until(lambda: any_browser.count(panel, "article.claim"), 10, "the panel's claims")
    options = any_browser.open_extension_page("options/options.html")
    any_browser.click(options, "#sync-now")
    wait_for_text(any_browser, options, "#last-sync", "already up to date")

    requests = any_browser.requests()
    secrets = [urlsplit(url).hostname for url in visits] + list(LISTED_SITES + UNLISTED_SITES)
    secrets += [f"path-{i}" for i in range(3)] + [f"token{i}" for i in range(3)]
    secrets += [f"path-u{i}" for i in range(3)] + [f"utoken{i}" for i in range(3)]
    to_service = [r for r in requests if r.url.startswith(service.origin)]
    # After the server was set: the visits, the panel and "Sync now".
    paths = [urlsplit(r.url).path + (f"?{urlsplit(r.url).query}" if urlsplit(r.url).query else "")
             for r in requests[start:] if r.url.startswith(service.origin)]
    # Whole files only (the index and the record); the panel asks nothing of the service.
    assert set(paths) <= {"/api/v1/index", "/api/v1/export.json"}, paths
    assert paths.count("/api/v1/index") >= 1, paths
    for request in to_service:
        carried = " ".join([request.url, json.dumps(request.headers), request.body])
        leaked = [s for s in secrets if s in carried]
        assert not leaked, f"{request.method} {request.url} carries {leaked}"
        assert request.method == "GET"
        assert "cookie" not in {name.lower() for name in request.headers}

    # Nothing else goes anywhere: only the visits themselves (and their hosts' favicons).
    visited = {urlsplit(url).hostname for url in visits}
    elsewhere = [r for r in requests if not r.url.startswith(service.origin)]
    for request in elsewhere:
        if request.method == "CONNECT":  # a tunnel (Firefox's proxy log): to a visited host
            assert request.url.rsplit(":", 1)[0] in visited, request.url
        else:
            assert request.url in visits or (
                urlsplit(request.url).hostname in visited
                and urlsplit(request.url).path == "/favicon.ico"), request.url
    assert {r.url for r in elsewhere if r.method == "GET"} >= set(visits)

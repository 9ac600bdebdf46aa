"""The extension in a real Chromium against the real service: badge, overlay, panel, options,
reports, privacy and hostile data. See conftest.py for how the browser and the service are run."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import EXTENSION
from .extension_browser import (
    attributes,
    click_in_overlay,
    has_overlay_host,
    overlay_elements,
    overlay_node,
    overlay_texts,
    wait_for_overlay,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MANIFEST = json.loads((EXTENSION / "manifest.json").read_text())
UNLISTED = ["example.org", "example.com", "wikipedia.org", "gnu.org", "python.org"]


def manifest_hosts() -> set[str]:
    """The hosts the content script may run on (the manifest is generated from the index)."""
    return {m.split("://", 1)[1].split("/", 1)[0].removeprefix("*.")
            for m in MANIFEST["content_scripts"][0]["matches"]}


def listed_sites(service, count: int) -> list[tuple[str, str]]:
    """(host, slug) pairs of platforms with published claims, one host per platform."""
    index = service.api("index")
    usable = manifest_hosts()
    chosen, seen = [], set()
    # Facebook first when it is listed: it has claims of several kinds, a good showcase.
    hosts = sorted(index["hosts"].items(), key=lambda item: (item[1] != "facebook", item))
    for host, slug in hosts:
        if host in usable and slug not in seen and index["platforms"][slug]["total"] > 0:
            chosen.append((host, slug))
            seen.add(slug)
    assert len(chosen) >= count, f"too few platforms both listed and in the manifest: {chosen}"
    return chosen[:count]


def load(browser, url: str):
    page = browser.context.new_page()
    page.goto(url)
    return page


def overlay_absent_after_load(page, seconds: float = 1.5) -> bool:
    """True when no overlay shows within `seconds` of the page having loaded."""
    page.wait_for_load_state("load")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if has_overlay_host(page):
            return False
        time.sleep(0.1)
    return True


def focused_control(page) -> tuple[str, str]:
    """(role, name) of the focused control, from the accessibility tree (which sees into
    shadow roots)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    def is_focused(node):
        return any(p["name"] == "focused" and p["value"]["value"]
                   for p in node.get("properties", []))

    focused = [n for n in nodes if n["role"]["value"] != "RootWebArea" and is_focused(n)]
    assert len(focused) == 1, focused
    return focused[0]["role"]["value"], focused[0]["name"]["value"]


def test_options_page_sets_the_server_and_syncs_the_index(browser, service):
    browser.set_server(service)
    stored = browser.storage()
    assert stored["serverUrl"] == service.url
    assert stored["lastSync"]["result"] == "ok"
    assert stored["index"]["version"] == service.api("index")["version"]
    granted = browser.in_worker("chrome.permissions.getAll()")
    assert "http://127.0.0.1/*" in granted["origins"]
    assert "<all_urls>" not in granted["origins"]

    options = browser.open_options()
    expect(options.locator("#index-info")).to_contain_text("from the server")
    options.click("#sync-now")
    expect(options.locator("#last-sync")).to_contain_text("already up to date")
    assert browser.storage()["lastSync"]["result"] == "not-modified"

    # A URL that is not http(s) is refused before any permission is asked for.
    options.fill("#server-url", "javascript:alert(1)")
    options.click("#server-save")
    expect(options.locator("#server-status")).to_contain_text("http:// or https://")
    assert browser.storage()["serverUrl"] == service.url


def test_listed_platform_gets_badge_and_overlay(browser, service, artifacts):
    browser.set_server(service)
    host, slug = listed_sites(service, 1)[0]
    summary = service.api("index")["platforms"][slug]
    url = f"https://www.{host}/"
    page = load(browser, url)

    node = wait_for_overlay(page)
    texts = overlay_texts(node)
    assert summary["name"] in texts
    for kind, headline in summary["headlines"].items():
        if summary["counts"].get(kind):
            assert headline["en"] in texts, f"the {kind} headline is missing from {texts}"
    for label in ("Details", "Hide on this site", "Turn overlays off"):
        assert label in texts
    region = next(n for n in overlay_elements(node) if attributes(n).get("role") == "complementary")
    assert summary["name"] in attributes(region)["aria-label"]

    assert browser.badge(url) == str(summary["total"])
    assert card_animation(page, node) == "btf-in"
    page.wait_for_timeout(400)  # the card's entrance animation
    page.screenshot(path=str(artifacts / "overlay.png"))


def test_overlay_survives_a_hostile_page_style(browser, service, artifacts):
    browser.set_server(service)
    host, slug = listed_sites(service, 1)[0]
    hostile = ("<style>* { display: none !important; color: #fff !important; opacity: 0 !important;"
               " font-size: 2px !important; } div, section, p, h2, ul, li, strong {"
               " display: none !important; } button { visibility: hidden !important;"
               " background: red !important; }</style>")
    browser.page_heads[f"https://www.{host}/hostile"] = hostile
    page = load(browser, f"https://www.{host}/hostile")
    wait_for_overlay(page)
    box = page.evaluate("""() => {
        const r = document.querySelector('behind-the-feed-overlay').getBoundingClientRect();
        return {width: r.width, height: r.height,
                right: innerWidth - r.right, bottom: innerHeight - r.bottom};
    }""")
    assert box["width"] > 200 and box["height"] > 100, box
    assert abs(box["right"] - 16) < 2 and abs(box["bottom"] - 16) < 2, box
    page.screenshot(path=str(artifacts / "overlay-hostile-page.png"))
    # The card itself is drawn: its corner does not look like the (blank) rest of the page.
    size = {"width": box["width"], "height": box["height"]}
    corner = {"x": 1280 - 16 - box["width"], "y": 800 - 16 - box["height"]}
    card = page.screenshot(clip={**corner, **size})
    blank = page.screenshot(clip={"x": 0, "y": 0, **size})
    assert card != blank


def test_unlisted_site_gets_no_overlay_and_no_badge(browser, service):
    browser.set_server(service)
    page = load(browser, "https://example.org/")
    assert overlay_absent_after_load(page)
    assert overlay_node(page) is None
    badges = browser.badges_of_tabs_without_url()
    assert badges and set(badges) == {""}, badges
    assert browser.in_worker("chrome.action.getBadgeText({})") == ""


COUNT_OVERLAY_HOSTS = """
window.__overlayHostsAdded = 0;
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeName === 'BEHIND-THE-FEED-OVERLAY') window.__overlayHostsAdded += 1;
    }
  }
}).observe(document, { childList: true, subtree: true });
"""


def test_a_page_load_draws_the_card_once(browser, service):
    """The page's own URL report (a load is a URL change too) must not draw the card a second
    time: a redraw swaps the buttons under the user's pointer and moves their focus."""
    browser.set_server(service)
    host, _ = listed_sites(service, 1)[0]
    for attempt in range(5):
        page = browser.context.new_page()
        page.add_init_script(COUNT_OVERLAY_HOSTS)
        page.goto(f"https://www.{host}/feed?attempt={attempt}")
        wait_for_overlay(page)
        page.wait_for_timeout(700)  # the URL report's answer comes after the first draw
        assert page.evaluate("window.__overlayHostsAdded") == 1
        page.close()


def test_hide_on_this_site_survives_a_reload_and_can_be_undone(browser, service, artifacts):
    browser.set_server(service)
    host, slug = listed_sites(service, 1)[0]
    page = load(browser, f"https://www.{host}/feed")
    click_in_overlay(page, "Hide on this site")
    expect(page.locator("behind-the-feed-overlay")).to_have_count(0)
    # Hidden for the matched platform, not the registrable domain.
    assert browser.storage()["hiddenSites"] == [slug]

    page.reload()
    assert overlay_absent_after_load(page)
    other = load(browser, f"https://m.{host}/other-page")  # same site, another subdomain
    assert overlay_absent_after_load(other)

    options = browser.open_options()
    expect(options.locator("#hidden-sites li")).to_have_text(re.compile(re.escape(slug)))
    options.screenshot(path=str(artifacts / "options.png"), full_page=True)
    options.get_by_role("button", name=f"Show the overlay again on {slug}").click()
    expect(options.locator("#hidden-undo")).to_contain_text(slug)
    expect(options.locator("#hidden-sites li")).to_have_count(0)
    options.click("#hidden-undo-button")
    expect(options.locator("#hidden-sites li")).to_have_count(1)
    options.get_by_role("button", name=f"Show the overlay again on {slug}").click()

    page.reload()
    wait_for_overlay(page)


def test_turning_overlays_off_and_on(browser, service):
    browser.set_server(service)
    (host, _), (other_host, _) = listed_sites(service, 2)
    page = load(browser, f"https://www.{host}/")
    click_in_overlay(page, "Turn overlays off")
    # Undo is offered for a few seconds (test_overlay_controls.py), then the card goes.
    expect(page.locator("behind-the-feed-overlay")).to_have_count(0, timeout=15_000)
    assert browser.storage()["overlaysEnabled"] is False
    assert overlay_absent_after_load(load(browser, f"https://www.{other_host}/"))

    options = browser.open_options()
    expect(options.locator("#overlays-enabled")).not_to_be_checked()
    options.check("#overlays-enabled")
    options.check("#position-top-left")
    page.reload()
    wait_for_overlay(page)
    box = page.evaluate(
        "() => document.querySelector('behind-the-feed-overlay').getBoundingClientRect().toJSON()")
    assert (round(box["left"]), round(box["top"])) == (16, 16)


def test_overlay_is_keyboard_usable(browser, service):
    browser.set_server(service)
    host, _slug = listed_sites(service, 1)[0]
    page = load(browser, f"https://www.{host}/")
    wait_for_overlay(page)
    page.focus("#first-link")
    page.keyboard.press("Tab")
    # Focus is inside the closed shadow root: the page only sees the host element.
    assert page.evaluate("() => document.activeElement.tagName") == "BEHIND-THE-FEED-OVERLAY"
    assert focused_control(page) == ("button", "Close")
    # Then each kind's source link, then the buttons.
    page.keyboard.press("Tab")
    assert focused_control(page)[0] == "link"
    for _ in range(8):
        if focused_control(page) == ("button", "Details"):
            break
        assert focused_control(page)[0] == "link", focused_control(page)
        page.keyboard.press("Tab")
    assert focused_control(page) == ("button", "Details")
    page.keyboard.press("Escape")
    expect(page.locator("behind-the-feed-overlay")).to_have_count(0)
    # Focus goes back where it came from.
    assert page.evaluate("() => document.activeElement.id") == "first-link"
    # Closed on this page only: neither hidden for the site nor dismissed, back on a reload.
    assert "hiddenSites" not in browser.storage()
    assert not browser.storage().get("dismissedPlatforms")
    page.reload()
    wait_for_overlay(page)


def panel_targets(page, base: str) -> list[dict]:
    """The panel pages open in the browser: as a popup (Playwright does not list those) or a tab."""
    session = page.context.new_cdp_session(page)
    try:
        targets = session.send("Target.getTargets")["targetInfos"]
    finally:
        session.detach()
    panel = f"{base}popup/popup.html"
    return [t for t in targets if t["type"] == "page" and t["url"].startswith(panel)]


def test_details_button_opens_the_panel(browser, service):
    browser.set_server(service)
    host, slug = listed_sites(service, 1)[0]
    name = service.api("index")["platforms"][slug]["name"]
    page = load(browser, f"https://www.{host}/")
    assert panel_targets(page, browser.base) == []
    click_in_overlay(page, "Details")
    # chrome.action.openPopup() opens the popup (headless Chromium too); where it cannot, the
    # panel opens in a tab with ?platform=slug. Either way it shows this platform.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        panels = panel_targets(page, browser.base)
        if panels and panels[0]["title"].startswith(name):
            break
        time.sleep(0.2)
    assert [p["title"] for p in panels] == [f"{name} · Behind the Feed"], panels
    assert panels[0]["url"] in (f"{browser.base}popup/popup.html",
                                f"{browser.base}popup/popup.html?platform={slug}")


def test_panel_lists_claims_with_their_sources(browser, service, artifacts):
    browser.set_server(service)
    _host, slug = listed_sites(service, 1)[0]
    details = service.api(f"platforms/{slug}?lang=en")
    panel = browser.open_panel(slug)

    expect(panel.locator("h1")).to_have_text(details["name"])
    expect(panel.locator("article.claim")).to_have_count(len(details["claims"]))
    for claim in details["claims"]:
        article = panel.locator(f'article[data-claim="{claim["id"]}"]')
        expect(article.locator(".summary")).to_have_text(claim["summary"])
        links = article.locator("ul.sources > li > a:not(.archive)")
        expect(links).to_have_count(len(claim["sources"]))
        for i, source in enumerate(claim["sources"]):
            link = links.nth(i)
            # As the browser writes the URL (an "é" in a path is percent-encoded).
            href = panel.evaluate("u => new URL(u).href", source["url"])
            expect(link).to_have_attribute("href", href)
            expect(link).to_have_attribute("target", "_blank")
            expect(link).to_have_attribute("rel", "noopener noreferrer")
        for vendor in claim["vendors"]:
            expect(article.locator("dd").first).to_contain_text(vendor["name"])
    kinds = panel.locator("section.kind").evaluate_all("s => s.map(e => e.dataset.kind)")
    assert kinds == [k for k in ("moderation", "labelling", "engagement", "microwork")
                     if any(c["kind"] == k for c in details["claims"])]
    panel.screenshot(path=str(artifacts / "panel.png"), full_page=True)

    # The whole record came with the sync and is kept for offline use.
    assert browser.storage()["export"] == service.api("export.json")


def test_panel_in_french(browser, service):
    browser.set_server(service)
    host, slug = listed_sites(service, 1)[0]
    options = browser.open_options()
    options.select_option("#language", "fr")
    expect(options.locator("h1")).to_have_text("Réglages")

    panel_requests = []
    browser.context.on("request", lambda r: "/platforms/" in r.url and panel_requests.append(r.url))
    panel = browser.open_panel(slug)
    expect(panel.locator("#report-heading")).to_have_text("Signaler un problème")
    assert panel_requests == []  # the record is on the device: no request per platform
    details = service.api(f"platforms/{slug}?lang=fr")
    first = panel.locator("article.claim").first
    first_summary = next(c["summary"] for c in details["claims"]
                         if c["id"] == first.get_attribute("data-claim"))
    expect(first.locator(".summary")).to_have_text(first_summary)

    page = load(browser, f"https://www.{host}/")
    texts = overlay_texts(wait_for_overlay(page))
    assert "Détails" in texts and "Masquer sur ce site" in texts


def test_report_from_the_panel_reaches_the_service(browser, service):
    browser.set_server(service)
    _host, slug = listed_sites(service, 1)[0]
    panel = browser.open_panel(slug)
    message = f"The vendor site is missing, report {time.time_ns()}"
    panel.select_option("#report-kind", "missing")
    panel.fill("#report-message", message)
    panel.fill("#report-source", "https://example.org/report")
    panel.click("#report-send")
    expect(panel.locator("#report-status")).to_have_text(
        "Thank you: your report was sent to the curators.")
    expect(panel.locator("#report-message")).to_have_value("")

    with sqlite3.connect(service.database) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM proposals WHERE origin = 'suggestion'").fetchall()
    mine = [dict(row) for row in rows
            if message in json.dumps(json.loads(row["payload"]), ensure_ascii=False)]
    assert len(mine) == 1, rows
    assert mine[0]["platform_slug"] == slug
    assert mine[0]["status"] == "new"
    assert mine[0]["host"] in (None, "")  # the panel never says which page the user was on

    # A source that is not a web address is refused in the panel, before anything is sent.
    panel.fill("#report-message", "Another report")
    panel.fill("#report-source", "javascript:alert(1)")
    panel.click("#report-send")
    expect(panel.locator("#report-status")).to_have_text(
        "The source must be an http or https address.")

    # A report the service refuses shows the service's reason.
    panel.fill("#report-source", "https://example.org/" + "a" * 2100)
    panel.click("#report-send")
    expect(panel.locator("#report-status")).to_contain_text("The server refused the report.")
    expect(panel.locator("#report-status")).to_contain_text("source_url")

    # Too many reports: the service's limit (3 a minute here) gives a clear message.
    panel.fill("#report-source", "")
    for _attempt in range(6):
        panel.fill("#report-message", "One more report")
        panel.click("#report-send")
        expect(panel.locator("#report-send")).to_be_enabled()
        if "Too many reports" in panel.locator("#report-status").text_content():
            break
    expect(panel.locator("#report-status")).to_contain_text("Too many reports in a short time")


def test_report_shows_network_errors(browser, service):
    browser.set_server(service)
    _host, slug = listed_sites(service, 1)[0]
    panel = browser.open_panel(slug)
    browser.context.route(f"{service.url}api/v1/suggestions", lambda route: route.abort())
    panel.fill("#report-message", "This one will not arrive")
    panel.click("#report-send")
    expect(panel.locator("#report-status")).to_contain_text("the server could not be reached")


def test_privacy_no_visited_host_or_url_reaches_the_service(browser, service):
    requests = []
    browser.context.on("request", lambda request: requests.append(request))
    browser.set_server(service)

    listed = listed_sites(service, 5)
    visits = [f"https://www.{host}/private/path-{i}?secret=token{i}"
              for i, (host, _) in enumerate(listed)]
    visits += [f"https://{host}/private/path-u{i}?secret=utoken{i}"
               for i, host in enumerate(UNLISTED)]
    page = browser.context.new_page()
    for url in visits:
        page.goto(url)
        if url.startswith("https://www."):
            wait_for_overlay(page)
        else:
            assert overlay_absent_after_load(page, 0.5)
    panel_slug = listed[0][1]
    browser.open_panel(panel_slug).close()
    options = browser.open_options()
    options.click("#sync-now")
    expect(options.locator("#last-sync")).to_contain_text("already up to date")

    secrets = [urlsplit(url).hostname for url in visits]
    secrets += [host for host, _ in listed] + UNLISTED
    secrets += [f"path-{i}" for i in range(5)] + [f"token{i}" for i in range(5)]
    secrets += [f"path-u{i}" for i in range(5)] + [f"utoken{i}" for i in range(5)]

    to_service = [r for r in requests if r.url.startswith(service.origin)]
    paths = [urlsplit(r.url).path + ("?" + urlsplit(r.url).query if urlsplit(r.url).query else "")
             for r in to_service]
    # Whole files only: the index and the record; the panel asks nothing of the service.
    assert set(paths) <= {"/api/v1/index", "/api/v1/export.json"}, paths
    assert paths.count("/api/v1/index") >= 2  # the sync on saving the server, and "Sync now"
    assert paths.count("/api/v1/export.json") >= 2, paths
    for request in to_service:
        carried = " ".join([request.url, json.dumps(request.headers), request.post_data or ""])
        leaked = [s for s in secrets if s in carried]
        assert not leaked, f"{request.method} {request.url} carries {leaked}"
        assert request.method == "GET"
        assert "cookie" not in {name.lower() for name in request.headers}

    # Nothing else goes anywhere: the browser's own pages, the service, and the visits themselves.
    elsewhere = [r.url for r in requests
                 if urlsplit(r.url).scheme not in ("chrome", "chrome-extension")
                 and not r.url.startswith(service.origin)]
    assert sorted(elsewhere) == sorted(visits)


XSS = '<img src=x onerror="window.btfXss = 1; alert(1)">'
SCRIPT = '<script>window.btfXss = 2; alert(2)</script>'


def hostile_index(index: dict, slug: str) -> dict:
    hostile = json.loads(json.dumps(index))
    platform = hostile["platforms"][slug]
    platform["name"] = f"Name {XSS}"
    platform["counts"]["moderation"] = max(platform["counts"].get("moderation", 0), 1)
    platform["total"] = sum(platform["counts"].values())
    platform["headlines"]["moderation"] = {"en": f"Headline {XSS} {SCRIPT}", "fr": f"Titre {XSS}"}
    hostile["version"] = "hostile"
    return hostile


def hostile_export(slug: str) -> dict:
    """A record (export.json) whose every text holds markup, and javascript: URLs."""
    claim = {
        "id": "hostile-claim", "kind": "moderation", "summary": f"Summary {XSS}",
        "translations": {}, "platforms": [slug], "vendors": ["evil"],
        "locations": [{"country": "<b>", "city": f"City {SCRIPT}"}], "workers": 12,
        "workers_basis": f"basis {XSS}",
        "pay": {"amount": 1.5, "currency": "<i>", "per": "hour", "qualifier": XSS},
        "observed": {"start": "2022-02", "end": None}, "evidence": f"evidence {XSS}",
        "last_verified": "2020-01-01",
        "sources": [
            {"url": "javascript:alert(1)", "title": f"Source {XSS}", "publisher": SCRIPT,
             "published": "2022", "quote": XSS, "language": "en", "is_copy": False,
             "archive_url": "javascript:alert(4)"},
            {"url": "https://example.org/ok", "title": "A safe source", "publisher": "Example",
             "published": "2022-02-14", "quote": None, "language": "en", "is_copy": True},
        ],
        "responses": [{"by": f"Company {XSS}", "summary": f"Reply {SCRIPT}", "translations": {},
                       "source": {"url": "data:text/html,<script>alert(5)</script>",
                                  "title": f"Reply source {XSS}", "publisher": "P",
                                  "published": "2022", "quote": XSS, "language": "en",
                                  "is_copy": False}}],
    }
    return {
        "licence": {}, "generated_at": "2026-01-01T00:00:00Z",
        "platforms": [{"slug": slug, "name": f"Name {XSS}", "owner": SCRIPT, "hq_country": "US",
                       "description": XSS, "domains": []}],
        "vendors": [{"slug": "evil", "name": f"Vendor {XSS}", "hq_country": "US",
                     "website": "javascript:alert(3)"}],
        "claims": [claim],
    }


def test_hostile_data_renders_as_inert_text(browser, service):
    """Data that holds markup (or a javascript: URL) is shown as text and never runs."""
    host, slug = listed_sites(service, 1)[0]
    # Put straight into the extension's storage: the service itself refuses such URLs.
    browser.set_storage({
        "index": hostile_index(service.api("index"), slug),
        "export": hostile_export(slug),
    })
    dialogs = []

    def record_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    browser.context.on("page", lambda new_page: new_page.on("dialog", record_dialog))

    page = load(browser, f"https://www.{host}/")
    node = wait_for_overlay(page)
    texts = overlay_texts(node)
    assert f"Name {XSS}" in texts
    assert f"Headline {XSS} {SCRIPT}" in texts
    # The record just changed: the card may come first from the index, and the record's facts
    # (who, the source) arrive a moment later, in place, as text too.
    deadline = time.monotonic() + 10
    while not {f"Vendor {XSS}", "Example"} <= set(texts) and time.monotonic() < deadline:
        time.sleep(0.1)
        node = wait_for_overlay(page)
        texts = overlay_texts(node)
    assert {f"Vendor {XSS}", "Example"} <= set(texts), texts
    names = {n["nodeName"] for n in overlay_elements(node)}
    assert not names & {"IMG", "SCRIPT", "SVG", "IFRAME"}, names
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.btfXss") is None

    panel = browser.open_panel(slug)
    expect(panel.locator("h1")).to_have_text(f"Name {XSS}")
    expect(panel.locator(".summary")).to_have_text(f"Summary {XSS}")
    assert panel.locator("img, script:not([src]), svg, iframe").count() == 0
    hrefs = panel.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://example.org/ok"], hrefs
    expect(panel.locator("article.claim dd").first).to_have_text(f"Vendor {XSS}")
    expect(panel.locator("ul.sources .not-a-link").first).to_have_text(f"Source {XSS}")
    expect(panel.locator(".response-by")).to_have_text(f"Company {XSS} replied:")
    expect(panel.locator(".outdated")).to_have_text("may be outdated")
    panel.wait_for_timeout(300)
    assert panel.evaluate("() => window.btfXss") is None
    assert dialogs == []


def card_animation(page, node: dict) -> str:
    """The animation-name of the overlay's card, computed inside its closed shadow root."""
    card = next(n for n in overlay_elements(node) if attributes(n).get("role") == "complementary")
    session = page.context.new_cdp_session(page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        session.send("DOM.getDocument", {"depth": -1, "pierce": True})
        node_id = session.send("DOM.pushNodesByBackendIdsToFrontend",
                               {"backendNodeIds": [card["backendNodeId"]]})["nodeIds"][0]
        style = session.send("CSS.getComputedStyleForNode", {"nodeId": node_id})["computedStyle"]
    finally:
        session.detach()
    return next(p["value"] for p in style if p["name"] == "animation-name")


@pytest.mark.parametrize("browser", [{"color_scheme": "dark", "reduced_motion": "reduce"}],
                         indirect=True)
def test_dark_mode_and_reduced_motion(browser, service, artifacts):
    browser.set_server(service)
    host, slug = listed_sites(service, 1)[0]
    page = load(browser, f"https://www.{host}/")
    node = wait_for_overlay(page)
    assert card_animation(page, node) == "none"
    page.screenshot(path=str(artifacts / "overlay-dark.png"))
    assert overlay_texts(node)
    panel = browser.open_panel(slug)
    background = panel.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(31, 30, 28)"
    panel.screenshot(path=str(artifacts / "panel-dark.png"), full_page=True)

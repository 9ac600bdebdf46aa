"""The panel with no server set (the whole record ships with the extension), in the real
Chromium. No service: nothing here may need one. (The first-run page is a journey on both
browsers: test_journeys.py.)"""

from __future__ import annotations

import json

from playwright.sync_api import expect

from .conftest import EXTENSION

INDEX = json.loads((EXTENSION / "data" / "index.json").read_text())
RECORD = json.loads((EXTENSION / "data" / "export.json").read_text())
EN = {k: v["message"] for k, v in
      json.loads((EXTENSION / "_locales" / "en" / "messages.json").read_text()).items()}
FR = {k: v["message"] for k, v in
      json.loads((EXTENSION / "_locales" / "fr" / "messages.json").read_text()).items()}


def claims_of(slug: str) -> list[dict]:
    return [c for c in RECORD["claims"] if slug in c["platforms"]]


def busiest_platform() -> str:
    return max(INDEX["platforms"], key=lambda slug: INDEX["platforms"][slug]["total"])


def external_requests(browser) -> list[str]:
    seen = []
    browser.context.on("request", lambda r: seen.append(r.url) if not r.url.startswith(
        ("chrome-extension://", "chrome://", "data:")) else None)
    return seen


def test_panel_with_no_server_shows_every_claim_with_its_source_links(browser):
    slug = busiest_platform()
    requests = external_requests(browser)
    assert "serverUrl" not in browser.storage()
    panel = browser.open_panel(slug)

    expect(panel.locator("h1")).to_have_text(INDEX["platforms"][slug]["name"])
    claims = claims_of(slug)
    expect(panel.locator("article.claim")).to_have_count(len(claims))
    assert INDEX["platforms"][slug]["total"] == len(claims)
    for claim in claims:
        article = panel.locator(f'article[data-claim="{claim["id"]}"]')
        first = claim["sources"][0]
        link = article.locator("ul.sources > li > a:not(.archive)").first
        href = panel.evaluate("u => new URL(u).href", first["url"])
        expect(link).to_have_attribute("href", href)
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        about = article.locator("ul.sources .source-about").first
        expect(about).to_contain_text(first["publisher"])
        if "archive_url" in first:
            expect(article.locator("a.archive").first).to_have_text(EN["sourceArchivedCopy"])
        if claim["evidence"] == "allegation" and not claim["responses"]:
            expect(article.locator(".no-reply")).to_have_text(EN["noReplyReported"])
        for response in claim["responses"]:
            expect(article.locator(".responses")).to_contain_text(response["by"])
    # The status line does not send the user to the settings for the sources.
    expect(panel.locator("#status")).to_have_text("")
    # "Report a problem" is at the top; with no server it leads to how to get one.
    panel.click("#go-report")
    expect(panel.locator("#report-no-server")).to_be_visible()
    expect(panel.locator("#report-no-server")).to_be_focused()
    assert requests == [], requests


def test_panel_groups_filters_and_fits_the_popup_and_a_phone(browser):
    slug = busiest_platform()
    claims = claims_of(slug)
    panel = browser.open_panel(slug)
    kinds = panel.locator("section.kind").evaluate_all("s => s.map(e => e.dataset.kind)")
    assert kinds == [k for k in ("moderation", "labelling", "engagement", "microwork")
                     if any(c["kind"] == k for c in claims)]
    # The overlay's headline leads each group.
    for kind in kinds:
        first = panel.locator(f'section.kind[data-kind="{kind}"] article.claim').first
        headline = INDEX["platforms"][slug]["headlines"][kind]["en"]
        expect(first.locator(".summary")).to_have_text(headline)
        assert "headline" in first.get_attribute("class")

    levels = {c["evidence"] for c in claims}
    level = sorted(levels)[0]
    panel.select_option("#filter-evidence", level)
    shown = panel.locator("article.claim").evaluate_all("a => a.map(e => e.dataset.claim)")
    assert sorted(shown) == sorted(c["id"] for c in claims if c["evidence"] == level)
    panel.select_option("#filter-evidence", "all")
    panel.select_option("#filter-kind", kinds[-1])
    expect(panel.locator("section.kind")).to_have_count(1)
    panel.select_option("#filter-kind", "all")
    expect(panel.locator("article.claim")).to_have_count(len(claims))

    for width, height in ((400, 600), (390, 700)):
        panel.set_viewport_size({"width": width, "height": height})
        overflow = panel.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{overflow}px wide at {width}px"
        expect(panel.locator("#go-report")).to_be_in_viewport()


def test_single_page_navigation_matches_the_new_url(browser):
    """Google changes the path without loading a page: /search is Google Search, / is nothing."""
    from .extension_browser import has_overlay_host, wait_for_overlay

    search = INDEX["platforms"]["google-search"]
    page = browser.context.new_page()
    page.goto("https://www.google.com/")
    page.wait_for_timeout(800)
    assert not has_overlay_host(page)
    assert browser.badge("https://www.google.com/") == ""

    page.evaluate("history.pushState({}, '', '/search?q=content+moderators')")
    url = "https://www.google.com/search?q=content+moderators"
    deadline = 50
    while browser.badge(url) != str(search["total"]) and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert browser.badge(url) == str(search["total"])
    wait_for_overlay(page)

    page.evaluate("history.pushState({}, '', '/maps')")
    url = "https://www.google.com/maps"
    deadline = 50
    while browser.badge(url) != "" and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert browser.badge(url) == ""
    page.wait_for_timeout(500)
    assert not has_overlay_host(page)

"""The panel's "Who does the work", "Who moderates your language" and "What you can do", and its
"New since your last visit" marks, in the real Chromium, from the record that ships with the
extension (no server, no request of any kind)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from .extension_browser import overlay_texts, wait_for_overlay
from .test_panel_offline import EN, FR, RECORD, claims_of, external_requests

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PLATFORMS = {p["slug"]: p for p in RECORD["platforms"]}
VENDORS = {v["slug"]: v for v in RECORD["vendors"]}


def message(messages: dict, key: str, *values: str) -> str:
    """A message with its $NAME$ placeholders filled in order (as lib/i18n.js does)."""
    names = iter(values)
    return re.sub(r"\$[A-Z]+\$", lambda _m: next(names), messages[key])


def vendor_slugs(slug: str) -> list[str]:
    return list(dict.fromkeys(v for c in claims_of(slug) for v in c["vendors"]))


def busiest_chain() -> str:
    """The listed platform with the most vendors named in its claims, among those with an English
    DSA figure (the browser's language in these tests)."""
    with_english = [s for s in PLATFORMS
                    if any(r["language"] == "en" for r in PLATFORMS[s]["moderators"])]
    return max(with_english, key=lambda s: len(vendor_slugs(s)))


def latest_two(rows: list[dict], language: str) -> list[dict]:
    mine = sorted((r for r in rows if r["language"] == language),
                  key=lambda r: (r["period"]["start"], r["period"]["end"] or ""))
    periods = list(dict.fromkeys((r["period"]["start"], r["period"]["end"]) for r in mine))
    return [next(r for r in mine if (r["period"]["start"], r["period"]["end"]) == p)
            for p in periods[-2:]]


def test_the_three_sections_offline_for_a_listed_platform(browser):
    slug = busiest_chain()
    platform = PLATFORMS[slug]
    requests = external_requests(browser)
    panel = browser.open_panel(slug)

    # Who does the work: every vendor named in the platform's claims, each a filter on its claims.
    vendors = vendor_slugs(slug)
    assert vendors, f"{slug} names no vendor"
    expect(panel.locator("#who-works h2")).to_have_text(EN["whoWorksHeading"])
    shown = panel.locator("#who-works li.vendor").evaluate_all("l => l.map(e => e.dataset.vendor)")
    assert sorted(shown) == sorted(vendors)
    first = shown[0]
    naming = [c["id"] for c in claims_of(slug) if first in c["vendors"]]
    item = panel.locator(f'#who-works li.vendor[data-vendor="{first}"]')
    expect(item.locator("button")).to_have_text(VENDORS[first]["name"])
    countries = {loc["country"] for c in claims_of(slug) if first in c["vendors"]
                 for loc in c["locations"]}
    for code in countries:
        name = panel.evaluate("c => new Intl.DisplayNames(['en'], {type: 'region'}).of(c)", code)
        expect(item.locator(".vendor-about")).to_contain_text(name)
    item.locator("button").click()
    expect(panel.locator("#vendor-filter")).to_be_focused()
    listed = panel.locator("article.claim").evaluate_all("a => a.map(e => e.dataset.claim)")
    assert sorted(listed) == sorted(naming)
    panel.click("#vendor-filter-clear")
    expect(panel.locator("article.claim")).to_have_count(len(claims_of(slug)))

    # Who moderates your language: the browser's language here (no page), English.
    rows = platform["moderators"]
    expect(panel.locator("#moderators h2")).to_have_text(EN["moderatorsHeading"])
    figures = latest_two(rows, "en")
    assert figures, f"{slug} has no English figure"
    latest = figures[-1]
    line = message(EN, "moderatorsLineOther" if latest["count"] != 1 else "moderatorsLineOne",
                   platform["name"], f'{latest["count"]:,}', "English", latest["period_label"])
    if len(figures) == 2:
        previous = figures[0]
        key = ("moderatorsTrendDown" if latest["count"] < previous["count"] else
               "moderatorsTrendUp" if latest["count"] > previous["count"] else
               "moderatorsTrendSame")
        line = message(EN, "moderatorsWithTrend", line,
                       message(EN, key, f'{previous["count"]:,}', previous["period_label"]))
    expect(panel.locator("#moderators .moderators-line")).to_have_text(line)
    source = panel.locator("#moderators .figure-sources a").first
    expect(source).to_have_attribute(
        "href", panel.evaluate("u => new URL(u).href", latest["source"]["url"]))
    expect(source).to_have_text(latest["source"]["publisher"])
    # Beside the other languages of the same report, largest first, each with its source.
    same = [r for r in rows if r["period"] == latest["period"] and r["language"] != "total"]
    context = panel.locator("#moderators ol.moderators-context > li")
    expect(context).to_have_count(len(same))
    counts = context.locator(".figure-count").all_text_contents()
    assert [int(c.replace(",", "")) for c in counts] == sorted(
        (r["count"] for r in same), reverse=True)
    expect(panel.locator('#moderators li.current[data-language="en"]')).to_have_count(1)
    for link in panel.locator("#moderators a").all():
        assert link.get_attribute("href").startswith(("https://", "http://"))

    # What you can do: the platform's actions, then its vendors', each linked and described.
    actions = platform["actions"]
    expect(panel.locator("#actions h2")).to_have_text(EN["actionsHeading"])
    own = panel.locator("#actions > ul.actions-list:not([data-vendor]) > li.action")
    expect(own).to_have_count(len(actions))
    for i, action in enumerate(actions):
        expect(own.nth(i).locator("a.action-name")).to_have_text(action["name"])
        expect(own.nth(i).locator(".action-description")).to_have_text(action["description"])
    # Each vendor's own routes, without repeating one already listed (same link).
    seen = {a["url"] for a in actions}
    for vendor in shown:
        fresh = [a for a in VENDORS[vendor]["actions"] if a["url"] not in seen]
        seen.update(a["url"] for a in fresh)
        group = panel.locator(f'#actions ul[data-vendor="{vendor}"]')
        expect(group.locator("li.action")).to_have_count(len(fresh))
        for a in fresh:
            expect(group.locator("a.action-name", has_text=a["name"])).to_have_attribute(
                "href", panel.evaluate("u => new URL(u).href", a["url"]))

    # No request of any kind, and usable at the popup's size and on a 390 px phone.
    for width, height in ((400, 600), (390, 700)):
        panel.set_viewport_size({"width": width, "height": height})
        overflow = panel.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{overflow}px wide at {width}px"
    assert requests == [], requests

    # In French: the headings and the actions' descriptions.
    browser.set_storage({"language": "fr"})
    panel.reload()
    panel.wait_for_selector("html[data-ready=true]")
    expect(panel.locator("#who-works h2")).to_have_text(FR["whoWorksHeading"])
    expect(panel.locator("#moderators h2")).to_have_text(FR["moderatorsHeading"])
    expect(panel.locator("#moderators .moderators-line")).to_contain_text(" déclare ")
    expect(panel.locator("#moderators .moderators-line")).to_contain_text("pour l\u2019anglais")
    for i, action in enumerate(actions):
        expect(own.nth(i).locator(".action-description")).to_have_text(action["translations"]["fr"])
    assert requests == [], requests


def dutch_page(route):
    route.fulfill(status=200, content_type="text/html; charset=utf-8",
                  body="<!doctype html><html lang='nl-NL'><head><meta charset='utf-8'>"
                       "<title>nl</title></head><body><p>Een pagina in het Nederlands.</p>"
                       "</body></html>")


def test_the_page_language_decides_the_line_and_no_figure_is_said_plainly(browser):
    """A page in Dutch: X gives a Dutch figure, TikTok none ("No figure published for Dutch")."""
    assert any(r["language"] == "nl" for r in PLATFORMS["x"]["moderators"])
    assert not any(r["language"] == "nl" for r in PLATFORMS["tiktok"]["moderators"])
    browser.context.route(re.compile(r"^https://www\.(tiktok|x)\.com/"), dutch_page)
    requests = external_requests(browser)

    tiktok = browser.context.new_page()
    tiktok.goto("https://www.tiktok.com/@someone")
    no_figure = message(EN, "moderatorsNoFigure", "Dutch")
    assert no_figure == "No figure published for Dutch"
    # The overlay's one line: the card comes from the index at once, its facts (this line among
    # them) a moment later, in place.
    deadline = time.monotonic() + 15
    texts = overlay_texts(wait_for_overlay(tiktok))
    while no_figure not in texts and time.monotonic() < deadline:
        time.sleep(0.2)
        texts = overlay_texts(wait_for_overlay(tiktok))
    assert no_figure in texts, texts
    tab = browser.tab_id("https://www.tiktok.com/@someone")
    panel = browser.context.new_page()
    panel.goto(f"{browser.base}popup/popup.html?platform=tiktok&tab={tab}")
    panel.wait_for_selector("html[data-ready=true]")
    expect(panel.locator("#moderators")).to_have_attribute("data-status", "none")
    expect(panel.locator("#moderators .moderators-line")).to_have_text(no_figure)
    # The report's other languages are still shown beside it.
    expect(panel.locator("#moderators ol.moderators-context > li").first).to_be_visible()

    x = browser.context.new_page()
    x.goto("https://www.x.com/home")
    wait_for_overlay(x)
    nl = latest_two(PLATFORMS["x"]["moderators"], "nl")[-1]
    line = message(EN, "moderatorsLineOne" if nl["count"] == 1 else "moderatorsLineOther",
                   PLATFORMS["x"]["name"], str(nl["count"]), "Dutch", nl["period_label"])
    panel.goto(f"{browser.base}popup/popup.html?platform=x&tab={browser.tab_id('https://www.x.com/home')}")
    panel.wait_for_selector("html[data-ready=true]")
    expect(panel.locator("#moderators .moderators-line")).to_have_text(line)
    expect(panel.locator('#moderators li.current[data-language="nl"]')).to_have_count(1)
    # The page's language stayed in the browser: only the stand-in pages were requested.
    assert all(re.match(r"^https://www\.(tiktok|x)\.com/", url) for url in requests), requests


def test_new_since_your_last_visit(browser):
    slug = busiest_chain()
    claims = claims_of(slug)
    panel = browser.open_panel(slug)
    # A first visit marks nothing, and is remembered on the device.
    expect(panel.locator("article.claim")).to_have_count(len(claims))
    expect(panel.locator(".change-mark")).to_have_count(0)
    seen = browser.storage()["lastVisits"][slug]["claims"]
    assert seen == {c["id"]: c["last_verified"] for c in claims}

    # The record changed since: one claim was not there, another was verified again.
    new, updated = claims[0]["id"], claims[1]["id"]
    older = {k: v for k, v in seen.items() if k != new}
    older[updated] = "2020-01-01"
    browser.set_storage({"lastVisits": {slug: {"at": "2026-01-01T12:00:00.000Z", "claims": older}}})
    panel.reload()
    panel.wait_for_selector("html[data-ready=true]")
    expect(panel.locator(f'article[data-claim="{new}"] .change-new')).to_have_text(EN["changeNew"])
    expect(panel.locator(f'article[data-claim="{updated}"] .change-updated')).to_have_text(
        EN["changeUpdated"])
    expect(panel.locator(".change-mark")).to_have_count(2)
    expect(panel.locator("#changes-summary")).to_contain_text("1 new, 1 updated")

    # Seen now: the next opening marks nothing.
    panel.reload()
    panel.wait_for_selector("html[data-ready=true]")
    expect(panel.locator(".change-mark")).to_have_count(0)

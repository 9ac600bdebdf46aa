"""The workshop in a real Chromium against the real app over HTTP: no request leaves the
service, no horizontal scroll at 1280×720, keyboard navigation, printing on A4 and Letter.

Screenshots go to test-artifacts/workshop/ (git-ignored), to look at what a room would see.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server import db
from server.workshop.operations import create_collection

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "workshop"

PAGES = {
    "landing": "/workshop/",
    "collection-form": "/workshop/collections/new",
    "collection": "/workshop/collections/{code}",
    "tour-first": "/workshop/tour/1",
    "tour-long": "/workshop/tour/2",
    "tour-collection": "/workshop/tour/1?c={code}",
    "map": "/workshop/map",
    "map-collection": "/workshop/map?c={code}",
    "country": "/workshop/map/KE",
    "quiz": "/workshop/quiz?set=42",
    "quiz-present": "/workshop/quiz/present/4?set=42",
    "quiz-answer": "/workshop/quiz/present/4?set=42&reveal=1",
    "quiz-solo": "/workshop/quiz/solo?set=42",
    "quiz-checked": "/workshop/quiz/solo/checked?set=42&answers=1",
    "quiz-score": "/workshop/quiz/solo/score?set=42&answers=0123012301",
    "cards": "/workshop/cards",
    "not-found": "/workshop/?c=ZZZZZZ",
}


@pytest.fixture
def site(workshop_app, live_server):
    """The live origin and the code of a collection (TikTok and YouTube) made on it."""
    with workshop_app.app_context():
        session = db.get_session()
        code = create_collection(session, "Video platforms", ["tiktok", "youtube"]).code
        session.commit()
    return live_server, code


def open_page(browser, origin, path, *, width=1280, height=720, language="en"):
    """Load a page, recording every request and every console error."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="fr-FR" if language == "fr" else "en-GB")
    page = context.new_page()
    page.requests = []
    page.errors = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: page.errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(origin + path, wait_until="load")
    return context, page


def outside(requests, origin):
    return [url for url in requests if not url.startswith(origin + "/")]


@pytest.mark.parametrize("name", PAGES)
def test_page_in_chromium_stays_on_the_service_and_fits_the_screen(browser, site, name):
    origin, code = site
    path = PAGES[name].format(code=code)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for language in ("en", "fr"):
        context, page = open_page(browser, origin, path, language=language)
        try:
            assert page.evaluate("document.documentElement.lang") == language
            assert outside(page.requests, origin) == []
            assert any(url.endswith("/static/workshop/workshop.css") for url in page.requests)
            errors = [e for e in page.errors if name != "not-found" or "404" not in e]
            assert errors == []  # a CSP refusal or a script error would show here
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= page.evaluate("innerWidth"), f"{name} scrolls sideways"
            page.screenshot(path=str(ARTIFACTS / f"{name}-{language}.png"))
        finally:
            context.close()


@pytest.mark.parametrize("path", ["/workshop/tour/2", "/workshop/quiz/present/4?set=42&reveal=1",
                                  "/workshop/map"])
def test_projector_size_has_no_sideways_scroll(browser, site, path):
    origin, _ = site
    context, page = open_page(browser, origin, path, width=1920, height=1080)
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        name = re.sub(r"\W+", "-", path.split("?")[0].strip("/"))
        page.screenshot(path=str(ARTIFACTS / f"{name}-1920.png"))
        assert outside(page.requests, origin) == []
    finally:
        context.close()


def test_tour_moves_with_the_arrow_keys_and_space(browser, site):
    origin, _ = site
    context, page = open_page(browser, origin, "/workshop/tour/1")
    try:
        page.keyboard.press("ArrowRight")
        page.wait_for_url(origin + "/workshop/tour/2")
        assert page.locator("h1").inner_text() == "Facebook"
        page.keyboard.press("Space")
        page.wait_for_url(origin + "/workshop/tour/3")
        page.keyboard.press("ArrowLeft")
        page.wait_for_url(origin + "/workshop/tour/2")
        page.get_by_role("link", name="Next ›").click()
        page.wait_for_url(origin + "/workshop/tour/3")
        assert outside(page.requests, origin) == []
    finally:
        context.close()


def test_presenter_reveals_on_space_then_moves_on(browser, site):
    origin, _ = site
    context, page = open_page(browser, origin, "/workshop/quiz/present/1?set=42")
    try:
        answer = page.locator("#answer")
        assert not answer.is_visible()
        page.keyboard.press("Space")
        assert answer.is_visible()
        assert page.url == origin + "/workshop/quiz/present/1?set=42"
        assert page.locator(".revealed .option.correct").count() == 1
        page.keyboard.press("Space")
        page.wait_for_url(origin + "/workshop/quiz/present/2?set=42")
        page.get_by_role("link", name="Show the answer").click()
        assert page.locator("#answer").is_visible()
        assert page.url.endswith("/present/2?set=42")  # revealed in place, no reload
    finally:
        context.close()


def test_clicking_a_country_lists_its_claims(browser, site):
    origin, _ = site
    context, page = open_page(browser, origin, "/workshop/map")
    try:
        page.locator('a[data-country="KE"] path').click()
        page.wait_for_url(origin + "/workshop/map/KE")
        assert page.locator("h1").inner_text() == "Kenya"
        assert page.locator("article.claim").count() == 4
    finally:
        context.close()


def test_solo_quiz_in_the_browser_without_javascript(browser, site):
    origin, _ = site
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390,
                                                                         "height": 844})
    page = context.new_page()
    try:
        page.goto(origin + "/workshop/quiz/solo?set=42")
        page.locator("label[for=choice-0]").click()
        page.get_by_role("button", name="Check my answer").click()
        page.wait_for_url(re.compile(r".*/quiz/solo/checked\?set=42&answers=0$"))
        assert page.locator(".verdict").inner_text() in ("Right!", "Not quite.")
        page.get_by_role("link", name="Next question").click()
        assert page.locator(".position").inner_text() == "Question 2 of 10"
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.screenshot(path=str(ARTIFACTS / "quiz-solo-phone.png"))
    finally:
        context.close()


@pytest.mark.parametrize(("paper", "size"), [("a4", (595.92, 842.88)), ("letter", (612, 792))])
def test_cards_print_on_a4_and_letter_without_splitting_a_card(browser, site, paper, size):
    origin, _ = site
    context, page = open_page(browser, origin, f"/workshop/cards?paper={paper}")
    try:
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert boxes, "no page in the PDF"
        for width, height in boxes:
            assert (float(width), float(height)) == pytest.approx(size, abs=1)
        (ARTIFACTS / f"cards-{paper}.pdf").write_bytes(pdf)
        page.emulate_media(media="print")
        assert page.locator(".bar").is_hidden()
        breaks = page.eval_on_selector_all(
            ".card", "cards => cards.map(c => getComputedStyle(c).breakInside)")
        assert breaks and set(breaks) == {"avoid"}
    finally:
        context.close()

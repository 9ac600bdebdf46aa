"""axe-core (tests/a11y, from the npm registry) run in Chromium on every workshop page, in English
and French: zero violations. Also the two contrast fixes a teacher met: the disabled "Previous"
and the other answers once one is revealed."""

from __future__ import annotations

from pathlib import Path

import pytest

from server import db
from server.workshop.operations import create_collection

pytestmark = pytest.mark.e2e
AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"

PAGES = [
    "/workshop/", "/workshop/join", "/workshop/join?set=42", "/workshop/collections/new",
    "/workshop/collections/{code}", "/workshop/tour/1", "/workshop/tour/2", "/workshop/tour/2/all",
    "/workshop/tour/1?c={code}", "/workshop/map", "/workshop/map/KE", "/workshop/map/US",
    "/workshop/quiz?set=42", "/workshop/quiz/present/1?set=42",
    "/workshop/quiz/present/4?set=42&reveal=1", "/workshop/quiz/present/11?set=42",
    "/workshop/quiz/class?set=42", "/workshop/quiz/solo?set=42",
    "/workshop/quiz/solo/checked?set=42&answers=1",
    "/workshop/quiz/solo/score?set=42&answers=0123012301", "/workshop/cards",
    "/workshop/cards?paper=letter", "/workshop/?c=ZZZZZZ", "/workshop/nothing-here",
    "/workshop/chain", "/workshop/map/PH", "/workshop/languages",
]


@pytest.fixture
def code(workshop_app):
    with workshop_app.app_context():
        session = db.get_session()
        made = create_collection(session, "Video platforms", ["tiktok", "youtube"]).code
        session.commit()
    return made


def _violations(page) -> list[str]:
    assert AXE.exists(), "axe-core is missing: npm ci --prefix tests/a11y (tests/run.sh does it)"
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => v.id + ': ' + v.help + ' @ ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    return result


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_workshop_page_has_no_axe_violation(browser, live_server, code, language):
    # The pages' CSP allows no inline script: the test's own context lets axe in.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800},
                                  locale="fr-FR" if language == "fr" else "en-GB")
    page = context.new_page()
    found = {}
    try:
        for path in PAGES:
            path = path.format(code=code)
            joiner = "&" if "?" in path else "?"
            page.goto(f"{live_server}{path}{joiner}lang={language}")
            violations = _violations(page)
            if violations:
                found[path] = violations
    finally:
        context.close()
    assert found == {}


def test_disabled_previous_and_other_answers_are_not_faded(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/workshop/tour/1")
        disabled = page.eval_on_selector(".step.prev.disabled", "e => getComputedStyle(e).opacity")
        assert disabled == "1"
        page.goto(f"{live_server}/workshop/quiz/present/1?set=42&reveal=1")
        opacities = page.eval_on_selector_all(
            ".option", "els => els.map(e => getComputedStyle(e).opacity)")
        assert opacities and set(opacities) == {"1"}
        page.goto(f"{live_server}/workshop/quiz/solo?set=42")
        assert page.locator("h1").count() == 1
    finally:
        context.close()

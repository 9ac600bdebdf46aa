"""The tour on a projector: each platform on one 1280×800 screen, no scrolling, the strongest
fact of each kind with who, where, when and how sure, the map inset, and what you can do."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.index import HEADLINE_EVIDENCE

PROJECTOR = {"width": 1280, "height": 800}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "workshop"


def _fits(browser, origin: str, count: int, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for language in ("en", "fr"):
        context = browser.new_context(viewport=PROJECTOR,
                                      locale="fr-FR" if language == "fr" else "en-GB")
        page = context.new_page()
        try:
            for n in range(1, count + 1):
                page.goto(f"{origin}/workshop/tour/{n}?lang={language}")
                page.screenshot(path=str(ARTIFACTS / f"tour-{name}-{language}-{n}.png"))
                size = page.evaluate("[document.documentElement.scrollHeight, innerHeight,"
                                     " document.documentElement.scrollWidth, innerWidth]")
                assert size[0] <= size[1], (language, n, page.locator("h1").inner_text(), size)
                assert size[2] <= size[3], (language, n, size)
                assert page.locator(".inset svg").is_visible()
                assert page.locator("#actions-title").is_visible()
                assert page.locator(".strongest .more a").is_visible()
        finally:
            context.close()


def _platform_count(client) -> int:
    return len(client.get("/api/v1/export.json").get_json()["platforms"])


@pytest.mark.e2e
def test_every_tour_page_fits_a_projector_screen(browser, live_server, wclient):
    _fits(browser, live_server, _platform_count(wclient), "test")


@pytest.mark.e2e
def test_every_tour_page_of_the_shipped_dataset_fits_a_projector_screen(browser, shipped_server,
                                                                      client):
    """The shipped dataset has the longest summaries and the most actions."""
    _fits(browser, shipped_server, _platform_count(client), "shipped")


def test_the_tour_shows_the_strongest_fact_of_each_kind(wclient, export):
    slugs = sorted(export["platforms"], key=lambda p: (p["name"].casefold(), p["slug"]))
    for n, platform in enumerate(slugs, 1):
        html = wclient.get(f"/workshop/tour/{n}?lang=en").get_data(as_text=True)
        claims = [c for c in export["claims"] if platform["slug"] in c["platforms"]]
        kinds = sorted({c["kind"] for c in claims})
        assert html.count('<article class="fact') == len(kinds), platform["slug"]
        for kind in kinds:
            best = max(HEADLINE_EVIDENCE[c["evidence"]] for c in claims if c["kind"] == kind)
            shown = [c for c in claims if c["kind"] == kind and f'id="claim-{c["id"]}"' in html]
            assert len(shown) == 1 and HEADLINE_EVIDENCE[shown[0]["evidence"]] == best
            for label in ("Where", "Evidence"):
                assert f"<dt>{label}</dt>" in html
        assert f'href="/workshop/tour/{n}/all?lang=en"' in html
        assert "What you can do" in html
        for action in platform["actions"][:3]:
            assert f'href="{action["url"]}"' in html
        every = wclient.get(f"/workshop/tour/{n}/all?lang=en").get_data(as_text=True)
        for claim in claims:
            assert f'id="claim-{claim["id"]}"' in every
        for action in platform["actions"]:
            assert f'href="{action["url"]}"' in every
    assert wclient.get(f"/workshop/tour/{len(slugs) + 1}/all").status_code == 404

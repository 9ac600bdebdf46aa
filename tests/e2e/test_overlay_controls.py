"""The overlay's facts and controls, in every browser (the journeys' `any_browser`): who, where,
when and how sure with the source; Dismiss for a chosen time in every tab; Escape from anywhere;
"Turn overlays off" with its Undo."""

from __future__ import annotations

import time

import pytest

from .browsers import Browser, overlay_stays_away, wait_for_overlay, wait_until
from .local_web import LISTED_SITES
from .test_journeys import EN, listed

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

DAY_S = 24 * 60 * 60


def test_the_overlay_says_who_where_when_how_sure_and_the_source(any_browser: Browser):
    _slug, platform = listed(LISTED_SITES[0])
    tab = any_browser.open(f"https://www.{LISTED_SITES[0]}/")
    wait_for_overlay(any_browser, tab)
    kinds = [kind for kind, count in platform["counts"].items() if count]
    # The card may be drawn from the index first; the record's facts then arrive in place.
    texts = wait_until(
        lambda: (t := any_browser.overlay(tab)) and t.count(EN["overlaySource"]) == len(kinds)
        and t,
        10, "the facts of each kind arrive")
    # One "How sure" and one source per kind shown; "Who", "Where" and "When" where the record
    # has them.
    assert texts.count(EN["overlaySure"]) == len(kinds), texts
    assert texts.count(EN["overlaySource"]) == len(kinds), texts
    for label in ("overlayWho", "overlayWhere", "overlayWhen"):
        assert EN[label] in texts, f"no {EN[label]!r} in {texts}"
    evidence = {EN[key] for key in EN if key.startswith("evidence") and key[8:9].isupper()}
    assert any(text in evidence for text in texts), texts


def test_dismiss_hides_the_platform_in_every_tab_for_30_days(any_browser: Browser):
    host, other = LISTED_SITES[0], LISTED_SITES[1]
    slug, _ = listed(host)
    first = any_browser.open(f"https://www.{host}/one")
    wait_for_overlay(any_browser, first)
    second = any_browser.open(f"https://www.{host}/two")
    wait_for_overlay(any_browser, second)

    before = time.time()
    any_browser.click_overlay(second, EN["overlayDismiss"])
    wait_until(lambda: any_browser.overlay(second) is None, 5, "the overlay closes where clicked")
    # The other open tab closes it at once, without a reload.
    wait_until(lambda: any_browser.overlay(first) is None, 5, "the overlay closes in the other tab")
    until = any_browser.storage()["dismissedPlatforms"][slug]
    assert before + 30 * DAY_S - 60 <= until / 1000 <= time.time() + 30 * DAY_S + 60, until

    any_browser.reload(first)
    assert overlay_stays_away(any_browser, first), "dismissed, yet back after a reload"
    # Another platform is not dismissed.
    wait_for_overlay(any_browser, any_browser.open(f"https://www.{other}/"))

    options = any_browser.open_extension_page("options/options.html")
    assert any_browser.count(options, f"#dismissed-platforms li[data-platform='{slug}']") == 1
    any_browser.click(options, f"#dismissed-platforms li[data-platform='{slug}'] button")
    wait_until(lambda: slug not in any_browser.storage().get("dismissedPlatforms", {}), 5,
               "shown again")
    wait_for_overlay(any_browser, any_browser.open(f"https://www.{host}/three"))


def test_escape_closes_the_overlay_from_anywhere_on_the_page(any_browser: Browser):
    tab = any_browser.open(f"https://www.{LISTED_SITES[2]}/")
    wait_for_overlay(any_browser, tab)
    any_browser.focus(tab, "#first-link")  # focus on the page, not in the overlay
    any_browser.press(tab, "Escape")
    wait_until(lambda: any_browser.overlay(tab) is None, 5, "Escape closes the overlay")
    assert any_browser.evaluate(tab, "document.activeElement.id") == "first-link"
    # Closed for this page only: nothing stored, back on the next visit.
    assert not any_browser.storage().get("dismissedPlatforms")
    any_browser.reload(tab)
    wait_for_overlay(any_browser, tab)


def test_turning_overlays_off_offers_an_immediate_undo(any_browser: Browser):
    host = LISTED_SITES[0]
    _slug, platform = listed(host)
    first = any_browser.open(f"https://www.{host}/a")
    wait_for_overlay(any_browser, first)
    second = any_browser.open(f"https://www.{LISTED_SITES[1]}/b")
    wait_for_overlay(any_browser, second)

    any_browser.click_overlay(second, EN["overlayTurnOff"])
    texts = wait_until(lambda: (t := any_browser.overlay(second)) and EN["overlayUndo"] in t and t,
                       5, "Undo offered")
    assert EN["overlayOffDone"] in texts
    assert any_browser.storage()["overlaysEnabled"] is False
    wait_until(lambda: any_browser.overlay(first) is None, 5, "off in the other tab at once")

    any_browser.click_overlay(second, EN["overlayUndo"])
    wait_until(lambda: any_browser.storage()["overlaysEnabled"] is True, 5, "overlays on again")
    wait_until(lambda: (t := any_browser.overlay(second)) and EN["overlayDetails"] in t,
               5, "the card back where Undo was clicked")
    # The other tab draws its card again too.
    assert platform["name"] in wait_for_overlay(any_browser, first)


def test_without_undo_the_off_message_goes_away_and_overlays_stay_off(any_browser: Browser):
    tab = any_browser.open(f"https://www.{LISTED_SITES[2]}/")
    wait_for_overlay(any_browser, tab)
    any_browser.click_overlay(tab, EN["overlayTurnOff"])
    wait_until(lambda: any_browser.overlay(tab) is None, 15, "the Undo message leaves by itself")
    any_browser.reload(tab)
    assert overlay_stays_away(any_browser, tab)

"""Site access you can see and fix (issue 17.2) and new platforms reaching users (issue 11.3):
one hint in the panel and the settings, one button asking for exactly the missing origins."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from .browsers import Browser, overlay_stays_away, wait_for_overlay, wait_for_text, wait_until
from .conftest import ROOT, Service, free_port, get_json
from .local_web import LISTED_SITES
from .test_journeys import EN, listed

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# Records what the page asks the browser for, then asks it.
ASK_SPY = """() => {
    const request = chrome.permissions.request.bind(chrome.permissions);
    window.askedFor = [];
    chrome.permissions.request = (what) => { window.askedFor.push(what); return request(what); };
    return true;
}"""
NEW_SLUG = "examplesocial"
NEW_HOST = "examplesocial.net"


def test_withdrawn_site_access_gives_a_hint_with_one_button(any_browser: Browser, artifacts):
    host = LISTED_SITES[0]
    slug, platform = listed(host)
    patterns = [f"*://{host}/*", f"*://*.{host}/*"]
    any_browser.revoke_origins(patterns)
    tab = any_browser.open(f"https://www.{host}/")
    assert overlay_stays_away(any_browser, tab)

    # The panel on that platform says so and lists the site.
    panel = any_browser.open_extension_page(f"popup/popup.html?platform={slug}")
    wait_for_text(any_browser, panel, "#site-access", EN["accessHeading"])
    hosts = any_browser.evaluate(
        panel, "[...document.querySelectorAll('#site-access li')].map(li => li.dataset.host)")
    assert hosts == [host], hosts
    assert any_browser.text(panel, "#access-allow") == EN["accessAllow"]
    # The closing note's pictures: the panel as it opens (its top, with the hint), the
    # settings' hint cropped, both at a readable size.
    any_browser.resize(panel, 800, 1000)
    any_browser.screenshot(panel, str(artifacts / f"site-access-panel-{any_browser.name}.png"))
    # Another platform's panel, with access, shows no hint.
    other_slug, _ = listed(LISTED_SITES[1])
    other = any_browser.open_extension_page(f"popup/popup.html?platform={other_slug}")
    assert any_browser.evaluate(other, "document.getElementById('site-access').hidden") is True

    # The settings list it too; the one button asks for exactly those origins.
    options = any_browser.open_extension_page("options/options.html")
    wait_for_text(any_browser, options, "#site-access", host)
    any_browser.resize(options, 800, 1000)
    any_browser.screenshot(options, str(artifacts / f"site-access-options-{any_browser.name}.png"),
                           "#site-access")
    any_browser.evaluate(options, f"({ASK_SPY})()")
    # Headless browsers cannot show the prompt: the user's "yes" is given in the browser's
    # settings first, then the page's own request resolves at once (extension_browser.py).
    for pattern in patterns:
        any_browser.grant_origin(pattern)
    any_browser.click(options, "#access-allow")
    wait_for_text(any_browser, options, "#site-access", EN["accessGranted"])
    asked = any_browser.evaluate(options, "window.askedFor")
    assert asked == [{"origins": sorted(patterns)}], asked
    assert platform["name"] in wait_for_overlay(any_browser, any_browser.open(f"https://www.{host}/again"))


@pytest.fixture
def service_with_a_new_platform(tmp_path):
    """The real service, seeded from the dataset plus one platform the bundled index lacks."""
    dataset = tmp_path / "dataset"
    shutil.copytree(ROOT / "server" / "data" / "dataset", dataset)
    base = json.loads((dataset / "tiktok.json").read_text())
    claim = dict(base["claims"][0], id=f"{NEW_SLUG}-moderation", platforms=[NEW_SLUG])
    platform = dict(base, slug=NEW_SLUG, name="Example Social", domains=[NEW_HOST], claims=[claim])
    text = json.dumps(platform, indent=2, ensure_ascii=False) + "\n"
    (dataset / f"{NEW_SLUG}.json").write_text(text)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("BTF_")}
    env.update(BTF_DATA_DIR=str(data_dir), BTF_SEED_DIR=str(dataset))
    port = free_port()
    log_path = data_dir / "service.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("behind-the-feed")), "serve", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"the service exited:\n{log_path.read_text()}")
            try:
                get_json(f"{url}api/v1/index")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"the service did not start:\n{log_path.read_text()}")
                time.sleep(0.25)
        yield Service(url=url, data_dir=data_dir, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_platform_added_on_the_server_reaches_its_pages_once_allowed(
        browser, service_with_a_new_platform):
    """Chromium: the sync brings a host the manifest does not cover; nothing is asked silently;
    the settings list it with one button; once granted, the content script is registered and
    the page gets its card and badge."""
    service = service_with_a_new_platform
    assert service.api("index")["hosts"][NEW_HOST] == NEW_SLUG
    browser.set_server(service)
    assert browser.storage()["index"]["hosts"][NEW_HOST] == NEW_SLUG
    page = browser.context.new_page()
    page.goto(f"https://www.{NEW_HOST}/")
    time.sleep(1.5)
    assert page.locator("behind-the-feed-overlay").count() == 0, "shown without being allowed"
    granted = browser.in_worker("chrome.permissions.getAll()")["origins"]
    assert not [o for o in granted if NEW_HOST in o], granted  # nothing asked for silently

    options = browser.open_options()
    hint = options.locator("#site-access")
    hint.get_by_text(EN["accessNewSite"].replace("$HOST$", NEW_HOST)).wait_for()
    # What the button will ask for (lib/access.js, as the page computes it), granted first in
    # the browser's settings: headless Chromium cannot show the prompt (extension_browser.py).
    to_ask = options.evaluate(
        "() => Promise.all([import('../lib/access.js'), import('../lib/index-store.js')])"
        ".then(async ([access, store]) =>"
        " (await access.currentAccess((await store.readIndex()).index)).origins)")
    new_origins = [f"{scheme}://{sub}{NEW_HOST}/*"
                   for scheme in ("http", "https") for sub in ("", "*.")]
    assert set(new_origins) <= set(to_ask), to_ask
    for origin in to_ask:
        browser.grant_site_access(origin)
    options.evaluate(ASK_SPY)
    options.click("#access-allow")
    wait_until(lambda: EN["accessGranted"] in hint.text_content(), 15, "access granted")
    # One request, for exactly the missing origins.
    assert options.evaluate("window.askedFor") == [{"origins": to_ask}]
    scripts = browser.in_worker("chrome.scripting.getRegisteredContentScripts()")
    assert len(scripts) == 1 and set(new_origins) <= set(scripts[0]["matches"]), scripts
    assert scripts[0]["persistAcrossSessions"] is True

    page = browser.context.new_page()
    page.goto(f"https://www.{NEW_HOST}/feed")
    from .extension_browser import overlay_texts
    from .extension_browser import wait_for_overlay as wait_for_card

    assert "Example Social" in overlay_texts(wait_for_card(page))
    wait_until(lambda: browser.badge(page.url) == "1", 10, "badge on the new platform")

"""One small interface over the real browsers the extension runs in, so a journey is written once.

`Browser` is what a scenario may do: open pages and the extension's own pages, read the overlay
(which lives in a closed shadow root), click and press keys, read the badge, read the extension's
storage, grant a host permission as the user would in the browser's settings, and list every
request the browser made. `ChromiumBrowser` wraps what extension_browser.py already does
(Playwright, DevTools protocol); `FirefoxBrowser` (firefox_browser.py) drives Firefox ESR through
Marionette. Tabs are opaque handles: pass back what `open` returned.

Selectors are CSS selectors on ordinary pages (the extension's pages, the stand-in pages);
`evaluate` runs a JavaScript expression in the page's own world (on an extension page that world
has `chrome.*`), awaiting a promise if the expression is one.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from .extension_browser import (
    OVERLAY_TAG,
    ExtensionBrowser,
    attributes,
    click_in_overlay,
    overlay_node,
    overlay_texts,
)
from .local_web import Request


class Browser(Protocol):
    name: str  # "chromium" or "firefox"

    def open(self, url: str) -> Any:
        """A new tab in front, at `url`, loaded."""

    def open_extension_page(self, path: str) -> Any:
        """A new tab at the extension's `path` (e.g. "popup/popup.html?platform=facebook"),
        once the page says it is ready (html[data-ready=true])."""

    def reload(self, tab) -> None: ...

    def url(self, tab) -> str: ...

    def overlay(self, tab) -> list[str] | None:
        """The overlay's texts as the user sees them (style sheets left out), None when the page
        has no overlay. Does not wait: see wait_for_overlay."""

    def click_overlay(self, tab, label: str) -> None:
        """Click the overlay's button with this text or aria-label, with the mouse."""

    def focus(self, tab, selector: str) -> None: ...

    def press(self, tab, key: str) -> None:
        """Press a key ("Tab", "Escape", "Enter") on the focused element, as the keyboard does."""

    def badge(self, tab) -> str:
        """The toolbar button's badge text for this tab ("" for none)."""

    def evaluate(self, tab, expression: str) -> Any: ...

    def text(self, tab, selector: str) -> str:
        """textContent of the first match, "" when nothing matches."""

    def count(self, tab, selector: str) -> int: ...

    def click(self, tab, selector: str) -> None: ...

    def fill(self, tab, selector: str, value: str) -> None:
        """Replace a field's value by typing."""

    def select(self, tab, selector: str, value: str) -> None:
        """Choose the option with this value in a <select>."""

    def storage(self) -> dict:
        """The extension's chrome.storage.local."""

    def grant_origin(self, pattern: str) -> None:
        """Grant a host permission the way a user does in the browser's own extension settings."""

    def revoke_origins(self, patterns: list[str]) -> None:
        """Withdraw host permissions (manifest ones included) as a user does in the browser's own
        extension settings (Chromium: "On specific sites" without these; Firefox: the add-on's
        per-site switches off)."""

    def requests(self) -> list[Request]:
        """Every network request the browser made since the test began, in order."""

    def screenshot(self, tab, path: str, selector: str | None = None) -> None:
        """A PNG of what the tab's viewport shows, or of the first element matching `selector`
        (its bounding box: a readable crop, never the whole scrolled document)."""

    def resize(self, tab, width: int, height: int) -> None:
        """Make the tab's viewport `width` x `height` CSS pixels (in Firefox by sizing the
        whole window, which every tab shares)."""

    def tabs(self) -> list[tuple[Any, str]]:
        """Every open tab, in order, as (tab, URL): what the user sees in the tab strip."""

    def close_tab(self, tab) -> None: ...

    def restart(self) -> None:
        """The extension starts again with its stored data, as on the browser's next start
        (every tab handle from before is gone; `tabs()` lists what is open afterwards)."""


def wait_until(condition, timeout: float = 10.0, message: str = "", interval: float = 0.1):
    """The first truthy value of condition(), or AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = condition()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {message} (last value {last!r})")
        time.sleep(interval)


def wait_for_overlay(browser: Browser, tab, timeout: float = 10.0) -> list[str]:
    return wait_until(lambda: browser.overlay(tab), timeout, "no overlay shown")


def overlay_stays_away(browser: Browser, tab, seconds: float = 1.5) -> bool:
    """True when no overlay shows within `seconds` (the page being loaded already)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if browser.overlay(tab) is not None:
            return False
        time.sleep(0.1)
    return True


def wait_for_text(browser: Browser, tab, selector: str, text: str, timeout: float = 15.0) -> str:
    """Wait until the element's text contains `text`; returns the whole text."""
    def current():
        shown = browser.text(tab, selector)
        return shown if text in shown else None

    return wait_until(current, timeout, f"{selector} never contained {text!r}")


class ChromiumBrowser:
    """Debian's Chromium through Playwright: see conftest.py's `browser` fixture."""

    name = "chromium"

    def __init__(self, inner: ExtensionBrowser):
        self.inner = inner
        self._requests: list[Request] = []
        inner.context.on("request", self._record)

    def _record(self, request) -> None:
        if request.url.startswith(("chrome://", "chrome-extension://", "data:", "blob:")):
            return
        self._requests.append(Request(request.method, request.url, dict(request.headers),
                                      request.post_data or ""))

    def open(self, url):
        page = self.inner.context.new_page()
        page.goto(url)
        return page

    def open_extension_page(self, path):
        page = self.inner.context.new_page()
        page.goto(f"{self.inner.base}{path}")
        page.wait_for_selector("html[data-ready=true]")
        return page

    def reload(self, tab):
        tab.reload()

    def url(self, tab):
        return tab.url

    def overlay(self, tab):
        node = overlay_node(tab)
        return None if node is None else overlay_texts(node)

    def click_overlay(self, tab, label):
        click_in_overlay(tab, label)

    def focus(self, tab, selector):
        tab.focus(selector)

    def press(self, tab, key):
        tab.keyboard.press(key)

    def badge(self, tab):
        # The badge of the tab in front: extension pages do not see other tabs' URLs on
        # unlisted sites, so the tab is found by being the active one.
        tab.bring_to_front()
        return self.inner.in_worker(
            """chrome.tabs.query({active: true, lastFocusedWindow: true})
                 .then(([tab]) => chrome.action.getBadgeText({tabId: tab.id}))""")

    def evaluate(self, tab, expression):
        return tab.evaluate(f"async () => ({expression})")

    def text(self, tab, selector):
        return tab.evaluate("s => document.querySelector(s)?.textContent ?? ''", selector)

    def count(self, tab, selector):
        return tab.locator(selector).count()

    def click(self, tab, selector):
        tab.click(selector)

    def fill(self, tab, selector, value):
        tab.fill(selector, value)

    def select(self, tab, selector, value):
        tab.select_option(selector, value)

    def storage(self):
        return self.inner.storage()

    def grant_origin(self, pattern):
        self.inner.grant_site_access(pattern)

    def revoke_origins(self, patterns):
        # What chrome://extensions does when the user picks "On specific sites": every site is
        # withheld, then the ones the user keeps are granted again (Chromium lists a site once,
        # as *://*.facebook.com/*, for both facebook.com patterns of the manifest).
        page = self.inner.context.new_page()
        try:
            page.goto("chrome://extensions/")
            page.evaluate(
                """async ([id, revoked]) => {
                     const api = chrome.developerPrivate;
                     await api.updateExtensionConfiguration(
                       {extensionId: id, hostAccess: 'ON_SPECIFIC_SITES'});
                     const info = await api.getExtensionInfo(id);
                     const {hosts} = info.permissions.runtimeHostPermissions;
                     for (const {host, granted} of hosts) {
                       if (!granted && !revoked.includes(host)) {
                         await api.addHostPermission(id, host);
                       }
                     }
                   }""",
                [self.inner.extension_id, patterns])
        finally:
            page.close()

    def requests(self):
        return list(self._requests)

    def screenshot(self, tab, path, selector=None):
        if selector:
            tab.locator(selector).first.screenshot(path=path)
        else:
            tab.screenshot(path=path)

    def resize(self, tab, width, height):
        tab.set_viewport_size({"width": width, "height": height})

    def tabs(self):
        return [(page, page.url) for page in self.inner.context.pages]

    def close_tab(self, tab):
        tab.close()

    def restart(self):
        # The browser really closed and launched again on the same profile (conftest.py's
        # `launch_chromium`): storage, permissions and the unpacked extension's id survive.
        assert self.inner.relaunch, "this browser cannot be relaunched"
        self.inner.context.close()
        self.inner.context = self.inner.relaunch()
        self.inner.context.on("request", self._record)
        self.inner.route_sites()


__all__ = ["OVERLAY_TAG", "Browser", "ChromiumBrowser", "attributes", "wait_until"]

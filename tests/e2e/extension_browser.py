"""Driving Chromium with the extension loaded: stand-in pages, the service worker, the options
page, and the overlay in its closed shadow root (read through the DevTools protocol)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

OVERLAY_TAG = "BEHIND-THE-FEED-OVERLAY"


def fake_page(url: str, extra_head: str = "") -> str:
    """A small page standing in for a platform's page (there is no internet in the tests)."""
    host = re.sub(r"^https?://([^/]+).*$", r"\1", url)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{host}</title>{extra_head}</head><body><h1>{host}</h1>"
        "<p>A page standing in for the real site.</p><a id='first-link' href='#top'>A link</a>"
        "</body></html>"
    )


@dataclass
class ExtensionBrowser:
    """Chromium with the extension loaded, on a fresh profile."""

    context: object
    extension_id: str
    page_heads: dict = field(default_factory=dict)
    first_run_page: str | None = None  # the URL of the first-run tab closed at start-up
    relaunch: object = None  # () -> a new context on the same profile (conftest.py)

    @property
    def base(self) -> str:
        return f"chrome-extension://{self.extension_id}/"

    @property
    def worker(self):
        for worker in self.context.service_workers:
            if worker.url.startswith(self.base):
                return worker
        return self.context.wait_for_event(
            "serviceworker", predicate=lambda w: w.url.startswith(self.base), timeout=10_000)

    def in_worker(self, expression: str, arg=None):
        """Evaluate JavaScript in the extension's service worker."""
        return self.worker.evaluate(expression, arg)

    def storage(self) -> dict:
        return self.in_worker("chrome.storage.local.get(null)")

    def route_sites(self) -> None:
        """Answer every https:// request with a stand-in page: no request leaves the machine."""

        def fulfil(route):
            url = route.request.url
            head = next((h for prefix, h in self.page_heads.items() if url.startswith(prefix)), "")
            route.fulfill(status=200, content_type="text/html; charset=utf-8",
                          body=fake_page(url, head))

        self.context.route(re.compile(r"^https://"), fulfil)

    def grant_site_access(self, origin_pattern: str) -> None:
        """What a user does in the extension's "Site access" settings, done on chrome://extensions.

        Headless Chromium cannot show the permission prompt of chrome.permissions.request, which
        then never settles. With the access granted here first, the options page's own request
        (the one the user's click makes) resolves at once with true, and the code path is the same.
        """
        page = self.context.new_page()
        try:
            page.goto("chrome://extensions/")
            page.evaluate(
                "([id, pattern]) => chrome.developerPrivate.addHostPermission(id, pattern)",
                [self.extension_id, origin_pattern],
            )
        finally:
            page.close()

    def open_options(self):
        page = self.context.new_page()
        page.goto(f"{self.base}options/options.html")
        page.wait_for_selector("html[data-ready=true]")
        return page

    def set_server(self, service) -> None:
        """Set the server URL through the options page, as a user would, and wait for the sync."""
        from playwright.sync_api import expect

        self.grant_site_access("http://127.0.0.1/*")
        page = self.open_options()
        try:
            page.fill("#server-url", service.url)
            page.click("#server-save")
            expect(page.locator("#server-status")).to_contain_text("Saved")
            expect(page.locator("#last-sync")).to_contain_text("updated", timeout=15_000)
        finally:
            page.close()

    def set_storage(self, items: dict) -> None:
        self.in_worker("items => chrome.storage.local.set(items)", items)

    def open_panel(self, slug: str):
        page = self.context.new_page()
        page.goto(f"{self.base}popup/popup.html?platform={slug}")
        page.wait_for_selector("html[data-ready=true]")
        return page

    def tab_id(self, url: str) -> int:
        tabs = self.in_worker(
            "chrome.tabs.query({}).then(tabs => tabs.map(t => [t.id, t.url || null]))")
        ids = [tab_id for tab_id, tab_url in tabs if tab_url == url]
        assert ids, f"no tab with URL {url} among {tabs}"
        return ids[0]

    def badge(self, url: str) -> str:
        return self.in_worker("tabId => chrome.action.getBadgeText({tabId})", self.tab_id(url))

    def badges_of_tabs_without_url(self) -> list[str]:
        """Badges of the tabs whose URL the extension may not see (every unlisted site)."""
        return self.in_worker(
            """chrome.tabs.query({}).then(tabs => Promise.all(tabs.filter(t => !t.url)
                 .map(t => chrome.action.getBadgeText({tabId: t.id}))))""")


# --- reading the overlay, which lives in a closed shadow root -------------------------------------

def dom_tree(page) -> dict:
    """The page's DOM, shadow roots included (closed ones too), through the DevTools protocol."""
    session = page.context.new_cdp_session(page)
    try:
        return session.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    finally:
        session.detach()


def _walk(node):
    yield node
    for child in node.get("children", []) + node.get("shadowRoots", []):
        yield from _walk(child)


def overlay_node(page) -> dict | None:
    """The overlay's host element with its shadow tree, or None when the page has none."""
    return next((n for n in _walk(dom_tree(page)) if n.get("nodeName") == OVERLAY_TAG), None)


def overlay_texts(node: dict) -> list[str]:
    """The text the overlay shows (style sheets left out)."""
    texts = []

    def visit(n, in_style=False):
        if n.get("nodeType") == 3 and not in_style and n["nodeValue"].strip():
            texts.append(n["nodeValue"].strip())
        for child in n.get("children", []) + n.get("shadowRoots", []):
            visit(child, in_style or n.get("nodeName") == "STYLE")

    visit(node)
    return texts


def overlay_elements(node: dict) -> list[dict]:
    return [n for n in _walk(node) if n.get("nodeType") == 1]


def attributes(node: dict) -> dict:
    values = node.get("attributes", [])
    return dict(zip(values[::2], values[1::2], strict=True))


def wait_for_overlay(page, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        node = overlay_node(page)
        if node and overlay_texts(node):
            return node
        time.sleep(0.1)
    raise AssertionError(f"no overlay on {page.url}")


def click_in_overlay(page, label: str) -> None:
    """Click the overlay's button with this text or aria-label, with the mouse, like a user."""
    node = wait_for_overlay(page)
    buttons = [n for n in _walk(node) if n.get("nodeName") == "BUTTON"]
    for button in buttons:
        if label in overlay_texts(button) or attributes(button).get("aria-label") == label:
            session = page.context.new_cdp_session(page)
            try:
                quad = session.send("DOM.getBoxModel", {"backendNodeId": button["backendNodeId"]})
            finally:
                session.detach()
            xs, ys = quad["model"]["content"][0::2], quad["model"]["content"][1::2]
            page.mouse.click(sum(xs) / len(xs), sum(ys) / len(ys))
            return
    shown = [overlay_texts(b) for b in buttons]
    raise AssertionError(f"no button {label!r} in the overlay: {shown}")


def has_overlay_host(page) -> bool:
    return page.evaluate("() => document.querySelector('behind-the-feed-overlay') !== null")

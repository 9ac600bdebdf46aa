"""Debian's Firefox ESR driven through Marionette, with the extension as a temporary add-on.

How it runs (found by trying, Firefox ESR 153):
- One Firefox per test session: `firefox-esr -marionette -headless -remote-allow-system-access
  -profile <fresh tmp profile> -no-remote`, the profile's user.js holding `PREFS` below. The
  extension is installed again for each test (`Addons.install(path, temp=True)`) and uninstalled
  after it: uninstalling drops its storage and permissions, so each test starts from a fresh
  install, as in Chromium's per-test profile.
- Network: every request goes through `local_web.RecordingProxy` (network.proxy.* prefs, localhost
  included), which writes it down; HTTPS goes to `local_web.SiteServer`, any host, with a
  self-signed certificate the session accepts (`acceptInsecureCerts`), so HSTS-preloaded hosts
  (www.facebook.com...) load. `network.dns.localDomains` resolves the listed sites to 127.0.0.1 as
  well, so a request that escaped the proxy would still never leave the machine.
- Background traffic: the prefs below switch off updates, telemetry, Safe Browsing, captive
  portal and connectivity checks, Normandy, Nimbus, Pocket, DoH, push and prefetching. Remote
  Settings ignores its server pref in release builds unless MOZ_REMOTE_SETTINGS_DEVTOOLS=1 is in the
  environment, so that is set too (without it Firefox fetches firefox.settings.services.mozilla.com
  at start-up, which the proxy log showed).
- Host permissions: Firefox grants an MV3 add-on's manifest host_permissions at install (they show
  as switches the user may turn off). Other origins (the server's) are granted the way the
  add-on manager does, from chrome context:
  `ExtensionPermissions.add(id, {permissions: [], origins}, extension)`; the options page's own
  chrome.permissions.request (in the click) then resolves true without a prompt.
- The overlay's closed shadow root: read with privileged script (`sandbox="system"`, where
  `Element.openOrClosedShadowRoot` is available); its buttons are clicked with WebDriver (Marionette
  returns closed shadow roots too, `WebElement.shadow_root`), i.e. a real synthesized mouse click.
- The badge: the toolbar button node exists only once the Extensions panel has been opened, so it
  is read through the extension's own API: the tab's extension id comes from chrome context
  (`extension.tabManager.getWrapper(gBrowser tab).id`), then `browser.action.getBadgeText({tabId})`
  runs in the extension's options page, kept open in a background tab (`console`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import warnings
from pathlib import Path

import pytest

from .local_web import LOCAL_DOMAINS, RecordingProxy, Request, SiteServer

FIREFOX = "/usr/bin/firefox-esr"
STARTUP_SECONDS = 60

PREFS = {
    # Add-ons: the unpacked extension installs as a temporary add-on.
    "xpinstall.signatures.required": False,
    "extensions.experiments.enabled": True,
    "extensions.autoDisableScopes": 0,
    "extensions.update.enabled": False,
    "extensions.update.autoUpdateDefault": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "extensions.blocklist.enabled": False,
    "extensions.webextensions.restrictedDomains": "",
    # Start-up: no first-run pages, a blank page.
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.page": 0,
    "browser.startup.homepage": "about:blank",
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.newtabpage.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "startup.homepage_welcome_url": "about:blank",
    "startup.homepage_welcome_url.additional": "",
    "datareporting.policy.firstRunURL": "",
    "browser.tabs.warnOnClose": False,
    "browser.uitour.enabled": False,
    # No background network.
    "app.update.disabledForTesting": True,
    "app.update.auto": False,
    "app.update.checkInstallTime": False,
    "app.normandy.enabled": False,
    "app.normandy.api_url": "",
    "app.shield.optoutstudies.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    "nimbus.rollouts.enabled": False,
    "services.settings.server": "data:,#remote-settings-dummy/v1",
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.server": "data:,",
    "toolkit.telemetry.coverage.opt-out": True,
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "browser.ping-centre.telemetry": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.provider.google.updateURL": "",
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.trr.mode": 5,
    "network.prefetch-next": False,
    "network.dns.disablePrefetch": True,
    "network.http.speculative-parallel-limit": 0,
    "browser.search.update": False,
    "browser.region.update.enabled": False,
    "browser.region.network.url": "",
    "geo.provider.network.url": "",
    "media.gmp-manager.updateEnabled": False,
    "media.gmp-gmpopenh264.enabled": False,
    "dom.push.connection.enabled": False,
    "dom.push.serverURL": "",
    "identity.fxaccounts.enabled": False,
    "extensions.pocket.enabled": False,
    "browser.newtabpage.activity-stream.feeds.system.topstories": False,
    "browser.newtabpage.activity-stream.feeds.topsites": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "browser.contentblocking.report.monitor.enabled": False,
    "security.OCSP.enabled": 0,
    "security.remote_settings.crlite_filters.enabled": False,
    "security.remote_settings.intermediates.enabled": False,
    "privacy.query_stripping.enabled": False,
    "browser.translations.enable": False,
    "browser.ml.enable": False,
    # Everything through the recording proxy; the listed sites resolve here anyway.
    "network.proxy.type": 1,
    "network.proxy.no_proxies_on": "",
    "network.proxy.allow_hijacking_localhost": True,
    "network.dns.localDomains": ",".join(LOCAL_DOMAINS),
    # A predictable UI language and colour scheme, as in Chromium's fixture.
    "intl.locale.requested": "en-GB",
    "intl.accept_languages": "en-GB, en",
    "ui.systemUsesDarkTheme": 0,
    "layout.css.prefers-color-scheme.content-override": 1,
}


def _marionette():
    """The marionette_driver package; its dependency mozinfo calls a deprecated `distro` function
    when imported, which the suite's warnings-as-errors would turn into a failure."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import marionette_driver.addons
        import marionette_driver.keys
        import marionette_driver.marionette
    return marionette_driver


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FirefoxSession:
    """One Firefox process, its Marionette session, the local sites and the recording proxy."""

    def __init__(self, folder: Path):
        firefox = shutil.which("firefox-esr") or (FIREFOX if os.access(FIREFOX, os.X_OK) else None)
        if not firefox:
            pytest.fail(f"{FIREFOX} is missing: apt-get install firefox-esr (tests/run.sh does)")
        Marionette = _marionette().marionette.Marionette  # noqa: N806

        self.site = SiteServer(folder)
        self.proxy = RecordingProxy(self.site)
        profile = folder / "firefox-profile"
        profile.mkdir()
        port = _free_port()
        prefs = {**PREFS, "marionette.port": port,
                 "network.proxy.http": "127.0.0.1", "network.proxy.http_port": self.proxy.port,
                 "network.proxy.ssl": "127.0.0.1", "network.proxy.ssl_port": self.proxy.port}
        (profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()))
        self.log_path = folder / "firefox.log"
        env = {**os.environ, "MOZ_REMOTE_SETTINGS_DEVTOOLS": "1", "MOZ_CRASHREPORTER_DISABLE": "1"}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [firefox, "-marionette", "-headless", "-remote-allow-system-access",
                 "-profile", str(profile), "-no-remote"],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        self.client = Marionette(host="127.0.0.1", port=port)
        try:
            self._wait_for_port(port)
            self.client.start_session({"acceptInsecureCerts": True})
        except Exception:
            self.close()
            pytest.fail(f"Firefox did not start:\n{self.log_path.read_text()[-3000:]}")
        self.client.set_window_rect(width=1280, height=800)
        self.first_tab = self.client.current_window_handle

    def _wait_for_port(self, port: int) -> None:
        """Marionette's own raise_for_port leaks a socket per attempt (a ResourceWarning)."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def close(self) -> None:
        try:
            self.client.delete_session()
        except Exception:  # noqa: BLE001, S110 - the browser may already be gone
            pass
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.proxy.close()
        self.site.close()


class FirefoxBrowser:
    """The extension freshly installed in the session's Firefox; tabs are window handles."""

    name = "firefox"

    def __init__(self, session: FirefoxSession, extension: Path, keep_first_run: bool = False):
        Addons = _marionette().addons.Addons  # noqa: N806

        self.session = session
        self.client = session.client
        self.page_heads = session.site.page_heads
        self.page_heads.clear()
        session.proxy.clear()
        self.addon_id = Addons(self.client).install(str(extension), temp=True)
        self.uuid = self.chrome(
            "return WebExtensionPolicy.getByID(arguments[0]).mozExtensionHostname", self.addon_id)
        self.base = f"moz-extension://{self.uuid}/"
        # The first-run tab the extension opens on install: waited for (so that it cannot come
        # to the front in the middle of a test), then closed unless the test is about it, as
        # conftest.py does in Chromium.
        self.first_run_page = self._wait_for_tab(f"{self.base}firstrun/firstrun.html")
        if self.first_run_page and not keep_first_run:
            for tab, url in self.tabs():
                if url == self.first_run_page:
                    self.close_tab(tab)
        self._open_console()

    def _open_console(self) -> None:
        """The options page in a background tab, where `in_extension` runs."""
        self.console = self._new_tab(focus=False)
        self.client.navigate(f"{self.base}options/options.html")
        self._current = self.console

    def _wait_for_tab(self, url: str, timeout: float = 10.0) -> str | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(tab_url == url for _tab, tab_url in self.tabs()):
                return url
            time.sleep(0.1)
        return None

    def close(self) -> None:
        """Close every tab but the first, blank it, and uninstall the add-on (dropping its data)."""
        Addons = _marionette().addons.Addons  # noqa: N806

        client = self.client
        for handle in client.window_handles:
            if handle != self.session.first_tab:
                client.switch_to_window(handle)
                client.close()
        client.switch_to_window(self.session.first_tab)
        client.navigate("about:blank")
        client.set_window_rect(width=1280, height=800)
        Addons(client).uninstall(self.addon_id)

    # --- plumbing -----------------------------------------------------------------------------

    def chrome(self, script: str, *args):
        """Run privileged script in the browser's chrome (a promise is awaited)."""
        with self.client.using_context("chrome"):
            return self.client.execute_script(script, script_args=list(args))

    def _new_tab(self, focus=True) -> str:
        handle = self.client.open(type="tab", focus=focus)["handle"]
        self.client.switch_to_window(handle, focus=focus)
        self._current = handle
        return handle

    def _use(self, tab: str, focus=True) -> None:
        if tab != self._current or focus:
            self.client.switch_to_window(tab, focus=focus)
            self._current = tab

    def in_extension(self, expression: str, *args):
        """Evaluate a JavaScript expression in the extension's options page (chrome.* there)."""
        self._use(self.console, focus=False)
        return self.client.execute_script(f"return ({expression});", script_args=list(args),
                                          sandbox=None)

    # --- the Browser interface ----------------------------------------------------------------

    def open(self, url):
        tab = self._new_tab()
        self.client.navigate(url)
        return tab

    def open_extension_page(self, path):
        tab = self._new_tab()
        self.client.navigate(f"{self.base}{path}")
        deadline = time.monotonic() + 15
        while self.client.execute_script(
                "return document.documentElement.dataset.ready === 'true'") is not True:
            assert time.monotonic() < deadline, f"{path} never became ready"
            time.sleep(0.1)
        return tab

    def reload(self, tab):
        self._use(tab)
        self.client.refresh()

    def url(self, tab):
        self._use(tab)
        return self.client.get_url()

    def overlay(self, tab):
        self._use(tab)
        return self.client.execute_script(
            """const host = document.querySelector('behind-the-feed-overlay');
               if (!host) return null;
               const root = host.openOrClosedShadowRoot;
               if (!root) return [];
               const texts = [];
               const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
               for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                 if (node.parentElement && node.parentElement.closest('style')) continue;
                 const text = node.nodeValue.trim();
                 if (text) texts.push(text);
               }
               return texts;""",
            sandbox="system")

    def click_overlay(self, tab, label):
        self._use(tab)
        host = self.client.find_element("css selector", "behind-the-feed-overlay")
        buttons = host.shadow_root.find_elements("css selector", "button")
        for button in buttons:
            if button.text.strip() == label or button.get_attribute("aria-label") == label:
                button.click()
                return
        shown = [(b.text, b.get_attribute("aria-label")) for b in buttons]
        raise AssertionError(f"no button {label!r} in the overlay: {shown}")

    def focus(self, tab, selector):
        self._use(tab)
        self.client.execute_script("document.querySelector(arguments[0]).focus()",
                                   script_args=[selector])

    def press(self, tab, key):
        Keys = _marionette().keys.Keys  # noqa: N806

        self._use(tab)
        value = {"Tab": Keys.TAB, "Escape": Keys.ESCAPE, "Enter": Keys.ENTER}.get(key, key)
        self.client.actions.sequence("key", "keyboard").key_down(value).key_up(value).perform()

    def badge(self, tab):
        self._use(tab)
        tab_id = self.chrome(
            """const [addonId] = arguments;
               const tab = gBrowser.selectedTab;  // the tab just brought to front
               const { extension } = WebExtensionPolicy.getByID(addonId);
               return extension.tabManager.getWrapper(tab).id;""",
            self.addon_id)
        return self.in_extension("chrome.action.getBadgeText({tabId: arguments[0]})", tab_id)

    def evaluate(self, tab, expression):
        self._use(tab)
        return self.client.execute_script(f"return ({expression});", sandbox=None)

    def text(self, tab, selector):
        self._use(tab)
        return self.client.execute_script(
            "const node = document.querySelector(arguments[0]);"
            " return node ? node.textContent : ''",
            script_args=[selector])

    def count(self, tab, selector):
        self._use(tab)
        return len(self.client.find_elements("css selector", selector))

    def click(self, tab, selector):
        self._use(tab)
        self.client.find_element("css selector", selector).click()

    def fill(self, tab, selector, value):
        self._use(tab)
        field = self.client.find_element("css selector", selector)
        field.clear()
        field.send_keys(value)

    def select(self, tab, selector, value):
        self._use(tab)
        self.client.find_element("css selector", f"{selector} option[value='{value}']").click()

    def storage(self):
        return self.in_extension("chrome.storage.local.get(null)")

    def grant_origin(self, pattern):
        self.chrome(
            """const [addonId, origin] = arguments;
               const { ExtensionPermissions } = ChromeUtils.importESModule(
                 'resource://gre/modules/ExtensionPermissions.sys.mjs');
               const extension = WebExtensionPolicy.getByID(addonId).extension;
               return ExtensionPermissions.add(addonId, {permissions: [], origins: [origin]},
                                               extension).then(() => true);""",
            self.addon_id, pattern)

    def revoke_origins(self, patterns):
        # What the add-on manager's per-site switch does.
        self.chrome(
            """const [addonId, origins] = arguments;
               const { ExtensionPermissions } = ChromeUtils.importESModule(
                 'resource://gre/modules/ExtensionPermissions.sys.mjs');
               const extension = WebExtensionPolicy.getByID(addonId).extension;
               return ExtensionPermissions.remove(addonId, {permissions: [], origins},
                                                  extension).then(() => true);""",
            self.addon_id, list(patterns))

    def requests(self) -> list[Request]:
        return self.session.proxy.all_requests()

    def screenshot(self, tab, path, selector=None):
        self._use(tab)
        if selector:
            element = self.client.find_element("css selector", selector)
            png = self.client.screenshot(element=element, format="binary")
        else:
            png = self.client.screenshot(format="binary", full=False)
        Path(path).write_bytes(png)

    def resize(self, tab, width, height):
        # One window for every tab (close() puts the session's size back); the window is made
        # larger by what its toolbars take, so the page gets the viewport asked for.
        self._use(tab)
        self.client.set_window_rect(width=width, height=height)
        inner = self.client.execute_script("return [window.innerWidth, window.innerHeight]")
        self.client.set_window_rect(width=2 * width - inner[0], height=2 * height - inner[1])

    def tabs(self):
        # The tab strip, read in chrome context, with Marionette's handle of each tab (the id
        # its remote agent's NavigableManager gives the tab's browser, Firefox 140 on). A tab
        # only just created may not have a handle yet: it is left out until it has one.
        handles = set(self.client.window_handles)
        listed = self.chrome(
            """const { NavigableManager } = ChromeUtils.importESModule(
                 'chrome://remote/content/shared/NavigableManager.sys.mjs');
               return gBrowser.tabs.map(tab => [
                 NavigableManager.getIdForBrowser(tab.linkedBrowser),
                 tab.linkedBrowser.currentURI.spec]);""")
        assert handles <= {handle for handle, _url in listed}, (listed, handles)
        return [(handle, url) for handle, url in listed if handle in handles]

    def close_tab(self, tab):
        self.client.switch_to_window(tab, focus=False)
        self.client.close()
        remaining = self.client.window_handles
        self._current = self.console if getattr(self, "console", None) in remaining else (
            self.session.first_tab)
        self.client.switch_to_window(self._current, focus=False)

    def restart(self):
        # Temporary add-ons do not survive a restart of Firefox, so the add-on is disabled and
        # enabled again, as the add-on manager does: its background starts anew with its stored
        # data and permissions, and runtime.onInstalled does not fire (nor on a browser start).
        # Its tabs close first, as with the browser.
        for handle in self.client.window_handles:
            if handle != self.session.first_tab:
                self.close_tab(handle)
        self.chrome(
            """const [addonId] = arguments;
               const { AddonManager } = ChromeUtils.importESModule(
                 'resource://gre/modules/AddonManager.sys.mjs');
               return AddonManager.getAddonByID(addonId)
                 .then(addon => addon.disable().then(() => addon.enable()))
                 .then(() => true);""",
            self.addon_id)
        self._open_console()

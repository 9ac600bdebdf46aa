"""End-to-end fixtures: the real service in a subprocess, and Debian's Chromium with the extension.

No internet: platform pages are served by Playwright routes. The browser is /usr/bin/chromium
(never a downloaded one). The service runs from a fresh data folder, so it creates, migrates and
seeds its own SQLite database exactly as on a first `behind-the-feed serve`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@dataclass
class Service:
    url: str  # base URL with a trailing slash
    data_dir: Path
    process: subprocess.Popen

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    @property
    def database(self) -> Path:
        return self.data_dir / "behind-the-feed.sqlite"

    def api(self, path: str) -> dict:
        return get_json(f"{self.url}api/v1/{path}")


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    """The real service on a free port, with its own fresh data folder."""
    data_dir = tmp_path_factory.mktemp("btf-e2e-service")
    port = free_port()
    # Always the embedded mode (SQLite in the data folder), whatever the suite itself runs on:
    # these tests are about the extension.
    env = {key: value for key, value in os.environ.items() if not key.startswith("BTF_")}
    # Low enough that the panel's "too many reports" message can be reached in a test.
    env.update(BTF_DATA_DIR=str(data_dir), BTF_SUGGESTION_LIMIT="3 per minute")
    command = [str(Path(sys.executable).with_name("behind-the-feed")), "serve", "--port", str(port)]
    log_path = data_dir / "service.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   cwd=data_dir)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the service exited ({process.returncode}):\n{log_path.read_text()}")
            try:
                get_json(f"{url}api/v1/index")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    log_text = log_path.read_text()
                    pytest.fail(f"the service did not answer in {STARTUP_SECONDS}s:\n{log_text}")
                time.sleep(0.25)
        yield Service(url=url, data_dir=data_dir, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

from .extension_browser import ExtensionBrowser  # noqa: E402

FIRST_RUN_PATH = "firstrun/firstrun.html"


def close_first_run_page(context, extension_id: str, timeout: float = 10.0) -> str | None:
    """Wait for the first-run tab the extension opens on install, close it, return its URL
    (None if it never came: the first-run journeys say so)."""
    url = wait_for_first_run_page(context, extension_id, timeout)
    for page in context.pages:
        if page.url == url:
            page.close()
    return url


def wait_for_first_run_page(context, extension_id: str, timeout: float = 10.0) -> str | None:
    """Wait for the first-run tab the extension opens on install; its URL, or None."""
    url = f"chrome-extension://{extension_id}/{FIRST_RUN_PATH}"
    deadline = time.monotonic() + timeout
    while True:
        for page in context.pages:
            page.wait_for_load_state("domcontentloaded")
            if page.url == url:
                return url
        remaining_ms = (deadline - time.monotonic()) * 1000
        if remaining_ms <= 0:
            return None
        try:  # lets Playwright take in the browser's events while it waits
            context.wait_for_event("page", timeout=remaining_ms)
        except PlaywrightTimeoutError:
            return None


def launch_chromium(playwright, profile: Path, media: dict):
    """Chromium on `profile` with the extension loaded (unpacked, as a developer would)."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        **media,
        locale="en-GB",
        viewport={"width": 1280, "height": 800},
        args=[
            f"--disable-extensions-except={EXTENSION}",
            f"--load-extension={EXTENSION}",
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


@pytest.fixture
def keep_first_run() -> bool:
    """False: the browsers close the first-run tab the extension opens on install before the
    test starts. A test about that page parametrizes this to True and finds the tab open."""
    return False


@pytest.fixture
def browser(playwright, tmp_path, request, keep_first_run):
    """A fresh Chromium profile with the extension loaded (unpacked, as a developer would)."""
    media = {"color_scheme": "light", "reduced_motion": "no-preference",
             **(getattr(request, "param", None) or {})}
    profile = tmp_path / "profile"
    context = launch_chromium(playwright, profile, media)
    browser = None
    try:
        worker = next(iter(context.service_workers), None) or context.wait_for_event(
            "serviceworker", timeout=15_000)
        extension_id = worker.url.split("/")[2]
        browser = ExtensionBrowser(context=context, extension_id=extension_id,
                                   relaunch=lambda: launch_chromium(playwright, profile, media))
        browser.route_sites()
        # The first-run page opens once on install (the journeys check it); the other tests
        # start with it closed, as a user who has read it.
        if keep_first_run:
            browser.first_run_page = wait_for_first_run_page(context, extension_id)
        else:
            browser.first_run_page = close_first_run_page(context, extension_id)
        yield browser
    finally:
        (browser.context if browser else context).close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- one set of journeys on every browser (test_journeys.py) -------------------------------------

@pytest.fixture(scope="session")
def firefox_session(tmp_path_factory):
    """Debian's Firefox ESR, started once per test session on a fresh profile
    (firefox_browser.py)."""
    from .firefox_browser import FirefoxSession

    session = FirefoxSession(tmp_path_factory.mktemp("btf-e2e-firefox"))
    try:
        yield session
    finally:
        session.close()


@pytest.fixture(params=["chromium", "firefox"])
def any_browser(request):
    """The extension freshly installed in each browser in turn, behind the `Browser` interface."""
    if request.param == "chromium":
        from .browsers import ChromiumBrowser

        yield ChromiumBrowser(request.getfixturevalue("browser"))
        return
    from .firefox_browser import FirefoxBrowser

    firefox = FirefoxBrowser(request.getfixturevalue("firefox_session"), EXTENSION,
                             keep_first_run=request.getfixturevalue("keep_first_run"))
    try:
        yield firefox
    finally:
        firefox.close()

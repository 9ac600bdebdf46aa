"""The one polite HTTP session every scraper uses.

It names the project in its User-Agent, puts a timeout on every request, retries 429 and 5xx
answers with backoff (honouring Retry-After), obeys robots.txt, waits between two requests to the
same host, and can keep an on-disk cache so that a rerun does not fetch again.
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from scrapers.base import FetchError, MalformedInput, RobotsDisallowed, ScrapeError

__all__ = [
    "DEFAULT_TIMEOUT",
    "RETRY_STATUSES",
    "USER_AGENT",
    "FetchError",
    "MalformedInput",
    "PoliteRetry",
    "PoliteSession",
    "RobotsDisallowed",
    "ScrapeError",
    "make_session",
]

USER_AGENT = "BehindTheFeed/0.1 (+https://github.com/behind-the-feed/behind-the-feed)"
DEFAULT_TIMEOUT = (10.0, 30.0)  # connect, read (seconds)
RETRY_STATUSES = (429, 500, 502, 503, 504)
DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # far above any file we need; stops a 5 GB dump early
ROBOTS_MAX_BYTES = 500 * 1024  # what Google reads of a robots.txt

Sleep = Callable[[float], None]


class PoliteRetry(Retry):
    """urllib3 Retry that waits inside `increment()`, with a sleep function we can replace.

    urllib3 calls `increment()` then `sleep()`; test doubles of the transport (responses) call only
    `increment()`. Waiting in `increment()` gives the same behaviour under both, and lets tests
    see how long we were asked to wait.
    """

    def __init__(self, *args: Any, sleep: Sleep = time.sleep, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sleep_function = sleep

    def new(self, **kw: Any) -> PoliteRetry:
        retry = super().new(**kw)
        retry.sleep_function = self.sleep_function
        return retry

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,
                  _stacktrace=None) -> PoliteRetry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        wait = None
        if retry.respect_retry_after_header and response is not None:
            wait = retry.get_retry_after(response)
        if wait is None:
            # urllib3 does not wait before the first retry; a polite client does.
            wait = retry.get_backoff_time() or retry.backoff_factor
        if wait > 0:
            self.sleep_function(wait)
        return retry

    def sleep(self, response=None) -> None:
        """Already waited in `increment()`."""


class PoliteSession:
    """A requests session with the project's manners; use `get`, `head` or `fetch`.

    cache_dir: where requests-cache keeps responses (None: no cache, as in tests).
    delay: seconds between two requests to the same host (robots.txt Crawl-delay can raise it).
    """

    def __init__(
        self,
        *,
        cache_dir: str | Path | None = None,
        cache_expire_after: float = 24 * 3600,
        delay: float = 1.0,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff_factor: float = 1.0,
        retry_after_max: float = 300.0,
        obey_robots: bool = True,
        user_agent: str = USER_AGENT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        if cache_dir is None:
            self.http: requests.Session = requests.Session()
        else:
            from requests_cache import CachedSession

            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            self.http = CachedSession(
                str(Path(cache_dir) / "http_cache"),
                backend="sqlite",
                expire_after=cache_expire_after,
                allowable_codes=(200,),
                allowable_methods=("GET",),
            )
        self.http.headers["User-Agent"] = user_agent
        self.user_agent = user_agent
        self.timeout = timeout
        self.delay = delay
        self.obey_robots = obey_robots
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._clock = clock
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        retry = PoliteRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD"}),
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            retry_after_max=retry_after_max,
            raise_on_status=False,  # we want the last answer, to report its status
            sleep=sleep,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.http.mount("https://", adapter)
        self.http.mount("http://", adapter)

    def __enter__(self) -> PoliteSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()
        cache = getattr(self.http, "cache", None)
        if cache is not None:
            cache.close()

    # -- requests -------------------------------------------------------------------------

    def request(self, method: str, url: str, *, check_robots: bool = True,
                cache: bool = True, **kwargs: Any) -> requests.Response:
        """Send one request politely; network failures raise FetchError, statuses pass through."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) URL: {url!r}", url=url)
        if check_robots and self.obey_robots:
            self._check_robots(url)
        kwargs.setdefault("timeout", self.timeout)
        self._wait_for_host(parts.netloc)
        try:
            if cache or not hasattr(self.http, "cache_disabled"):
                response = self.http.request(method, url, **kwargs)
            else:
                with self.http.cache_disabled():
                    response = self.http.request(method, url, **kwargs)
        except requests.exceptions.Timeout as exc:
            raise FetchError(f"{method} {url} timed out ({_reason(exc)})", url=url) from exc
        except requests.exceptions.TooManyRedirects as exc:
            raise FetchError(f"{method} {url}: too many redirects", url=url) from exc
        except requests.exceptions.RequestException as exc:
            raise FetchError(f"{method} {url} failed: {_reason(exc)}", url=url) from exc
        if not getattr(response, "from_cache", False):
            self._last_request[parts.netloc] = self._clock()
        return response

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", True)
        return self.request("HEAD", url, **kwargs)

    def fetch(self, url: str, *, params: Mapping[str, str] | None = None,
              headers: Mapping[str, str] | None = None) -> bytes:
        """GET a URL and return its body; an error status (after retries) raises FetchError."""
        response = self.get(url, params=params, headers=headers, stream=True)
        with response:
            if response.status_code >= 400:
                raise FetchError(
                    f"GET {response.url} answered {response.status_code} {response.reason or ''}"
                    .rstrip() + (" after retries" if response.status_code in RETRY_STATUSES
                                 else ""),
                    url=url,
                    status=response.status_code,
                )
            return self._read_body(response, url)

    def read(self, response: requests.Response, url: str, *,
             max_bytes: int | None = None) -> bytes:
        """The body of a streamed answer, at most `max_bytes` (default: the session's limit);
        a larger body or a connection that breaks off raises FetchError."""
        return self._read_body(response, url, max_bytes=max_bytes)

    def _read_body(self, response: requests.Response, url: str, *,
                   max_bytes: int | None = None) -> bytes:
        limit = max_bytes or self.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url} is {int(declared)} bytes, over the {limit} limit",
                             url=url)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{url} is over the {limit} byte limit", url=url)
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            raise FetchError(f"GET {url} broke off while reading: {_reason(exc)}",
                             url=url) from exc
        return b"".join(chunks)

    # -- politeness -----------------------------------------------------------------------

    def _wait_for_host(self, netloc: str) -> None:
        delay = self.delay
        robots = self._robots.get(netloc)
        if robots is not None:
            crawl_delay = robots.crawl_delay(self.user_agent)
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), 60.0))
        last = self._last_request.get(netloc)
        if last is not None and delay > 0:
            remaining = delay - (self._clock() - last)
            if remaining > 0:
                self._sleep(remaining)

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return
        if parts.netloc not in self._robots:
            self._robots[parts.netloc] = self._load_robots(f"{parts.scheme}://{parts.netloc}")
        robots = self._robots[parts.netloc]
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        if robots is None:
            raise RobotsDisallowed(
                f"{url}: {robots_url} could not be read (server error), so the whole site is "
                "treated as disallowed",
                url=url,
            )
        if not robots.can_fetch(self.user_agent, url):
            raise RobotsDisallowed(
                f"{url} is disallowed for {self.user_agent.split('/')[0]} by {robots_url}",
                url=url,
            )

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """Fetch and parse robots.txt; None means the site is unreadable (all disallowed)."""
        robots_url = f"{origin}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        response = self.request("GET", robots_url, check_robots=False)
        with response:
            status = response.status_code
            if status in (401, 403):
                parser.disallow_all = True
            elif 400 <= status < 500:
                parser.allow_all = True
            elif status >= 500:
                return None
            else:
                text = response.content[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
                parser.parse(text.splitlines())
        return parser


def _reason(exc: BaseException) -> str:
    """The innermost readable cause of a requests exception (DNS, refused, read timeout...)."""
    text = str(exc.args[0]) if exc.args else exc.__class__.__name__
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if reason is not None:
        text = str(reason)
    return text or exc.__class__.__name__


def make_session(*, data_dir: str | Path | None = None, cache: bool = True,
                 delay: float = 1.0, **kwargs: Any) -> PoliteSession:
    """The command line's session: its cache under DATA_DIR/cache/http (24 hours).

    The runner passes the settings of server.config (BTF_DATA_DIR, BTF_SCRAPE_DELAY...);
    data_dir None with cache on means server.config's data directory.
    """
    cache_dir = None
    if cache:
        if data_dir is None:
            from server.config import data_dir as default_data_dir

            data_dir = default_data_dir()
        cache_dir = Path(data_dir) / "cache" / "http"
    return PoliteSession(cache_dir=cache_dir, delay=delay, **kwargs)

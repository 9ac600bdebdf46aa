"""The link checker: is every source URL in the database still there?

Each URL gets a HEAD request (a GET when the server refuses HEAD), following redirects. The
result updates the sources' check_status (ok | broken | moved), last_checked_at and final_url;
the curators' queue lists broken and moved sources, so no proposal is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from scrapers.base import FetchError

ORIGIN = "linkcheck"
FALLBACK_TO_GET = (403, 405, 501)


@dataclass(frozen=True)
class LinkCheck:
    url: str
    status: int | None  # the final answer's status; None when there was no answer
    history: tuple[tuple[int, str], ...]  # (status, URL) of each redirect followed
    final_url: str | None
    error: str | None
    method: str
    checked_at: str
    result: str  # ok | broken | moved

    @property
    def detail(self) -> str:
        """One line for curators: what the check saw."""
        if self.error:
            return f"{self.method}: {self.error}"
        hops = "".join(f"{status} → {url}; " for status, url in self.history)
        return f"{self.method} {hops}{self.status}"


def _default_registrable(host: str) -> str | None:
    from server.domains import registrable_domain

    try:
        return registrable_domain(host)
    except ValueError:
        return None


def _path(url: str) -> str:
    path = unquote(urlsplit(url).path).rstrip("/")
    return path or "/"


def classify(status: int | None, history: Sequence[tuple[int, str]], original_url: str,
             final_url: str | None, *,
             registrable: Callable[[str], str | None] | None = None) -> str:
    """ok, broken (an error status after retries, or no answer at all) or moved (redirected to
    another registrable domain or another path). Pure."""
    if status is None or status >= 400:
        return "broken"
    if not history or not final_url or final_url == original_url:
        return "ok"
    registrable = registrable or _default_registrable
    before, after = urlsplit(original_url).hostname or "", urlsplit(final_url).hostname or ""
    if (registrable(before) or before) != (registrable(after) or after):
        return "moved"
    if _path(original_url) != _path(final_url):
        return "moved"
    return "ok"  # http to https, www. added or dropped, a tracking parameter: the same page


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check(session: Any, url: str, *, now: Callable[[], str] = _now,
          registrable: Callable[[str], str | None] | None = None) -> LinkCheck:
    """Check one URL (uncached). RobotsDisallowed propagates: the caller skips that source."""
    method = "HEAD"
    try:
        response = session.head(url, allow_redirects=True, cache=False)
        if response.status_code in FALLBACK_TO_GET:
            response.close()
            method = "GET"
            response = session.get(url, allow_redirects=True, stream=True, cache=False)
        with response:
            status = response.status_code
            history = tuple((r.status_code, urljoin(r.url, r.headers.get("Location", "")))
                            for r in response.history)
            final_url = response.url
        error = None
    except FetchError as exc:
        status, history, final_url, error = None, (), None, str(exc)
    return LinkCheck(
        url=url,
        status=status,
        history=history,
        final_url=final_url,
        error=error,
        method=method,
        checked_at=now(),
        result=classify(status, history, url, final_url, registrable=registrable),
    )


fetch = check  # the link checker's "fetch" is the check itself


def to_update(result: LinkCheck) -> dict[str, Any]:
    """The values to write on every Source row with this URL."""
    return {
        "check_status": result.result,
        "last_checked_at": dt.datetime.fromisoformat(result.checked_at.replace("Z", "+00:00"))
        .replace(tzinfo=None),
        "final_url": result.final_url if result.final_url != result.url else None,
        "check_detail": result.detail[:2000],
    }

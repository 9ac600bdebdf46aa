"""The link checker: is every source still there, does it still say what we quote, and is there
an archived copy?

For each source URL (fetched once however many sources cite it):
- GET the page, following redirects: `check_status` ok | broken | moved (see `classify`),
  `final_url`, `check_detail`, `last_checked_at`.
- Read the page (HTML only, at most PAGE_MAX_BYTES): is each citing source's quote there
  (`quote_found` true / false / None when the page cannot tell: paywall, PDF or other non-HTML,
  robots.txt, fetch error; see scrapers/pagecheck.py for the normalising and the threshold), the
  page's passage nearest to the quote (`quote_excerpt`), the page's own date (`page_published`)
  and whether it contradicts the source's `published` (`date_mismatch`).
- For sources with no `archive_url` (and no archive proposal waiting), ask the Wayback Machine's
  availability API for the snapshot closest to `published` and propose it (kind `archive`).

The checks are written on the sources through server.operations.sources.record_check (one
Revision per source whose check changed); the curators' queue reads broken, moved and
quote-not-found sources from there. A page robots.txt keeps us from is left unchecked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from scrapers import pagecheck, wayback
from scrapers.base import (
    FetchError,
    Known,
    MalformedInput,
    ProposalDraft,
    RobotsDisallowed,
    RunContext,
    ScrapeError,
    Scraper,
    Target,
    given_targets,
)

ORIGIN = "linkcheck"
PAGE_MAX_BYTES = 5 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
PAYWALL_STATUSES = (401, 402, 403)


@dataclass(frozen=True)
class Page:
    """What the GET of a source URL gave (the body only for an HTML page that answered)."""

    url: str
    status: int | None = None  # the final answer's status; None when there was no answer
    history: tuple[tuple[int, str], ...] = ()  # (status, URL) of each redirect followed
    final_url: str | None = None
    content_type: str | None = None
    body: bytes | None = None
    error: str | None = None
    robots: bool = False  # robots.txt keeps us from this page: nothing was fetched
    method: str = "GET"


@dataclass(frozen=True)
class Fetched:
    """A page and, when asked, the Wayback Machine's availability answer for it."""

    page: Page
    checked_at: str
    wayback: bytes | None = None
    wayback_error: str | None = None


@dataclass(frozen=True)
class LinkCheck:
    """The check of one source (one row; several rows may cite the same URL)."""

    url: str
    status: int | None
    history: tuple[tuple[int, str], ...]
    final_url: str | None
    error: str | None
    method: str
    checked_at: str
    result: str  # ok | broken | moved | skipped (robots.txt)
    source_id: int | None = None
    quote_found: bool | None = None
    quote_score: float | None = None
    quote_excerpt: str | None = None
    quote_note: str = ""
    page_published: str | None = None
    date_mismatch: bool = False
    published: str | None = None
    archive: dict[str, str] | None = field(default=None)  # {"url", "timestamp"} to propose
    archive_note: str = ""

    @property
    def detail(self) -> str:
        """One line for curators: what the check saw."""
        if self.error:
            line = f"{self.method}: {self.error}"
        else:
            hops = "".join(f"{status} → {url}; " for status, url in self.history)
            line = f"{self.method} {hops}{self.status}"
        if self.quote_found is False:
            line += f"; quote not found (best match {self.quote_score:g}/100)"
        elif self.quote_found is None and self.quote_note:
            line += f"; quote unknown: {self.quote_note}"
        if self.date_mismatch:
            line += f"; the page is dated {self.page_published}, the source {self.published}"
        return line


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


# -- fetching (through the polite session) ------------------------------------------------------


def _is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in HTML_TYPES


def fetch_page(session: Any, url: str) -> Page:
    """GET one source URL, uncached; the body is read only for an HTML page that answered."""
    try:
        response = session.get(url, allow_redirects=True, stream=True, cache=False)
    except RobotsDisallowed as exc:
        return Page(url=url, error=str(exc), robots=True)
    except FetchError as exc:
        return Page(url=url, error=str(exc))
    with response:
        status = response.status_code
        history = tuple((r.status_code, urljoin(r.url, r.headers.get("Location", "")))
                        for r in response.history)
        content_type = response.headers.get("Content-Type")
        body, error = None, None
        if status < 400 and _is_html(content_type):
            try:
                body = session.read(response, url, max_bytes=PAGE_MAX_BYTES)
            except FetchError as exc:
                error = str(exc)
        return Page(url=url, status=status, history=history, final_url=response.url,
                    content_type=content_type, body=body, error=error)


def _wanting_archive(target: Target) -> list[dict[str, Any]]:
    return [s for s in target.hints.get("sources", ())
            if not s.get("archive_url") and not s.get("archive_proposed")]


def fetch(session: Any, target: Target, ctx: RunContext | None = None) -> Fetched:
    """The page, and the Wayback availability answer when a citing source has no archived copy
    (setting BTF_WAYBACK_LOOKUP, on by default)."""
    ctx = ctx or RunContext()
    page = fetch_page(session, target.location)
    answer, wayback_error = None, None
    wanting = _wanting_archive(target) if target.hints.get("sources") else []
    if wanting and ctx.setting("BTF_WAYBACK_LOOKUP", True):
        published = min((s["published"] for s in wanting if s.get("published")), default=None)
        try:
            answer = session.fetch(wayback.availability_url(target.location, published))
        except ScrapeError as exc:
            wayback_error = str(exc)
    return Fetched(page=page, checked_at=ctx.now(), wayback=answer, wayback_error=wayback_error)


def check(session: Any, url: str, *, now: Callable[[], str] = _now,
          registrable: Callable[[str], str | None] | None = None,
          quote: str = "", published: str | None = None) -> LinkCheck:
    """Check one URL (no Wayback look-up): the whole check of a single source, for callers
    outside the runner. RobotsDisallowed propagates (the caller skips that source)."""
    page = fetch_page(session, url)
    if page.robots:
        raise RobotsDisallowed(page.error or "robots.txt", url=url)
    target = Target(url, {"sources": [{"id": None, "quote": quote, "published": published}]})
    [result] = analyse(Fetched(page=page, checked_at=now()), target, registrable=registrable)
    return result


# -- reading (pure) -------------------------------------------------------------------------


def _page_unknown(page: Page) -> str:
    """Why this answer cannot tell whether a quote is there ("" when it has a page to read)."""
    if page.robots:
        return "robots.txt keeps us from the page"
    if page.status is None:
        return "the page could not be fetched"
    if page.status in PAYWALL_STATUSES:
        return f"paywall or login (status {page.status})"
    if page.status >= 400:
        return f"the page answered {page.status}"
    kind = (page.content_type or "").split(";")[0].strip().lower()
    if kind == "application/pdf":
        return "a PDF (its text is not read)"
    if not _is_html(page.content_type):
        return f"not an HTML page ({kind or 'no content type'})"
    if page.body is None:
        return f"the page could not be read ({page.error})" if page.error else "no page body"
    return ""


def analyse(fetched: Fetched, target: Target, ctx: RunContext | None = None, *,
            registrable: Callable[[str], str | None] | None = None) -> list[LinkCheck]:
    """One LinkCheck per source citing the page (one for the URL when none is known). Pure
    (but for the registrable-domain lookup, which reads the bundled public suffix list)."""
    page = fetched.page
    sources = list(target.hints.get("sources") or [{"id": None, "quote": "", "published": None}])
    if page.robots:
        result = "skipped"
    else:
        result = classify(page.status, page.history, page.url, page.final_url,
                          registrable=registrable)
    unknown = _page_unknown(page)
    reading = None
    if not unknown and page.body is not None:
        html = pagecheck.decode_html(page.body, page.content_type)
        reading = pagecheck.read_page(html, page.final_url or page.url)
    snapshot, archive_note = None, ""
    if fetched.wayback_error:
        archive_note = f"Wayback look-up failed: {fetched.wayback_error}"
    checks = []
    for source in sources:
        published = source.get("published")
        if reading is not None:
            match = pagecheck.check_quote(source.get("quote") or "", reading.texts,
                                          unknown=reading.unknown)
            page_published = reading.published
        else:
            match = pagecheck.QuoteMatch(None, None, None,
                                         unknown if (source.get("quote") or "").strip()
                                         else "no quote to look for")
            page_published = None
        archive = None
        if fetched.wayback is not None and not source.get("archive_url"):
            try:
                snapshot = wayback.parse_availability(fetched.wayback, published=published)
            except MalformedInput as exc:
                archive_note = f"Wayback look-up failed: {exc}"
                snapshot = None
            else:
                archive_note = "" if snapshot else "no usable snapshot in the Wayback Machine"
            if snapshot is not None:
                archive = {"url": snapshot.url, "timestamp": snapshot.timestamp}
        checks.append(LinkCheck(
            url=page.url,
            status=page.status,
            history=page.history,
            final_url=page.final_url,
            error=page.error,
            method=page.method,
            checked_at=fetched.checked_at,
            result=result,
            source_id=source.get("id"),
            quote_found=match.found,
            quote_score=match.score,
            quote_excerpt=match.excerpt,
            quote_note=match.note,
            page_published=page_published,
            date_mismatch=pagecheck.dates_disagree(published, page_published),
            published=published,
            archive=archive,
            archive_note=archive_note,
        ))
    return checks


def parse(data: Fetched, target: Target, ctx: RunContext | None = None) -> list[LinkCheck]:
    return analyse(data, target, ctx)


def to_update(result: LinkCheck) -> dict[str, Any]:
    """The Source columns a check sets (archive_url is proposed, never written here)."""
    return {
        "check_status": result.result,
        "last_checked_at": dt.datetime.fromisoformat(result.checked_at.replace("Z", "+00:00"))
        .replace(tzinfo=None),
        "final_url": result.final_url if result.final_url != result.url else None,
        "check_detail": result.detail[:2000],
        "quote_found": result.quote_found,
        "quote_excerpt": result.quote_excerpt,
        "page_published": result.page_published,
        "date_mismatch": result.date_mismatch,
    }


def to_proposals(records: Iterable[LinkCheck], known: Known) -> list[ProposalDraft]:
    """An `archive` proposal per URL with a usable snapshot, for the sources lacking one."""
    by_url: dict[str, list[LinkCheck]] = {}
    for record in records:
        if record.archive:
            by_url.setdefault(record.url, []).append(record)
    drafts = []
    for url, checks in by_url.items():
        first = min(checks, key=lambda c: c.published or "")
        snapshot = wayback.Snapshot(first.archive["url"], first.archive["timestamp"])
        drafts.append(wayback.archive_draft(
            ORIGIN, url, snapshot, published=first.published,
            source_ids=[c.source_id for c in checks if c.source_id is not None]))
    return drafts


# -- the registry's entry -------------------------------------------------------------------


def targets(ctx: RunContext) -> list[Target]:
    """One target per source URL (stalest check first), with the sources citing it."""
    by_url: dict[str, list[dict[str, Any]]] = {}
    for source in ctx.known.sources:
        by_url.setdefault(source.url, []).append({
            "id": source.id, "quote": source.quote, "published": source.published,
            "archive_url": source.archive_url, "archive_proposed": source.archive_proposed,
        })
    if ctx.sources:
        bad = [t.location for t in given_targets(ctx) if not t.is_url]
        if bad:
            raise ScrapeError(f"linkcheck checks URLs; not a URL: {bad[0]}")
        return [Target(url, {"sources": by_url[url]} if url in by_url else {})
                for url in dict.fromkeys(ctx.sources)]
    return [Target(url, {"sources": rows}) for url, rows in by_url.items()]


def write(session: Any, records: Sequence[LinkCheck], ctx: RunContext) -> int:
    """Record each check on its source; returns how many sources changed."""
    from server.operations.sources import record_checks

    return record_checks(session, [(r.source_id, r.url, to_update(r)) for r in records
                                   if r.result != "skipped"])


def quote_tally(records: Sequence[LinkCheck]) -> Counter[str]:
    tally: Counter[str] = Counter()
    for record in records:
        tally[{True: "found", False: "not found", None: "unknown"}[record.quote_found]] += 1
    return tally


def report(summary: Any) -> list[str]:
    records: list[LinkCheck] = summary.records
    urls = {r.url: r for r in records}
    statuses = Counter(r.result for r in urls.values())
    quotes = quote_tally(records)
    checked = ", ".join(f"{statuses[s]} {s}" for s in ("ok", "moved", "broken"))
    parts = [f"checked {len(urls) - statuses['skipped']} URLs ({checked})",
             "quotes: " + ", ".join(f"{quotes[k]} {k}" for k in ("found", "not found",
                                                                  "unknown")),
             f"{sum(r.date_mismatch for r in records)} date mismatches",
             f"{summary.new} archived copies proposed",
             (f"{summary.updated} sources to record" if summary.dry_run
              else f"{summary.updated} sources changed")]
    if statuses["skipped"]:
        parts.append(f"{statuses['skipped']} skipped (robots.txt)")
    return parts


SCRAPER = Scraper(
    name="linkcheck",
    description="check every source: link, quote on the page, date; propose archived copies",
    targets=targets,
    fetch=fetch,
    parse=parse,
    to_proposals=to_proposals,
    write=write,
    report=report,
    reads_files=False,
    cache=False,
)

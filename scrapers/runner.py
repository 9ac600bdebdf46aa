"""Runs a scraper end to end: fetch, parse, draft proposals, then write them in one transaction.

Each item (a report, a day, a feed, a query, a source URL) is fetched and parsed on its own: one
that fails is reported in the summary and contributes nothing, the others go on. The database is
written once, at the end, in a single transaction: either every new proposal (or source check) is
stored or, on failure, none. Proposals whose fingerprint is already stored count as unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from scrapers import dsa_reports, dsa_tdb, linkcheck, news, wikidata
from scrapers.base import (
    Known,
    KnownPlatform,
    KnownSource,
    KnownVendor,
    ProposalDraft,
    RobotsDisallowed,
    ScrapeError,
)
from server.curate.operations import queue_proposals
from server.models import Platform, Proposal, Source, Vendor

NAMES = ("dsa-reports", "dsa-tdb", "news", "wikidata", "linkcheck")
WIKIDATA_BATCH = 40
T = TypeVar("T")
Progress = Callable[[Sequence[Any], str], AbstractContextManager[Iterable[Any]]]


def no_progress(items: Sequence[T], label: str) -> AbstractContextManager[Iterable[T]]:
    return contextlib.nullcontext(items)


@dataclass(frozen=True)
class Target:
    """One thing to read: an http(s) URL or a local file, and what its parser should be told."""

    location: str
    hints: dict[str, Any] = field(default_factory=dict)

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))


@dataclass
class Summary:
    """What a run did; `line()` is the one-line report the command prints."""

    name: str
    dry_run: bool = False
    fetched: int = 0
    parsed: int = 0
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    proposals: list[ProposalDraft] = field(default_factory=list)  # the new ones

    @property
    def ok(self) -> bool:
        return not self.errors

    def line(self) -> str:
        if self.name == "linkcheck":
            checked = ", ".join(f"{self.statuses[s]} {s}" for s in ("ok", "moved", "broken"))
            parts = [f"checked {self.fetched} URLs ({checked})",
                     f"{self.updated} sources {'to update' if self.dry_run else 'updated'}"]
            if self.skipped:
                parts.append(f"{self.skipped} skipped (robots.txt)")
        else:
            parts = [f"fetched {self.fetched}", f"{self.parsed} records",
                     f"{self.new} new proposals", f"{self.unchanged} unchanged"]
        parts.append(f"{len(self.errors)} error{'' if len(self.errors) == 1 else 's'}")
        suffix = " (dry run: nothing written)" if self.dry_run else ""
        return f"{self.name}: " + ", ".join(parts) + suffix


def run(
    name: str,
    *,
    session_factory: Callable[[], Any],
    http: Any = None,
    sources: Sequence[str] = (),
    dry_run: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
    data_dir: str | Path | None = None,
    today: dt.date | None = None,
) -> Summary:
    """Run scraper `name` ("dsa-reports", "dsa-tdb", "news", "wikidata" or "linkcheck").

    session_factory: returns the SQLAlchemy session (e.g. server.db.get_session).
    http: a PoliteSession (default: scrapers.http.make_session(data_dir=data_dir)).
    sources: files or URLs to read instead of the default ones (linkcheck: URLs to check).
    limit: read at most this many items (reports, days, feeds, queries, source URLs).
    Raises ScrapeError when the run cannot start or its results cannot be stored.
    """
    if name not in NAMES:
        raise ScrapeError(f"unknown scraper {name!r}; choose one of {', '.join(NAMES)}")
    progress = progress or no_progress
    today = today or dt.date.today()
    session = session_factory()
    own_http = http is None
    if own_http:
        from scrapers.http import make_session

        http = make_session(data_dir=data_dir, cache=name != "linkcheck")
    try:
        known = known_from_db(session)
        summary = Summary(name=name, dry_run=dry_run)
        if name == "linkcheck":
            _run_linkcheck(session, http, known, summary, sources=sources, limit=limit,
                           progress=progress)
        else:
            if sources:
                targets = [Target(source) for source in sources]
            else:
                targets = default_targets(name, known, today=today, data_dir=data_dir)
            records = _read_all(name, http, targets[:limit] if limit else targets, summary,
                                progress=progress)
            drafts = draft_proposals(name, records, known)
            store_proposals(session, drafts, summary, dry_run=dry_run)
        return summary
    finally:
        if own_http:
            http.close()


# -- reading --------------------------------------------------------------------------------


def default_targets(name: str, known: Known, *, today: dt.date,
                    data_dir: str | Path | None = None) -> list[Target]:
    """What a scraper reads when no --source is given."""
    if name == "dsa-reports":
        return _report_targets(data_dir)
    if name == "dsa-tdb":
        return [Target(dsa_tdb.aggregates_url(day), {"day": day.isoformat()})
                for day in last_complete_week(today)]
    if name == "news":
        return [Target(url) for url in news.default_feeds()]
    if name == "wikidata":
        platforms = list(known.platforms)
        if not platforms:
            raise ScrapeError("no platforms in the database to look up")
        return [Target(wikidata.query_url(platforms[i:i + WIKIDATA_BATCH]))
                for i in range(0, len(platforms), WIKIDATA_BATCH)]
    raise ScrapeError(f"{name} has no default sources")


def last_complete_week(today: dt.date) -> list[dt.date]:
    """Monday to Sunday of the latest ISO week whose aggregates should all be published."""
    latest = today - dt.timedelta(days=dsa_tdb.LAG_DAYS)
    sunday = latest - dt.timedelta(days=(latest.isoweekday() % 7))
    return [sunday - dt.timedelta(days=offset) for offset in range(6, -1, -1)]


def _report_targets(data_dir: str | Path | None) -> list[Target]:
    """The reports listed in BTF_DSA_REPORTS or DATA_DIR/dsa-reports.json."""
    candidates = [os.environ.get("BTF_DSA_REPORTS")]
    if data_dir is not None:
        candidates.append(str(Path(data_dir) / "dsa-reports.json"))
    path = next((Path(c) for c in candidates if c and Path(c).is_file()), None)
    if path is None:
        raise ScrapeError(
            "no list of DSA reports: pass --source FILE_OR_URL, or list them in "
            "BTF_DSA_REPORTS or <data dir>/dsa-reports.json as "
            '[{"url": "...", "service": "Facebook", "period": "2026-01-01/2026-06-30"}]'
        )
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        return [Target(item["url"], {k: item[k] for k in ("service", "period") if item.get(k)})
                for item in items]
    except (ValueError, TypeError, KeyError) as exc:
        raise ScrapeError(f"{path}: not a list of {{url, service, period}} ({exc})") from exc


MODULES = {"dsa-reports": dsa_reports, "dsa-tdb": dsa_tdb, "news": news, "wikidata": wikidata}


def _read(name: str, http: Any, target: Target) -> bytes:
    """The bytes of one item: fetched by the scraper's `fetch`, or read from a saved file."""
    if target.is_url:
        return MODULES[name].fetch(http, target.location)
    path = Path(target.location)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ScrapeError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_target(name: str, data: bytes, target: Target, *, fetched_at: str) -> list[Any]:
    """Parse one item's bytes with the scraper's pure parser."""
    url = target.location if target.is_url else None
    label = Path(target.location).name if not target.is_url else None
    if name == "dsa-reports":
        return dsa_reports.parse(data, source_url=url, fetched_at=fetched_at, name=label,
                                 **target.hints)
    if name == "dsa-tdb":
        return dsa_tdb.parse(data, source_url=url, name=label, **target.hints)
    if name == "news":
        return news.parse(data, source_url=url or target.location)
    if name == "wikidata":
        return wikidata.parse(data, source_url=url)
    raise ScrapeError(f"{name} does not parse files")


def _read_all(name: str, http: Any, targets: Sequence[Target], summary: Summary, *,
              progress: Progress) -> list[Any]:
    records: list[Any] = []
    with progress(targets, f"{name}: reading") as items:
        for target in items:
            try:
                data = _read(name, http, target)
                summary.fetched += 1
                found = parse_target(name, data, target, fetched_at=_now_iso())
            except ScrapeError as exc:
                summary.errors.append(str(exc))
                continue
            summary.parsed += len(found)
            records.extend(found)
    return records


def draft_proposals(name: str, records: Sequence[Any], known: Known) -> list[ProposalDraft]:
    drafts: dict[str, ProposalDraft] = {}
    for draft in MODULES[name].to_proposals(records, known):
        drafts.setdefault(draft.fingerprint, draft)
    return list(drafts.values())


# -- the database ---------------------------------------------------------------------------


def known_from_db(session: Any) -> Known:
    """What the database holds, as the plain data `to_proposals` works on."""
    platforms = session.scalars(
        select(Platform).options(selectinload(Platform.domains)).order_by(Platform.slug))
    vendors = session.scalars(select(Vendor).order_by(Vendor.slug))
    sources = session.execute(
        select(Source.url, Source.check_status, Source.last_checked_at).order_by(Source.id))
    seen: dict[str, KnownSource] = {}
    stale_first = sorted(sources, key=lambda row: (row.last_checked_at is not None,
                                                   row.last_checked_at or dt.datetime.min))
    for row in stale_first:
        seen.setdefault(row.url, KnownSource(url=row.url, check_status=row.check_status))
    return Known(
        platforms=tuple(KnownPlatform(slug=p.slug, name=p.name, owner=p.owner or None,
                                      domains=tuple(d.host for d in p.domains))
                        for p in platforms),
        vendors=tuple(KnownVendor(slug=v.slug, name=v.name) for v in vendors),
        sources=tuple(seen.values()),
    )


def _chunks(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@contextlib.contextmanager
def _one_transaction(session: Any, what: str) -> Iterator[None]:
    """Commit what the block wrote, or on any failure roll all of it back."""
    try:
        yield
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        raise ScrapeError(f"could not store {what}, nothing was written: "
                          f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
    except BaseException:
        session.rollback()
        raise


def store_proposals(session: Any, drafts: Sequence[ProposalDraft], summary: Summary, *,
                    dry_run: bool) -> None:
    """Add the drafts not stored yet, in one transaction; count the others as unchanged."""
    fingerprints = [draft.fingerprint for draft in drafts]
    existing: set[str] = set()
    for chunk in _chunks(fingerprints):
        existing.update(session.scalars(
            select(Proposal.fingerprint).where(Proposal.fingerprint.in_(chunk))))
    new = [draft for draft in drafts if draft.fingerprint not in existing]
    summary.unchanged += len(drafts) - len(new)
    summary.new += len(new)
    summary.proposals.extend(new)
    if dry_run:
        session.rollback()
        return
    with _one_transaction(session, "the proposals"):
        queue_proposals(session, [draft.as_row() for draft in new],
                        comment=f"proposed by the {new[0].origin} scraper" if new else "")


def _run_linkcheck(session: Any, http: Any, known: Known, summary: Summary, *,
                   sources: Sequence[str], limit: int | None, progress: Progress) -> None:
    urls = list(sources) or [source.url for source in known.sources]
    bad = [url for url in urls if not url.startswith(("http://", "https://"))]
    if bad:
        raise ScrapeError(f"linkcheck checks URLs; not a URL: {bad[0]}")
    if limit:
        urls = urls[:limit]
    results = []
    with progress(urls, "linkcheck: checking") as items:
        for url in items:
            try:
                result = linkcheck.check(http, url)
            except RobotsDisallowed:
                summary.skipped += 1
                continue
            except ScrapeError as exc:
                summary.errors.append(str(exc))
                continue
            summary.fetched += 1
            summary.statuses[result.result] += 1
            results.append(result)
    if summary.dry_run:
        session.rollback()
        summary.updated = len(results)
        return
    updated = 0
    with _one_transaction(session, "the link checks"):
        for result in results:
            values = linkcheck.to_update(result)
            outcome = session.execute(
                update(Source).where(Source.url == result.url).values(**values))
            updated += outcome.rowcount or 0
    summary.updated = updated

"""Runs a registered scraper end to end: targets, fetch, parse, proposals, then one write.

Each item (a report, a day, a feed, a query, a source URL) is fetched and parsed on its own: one
that fails is reported in the summary and contributes nothing, the others go on. The database is
written once, at the end, in a single transaction: every new proposal and whatever the scraper
writes itself (the link checker's source checks) or, on failure, none of it. Proposals whose
fingerprint is already stored count as unchanged. Settings come from server.config.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from scrapers import registry
from scrapers.base import (
    Known,
    KnownPlatform,
    KnownSource,
    KnownVendor,
    ProposalDraft,
    RunContext,
    ScrapeError,
    Scraper,
    Target,
    now_iso,
)
from scrapers.dsa_tdb import last_complete_week
from server.models import Platform, Proposal, Source, Vendor
from server.operations import queue_proposals

T = TypeVar("T")
Progress = Callable[[Sequence[Any], str], AbstractContextManager[Iterable[Any]]]

__all__ = ["Summary", "Target", "known_from_db", "last_complete_week", "make_http", "run"]


def no_progress(items: Sequence[T], label: str) -> AbstractContextManager[Iterable[T]]:
    return contextlib.nullcontext(items)


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
    errors: list[str] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)
    proposals: list[ProposalDraft] = field(default_factory=list)  # the new ones
    report: Callable[[Summary], list[str]] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def line(self) -> str:
        parts = list(self.report(self)) if self.report else [
            f"fetched {self.fetched}", f"{self.parsed} records",
            f"{self.new} new proposals", f"{self.unchanged} unchanged"]
        parts.append(f"{len(self.errors)} error{'' if len(self.errors) == 1 else 's'}")
        suffix = " (dry run: nothing written)" if self.dry_run else ""
        return f"{self.name}: " + ", ".join(parts) + suffix


def settings_from_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """server.config's scraper settings, overridden by the app's config when given."""
    from server.config import scrape_settings

    settings = scrape_settings()
    settings.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return settings


def make_http(scraper: Scraper, settings: Mapping[str, Any]) -> Any:
    """The polite session a scraper runs with: its cache and per-host delay from the settings."""
    from scrapers.http import make_session

    delay = settings.get(scraper.delay_setting)
    if delay is None:
        delay = settings.get("BTF_SCRAPE_DELAY", 1.0)
    return make_session(data_dir=settings.get("BTF_DATA_DIR"), cache=scraper.cache,
                        delay=float(delay))


def run(
    name: str,
    *,
    session_factory: Callable[[], Any],
    http: Any = None,
    sources: Sequence[str] = (),
    dry_run: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    now: Callable[[], str] | None = None,
) -> Summary:
    """Run the registered scraper `name` (see scrapers.registry).

    session_factory: returns the SQLAlchemy session (e.g. server.db.get_session).
    http: a PoliteSession (default: one made from the settings).
    sources: files or URLs to read instead of the default ones (linkcheck: URLs to check).
    limit: read at most this many items (reports, days, feeds, queries, source URLs).
    settings: the app's config (default: server.config.scrape_settings()).
    Raises ScrapeError when the run cannot start or its results cannot be stored.
    """
    scraper = registry.get(name)
    settings = settings_from_config(settings)
    progress = progress or no_progress
    session = session_factory()
    own_http = http is None
    if own_http:
        http = make_http(scraper, settings)
    try:
        ctx = RunContext(known=known_from_db(session), settings=settings,
                         today=today or dt.date.today(), sources=tuple(sources),
                         now=now or now_iso)
        summary = Summary(name=name, dry_run=dry_run, report=scraper.report)
        targets = list(scraper.targets(ctx))
        if not scraper.reads_files:
            bad = [t.location for t in targets if not t.is_url]
            if bad:
                raise ScrapeError(f"{name} reads URLs, not saved files: {bad[0]}")
        records = _read_all(scraper, http, targets[:limit] if limit else targets, summary, ctx,
                            progress=progress)
        drafts = draft_proposals(scraper, records, ctx.known)
        store(session, scraper, drafts, records, summary, ctx, dry_run=dry_run)
        return summary
    finally:
        if own_http:
            http.close()


# -- reading --------------------------------------------------------------------------------


def _read(scraper: Scraper, http: Any, target: Target, ctx: RunContext) -> Any:
    """One item's data: fetched by the scraper's `fetch`, or read from a saved file."""
    if target.is_url:
        return scraper.fetch(http, target, ctx)
    path = Path(target.location)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ScrapeError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _read_all(scraper: Scraper, http: Any, targets: Sequence[Target], summary: Summary,
              ctx: RunContext, *, progress: Progress) -> list[Any]:
    records: list[Any] = []
    with progress(targets, f"{scraper.name}: reading") as items:
        for target in items:
            try:
                data = _read(scraper, http, target, ctx)
                summary.fetched += 1
                found = scraper.parse(data, target, ctx)
            except ScrapeError as exc:
                summary.errors.append(str(exc))
                continue
            summary.parsed += len(found)
            records.extend(found)
    summary.records = records
    return records


def draft_proposals(scraper: Scraper, records: Sequence[Any], known: Known) -> list[ProposalDraft]:
    drafts: dict[str, ProposalDraft] = {}
    for draft in scraper.to_proposals(records, known):
        drafts.setdefault(draft.fingerprint, draft)
    return list(drafts.values())


# -- the database ---------------------------------------------------------------------------


def known_from_db(session: Any) -> Known:
    """What the database holds, as the plain data the scrapers work on."""
    platforms = session.scalars(
        select(Platform).options(selectinload(Platform.domains)).order_by(Platform.slug))
    vendors = session.scalars(select(Vendor).order_by(Vendor.slug))
    sources = session.execute(
        select(Source.id, Source.url, Source.check_status, Source.last_checked_at,
               Source.quote, Source.published, Source.archive_url).order_by(Source.id)).all()
    proposed = set(session.scalars(
        select(Proposal.source_url).where(Proposal.kind == "archive",
                                          Proposal.status == "new")))
    stale_first = sorted(sources, key=lambda row: (row.last_checked_at is not None,
                                                   row.last_checked_at or dt.datetime.min))
    return Known(
        platforms=tuple(KnownPlatform(slug=p.slug, name=p.name, owner=p.owner or None,
                                      domains=tuple(d.host for d in p.domains))
                        for p in platforms),
        vendors=tuple(KnownVendor(slug=v.slug, name=v.name, website=v.website,
                                  wikidata=v.wikidata, opencorporates=v.opencorporates)
                      for v in vendors),
        sources=tuple(KnownSource(url=row.url, check_status=row.check_status, id=row.id,
                                  quote=row.quote or "", published=row.published,
                                  archive_url=row.archive_url,
                                  archive_proposed=row.url in proposed)
                      for row in stale_first),
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


def store(session: Any, scraper: Scraper, drafts: Sequence[ProposalDraft],
          records: Sequence[Any], summary: Summary, ctx: RunContext, *, dry_run: bool) -> None:
    """Queue the drafts not stored yet and the scraper's own writes, in one transaction."""
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
        if scraper.write is not None:
            summary.updated = sum(1 for r in records if getattr(r, "result", None) != "skipped")
        return
    what = "the proposals" if scraper.write is None else f"the {scraper.name} results"
    with _one_transaction(session, what):
        if new:
            queue_proposals(session, [draft.as_row() for draft in new],
                            comment=f"proposed by the {new[0].origin} scraper")
        if scraper.write is not None:
            summary.updated = scraper.write(session, records, ctx)

"""DSA Transparency Database: daily aggregates of the statements of reasons platforms submit.

Per platform and day: how many moderation decisions were fully automated, partly automated or not
automated, i.e. the share a person took part in; and how many concerned inauthentic accounts.
Aggregates are small CSV or JSON files at a fixed address per day and lag about two days behind;
the full dumps (5-10 GB) are never downloaded. Licence CC BY 4.0: cite the database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scrapers.base import (
    Known,
    MalformedInput,
    ProposalDraft,
    RunContext,
    Scraper,
    Target,
    given_targets,
    name_key,
)
from scrapers.tables import column_key, decode_text, read_csv, sniff_format

ORIGIN = "dsa-tdb"
AGGREGATES_URL = "https://transparency.dsa.ec.europa.eu/explore-data/download/aggregates-{day}.{fmt}"
DATABASE_URL = "https://transparency.dsa.ec.europa.eu/"
LAG_DAYS = 2
DEFAULT_DAYS = 7

FULLY = "AUTOMATED_DECISION_FULLY"
PARTIALLY = "AUTOMATED_DECISION_PARTIALLY"
NOT_AUTOMATED = "AUTOMATED_DECISION_NOT_AUTOMATED"
INAUTHENTIC_ACCOUNTS = "KEYWORD_INAUTHENTIC_ACCOUNTS"
REQUIRED = ("platform_name", "automated_decision", "total")


@dataclass(frozen=True)
class DailyDecisions:
    """One platform's decisions on one day, by how automated they were."""

    day: str
    platform_name: str
    total: int
    fully_automated: int
    partially_automated: int
    not_automated: int
    inauthentic_accounts: int | None  # None when the file has no keyword column
    source_url: str | None

    @property
    def not_fully_automated(self) -> int:
        return self.partially_automated + self.not_automated


def aggregates_url(day: dt.date, fmt: str = "csv") -> str:
    return AGGREGATES_URL.format(day=day.isoformat(), fmt=fmt)


def default_days(today: dt.date, count: int = DEFAULT_DAYS) -> list[dt.date]:
    """The latest `count` days whose aggregates should be published, newest first."""
    latest = today - dt.timedelta(days=LAG_DAYS)
    return [latest - dt.timedelta(days=offset) for offset in range(count)]


def fetch(session: Any, day_or_url: dt.date | str) -> bytes:
    url = aggregates_url(day_or_url) if isinstance(day_or_url, dt.date) else day_or_url
    return session.fetch(url)


def parse(data: bytes, *, source_url: str | None = None, day: str | None = None,
          name: str | None = None) -> list[DailyDecisions]:
    """Totals per platform and day from an aggregates file (CSV or JSON). Pure."""
    name = name or (source_url.rsplit("/", 1)[-1] if source_url else "aggregates")
    try:
        kind = sniff_format(data)
    except MalformedInput as exc:
        raise MalformedInput(str(exc), source=name) from None
    if kind == "json":
        rows = _json_rows(data, name)
    elif kind == "csv":
        table = read_csv(data, name)
        if not table:
            raise MalformedInput("the file is empty", source=name)
        header = [column_key(cell).replace(" ", "_") for cell in table[0]]
        rows = []
        for number, cells in enumerate(table[1:], start=2):
            if not any(cells):
                continue
            if len(cells) != len(header):
                raise MalformedInput(
                    f"line {number} has {len(cells)} fields, the header {len(header)} "
                    "(is the file truncated?)", source=name)
            rows.append((number, dict(zip(header, cells, strict=True))))
    else:
        raise MalformedInput(f"expected CSV or JSON aggregates, got {kind.upper()}", source=name)
    return _totals(rows, name=name, source_url=source_url, day=day)


def _json_rows(data: bytes, name: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        document = json.load(io.StringIO(decode_text(data)))
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"broken JSON ({exc})", source=name) from exc
    if isinstance(document, Mapping):
        lists = [value for value in document.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise MalformedInput("expected a list of aggregates in the JSON document", source=name)
        document = lists[0]
    if not isinstance(document, list) or not all(isinstance(r, Mapping) for r in document):
        raise MalformedInput("expected a list of aggregate objects", source=name)
    return [(index, {column_key(str(k)).replace(" ", "_"): v for k, v in row.items()})
            for index, row in enumerate(document, start=1)]


def _totals(rows: list[tuple[int, Mapping[str, Any]]], *, name: str, source_url: str | None,
            day: str | None) -> list[DailyDecisions]:
    if not rows:
        raise MalformedInput("no aggregates in the file", source=name)
    missing = [column for column in REQUIRED if column not in rows[0][1]]
    if missing:
        raise MalformedInput(f"missing column(s) {', '.join(missing)}", source=name)
    keyword_columns = [c for c in rows[0][1] if "keyword" in c or "specification" in c]
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for number, row in rows:
        platform = " ".join(str(row["platform_name"] or "").split())
        if not platform:
            raise MalformedInput(f"row {number}: no platform_name", source=name)
        row_day = _day(row.get("received_date"), default=day)
        if row_day is None:
            raise MalformedInput(f"row {number}: no received_date and no day given", source=name)
        try:
            total = int(str(row["total"]).replace(",", "").strip())
        except ValueError:
            raise MalformedInput(f"row {number}: total {row['total']!r} is not a whole number",
                                 source=name) from None
        bucket = counts.setdefault((row_day, platform), {
            "total": 0, FULLY: 0, PARTIALLY: 0, NOT_AUTOMATED: 0, INAUTHENTIC_ACCOUNTS: 0})
        bucket["total"] += total
        decision = str(row["automated_decision"]).strip().upper()
        if decision not in (FULLY, PARTIALLY, NOT_AUTOMATED):
            raise MalformedInput(f"row {number}: unknown automated_decision {decision!r}",
                                 source=name)
        bucket[decision] += total
        if any(INAUTHENTIC_ACCOUNTS in str(row.get(column) or "") for column in keyword_columns):
            bucket[INAUTHENTIC_ACCOUNTS] += total
    return [
        DailyDecisions(
            day=row_day,
            platform_name=platform,
            total=bucket["total"],
            fully_automated=bucket[FULLY],
            partially_automated=bucket[PARTIALLY],
            not_automated=bucket[NOT_AUTOMATED],
            inauthentic_accounts=bucket[INAUTHENTIC_ACCOUNTS] if keyword_columns else None,
            source_url=source_url,
        )
        for (row_day, platform), bucket in sorted(counts.items())
    ]


def _day(value: Any, *, default: str | None) -> str | None:
    text = str(value or "").strip()
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return default


# -- proposals ------------------------------------------------------------------------------


def to_proposals(records: Iterable[DailyDecisions], known: Known) -> list[ProposalDraft]:
    """Per platform, over the days fetched: the share of decisions a person took part in
    (a moderation claim) and, when reported, the decisions on inauthentic accounts (engagement)."""
    by_platform: dict[str, list[DailyDecisions]] = {}
    for record in records:
        by_platform.setdefault(record.platform_name, []).append(record)
    drafts = []
    for platform_name, days in sorted(by_platform.items()):
        platform = known.platform_named(platform_name)
        if platform is None:
            continue
        start = min(d.day for d in days)
        end = max(d.day for d in days)
        total = sum(d.total for d in days)
        if total == 0:
            continue
        human = sum(d.not_fully_automated for d in days)
        share = human / total
        period = period_text(start, end)
        record = {
            "platform_name": platform_name,
            "start": start,
            "end": end,
            "days": sorted({d.day for d in days}),
            "total": total,
            "fully_automated": sum(d.fully_automated for d in days),
            "partially_automated": sum(d.partially_automated for d in days),
            "not_automated": sum(d.not_automated for d in days),
            "share_not_fully_automated": round(share, 4),
            "source_urls": sorted({d.source_url for d in days if d.source_url}),
        }
        # Not every file carries keywords: count, and date, only the days that do.
        keyword_days = [d for d in days if d.inauthentic_accounts is not None]
        if keyword_days:
            record["inauthentic_accounts"] = sum(d.inauthentic_accounts or 0 for d in keyword_days)
            record["inauthentic_accounts_days"] = sorted(d.day for d in keyword_days)
        source = _source(start, end)
        drafts.append(_draft(
            platform.slug, "not_fully_automated_share", start, end, record,
            kind="moderation",
            summary=(f"Of the {total:,} content moderation decisions {platform_name} sent to the "
                     f"EU's DSA Transparency Database for {period}, {share:.1%} were not fully "
                     "automated: a person took part in them."),
            source=source, name=platform_name,
        ))
        if record.get("inauthentic_accounts"):
            count = record["inauthentic_accounts"]
            first, last = min(d.day for d in keyword_days), max(d.day for d in keyword_days)
            drafts.append(_draft(
                platform.slug, "inauthentic_accounts", first, last, record,
                kind="engagement",
                summary=(f"{platform_name} reported {count:,} moderation decisions on inauthentic "
                         f"accounts to the EU's DSA Transparency Database for "
                         f"{period_text(first, last)}."),
                source=_source(first, last), name=platform_name,
            ))
    return drafts


def _draft(slug: str, measure: str, start: str, end: str, record: dict[str, Any], *, kind: str,
           summary: str, source: dict[str, Any], name: str) -> ProposalDraft:
    claim = {
        "kind": kind,
        "summary": summary,
        "platforms": [slug],
        "vendors": [],
        "locations": [],
        "workers": None,
        "workers_basis": None,
        "pay": None,
        "observed": {"start": start, "end": end},
        "evidence": "company_statement",
        "sources": [source],
    }
    return ProposalDraft(
        origin=ORIGIN,
        kind="new_claim",
        platform_slug=slug,
        source_url=source["url"],
        payload={
            # ISO weeks, not days: a rerun that misses a day still finds its earlier proposal.
            "identity": {"platform_name": name_key(name), "measure": measure,
                         "weeks": iso_weeks(start, end)},
            "record": record,
            "change": {"claim": claim},
        },
    )


def _source(start: str, end: str) -> dict[str, Any]:
    return {
        "url": DATABASE_URL,
        "title": f"DSA Transparency Database, daily aggregates {period_text(start, end)}",
        "publisher": "European Commission",
        "published": end,
        "quote": "",
        "language": "en",
        "is_copy": False,
    }


def iso_weeks(start: str, end: str) -> list[str]:
    """The ISO weeks ("2026-W47") from day `start` to day `end`."""
    day, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    weeks = set()
    while day <= last:
        year, week, _ = day.isocalendar()
        weeks.add(f"{year}-W{week:02d}")
        day += dt.timedelta(days=1)
    return sorted(weeks)


def period_text(start: str, end: str) -> str:
    return start if start == end else f"{start} to {end}"


# -- the registry's entry -------------------------------------------------------------------


def last_complete_week(today: dt.date) -> list[dt.date]:
    """Monday to Sunday of the latest ISO week whose aggregates should all be published."""
    latest = today - dt.timedelta(days=LAG_DAYS)
    sunday = latest - dt.timedelta(days=(latest.isoweekday() % 7))
    return [sunday - dt.timedelta(days=offset) for offset in range(6, -1, -1)]


def targets(ctx: RunContext) -> list[Target]:
    """The --source files or URLs, else the seven days of the last complete ISO week."""
    if ctx.sources:
        return given_targets(ctx)
    return [Target(aggregates_url(day), {"day": day.isoformat()})
            for day in last_complete_week(ctx.today)]


def _parse_target(data: bytes, target: Target, ctx: RunContext) -> list[DailyDecisions]:
    return parse(data, source_url=target.location if target.is_url else None,
                 name=None if target.is_url else target.label, **target.hints)


SCRAPER = Scraper(
    name="dsa-tdb",
    description="share of moderation decisions not fully automated (DSA database)",
    targets=targets,
    parse=_parse_target,
    to_proposals=to_proposals,
)

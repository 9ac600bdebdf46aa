"""DSA harmonised transparency reports: the "Human resources dedicated to content moderation" table.

Very large platforms report, every six months, how many internal moderators and how many external
moderators contracted by the provider work on content moderation, in total and per EU language
(DSA Art. 42(2)(a),(b); templates of Implementing Regulation (EU) 2024/2835). Each platform hosts
its own files (CSV parts, XLSX, or a ZIP of either).

The template's columns: Applicability, Service, Reporting period, Section, Indicator, Scope, Value,
Contextual information. Quirks handled: title rows above the header, merged cells exported as
blanks (filled down), labels with trailing spaces, numbers with thousands separators, a Scope column
mixing language and country codes (GR for el, DK for da...), comma or semicolon separators.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapers.base import (
    Known,
    MalformedInput,
    ProposalDraft,
    RunContext,
    ScrapeError,
    Scraper,
    Target,
    fold,
    given_targets,
    name_key,
)
from scrapers.tables import Table, column_key, read_tables

ORIGIN = "dsa-reports"
SECTION_TITLE = "Human resources dedicated to content moderation"

# The template's column order, used when a translated header cannot be read by name.
COLUMNS = ("applicability", "service", "reporting period", "section", "indicator", "scope",
           "value", "contextual information")
FILLED_DOWN = ("applicability", "service", "reporting period", "section", "indicator")

# How the section title starts in the languages reports are filed in (accents removed, lower case).
SECTION_MARKERS = ("human resources", "ressources humaines", "personalressourcen",
                   "personelle ressourcen", "recursos humanos", "risorse umane",
                   "personele middelen", "zasoby ludzkie")
MEASURE_MARKERS = (
    # checked in this order: "linguistic expertise" rows also count internal/external staff.
    ("linguistic_expertise", ("linguistic", "linguisti", "sprach", "linguist", "jezykow")),
    ("external", ("external", "externe", "extern", "esterni", "esterno", "externos", "zewnetrz",
                  "contracted")),
    ("internal", ("internal", "interne", "intern", "interni", "interno", "internos",
                  "wewnetrz")),
)

EU_LANGUAGES = ("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu",
                "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv")
# Country codes some reports use in the Scope column instead of the language code.
COUNTRY_AS_LANGUAGE = {"gr": "el", "dk": "da", "se": "sv", "cz": "cs", "ee": "et", "si": "sl"}
LANGUAGE_NAMES = {
    "bulgarian": "bg", "czech": "cs", "danish": "da", "german": "de", "greek": "el",
    "english": "en", "spanish": "es", "estonian": "et", "finnish": "fi", "french": "fr",
    "irish": "ga", "croatian": "hr", "hungarian": "hu", "italian": "it", "lithuanian": "lt",
    "latvian": "lv", "maltese": "mt", "dutch": "nl", "polish": "pl", "portuguese": "pt",
    "romanian": "ro", "slovak": "sk", "slovenian": "sl", "slovene": "sl", "swedish": "sv",
}
TOTAL_SCOPES = ("total number", "total", "all", "all languages", "nombre total", "gesamtzahl")
EMPTY_VALUES = ("", "-", "–", "—", "n/a", "na", "n.a.", "none", "not applicable")


@dataclass(frozen=True)
class Report:
    """A report to fetch: its URL and, when the file does not say, its service and period."""

    url: str
    service: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class ModeratorCount:
    """One row of the table: a head count for one service, period, indicator and scope."""

    service: str
    period_start: str
    period_end: str
    indicator: str
    measure: str | None  # internal | external | linguistic_expertise | None (not recognised)
    scope: str  # "total", an ISO 639-1 language code, or the label as written
    scope_label: str
    value: int | float | None
    value_text: str  # as written in the file
    context: str
    table: str
    row: int
    source_url: str | None
    sha256: str
    fetched_at: str | None
    published: str | None = None  # the report's publication date, when the reports list says


def fetch(session: Any, report: Report | str) -> bytes:
    """Download one report file through the polite session."""
    url = report.url if isinstance(report, Report) else report
    return session.fetch(url)


def parse(data: bytes, *, source_url: str | None = None, service: str | None = None,
          period: str | None = None, fetched_at: str | None = None,
          name: str | None = None, published: str | None = None) -> list[ModeratorCount]:
    """The human resources rows of a report (CSV, XLSX or ZIP), normalised. Pure."""
    name = name or (source_url.rsplit("/", 1)[-1] if source_url else "report")
    tables = read_tables(data, name)
    digest = hashlib.sha256(data).hexdigest()
    records: list[ModeratorCount] = []
    for table in tables:
        records.extend(_parse_table(table, source_url=source_url, service=service, period=period,
                                    fetched_at=fetched_at, digest=digest))
    if published:
        records = [dataclasses.replace(r, published=published) for r in records]
    if not records:
        raise MalformedInput(
            f"no rows of the '{SECTION_TITLE}' table found (looked for it in the Section column "
            f"of {len(tables)} table(s))",
            source=name,
        )
    return records


def _parse_table(table: Table, *, source_url: str | None, service: str | None,
                 period: str | None, fetched_at: str | None,
                 digest: str) -> list[ModeratorCount]:
    found = _find_header(table.rows)
    if found is None:
        return []
    header_index, columns = found
    records = []
    previous: dict[str, str] = {}
    for number, row in enumerate(table.rows[header_index + 1:], start=header_index + 2):
        if not any(row):
            continue
        cells = {key: (row[index] if index < len(row) else "") for key, index in columns.items()}
        for key in FILLED_DOWN:
            if key in columns and not cells[key]:
                cells[key] = previous.get(key, "")
        previous = cells
        if not _is_section(cells.get("section", "")):
            continue
        if columns["value"] >= len(row):
            raise MalformedInput(
                f"row {number} stops before the Value column (is the file truncated?)",
                source=table.name,
            )
        records.append(_record(cells, table=table.name, row=number, source_url=source_url,
                               service=service, period=period, fetched_at=fetched_at,
                               digest=digest))
    return records


def _find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    """The header row and the index of each template column, by name or else by position."""
    for index, row in enumerate(rows[:50]):
        keys = [column_key(cell) for cell in row]
        if "section" in keys and "indicator" in keys and "value" in keys:
            columns = {key: keys.index(key) for key in COLUMNS if key in keys}
            if "reporting period" not in columns and "period" in keys:
                columns["reporting period"] = keys.index("period")
            return index, columns
    # A translated header: find the first data row of the section and read columns by position.
    for index, row in enumerate(rows[:200]):
        if len(row) >= 7 and _is_section(row[3]) and _period_dates(row[2]) is not None:
            return index - 1, {key: position for position, key in enumerate(COLUMNS)}
    return None


def _is_section(label: str) -> bool:
    folded = fold(label)
    return any(marker in folded for marker in SECTION_MARKERS)


def _record(cells: dict[str, str], *, table: str, row: int, source_url: str | None,
            service: str | None, period: str | None, fetched_at: str | None,
            digest: str) -> ModeratorCount:
    where = f"row {row}"
    service_name = cells.get("service") or service or ""
    if not service_name:
        raise MalformedInput(f"{where}: no service name (and none given for this report)",
                             source=table)
    period_text = cells.get("reporting period") or period or ""
    dates = _period_dates(period_text)
    if dates is None:
        raise MalformedInput(f"{where}: reporting period {period_text!r} is not a date range",
                             source=table)
    indicator = " ".join(cells.get("indicator", "").split())
    scope_label = " ".join(cells.get("scope", "").split())
    try:
        value = parse_number(cells.get("value", ""))
    except ValueError:
        raise MalformedInput(f"{where}: value {cells.get('value')!r} is not a number",
                             source=table) from None
    return ModeratorCount(
        service=" ".join(service_name.split()),
        period_start=dates[0].isoformat(),
        period_end=dates[1].isoformat(),
        indicator=indicator,
        measure=_measure(indicator),
        scope=normalise_scope(scope_label),
        scope_label=scope_label,
        value=value,
        value_text=cells.get("value", ""),
        context=" ".join(cells.get("contextual information", "").split()),
        table=table,
        row=row,
        source_url=source_url,
        sha256=digest,
        fetched_at=fetched_at,
    )


_ISO_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_EU_DATE = r"(\d{1,2})[./](\d{1,2})[./](\d{4})"


def _period_dates(text: str) -> tuple[dt.date, dt.date] | None:
    """(start, end) of "2026-01-01/2026-06-30", "01/01/2026 - 30/06/2026" and the like."""
    dates = []
    for match in re.finditer(f"{_ISO_DATE}|{_EU_DATE}", text):
        year, month, day = match.group(1, 2, 3)
        if year is None:
            day, month, year = match.group(4, 5, 6)
        try:
            dates.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            return None
    if len(dates) != 2 or dates[0] > dates[1]:
        return None
    return dates[0], dates[1]


def parse_number(text: str) -> int | float | None:
    """A reported figure: "1,430", "1.430", "1 430" are 1430; "12.5" is 12.5; "N/A" is None."""
    cleaned = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if cleaned.lower() in EMPTY_VALUES:
        return None
    if re.fullmatch(r"\d+", cleaned):
        return int(cleaned)
    separators = set(re.sub(r"\d", "", cleaned))
    if re.fullmatch(r"\d{1,3}([,. ']\d{3})+", cleaned) and len(separators) == 1:
        return int(re.sub(r"\D", "", cleaned))
    if re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+", cleaned):
        return float(cleaned.replace(",", ""))
    if re.fullmatch(r"\d+[.,]\d+", cleaned):
        return float(cleaned.replace(",", "."))
    raise ValueError(text)


def normalise_scope(label: str) -> str:
    """"total", an ISO 639-1 code (GR read as el), or the label."""
    key = label.strip().lower()
    if key in TOTAL_SCOPES:
        return "total"
    if key in COUNTRY_AS_LANGUAGE:
        return COUNTRY_AS_LANGUAGE[key]
    if key in EU_LANGUAGES:
        return key
    if key in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[key]
    return label.strip()


def _measure(indicator: str) -> str | None:
    folded = fold(indicator)
    for measure, markers in MEASURE_MARKERS:
        if any(marker in folded for marker in markers):
            return measure
    return None


# -- proposals ------------------------------------------------------------------------------


def _count(value: int | float | None) -> int | None:
    """A head count: a whole number (a fractional figure, e.g. full-time equivalents, is not)."""
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _cells(row: ModeratorCount) -> str:
    """A row's cells as filed, so the quote stays verbatim."""
    return " | ".join(cell for cell in (row.indicator, row.scope_label, row.value_text) if cell)


def moderator_rows(rows: Sequence[ModeratorCount], *, source: dict[str, Any]
                   ) -> tuple[list[dict[str, Any]], list[str]]:
    """The `moderators` rows (SPEC: dataset format v2) of one report's table for one service
    and period: "total" first, then languages by code; and the scopes that are no language.

    count is internal + external when the report gives either for that scope (note says which
    one is missing when only one is given); else the moderators with linguistic expertise.
    """
    by_scope: dict[str, dict[str, ModeratorCount]] = {}
    unrecognised: list[str] = []
    for row in rows:
        if row.measure is None:
            continue
        if row.scope != "total" and not re.fullmatch(r"[a-z]{2}", row.scope):
            if row.scope_label not in unrecognised:
                unrecognised.append(row.scope_label)
            continue
        by_scope.setdefault(row.scope, {}).setdefault(row.measure, row)
    first = rows[0]
    start, end = first.period_start, first.period_end
    result = []
    for scope in sorted(by_scope, key=lambda s: (s != "total", s)):
        measures = by_scope[scope]
        internal = _count(measures["internal"].value) if "internal" in measures else None
        external = _count(measures["external"].value) if "external" in measures else None
        used = [measures[m] for m in ("internal", "external") if m in measures
                and _count(measures[m].value) is not None]
        note = None
        if internal is not None or external is not None:
            count = (internal or 0) + (external or 0)
            if internal is None:
                note = "external moderators only: no internal figure given"
            elif external is None:
                note = "internal moderators only: no external figure given"
        elif "linguistic_expertise" in measures and _count(
                measures["linguistic_expertise"].value) is not None:
            count = _count(measures["linguistic_expertise"].value)
            used = [measures["linguistic_expertise"]]
            note = "moderators with linguistic expertise in this language"
        else:
            continue
        result.append({
            "language": scope,
            "count": count,
            "period": _observed(start, end),
            "period_label": short_period_label(start, end),
            "internal": internal,
            "external": external,
            "note": note,
            "source": {**source, "quote": "; ".join(_cells(r) for r in used)},
        })
    return result, unrecognised


def to_proposals(records: Iterable[ModeratorCount], known: Known) -> list[ProposalDraft]:
    """One `moderators` proposal per platform, report and period: the rows of the human
    resources table, in the shape of a platform's `moderators` list, for curators to review."""
    groups: dict[tuple[str, str, str, str | None], list[ModeratorCount]] = {}
    for record in records:
        key = (record.service, record.period_start, record.period_end, record.source_url)
        groups.setdefault(key, []).append(record)
    drafts = []
    for (service, start, end, source_url), rows in sorted(
            groups.items(), key=lambda item: tuple(v or "" for v in item[0])):
        platform = known.platform_named(service)
        if platform is None:
            continue
        source = {
            "url": source_url,
            "title": f"{service}: DSA transparency report, {period_label(start, end)}",
            "publisher": platform.owner or service,
            "published": rows[0].published,
            "quote": "",
            "language": "en",
            "is_copy": False,
        }
        moderators, unrecognised = moderator_rows(rows, source=source)
        if not moderators:
            continue
        to_check = ["title: the report's own title"]
        if not rows[0].published:
            to_check.append("published: the report's publication date")
        drafts.append(ProposalDraft(
            origin=ORIGIN,
            kind="moderators",
            platform_slug=platform.slug,
            source_url=source_url,
            payload={
                "identity": {"service": name_key(service), "start": start, "end": end},
                "record": {
                    "service": service,
                    "period_start": start,
                    "period_end": end,
                    "table": rows[0].table,
                    "rows": sorted({r.row for r in rows}),
                    "unrecognised_scopes": unrecognised,
                    "context": next((r.context for r in rows if r.context), ""),
                    "source_url": source_url,
                    "sha256": rows[0].sha256,
                    "fetched_at": rows[0].fetched_at,
                },
                "change": {"field": "moderators", "add": moderators, "to_check": to_check},
            },
        ))
    return drafts


def short_period_label(start: str, end: str) -> str:
    """"H1 2026" and "H2 2026" for the DSA's half-years, else as `period_label`."""
    if start[:4] == end[:4] and _full_months(start, end):
        if start[5:7] == "01" and end[5:7] == "06":
            return f"H1 {start[:4]}"
        if start[5:7] == "07" and end[5:7] == "12":
            return f"H2 {start[:4]}"
    return period_label(start, end)


def _full_months(start: str, end: str) -> bool:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return first.day == 1 and last.day == calendar.monthrange(last.year, last.month)[1]


def _observed(start: str, end: str) -> dict[str, str]:
    if _full_months(start, end):
        return {"start": start[:7], "end": end[:7]}
    return {"start": start, "end": end}


def period_label(start: str, end: str) -> str:
    """"January–June 2026" for whole months, else "2026-01-05 to 2026-06-30"."""
    if not _full_months(start, end):
        return f"{start} to {end}"
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if first.year == last.year:
        if first.month == last.month:
            return f"{calendar.month_name[first.month]} {first.year}"
        return f"{calendar.month_name[first.month]}–{calendar.month_name[last.month]} {last.year}"
    return (f"{calendar.month_name[first.month]} {first.year}–"
            f"{calendar.month_name[last.month]} {last.year}")


# -- the registry's entry -------------------------------------------------------------------


def report_list(ctx: RunContext) -> list[Target]:
    """The --source files or URLs, else the reports listed in BTF_DSA_REPORTS or
    <data dir>/dsa-reports.json."""
    if ctx.sources:
        return given_targets(ctx)
    candidates = [ctx.setting("BTF_DSA_REPORTS")]
    if ctx.setting("BTF_DATA_DIR"):
        candidates.append(str(Path(ctx.setting("BTF_DATA_DIR")) / "dsa-reports.json"))
    path = next((Path(c) for c in candidates if c and Path(c).is_file()), None)
    if path is None:
        raise ScrapeError(
            "no list of DSA reports: pass --source FILE_OR_URL, or list them in "
            "BTF_DSA_REPORTS or <data dir>/dsa-reports.json as "
            '[{"url": "...", "service": "Facebook", "period": "2026-01-01/2026-06-30", '
            '"published": "2026-08-28"}]'
        )
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        return [Target(item["url"], {k: item[k] for k in ("service", "period", "published")
                                     if item.get(k)})
                for item in items]
    except (ValueError, TypeError, KeyError) as exc:
        raise ScrapeError(f"{path}: not a list of {{url, service, period}} ({exc})") from exc


def _parse_target(data: bytes, target: Target, ctx: RunContext) -> list[ModeratorCount]:
    return parse(data, source_url=target.location if target.is_url else None,
                 fetched_at=ctx.now(), name=None if target.is_url else target.label,
                 **target.hints)


SCRAPER = Scraper(
    name="dsa-reports",
    description="moderators per service and language in DSA transparency reports",
    targets=report_list,
    parse=_parse_target,
    to_proposals=to_proposals,
)

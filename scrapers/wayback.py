"""Archived copies of sources in the Internet Archive's Wayback Machine.

- The availability API (`https://archive.org/wayback/available?url=U&timestamp=YYYYMMDD`) answers
  the snapshot closest to a date: `{"archived_snapshots": {"closest": {"available": true,
  "url": ..., "timestamp": "YYYYMMDDhhmmss", "status": "200"}}}`, or `{"archived_snapshots": {}}`
  when there is none. The link checker asks it, with the source's `published` date, for each
  source that has no `archive_url`, and proposes the snapshot (a proposal of kind `archive`). A
  snapshot taken before `published` (at its precision) is not the article: it is not proposed;
  neither is one whose archived answer was not 200.
- Save Page Now (`https://web.archive.org/save/URL`) asks the archive to capture a page now. The
  `wayback-capture` scraper does that, only when a curator runs it by name, for sources with no
  archived copy and no archive proposal waiting, at most CAPTURE_MAX per run unless --limit says
  otherwise, one request every BTF_WAYBACK_DELAY seconds (default 10), obeying robots.txt and the
  archive's 429/Retry-After. The snapshot it answers (Content-Location header, else the memento
  Link header, else the address redirected to) is proposed like any other.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapers.base import (
    FetchError,
    Known,
    MalformedInput,
    ProposalDraft,
    RunContext,
    Scraper,
    Target,
)

AVAILABILITY_URL = "https://archive.org/wayback/available"
SAVE_URL = "https://web.archive.org/save/"
WAYBACK_HOST = "web.archive.org"
CAPTURE_MAX = 20
SNAPSHOT_PATH = re.compile(r"^/web/(\d{14})/(.+)$")


@dataclass(frozen=True)
class Snapshot:
    url: str  # https://web.archive.org/web/<timestamp>/<original>
    timestamp: str  # YYYYMMDDhhmmss


def wayback_timestamp(published: str | None) -> str | None:
    """"2022-02-14" -> "20220214"; "2022-02" -> "20220201"; "2022" -> "20220101"."""
    if not published or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", published):
        return None
    parts = published.split("-") + ["01", "01"]
    return "".join(parts[:3])


def availability_url(url: str, published: str | None = None) -> str:
    params = {"url": url}
    stamp = wayback_timestamp(published)
    if stamp:
        params["timestamp"] = stamp
    return f"{AVAILABILITY_URL}?{urlencode(params)}"


def snapshot_url(url: str) -> str:
    """A Wayback address over https (the API answers http://web.archive.org/...)."""
    parts = urlsplit(url)
    if parts.hostname == WAYBACK_HOST and parts.scheme == "http":
        return "https" + url[len("http"):]
    return url


def parse_availability(data: bytes, *, published: str | None = None) -> Snapshot | None:
    """The snapshot an availability answer names, if it is usable for a source published then.

    Raises MalformedInput when the answer is not the API's JSON (an error page, truncated).
    """
    try:
        document = json.load(io.StringIO(data.decode("utf-8", errors="replace")))
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"broken JSON ({exc})", source="Wayback availability") from exc
    if not isinstance(document, dict) or not isinstance(
            document.get("archived_snapshots"), dict):
        raise MalformedInput("no archived_snapshots object in the answer",
                             source="Wayback availability")
    closest = document["archived_snapshots"].get("closest")
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    if str(closest.get("status", "")) != "200":
        return None
    url, stamp = str(closest.get("url") or ""), str(closest.get("timestamp") or "")
    if not re.fullmatch(r"\d{14}", stamp) or not url.startswith(("http://", "https://")):
        raise MalformedInput("the closest snapshot has no url or timestamp",
                             source="Wayback availability")
    start = wayback_timestamp(published)
    if start and stamp[:8] < start:
        return None  # archived before the article was published: not the article
    return Snapshot(url=snapshot_url(url), timestamp=stamp)


def archive_draft(origin: str, url: str, snapshot: Snapshot, *, source_ids: Sequence[int],
                  published: str | None) -> ProposalDraft:
    """A proposal to set `archive_url` on the sources citing `url`."""
    return ProposalDraft(
        origin=origin,
        kind="archive",
        source_url=url,
        payload={
            "identity": {"url": url},
            "record": {"url": url, "snapshot": snapshot.url, "timestamp": snapshot.timestamp,
                       "published": published},
            "change": {"field": "archive_url", "add": snapshot.url,
                       "source_ids": sorted(set(source_ids))},
        },
    )


# -- Save Page Now ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureAnswer:
    """What Save Page Now answered: its status and the headers naming the snapshot."""

    url: str  # the page we asked to capture
    status: int
    final_url: str
    content_location: str | None = None
    link: str | None = None
    runtime_error: str | None = None


@dataclass(frozen=True)
class Capture:
    url: str
    snapshot: str
    timestamp: str
    source_ids: tuple[int, ...] = ()
    published: str | None = None


def save_url(url: str) -> str:
    return SAVE_URL + url


def capture_targets(ctx: RunContext) -> list[Target]:
    """Sources with no archived copy, no archive proposal waiting and not known broken."""
    limit = int(ctx.setting("BTF_WAYBACK_CAPTURE_MAX", CAPTURE_MAX))
    wanted = set(ctx.sources)
    grouped: dict[str, list[Any]] = {}
    for source in ctx.known.sources:
        if wanted and source.url not in wanted:
            continue
        if source.archive_url or source.archive_proposed or source.check_status == "broken":
            continue
        grouped.setdefault(source.url, []).append(source)
    targets = [Target(url, {"source_ids": [s.id for s in rows if s.id is not None],
                            "published": min((s.published for s in rows if s.published),
                                             default=None)})
               for url, rows in grouped.items()]
    targets += [Target(url) for url in ctx.sources if url not in grouped
                and url not in {s.url for s in ctx.known.sources}]
    return targets if ctx.sources else targets[:limit]


def capture_fetch(session: Any, target: Target, ctx: RunContext) -> CaptureAnswer:
    """Ask Save Page Now to capture the page (GET, no cache); the body is not read."""
    response = session.get(save_url(target.location), allow_redirects=True, stream=True,
                           cache=False)
    with response:
        headers = response.headers
        if response.status_code >= 400 and "Content-Location" not in headers:
            raise FetchError(
                f"Save Page Now answered {response.status_code} for {target.location}"
                + (f" ({headers['X-Archive-Wayback-Runtime-Error']})"
                   if headers.get("X-Archive-Wayback-Runtime-Error") else ""),
                url=target.location, status=response.status_code)
        return CaptureAnswer(
            url=target.location,
            status=response.status_code,
            final_url=response.url,
            content_location=headers.get("Content-Location"),
            link=headers.get("Link"),
            runtime_error=headers.get("X-Archive-Wayback-Runtime-Error"),
        )


def parse_capture(answer: CaptureAnswer, target: Target | None = None,
                  ctx: RunContext | None = None) -> list[Capture]:
    """The snapshot Save Page Now made. Pure; MalformedInput when it names none."""
    name = f"Save Page Now ({answer.url})"
    if answer.runtime_error:
        raise MalformedInput(f"the archive refused: {answer.runtime_error}", source=name)
    candidates = []
    if answer.content_location:
        candidates.append(answer.content_location)
    if answer.link:
        for part in answer.link.split(","):
            match = re.search(r"<([^>]+)>\s*;[^,]*rel=\"?([^\";]+)", part)
            if match and "memento" in match.group(2).split():
                candidates.append(match.group(1))
    candidates.append(answer.final_url)
    for candidate in candidates:
        path = urlsplit(candidate).path if candidate.startswith("http") else candidate
        found = SNAPSHOT_PATH.match(path)
        if found:
            hints = target.hints if target is not None else {}
            return [Capture(url=answer.url,
                            snapshot=f"https://{WAYBACK_HOST}{path}",
                            timestamp=found.group(1),
                            source_ids=tuple(hints.get("source_ids", ())),
                            published=hints.get("published"))]
    raise MalformedInput(f"no snapshot named in the answer (status {answer.status})", source=name)


def capture_proposals(records: Iterable[Capture], known: Known) -> list[ProposalDraft]:
    return [archive_draft("wayback-capture", r.url, Snapshot(r.snapshot, r.timestamp),
                          source_ids=r.source_ids, published=r.published)
            for r in records]


def _capture_report(summary: Any) -> list[str]:
    return [f"asked for {summary.fetched} captures", f"{summary.parsed} snapshots",
            f"{summary.new} new archive proposals", f"{summary.unchanged} unchanged"]


SCRAPER = Scraper(
    name="wayback-capture",
    description="ask the Wayback Machine to archive sources with no archived copy (opt-in)",
    targets=capture_targets,
    fetch=capture_fetch,
    parse=parse_capture,
    to_proposals=capture_proposals,
    report=_capture_report,
    reads_files=False,
    cache=False,
    delay_setting="BTF_WAYBACK_DELAY",
)

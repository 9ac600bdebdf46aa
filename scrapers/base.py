"""What every scraper shares: its errors, the proposal draft, and what the database knows.

A scraper never writes to the database itself. It turns parsed records into `ProposalDraft`s
against a `Known` snapshot (plain data read by the runner), so that step stays pure and testable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

ORIGINS = ("dsa-reports", "dsa-tdb", "news", "wikidata", "linkcheck", "wayback-capture")
# new_claim: a claim to draft; domain/owner: a platform field; lead: an article to read;
# report: a user's report; archive: a source's archived copy (archive_url); moderators: DSA
# per-language moderator rows of a platform; vendor_ids: a vendor's Wikidata/OpenCorporates ids.
PROPOSAL_KINDS = ("new_claim", "domain", "owner", "lead", "report", "archive", "moderators",
                  "vendor_ids")


class ScrapeError(Exception):
    """A scraper could not do its job; the message says why in words a curator can act on."""


class FetchError(ScrapeError):
    """The HTTP layer failed: a network error, a timeout, or an error status after retries."""

    def __init__(self, message: str, *, url: str, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class RobotsDisallowed(ScrapeError):
    """The site's robots.txt does not allow us to fetch this URL."""

    def __init__(self, message: str, *, url: str):
        super().__init__(message)
        self.url = url


class MalformedInput(ScrapeError):
    """Data is not in the format the parser expects (changed, truncated, wrong file)."""

    def __init__(self, message: str, *, source: str | None = None):
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class ProposalDraft:
    """A proposal before it is stored; the fields are those of the Proposal model (docs/formats.md).

    `payload` always holds `identity` (what makes two proposals the same thing, used for the
    fingerprint), `record` (the parsed record) and `change` (what accepting it would change).
    """

    origin: str
    kind: str
    payload: dict[str, Any]
    platform_slug: str | None = None
    host: str | None = None
    source_url: str | None = None

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise ValueError(f"unknown proposal origin {self.origin!r}")
        if self.kind not in PROPOSAL_KINDS:
            raise ValueError(f"unknown proposal kind {self.kind!r}")
        if not isinstance(self.payload.get("identity"), Mapping):
            raise ValueError("a proposal payload needs an 'identity' mapping")

    @property
    def fingerprint(self) -> str:
        """sha256 of origin, kind, platform and the payload's identity: equal for a rerun's twin."""
        parts = [
            self.origin,
            self.kind,
            self.platform_slug or "",
            canonical_json(self.payload["identity"]),
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()

    def as_row(self) -> dict[str, Any]:
        """The column values of a new Proposal row."""
        return {
            "origin": self.origin,
            "kind": self.kind,
            "platform_slug": self.platform_slug,
            "host": self.host,
            "payload": self.payload,
            "source_url": self.source_url,
            "fingerprint": self.fingerprint,
        }


def fold(text: str) -> str:
    """Text reduced for matching: no accents, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def name_key(text: str) -> str:
    """A name reduced for comparison, also without spaces or punctuation: "Tik Tok" is "tiktok"."""
    return re.sub(r"[\W_]+", "", fold(text))


@dataclass(frozen=True)
class KnownPlatform:
    slug: str
    name: str
    owner: str | None = None
    domains: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    wikidata_id: str | None = None

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class KnownVendor:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    website: str | None = None
    wikidata: str | None = None
    opencorporates: str | None = None

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class KnownSource:
    """One source row (a claim's source): what the link checker and the archivers work on."""

    url: str
    check_status: str | None = None
    id: int | None = None
    quote: str = ""
    published: str | None = None
    archive_url: str | None = None
    archive_proposed: bool = False  # an archive proposal for this URL waits for a curator


@dataclass(frozen=True)
class Known:
    """What the database already holds, as plain data: the input of every `to_proposals`."""

    platforms: tuple[KnownPlatform, ...] = ()
    vendors: tuple[KnownVendor, ...] = ()
    sources: tuple[KnownSource, ...] = ()
    _by_name: dict[str, KnownPlatform] = field(default_factory=dict, init=False, repr=False,
                                               compare=False)

    def __post_init__(self) -> None:
        index: dict[str, KnownPlatform] = {}
        for platform in self.platforms:
            for name in (*platform.names(), platform.slug):
                index.setdefault(name_key(name), platform)
        # Service names such as "X" or "LinkedIn" are often the first label of a listed domain.
        for platform in self.platforms:
            for host in platform.domains:
                index.setdefault(name_key(host.split(".")[0]), platform)
        object.__setattr__(self, "_by_name", index)

    @property
    def source_urls(self) -> frozenset[str]:
        return frozenset(source.url for source in self.sources)

    def platform_named(self, name: str) -> KnownPlatform | None:
        """The platform a service or platform name refers to, or None."""
        key = name_key(name)
        return self._by_name.get(key) if key else None

    def listed_hosts(self) -> dict[str, str]:
        """Every listed host and the slug of its platform."""
        return {host: p.slug for p in self.platforms for host in p.domains}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Known:
        """Build from plain JSON-like data (test fixtures, a dry run on an exported dataset)."""
        return cls(
            platforms=tuple(
                KnownPlatform(
                    slug=p["slug"],
                    name=p["name"],
                    owner=p.get("owner"),
                    domains=tuple(p.get("domains", ())),
                    aliases=tuple(p.get("aliases", ())),
                    wikidata_id=p.get("wikidata_id"),
                )
                for p in data.get("platforms", ())
            ),
            vendors=tuple(
                KnownVendor(slug=v["slug"], name=v["name"], aliases=tuple(v.get("aliases", ())),
                            website=v.get("website"), wikidata=v.get("wikidata"),
                            opencorporates=v.get("opencorporates"))
                for v in data.get("vendors", ())
            ),
            sources=tuple(_known_sources(data.get("sources", ()))),
        )


def _known_sources(items: Iterable[Any]) -> Iterable[KnownSource]:
    for item in items:
        if isinstance(item, str):
            yield KnownSource(url=item)
        else:
            yield KnownSource(url=item["url"], check_status=item.get("check_status"),
                              id=item.get("id"), quote=item.get("quote") or "",
                              published=item.get("published"),
                              archive_url=item.get("archive_url"),
                              archive_proposed=bool(item.get("archive_proposed")))


# -- the registry's vocabulary ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One thing to read: an http(s) URL or a local file, and what its parser should be told."""

    location: str
    hints: dict[str, Any] = field(default_factory=dict)

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    @property
    def label(self) -> str:
        """How errors name it: the URL, or a saved file's name."""
        return self.location if self.is_url else PurePath(self.location).name


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class RunContext:
    """What a scraper's steps may know about the run: the database's contents as plain data,
    the settings (from server.config), the day, the --source list, and a clock."""

    known: Known = field(default_factory=Known)
    settings: Mapping[str, Any] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    sources: tuple[str, ...] = ()
    now: Callable[[], str] = now_iso

    def setting(self, name: str, default: Any = None) -> Any:
        value = self.settings.get(name)
        return default if value is None else value


def given_targets(ctx: RunContext) -> list[Target]:
    """The --source files or URLs, as targets."""
    return [Target(source) for source in ctx.sources]


def fetch_bytes(session: Any, target: Target, ctx: RunContext) -> bytes:
    """The usual fetch: GET the target's URL through the polite session."""
    return session.fetch(target.location)


def _proposal_parts(summary: Any) -> list[str]:
    return [f"fetched {summary.fetched}", f"{summary.parsed} records",
            f"{summary.new} new proposals", f"{summary.unchanged} unchanged"]


@dataclass(frozen=True)
class Scraper:
    """One scraper, as the registry knows it. Each module exports one, named SCRAPER.

    targets(ctx) -> [Target]: what to read (ctx.sources, the --source list, when given).
    fetch(http, target, ctx): the target's data through the polite session (bytes, or the
      scraper's own answer object); saved files are read as bytes by the runner instead.
    parse(data, target, ctx) -> [record]: pure; MalformedInput when the data cannot be read.
    to_proposals(records, known) -> [ProposalDraft]: pure.
    write(session, records, ctx) -> int: optional, rows the scraper updates itself (the link
      checker's source checks), in the runner's one transaction; returns how many changed.
    report(summary) -> [str]: the parts of the summary line (default: fetched, records, new...).
    """

    name: str
    description: str
    targets: Callable[[RunContext], Sequence[Target]]
    parse: Callable[[Any, Target, RunContext], list[Any]]
    to_proposals: Callable[[Sequence[Any], Known], list[ProposalDraft]]
    fetch: Callable[[Any, Target, RunContext], Any] = fetch_bytes
    write: Callable[[Any, Sequence[Any], RunContext], int] | None = None
    report: Callable[[Any], list[str]] = _proposal_parts
    reads_files: bool = True  # --source may name a saved file
    cache: bool = True  # answers may come from the on-disk HTTP cache
    delay_setting: str = "BTF_SCRAPE_DELAY"  # seconds between two requests to one host

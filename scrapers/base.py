"""What every scraper shares: its errors, the proposal draft, and what the database knows.

A scraper never writes to the database itself. It turns parsed records into `ProposalDraft`s
against a `Known` snapshot (plain data read by the runner), so that step stays pure and testable.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ORIGINS = ("dsa-reports", "dsa-tdb", "news", "wikidata", "linkcheck")
PROPOSAL_KINDS = ("new_claim", "domain", "owner", "lead", "report")


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

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class KnownSource:
    url: str
    check_status: str | None = None


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
                KnownVendor(slug=v["slug"], name=v["name"], aliases=tuple(v.get("aliases", ())))
                for v in data.get("vendors", ())
            ),
            sources=tuple(_known_sources(data.get("sources", ()))),
        )


def _known_sources(items: Iterable[Any]) -> Iterable[KnownSource]:
    for item in items:
        if isinstance(item, str):
            yield KnownSource(url=item)
        else:
            yield KnownSource(url=item["url"], check_status=item.get("check_status"))

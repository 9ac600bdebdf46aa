"""Wikidata (CC0): official websites (P856) and owners (P127, P749) of the platforms we list.

The query looks items up by English label (the platform's name) or by item id when one is known.
An item counts as the platform only when its id was given or one of its official websites is a
host we already list for that platform; then its other websites become `domain` proposals (when
not already covered) and a different owner an `owner` proposal.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from scrapers.base import (
    Known,
    KnownPlatform,
    KnownVendor,
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

ORIGIN = "wikidata"
ENDPOINT = "https://query.wikidata.org/sparql"
ITEM_URL = "https://www.wikidata.org/wiki/{}"
ENTITY_PREFIX = "http://www.wikidata.org/entity/"
QID = re.compile(r"^Q[1-9]\d*$")
BATCH = 40  # names per SPARQL query
COMPANY_SUFFIXES = {
    "inc", "incorporated", "ltd", "limited", "llc", "plc", "corp", "corporation", "co",
    "company", "sa", "ag", "gmbh", "bv", "nv", "sas", "sarl", "srl", "ab", "as", "oy", "pte",
    "pty", "kk", "group", "holding", "holdings",
}


@dataclass(frozen=True)
class Entity:
    id: str
    label: str


@dataclass(frozen=True)
class WikidataItem:
    """One item of the answer, its rows merged: label, official websites, owners, parents."""

    id: str
    label: str
    sites: tuple[str, ...] = ()
    owners: tuple[Entity, ...] = ()
    parents: tuple[Entity, ...] = ()
    source_url: str | None = field(default=None)
    opencorporates: tuple[str, ...] = ()  # OpenCorporates ids (P1320), "gb/01234567"


def build_query(platforms: Sequence[KnownPlatform], *, language: str = "en") -> str:
    """SPARQL for these platforms: by item id when known, else by exact label."""
    ids = sorted({p.wikidata_id for p in platforms if p.wikidata_id and QID.match(p.wikidata_id)})
    names = sorted({name for p in platforms if not p.wikidata_id for name in p.names()})
    branches = []
    if ids:
        branches.append("{ VALUES ?item { " + " ".join(f"wd:{i}" for i in ids) + " } }")
    if names:
        values = " ".join(f"{_literal(name)}@{language}" for name in names)
        branches.append("{ VALUES ?name { " + values + " } ?item rdfs:label ?name . "
                        "?item wdt:P856 [] . }")
    if not branches:
        raise ValueError("no platforms to look up")
    return (
        "SELECT ?item ?itemLabel ?site ?owner ?ownerLabel ?parent ?parentLabel WHERE {\n  "
        + "\n  UNION\n  ".join(branches)
        + "\n  OPTIONAL { ?item wdt:P856 ?site }"
        "\n  OPTIONAL { ?item wdt:P127 ?owner }"
        "\n  OPTIONAL { ?item wdt:P749 ?parent }"
        f'\n  SERVICE wikibase:label {{ bd:serviceParam wikibase:language "{language}". }}'
        "\n}"
    )


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a valid SPARQL string literal


def query_url(platforms: Sequence[KnownPlatform]) -> str:
    return f"{ENDPOINT}?{urlencode({'query': build_query(platforms), 'format': 'json'})}"


def build_vendor_query(vendors: Sequence[KnownVendor], *, language: str = "en") -> str:
    """SPARQL for vendors: official websites (P856) and OpenCorporates ids (P1320), by item id
    when known, else by exact label (items with an official website only)."""
    ids = sorted({v.wikidata for v in vendors if v.wikidata and QID.match(v.wikidata)})
    names = sorted({name for v in vendors if not v.wikidata for name in v.names()})
    branches = []
    if ids:
        branches.append("{ VALUES ?item { " + " ".join(f"wd:{i}" for i in ids) + " } }")
    if names:
        values = " ".join(f"{_literal(name)}@{language}" for name in names)
        branches.append("{ VALUES ?name { " + values + " } ?item rdfs:label ?name . "
                        "?item wdt:P856 [] . }")
    if not branches:
        raise ValueError("no vendors to look up")
    return (
        "SELECT ?item ?itemLabel ?site ?oc WHERE {\n  "
        + "\n  UNION\n  ".join(branches)
        + "\n  OPTIONAL { ?item wdt:P856 ?site }"
        "\n  OPTIONAL { ?item wdt:P1320 ?oc }"
        f'\n  SERVICE wikibase:label {{ bd:serviceParam wikibase:language "{language}". }}'
        "\n}"
    )


def vendor_query_url(vendors: Sequence[KnownVendor]) -> str:
    return (f"{ENDPOINT}?"
            f"{urlencode({'query': build_vendor_query(vendors), 'format': 'json'})}")


def fetch(session: Any, url: str) -> bytes:
    return session.fetch(url, headers={"Accept": "application/sparql-results+json"})


def parse(data: bytes, *, source_url: str | None = None) -> list[WikidataItem]:
    """The items of a SPARQL JSON answer, one per item, sorted by id. Pure."""
    name = "SPARQL answer"
    try:
        document = json.load(io.StringIO(data.decode("utf-8", errors="replace")))
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"broken JSON ({exc}); is it truncated?", source=name) from exc
    try:
        bindings = document["results"]["bindings"]
        variables = document["head"]["vars"]
    except (KeyError, TypeError):
        raise MalformedInput("not SPARQL JSON results (no head.vars or results.bindings)",
                             source=name) from None
    if "item" not in variables or not isinstance(bindings, list):
        raise MalformedInput("the answer has no ?item variable", source=name)
    merged: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(bindings, start=1):
        item_id = _entity_id(row.get("item"))
        if item_id is None:
            raise MalformedInput(f"result {number} has no Wikidata item", source=name)
        entry = merged.setdefault(item_id, {"label": "", "sites": [], "owners": [],
                                            "parents": [], "opencorporates": []})
        entry["label"] = entry["label"] or _value(row.get("itemLabel")) or item_id
        site = _value(row.get("site"))
        if site and site not in entry["sites"]:
            entry["sites"].append(site)
        company = _value(row.get("oc"))
        if company and company not in entry["opencorporates"]:
            entry["opencorporates"].append(company)
        for key, label_key in (("owners", "ownerLabel"), ("parents", "parentLabel")):
            entity_id = _entity_id(row.get(key[:-1]))
            if entity_id and entity_id not in [e.id for e in entry[key]]:
                entry[key].append(Entity(entity_id, _value(row.get(label_key)) or entity_id))
    return [
        WikidataItem(id=item_id, label=entry["label"], sites=tuple(sorted(entry["sites"])),
                     owners=tuple(sorted(entry["owners"], key=lambda e: e.id)),
                     parents=tuple(sorted(entry["parents"], key=lambda e: e.id)),
                     source_url=ITEM_URL.format(item_id),
                     opencorporates=tuple(sorted(entry["opencorporates"])))
        for item_id, entry in sorted(merged.items(), key=lambda kv: int(kv[0][1:]))
    ]


def _value(binding: Any) -> str:
    return str(binding.get("value", "")).strip() if isinstance(binding, dict) else ""


def _entity_id(binding: Any) -> str | None:
    value = _value(binding)
    if value.startswith(ENTITY_PREFIX):
        candidate = value[len(ENTITY_PREFIX):]
        return candidate if QID.match(candidate) else None
    return None


# -- proposals ------------------------------------------------------------------------------


def company_key(name: str) -> str:
    """A company name compared without punctuation or legal suffix.

    "Meta Platforms, Inc." and "Meta Platforms" give the same key.
    """
    words = re.sub(r"[^\w\s]", " ", fold(name)).split()
    while len(words) > 1 and words[-1] in COMPANY_SUFFIXES:
        words.pop()
    return " ".join(words)


def _default_check_host(text: str) -> str:
    from server.domains import check_listable

    return check_listable(text)


def _covered(host: str, listed: Iterable[str]) -> str | None:
    """The listed host that `host` is or is under, if any."""
    listed = set(listed)
    labels = host.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in listed:
            return candidate
    return None


def _website_host(site: str, check_host: Callable[[str], str]) -> str | None:
    try:
        host = check_host(site)
    except ValueError:
        return None
    if host.startswith("www.") and host.count(".") >= 2:
        try:
            host = check_host(host[4:])
        except ValueError:
            pass
    return host


def _is_platform(item: WikidataItem, platform: KnownPlatform,
                 check_host: Callable[[str], str]) -> bool:
    if platform.wikidata_id:
        return item.id == platform.wikidata_id
    if name_key(item.label) not in {name_key(n) for n in platform.names()}:
        return False
    hosts = [_website_host(site, check_host) for site in item.sites]
    return any(host and _covered(host, platform.domains) for host in hosts)


def to_proposals(records: Iterable[WikidataItem], known: Known, *,
                 check_host: Callable[[str], str] | None = None) -> list[ProposalDraft]:
    """`domain` proposals for official websites not yet listed, `owner` proposals for owners
    that differ from the one we hold. `check_host` normalises a URL or host and raises
    ValueError when it cannot be listed (default: server.domains.check_listable)."""
    check_host = check_host or _default_check_host
    items = list(records)
    listed = known.listed_hosts()
    drafts: list[ProposalDraft] = []
    for platform in known.platforms:
        matches = [item for item in items if _is_platform(item, platform, check_host)]
        proposed: set[str] = set()
        for item in matches:
            for site in item.sites:
                host = _website_host(site, check_host)
                if host is None or host in proposed or _covered(host, platform.domains):
                    continue
                if host in listed:  # listed for another platform: a curator's call, not ours
                    continue
                proposed.add(host)
                inside = _covered(host, listed)
                drafts.append(ProposalDraft(
                    origin=ORIGIN,
                    kind="domain",
                    platform_slug=platform.slug,
                    host=host,
                    source_url=item.source_url,
                    payload={
                        "identity": {"host": host},
                        "record": {"item": item.id, "label": item.label, "site": site},
                        "change": {"field": "domain", "add": host,
                                   **({"inside": inside, "inside_platform": listed[inside]}
                                      if inside else {})},
                    },
                ))
        companies = {e.id: e for item in matches for e in (*item.owners, *item.parents)}
        if not companies:
            continue
        held = company_key(platform.owner or "")
        if held and any(company_key(e.label) == held for e in companies.values()):
            continue
        candidates = sorted(companies.values(), key=lambda e: e.label)
        item = matches[0]
        drafts.append(ProposalDraft(
            origin=ORIGIN,
            kind="owner",
            platform_slug=platform.slug,
            source_url=item.source_url,
            payload={
                "identity": {"owners": sorted(e.id for e in candidates)},
                "record": {"items": [m.id for m in matches],
                           "owners": [{"id": e.id, "label": e.label} for e in candidates]},
                "change": {"field": "owner", "from": platform.owner or None,
                           "to": candidates[0].label,
                           "candidates": [e.label for e in candidates]},
            },
        ))
    drafts.extend(vendor_proposals(items, known, check_host=check_host))
    return drafts


def _same_site(a: str | None, b: str | None) -> bool:
    """Two websites on the same host, or one under the other ("www." ignored)."""
    if not a or not b:
        return False
    return bool(_covered(a, [b]) or _covered(b, [a]))


def vendor_proposals(items: Sequence[WikidataItem], known: Known, *,
                     check_host: Callable[[str], str]) -> list[ProposalDraft]:
    """`vendor_ids` proposals: a vendor's Wikidata id and OpenCorporates id when we lack them.

    An item is the vendor when its id is the one we hold, or when it has the vendor's name
    and an official website on the vendor's website's host; with two or more such items the
    vendor is left for a curator (nothing proposed). An item with several OpenCorporates ids
    (one company registered in several places) proposes none but lists them."""
    drafts = []
    for vendor in known.vendors:
        if vendor.wikidata and vendor.opencorporates:
            continue
        if vendor.wikidata:
            matches = [item for item in items if item.id == vendor.wikidata]
        else:
            website = _website_host(vendor.website or "", check_host)
            names = {name_key(n) for n in vendor.names()}
            matches = [item for item in items if name_key(item.label) in names and any(
                _same_site(_website_host(site, check_host), website) for site in item.sites)]
        if len(matches) != 1:
            continue
        item = matches[0]
        wikidata_id = None if vendor.wikidata else item.id
        company = (item.opencorporates[0] if len(item.opencorporates) == 1
                   and not vendor.opencorporates else None)
        if wikidata_id is None and company is None:
            continue
        drafts.append(ProposalDraft(
            origin=ORIGIN,
            kind="vendor_ids",
            source_url=item.source_url,
            payload={
                "identity": {"vendor": vendor.slug, "wikidata": item.id,
                             "opencorporates": company},
                "record": {"item": item.id, "label": item.label, "sites": list(item.sites),
                           "opencorporates": list(item.opencorporates)},
                "change": {"field": "vendor_ids", "vendor": vendor.slug,
                           "wikidata": wikidata_id, "opencorporates": company},
            },
        ))
    return drafts


# -- the registry's entry -------------------------------------------------------------------


def targets(ctx: RunContext) -> list[Target]:
    """The --source files, else SPARQL queries for the platforms and for the vendors that
    lack a Wikidata or OpenCorporates id."""
    if ctx.sources:
        return given_targets(ctx)
    platforms = list(ctx.known.platforms)
    vendors = [v for v in ctx.known.vendors if not (v.wikidata and v.opencorporates)]
    if not platforms and not vendors:
        raise ScrapeError("no platforms or vendors in the database to look up")
    batches = [Target(query_url(platforms[i:i + BATCH])) for i in range(0, len(platforms), BATCH)]
    batches += [Target(vendor_query_url(vendors[i:i + BATCH]))
                for i in range(0, len(vendors), BATCH)]
    return batches


def _fetch(session: Any, target: Target, ctx: RunContext) -> bytes:
    return fetch(session, target.location)


def _parse_target(data: bytes, target: Target, ctx: RunContext) -> list[WikidataItem]:
    return parse(data, source_url=target.location if target.is_url else None)


SCRAPER = Scraper(
    name="wikidata",
    description="missing domains and owners of platforms; vendors' Wikidata/OpenCorporates ids",
    targets=targets,
    fetch=_fetch,
    parse=_parse_target,
    to_proposals=to_proposals,
)

"""The one place scrapers are registered: the runner and the `scrape` command read it.

Each scraper module exports one `SCRAPER` (scrapers.base.Scraper: name, targets, fetch, parse,
to_proposals, and optionally write and report). Adding a scraper is adding its module here.
"""

from __future__ import annotations

from collections.abc import Iterable

from scrapers import dsa_reports, dsa_tdb, linkcheck, news, wayback, wikidata
from scrapers.base import ScrapeError, Scraper

MODULES = (dsa_reports, dsa_tdb, news, wikidata, linkcheck, wayback)


def _index(scrapers: Iterable[Scraper]) -> dict[str, Scraper]:
    index: dict[str, Scraper] = {}
    for scraper in scrapers:
        if scraper.name in index:
            raise ValueError(f"two scrapers are named {scraper.name!r}")
        index[scraper.name] = scraper
    return index


REGISTRY: dict[str, Scraper] = _index(module.SCRAPER for module in MODULES)


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> Scraper:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ScrapeError(f"unknown scraper {name!r}; choose one of {', '.join(REGISTRY)}") \
            from None

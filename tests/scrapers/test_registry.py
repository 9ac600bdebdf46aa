"""The registry: every scraper module registered once, each a complete Scraper."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from scrapers import registry
from scrapers.base import ORIGINS, RunContext, ScrapeError, Scraper, Target

NOT_SCRAPERS = {"base", "cli", "http", "pagecheck", "registry", "runner", "tables"}


def test_every_scraper_module_is_registered_once():
    folder = Path(registry.__file__).parent
    modules = {info.name for info in pkgutil.iter_modules([str(folder)])} - NOT_SCRAPERS
    registered = [module.__name__.rsplit(".", 1)[-1] for module in registry.MODULES]
    assert sorted(registered) == sorted(modules)
    assert len(set(registered)) == len(registered)
    for name in modules:
        module = importlib.import_module(f"scrapers.{name}")
        assert isinstance(module.SCRAPER, Scraper)
        assert registry.get(module.SCRAPER.name) is module.SCRAPER


def test_names_are_unique_origins_and_the_cli_choices():
    assert registry.names() == ("dsa-reports", "dsa-tdb", "news", "wikidata", "linkcheck",
                                "wayback-capture")
    assert set(registry.names()) <= set(ORIGINS)
    from scrapers.cli import scrape

    assert list(scrape.params[0].type.choices) == list(registry.names())


def test_a_second_scraper_with_a_taken_name_is_refused():
    news = registry.get("news")
    with pytest.raises(ValueError, match="two scrapers are named 'news'"):
        registry._index([news, news])


def test_an_unknown_name_says_which_exist():
    with pytest.raises(ScrapeError, match="unknown scraper 'facebook'; choose one of "
                                          "dsa-reports, dsa-tdb, news"):
        registry.get("facebook")


@pytest.mark.parametrize("name", ["dsa-reports", "dsa-tdb", "news", "wikidata"])
def test_saved_files_given_with_source_are_the_targets(name):
    ctx = RunContext(sources=("/data/saved.file",))
    assert registry.get(name).targets(ctx) == [Target("/data/saved.file")]
    assert Target("/data/saved.file").label == "saved.file"


def test_default_targets_come_from_the_settings_and_the_database(tmp_path):
    import datetime as dt

    from scrapers.base import Known, KnownPlatform, KnownVendor

    known = Known(platforms=(KnownPlatform("x", "X", None, ("x.com",)),),
                  vendors=(KnownVendor("sama", "Sama", website="https://www.sama.com"),))
    ctx = RunContext(known=known, today=dt.date(2026, 11, 26),
                     settings={"BTF_DSA_REPORTS": str(tmp_path / "none.json"),
                               "BTF_DATA_DIR": str(tmp_path)})
    days = registry.get("dsa-tdb").targets(ctx)
    assert [t.hints["day"] for t in days][0] == "2026-11-16" and len(days) == 7
    queries = registry.get("wikidata").targets(ctx)
    assert len(queries) == 2 and "P1320" in queries[1].location  # platforms, then vendors
    assert len(registry.get("news").targets(ctx)) == 4  # three feeds and GDELT
    (tmp_path / "dsa-reports.json").write_text(
        '[{"url": "https://example.org/r.csv", "service": "X", "published": "2026-08-28"}]')
    [report] = registry.get("dsa-reports").targets(ctx)
    assert report.hints == {"service": "X", "published": "2026-08-28"}

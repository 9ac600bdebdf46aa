"""Wikidata: official websites and owners."""

from __future__ import annotations

import pytest
from scraper_helpers import as_json, expected, fixture_bytes

from scrapers import wikidata
from scrapers.base import Known, KnownPlatform, KnownVendor, MalformedInput


def parse():
    return wikidata.parse(fixture_bytes("wikidata/platforms.sparql.json"))


def test_sparql_json_parses_to_the_expected_items():
    assert as_json(parse()) == expected("wikidata/platforms.expected.json")


def test_proposals(known):
    drafts = wikidata.to_proposals(parse(), known)
    assert as_json(drafts) == expected("wikidata/platforms.proposals.expected.json")
    summary = [(d.kind, d.platform_slug, d.host or d.payload["change"]["to"]) for d in drafts]
    assert ("domain", "facebook", "fb.watch") in summary
    assert ("domain", "instagram", "instagr.am") in summary
    assert ("owner", "facebook", "Meta Platforms") in summary  # we hold "Facebook, Inc."
    # Covered already (www.facebook.com under facebook.com); same owner ("Google" is
    # "Google LLC"); an unrelated item that shares the label "Instagram".
    assert not any(d.host in ("www.facebook.com", "facebook.com", "youtube.com") for d in drafts)
    assert not any(d.platform_slug == "youtube" for d in drafts)
    assert not any("tribute" in (d.host or "") for d in drafts)


def test_a_host_listed_for_another_platform_is_not_proposed():
    known = Known(platforms=(
        KnownPlatform("facebook", "Facebook", "Meta Platforms", ("facebook.com",)),
        KnownPlatform("facebook-watch", "Facebook Watch", "Meta Platforms", ("fb.watch",)),
    ))
    hosts = [d.host for d in wikidata.to_proposals(parse(), known) if d.kind == "domain"]
    assert "fb.watch" not in hosts


def test_a_domain_under_another_platform_s_domain_says_so():
    # Longest match wins, so sites.google.com may belong to another platform than google.com.
    item = wikidata.WikidataItem(id="Q1", label="Google Sites",
                                 sites=("https://googlesites.example/", "https://sites.google.com/"),
                                 source_url="https://www.wikidata.org/wiki/Q1")
    known = Known(platforms=(
        KnownPlatform("google", "Google", "Google LLC", ("google.com",)),
        KnownPlatform("google-sites", "Google Sites", "Google LLC", ("googlesites.example",)),
    ))
    [draft] = wikidata.to_proposals([item], known)
    assert draft.host == "sites.google.com"
    assert draft.platform_slug == "google-sites"
    assert draft.payload["change"] == {"field": "domain", "add": "sites.google.com",
                                       "inside": "google.com", "inside_platform": "google"}


def test_hosts_are_checked_with_the_listing_rules():
    seen = []

    def check(text):
        seen.append(text)
        if "onion" in text:
            raise ValueError("not listable")
        from server.domains import check_listable
        return check_listable(text)

    known = Known(platforms=(KnownPlatform("facebook", "Facebook", "Meta Platforms",
                                           ("facebook.com",)),))
    drafts = wikidata.to_proposals(parse(), known, check_host=check)
    assert [d.host for d in drafts] == ["fb.watch"]
    assert "https://fb.watch/" in seen


def test_the_query_looks_up_labels_and_known_ids():
    query = wikidata.build_query([
        KnownPlatform("facebook", "Facebook"),
        KnownPlatform("instagram", "Instagram", wikidata_id="Q209330"),
        KnownPlatform("quote", 'Say "hi"'),
    ])
    assert "VALUES ?item { wd:Q209330 }" in query
    assert '"Facebook"@en' in query and '"Say \\"hi\\""@en' in query
    assert "wdt:P856" in query and "wdt:P127" in query and "wdt:P749" in query
    assert wikidata.query_url([KnownPlatform("facebook", "Facebook")]).startswith(
        "https://query.wikidata.org/sparql?query=SELECT")


@pytest.mark.parametrize(("name", "key"), [
    ("Meta Platforms, Inc.", "meta platforms"), ("Google LLC", "google"),
    ("ByteDance Ltd.", "bytedance"), ("Amazon.com, Inc.", "amazon com"),
])
def test_company_keys(name, key):
    assert wikidata.company_key(name) == key


@pytest.mark.parametrize(("data", "message"), [
    (b'{"head": {"vars": ["item"]}, "results": {"bindings": [', "broken JSON.*truncated"),
    (b'{"error": "Query timeout"}', "not SPARQL JSON results"),
    (b'{"head": {"vars": ["item"]}, "results": {"bindings": [{"item": {"value": "x"}}]}}',
     "result 1 has no Wikidata item"),
])
def test_malformed_answers(data, message):
    with pytest.raises(MalformedInput, match=message):
        wikidata.parse(data)


# -- vendors: Wikidata and OpenCorporates ids ---------------------------------------------------


VENDORS = Known(vendors=(
    KnownVendor("accenture", "Accenture", website="https://accenture.example"),
    KnownVendor("sama", "Sama", website="https://sama.example/"),
    KnownVendor("scale-ai", "Scale AI", website="https://scale.example"),
    KnownVendor("teleperformance", "Teleperformance", wikidata="Q90000004"),
    KnownVendor("appen", "Appen", wikidata="Q90000009", opencorporates="au/000000009"),
))


def vendor_items():
    return wikidata.parse(fixture_bytes("wikidata/vendors.sparql.json"))


def test_vendor_ids_are_proposed_for_the_item_on_the_vendor_s_website():
    drafts = wikidata.to_proposals(vendor_items(), VENDORS, check_host=lambda h: _host(h))
    assert as_json(drafts) == expected("wikidata/vendors.proposals.expected.json")
    changes = {d.payload["change"]["vendor"]: d.payload["change"] for d in drafts}
    # Two items are labelled "Sama": the one whose website is Sama's is the vendor.
    assert changes["sama"] == {"field": "vendor_ids", "vendor": "sama", "wikidata": "Q90000001",
                               "opencorporates": "us_ca/C0000001"}
    # Two registrations: the Wikidata id is proposed, the company number left to a curator.
    assert changes["accenture"]["opencorporates"] is None
    assert drafts[0].payload["record"]["opencorporates"] == ["ie/000001", "us_de/0000002"]
    # Known by id already: only the missing OpenCorporates id.
    assert changes["teleperformance"] == {"field": "vendor_ids", "vendor": "teleperformance",
                                          "wikidata": None, "opencorporates": "fr/000000003"}
    assert "scale-ai" not in changes and "appen" not in changes
    assert all(d.kind == "vendor_ids" and d.platform_slug is None for d in drafts)


def test_the_vendor_query_asks_for_websites_and_opencorporates_ids():
    query = wikidata.build_vendor_query(VENDORS.vendors)
    assert "wdt:P1320 ?oc" in query and "wdt:P856 ?site" in query
    assert "VALUES ?item { wd:Q90000004 wd:Q90000009 }" in query
    assert '"Sama"@en' in query and '"Teleperformance"@en' not in query


def _host(text):
    from urllib.parse import urlsplit

    host = urlsplit(text if "//" in text else f"//{text}").hostname
    if not host or "." not in host:
        raise ValueError(text)
    return host

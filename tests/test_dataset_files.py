"""The shipped dataset files, read as plain JSON: what every claim, source, platform and vendor
must hold before the service or the extension ever sees them (see docs/formats.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from server.domains import rule_from_entry

DATASET = Path(__file__).parent.parent / "server/data/dataset"
VENDORS_FILE = "vendors.json"

REQUIRED_PLATFORMS = {
    "facebook", "instagram", "youtube", "google-search", "gemini", "tiktok", "x", "reddit",
    "twitch", "discord", "pinterest", "amazon", "amazon-mechanical-turk", "fiverr", "upwork",
    "freelancer", "clickworker", "chatgpt", "remotasks", "toloka", "appen", "hive", "skype",
    "apple", "tesla", "ring",
}
KINDS = {"moderation", "labelling", "engagement", "microwork"}
WORKERS_BASES = {"employed", "contracted", "registered", "active", "estimated"}
PAY_QUALIFIERS = {"exact", "about", "up_to", "as_little_as", "at_least"}
EVIDENCE = {
    "company_statement", "official_record", "investigative_journalism", "academic_study",
    "allegation",
}
STATUSES = {"draft", "pending", "published", "changes_requested", "rejected", "retracted"}
PAY_PERIODS = {"hour", "day", "week", "month", "year"}
COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries)
CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies)

PLATFORM_KEYS = ["slug", "name", "owner", "hq_country", "description", "domains", "actions",
                 "moderators", "claims"]
CLAIM_KEYS = [
    "id", "kind", "summary", "translations", "platforms", "vendors", "locations", "workers",
    "workers_basis", "pay", "observed", "evidence", "status", "last_verified", "sources",
    "responses",
]
SOURCE_KEYS = ["url", "title", "publisher", "published", "quote", "language", "is_copy"]
VENDOR_KEYS = ["slug", "name", "hq_country", "website", "description", "wikidata",
               "opencorporates", "sites", "actions"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARTIAL_DATE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
HTTP_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
MAX_QUOTE_WORDS = 40


def _platform_files() -> list[Path]:
    return sorted(p for p in DATASET.glob("*.json") if p.name != VENDORS_FILE)


PLATFORMS = {path: json.loads(path.read_text(encoding="utf-8")) for path in _platform_files()}
VENDORS = json.loads((DATASET / VENDORS_FILE).read_text(encoding="utf-8"))
CLAIMS = [(path.name, claim) for path, data in PLATFORMS.items() for claim in data["claims"]]
PUBLISHED = [(name, claim) for name, claim in CLAIMS if claim["status"] == "published"]


def _is_partial_date(value: object) -> bool:
    if not isinstance(value, str) or not PARTIAL_DATE.match(value):
        return False
    if len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return False
    return True


@pytest.mark.parametrize("path", [*_platform_files(), DATASET / VENDORS_FILE], ids=lambda p: p.name)
def test_files_are_in_canonical_form(path):
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_keys_are_in_the_documented_order():
    problems = []
    for path, data in PLATFORMS.items():
        if list(data) != PLATFORM_KEYS:
            problems.append(f"{path.name}: {list(data)}")
        for claim in data["claims"]:
            if list(claim) != CLAIM_KEYS:
                problems.append(f"{path.name}: claim {claim.get('id')}: {list(claim)}")
            if claim["pay"] is not None and list(claim["pay"]) != ["amount", "currency", "per",
                                                                   "qualifier"]:
                problems.append(f"{path.name}: claim {claim['id']}: pay {list(claim['pay'])}")
            if claim["observed"] is not None and list(claim["observed"]) != ["start", "end"]:
                problems.append(f"{path.name}: claim {claim['id']}: observed")
            for location in claim["locations"]:
                if list(location) not in (["country"], ["country", "city"]):
                    problems.append(f"{path.name}: claim {claim['id']}: location {location}")
            for source in claim["sources"]:
                if [k for k in source if k != "archive_url"] != SOURCE_KEYS:
                    problems.append(f"{path.name}: claim {claim['id']}: source {list(source)}")
    for vendor in VENDORS:
        if list(vendor) != VENDOR_KEYS:
            problems.append(f"{VENDORS_FILE}: {vendor.get('slug')}: {list(vendor)}")
    assert not problems, "\n".join(problems)


def test_platform_slugs_are_unique_and_match_their_file():
    slugs = [data["slug"] for data in PLATFORMS.values()]
    assert len(slugs) == len(set(slugs))
    for path, data in PLATFORMS.items():
        assert SLUG.match(data["slug"]), path.name
        assert path.stem == data["slug"]


def test_required_platforms_exist():
    slugs = {data["slug"] for data in PLATFORMS.values()}
    assert REQUIRED_PLATFORMS <= slugs, sorted(REQUIRED_PLATFORMS - slugs)


def test_platforms_have_owner_and_headquarters():
    for path, data in PLATFORMS.items():
        assert data["name"].strip() and data["owner"].strip(), path.name
        assert data["hq_country"] in COUNTRIES, path.name


def test_domains_are_sorted_normalised_and_listed_once():
    owner_of: dict[tuple[str, str], str] = {}
    problems = []
    for path, data in PLATFORMS.items():
        rules = []
        for entry in data["domains"]:
            try:
                rules.append(rule_from_entry(entry, data["slug"]))
            except ValueError as exc:
                problems.append(f"{path.name}: {entry}: {exc}")
        keys = [(rule.host, rule.path) for rule in rules]
        if keys != sorted(keys):
            problems.append(f"{path.name}: domains not sorted by host, then path")
        for rule in rules:
            if rule.entry() not in data["domains"]:
                problems.append(f"{path.name}: {rule.host}: not in its shortest form")
            if (rule.host, rule.path) in owner_of:
                problems.append(f"{path.name}: {rule.host}{rule.path} already listed in "
                                f"{owner_of[rule.host, rule.path]}")
            owner_of[rule.host, rule.path] = path.name
    assert not problems, "\n".join(problems)


def test_every_platform_has_domains_and_a_published_claim():
    concerned = Counter(slug for _, claim in PUBLISHED for slug in claim["platforms"])
    for data in PLATFORMS.values():
        assert data["domains"], data["slug"]
        assert concerned[data["slug"]] >= 1, f"{data['slug']} has no published claim"


def test_claim_ids_are_unique_slugs():
    ids = Counter(claim["id"] for _, claim in CLAIMS)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [i for i in ids if not SLUG.match(i)] == []


def test_claims_live_in_their_first_platform_and_name_known_platforms():
    slugs = {data["slug"] for data in PLATFORMS.values()}
    for name, claim in CLAIMS:
        platforms = claim["platforms"]
        assert platforms and f"{platforms[0]}.json" == name, claim["id"]
        assert len(platforms) == len(set(platforms)), claim["id"]
        assert set(platforms) <= slugs, (claim["id"], set(platforms) - slugs)


def test_claim_fields_use_the_documented_values():
    for _, claim in CLAIMS:
        where = claim["id"]
        assert claim["kind"] in KINDS, where
        assert claim["evidence"] in EVIDENCE, where
        assert claim["status"] in STATUSES, where
        assert claim["summary"].strip(), where
        assert claim["workers"] is None or (
            isinstance(claim["workers"], int) and claim["workers"] >= 0), where
        if claim["observed"] is not None:
            assert _is_partial_date(claim["observed"]["start"]), where
            end = claim["observed"]["end"]
            assert end is None or _is_partial_date(end), where
        dt.date.fromisoformat(claim["last_verified"])


def test_every_claim_has_a_french_summary_of_its_own():
    for _, claim in CLAIMS:
        french = claim["translations"].get("fr", "")
        assert french.strip(), claim["id"]
        assert french.strip() != claim["summary"].strip(), claim["id"]


def test_locations_are_iso_countries():
    for _, claim in CLAIMS:
        for location in claim["locations"]:
            assert location["country"] in COUNTRIES, (claim["id"], location)
            assert location.get("city") is None or location["city"].strip(), claim["id"]


def test_pay_is_an_iso_4217_amount_per_period():
    for _, claim in CLAIMS:
        pay = claim["pay"]
        if pay is None:
            continue
        assert isinstance(pay["amount"], int | float) and pay["amount"] > 0, claim["id"]
        assert not isinstance(pay["amount"], bool), claim["id"]
        assert pay["currency"] in CURRENCIES, (claim["id"], pay["currency"])
        assert pay["per"] in PAY_PERIODS, (claim["id"], pay["per"])


def test_published_claims_have_sources_with_url_publisher_and_short_quote():
    problems = []
    for _, claim in PUBLISHED:
        if not claim["sources"]:
            problems.append(f"{claim['id']}: no source")
        for source in claim["sources"]:
            where = f"{claim['id']}: {source['url']}"
            if not HTTP_URL.match(source["url"]):
                problems.append(f"{where}: not an http(s) URL")
            if not source["publisher"].strip() or not source["title"].strip():
                problems.append(f"{where}: no publisher or title")
            words = len(source["quote"].split())
            if not 1 <= words <= MAX_QUOTE_WORDS:
                problems.append(f"{where}: quote of {words} words")
            if source["published"] is not None and not _is_partial_date(source["published"]):
                problems.append(f"{where}: published {source['published']!r}")
            if not re.fullmatch(r"[a-z]{2}", source["language"]):
                problems.append(f"{where}: language {source['language']!r}")
            if not isinstance(source["is_copy"], bool):
                problems.append(f"{where}: is_copy must be true or false")
    assert not problems, "\n".join(problems)


def test_vendors_are_sorted_complete_and_all_referenced():
    slugs = [vendor["slug"] for vendor in VENDORS]
    assert slugs == sorted(slugs)
    assert len(slugs) == len(set(slugs))
    for vendor in VENDORS:
        assert SLUG.match(vendor["slug"]), vendor["slug"]
        assert vendor["name"].strip() and vendor["description"].strip(), vendor["slug"]
        assert vendor["hq_country"] in COUNTRIES, vendor["slug"]
        assert vendor["website"] is None or vendor["website"].startswith("https://"), vendor["slug"]
    referenced = {slug for _, claim in CLAIMS for slug in claim["vendors"]}
    assert referenced <= set(slugs), sorted(referenced - set(slugs))
    assert set(slugs) <= referenced, sorted(set(slugs) - referenced)


# Where the stored sources could not support five claims (what was searched is in the notes of
# the dataset's issue). At most three platforms may be here.
SHORT_OF_FIVE = {"threads"}


def test_dataset_size_and_balance():
    # The targets are 300 claims and 40 platforms; these floors are what is verified today and
    # may only rise.
    assert len(PUBLISHED) >= 300
    assert len(PLATFORMS) >= 40
    assert len(VENDORS) >= 35
    # Every vendor says where it is headquartered and where it can be found, and is named by at
    # least one published claim.
    for vendor in VENDORS:
        assert re.fullmatch(r"[A-Z]{2}", vendor["hq_country"] or ""), vendor["slug"]
        assert HTTP_URL.match(vendor["website"] or ""), vendor["slug"]
    named = {slug for _, claim in PUBLISHED for slug in claim["vendors"]}
    assert {vendor["slug"] for vendor in VENDORS} <= named
    assert {claim["kind"] for _, claim in PUBLISHED} == KINDS
    filed = Counter(claim["platforms"][0] for _, claim in PUBLISHED)
    assert max(filed.values()) <= 0.25 * len(PUBLISHED), filed.most_common(1)
    listing = Counter(slug for _, claim in PUBLISHED for slug in claim["platforms"])
    short = {data["slug"] for data in PLATFORMS.values() if listing[data["slug"]] < 5}
    assert short <= SHORT_OF_FIVE and len(SHORT_OF_FIVE) <= 3, short
    # Instagram has claims of its own, not only Meta-wide ones filed under Facebook.
    assert filed["instagram"] >= 1


def test_at_most_one_source_in_ten_is_a_copy():
    sources = [s for _, claim in PUBLISHED for s in claim["sources"]]
    copies = [s["url"] for s in sources if s["is_copy"]]
    assert len(copies) <= 0.10 * len(sources), f"{len(copies)} copies of {len(sources)}"


def test_every_source_has_a_real_date_and_every_figure_says_what_it_counts():
    for _, claim in PUBLISHED:
        every = [*claim["sources"], *(r["source"] for r in claim["responses"])]
        for source in every:
            assert source["published"], (claim["id"], source["url"])
        if claim["workers"] is not None:
            assert claim["workers_basis"] in WORKERS_BASES, claim["id"]
        else:
            assert claim["workers_basis"] is None, claim["id"]
        if claim["pay"] is not None:
            assert claim["pay"]["qualifier"] in PAY_QUALIFIERS, claim["id"]


def test_every_vendor_has_a_sourced_site_and_every_platform_an_action():
    for vendor in VENDORS:
        assert vendor["sites"], vendor["slug"]
        for site in vendor["sites"]:
            assert site["source"]["quote"] and site["source"]["published"], vendor["slug"]
    without_actions = {data["slug"] for data in PLATFORMS.values() if not data["actions"]}
    assert not without_actions, without_actions
    for data in PLATFORMS.values():
        for action in data["actions"]:
            assert HTTP_URL.match(action["url"]), (data["slug"], action["url"])
            assert action["translations"].get("fr"), (data["slug"], action["name"])


def test_last_verified_is_a_real_check_date():
    # A claim is stamped only on the day a person checked its quote against the source text,
    # never in the future and never before its own source was published.
    today = dt.date.today().isoformat()
    for _, claim in PUBLISHED:
        assert claim["last_verified"] and claim["last_verified"] <= today, claim["id"]
        first = min(s["published"] for s in claim["sources"])
        assert claim["last_verified"] >= first, claim["id"]

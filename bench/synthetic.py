"""A synthetic dataset in format v2, for measuring the service at scale (never published).

    python bench/synthetic.py 20000 /tmp/btf-20k   # writes <slug>.json files and vendors.json

Claims are spread over one platform per 100 claims and 50 vendors; every field is filled as a
real claim's would be (a source, a translation, a location, pay, a period), so records have a
realistic size (about 1.5 KB each).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from server.dataset import dumps

KINDS = ("moderation", "labelling", "engagement", "microwork")
COUNTRIES = ("KE", "PH", "IN", "DE", "IE", "US", "CO", "VE", "PT", "LV")
VENDORS = 50


def _source(n: int) -> dict:
    return {"url": f"https://news.example/articles/{n}", "title": f"Report number {n}",
            "publisher": "Example News", "published": f"20{10 + n % 15}-0{1 + n % 9}",
            "quote": "the moderators said they were paid less than promised for each shift",
            "language": "en", "is_copy": False}


def generate(claims: int, seed: int = 1) -> tuple[list[dict], list[dict]]:
    """(vendors, platforms with their claims) for `claims` claims."""
    rng = random.Random(seed)
    vendors = [{"slug": f"vendor-{v:03d}", "name": f"Vendor {v}", "hq_country": "US",
                "website": f"https://vendor-{v}.example/", "description": "A vendor.",
                "wikidata": None, "opencorporates": None, "sites": [], "actions": []}
               for v in range(VENDORS)]
    count = max(1, claims // 100)
    platforms = [{"slug": f"platform-{p:04d}", "name": f"Platform {p}", "owner": "Owner Inc.",
                  "hq_country": "US", "description": "A platform.",
                  "domains": [f"platform-{p:04d}.example"], "actions": [], "moderators": [],
                  "claims": []} for p in range(count)]
    for n in range(claims):
        platform = platforms[n % count]
        year = 2015 + n % 10
        platform["claims"].append({
            "id": f"{platform['slug']}-claim-{n:06d}",
            "kind": KINDS[n % 4],
            "summary": f"A report said that about {n} workers reviewed content for Platform "
                       f"{n % count} through a vendor, for low pay and long shifts.",
            "translations": {"fr": f"Selon un rapport, environ {n} personnes modéraient des "
                                   "contenus pour la plateforme, pour un faible salaire."},
            "platforms": [platform["slug"]],
            "vendors": [vendors[rng.randrange(VENDORS)]["slug"]],
            "locations": [{"country": COUNTRIES[n % len(COUNTRIES)], "city": "Somewhere"}],
            "workers": 100 + n,
            "workers_basis": "contracted",
            "pay": {"amount": 2.5, "currency": "USD", "per": "hour", "qualifier": "about"},
            "observed": {"start": str(year), "end": str(year + 1)},
            "evidence": "investigative_journalism",
            "status": "published",
            "last_verified": "2026-11-20",
            "sources": [_source(n)],
            "responses": [],
        })
    return vendors, platforms


def write(claims: int, directory: Path) -> Path:
    vendors, platforms = generate(claims)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vendors.json").write_text(dumps(vendors), encoding="utf-8")
    for platform in platforms:
        (directory / f"{platform['slug']}.json").write_text(dumps(platform), encoding="utf-8")
    return directory


if __name__ == "__main__":
    write(int(sys.argv[1]), Path(sys.argv[2]))

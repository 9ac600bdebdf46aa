"""How fast `behind-the-feed import` writes: a synthetic dataset of N claims into a fresh database.

    python bench/import_bench.py 2000 [20000 ...]

Writes the dataset to a temporary folder (valid format v2, spread over 100 platforms and 40
vendors, one source each), imports it through the same code as the command, and prints records
per second. Uses SQLite unless BTF_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

PLATFORMS = 100
VENDORS = 40


def synthetic_dataset(folder: Path, claims: int) -> None:
    """A valid dataset folder with `claims` published claims."""
    vendors = [{
        "slug": f"vendor-{v}", "name": f"Vendor {v}", "hq_country": "IE",
        "website": f"https://vendor{v}.example/", "description": "A synthetic vendor.",
        "wikidata": None, "opencorporates": None, "sites": [], "actions": []}
        for v in range(VENDORS)]
    (folder / "vendors.json").write_text(json.dumps(sorted(vendors, key=lambda v: v["slug"])))
    per_platform = [[] for _ in range(PLATFORMS)]
    for n in range(claims):
        p = n % PLATFORMS
        per_platform[p].append({
            "id": f"platform-{p}-claim-{n}", "kind": ("moderation", "labelling", "engagement",
                                                      "microwork")[n % 4],
            "summary": f"A newspaper reported that outsourced workers number {n} review posts.",
            "translations": {"fr": f"Un journal rapporte que {n} travailleurs examinent."},
            "platforms": [f"platform-{p}"], "vendors": [f"vendor-{n % VENDORS}"],
            "locations": [{"country": "KE", "city": "Nairobi"}],
            "workers": 100 + n, "workers_basis": "contracted",
            "pay": {"amount": 2.5, "currency": "USD", "per": "hour", "qualifier": "about"},
            "observed": {"start": "2023-01", "end": None}, "evidence": "investigative_journalism",
            "status": "published", "last_verified": "2026-12-01",
            "sources": [{"url": f"https://news.example/{n}", "title": f"Story {n}",
                         "publisher": "Example News", "published": "2023-02-01",
                         "quote": "workers review posts for hours", "language": "en",
                         "is_copy": False}],
            "responses": []})
    for p, items in enumerate(per_platform):
        (folder / f"platform-{p}.json").write_text(json.dumps({
            "slug": f"platform-{p}", "name": f"Platform {p}", "owner": "Owner", "hq_country": "US",
            "description": "A synthetic platform.", "domains": [f"platform{p}.example"],
            "actions": [], "moderators": [], "claims": items}))


def main(sizes: list[int]) -> None:
    from server import create_app, db
    from server.cli import ensure_database
    from server.dataset import load_dataset
    from server.operations import import_dataset

    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "dataset"
            folder.mkdir()
            synthetic_dataset(folder, size)
            url = os.environ.get("BTF_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "BTF_DATA_DIR": tmp,
                              "BTF_PUBLIC_DIR": f"{tmp}/public"})
            with app.app_context():
                ensure_database(seed=False)
                session = db.get_session()
                started = time.perf_counter()
                dataset = load_dataset(folder)
                loaded = time.perf_counter()
                cpu = time.process_time()
                report = import_dataset(session, dataset, comment="bench")
                session.commit()
                done = time.perf_counter()
                cpu = time.process_time() - cpu
                records = len(report.created) + len(report.updated)
                # CPU time too: on a shared machine the wall time mostly measures the others.
                print(f"{size:>7} claims: validate {loaded - started:6.2f} s, write "
                      f"{done - loaded:6.2f} s, {records / (done - loaded):8.0f} records/s "
                      f"(CPU {cpu:5.2f} s: {records / cpu:6.0f} records per CPU second; "
                      f"{records} records; load {os.getloadavg()[0]:.1f})")
            app.extensions["btf_engine"].dispose()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main([int(a) for a in sys.argv[1:]] or [2000])

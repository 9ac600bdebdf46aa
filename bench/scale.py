"""Publishing, import, start-up and memory at scale, on a synthetic dataset (bench/synthetic.py).

    .venv/bin/python bench/scale.py 2000 20000        # SQLite in a temporary folder
    BTF_DATABASE_URL=postgresql://... bench/scale.py 2000   # an EMPTY PostgreSQL database

Prints one JSON line per size. Figures in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic import write  # noqa: E402


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _app(folder: Path, database_url: str | None):
    from server import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{folder / 'bench.sqlite'}",
        "BTF_DATA_DIR": str(folder), "BTF_PUBLIC_DIR": str(folder / "public"),
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "BTF_SNAPSHOT_REFRESH": "background",
    })


def start_up(folder: str, database_url: str) -> None:
    """In a fresh process: time to the first answer from the files and the database check."""
    import server  # noqa: F401  (the code's import time is not the snapshot's)

    before = rss_mib()
    started = time.perf_counter()
    app = _app(Path(folder), database_url or None)
    app.test_client().get("/api/v1/index")
    seconds = time.perf_counter() - started
    print(json.dumps({"start_s": round(seconds, 3), "rss_mib": round(rss_mib(), 1),
                      "rss_snapshot_mib": round(rss_mib() - before, 1)}))


def measure(claims: int, database_url: str | None) -> dict:
    from sqlalchemy import select

    from server import db
    from server.cli import ensure_database
    from server.dataset import load_dataset
    from server.models import Claim
    from server.operations import commit, import_dataset
    from server.operations.common import mark_public
    from server.records import claim_record
    from server.revisions import record_revision

    folder = Path(tempfile.mkdtemp(prefix=f"btf-bench-{claims}-"))
    files = write(claims, folder / "dataset")
    app = _app(folder, database_url)
    result: dict = {"claims": claims}
    with app.app_context():
        ensure_database(seed=False)
        session = db.get_session()
        started = time.perf_counter()
        dataset = load_dataset(files)
        result["load_files_s"] = round(time.perf_counter() - started, 2)
        records = len(dataset.claims) + len(dataset.platforms) + len(dataset.vendors)
        started, cpu = time.perf_counter(), time.process_time()
        import_dataset(session, dataset, comment="bench")
        session.commit()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        result["import_s"] = round(seconds, 2)
        result["import_records_per_s"] = round(records / seconds)
        # On a shared machine the wall time mostly measures the others: the CPU time too.
        result["import_records_per_cpu_s"] = round(records / cpu)

        holder = app.extensions["btf_snapshot"]
        rss = rss_mib()
        started = time.perf_counter()
        holder._build(session)
        result["full_build_s"] = round(time.perf_counter() - started, 3)
        result["snapshot_rss_mib"] = round(rss_mib() - rss, 1)
        session.rollback()

        keys = list(session.scalars(select(Claim.key).order_by(Claim.key)))
        timings, held, cpus = [], [], []
        for n in range(7):
            claim = session.scalars(select(Claim).where(Claim.key == keys[n * 97 % len(keys)])
                                    ).one()
            before = claim_record(claim)
            claim.workers = (claim.workers or 0) + 1
            claim.version += 1
            session.flush()
            record_revision(session, claim, "update", before, claim_record(claim))
            mark_public(session)
            # The commit as a curator's request makes it: it returns once the transaction is
            # committed; the background worker patches the snapshot and rewrites the files.
            started, cpu = time.perf_counter(), time.process_time()
            commit(session)
            held.append(time.perf_counter() - started)
            holder.wait_for_refresh()
            timings.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            session.rollback()
        result["publish_request_s"] = round(statistics.median(held), 3)
        result["publish_one_claim_s"] = round(statistics.median(timings), 3)
        result["publish_one_claim_cpu_s"] = round(statistics.median(cpus), 3)
        result["load"] = round(os.getloadavg()[0], 1)
        result["publish_patched"] = holder.stats["patches"]
        result["export_mib"] = round(len(holder.peek().export_body) / 2**20, 1)
    app.extensions["btf_engine"].dispose()
    answer = subprocess.run([sys.executable, __file__, "--start-up", str(folder),
                             database_url or ""], capture_output=True, text=True, check=True)
    result.update(json.loads(answer.stdout.strip().splitlines()[-1]))
    return result


if __name__ == "__main__":
    if sys.argv[1] == "--start-up":
        start_up(sys.argv[2], sys.argv[3])
    else:
        url = os.environ.get("BTF_DATABASE_URL")
        for size in sys.argv[1:]:
            print(json.dumps(measure(int(size), url)), flush=True)

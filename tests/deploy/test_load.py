"""Load: the service under gunicorn (2 workers) for 60 seconds at 64 connections on the public API.
No failed request, no 5xx, and the workers' memory does not creep up."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest

from .conftest import gunicorn, rss_kib, service_env, worker_pids
from .loadgen import run_load

SECONDS = 60
CONNECTIONS = 64
WINDOW = 10  # seconds at the start and at the end whose memory is compared
MAX_GROWTH = 0.10


def _mix(base: str) -> list[tuple[str, dict]]:
    """What the public API is asked in real life, unknown hosts and languages included."""
    with urllib.request.urlopen(f"{base}/api/v1/index") as answer:
        etag = answer.headers["ETag"]
        index = json.load(answer)
    hosts = sorted(index["hosts"])
    slugs = sorted(index["platforms"])
    mix: list[tuple[str, dict]] = []
    for n in range(200):
        mix.append(("/api/v1/index", {"If-None-Match": etag}))
        mix.append((f"/api/v1/lookup?host=www.{hosts[n % len(hosts)]}", {}))
        mix.append((f"/api/v1/lookup?host=unlisted-{n}.example.org", {}))
        mix.append((f"/api/v1/platforms/{slugs[n % len(slugs)]}",
                    {"Accept-Language": "fr-FR,fr;q=0.9" if n % 2 else "en"}))
        if n % 10 == 0:
            mix.append(("/api/v1/index", {}))
            mix.append(("/api/v1/platforms?per_page=10", {}))
            mix.append(("/api/v1/vendors", {}))
        if n % 50 == 0:
            mix.append(("/api/v1/export.json", {}))
    return mix


class MemorySampler(threading.Thread):
    """Samples each worker's resident memory once a second."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.samples: list[tuple[float, dict[int, int]]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(1.0):
            self.samples.append((time.monotonic() - started, {p: rss_kib(p) for p in self.pids}))

    def mean(self, pid: int, start: float, end: float) -> float:
        values = [sample[pid] for moment, sample in self.samples if start <= moment < end]
        assert values, f"no memory sample between {start} and {end} s"
        return sum(values) / len(values)


@pytest.mark.load
def test_a_minute_at_64_connections(app, tmp_path):
    env = service_env(app)
    with gunicorn(env, workers=2, log_path=tmp_path / "gunicorn.log") as (base, master):
        mix = _mix(base)
        pids = worker_pids(master.pid)
        assert len(pids) == 2
        sampler = MemorySampler(pids)
        sampler.start()
        try:
            result = run_load(base, mix, connections=CONNECTIONS, seconds=SECONDS)
        finally:
            sampler.stop.set()
            sampler.join()
        assert worker_pids(master.pid) == pids, "a worker died or was replaced under load"
    log = (tmp_path / "gunicorn.log").read_text()

    assert result.failures == {}, f"failed requests: {result.failures}"
    assert result.requests > 0
    assert all(status < 500 for status in result.statuses), result.statuses
    assert set(result.statuses) <= {200, 304, 404}, result.statuses
    assert "Traceback" not in log and "[CRITICAL]" not in log, log[-3000:]
    for pid in pids:
        first = sampler.mean(pid, 0, WINDOW)
        last = sampler.mean(pid, SECONDS - WINDOW, SECONDS)
        assert last <= first * (1 + MAX_GROWTH), (
            f"worker {pid}: {first:.0f} KiB in the first {WINDOW} s, {last:.0f} KiB in the last")
    print(f"\n{result.requests} requests in {result.seconds:.0f} s "
          f"({result.requests / result.seconds:.0f}/s), p50 {result.percentile(0.5) * 1000:.1f} "
          f"ms, p99 {result.percentile(0.99) * 1000:.1f} ms, statuses {dict(result.statuses)}")

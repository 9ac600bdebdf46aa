"""Many writers at once: every write is answered, none with a 5xx, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from server import db
from server.models import Proposal

from .conftest import gunicorn, service_env


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_twenty_parallel_suggestions_are_all_stored(app, tmp_path):
    env = service_env(app, BTF_RATELIMIT_ENABLED="false")
    with gunicorn(env, workers=2, worker_class="gthread", threads=10,
                  log_path=tmp_path / "gunicorn.log") as (base, _process):
        bodies = [{"platform": "facebook", "kind": "missing",
                   "message": f"Report number {n}: a vendor is missing."} for n in range(20)]
        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(lambda b: _post(f"{base}/api/v1/suggestions", b), bodies))
    log = (tmp_path / "gunicorn.log").read_text()
    assert statuses == [201] * 20, (statuses, log[-3000:])
    with app.app_context():
        stored = db.get_session().scalar(
            select(func.count(Proposal.id)).where(Proposal.origin == "suggestion"))
    assert stored == 20

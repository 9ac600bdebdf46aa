"""Two curators saving one claim at the same moment, through real HTTP: one save, one 409 that
shows the loser's text, never a 5xx, on SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import text
from werkzeug.serving import make_server

from server import db, operations
from server.models import Claim, Revision, User

from .helpers import PASSWORD, a_claim, claim_form, form_version

ADA = "Ada's newspaper says two hundred moderators work there."
GRACE = "Grace adds that they are paid two dollars an hour."


@pytest.fixture
def served(capp):
    """The app behind a real threaded HTTP server."""
    server = make_server("127.0.0.1", 0, capp, threaded=True)
    server.daemon_threads = False  # close() waits for requests in flight
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _curator(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    response = browser.post(f"{base}/curate/login", data={"email": email, "password": PASSWORD},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:500]
    return browser


def _draft(capp, people) -> int:
    with capp.app_context():
        session = db.get_session()
        claim = operations.create_claim(session, a_claim(), user=session.get(User,
                                                                            people["curator"]))
        session.commit()
        return claim.id


def _race(base: str, claim_id: int, before_release=None) -> list[requests.Response]:
    ada, grace = _curator(base, "ada@example.org"), _curator(base, "grace@example.org")
    url = f"{base}/curate/claims/{claim_id}/edit"
    versions = [form_version(b.get(url, timeout=30).text) for b in (ada, grace)]
    assert versions == ["1", "1"]
    bodies = [claim_form(a_claim(summary=ADA, workers=210), version="1"),
              claim_form(a_claim(summary=GRACE), version="1")]
    start = threading.Barrier(2)

    def save(pair):
        browser, body = pair
        start.wait()
        return browser.post(url, data=body, allow_redirects=False, timeout=60)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(save, pair) for pair in zip((ada, grace), bodies, strict=True)]
        if before_release is not None:
            before_release()
        return [future.result() for future in futures]


def _one_save_and_one_conflict(capp, claim_id: int, responses: list[requests.Response]) -> None:
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302, 409], [(r.status_code, r.text[:800]) for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    page = html.unescape(loser.text)
    with capp.app_context():
        session = db.get_session()
        claim = session.get(Claim, claim_id)
        saved = claim.summary
        revisions = session.query(Revision).filter_by(entity_type="claim",
                                                      entity_id=claim_id).count()
    assert claim.version == 2 and revisions == 2  # the create and exactly one update
    lost = GRACE if saved == ADA else ADA
    # The loser's text stays in the form, beside the version that was saved.
    assert re.search(r'<textarea[^>]*name="summary"[^>]*>\s*' + re.escape(lost) + "</textarea>",
                     page), "the loser's summary is not in the form"
    assert "Someone else saved this entry while you were editing it" in page
    table = page.split('<table class="diff">')[1].split("</table>")[0]
    words = " ".join(re.sub(r"<[^>]+>", " ", table).split())
    assert saved in words and lost in words  # both texts, side by side
    assert form_version(page.split('class="claim-form"')[1]) == "2"


def test_two_curators_racing_on_one_claim(capp, people, served):
    claim_id = _draft(capp, people)
    _one_save_and_one_conflict(capp, claim_id, _race(served, claim_id))


def test_a_stale_row_met_by_the_database_is_a_conflict(capp, people, served):
    """PostgreSQL: both saves read version 1 and pass the version check; the row lock makes
    the second UPDATE find no row of version 1 (StaleDataError, at an autoflush): a 409 with
    the loser's text, not a 500."""
    if capp.extensions["btf_engine"].dialect.name != "postgresql":
        pytest.skip("SQLite writers queue on BEGIN IMMEDIATE: the version check sees the save")
    claim_id = _draft(capp, people)
    engine = capp.extensions["btf_engine"]
    lock = engine.connect()
    lock.execute(text("SELECT id FROM claims WHERE id = :id FOR UPDATE"), {"id": claim_id})

    def release():
        deadline = time.monotonic() + 30
        with engine.connect() as probe:
            while time.monotonic() < deadline:
                waiting = probe.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")).scalar()
                probe.rollback()
                if waiting >= 2:
                    break
                time.sleep(0.05)
        assert waiting >= 2, "both saves should be waiting on the claim's row"
        lock.rollback()
        lock.close()

    _one_save_and_one_conflict(capp, claim_id, _race(served, claim_id, release))

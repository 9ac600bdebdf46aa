"""The Atom change feeds, read with a feed parser, after real writes with their revisions."""

from __future__ import annotations

import feedparser
from sqlalchemy import select

from server import index
from server.models import Claim, Source
from server.records import claim_record
from server.revisions import record_revision


def _claim(session, platform: str) -> Claim:
    return session.scalars(select(Claim).where(Claim.status == "published")
                           .where(Claim.platforms.any(slug=platform))
                           .order_by(Claim.id)).first()


def _write(session, claim: Claim, change) -> None:
    """Change a claim and record its revision, as the curators' operations do, then publish."""
    before = claim_record(claim)
    change(claim)
    claim.version += 1
    session.flush()
    session.refresh(claim)
    record_revision(session, claim, "update", before, claim_record(claim))
    session.commit()
    index.rebuild(session)


def _feed(client, path: str, **kw):
    response = client.get(path, **kw)
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return response, parsed


def test_the_feed_is_valid_atom_with_the_published_claims(client):
    _, parsed = _feed(client, "/api/v1/changes.atom")
    assert parsed.feed.title == "Behind the Feed: changes"
    assert parsed.entries
    published = {c["id"] for c in client.get("/api/v1/export.json").get_json()["claims"]}
    for entry in parsed.entries:
        assert entry.title.startswith("New claim: ")
        assert entry.id.startswith("tag:")
        claim_ids = [t.term for t in entry.tags if (t.get("scheme") or "").endswith(":claim")]
        assert len(claim_ids) == 1 and claim_ids[0] in published
    dates = [entry.updated_parsed for entry in parsed.entries]
    assert dates == sorted(dates, reverse=True)


def test_a_changed_figure_a_new_source_and_a_retraction_appear(client, db_session):
    claim = _claim(db_session, "tiktok")
    key = claim.key
    _write(db_session, claim, lambda c: setattr(c, "workers", (c.workers or 0) + 7)
           or setattr(c, "workers_basis", c.workers_basis or "estimated"))
    _, parsed = _feed(client, "/api/v1/changes.atom")
    assert parsed.entries[0].title.startswith("Changed figure: ")
    assert key in [t.term for t in parsed.entries[0].tags]

    def add_source(c):
        c.sources.append(Source(url="https://example.org/new-report", title="A new report",
                                publisher="Example", published="2025-01", quote="a quote",
                                language="en", is_copy=False,
                                position=len(c.sources)))
    _write(db_session, claim, add_source)
    _, parsed = _feed(client, "/api/v1/platforms/tiktok/changes.atom")
    assert parsed.entries[0].title.startswith("New source: ")
    assert parsed.feed.title == "Behind the Feed: TikTok (changes)"

    _write(db_session, claim, lambda c: setattr(c, "status", "retracted"))
    _, parsed = _feed(client, "/api/v1/platforms/tiktok/changes.atom")
    titles = [e.title.split(":")[0] for e in parsed.entries[:3]]
    assert titles == ["Retraction", "New source", "Changed figure"]
    # Another platform's feed does not carry them.
    _, other = _feed(client, "/api/v1/platforms/reddit/changes.atom")
    assert all(key not in [t.term for t in e.tags] for e in other.entries)
    # In French.
    _, french = _feed(client, "/api/v1/platforms/tiktok/changes.atom?lang=fr")
    assert french.entries[0].title.startswith("Retrait: ")


def test_conditional_get_answers_304_until_a_publish(client, db_session):
    first, _ = _feed(client, "/api/v1/changes.atom")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/api/v1/changes.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert "Set-Cookie" not in again.headers
    _write(db_session, _claim(db_session, "facebook"), lambda c: setattr(c, "status", "retracted"))
    after = client.get("/api/v1/changes.atom", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag


def test_feeds_make_no_query_and_unknown_platforms_are_404(client, count_queries):
    client.get("/api/v1/changes.atom")
    with count_queries() as statements:
        assert client.get("/api/v1/changes.atom").status_code == 200
        assert client.get("/api/v1/platforms/facebook/changes.atom").status_code == 200
    # At most the once-a-second check for a publish by another host.
    queries = [s for s in statements if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert all("publications" in s and "claims" not in s for s in queries), statements
    response = client.get("/api/v1/platforms/nope/changes.atom")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_lists_the_feeds(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "Atom" in paths["/api/v1/changes.atom"]["get"]["responses"]["200"]["description"]
    assert "304" in paths["/api/v1/changes.atom"]["get"]["responses"]
    assert "/api/v1/platforms/{slug}/changes.atom" in paths

"""Publishing patches the snapshot with what changed: the same bytes as a whole rebuild, one
Publication row per public change, written in the transaction of the change."""

from __future__ import annotations

from sqlalchemy import func, select

from server import index
from server.models import Claim, Platform, Publication, Source
from server.records import claim_record, platform_record
from server.revisions import record_revision


def _published(session, platform: str, n: int = 0) -> Claim:
    return session.scalars(select(Claim).where(Claim.status == "published")
                           .where(Claim.platforms.any(slug=platform))
                           .order_by(Claim.key)).all()[n]


def _revise(session, entity, change, record=claim_record) -> None:
    before = record(entity)
    change(entity)
    entity.version += 1
    session.flush()
    session.refresh(entity)
    record_revision(session, entity, "update", before, record(entity))


def _newest(session) -> int:
    return session.scalar(select(func.max(Publication.id))) or 0


def test_a_publish_patches_the_snapshot_to_the_bytes_of_a_whole_build(app, client, db_session):
    holder = app.extensions["btf_snapshot"]
    client.get("/api/v1/index")
    start = _newest(db_session)
    builds = holder.stats["builds"]

    # A changed figure, a retraction, a platform renamed, a new source: one commit.
    _revise(db_session, _published(db_session, "tiktok"), lambda c: setattr(c, "workers", 4321)
            or setattr(c, "workers_basis", "estimated"))
    retracted = _published(db_session, "facebook")
    _revise(db_session, retracted, lambda c: setattr(c, "status", "retracted"))
    youtube = db_session.scalars(select(Platform).where(Platform.slug == "youtube")).one()
    _revise(db_session, youtube, lambda p: setattr(p, "name", "YouTube (renamed)"),
            record=platform_record)

    def add_source(c):
        c.sources.append(Source(url="https://example.org/patch", title="Patch", publisher="Ex",
                                published="2025", quote="q", language="en", is_copy=False,
                                position=len(c.sources)))
    _revise(db_session, _published(db_session, "reddit"), add_source)
    db_session.commit()
    rows = db_session.execute(select(Publication.entity_type, Publication.entity_key)
                              .where(Publication.id > start).order_by(Publication.id)).all()
    assert [tuple(r) for r in rows] == [
        ("claim", _published(db_session, "tiktok").key), ("claim", retracted.key),
        ("platform", "youtube"), ("claim", _published(db_session, "reddit").key)]

    patched = index.rebuild(db_session)
    assert holder.stats["builds"] == builds, "the publish rebuilt everything"
    assert patched.publication == _newest(db_session)
    whole = index.Snapshot(index.build_export(db_session))
    assert patched.export_body == whole.export_body
    assert patched.index_body == whole.index_body
    assert retracted.key not in {c["id"] for c in patched.export["claims"]}
    body = client.get("/api/v1/platforms/youtube").get_json()
    assert body["name"] == "YouTube (renamed)"
    assert client.get("/api/v1/export.json").data == whole.export_body


def test_a_change_without_publication_rows_still_rebuilds(app, client, db_session):
    client.get("/api/v1/index")
    start = _newest(db_session)
    claim = _published(db_session, "facebook")
    claim.status = "draft"  # written without a revision, as a raw database edit would be
    claim.version += 1
    db_session.commit()
    assert _newest(db_session) == start
    snapshot = index.rebuild(db_session)
    assert claim.key not in {c["id"] for c in snapshot.export["claims"]}


def test_drafts_write_no_publication(app, db_session):
    start = _newest(db_session)
    claim = db_session.scalars(select(Claim).where(Claim.status == "published")).first()
    _revise(db_session, claim, lambda c: setattr(c, "status", "retracted"))
    db_session.commit()
    after_retraction = _newest(db_session)
    assert after_retraction > start
    _revise(db_session, claim, lambda c: setattr(c, "summary", "Edited while retracted."))
    db_session.commit()
    assert _newest(db_session) == after_retraction


def test_a_claim_coming_back_takes_its_place_in_the_patched_export(app, client, db_session):
    holder = app.extensions["btf_snapshot"]
    client.get("/api/v1/index")
    builds = holder.stats["builds"]
    claims = [_published(db_session, "facebook", n) for n in (0, 2)]
    for claim in claims:
        _revise(db_session, claim, lambda c: setattr(c, "status", "retracted"))
    db_session.commit()
    index.rebuild(db_session)
    for claim in claims:
        _revise(db_session, claim, lambda c: setattr(c, "status", "published"))
    db_session.commit()
    patched = index.rebuild(db_session)
    assert holder.stats["builds"] == builds, "the publish rebuilt everything"
    ids = [c["id"] for c in patched.export["claims"]]
    assert {c.key for c in claims} <= set(ids)
    assert ids == sorted(ids)
    assert patched.export_body == index.Snapshot(index.build_export(db_session)).export_body

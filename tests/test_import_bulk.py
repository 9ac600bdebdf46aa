"""The bulk import of new claims: one Revision per record, a Publication row per published
claim (so other hosts learn of it), the records read back as imported, and refused whole when
one text is unsafe."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server import db
from server.dataset import Dataset
from server.models import Claim, Publication, Revision
from server.operations import import_dataset
from server.records import claim_record
from server.text import UnsafeText

_SPEC = importlib.util.spec_from_file_location(
    "synthetic", Path(__file__).resolve().parents[1] / "bench" / "synthetic.py")
synthetic = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(synthetic)


def _dataset(claims: int) -> Dataset:
    vendors, platforms = synthetic.generate(claims)
    return Dataset(vendors=vendors, platforms=platforms)


def test_new_claims_are_written_with_their_revisions_and_publications(empty_app):
    dataset = _dataset(1200)  # more than two batches of 500
    dataset.platforms[0]["claims"][0]["status"] = "draft"
    with empty_app.app_context():
        session = db.get_session()
        report = import_dataset(session, copy.deepcopy(dataset), comment="bulk")
        session.commit()
        assert len(report.created) == 1200 + len(dataset.platforms) + len(dataset.vendors)
        claims = session.scalars(select(Claim)).all()
        assert len(claims) == 1200
        revisions = session.scalar(select(func.count(Revision.id))
                                   .where(Revision.entity_type == "claim"))
        assert revisions == 1200
        published = set(session.scalars(select(Publication.entity_key)
                                        .where(Publication.entity_type == "claim")))
        assert len(published) == 1199
        assert dataset.platforms[0]["claims"][0]["id"] not in published
        by_key = {c.key: c for c in claims}
        for platform in dataset.platforms:
            for record in platform["claims"]:
                assert claim_record(by_key[record["id"]]) == record


def test_an_unsafe_text_refuses_the_whole_import(empty_app):
    dataset = _dataset(600)
    dataset.platforms[-1]["claims"][-1]["sources"][0]["quote"] = "a NUL \x00 here"
    with empty_app.app_context():
        session = db.get_session()
        with pytest.raises(UnsafeText, match="sources.0.quote"):
            import_dataset(session, dataset, comment="bulk")
        session.rollback()
        assert session.scalar(select(func.count(Claim.id))) == 0

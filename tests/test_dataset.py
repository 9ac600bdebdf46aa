"""Dataset files: validated import (all or nothing, errors that name file, entry and field),
and an export that writes the same files back byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server import db
from server.dataset import (
    DATASET_DIR,
    DatasetError,
    collect,
    load_dataset,
    write_dataset,
)
from server.models import Claim, Platform, Revision
from server.operations import import_dataset


def test_shipped_dataset_is_valid():
    dataset = load_dataset(DATASET_DIR)
    assert len(dataset.platforms) >= 12
    assert len(dataset.claims) >= 40


def test_export_writes_the_shipped_files_back_byte_for_byte(app, tmp_path):
    with app.app_context():
        write_dataset(collect(db.get_session()), tmp_path)
    shipped = sorted(p.name for p in DATASET_DIR.glob("*.json"))
    assert sorted(p.name for p in tmp_path.glob("*.json")) == shipped
    for name in shipped:
        assert (tmp_path / name).read_bytes() == (DATASET_DIR / name).read_bytes(), name


def test_seed_writes_a_revision_for_every_entry(db_session):
    claims = db_session.scalar(select(func.count(Claim.id)))
    revisions = db_session.scalar(
        select(func.count(Revision.id)).where(Revision.entity_type == "claim"))
    assert claims == revisions


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def test_bad_file_error_names_file_entry_and_field(tmp_path):
    folder = _copy(tmp_path)
    claim_id = json.loads((folder / "facebook.json").read_text())["claims"][0]["id"]

    def break_it(data):
        data["claims"][0]["locations"] = [{"country": "ZZ"}]
        data["claims"][0]["sources"][0]["url"] = "javascript:alert(1)"

    _edit(folder / "facebook.json", break_it)
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    text = str(caught.value)
    assert f"facebook.json: claim {claim_id}: locations.0.country:" in text
    assert f"facebook.json: claim {claim_id}: sources.0.url: Only http and https" in text


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["domains"].append("com"), "domains: com:"),
    (lambda d: d["domains"].append("youtube.com"), "already listed for"),
    (lambda d: d["claims"][0].update(vendors=["no-such-vendor"]), "unknown vendor"),
    (lambda d: d["claims"][0]["sources"][0].update(quote="word " * 41), "at most 40 words"),
    (lambda d: d["claims"][0].update(sources=[]), "needs at least one source"),
])
def test_cross_checks(tmp_path, change, expected):
    folder = _copy(tmp_path)
    _edit(folder / "facebook.json", change)
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    assert expected in str(caught.value)


def test_a_bad_import_changes_nothing(app, runner, tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "facebook.json", lambda d: d.update(name="Renamed"))
    (folder / "youtube.json").write_text("{ not json")
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code != 0
    assert "youtube.json: not valid JSON" in result.output
    with app.app_context():
        assert db.get_session().scalar(
            select(Platform.name).where(Platform.slug == "facebook")) == "Facebook"


def test_import_dry_run_reports_and_writes_nothing(app, runner, tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "facebook.json", lambda d: d.update(name="Facebook (Meta)"))
    result = runner.invoke(args=["import", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "~ platform facebook" in result.output
    assert "would be 0 created, 1 updated" in result.output
    with app.app_context():
        assert db.get_session().scalar(
            select(Platform.name).where(Platform.slug == "facebook")) == "Facebook"
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.get_session()
        platform = session.scalar(select(Platform).where(Platform.slug == "facebook"))
        assert platform.name == "Facebook (Meta)"
        assert platform.version == 2
        revision = session.scalars(select(Revision).where(
            Revision.entity_type == "platform", Revision.entity_id == platform.id)
            .order_by(Revision.id.desc())).first()
        assert revision.before["name"] == "Facebook" and revision.after["name"] == "Facebook (Meta)"


def test_import_into_empty_database_then_export_round_trips(empty_app, tmp_path):
    with empty_app.app_context():
        session = db.get_session()
        report = import_dataset(session, load_dataset(DATASET_DIR))
        session.commit()
        assert not report.updated and report.created
        write_dataset(collect(session), tmp_path)
    for path in DATASET_DIR.glob("*.json"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()

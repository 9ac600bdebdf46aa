"""Backup and restore with the dataset files: `export DIR --include-unpublished` from one database,
`import DIR` into an empty one, and the public API answers the same, drafts kept as drafts."""

from __future__ import annotations

from pathlib import Path

from conftest import CliRunner
from sqlalchemy import select

from server import db, index
from server.models import Claim

UNPUBLISHED = {"draft": 0, "pending": 1, "changes_requested": 2}


def _hold_back_some_claims(app) -> dict[str, str]:
    """Put a few published claims back in review, so the backup has unpublished work to keep."""
    with app.app_context():
        session = db.get_session()
        claims = session.scalars(select(Claim).where(Claim.status == "published")
                                 .order_by(Claim.key)).all()
        statuses = {}
        for status, position in UNPUBLISHED.items():
            claim = claims[position * 7]
            claim.status = status
            claim.version += 1
            statuses[claim.key] = status
        session.commit()
        index.rebuild(session)
    return statuses


def _public_answers(app) -> dict[str, bytes]:
    client = app.test_client()
    paths = ["/api/v1/index", "/api/v1/export.json", "/api/v1/export.csv", "/api/v1/vendors",
             "/api/v1/platforms?per_page=200"]
    platforms = client.get("/api/v1/index").get_json()["platforms"]
    vendors = [v["slug"] for v in client.get("/api/v1/vendors").get_json()["items"]]
    paths += [f"/api/v1/platforms/{slug}?lang={lang}"
              for slug in platforms for lang in ("en", "fr")]
    paths += [f"/api/v1/vendors/{slug}" for slug in vendors]
    answers = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        answers[path] = response.data
    return answers


def _statuses(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.get_session().execute(select(Claim.key, Claim.status)).all())


def test_export_then_import_into_an_empty_database_gives_the_same_api(make_app, tmp_path):
    source = make_app()
    held_back = _hold_back_some_claims(source)
    backup = tmp_path / "backup"
    result = CliRunner(source).invoke(
        args=["export", str(backup), "--include-unpublished"])
    assert result.exit_code == 0, result.output
    before = _public_answers(source)

    restored = make_app(seed=False)
    result = CliRunner(restored).invoke(args=["import", str(backup)])
    assert result.exit_code == 0, result.output
    after = _public_answers(restored)

    assert sorted(after) == sorted(before)
    for path, body in before.items():
        assert after[path] == body, f"{path} differs after the restore"
    public = Path(restored.config["BTF_PUBLIC_DIR"])
    assert (public / "export.json").read_bytes() == after["/api/v1/export.json"]
    assert (public / "index.json").read_bytes() == after["/api/v1/index"]
    # Unpublished work came back as it was, and still stays out of the public answers.
    assert _statuses(restored) == _statuses(source)
    for key, status in held_back.items():
        assert _statuses(restored)[key] == status
        assert key.encode() not in before["/api/v1/export.json"]

    # And the restored database backs up to the very same files.
    again = tmp_path / "again"
    result = CliRunner(restored).invoke(
        args=["export", str(again), "--include-unpublished"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in backup.iterdir())
    assert sorted(p.name for p in again.iterdir()) == names
    for name in names:
        assert (again / name).read_bytes() == (backup / name).read_bytes(), name


"""Import and export from the admin pages, in the dataset file format: checked, previewed,
applied only on confirmation, all or nothing."""

from __future__ import annotations

import io
import json
import re
import zipfile

from sqlalchemy import func, select

from server import db, operations
from server.dataset import collect, dumps
from server.models import Claim, Platform, Revision, User, Vendor

from .helpers import a_claim, csrf_token, make_user, signed_in


def _export(client) -> dict[str, str]:
    response = client.get("/curate/admin/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _zip(files: dict[str, str]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    buffer.seek(0)
    return buffer


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        session = db.get_session()
        return (session.scalar(select(func.count(Revision.id))),
                session.scalar(select(func.count(Claim.id))))


def test_export_is_every_entry_in_the_dataset_files(capp, people):
    with capp.app_context():
        session = db.get_session()
        operations.create_claim(session, a_claim(), user=session.get(User, people["curator"]))
        session.commit()
        dataset = collect(session, published_only=False)
    files = _export(signed_in(capp, people["admin"]))
    expected = {"vendors.json": dumps(dataset.vendors),
                **{f"{p['slug']}.json": dumps(p) for p in dataset.platforms}}
    assert files == expected
    claims = json.loads(files["testplatform.json"])["claims"]
    assert [(c["id"], c["status"]) for c in claims] == [(a_claim()["id"], "draft")]


def test_import_previews_then_applies_on_confirmation(capp, people):
    admin = signed_in(capp, people["admin"])
    files = _export(admin)
    facebook = json.loads(files["facebook.json"])
    old_description = facebook["description"]
    facebook["description"] = "Social network, described anew."
    vendors = json.loads(files["vendors.json"])
    vendors.append({"slug": "zz-new-vendor", "name": "New Vendor", "hq_country": "PH",
                    "website": None, "description": "A vendor from the import."})
    upload = _zip({"dataset/facebook.json": dumps(facebook), "dataset/vendors.json":
                   dumps(vendors), "dataset/README.txt": "not a dataset file"})
    before = _counts(capp)
    response = admin.post("/curate/admin/import", data={"files": (upload, "dataset.zip")},
                          content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "1 created, 1 updated" in page
    assert "platform facebook: changed" in page and "vendor zz-new-vendor: new" in page
    assert "described anew" in page and old_description.split()[0] in page
    # Nothing is written before the confirmation.
    assert _counts(capp) == before
    with capp.app_context():
        session = db.get_session()
        assert session.scalar(select(Platform.description).where(
            Platform.slug == "facebook")) == old_description
        assert session.scalar(select(Vendor).where(Vendor.slug == "zz-new-vendor")) is None

    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    other_admin = signed_in(capp, make_user(capp, "other@example.org", "admin"))
    before = _counts(capp)
    response = other_admin.post("/curate/admin/import/confirm", data={"token": token})
    assert response.status_code == 302 and _counts(capp) == before  # not theirs to apply

    response = admin.post("/curate/admin/import/confirm", data={"token": token},
                          follow_redirects=True)
    assert b"Imported: 1 created, 1 updated" in response.data
    with capp.app_context():
        session = db.get_session()
        assert session.scalar(select(Platform.description).where(
            Platform.slug == "facebook")) == "Social network, described anew."
        assert session.scalar(select(Vendor.name).where(Vendor.slug == "zz-new-vendor"))
        revisions = session.scalars(select(Revision).order_by(Revision.id.desc()).limit(2)).all()
        assert {r.user_id for r in revisions} == {people["admin"]}
    assert capp.test_client().get("/api/v1/platforms/facebook").get_json()["description"] \
        == "Social network, described anew."
    response = admin.post("/curate/admin/import/confirm", data={"token": token})
    assert response.status_code == 302  # used up
    assert _counts(capp)[0] == before[0] + 2


def test_confirming_after_the_database_changed_shows_the_new_preview(capp, people):
    admin = signed_in(capp, people["admin"])
    platform = json.loads(_export(admin)["testplatform.json"])
    platform["owner"] = "Owner From The File"
    response = admin.post("/curate/admin/import", data={
        "files": (io.BytesIO(dumps(platform).encode()), "testplatform.json")},
        content_type="multipart/form-data")
    assert b"0 created, 1 updated" in response.data
    token = re.search(r'name="token" type="hidden" value="([^"]+)"',
                      response.get_data(as_text=True)).group(1)
    with capp.app_context():
        session = db.get_session()
        record = json.loads(_export(admin)["testplatform.json"])
        record.pop("claims")
        target = session.scalar(select(Platform).where(Platform.slug == "testplatform"))
        operations.update_platform(session, target, {**record, "owner": "Owner From The File"},
                                   user=session.get(User, people["curator"]),
                                   expected_version=target.version)
        session.commit()
    response = admin.post("/curate/admin/import/confirm", data={"token": token})
    assert response.status_code == 409
    assert b"The database changed since you checked these files" in response.data
    assert b"nothing to import" in response.data


def test_import_of_separate_json_files(capp, people):
    admin = signed_in(capp, people["admin"])
    files = _export(admin)
    platform = json.loads(files["testplatform.json"])
    platform["claims"] = [{**a_claim(), "status": "draft"}]
    response = admin.post("/curate/admin/import", data={"files": [
        (io.BytesIO(dumps(platform).encode()), "testplatform.json"),
        (io.BytesIO(files["vendors.json"].encode()), "vendors.json")]},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert b"claim testplatform-moderators-2024: new" in response.data


def test_an_invalid_upload_names_its_problems_and_writes_nothing(capp, people):
    admin = signed_in(capp, people["admin"])
    files = _export(admin)
    facebook = json.loads(files["facebook.json"])
    facebook["claims"][0]["sources"][0]["url"] = "javascript:alert(1)"
    instagram = json.loads(files["instagram.json"])
    instagram["domains"].append("com")
    before = _counts(capp)
    upload = _zip({"facebook.json": dumps(facebook), "instagram.json": dumps(instagram),
                   "broken.json": "{not json", "../escape.json": "{}"})
    response = admin.post("/curate/admin/import", data={"files": (upload, "x.zip")},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "broken.json: not valid JSON" in page
    assert "Only http and https URLs are allowed." in page
    assert "public suffix" in page
    assert _counts(capp) == before
    uploads = capp.config["BTF_DATA_DIR"] + "/curate-imports"
    import os

    assert not os.path.exists(uploads) or os.listdir(uploads) == []
    assert not os.path.exists(os.path.join(capp.config["BTF_DATA_DIR"], "escape.json"))
    response = admin.post("/curate/admin/import",
                          data={"files": (io.BytesIO(b"not a zip"), "data.zip")},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    assert b"not a valid zip file" in response.data


def test_import_and_export_need_csrf_tokens_too(make_app):
    app = make_app()
    admin = signed_in(app, make_user(app, "root@example.org", "admin"))
    upload = _zip({"vendors.json": "[]"})
    response = admin.post("/curate/admin/import", data={"files": (upload, "x.zip")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    token = csrf_token(admin.get("/curate/admin/import").get_data(as_text=True))
    upload = _zip({"vendors.json": "[]"})  # leaves every vendor as it is
    response = admin.post("/curate/admin/import", data={
        "files": (upload, "x.zip"), "csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert b"nothing to import" in response.data

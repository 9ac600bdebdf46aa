"""The messages of the modules that validate records in the reader's language: the record
rules (server/records.py), marshmallow's own messages (server/messages.py), the host rules
(server/domains.py), the dataset files' problems (server/dataset.py) and the refusal of
unstorable text (server/text.py). A curator who asked for French reads them in French; without
a French preference, and on the command line or in a script, they stay word for word English."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile

import pytest
from flask import has_app_context
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from server import db, domains, text
from server.dataset import DATASET_DIR, DatasetError, dumps, load_dataset
from server.models import Platform
from server.records import ClaimRecord, DomainRuleRecord, SourceRecord

from .helpers import PLATFORM_SLUG, a_claim, claim_form, form_version, signed_in


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _field_errors(page: str, field_id: str) -> str:
    match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-error">(.*?)</ul>',
                      page, re.S)
    return re.sub(r"\s+", " ", match.group(1)) if match else ""


def _bad_claim() -> dict:
    """A claim whose source breaks records.py's own rules (an ftp address, a 13th month) and
    marshmallow's (a title and a city too long)."""
    record = a_claim()
    record["sources"][0].update(url="ftp://news.example/moderators", published="2024-13",
                                title="T" * 600)
    record["locations"] = [{"country": "KE", "city": "N" * 130}]
    return record


# --- the claim form --------------------------------------------------------------------------


def test_claim_form_errors_from_the_records_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    client.get("/curate/?lang=fr")
    response = client.post("/curate/claims/new", data=claim_form(_bad_claim()))
    assert response.status_code == 422
    page = _text(response)
    # records.py's own messages
    assert "Seules les URL http et https sont acceptées." in _field_errors(page, "sources-0-url")
    assert "Écrivez AAAA, AAAA-MM ou AAAA-MM-JJ." in _field_errors(page, "sources-0-published")
    # marshmallow's own message, with its numbers in place
    assert "La longueur doit être comprise entre 1 et 500." in _field_errors(
        page, "sources-0-title")
    assert "La longueur doit être comprise entre 1 et 120." in _field_errors(
        page, "locations-0-city")
    # and in the summary at the top, after the field's French label
    assert "Source 1 : URL (http ou https) : Seules les URL http et https sont acceptées." \
        in page
    for english in ("Only http and https URLs are allowed.", "Use YYYY, YYYY-MM or YYYY-MM-DD.",
                    "Length must be between"):
        assert english not in page, english


def test_claim_form_errors_from_the_records_in_english_without_a_preference(capp, people):
    client = signed_in(capp, people["curator"])
    response = client.post("/curate/claims/new", data=claim_form(_bad_claim()))
    assert response.status_code == 422
    page = _text(response)
    assert "Only http and https URLs are allowed." in _field_errors(page, "sources-0-url")
    assert "Use YYYY, YYYY-MM or YYYY-MM-DD." in _field_errors(page, "sources-0-published")
    assert "Length must be between 1 and 500." in _field_errors(page, "sources-0-title")
    assert "Length must be between 1 and 120." in _field_errors(page, "locations-0-city")
    assert "Seules les URL" not in page and "La longueur" not in page


# --- the platform form: host rules -----------------------------------------------------------


def _platform_form(client, lang: str = "") -> tuple[int, dict]:
    with client.application.app_context():
        pid = db.get_session().scalar(select(Platform.id).where(Platform.slug == PLATFORM_SLUG))
    page = _text(client.get(f"/curate/platforms/{pid}/edit{lang}"))
    return pid, {"version": form_version(page), "name": "Test Platform",
                 "owner": "Test Owner Inc.", "hq_country": "US",
                 "description": "A platform for the tests.",
                 "domains": "testplatform.example\ncom\n1.2.3.4\ntestplatform.example/docs/",
                 "preview_urls": "https://www.testplatform.example/a"}


def test_host_rule_errors_in_the_platform_preview_and_save_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    pid, data = _platform_form(client, "?lang=fr")
    page = _text(client.post(f"/curate/platforms/{pid}/edit", data={**data, "preview": "1"}))
    preview = page[page.index('id="preview-title"'):]
    assert "'com' est un suffixe public (section ICANN de la Public Suffix List)" in preview
    assert "'1.2.3.4' est une adresse IP ; seuls des noms d'hôte peuvent être listés" in preview
    assert "le chemin '/docs/' se termine par '/' ; écrivez '/docs'" in preview
    assert "cette plateforme (testplatform)" in preview
    for english in ("is a public suffix", "is an IP address", "ends with '/'"):
        assert english not in page, english
    response = client.post(f"/curate/platforms/{pid}/edit", data={**data, "save": "1"})
    assert response.status_code == 422
    errors = _field_errors(_text(response), "domains")
    assert "'com' est un suffixe public" in errors and "is a public suffix" not in errors


def test_host_rule_errors_in_the_platform_preview_in_english_without_a_preference(capp,
                                                                                 people):
    client = signed_in(capp, people["curator"])
    pid, data = _platform_form(client)
    page = _text(client.post(f"/curate/platforms/{pid}/edit", data={**data, "preview": "1"}))
    assert ("'com' is a public suffix (ICANN section of the Public Suffix List) shared by "
            "unrelated owners; list a domain under it instead") in page
    assert "'1.2.3.4' is an IP address; only host names can be listed" in page
    assert ("the path '/docs/' ends with '/'; write '/docs': a prefix always matches whole "
            "segments") in page
    assert "suffixe public" not in page


# --- the import page: the dataset files' problems --------------------------------------------


def _upload(client, lang: str = ""):
    export = client.get("/curate/admin/export")
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    facebook = json.loads(files["facebook.json"])
    facebook["claims"][0]["sources"][0]["url"] = "javascript:alert(1)"
    facebook["claims"][0]["colour"] = "blue"
    instagram = json.loads(files["instagram.json"])
    instagram["domains"].append("com")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in {"facebook.json": dumps(facebook), "instagram.json": dumps(instagram),
                           "broken.json": "{not json"}.items():
            archive.writestr(name, body)
    buffer.seek(0)
    response = client.post(f"/curate/admin/import{lang}", data={"files": (buffer, "x.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    return _text(response), facebook["claims"][0]["id"]


def test_import_problems_in_french(capp, people):
    admin = signed_in(capp, people["admin"])
    page, claim_id = _upload(admin, "?lang=fr")
    assert "Rien n'a été importé" in page
    assert ("broken.json : JSON non valide : ligne 1, colonne 2 : nom de propriété entre "
            "guillemets droits doubles attendu") in page
    assert (f"facebook.json : fait {claim_id} : sources.0.url : Seules les URL http et https "
            "sont acceptées.") in page
    assert f"facebook.json : fait {claim_id} : colour : Champ inconnu." in page
    assert "instagram.json : domains : com : 'com' est un suffixe public" in page
    for english in ("not valid JSON", "Expecting property name", "Only http and https",
                    "Unknown field.", "is a public suffix", f"claim {claim_id}"):
        assert english not in page, english


def test_import_problems_in_english_without_a_preference(capp, people):
    admin = signed_in(capp, people["admin"])
    page, claim_id = _upload(admin)
    assert ("broken.json: not valid JSON: line 1 column 2: Expecting property name enclosed in "
            "double quotes") in page
    assert f"facebook.json: claim {claim_id}: sources.0.url: Only http and https URLs are " \
        "allowed." in page
    assert f"facebook.json: claim {claim_id}: colour: Unknown field." in page
    assert "instagram.json: domains: com: 'com' is a public suffix" in page
    assert "JSON non valide" not in page and "Champ inconnu" not in page


# --- the JSON API ----------------------------------------------------------------------------


def test_the_api_answers_host_errors_in_the_language_asked(capp):
    client = capp.test_client()
    english = client.get("/api/v1/lookup?host=a..b").get_json()["error"]["message"]
    assert english == ("'a..b' is not a valid host: it has an empty label (two dots in a row, "
                       "or a leading dot)")
    french = client.get("/api/v1/lookup?host=a..b", headers={"Accept-Language": "fr"})
    assert french.get_json()["error"]["message"] == (
        "'a..b' n'est pas un hôte valide : il a une étiquette vide (deux points de suite, ou un "
        "point au début)")
    assert "Accept-Language" in french.headers["Vary"]


# --- outside a request: the command line and scripts -----------------------------------------


def _claim_errors(record: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        ClaimRecord().load(record)
    return caught.value.messages


def _english_everywhere_outside_a_request(tmp_path):
    messages = _claim_errors({**a_claim(), "workers": "many", "colour": "blue",
                              "locations": [{"country": "ZZ"}]})
    assert messages["workers"] == ["Not a valid integer."]
    assert messages["colour"] == ["Unknown field."]
    assert messages["locations"] == {0: {"country": [
        "'ZZ' is not an ISO 3166-1 alpha-2 country code."]}}
    json.dumps(messages, default=str)  # plain text, not lazy objects
    assert all(type(m) is str for m in messages["workers"] + messages["colour"])
    with pytest.raises(ValidationError) as caught:
        SourceRecord().load({**a_claim()["sources"][0], "quote": "word " * 41, "title": "\x00"})
    assert caught.value.messages == {"title": [
        "Contains a character that cannot be stored (a NUL or a lone surrogate)."]}
    with pytest.raises(ValidationError) as caught:
        DomainRuleRecord().load({"host": "example.com", "path": "/a/"})
    assert caught.value.messages == {"path": [
        "A path starts with / and has no query, fragment or final slash."]}
    with pytest.raises(ValueError, match=r"^'com' is a public suffix \(ICANN section"):
        domains.check_listable("com")
    with pytest.raises(ValueError, match=r"^the path '/a/' ends with '/'; write '/a': "):
        domains.check_path("/a/")
    assert text.message() == text.MESSAGE
    folder = tmp_path / "dataset"
    folder.mkdir(parents=True)
    (folder / "vendors.json").write_text((DATASET_DIR / "vendors.json").read_text())
    (folder / "broken.json").write_text("[1,]")
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    assert caught.value.errors == ["broken.json: not valid JSON: line 1 column 4: Expecting value"]


def test_english_on_the_command_line_and_in_scripts(capp, tmp_path):
    assert not has_app_context()
    _english_everywhere_outside_a_request(tmp_path / "no-app")  # no application at all
    with capp.app_context():  # the command line runs in an application, with no request
        _english_everywhere_outside_a_request(tmp_path / "app")
    with capp.test_request_context("/api/v1/platforms"):  # a request without a preference
        _english_everywhere_outside_a_request(tmp_path / "request")


def test_marshmallow_messages_keep_their_values_in_french(capp):
    """marshmallow fills each message with str.format after it is translated: the numbers,
    the choices and the kind of value stay in place."""

    class Sample(Schema):
        day = fields.Date()
        moment = fields.DateTime()
        size = fields.Integer(validate=validate.Range(min=1, max=5, max_inclusive=False))
        kind = fields.String(validate=validate.OneOf(["a", "b"]))
        words = fields.List(fields.String(), validate=validate.Length(equal=2))

    with capp.test_request_context("/curate/", headers={"Accept-Language": "fr"}):
        with pytest.raises(ValidationError) as caught:
            Sample().load({"day": "x", "moment": "y", "size": 9, "kind": "c", "words": []})
        assert caught.value.messages == {
            "day": ["Date non valide."],
            "moment": ["Date et heure non valides."],
            "size": ["Doit être supérieur ou égal à 1 et inférieur à 5."],
            "kind": ["Doit être l'une de ces valeurs : a, b."],
            "words": ["La longueur doit être de 2."],
        }
        assert _claim_errors({**a_claim(), "workers": "many"}) == {
            "workers": ["Nombre entier non valide."]}

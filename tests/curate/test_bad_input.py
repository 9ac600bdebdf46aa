"""Odd input gets a 4xx naming the field, and leaves every page working afterwards."""

from __future__ import annotations

import json

import pytest

from .helpers import signed_in

SUGGESTION = {"platform": "facebook", "kind": "missing", "message": "A vendor is missing."}


def _post_json(client, body: str):
    return client.post("/api/v1/suggestions", data=body, content_type="application/json")


@pytest.mark.parametrize("bad", ["\ud800", "before\x00after", "\udfff tail"])
def test_a_suggestion_with_an_unstorable_character_is_refused_and_pages_still_work(
        capp, people, bad):
    response = _post_json(capp.test_client(), json.dumps({**SUGGESTION, "message": bad}))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "NUL or a lone surrogate" in error["fields"]["message"][0]
    curator = signed_in(capp, people["curator"])
    assert curator.get("/curate/proposals").status_code == 200
    assert curator.get("/curate/").status_code == 200


@pytest.mark.parametrize("body, words", [
    ("[" * 5000 + "]" * 5000, "Nested more than"),
    (json.dumps(SUGGESTION)[:-1] + ', "n": ' + "9" * 5000 + "}", "more than 32 characters"),
    ('{"platform": "facebook", "kind": "missing", "message": NaN}', "not a JSON number"),
    ('{"a": ' * 40 + "1" + "}" * 40, "Nested more than"),
])
def test_json_bodies_too_deep_or_with_huge_numbers_get_400(capp, body, words):
    response = _post_json(capp.test_client(), body)
    assert response.status_code == 400
    assert words in json.dumps(response.get_json())


def test_a_normal_suggestion_still_goes_through(capp):
    response = _post_json(capp.test_client(), json.dumps(SUGGESTION))
    assert response.status_code == 201


@pytest.mark.parametrize("path", [
    "/api/v1/lookup?host=face%00book.com",
    "/api/v1/platforms?page=1%00",
    "/workshop/collections/new?p=%00",
])
def test_query_strings_with_nul_or_surrogates_get_400(capp, path):
    response = capp.test_client().get(path)
    assert response.status_code == 400


def test_curator_search_with_nul_gets_400_and_search_still_works(capp, people):
    curator = signed_in(capp, people["curator"])
    response = curator.get("/curate/claims?q=sama%00")
    assert response.status_code == 400
    assert b"cannot be stored" in response.data
    assert curator.get("/curate/claims?q=sama").status_code == 200


def test_a_workshop_collection_named_with_nul_is_refused(capp):
    client = capp.test_client()
    response = client.post("/workshop/collections",
                           data={"name": "Class\x00 4B", "platforms": ["facebook"]})
    assert response.status_code == 400
    assert client.get("/workshop/").status_code == 200


def test_a_deeply_nested_import_file_is_a_clear_error(tmp_path):
    from server.dataset import DatasetError, load_dataset

    (tmp_path / "vendors.json").write_text("[]")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DatasetError) as error:
        load_dataset(tmp_path)
    assert "deep.json: not valid JSON" in str(error.value)
    assert "Nested more than" in str(error.value)

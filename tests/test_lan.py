"""`serve --lan` offers the workshop and the public API to the classroom, not the curators."""

from __future__ import annotations


def test_with_curate_switched_off_the_workspace_is_not_found_and_the_rest_works(make_app):
    app = make_app(BTF_CURATE_ENABLED=False)
    client = app.test_client()
    for path in ("/curate/", "/curate/login", "/curate/claims"):
        assert client.get(path).status_code == 404, path
    assert client.post("/curate/login", data={"email": "a@b.c"}).status_code == 404
    assert client.get("/workshop/").status_code == 200
    assert client.get("/api/v1/platforms").status_code == 200


def test_by_default_the_workspace_is_there(make_app):
    client = make_app().test_client()
    assert client.get("/curate/login").status_code == 200

"""export.json is synced by the extension like the index: a strong ETag and 304 on If-None-Match."""

import json


def test_export_json_answers_if_none_match_with_304(client):
    first = client.get("/api/v1/export.json")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    assert json.loads(first.data)["claims"]

    again = client.get("/api/v1/export.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag

    stale = client.get("/api/v1/export.json", headers={"If-None-Match": '"not-it"'})
    assert stale.status_code == 200
    assert stale.data == first.data
    assert stale.headers["ETag"] == etag

"""The public API v1, through real HTTP requests to the app on a seeded database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from server.models import Claim, Proposal, Revision


def test_lookup_answers_facebook_for_a_mobile_subdomain(client):
    response = client.get("/api/v1/lookup?host=m.facebook.com")
    assert response.status_code == 200
    body = response.get_json()
    assert body["slug"] == "facebook"
    assert body["name"] == "Facebook"
    assert body["host"] == "facebook.com"
    assert body["total"] == sum(body["counts"].values()) > 0
    assert set(body["counts"]) == {"moderation", "labelling", "engagement", "microwork"}
    assert body["url"] == "/api/v1/platforms/facebook"


def test_lookup_by_url_uses_only_the_host(client):
    body = client.get("/api/v1/lookup", query_string={
        "url": "https://User@WWW.YouTube.com:443/watch?v=x#t"}).get_json()
    assert body["slug"] == "youtube"


@pytest.mark.parametrize("host", ["notfacebook.com", "facebook.com.evil.example", "localhost",
                                  "127.0.0.1", "example.org"])
def test_lookup_of_an_unlisted_host_is_a_json_404(client, host):
    response = client.get("/api/v1/lookup", query_string={"host": host})
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("host", ["bad host", "a..b", "x" * 64 + ".com"])
def test_lookup_of_an_invalid_host_says_why(client, host):
    response = client.get("/api/v1/lookup", query_string={"host": host})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert error["message"]


def test_lookup_without_host_or_url_is_400_with_the_field(client):
    response = client.get("/api/v1/lookup")
    assert response.status_code == 400
    assert "host" in response.get_json()["error"]["fields"]


def test_index_has_a_strong_etag_and_answers_304(client):
    response = client.get("/api/v1/index")
    assert response.status_code == 200
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    body = response.get_json()
    assert body["hosts"]["facebook.com"] == "facebook"
    assert body["platforms"]["facebook"]["total"] > 0
    assert etag == f'"{body["version"]}"'
    again = client.get("/api/v1/index", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_index_counts_only_published_claims(app, client, db_session):
    before = client.get("/api/v1/index").get_json()["platforms"]["facebook"]
    claim = db_session.scalars(
        select(Claim).where(Claim.status == "published", Claim.kind == "moderation")
        .where(Claim.platforms.any(slug="facebook"))).first()
    claim.status = "draft"
    claim.version += 1
    db_session.commit()
    # Nothing changes until the index is rebuilt, as on a publish.
    assert client.get("/api/v1/index").get_json()["platforms"]["facebook"] == before
    from server import index

    index.rebuild(db_session)
    after = client.get("/api/v1/index").get_json()["platforms"]["facebook"]
    assert after["total"] == before["total"] - 1
    assert after["counts"]["moderation"] == before["counts"]["moderation"] - 1
    detail = client.get("/api/v1/platforms/facebook").get_json()
    assert claim.key not in {c["id"] for c in detail["claims"]}


def test_hot_path_makes_no_database_query(client, count_queries):
    client.get("/api/v1/index")  # the first request may build the snapshot
    etag = client.get("/api/v1/index").headers["ETag"]
    with count_queries() as statements:
        assert client.get("/api/v1/lookup?host=www.facebook.com").status_code == 200
        assert client.get("/api/v1/index", headers={"If-None-Match": etag}).status_code == 304
        assert client.get("/api/v1/index").status_code == 200
        assert client.get("/api/v1/platforms/youtube").status_code == 200
    # At most the once-a-second check for a publish by another host.
    queries = [s for s in statements if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert all("publications" in s and "claims" not in s for s in queries), statements
    assert len(queries) <= 1


def test_platforms_are_paginated(client):
    first = client.get("/api/v1/platforms?per_page=5").get_json()
    assert first["page"] == 1 and first["per_page"] == 5
    assert len(first["items"]) == 5
    assert first["total"] >= 12
    second = client.get("/api/v1/platforms?per_page=5&page=2").get_json()
    assert {i["slug"] for i in first["items"]}.isdisjoint({i["slug"] for i in second["items"]})
    assert client.get("/api/v1/platforms?page=999").status_code == 404
    assert client.get("/api/v1/platforms?per_page=0").status_code == 400


def test_platform_detail_has_claims_with_vendors_and_sources(client):
    body = client.get("/api/v1/platforms/facebook").get_json()
    assert body["slug"] == "facebook"
    assert "facebook.com" in body["domains"]
    assert len(body["claims"]) == body["total"]
    for claim in body["claims"]:
        assert claim["sources"], claim["id"]
        for source in claim["sources"]:
            assert source["url"].startswith(("http://", "https://"))
            assert source["publisher"] and source["quote"]
    assert any(c["vendor"] and c["vendor"]["name"] for c in body["claims"])


def test_platform_detail_in_french_falls_back_to_english(client):
    english = client.get("/api/v1/platforms/facebook").get_json()["claims"]
    french = client.get("/api/v1/platforms/facebook?lang=fr").get_json()["claims"]
    for en, fr in zip(english, french, strict=True):
        expected = en["translations"].get("fr", en["summary"])
        assert fr["summary"] == expected
    by_header = client.get("/api/v1/platforms/facebook",
                           headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_json()["claims"]
    assert [c["summary"] for c in by_header] == [c["summary"] for c in french]
    assert client.get("/api/v1/platforms/facebook?lang=de").get_json()["claims"][0]["summary"] \
        == english[0]["summary"]


def test_unknown_platform_and_vendor_are_json_404(client):
    for path in ("/api/v1/platforms/nope", "/api/v1/vendors/nope", "/api/v1/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_json_405(client):
    response = client.delete("/api/v1/index")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_vendors_list_and_detail(client):
    items = client.get("/api/v1/vendors").get_json()["items"]
    assert items
    sama = next(v for v in items if v["slug"] == "sama")
    assert "facebook" in sama["platforms"]
    detail = client.get("/api/v1/vendors/sama").get_json()
    assert detail["total"] == len(detail["claims"]) == sama["total"]
    assert all("sama" in [v["slug"] for v in c["vendors"]] for c in detail["claims"])


def test_export_json_has_licence_and_only_published_claims(client, db_session):
    body = client.get("/api/v1/export.json").get_json()
    assert body["licence"]["name"] == "CC BY-SA 4.0"
    published = db_session.scalar(select(func.count(Claim.id)).where(Claim.status == "published"))
    assert len(body["claims"]) == published
    claim = body["claims"][0]
    assert set(claim) == {"id", "kind", "summary", "translations", "platforms", "vendors",
                          "locations", "workers", "workers_basis", "pay", "observed", "evidence",
                          "last_verified", "sources", "responses"}
    assert set(claim["sources"][0]) >= {"url", "title", "publisher", "published", "quote",
                                        "is_copy"}


def test_export_csv_has_a_row_per_claim(client):
    import csv
    import io

    response = client.get("/api/v1/export.csv")
    assert response.mimetype == "text/csv"
    assert "license" in response.headers["Link"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    claims = client.get("/api/v1/export.json").get_json()["claims"]
    assert [r["id"] for r in rows] == [c["id"] for c in claims]
    assert all("CC BY-SA 4.0" in r["licence"] for r in rows)


def test_suggestion_becomes_a_proposal(client, app, db_session):
    response = client.post("/api/v1/suggestions", json={
        "host": "www.Example-Platform.com", "kind": "missing",
        "message": "Their moderators are outsourced.", "source_url": "https://example.org/a"})
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers
    proposal = db_session.get(Proposal, response.get_json()["id"])
    assert proposal.origin == "suggestion"
    assert proposal.host == "www.example-platform.com"
    assert proposal.payload["message"] == "Their moderators are outsourced."
    assert proposal.status == "new"


@pytest.mark.parametrize("payload, field", [
    ({"kind": "missing", "message": "x"}, "host"),
    ({"host": "facebook.com", "kind": "bogus", "message": "x"}, "kind"),
    ({"host": "facebook.com", "kind": "wrong", "message": ""}, "message"),
    ({"host": "facebook.com", "kind": "wrong", "message": "x", "source_url": "javascript:x"},
     "source_url"),
    ({"host": "bad host", "kind": "wrong", "message": "x"}, "host"),
    ({"platform": "no-such-platform", "kind": "wrong", "message": "x"}, "platform"),
    ({"host": "facebook.com", "kind": "wrong", "message": "x", "extra": 1}, "extra"),
])
def test_bad_suggestions_get_field_messages(client, payload, field):
    response = client.post("/api/v1/suggestions", json=payload)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_malformed_and_oversized_suggestions(client):
    response = client.post("/api/v1/suggestions", data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.is_json
    big = {"host": "facebook.com", "kind": "other", "message": "x" * 11000}
    response = client.post("/api/v1/suggestions", data=json.dumps(big),
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_suggestions_are_rate_limited_with_retry_after(make_app):
    app = make_app(BTF_SUGGESTION_LIMIT="2 per minute")
    client = app.test_client()
    for n in range(2):
        response = client.post("/api/v1/suggestions", json={
            "host": "facebook.com", "kind": "other", "message": f"note {n}"})
        assert response.status_code == 201
    response = client.post("/api/v1/suggestions", json={
        "host": "facebook.com", "kind": "other", "message": "one too many"})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0


def test_server_error_is_json_without_traceback(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text and "Traceback" not in text
    assert response.get_json()["error"]["code"] == "internal_server_error"


def test_openapi_document_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in ("/api/v1/index", "/api/v1/lookup", "/api/v1/platforms",
                 "/api/v1/platforms/{slug}", "/api/v1/vendors", "/api/v1/vendors/{slug}",
                 "/api/v1/export.json", "/api/v1/export.csv", "/api/v1/suggestions"):
        assert path in paths, path
    assert "post" in paths["/api/v1/suggestions"]
    ok = paths["/api/v1/lookup"]["get"]["responses"]["200"]["content"]["application/json"]
    name = ok["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"slug", "host", "counts"} <= set(spec["components"]["schemas"][name]["properties"])


def test_api_sets_no_cookies(client):
    for path in ("/api/v1/index", "/api/v1/lookup?host=facebook.com", "/api/v1/platforms"):
        assert "Set-Cookie" not in client.get(path).headers


def test_the_bare_address_opens_the_workshop(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/workshop/")


def test_a_suggestion_is_recorded_in_history_and_queued_once(client, db_session):
    report = {"platform": "tiktok", "kind": "wrong", "message": "The head count is outdated."}
    first = client.post("/api/v1/suggestions", json=report).get_json()
    second = client.post("/api/v1/suggestions", json=report).get_json()
    assert first["id"] == second["id"]
    revisions = db_session.scalars(select(Revision).where(
        Revision.entity_type == "proposal", Revision.entity_id == first["id"])).all()
    assert [r.action for r in revisions] == ["create"]
    assert revisions[0].after["platform"] == "tiktok"


@pytest.mark.parametrize("path, headers", [
    ("/api/v1/index", {}),
    ("/api/v1/index", {"If-None-Match": "*"}),
    ("/api/v1/lookup?host=www.facebook.com", {}),
    ("/api/v1/lookup?url=https://m.youtube.com/watch", {}),
])
def test_fast_lane_answers_exactly_as_the_flask_views(app, client, path, headers):
    from werkzeug.test import Client

    client.get("/api/v1/index")  # the first request builds the snapshot
    flask_only = Client(app.wsgi_app.wsgi_app)  # the app without the fast lane in front
    fast = client.get(path, headers=headers)
    slow = flask_only.get(path, headers=headers)
    assert fast.status_code == slow.status_code
    assert fast.data == slow.data
    for name in ("Content-Type", "ETag", "Cache-Control", "Access-Control-Allow-Origin",
                 "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert fast.headers.get(name) == slow.headers.get(name), name


def test_lookup_questions_the_fast_lane_cannot_answer_still_get_answers(client):
    assert client.get("/api/v1/lookup?host=facebook.com&lang=fr").get_json()["slug"] == "facebook"
    assert client.get("/api/v1/lookup?host=").status_code == 400
    assert client.head("/api/v1/index").data == b""


# --- the supply chain, moderators per language, what you can do, replies ----------------------


def test_platform_detail_lists_its_vendors_from_the_claims(client):
    body = client.get("/api/v1/platforms/facebook").get_json()
    claims = {c["id"]: c for c in body["claims"]}
    named = {v["slug"] for c in body["claims"] for v in c["vendors"]}
    assert {v["slug"] for v in body["vendors"]} == named
    assert "sama" in named
    totals = [v["total"] for v in body["vendors"]]
    assert totals == sorted(totals, reverse=True)
    for vendor in body["vendors"]:
        assert vendor["total"] == len(vendor["claim_ids"]) > 0
        assert vendor["name"]
        for claim_id in vendor["claim_ids"]:
            assert vendor["slug"] in [v["slug"] for v in claims[claim_id]["vendors"]]
        observed = {(claims[i]["observed"]["start"], claims[i]["observed"]["end"])
                    for i in vendor["claim_ids"] if claims[i]["observed"]}
        assert sorted(observed, key=lambda p: (p[0], p[1] or "")) == \
            [tuple(p) for p in vendor["periods"]]


def _set_platform_extras(db_session, slug: str):
    from server import index
    from server.models import Platform

    source = {"url": "https://example.org/report", "title": "Transparency report",
              "publisher": "Example", "published": "2024-10", "quote": "2 Dutch moderators",
              "language": "en", "is_copy": False}
    platform = db_session.scalars(select(Platform).where(Platform.slug == slug)).one()
    platform.moderators = [{"language": "nl", "count": 2,
                            "period": {"start": "2024-01", "end": "2024-06"},
                            "period_label": "H1 2024", "internal": 2, "external": None,
                            "note": None, "source": source}]
    platform.actions = [{"kind": "complaint", "name": "Appeals", "url": "https://example.org/a",
                         "description": "How to appeal.",
                         "translations": {"fr": "Comment faire appel."}, "source": None}]
    platform.version += 1
    db_session.commit()
    index.rebuild(db_session)
    return source


def test_platform_detail_gives_moderators_and_actions_in_the_language(client, db_session):
    source = _set_platform_extras(db_session, "youtube")
    english = client.get("/api/v1/platforms/youtube").get_json()
    assert english["moderators"] == [{
        "language": "nl", "count": 2, "period": {"start": "2024-01", "end": "2024-06"},
        "period_label": "H1 2024", "internal": 2, "external": None, "note": None,
        "source": source}]
    assert english["actions"] == [{"kind": "complaint", "name": "Appeals",
                                   "url": "https://example.org/a",
                                   "description": "How to appeal.", "language": "en",
                                   "source": None}]
    french = client.get("/api/v1/platforms/youtube?lang=fr").get_json()
    assert french["actions"][0]["description"] == "Comment faire appel."
    assert french["actions"][0]["language"] == "fr"


def test_claims_carry_replies_in_the_language_and_archive_links(client, db_session):
    from server import index

    claim = db_session.scalars(select(Claim).where(Claim.status == "published")
                               .where(Claim.platforms.any(slug="tiktok"))
                               .order_by(Claim.id)).first()
    source = {"url": "https://example.org/reply", "title": "Reply", "publisher": "Example",
              "published": "2024-01-02", "quote": "We deny it", "language": "en",
              "is_copy": False, "archive_url": "https://web.archive.org/web/2024/https://example.org/reply"}
    claim.responses = [{"by": "TikTok", "summary": "TikTok denied it.",
                        "translations": {"fr": "TikTok a démenti."}, "source": source}]
    claim.sources[0].archive_url = "https://web.archive.org/web/2023/https://example.org/a"
    claim.version += 1
    db_session.commit()
    index.rebuild(db_session)
    for lang, summary in (("en", "TikTok denied it."), ("fr", "TikTok a démenti.")):
        body = client.get(f"/api/v1/platforms/tiktok?lang={lang}").get_json()
        view = next(c for c in body["claims"] if c["id"] == claim.key)
        assert view["responses"] == [{"by": "TikTok", "summary": summary, "language": lang,
                                      "translations": {"fr": "TikTok a démenti."},
                                      "source": source}]
        assert view["sources"][0]["archive_url"] == \
            "https://web.archive.org/web/2023/https://example.org/a"
    exported = next(c for c in client.get("/api/v1/export.json").get_json()["claims"]
                    if c["id"] == claim.key)
    assert exported["responses"][0]["summary"] == "TikTok denied it."


def test_vendor_detail_gives_platforms_countries_sites_and_ids(client):
    detail = client.get("/api/v1/vendors/sama").get_json()
    claims = detail["claims"]
    assert claims and detail["total"] == len(claims)
    by_platform = {}
    for claim in claims:
        for slug in claim["platforms"]:
            by_platform.setdefault(slug, []).append(claim["id"])
    assert {p["slug"]: p["claim_ids"] for p in detail["platforms"]} == by_platform
    assert all(p["total"] == len(p["claim_ids"]) for p in detail["platforms"])
    countries = {}
    for claim in claims:
        for country in {loc["country"] for loc in claim["locations"]}:
            countries[country] = countries.get(country, 0) + 1
    assert {c["country"]: c["total"] for c in detail["countries"]} == countries
    assert "KE" in countries
    for key in ("sites", "actions", "wikidata", "opencorporates"):
        assert key in detail
    for action in detail["actions"]:
        assert set(action) == {"kind", "name", "url", "description", "language", "source"}


def test_openapi_documents_the_new_fields(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"vendors", "moderators", "actions"} <= set(schemas["PlatformDetail"]["properties"])
    assert {"platforms", "countries", "sites", "actions", "wikidata", "opencorporates"} <= \
        set(schemas["VendorDetail"]["properties"])
    assert {"language", "count", "period", "period_label", "internal", "external", "note",
            "source"} <= set(schemas["Moderators"]["properties"])
    assert "responses" in schemas["Claim"]["properties"]
    assert "archive_url" in schemas["Source"]["properties"]
    assert "qualifier" in schemas["Pay"]["properties"]

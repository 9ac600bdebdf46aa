"""Host rules with scopes through the public API: the index's `rules`, and lookups by URL and host.

On the app seeded with the shipped dataset, where Google Search is listed as path rules
(`www.google.com/search`, ...) and the Amazon marketplace as exact hosts.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from server.domains import HostRules, rule_from_entry


def _lookup(client, name: str, value: str):
    return client.get(f"/api/v1/lookup?{name}={quote(value, safe='')}")


def test_the_index_lists_plain_hosts_and_the_other_rules_apart(client):
    index = client.get("/api/v1/index").get_json()
    rules = index["rules"]
    assert {"host": "www.google.com", "slug": "google-search", "path": "/search"} in rules
    assert {"host": "www.amazon.com", "slug": "amazon", "scope": "exact"} in rules
    assert {"host": "amazon.com", "slug": "amazon", "scope": "exact"} in rules
    assert all(("scope" in rule) != ("path" in rule) for rule in rules)
    assert rules == sorted(rules, key=lambda r: (r["host"], r.get("path", ""), r.get("scope", "")))
    assert not {"google.com", "amazon.com", "www.google.com"} & set(index["hosts"])
    assert index["hosts"]["facebook.com"] == "facebook"
    assert all(rule["slug"] in index["platforms"] for rule in rules)


def test_the_index_holds_every_published_rule_once(client):
    index = client.get("/api/v1/index").get_json()
    export = client.get("/api/v1/export.json").get_json()
    from_export = sorted(
        (rule_from_entry(entry, platform["slug"]) for platform in export["platforms"]
         for entry in platform["domains"]),
        key=lambda r: r.sort_key(),
    )
    assert HostRules(index["hosts"], index["rules"]).rules() == from_export


@pytest.mark.parametrize("url", [
    "https://www.google.com/search?q=content+moderation",
    "https://www.google.com/search",
    "https://www.google.fr/search?q=mod%C3%A9ration",
    "https://www.google.co.uk/search/about",
])
def test_google_search_is_matched_on_its_search_path(client, url):
    response = _lookup(client, "url", url)
    assert response.status_code == 200
    body = response.get_json()
    assert body["slug"] == "google-search"
    assert body["scope"] == "subdomains"
    assert body["path"] == "/search"
    assert body["host"].startswith("www.google.")
    assert body["url"] == "/api/v1/platforms/google-search"


@pytest.mark.parametrize("url", [
    "https://mail.google.com/mail/u/0/#search/invoice",
    "https://docs.google.com/document/d/abc/edit",
    "https://drive.google.com/drive/search?q=x",
    "https://maps.google.com/maps?q=Nairobi",
    "https://www.google.com/maps/search/Nairobi",
    "https://news.google.com/search?q=x",
    "https://www.google.com/",
    "https://www.google.com/searchengine",
])
def test_other_google_products_are_not_google_search(client, url):
    response = _lookup(client, "url", url)
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_host_alone_answers_what_the_host_can_tell(client):
    # www.google.com is Google Search only under /search: the host alone says nothing.
    assert _lookup(client, "host", "www.google.com").status_code == 404
    assert _lookup(client, "host", "https://www.google.com/search?q=x").status_code == 404
    assert _lookup(client, "url", "www.google.com").status_code == 404
    # Exact and plain rules need no path.
    assert _lookup(client, "host", "www.amazon.com").get_json()["slug"] == "amazon"
    body = _lookup(client, "host", "m.facebook.com").get_json()
    assert (body["slug"], body["host"], body["scope"], body["path"]) == (
        "facebook", "facebook.com", "subdomains", "")


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.amazon.com/dp/B000000000", "www.amazon.com"),
    ("https://amazon.com/", "amazon.com"),
    ("https://www.amazon.de/gp/cart/view.html", "www.amazon.de"),
])
def test_the_amazon_marketplace_is_matched_host_by_host(client, url, host):
    body = _lookup(client, "url", url).get_json()
    assert (body["slug"], body["host"], body["scope"], body["path"]) == (
        "amazon", host, "exact", "")


@pytest.mark.parametrize("url", [
    "https://aws.amazon.com/ec2/",
    "https://console.aws.amazon.com/console/home",
    "https://docs.aws.amazon.com/",
])
def test_aws_is_not_the_amazon_marketplace(client, url):
    assert _lookup(client, "url", url).status_code == 404
    assert _lookup(client, "host", url).status_code == 404


@pytest.mark.parametrize("query", [
    "url=" + quote("https://www.google.com/search?q=x", safe=""),
    "url=https://www.google.fr/search/about",
    "host=www.amazon.com",
    "url=" + quote("https://www.amazon.com/dp/x?ref=y", safe=""),
    "host=" + quote("https://www.google.com/search", safe=""),
    "url=https://aws.amazon.com/",
])
def test_fast_lane_answers_rule_lookups_exactly_as_the_flask_view(app, client, query):
    from werkzeug.test import Client

    client.get("/api/v1/index")  # the first request builds the snapshot
    flask_only = Client(app.wsgi_app.wsgi_app)  # the app without the fast lane in front
    path = f"/api/v1/lookup?{query}"
    fast = client.get(path)
    slow = flask_only.get(path)
    assert fast.status_code == slow.status_code
    assert fast.data == slow.data
    assert fast.headers.get("Content-Type") == slow.headers.get("Content-Type")
    assert fast.headers.get("Cache-Control") == slow.headers.get("Cache-Control")
    # A found platform is answered by the fast lane itself, not handed on to Flask.
    fast_lane = app.wsgi_app
    answer = fast_lane._lookup(fast_lane.holder.peek(), {"QUERY_STRING": query})
    if fast.status_code == 200:
        assert answer is not None and answer[2] == fast.data
    else:
        assert answer is None

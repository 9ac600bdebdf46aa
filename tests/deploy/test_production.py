"""Production mode: security headers, secure cookies, the secret key, and rate-limit counters that
several workers share through Redis."""

from __future__ import annotations

import json
import secrets
import subprocess
import urllib.error
import urllib.request

import pytest
from flask import session

from server import create_app
from server.config import ConfigError
from server.security import CONTENT_SECURITY_POLICY

from .conftest import GUNICORN, ROOT, gunicorn, service_env

REDIS_URL = "redis://127.0.0.1:6379"
PAGES = ["/api/v1/index", "/api/v1/lookup?host=m.facebook.com", "/api/v1/lookup?host=nope.example",
         "/api/v1/platforms/facebook", "/api/v1/openapi.json", "/no-such-page"]


@pytest.fixture
def production(monkeypatch, make_app):
    """make_app(...) as a production deployment (BTF_ENV=production and a real secret key)."""
    monkeypatch.setenv("BTF_ENV", "production")
    monkeypatch.setenv("BTF_SECRET_KEY", secrets.token_hex(32))
    return make_app


def test_every_response_carries_the_security_headers(client):
    for path in PAGES:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert csp == CONTENT_SECURITY_POLICY, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"
        # HSTS would pin a laptop's workshop server to HTTPS it does not have.
        assert "Strict-Transport-Security" not in headers


def test_production_adds_hsts(production):
    client = production().test_client()
    for path in PAGES:
        headers = client.get(path).headers
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000"), path
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def _session_cookie(app) -> str:
    @app.get("/_session_probe")
    def probe():
        session["seen"] = True
        return "ok"

    response = app.test_client().get("/_session_probe")
    return response.headers["Set-Cookie"]


def test_production_cookies_are_secure(production):
    cookie = _session_cookie(production())
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_embedded_cookies_work_over_plain_http(make_app):
    cookie = _session_cookie(make_app())
    assert "; Secure" not in cookie and "; HttpOnly" in cookie


def test_the_public_api_never_reads_nor_sets_a_session(client):
    client.set_cookie("session", "not-a-valid-signature")
    for path in PAGES[:5]:
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
    # The curators' pages keep theirs (the sign-in form's CSRF token lives in the session).
    assert "session=" in client.get("/curate/login").headers.get("Set-Cookie", "")


def _suggest_from(client, address: str, n: int) -> int:
    return client.post("/api/v1/suggestions", headers={"X-Forwarded-For": address}, json={
        "host": "facebook.com", "kind": "other", "message": f"from {address}, {n}"}).status_code


def test_behind_a_proxy_each_client_has_its_own_limit(make_app):
    client = make_app(BTF_PROXY_HOPS=1, BTF_SUGGESTION_LIMIT="1 per minute").test_client()
    assert _suggest_from(client, "203.0.113.1", 1) == 201
    assert _suggest_from(client, "203.0.113.1", 2) == 429
    assert _suggest_from(client, "203.0.113.2", 3) == 201


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(make_app):
    client = make_app(BTF_SUGGESTION_LIMIT="1 per minute").test_client()
    assert _suggest_from(client, "203.0.113.1", 1) == 201
    assert _suggest_from(client, "203.0.113.2", 2) == 429


@pytest.mark.parametrize("key", [None, "", "dev", "change-me", "secret"])
def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, key):
    monkeypatch.setenv("BTF_ENV", "production")
    if key is None:
        monkeypatch.delenv("BTF_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("BTF_SECRET_KEY", key)
    with pytest.raises(ConfigError, match="BTF_SECRET_KEY is missing or a default value"):
        create_app()


@pytest.mark.parametrize("key, reason", [
    ("x", "is shorter than 32 characters"),
    ("correct horse battery staple", "is shorter than 32 characters"),
    ("a" * 64, "repeats too few characters to be random"),
    ("abababababababababababababababababab", "repeats too few characters to be random"),
])
def test_production_refuses_a_short_or_repetitive_secret_key(monkeypatch, key, reason):
    monkeypatch.setenv("BTF_ENV", "production")
    monkeypatch.setenv("BTF_SECRET_KEY", key)
    with pytest.raises(ConfigError, match=f"BTF_SECRET_KEY {reason}"):
        create_app()


def test_production_accepts_32_random_bytes(monkeypatch, tmp_path):
    monkeypatch.setenv("BTF_ENV", "production")
    monkeypatch.setenv("BTF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BTF_SECRET_KEY", secrets.token_urlsafe(32))
    assert len(create_app().config["SECRET_KEY"]) >= 32


def test_gunicorn_refuses_to_start_without_a_secret_key(app, tmp_path):
    env = service_env(app, BTF_ENV="production")
    del env["BTF_SECRET_KEY"]
    result = subprocess.run(
        [GUNICORN, "--bind", "127.0.0.1:0", "--workers", "1", "server.wsgi:app"], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "BTF_SECRET_KEY is missing or a default value" in result.stderr


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")


def _suggest(base: str, n: int) -> int:
    body = json.dumps({"host": "facebook.com", "kind": "other", "message": f"note {n}"}).encode()
    request = urllib.request.Request(f"{base}/api/v1/suggestions", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_servers_share_the_rate_limit_through_redis(app, tmp_path):
    """Two gunicorn masters (as two machines would be) count one client's suggestions together."""
    _redis_or_skip()
    # A fresh secret key makes fresh counter keys: no other run's counts are seen.
    env = service_env(app, BTF_ENV="production", BTF_SECRET_KEY=secrets.token_hex(32),
                      BTF_RATELIMIT_STORAGE=REDIS_URL, BTF_SUGGESTION_LIMIT="3 per minute")
    with gunicorn(env, workers=1) as (first, _), gunicorn(env, workers=1) as (second, _):
        statuses = [_suggest(server, n) for n, server in enumerate([first, second] * 3)]
    assert statuses == [201, 201, 201, 429, 429, 429]


def test_without_redis_each_server_counts_alone(app, tmp_path):
    """The control: in-memory counters are per process, which is why production needs Redis."""
    env = service_env(app, BTF_SUGGESTION_LIMIT="3 per minute")
    with gunicorn(env, workers=1) as (first, _), gunicorn(env, workers=1) as (second, _):
        statuses = [_suggest(server, n) for n, server in enumerate([first, second] * 3)]
    assert statuses == [201] * 6

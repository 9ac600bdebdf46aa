"""What every response carries, whatever blueprint made it: security headers, the client address
as the trusted proxy saw it, no session on the public API, and a clear 503 (never a traceback)
when the database or the rate-limit store is unreachable.

The public read API answers from the snapshot in memory, so it keeps working while the database is
away; only writes and the curators' pages need the database, and they say so and recover on their
own once it is back (each request takes a fresh connection from the pool).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, request
from flask.sessions import NullSession, SecureCookieSessionInterface
from markupsafe import escape
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import text
from .db import get_session
from .errors import json_error, wants_json

log = logging.getLogger(__name__)

# No inline script or style anywhere: every asset is a file under /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"
PUBLIC_API = "/api/"
RETRY_AFTER_SECONDS = 30

UNAVAILABLE_MESSAGE = (
    "The database is unavailable, so this change was not saved. Reading still works; "
    "please try again in a minute."
)
LIMITS_UNAVAILABLE_MESSAGE = (
    "The rate-limit store is unavailable, so this request was not accepted. Reading still works; "
    "please try again in a minute."
)
UNAVAILABLE_PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    "<title>Temporarily unavailable</title>"
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
    "<body><main><h1>Temporarily unavailable</h1><p>{message}</p></main></body></html>\n"
)
BAD_INPUT_PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    "<title>Not accepted</title>"
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
    "<body><main><h1>Not accepted</h1><p>{message}</p>"
    "<p>Go back, remove the character and try again.</p></main></body></html>\n"
)


def init_app(app: Flask) -> None:
    """Add the headers to every response, trust BTF_PROXY_HOPS proxies, answer 503 on DB loss."""
    hops = app.config["BTF_PROXY_HOPS"]
    if hops:
        # Behind nginx every request comes from 127.0.0.1: without this the rate limits would
        # count all clients as one. Only as many X-Forwarded-* hops as there are proxies are read.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.session_interface = PublicApiWithoutSession()
    defaults = dict(HEADERS)
    if app.config.get("BTF_PRODUCTION"):
        defaults["Strict-Transport-Security"] = HSTS
    lowered = [(name.lower(), name, value) for name, value in defaults.items()]

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # On the hot path: one pass over the response's headers, then only appends.
        present = {name.lower() for name in response.headers.keys()}
        for key, name, value in lowered:
            if key not in present:
                response.headers.add(name, value)
        return response

    # First of all, before CSRF checks and sign-in: a switched-off workspace is simply not there.
    app.before_request_funcs.setdefault(None, []).insert(0, _curate_switched_off)
    app.before_request(_refuse_unsafe_input)
    app.register_error_handler(text.UnsafeText, _unsafe_text)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    app.register_error_handler(DBAPIError, _database_error)
    # Only rate-limited requests (suggestions, sign-in) talk to Redis.
    app.register_error_handler(RedisConnectionError, _limits_unavailable)
    app.register_error_handler(RedisTimeoutError, _limits_unavailable)


class _NoSession(NullSession):
    """What the public API sees as its session: readable and empty; a write is a bug."""

    def _fail(self, *_args, **_kwargs):
        raise RuntimeError("The public API is anonymous: it has no session to write to.")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail  # type: ignore[assignment]


class PublicApiWithoutSession(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that the public API never reads nor writes one.

    The API is anonymous by design (DESIGN.md, Privacy): its requests neither look at a session
    cookie nor ever get one, and they skip the cost of verifying a signature they do not need.
    """

    def open_session(self, app: Flask, request_):
        if request_.path.startswith(PUBLIC_API):
            return _NoSession()
        return super().open_session(app, request_)

    def save_session(self, app: Flask, session, response: Response) -> None:
        if isinstance(session, NullSession):
            return
        super().save_session(app, session, response)


def _bad_input(fields: list[str]):
    reason = text.message()
    message = f"{', '.join(fields)}: {reason}"
    if wants_json():
        return json_error(400, "bad_request", message, {name: [reason] for name in fields})
    return Response(BAD_INPUT_PAGE.format(message=escape(message)), status=400,
                    mimetype="text/html")


def _curate_switched_off():
    if request.path.startswith("/curate") and not current_app.config.get("BTF_CURATE_ENABLED",
                                                                          True):
        return Response("Not found", status=404, mimetype="text/plain")
    return None


def _refuse_unsafe_input():
    """Query strings and form fields with NUL or lone surrogates never reach a view."""
    bad = []
    # Only a form body is parsed here: reading any other body now would fix its size limit
    # before a blueprint can set its own (the API's 10 KB for suggestions).
    is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    for where in (request.args, request.form if is_form else None):
        if where:
            for key, values in where.lists():
                if text.is_unsafe(key) or any(text.is_unsafe(v) for v in values):
                    bad.append(key if not text.is_unsafe(key) else "field name")
    if bad:
        return _bad_input(bad)
    return None


def _unsafe_text(exc: text.UnsafeText):
    get_session().rollback()
    return _bad_input([exc.field])


def _unavailable(code: str, message: str, reason: str):
    log.error("%s on %s %s: %s", code, request.method, request.path, reason)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if wants_json():
        return json_error(503, code, message, headers=headers)
    return Response(UNAVAILABLE_PAGE.format(message=message), status=503, mimetype="text/html",
                    headers=headers)


def _database_unavailable(exc: DBAPIError):
    reason = (str(exc.orig or exc).splitlines() or ["(no message)"])[0]
    return _unavailable("database_unavailable", UNAVAILABLE_MESSAGE, reason)


def _limits_unavailable(exc: Exception):
    return _unavailable("rate_limit_store_unavailable", LIMITS_UNAVAILABLE_MESSAGE, str(exc))


def _database_error(exc: DBAPIError):
    """A lost connection is unavailability (503); any other database error is a bug, and goes on
    to the usual 500 handling (re-raised from a handler, Flask treats it as unhandled)."""
    if exc.connection_invalidated:
        return _database_unavailable(exc)
    raise exc

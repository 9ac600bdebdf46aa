"""The two reads every extension and every lookup client make, answered before Flask.

`GET /api/v1/index` (200 or 304) and a successful `GET /api/v1/lookup` are served straight from
the snapshot's pre-serialised bytes, with the same headers the Flask views give them. Anything
else (another path, a question the fast lane cannot answer, every error) goes on to Flask, so
validation and error answers live in one place: the API blueprint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from werkzeug.http import parse_etags

from ..index import SnapshotHolder
from ..security import HEADERS, HSTS

INDEX = "/api/v1/index"
LOOKUP = "/api/v1/lookup"
CACHE = ("Cache-Control", "public, max-age=3600")
CORS = [("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", "ETag, Retry-After")]


class HotReads:
    """WSGI middleware in front of the Flask app for the index and lookups."""

    def __init__(self, wsgi_app: Callable, holder: SnapshotHolder, production: bool):
        self.wsgi_app = wsgi_app
        self.holder = holder
        security = list(HEADERS.items()) + ([("Strict-Transport-Security", HSTS)]
                                            if production else [])
        self.common = [CACHE, *CORS, *security]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO")
        if method in ("GET", "HEAD") and path in (INDEX, LOOKUP):
            snapshot = self.holder.peek()
            if snapshot is not None:
                answer = (self._index(snapshot, environ) if path == INDEX
                          else self._lookup(snapshot, environ))
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [] if method == "HEAD" else [body]
        return self.wsgi_app(environ, start_response)

    def _index(self, snapshot, environ: dict):
        etag = f'"{snapshot.etag}"'
        headers = [("ETag", etag), *self.common]
        if snapshot.etag in parse_etags(environ.get("HTTP_IF_NONE_MATCH")):
            return "304 NOT MODIFIED", headers, b""
        body = snapshot.index_body
        return "200 OK", [*_json(body), *headers], body

    def _lookup(self, snapshot, environ: dict):
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if len(query) != 1 or query[0][0] not in ("host", "url") or not query[0][1]:
            return None  # the blueprint explains what is wrong
        name, value = query[0]
        if len(value) > (2000 if name == "host" else 4000):
            return None
        try:
            rule = snapshot.rules.match(value, host_only=name == "host")
        except ValueError:
            return None
        if rule is None:
            return None
        body = snapshot.lookup_body(rule)
        return "200 OK", [*_json(body), *self.common], body


def _json(body: bytes) -> list[tuple[str, str]]:
    return [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

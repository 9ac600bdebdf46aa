"""The public JSON API, /api/v1. Read-only except suggestions; reads come from the snapshot."""

from __future__ import annotations

import csv
import hashlib
import io
import math

from flask import Response, current_app, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request

from .. import domains, index, text
from ..db import get_session
from ..extensions import limiter
from ..operations import Invalid, commit, create_suggestion, rollback
from . import schemas


class _Parser(FlaskParser):
    # Bad input is a 400 with field messages, whatever the location.
    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        return text.loads_json(req.get_data(cache=True))

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        reason = getattr(error, "msg", None)
        # webargs' own wording when there is no reason; server/errors.py says it in words.
        message = text.json_reason(reason) if reason else "Invalid JSON body."
        abort(400, exc=error, messages={"json": [message]})


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()


blp = ApiBlueprint("api", __name__, url_prefix="/api/v1",
                description="Platforms and the hidden human labour behind them.")

SUGGESTION_MAX_BYTES = 10 * 1024
JSON_TYPE = "application/json"


def language() -> str:
    wanted = (request.args.get("lang") or "").strip().lower()[:2]
    if wanted in index.LANGUAGES:
        return wanted
    return request.accept_languages.best_match(index.LANGUAGES, default="en")


def json_body(body: bytes, status: int = 200, **headers) -> Response:
    response = Response(body, status=status, mimetype=JSON_TYPE)
    response.headers.update(headers)
    return response


@blp.before_request
def _limit_suggestion_size():
    if request.endpoint == "api.Suggestions":
        request.max_content_length = SUGGESTION_MAX_BYTES


@blp.after_request
def _no_cookies(response: Response) -> Response:
    # The public API sets no cookies and is readable from any origin (the extension, a web page).
    response.headers.pop("Set-Cookie", None)
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Access-Control-Expose-Headers", "ETag, Retry-After")
    if "Vary" not in response.headers:  # cheaper than response.vary.add on the hot path
        response.headers["Vary"] = "Accept-Language"
    return response


@blp.route("/index")
class Index(MethodView):
    @blp.response(200, schemas.IndexSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self):
        """The extension index: hosts to platforms, and each platform's summary."""
        snapshot = index.current()
        headers = {"ETag": f'"{snapshot.etag}"', "Cache-Control": "public, max-age=3600"}
        if snapshot.etag in request.if_none_match:
            return Response(status=304, headers=headers)
        return json_body(snapshot.index_body, **headers)


@blp.route("/lookup")
class Lookup(MethodView):
    @blp.arguments(schemas.LookupArgs(), location="query")
    @blp.response(200, schemas.LookupSchema)
    @blp.alt_response(404, description="No platform is listed for this host")
    def get(self, args):
        """The platform summary of a host or URL. Nothing about the request is stored.

        `url` applies path rules (Google Search is www.google.com/search); `host` answers what
        the host alone can tell, so path rules do not apply to it."""
        host_only = bool(args.get("host"))
        value = args["host"] if host_only else args["url"]
        try:
            host = domains.normalize_host(value)
        except ValueError as exc:
            abort(400, message=str(exc))
        snapshot = index.current()
        rule = snapshot.rules.match(value, host_only=host_only)
        if rule is None:
            abort(404, message=f"No platform is listed for {host}.")
        return json_body(snapshot.lookup_body(rule), **{"Cache-Control": "public, max-age=3600"})


@blp.route("/platforms")
class Platforms(MethodView):
    @blp.arguments(schemas.PageArgs(), location="query")
    @blp.response(200, schemas.PlatformList)
    def get(self, args):
        """Every platform with published claims, by slug, a page at a time."""
        snapshot = index.current()
        slugs = sorted(snapshot.platforms)
        page, per_page = args["page"], args["per_page"]
        last_page = max(1, math.ceil(len(slugs) / per_page))
        if page > last_page:
            abort(404, message=f"There are {last_page} pages.")
        items = [
            {**snapshot.platforms[s], "total": snapshot.summaries[s]["total"],
             "counts": snapshot.summaries[s]["counts"], "url": f"/api/v1/platforms/{s}"}
            for s in slugs[(page - 1) * per_page: page * per_page]
        ]
        return {"items": items, "page": page, "per_page": per_page, "total": len(slugs)}


@blp.route("/platforms/<slug>")
class PlatformDetail(MethodView):
    @blp.arguments(schemas.LanguageArgs(), location="query")
    @blp.response(200, schemas.PlatformDetail)
    def get(self, _args, slug):
        """One platform: its published claims (with sources and the companies' replies), the
        vendors they name (with periods), its moderators per language, and what you can do."""
        snapshot = index.current()
        if slug not in snapshot.platforms:
            abort(404, message=f"No platform is called {slug!r}.")
        return json_body(snapshot.platform_body(slug, language()))


@blp.route("/vendors")
class Vendors(MethodView):
    @blp.response(200, schemas.VendorList)
    def get(self):
        """Every vendor named by a published claim."""
        snapshot = index.current()
        return {"items": [snapshot.vendor_item(s) for s in sorted(snapshot.vendors)]}


@blp.route("/vendors/<slug>")
class VendorDetail(MethodView):
    @blp.arguments(schemas.LanguageArgs(), location="query")
    @blp.response(200, schemas.VendorDetail)
    def get(self, _args, slug):
        """One vendor: its sites, the platforms and countries of the published claims that name
        it (with periods and claim counts), what you can do, and those claims."""
        snapshot = index.current()
        if slug not in snapshot.vendors:
            abort(404, message=f"No vendor is called {slug!r}.")
        return snapshot.vendor_detail(slug, language())


ATOM_TYPE = "application/atom+xml"


def _feed(slug: str | None) -> Response:
    snapshot = index.current()
    if slug is not None and slug not in snapshot.platforms:
        abort(404, message=f"No platform is called {slug!r}.")
    base_url = current_app.config.get("BTF_PUBLIC_URL") or ""
    body, etag = snapshot.feed(slug, language(), base_url)
    headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=600"}
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    response = Response(body, mimetype=ATOM_TYPE, headers=headers)
    response.charset = "utf-8"
    return response


@blp.route("/changes.atom")
class Changes(MethodView):
    @blp.arguments(schemas.LanguageArgs(), location="query")
    @blp.response(200, description="An Atom feed of published changes, newest first",
                  content_type=ATOM_TYPE)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, _args):
        """Changes to the public record: new claims, changed figures, new sources, retractions.

        Built from the history of the published claims; nothing about the reader is stored."""
        return _feed(None)


@blp.route("/platforms/<slug>/changes.atom")
class PlatformChanges(MethodView):
    @blp.arguments(schemas.LanguageArgs(), location="query")
    @blp.response(200, description="An Atom feed of one platform's published changes",
                  content_type=ATOM_TYPE)
    @blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
    def get(self, _args, slug):
        """Changes to one platform's claims (new, changed figure, new source, retraction)."""
        return _feed(slug)


@blp.route("/export.json")
class ExportJson(MethodView):
    @blp.response(200, schemas.ExportSchema)
    def get(self):
        """The whole published dataset, under CC BY-SA 4.0."""
        snapshot = index.current()
        # The extension keeps the whole record and syncs it like the index: If-None-Match.
        headers = {"ETag": f'"{_export_etag(snapshot)}"', "Cache-Control": "public, max-age=3600"}
        if headers["ETag"].strip('"') in request.if_none_match:
            return Response(status=304, headers=headers)
        return json_body(snapshot.export_body, **headers, **{
            "Content-Disposition": 'inline; filename="behind-the-feed.json"',
            "Link": f'<{index.LICENCE["url"]}>; rel="license"',
        })


def _export_etag(snapshot) -> str:
    """A strong validator of export.json, computed once per snapshot."""
    etag = getattr(snapshot, "_export_etag", None)
    if etag is None:
        etag = hashlib.sha256(snapshot.export_body).hexdigest()[:16]
        snapshot._export_etag = etag
    return etag


CSV_COLUMNS = [
    "id", "kind", "platforms", "vendors", "countries", "cities", "workers", "workers_basis",
    "pay_amount", "pay_currency", "pay_per", "pay_qualifier", "observed_start", "observed_end",
    "evidence", "last_verified",
    "summary", "summary_fr", "source_urls", "source_publishers", "source_dates", "licence",
]


@blp.route("/export.csv")
class ExportCsv(MethodView):
    @blp.response(200, description="One row per published claim, under CC BY-SA 4.0.",
                  content_type="text/csv")
    def get(self):
        """The published claims as CSV, one row per claim."""
        snapshot = index.current()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        licence = f'{index.LICENCE["name"]} {index.LICENCE["url"]}'
        for c in snapshot.export["claims"]:
            pay = c["pay"] or {}
            observed = c["observed"] or {}
            writer.writerow([
                c["id"], c["kind"], ";".join(c["platforms"]), ";".join(c["vendors"]),
                ";".join(loc["country"] for loc in c["locations"]),
                ";".join(loc.get("city") or "" for loc in c["locations"]),
                "" if c["workers"] is None else c["workers"], c["workers_basis"] or "",
                pay.get("amount", ""), pay.get("currency", ""), pay.get("per", ""),
                pay.get("qualifier", ""), observed.get("start", ""),
                observed.get("end") or "", c["evidence"], c["last_verified"] or "",
                c["summary"], c["translations"].get("fr", ""),
                " ".join(s["url"] for s in c["sources"]),
                "; ".join(s["publisher"] for s in c["sources"]),
                "; ".join(s["published"] or "" for s in c["sources"]), licence,
            ])
        return Response(out.getvalue(), mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="behind-the-feed.csv"',
            "Link": f'<{index.LICENCE["url"]}>; rel="license"',
        })


def _suggestion_limit() -> str:
    return current_app.config["BTF_SUGGESTION_LIMIT"]


@blp.route("/suggestions")
class Suggestions(MethodView):
    decorators = [limiter.limit(_suggestion_limit, methods=["POST"])]

    @blp.arguments(schemas.SuggestionIn())
    @blp.response(201, schemas.SuggestionOut)
    @blp.alt_response(413, description="Larger than 10 KB")
    @blp.alt_response(429, description="Too many suggestions; see Retry-After")
    def post(self, data):
        """Report a missing or wrong entry. It reaches the curators' queue; no login."""
        session = get_session()
        try:
            proposal = create_suggestion(session, data)
        except Invalid as exc:
            rollback(session)
            abort(400, message=_("Some fields are not valid."), errors=exc.fields)
        commit(session)
        return {"id": proposal.id, "status": proposal.status}

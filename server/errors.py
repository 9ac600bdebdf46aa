"""Error answers: JSON `{"error": {"code", "message"}}` under /api/, HTML pages elsewhere."""

from __future__ import annotations

import logging

import marshmallow as ma
from flask import Response, json, request
from flask_babel import gettext as _
from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ErrorBody(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict()


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBody, required=True)


def error_code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def json_error(status: int, code: str, message: str, fields: dict | None = None,
               headers: dict | None = None) -> Response:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = Response(json.dumps({"error": body}), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _validation_fields(exc: HTTPException) -> dict | None:
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if not messages:
        return None
    # webargs nests messages by location ("json", "query"); the field names are what matter.
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "view_args"}:
        merged: dict = {}
        for location, value in messages.items():
            if isinstance(value, dict):
                merged.update(value)
            else:  # a message about the whole body, e.g. "Invalid JSON body."
                merged["body" if location == "json" else location] = value
        return merged
    return messages


class Api(SmorestApi):
    """flask-smorest's Api with our error format (and HTML outside the API)."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        if error.code and error.code >= 500:
            original = getattr(error, "original_exception", None)
            if original is not None:
                log.error("Unhandled error on %s", request.path, exc_info=original)
        if not wants_json():
            return error
        fields = _validation_fields(error)
        message = error.description or error.name
        data = getattr(error, "data", None) or {}
        if data.get("message"):
            message = data["message"]
        elif fields == {"body": ["Invalid JSON body."]}:
            message = _("The request body is not valid JSON.")
        elif fields:
            message = _("Some fields are not valid: %(fields)s",
                        fields=", ".join(sorted(map(str, fields))))
        if error.code == 429:
            message = _("Too many requests: the limit is %(limit)s. Please wait and retry.",
                        limit=error.description)
        if error.code == 500:
            message = _("Something went wrong on our side. Please try again later.")
        headers = dict(data.get("headers") or {})
        if getattr(error, "retry_after", None):
            headers["Retry-After"] = str(error.retry_after)
        response = json_error(error.code or 500, error_code(error), message, fields, headers)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

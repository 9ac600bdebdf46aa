"""What text the service accepts: no NUL characters and no lone surrogates, anywhere.

Both pass JSON and form parsing but cannot be stored as they are (PostgreSQL refuses NUL in
text; a lone surrogate cannot be encoded as UTF-8, so a page showing it fails for good). They
are refused at the door (`unsafe_fields`, used by every schema) and, as a last net for any path
that forgets, at flush (`UnsafeText`, answered with a 400 naming the field).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext


def N_(text: str) -> str:  # noqa: N802  (gettext's name for "mark for extraction only")
    """Mark a text for the catalogue where it is defined; it is translated where shown."""
    return text


UNSAFE = re.compile("[\x00\ud800-\udfff]")
# In English; `message()` gives it in the reader's language.
MESSAGE = N_("Contains a character that cannot be stored (a NUL or a lone surrogate).")


def message() -> str:
    """MESSAGE in the reader's language (English outside a request)."""
    return _(MESSAGE)


class UnsafeText(ValueError):
    """A value about to be stored holds an unsafe character; `field` names where."""

    def __init__(self, field: str):
        super().__init__(_("%(label)s: %(message)s", label=field, message=message()))
        self.field = field


def is_unsafe(value: str) -> bool:
    return UNSAFE.search(value) is not None


def unsafe_fields(data: Any, prefix: str = "") -> list[str]:
    """The dotted paths of every string (key or value) in `data` holding an unsafe character."""
    found: list[str] = []
    if isinstance(data, str):
        if is_unsafe(data):
            found.append(prefix or "value")
    elif isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, str) and is_unsafe(key):
                found.append(prefix or "key")
            found += unsafe_fields(value, name)
    elif isinstance(data, list | tuple):
        for position, value in enumerate(data):
            found += unsafe_fields(value, f"{prefix}.{position}" if prefix else str(position))
    return found


_TEXT_COLUMNS: dict[type, tuple[str, ...]] = {}


def _text_columns(cls: type) -> tuple[str, ...]:
    """The attributes of a mapped class that hold text or JSON (cached per class)."""
    if cls not in _TEXT_COLUMNS:
        from sqlalchemy import JSON, String, inspect

        _TEXT_COLUMNS[cls] = tuple(
            attr.key for attr in inspect(cls).column_attrs
            if isinstance(attr.columns[0].type, String | JSON))
    return _TEXT_COLUMNS[cls]


def check_entity(obj: Any) -> None:
    """Raise UnsafeText for the first unsafe string among a mapped object's column values."""
    values = obj.__dict__
    for key in _text_columns(type(obj)):
        value = values.get(key)
        if isinstance(value, str):
            if UNSAFE.search(value):
                raise UnsafeText(key)
        elif isinstance(value, dict | list):
            bad = unsafe_fields(value, key)
            if bad:
                raise UnsafeText(bad[0])


# --- JSON bodies -------------------------------------------------------------------------------

MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 32


def _number(kind: type):
    def parse(literal: str):
        if len(literal) > MAX_NUMBER_CHARS:
            raise ValueError(ngettext("A number has more than %(num)d character.",
                                      "A number has more than %(num)d characters.",
                                      MAX_NUMBER_CHARS))
        value = kind(literal)
        if kind is float and value in (float("inf"), float("-inf")):
            raise ValueError(_("A number is too large."))
        return value
    return parse


def _no_constant(name: str):
    raise ValueError(_("%(name)s is not a JSON number.", name=name))


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return deepest


def loads_json(document: str | bytes) -> Any:
    """json.loads with limits: nesting, number size, no NaN; any breach is a JSONDecodeError.

    Without them a body of 5,000 nested brackets (RecursionError) or a 5,000-digit number
    (ValueError) escapes the parser's error handling as a server error.
    """
    import json

    if isinstance(document, bytes):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(_("Not UTF-8: %(reason)s", reason=exc.reason), "",
                                       exc.start) from exc
    try:
        data = json.loads(document, parse_int=_number(int), parse_float=_number(float),
                          parse_constant=_no_constant)
    except json.JSONDecodeError:
        raise
    except RecursionError as exc:
        raise json.JSONDecodeError(_nested(), document, 0) from exc
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc), document, 0) from exc
    if _depth(data) > MAX_JSON_DEPTH:
        raise json.JSONDecodeError(_nested(), document, 0)
    return data


def _nested() -> str:
    return ngettext("Nested more than %(num)d level deep.", "Nested more than %(num)d levels deep.",
                    MAX_JSON_DEPTH)


# What Python's json module says is wrong with a document (JSONDecodeError.msg), to translate.
JSON_REASONS = frozenset((
    N_("Expecting value"),
    N_("Expecting property name enclosed in double quotes"),
    N_("Expecting ':' delimiter"),
    N_("Expecting ',' delimiter"),
    N_("Extra data"),
    N_("Unterminated string starting at"),
    N_("Invalid control character at"),
    N_("Invalid \\escape"),
    N_("Invalid \\uXXXX escape"),
    N_("Illegal trailing comma before end of object"),
    N_("Illegal trailing comma before end of array"),
))


def json_reason(reason: str) -> str:
    """A JSONDecodeError's `msg` in the reader's language: Python's json module's reasons are
    translated; the others (loads_json's own) already are."""
    return _(reason) if reason in JSON_REASONS else reason

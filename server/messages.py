"""marshmallow's own messages ("Missing data for required field.", "Not a valid integer.",
"Length must be between {min} and {max}.") in the reader's language, through the catalogues.

marshmallow formats every field and validator message with `str.format(**kwargs)` when it
raises: `Field.make_error` for a field's `error_messages`, and each validator's
`_format_error`. A `Message` is that English text, a `str`, whose `format` looks it up in the
catalogue first (Flask-Babel's `gettext`: the request's language; English outside a request or
an application, as on the command line). flask_babel's `lazy_gettext` does not fit: marshmallow 4
formats only `str` messages, so a LazyString would reach the errors unformatted ("Not a valid
{obj_type}.") and could not be written as JSON.

`install()` puts them in the places marshmallow's documentation names for new defaults, once,
at import (server/records.py imports this module before it declares a field): each field
class's `default_error_messages` and each validator's default messages. A field or validator
keeps the messages it was built with, so this runs before any schema of the service is
declared. A schema's own messages ("Unknown field.") are used as they are, without `format`:
`translated` turns them into text when a schema reports its errors (records.py's base schema,
in `handle_error`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import fields, validate


class Message(str):
    """An English message for marshmallow, translated when marshmallow formats it."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        return gettext(str(self)).format(*args, **kwargs)

    def __reduce__(self):
        return (type(self), (str(self),))


def N_(text: str) -> Message:  # noqa: N802  (gettext's name for "mark for extraction")
    """Mark `text` for the catalogue; marshmallow translates it when it formats it."""
    return Message(text)


class _RangeTemplate(Message):
    """Range's messages are built in two steps: `Range.__init__` fills in the comparison
    ("greater than or equal to"), giving a whole English sentence, and the error fills in the
    number. The sentence, not its pieces, is what the catalogue translates (RANGE_SENTENCES)."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        return Message(str.format(self, *args, **kwargs))


# Every sentence Range can build, so each has its translation.
RANGE_SENTENCES = (
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
)

FIELD_MESSAGES: dict[type[fields.Field], dict[str, Message]] = {
    fields.Field: {
        "required": N_("Missing data for required field."),
        "null": N_("Field may not be null."),
        "validator_failed": N_("Invalid value."),
    },
    fields.String: {
        "invalid": N_("Not a valid string."),
        "invalid_utf8": N_("Not a valid utf-8 string."),
    },
    fields.Number: {"invalid": N_("Not a valid number."), "too_large": N_("Number too large.")},
    fields.Integer: {"invalid": N_("Not a valid integer.")},
    fields.Float: {"special": N_("Special numeric values (nan or infinity) are not permitted.")},
    fields.Decimal: {
        "special": N_("Special numeric values (nan or infinity) are not permitted."),
    },
    fields.Boolean: {"invalid": N_("Not a valid boolean.")},
    fields.Date: {"invalid": N_("Not a valid date.")},
    fields.DateTime: {"invalid": N_("Not a valid datetime.")},
    fields.NaiveDateTime: {"invalid_awareness": N_("Not a valid naive datetime.")},
    fields.AwareDateTime: {"invalid_awareness": N_("Not a valid aware datetime.")},
    fields.Time: {"invalid": N_("Not a valid time.")},
    fields.TimeDelta: {"invalid": N_("Not a valid period of time.")},
    fields.List: {"invalid": N_("Not a valid list.")},
    fields.Tuple: {"invalid": N_("Not a valid tuple.")},
    fields.Mapping: {"invalid": N_("Not a valid mapping type.")},
    fields.Nested: {"type": N_("Invalid type.")},
    fields.UUID: {"invalid_uuid": N_("Not a valid UUID.")},
    fields.Url: {"invalid": N_("Not a valid URL.")},
    fields.Email: {"invalid": N_("Not a valid email address.")},
    fields.IP: {"invalid_ip": N_("Not a valid IP address.")},
    fields.IPv4: {"invalid_ip": N_("Not a valid IPv4 address.")},
    fields.IPv6: {"invalid_ip": N_("Not a valid IPv6 address.")},
    fields.IPInterface: {"invalid_ip_interface": N_("Not a valid IP interface.")},
    fields.IPv4Interface: {"invalid_ip_interface": N_("Not a valid IPv4 interface.")},
    fields.IPv6Interface: {"invalid_ip_interface": N_("Not a valid IPv6 interface.")},
    fields.Enum: {"unknown": N_("Must be one of: {choices}.")},
}

VALIDATOR_MESSAGES: dict[type, dict[str, Message]] = {
    validate.Length: {
        "message_min": N_("Shorter than minimum length {min}."),
        "message_max": N_("Longer than maximum length {max}."),
        "message_all": N_("Length must be between {min} and {max}."),
        "message_equal": N_("Length must be {equal}."),
    },
    validate.Range: {
        "message_min": _RangeTemplate("Must be {min_op} {{min}}."),
        "message_max": _RangeTemplate("Must be {max_op} {{max}}."),
        "message_all": _RangeTemplate("Must be {min_op} {{min}} and {max_op} {{max}}."),
    },
    validate.OneOf: {"default_message": N_("Must be one of: {choices}.")},
    validate.Regexp: {"default_message": N_("String does not match expected pattern.")},
    validate.URL: {"default_message": N_("Not a valid URL.")},
    validate.Email: {"default_message": N_("Not a valid email address.")},
    validate.Equal: {"default_message": N_("Must be equal to {other}.")},
    validate.Predicate: {"default_message": N_("Invalid input.")},
    validate.NoneOf: {"default_message": N_("Invalid input.")},
    validate.ContainsOnly: {
        "default_message": N_("One or more of the choices you made was not in: {choices}."),
    },
    validate.ContainsNoneOf: {
        "default_message": N_("One or more of the choices you made was in: {values}."),
    },
}

# A schema's own messages, for the records' base schema (Schema.error_messages).
SCHEMA_MESSAGES = {"type": N_("Invalid input type."), "unknown": N_("Unknown field.")}


def install() -> None:
    """Put the marked messages in marshmallow's classes (once; the same English as before)."""
    for cls, messages in FIELD_MESSAGES.items():
        # A dict of the class's own, so a parent's defaults are not changed for its children.
        cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}),
                                      **messages}
    for cls, messages in VALIDATOR_MESSAGES.items():
        for name, message in messages.items():
            setattr(cls, name, message)


def translated(messages: Any) -> Any:
    """A marshmallow error mapping with every untranslated Message made text, in place."""
    if isinstance(messages, Message):
        return messages.format()
    if isinstance(messages, dict):
        for key, value in messages.items():
            messages[key] = translated(value)
    elif isinstance(messages, list):
        messages[:] = [translated(value) for value in messages]
    return messages


install()

"""The record vocabulary: marshmallow schemas that load (validate) a record, and the functions
that give an entity's record form. One shape for the dataset files, the API input, the curator
forms and the revisions, so a file, a form and a revision obey the same rules; see
docs/formats.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pycountry
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from . import text
from .messages import N_, SCHEMA_MESSAGES, translated
from .models import (
    ACTION_KINDS,
    EVIDENCE,
    KINDS,
    PAY_PERIODS,
    PAY_QUALIFIERS,
    STATUSES,
    WORKERS_BASES,
    Claim,
    Domain,
    Platform,
    Proposal,
    Source,
    User,
    Vendor,
)
from .text import unsafe_fields

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARTIAL_DATE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries)
CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies)
MAX_QUOTE_WORDS = 40


def quote_words(text: str) -> int:
    return len(text.split())


def _partial_date(value: str) -> None:
    if not PARTIAL_DATE.match(value):
        raise ValidationError(_("Use YYYY, YYYY-MM or YYYY-MM-DD."))
    if len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(_("Not a real date.")) from exc


def _country(value: str) -> None:
    if value not in COUNTRIES:
        raise ValidationError(_("%(value)s is not an ISO 3166-1 alpha-2 country code.",
                                value=repr(value)))


def _http_url(value: str) -> None:
    if not re.match(r"^https?://[^\s/]+", value or "", re.IGNORECASE):
        raise ValidationError(_("Only http and https URLs are allowed."))


def _quote(value: str) -> None:
    if quote_words(value) > MAX_QUOTE_WORDS:
        raise ValidationError(ngettext("A quote has at most %(num)d word.",
                                       "A quote has at most %(num)d words.", MAX_QUOTE_WORDS))


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    # marshmallow's field and validator messages are translated by server/messages.py; a
    # schema's own ("Unknown field.") here, as the errors are reported.
    error_messages = SCHEMA_MESSAGES

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs) -> None:
        translated(error.messages)

    @pre_load
    def _refuse_unsafe_text(self, data: Any, **_kw) -> Any:
        bad = unsafe_fields(data)
        if bad:
            raise ValidationError({name: [text.message()] for name in bad})
        return data


class SourceRecord(_Strict):
    url = fields.String(required=True, validate=[validate.Length(max=2000), _http_url])
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    publisher = fields.String(required=True, validate=validate.Length(min=1, max=200))
    published = fields.String(allow_none=True, load_default=None, validate=_partial_date)
    quote = fields.String(required=True, validate=[validate.Length(min=1), _quote])
    language = fields.String(load_default="en", validate=validate.Regexp(r"^[a-z]{2,3}$"))
    is_copy = fields.Boolean(load_default=False)
    archive_url = fields.String(validate=[validate.Length(max=2000), _http_url])

    @post_load
    def _no_empty_archive(self, data: dict, **_kw) -> dict:
        # A source without an archived copy is written without the key, so files stay canonical.
        if not data.get("archive_url"):
            data.pop("archive_url", None)
        return data


def _translations() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z]{2}$")),
        values=fields.String(validate=validate.Length(min=1, max=1000)),
        load_default=dict,
    )


class ResponseRecord(_Strict):
    """What a company said in reply to a claim, as reported."""

    by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    translations = _translations()
    source = fields.Nested(SourceRecord, required=True)


class ActionRecord(_Strict):
    """Something a person can do about a platform or vendor."""

    kind = fields.String(required=True, validate=validate.OneOf(ACTION_KINDS))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    url = fields.String(required=True, validate=[validate.Length(max=2000), _http_url])
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    translations = _translations()
    source = fields.Nested(SourceRecord, allow_none=True, load_default=None)


class PeriodRecord(_Strict):
    start = fields.String(required=True, validate=_partial_date)
    end = fields.String(allow_none=True, load_default=None, validate=_partial_date)


class ModeratorsRecord(_Strict):
    """Human moderators a platform reports for one language (DSA Article 42)."""

    language = fields.String(
        required=True, validate=validate.Regexp(r"^(?:[a-z]{2}|total|none)$"))
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    period = fields.Nested(PeriodRecord, required=True)
    period_label = fields.String(required=True, validate=validate.Length(min=1, max=40))
    internal = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0))
    external = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0))
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=300))
    source = fields.Nested(SourceRecord, required=True)


class SiteRecord(_Strict):
    """A place where a vendor does the work."""

    city = fields.String(validate=validate.Length(min=1, max=120))
    country = fields.String(required=True, validate=_country)
    period = fields.Nested(PeriodRecord, allow_none=True, load_default=None)
    source = fields.Nested(SourceRecord, required=True)


class LocationRecord(_Strict):
    country = fields.String(required=True, validate=_country)
    city = fields.String(allow_none=True, validate=validate.Length(min=1, max=120))

    @post_load
    def _no_empty_city(self, data: dict, **_kw) -> dict:
        # A location without a city is written without the key, so files stay canonical.
        if not data.get("city"):
            data.pop("city", None)
        return data


class PayRecord(_Strict):
    amount = fields.Decimal(required=True, validate=validate.Range(min=0), as_string=False)
    currency = fields.String(
        required=True,
        validate=validate.OneOf(sorted(CURRENCIES), error=N_("Not an ISO 4217 code.")),
    )
    per = fields.String(required=True, validate=validate.OneOf(PAY_PERIODS))
    qualifier = fields.String(required=True, validate=validate.OneOf(PAY_QUALIFIERS))


class ObservedRecord(_Strict):
    start = fields.String(required=True, validate=_partial_date)
    end = fields.String(allow_none=True, load_default=None, validate=_partial_date)


class ClaimRecord(_Strict):
    id = fields.String(required=True, validate=[validate.Length(max=120), validate.Regexp(SLUG)])
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    translations = _translations()
    platforms = fields.List(
        fields.String(validate=validate.Regexp(SLUG)), required=True,
        validate=validate.Length(min=1),
    )
    vendors = fields.List(fields.String(validate=validate.Regexp(SLUG)), load_default=list)
    locations = fields.List(fields.Nested(LocationRecord), load_default=list)
    workers = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0))
    workers_basis = fields.String(allow_none=True, load_default=None,
                                  validate=validate.OneOf(WORKERS_BASES))
    pay = fields.Nested(PayRecord, allow_none=True, load_default=None)
    observed = fields.Nested(ObservedRecord, allow_none=True, load_default=None)
    evidence = fields.String(required=True, validate=validate.OneOf(EVIDENCE))
    status = fields.String(load_default="draft", validate=validate.OneOf(STATUSES))
    last_verified = fields.Date(allow_none=True, load_default=None)
    sources = fields.List(fields.Nested(SourceRecord), load_default=list)
    responses = fields.List(fields.Nested(ResponseRecord), load_default=list)

    @validates_schema
    def _published_needs_source(self, data: dict, **_kw) -> None:
        if data.get("status") == "published" and not data.get("sources"):
            raise ValidationError(_("A published claim needs at least one source."), "sources")
        if len(set(data.get("platforms", []))) != len(data.get("platforms", [])):
            raise ValidationError(_("A platform is listed twice."), "platforms")
        if len(set(data.get("vendors", []))) != len(data.get("vendors", [])):
            raise ValidationError(_("A vendor is listed twice."), "vendors")
        if data.get("workers") is not None and not data.get("workers_basis"):
            raise ValidationError(
                _("Say what was counted: employed, contracted, registered, active or "
                  "estimated."), "workers_basis")
        if data.get("workers") is None and data.get("workers_basis"):
            raise ValidationError(_("A basis needs a head count."), "workers_basis")


class DomainRuleRecord(_Strict):
    """A host rule narrower than "the host and its subdomains"."""

    host = fields.String(required=True, validate=validate.Length(min=1, max=253))
    scope = fields.String(validate=validate.OneOf(["exact"]))
    path = fields.String(validate=[validate.Length(min=2, max=200),
                                   validate.Regexp(r"^/[^\s?#]*[^/\s?#]$",
                                                   error=N_("A path starts with / and has no "
                                                            "query, fragment or final slash."))])

    @validates_schema
    def _one_narrowing(self, data: dict, **_kw) -> None:
        if ("scope" in data) == ("path" in data):
            raise ValidationError(_("Give either scope: exact or a path, not both."), "host")


class DomainField(fields.Field):
    """A plain host string, or an exact-host or path rule object."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return DomainRuleRecord().load(value)
        raise ValidationError(_("A host name, or an object with host and scope or path."))

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class PlatformRecord(_Strict):
    slug = fields.String(required=True, validate=[validate.Length(max=80), validate.Regexp(SLUG)])
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner = fields.String(load_default="", validate=validate.Length(max=200))
    hq_country = fields.String(allow_none=True, load_default=None, validate=_country)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    domains = fields.List(DomainField(), load_default=list)
    actions = fields.List(fields.Nested(ActionRecord), load_default=list)
    moderators = fields.List(fields.Nested(ModeratorsRecord), load_default=list)
    claims = fields.List(fields.Nested(ClaimRecord), load_default=list)


class VendorRecord(_Strict):
    slug = fields.String(required=True, validate=[validate.Length(max=80), validate.Regexp(SLUG)])
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    hq_country = fields.String(allow_none=True, load_default=None, validate=_country)
    website = fields.String(allow_none=True, load_default=None, validate=_http_url)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    wikidata = fields.String(allow_none=True, load_default=None,
                             validate=validate.Regexp(r"^Q[1-9]\d*$"))
    opencorporates = fields.String(allow_none=True, load_default=None,
                                   validate=validate.Regexp(r"^[a-z]{2}(?:_[a-z]{2})?/\S+$"))
    sites = fields.List(fields.Nested(SiteRecord), load_default=list)
    actions = fields.List(fields.Nested(ActionRecord), load_default=list)


# --- record form (entity -> plain dict in file order) -------------------------------------------


def _number(value: Decimal) -> int | float:
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value.normalize())


def source_record(source: Source) -> dict[str, Any]:
    return {
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "published": source.published,
        "quote": source.quote,
        "language": source.language,
        "is_copy": source.is_copy,
        **({"archive_url": source.archive_url} if source.archive_url else {}),
    }


def source_stub(url: str, *, title: str = "", published: str | None = None,
                language: str = "en") -> dict[str, Any]:
    """A SOURCE record with what is known so far (a proposal's link), for a person to finish."""
    return {"url": url, "title": title, "publisher": "", "published": published, "quote": "",
            "language": language, "is_copy": False}


def claim_record(claim: Claim) -> dict[str, Any]:
    pay = None
    if claim.pay_amount is not None:
        pay = {"amount": _number(claim.pay_amount), "currency": claim.pay_currency,
               "per": claim.pay_per, "qualifier": claim.pay_qualifier}
    observed = None
    if claim.observed_start:
        observed = {"start": claim.observed_start, "end": claim.observed_end}
    return {
        "id": claim.key,
        "kind": claim.kind,
        "summary": claim.summary,
        "translations": {t.language: t.summary for t in claim.translations},
        "platforms": [p.slug for p in claim.platforms],
        "vendors": [v.slug for v in claim.vendors],
        "locations": [
            {"country": loc["country"], **({"city": loc["city"]} if loc.get("city") else {})}
            for loc in claim.locations or []
        ],
        "workers": claim.workers,
        "workers_basis": claim.workers_basis,
        "pay": pay,
        "observed": observed,
        "evidence": claim.evidence,
        "status": claim.status,
        "last_verified": claim.last_verified.isoformat() if claim.last_verified else None,
        "sources": [source_record(s) for s in claim.sources],
        "responses": list(claim.responses or []),
    }


def domain_record(domain: Domain) -> str | dict[str, str]:
    """A host rule as the files write it: a plain host, or an object for a narrower rule."""
    if domain.path:
        return {"host": domain.host, "path": domain.path}
    if domain.scope == "exact":
        return {"host": domain.host, "scope": "exact"}
    return domain.host


def domain_sort_key(rule: str | dict[str, str]) -> tuple[str, str, str]:
    if isinstance(rule, str):
        return (rule, "", "")
    return (rule["host"], rule.get("path", ""), rule.get("scope", ""))


def platform_record(platform: Platform, claims: list[Claim] | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "slug": platform.slug,
        "name": platform.name,
        "owner": platform.owner,
        "hq_country": platform.hq_country,
        "description": platform.description,
        "domains": sorted((domain_record(d) for d in platform.domains), key=domain_sort_key),
        "actions": list(platform.actions or []),
        "moderators": list(platform.moderators or []),
    }
    if claims is not None:
        record["claims"] = [claim_record(c) for c in claims]
    return record


def vendor_record(vendor: Vendor) -> dict[str, Any]:
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "hq_country": vendor.hq_country,
        "website": vendor.website,
        "description": vendor.description,
        "wikidata": vendor.wikidata,
        "opencorporates": vendor.opencorporates,
        "sites": list(vendor.sites or []),
        "actions": list(vendor.actions or []),
    }


def user_record(user: User) -> dict[str, Any]:
    # Never the password hash: revisions are shown to admins.
    return {"email": user.email, "display_name": user.display_name, "role": user.role,
            "active": user.active}


def proposal_record(proposal: Proposal) -> dict[str, Any]:
    return {"origin": proposal.origin, "kind": proposal.kind, "platform": proposal.platform_slug,
            "host": proposal.host, "source_url": proposal.source_url, "status": proposal.status,
            "note": proposal.note}


def record_of(entity: Any) -> dict[str, Any]:
    """The record form of an entity, as revisions store it."""
    if isinstance(entity, Claim):
        return claim_record(entity)
    if isinstance(entity, Platform):
        return platform_record(entity)
    if isinstance(entity, Vendor):
        return vendor_record(entity)
    if isinstance(entity, User):
        return user_record(entity)
    if isinstance(entity, Proposal):
        return proposal_record(entity)
    raise TypeError(type(entity).__name__)


def plain(record: dict[str, Any]) -> dict[str, Any]:
    """A loaded record as the files hold it: decimals as numbers, dates as ISO text."""
    return json.loads(json.dumps(record, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def load(schema: Schema, raw: dict[str, Any]) -> dict[str, Any]:
    """`raw` loaded by `schema`, in plain form; ValidationError lists every problem."""
    return plain(schema.load(raw))

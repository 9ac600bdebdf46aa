"""Marshmallow schemas of the public API: they validate input and document output (OpenAPI)."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from .. import text
from ..messages import SCHEMA_MESSAGES, translated
from ..models import ACTION_KINDS, EVIDENCE, KINDS, PAY_PERIODS, PAY_QUALIFIERS, WORKERS_BASES

LANGUAGE = fields.String(
    validate=validate.Length(max=35),
    metadata={"description": "Language of the summaries (en, fr); defaults to Accept-Language."},
)


class LanguageArgs(ma.Schema):
    lang = LANGUAGE


class LookupArgs(ma.Schema):
    host = fields.String(validate=validate.Length(min=1, max=2000),
                         metadata={"description": "A host name, e.g. m.facebook.com"})
    url = fields.String(validate=validate.Length(min=1, max=4000),
                        metadata={"description": "A full URL: its host, and its path for "
                                                 "path rules (e.g. www.google.com/search)"})

    @ma.validates_schema
    def _one_of(self, data, **_kw):
        if not data.get("host") and not data.get("url"):
            raise ma.ValidationError(_("Give a host or a url."), "host")


class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    lang = LANGUAGE


class Counts(ma.Schema):
    moderation = fields.Integer(required=True)
    labelling = fields.Integer(required=True)
    engagement = fields.Integer(required=True)
    microwork = fields.Integer(required=True)


class Headline(ma.Schema):
    en = fields.String(required=True)
    fr = fields.String(required=True)


class PlatformSummary(ma.Schema):
    name = fields.String(required=True)
    owner = fields.String(required=True)
    total = fields.Integer(required=True)
    counts = fields.Nested(Counts, required=True)
    headlines = fields.Dict(keys=fields.String(validate=validate.OneOf(KINDS)),
                            values=fields.Nested(Headline), required=True)


class IndexRule(ma.Schema):
    host = fields.String(required=True)
    slug = fields.String(required=True)
    scope = fields.String(metadata={"description": "exact: that host only (else absent)"})
    path = fields.String(metadata={"description": "A URL path prefix, for the host and its "
                                                  "subdomains (else absent)"})


class IndexSchema(ma.Schema):
    version = fields.String(required=True)
    generated_at = fields.String(required=True)
    hosts = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": "Plain rules: a host and its subdomains"})
    rules = fields.List(fields.Nested(IndexRule), required=True,
                        metadata={"description": "Exact-host and path-prefix rules"})
    platforms = fields.Dict(keys=fields.String(), values=fields.Nested(PlatformSummary),
                            required=True)


class LookupSchema(PlatformSummary):
    slug = fields.String(required=True)
    host = fields.String(required=True, metadata={"description": "The listed host that matched"})
    scope = fields.String(required=True, metadata={
        "description": "The matched rule's scope: subdomains (the host and its subdomains) or "
                       "exact (that host only)"})
    path = fields.String(required=True, metadata={
        "description": "The matched rule's URL path prefix, or empty for none"})
    url = fields.String(required=True)


class Location(ma.Schema):
    country = fields.String(required=True)
    city = fields.String()


class Pay(ma.Schema):
    amount = fields.Float(required=True)
    currency = fields.String(required=True)
    per = fields.String(required=True, validate=validate.OneOf(PAY_PERIODS))
    qualifier = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(PAY_QUALIFIERS),
        metadata={"description": "How the source puts the amount; null only on records older "
                                 "than the field, until a curator checks them"})


class Observed(ma.Schema):
    start = fields.String(required=True)
    end = fields.String(required=True, allow_none=True)


class SourceSchema(ma.Schema):
    url = fields.String(required=True)
    title = fields.String(required=True)
    publisher = fields.String(required=True)
    published = fields.String(required=True, allow_none=True)
    quote = fields.String(required=True)
    language = fields.String(required=True)
    is_copy = fields.Boolean(required=True)
    archive_url = fields.String(metadata={"description": "An archived copy, when there is one"})


class ResponseSchema(ma.Schema):
    by = fields.String(required=True, metadata={"description": "The company, as reported"})
    summary = fields.String(required=True)
    translations = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    source = fields.Nested(SourceSchema, required=True)


class ResponseView(ResponseSchema):
    summary = fields.String(required=True, metadata={
        "description": "What the company said in reply, as reported, in the requested language"})
    language = fields.String(required=True, metadata={"description": "Language of `summary`"})


class Period(ma.Schema):
    start = fields.String(required=True, metadata={"description": "YYYY, YYYY-MM or YYYY-MM-DD"})
    end = fields.String(required=True, allow_none=True)


class ActionSchema(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ACTION_KINDS))
    name = fields.String(required=True)
    url = fields.String(required=True)
    description = fields.String(required=True)
    translations = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    source = fields.Nested(SourceSchema, required=True, allow_none=True)


class ActionView(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ACTION_KINDS))
    name = fields.String(required=True)
    url = fields.String(required=True)
    description = fields.String(required=True, metadata={
        "description": "One line, in the requested language (else English)"})
    language = fields.String(required=True, metadata={"description": "Language of `description`"})
    source = fields.Nested(SourceSchema, required=True, allow_none=True)


class ModeratorsSchema(ma.Schema):
    language = fields.String(required=True, metadata={
        "description": "ISO 639-1 code; `total` for all languages, `none` for moderators not "
                       "assigned to a language"})
    count = fields.Integer(required=True)
    period = fields.Nested(Period, required=True)
    period_label = fields.String(required=True, metadata={"description": "As the report names it"})
    internal = fields.Integer(required=True, allow_none=True)
    external = fields.Integer(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    source = fields.Nested(SourceSchema, required=True)


class SiteSchema(ma.Schema):
    city = fields.String()
    country = fields.String(required=True)
    period = fields.Nested(Period, required=True, allow_none=True)
    source = fields.Nested(SourceSchema, required=True)


PERIODS = fields.List(fields.List(fields.String(allow_none=True)), required=True, metadata={
    "description": "The distinct observed periods of the claims, [start, end] (end null while "
                   "ongoing); claims with no observed period add none"})


class VendorLink(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    periods = PERIODS
    total = fields.Integer(required=True, metadata={"description": "Published claims"})
    claim_ids = fields.List(fields.String(), required=True)


class CountryCount(ma.Schema):
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    total = fields.Integer(required=True, metadata={"description": "Published claims"})


class VendorRef(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    hq_country = fields.String(required=True, allow_none=True)
    website = fields.String(required=True, allow_none=True)


class _ClaimBase(ma.Schema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    summary = fields.String(required=True)
    translations = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    platforms = fields.List(fields.String(), required=True)
    locations = fields.List(fields.Nested(Location), required=True)
    workers = fields.Integer(required=True, allow_none=True)
    workers_basis = fields.String(required=True, allow_none=True,
                                  validate=validate.OneOf(WORKERS_BASES))
    pay = fields.Nested(Pay, required=True, allow_none=True)
    observed = fields.Nested(Observed, required=True, allow_none=True)
    evidence = fields.String(required=True, validate=validate.OneOf(EVIDENCE))
    last_verified = fields.String(required=True, allow_none=True)
    sources = fields.List(fields.Nested(SourceSchema), required=True)


class ClaimSchema(_ClaimBase):
    responses = fields.List(fields.Nested(ResponseView), required=True, metadata={
        "description": "What the companies said in reply, as reported"})
    vendors = fields.List(fields.Nested(VendorRef), required=True)
    vendor = fields.Nested(VendorRef, required=True, allow_none=True,
                           metadata={"description": "The first of `vendors` (version 1 clients)"})
    language = fields.String(required=True, metadata={"description": "Language of `summary`"})


class ExportClaimSchema(_ClaimBase):
    vendors = fields.List(fields.String(), required=True)
    responses = fields.List(fields.Nested(ResponseSchema), required=True)


class PlatformBase(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    owner = fields.String(required=True)
    hq_country = fields.String(required=True, allow_none=True)
    description = fields.String(required=True)
    domains = fields.List(fields.Raw(), required=True, metadata={
        "description": "Host rules: a host (with its subdomains), or {host, scope: exact} or "
                       "{host, path}"})
    moderators = fields.List(fields.Nested(ModeratorsSchema), required=True, metadata={
        "description": "Human moderators per language, as the platform reports them (DSA)"})


class ExportPlatform(PlatformBase):
    actions = fields.List(fields.Nested(ActionSchema), required=True)


class PlatformListItem(ExportPlatform):
    total = fields.Integer(required=True)
    counts = fields.Nested(Counts, required=True)
    url = fields.String(required=True)


class PlatformList(ma.Schema):
    items = fields.List(fields.Nested(PlatformListItem), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class PlatformDetail(PlatformBase):
    actions = fields.List(fields.Nested(ActionView), required=True, metadata={
        "description": "What you can do"})
    total = fields.Integer(required=True)
    counts = fields.Nested(Counts, required=True)
    vendors = fields.List(fields.Nested(VendorLink), required=True, metadata={
        "description": "The vendors named by its published claims, most claims first"})
    claims = fields.List(fields.Nested(ClaimSchema), required=True)


class VendorSchema(ma.Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    hq_country = fields.String(required=True, allow_none=True)
    website = fields.String(required=True, allow_none=True)
    description = fields.String(required=True)
    wikidata = fields.String(required=True, allow_none=True, metadata={
        "description": "Wikidata item, e.g. Q123"})
    opencorporates = fields.String(required=True, allow_none=True, metadata={
        "description": "OpenCorporates jurisdiction/number, e.g. gb/01234567"})
    sites = fields.List(fields.Nested(SiteSchema), required=True)


class ExportVendor(VendorSchema):
    actions = fields.List(fields.Nested(ActionSchema), required=True)


class VendorListItem(ExportVendor):
    platforms = fields.List(fields.String(), required=True)
    total = fields.Integer(required=True)


class VendorList(ma.Schema):
    items = fields.List(fields.Nested(VendorListItem), required=True)


class VendorDetail(VendorSchema):
    actions = fields.List(fields.Nested(ActionView), required=True, metadata={
        "description": "What you can do"})
    platforms = fields.List(fields.Nested(VendorLink), required=True, metadata={
        "description": "The platforms of its published claims, most claims first"})
    countries = fields.List(fields.Nested(CountryCount), required=True, metadata={
        "description": "The countries of its published claims' locations, most claims first"})
    total = fields.Integer(required=True)
    claims = fields.List(fields.Nested(ClaimSchema), required=True)


class Licence(ma.Schema):
    name = fields.String(required=True)
    url = fields.String(required=True)
    attribution = fields.String(required=True)


class ExportSchema(ma.Schema):
    licence = fields.Nested(Licence, required=True)
    generated_at = fields.String(required=True)
    platforms = fields.List(fields.Nested(ExportPlatform), required=True)
    vendors = fields.List(fields.Nested(ExportVendor), required=True)
    claims = fields.List(fields.Nested(ExportClaimSchema), required=True)


def _http_url(value: str) -> None:
    if not value.lower().startswith(("http://", "https://")) or len(value.split("//", 1)[1]) < 1:
        raise ma.ValidationError(_("Only http and https URLs are accepted."))


class SuggestionIn(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    # marshmallow's field and validator messages are translated by server/messages.py (imported
    # above, so before any field here is declared); the schema's own ("Unknown field.") here.
    error_messages = SCHEMA_MESSAGES

    def handle_error(self, error, data, *, many, **kwargs):
        translated(error.messages)

    @ma.pre_load
    def _refuse_unsafe_text(self, data, **_kw):
        bad = text.unsafe_fields(data)
        if bad:
            raise ma.ValidationError({name: [text.message()] for name in bad})
        return data

    host = fields.String(validate=validate.Length(min=1, max=253))
    platform = fields.String(validate=[validate.Length(min=1, max=80),
                                       validate.Regexp(r"^[a-z0-9-]+$")])
    kind = fields.String(required=True, validate=validate.OneOf(("missing", "wrong", "other")))
    message = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    source_url = fields.String(validate=[validate.Length(max=2000), _http_url])
    language = fields.String(validate=validate.Length(max=8))

    @ma.validates_schema
    def _concerns_something(self, data, **_kw):
        if not data.get("host") and not data.get("platform"):
            raise ma.ValidationError(_("Name the host or the platform it concerns."), "host")


class SuggestionOut(ma.Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)

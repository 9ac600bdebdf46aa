"""Read and write the dataset files (import, export, seed); see docs/formats.md.

The record form of an entity (what `*_record` returns) is also what revisions store, so a
file, a revision and an export all speak the same shape.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry
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
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from . import domains, text
from .models import (
    ACTION_KINDS,
    EVIDENCE,
    KINDS,
    PAY_PERIODS,
    PAY_QUALIFIERS,
    STATUSES,
    WORKERS_BASES,
    Claim,
    ClaimTranslation,
    Domain,
    Platform,
    Source,
    Vendor,
    utcnow,
)
from .revisions import record_revision
from .text import unsafe_fields

DATASET_DIR = Path(__file__).parent / "data" / "dataset"
VENDORS_FILE = "vendors.json"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARTIAL_DATE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
COUNTRIES = frozenset(c.alpha_2 for c in pycountry.countries)
CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies)
MAX_QUOTE_WORDS = 40
MAX_FILE_BYTES = 20 * 1024 * 1024
IMPORT_BATCH = 500


class DatasetError(ValueError):
    """The dataset files are not valid; `errors` lists each as 'file: entry: field: message'."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def quote_words(text: str) -> int:
    return len(text.split())


def _partial_date(value: str) -> None:
    if not PARTIAL_DATE.match(value):
        raise ValidationError("Use YYYY, YYYY-MM or YYYY-MM-DD.")
    if len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError("Not a real date.") from exc


def _country(value: str) -> None:
    if value not in COUNTRIES:
        raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code.")


def _http_url(value: str) -> None:
    if not re.match(r"^https?://[^\s/]+", value or "", re.IGNORECASE):
        raise ValidationError("Only http and https URLs are allowed.")


def _quote(value: str) -> None:
    if quote_words(value) > MAX_QUOTE_WORDS:
        raise ValidationError(f"A quote has at most {MAX_QUOTE_WORDS} words.")


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _refuse_unsafe_text(self, data: Any, **_kw) -> Any:
        bad = unsafe_fields(data)
        if bad:
            raise ValidationError({name: [text.MESSAGE] for name in bad})
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
        required=True, validate=validate.OneOf(sorted(CURRENCIES), error="Not an ISO 4217 code.")
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
            raise ValidationError("A published claim needs at least one source.", "sources")
        if len(set(data.get("platforms", []))) != len(data.get("platforms", [])):
            raise ValidationError("A platform is listed twice.", "platforms")
        if len(set(data.get("vendors", []))) != len(data.get("vendors", [])):
            raise ValidationError("A vendor is listed twice.", "vendors")
        if data.get("workers") is not None and not data.get("workers_basis"):
            raise ValidationError(
                "Say what was counted: employed, contracted, registered, active or estimated.",
                "workers_basis")
        if data.get("workers") is None and data.get("workers_basis"):
            raise ValidationError("A basis needs a head count.", "workers_basis")


class DomainRuleRecord(_Strict):
    """A host rule narrower than "the host and its subdomains"."""

    host = fields.String(required=True, validate=validate.Length(min=1, max=253))
    scope = fields.String(validate=validate.OneOf(["exact"]))
    path = fields.String(validate=[validate.Length(min=2, max=200),
                                   validate.Regexp(r"^/[^\s?#]*[^/\s?#]$",
                                                   error="A path starts with / and has no "
                                                         "query, fragment or final slash.")])

    @validates_schema
    def _one_narrowing(self, data: dict, **_kw) -> None:
        if ("scope" in data) == ("path" in data):
            raise ValidationError("Give either scope: exact or a path, not both.", "host")


class DomainField(fields.Field):
    """A plain host string, or an exact-host or path rule object."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return DomainRuleRecord().load(value)
        raise ValidationError("A host name, or an object with host and scope or path.")

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


def dumps(data: Any) -> str:
    """The canonical text of a dataset file."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- reading and validating ----------------------------------------------------------------------


@dataclass
class Dataset:
    vendors: list[dict[str, Any]] = field(default_factory=list)
    platforms: list[dict[str, Any]] = field(default_factory=list)

    @property
    def claims(self) -> list[dict[str, Any]]:
        return [claim for platform in self.platforms for claim in platform["claims"]]


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            out += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {' '.join(messages)}"]
    return [f"{prefix}: {messages}"]


def _entry_errors(filename: str, records: list[dict], messages: dict, label: str) -> list[str]:
    """Name the file, the entry (by its slug or id) and the field of each error."""
    errors = []
    for index, fields_messages in messages.items():
        if not isinstance(index, int):
            errors += [f"{filename}: {line}" for line in _flatten({index: fields_messages})]
            continue
        entry = records[index] if index < len(records) and isinstance(records[index], dict) else {}
        name = entry.get("slug") or entry.get("id") or f"#{index + 1}"
        errors += [f"{filename}: {label} {name}: {line}" for line in _flatten(fields_messages)]
    return errors


def _read_json(path: Path, errors: list[str]) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.append(f"{path.name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
            return None
        return text.loads_json(path.read_bytes())
    except OSError as exc:
        errors.append(f"{path.name}: cannot be read: {exc}")
    except json.JSONDecodeError as exc:
        errors.append(
            f"{path.name}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}")
    return None


def load_dataset(directory: Path | str = DATASET_DIR) -> Dataset:
    """Read and validate every file of a dataset folder; raise DatasetError listing all problems."""
    directory = Path(directory)
    errors: list[str] = []
    if not directory.is_dir():
        raise DatasetError([f"{directory}: not a folder"])
    dataset = Dataset()
    vendors_path = directory / VENDORS_FILE
    if vendors_path.exists():
        raw = _read_json(vendors_path, errors)
        if raw is not None:
            if not isinstance(raw, list):
                errors.append(f"{VENDORS_FILE}: must be a list of vendors")
            else:
                try:
                    dataset.vendors = VendorRecord(many=True).load(raw)
                except ValidationError as exc:
                    errors += _entry_errors(VENDORS_FILE, raw, exc.messages, "vendor")
    for path in sorted(directory.glob("*.json")):
        if path.name == VENDORS_FILE:
            continue
        raw = _read_json(path, errors)
        if raw is None:
            continue
        try:
            record = PlatformRecord().load(raw)
        except ValidationError as exc:
            claims = raw.get("claims") if isinstance(raw, dict) else None
            for key, value in exc.messages.items():
                if key == "claims" and isinstance(value, dict) and isinstance(claims, list):
                    errors += _entry_errors(path.name, claims, value, "claim")
                else:
                    errors += [f"{path.name}: {line}" for line in _flatten({key: value})]
            continue
        if record["slug"] != path.stem:
            errors.append(f"{path.name}: slug: {record['slug']!r} must match the file name")
        dataset.platforms.append(record)
    errors += _cross_checks(dataset)
    if errors:
        raise DatasetError(errors)
    return dataset


def _cross_checks(dataset: Dataset) -> list[str]:
    errors: list[str] = []
    vendor_slugs = [v["slug"] for v in dataset.vendors]
    errors += [f"{VENDORS_FILE}: vendor {s}: slug listed twice"
               for s in {s for s in vendor_slugs if vendor_slugs.count(s) > 1}]
    platform_slugs = {p["slug"] for p in dataset.platforms}
    hosts: dict[str, str] = {}
    claim_ids: set[str] = set()
    for platform in dataset.platforms:
        filename = f"{platform['slug']}.json"
        for rule in platform["domains"]:
            host = rule if isinstance(rule, str) else rule["host"]
            path = "" if isinstance(rule, str) else rule.get("path", "")
            try:
                listed = domains.check_listable(host)
            except ValueError as exc:
                errors.append(f"{filename}: domains: {host}: {exc}")
                continue
            if listed != host:
                errors.append(f"{filename}: domains: {host}: write it as {listed}")
            if (listed, path) in hosts:
                errors.append(f"{filename}: domains: {host}{path}: already listed for "
                              f"{hosts[listed, path]}")
            hosts[listed, path] = platform["slug"]
        if platform["domains"] != sorted(platform["domains"], key=domain_sort_key):
            errors.append(f"{filename}: domains: keep the list sorted by host, then path")
        for claim in platform["claims"]:
            where = f"{filename}: claim {claim['id']}"
            if claim["id"] in claim_ids:
                errors.append(f"{where}: id: listed twice")
            claim_ids.add(claim["id"])
            if claim["platforms"][0] != platform["slug"]:
                errors.append(f"{where}: platforms: the first platform must be {platform['slug']}")
            for slug in claim["platforms"]:
                if slug not in platform_slugs:
                    errors.append(f"{where}: platforms: unknown platform {slug!r}")
            for slug in claim["vendors"]:
                if slug not in vendor_slugs:
                    errors.append(f"{where}: vendors: unknown vendor {slug!r}")
    return errors


# --- writing to the database ---------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, "
                f"{self.unchanged} unchanged")


def _apply_simple(obj: Any, record: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        setattr(obj, name, record[name])


def apply_claim_record(session: Session, claim: Claim, record: dict[str, Any], *,
                       platforms: dict[str, Platform] | None = None,
                       vendors: dict[str, Vendor] | None = None) -> None:
    """Set a claim's fields, platforms, translations and sources from its record form.

    `platforms` and `vendors` (by slug) spare the look-ups when many claims are applied.
    """
    claim.key = record["id"]
    claim.kind = record["kind"]
    claim.summary = record["summary"]
    claim.evidence = record["evidence"]
    claim.status = record["status"]
    claim.workers = record.get("workers")
    claim.workers_basis = record.get("workers_basis")
    claim.responses = list(record.get("responses") or [])
    claim.locations = [
        {"country": loc["country"], **({"city": loc["city"]} if loc.get("city") else {})}
        for loc in record.get("locations") or []
    ]
    pay = record.get("pay")
    claim.pay_amount = Decimal(str(pay["amount"])) if pay else None
    claim.pay_currency = pay["currency"] if pay else None
    claim.pay_per = pay["per"] if pay else None
    claim.pay_qualifier = pay["qualifier"] if pay else None
    observed = record.get("observed")
    claim.observed_start = observed["start"] if observed else None
    claim.observed_end = observed.get("end") if observed else None
    last_verified = record.get("last_verified")
    if isinstance(last_verified, str):
        last_verified = dt.date.fromisoformat(last_verified)
    claim.last_verified = last_verified
    wanted_vendors = list(record.get("vendors") or [])
    if vendors is None:
        vendors = {
            v.slug: v
            for v in session.scalars(select(Vendor).where(Vendor.slug.in_(wanted_vendors)))
        } if wanted_vendors else {}
    claim.vendors = [vendors[slug] for slug in wanted_vendors]
    if platforms is None:
        platforms = {
            p.slug: p
            for p in session.scalars(select(Platform).where(Platform.slug.in_(record["platforms"])))
        }
    claim.platforms = [platforms[slug] for slug in record["platforms"]]
    if claim.id is None:
        # A new claim has nothing stored yet: no need to ask for its rows.
        set_committed_value(claim, "translations", [])
        set_committed_value(claim, "sources", [])
    existing = {t.language: t for t in claim.translations}
    translations = record.get("translations") or {}
    claim.translations = [
        _translation(existing.get(lang), lang, text) for lang, text in sorted(translations.items())
    ]
    # Keep the Source rows whose content is unchanged, so their link-check state survives.
    unused = list(claim.sources)
    kept = []
    for position, item in enumerate(record.get("sources") or []):
        wanted = _source_defaults(item)
        source = next((s for s in unused if _source_defaults(source_record(s)) == wanted), None)
        if source is None:
            source = Source(**wanted)
        else:
            unused.remove(source)
        source.position = position
        kept.append(source)
    claim.sources = kept


def apply_domain_rules(current: list[Domain], rules: list) -> list[Domain]:
    """The Domain rows for `rules`, reusing the rows that are unchanged."""
    by_key = {(d.host, d.path): d for d in current}
    rows = []
    for rule in rules:
        host = rule if isinstance(rule, str) else rule["host"]
        path = "" if isinstance(rule, str) else rule.get("path", "")
        scope = "exact" if isinstance(rule, dict) and rule.get("scope") == "exact" else "subdomains"
        row = by_key.get((host, path)) or Domain(host=host, path=path)
        row.scope = scope
        rows.append(row)
    return rows


def _source_defaults(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": record["url"], "title": record["title"], "publisher": record["publisher"],
        "published": record.get("published"), "quote": record["quote"],
        "language": record.get("language", "en"), "is_copy": record.get("is_copy", False),
        "archive_url": record.get("archive_url"),
    }


def _translation(existing: ClaimTranslation | None, language: str, text: str) -> ClaimTranslation:
    if existing is None:
        return ClaimTranslation(language=language, summary=text)
    existing.summary = text
    return existing


def _normalised(record: dict[str, Any]) -> dict[str, Any]:
    """A record as JSON would give it back (dates and decimals as in the files)."""
    return json.loads(json.dumps(record, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def import_dataset(
    session: Session, dataset: Dataset, *, user_id: int | None = None, comment: str = "import",
    dry_run: bool = False, progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update every vendor, platform and claim of `dataset`, with a Revision each.

    Only flushes: the caller commits (or rolls back after a dry run), so an import is all or
    nothing. `progress(n)` is called as claims are done.
    """
    report = ImportReport()
    now = utcnow()
    vendors = {v.slug: v for v in session.scalars(select(Vendor))}
    for record in dataset.vendors:
        record = _normalised(record)
        vendor = vendors.get(record["slug"])
        before = vendor_record(vendor) if vendor else None
        if before == record:
            report.unchanged += 1
            continue
        if vendor is None:
            vendor = Vendor(version=1, created_at=now)
            session.add(vendor)
            vendors[record["slug"]] = vendor
        else:
            vendor.version += 1
        _apply_simple(vendor, record, ("slug", "name", "hq_country", "website", "description",
                                       "wikidata", "opencorporates", "sites", "actions"))
        vendor.updated_at = now
        session.flush()
        _note(report, "vendor", record["slug"], before)
        record_revision(session, vendor, "create" if before is None else "update", before, record,
                        user_id=user_id, comment=comment)

    platforms = {
        p.slug: p for p in session.scalars(select(Platform).options(selectinload(Platform.domains)))
    }
    for record in dataset.platforms:
        record = _normalised({k: v for k, v in record.items() if k != "claims"})
        platform = platforms.get(record["slug"])
        before = platform_record(platform) if platform else None
        if before == record:
            report.unchanged += 1
            continue
        if platform is None:
            platform = Platform(version=1, created_at=now)
            session.add(platform)
            platforms[record["slug"]] = platform
        else:
            platform.version += 1
        _apply_simple(platform, record, ("slug", "name", "owner", "hq_country", "description",
                                         "actions", "moderators"))
        platform.domains = apply_domain_rules(platform.domains, record["domains"])
        platform.updated_at = now
        session.flush()
        _note(report, "platform", record["slug"], before)
        record_revision(session, platform, "create" if before is None else "update", before,
                        record, user_id=user_id, comment=comment)

    claims = {
        c.key: c for c in session.scalars(select(Claim).options(
            selectinload(Claim.platforms), selectinload(Claim.sources),
            selectinload(Claim.translations), selectinload(Claim.vendors)))
    }
    # Claims are written in batches: one flush gives a batch its ids, then their revisions follow
    # (thousands of records a second instead of one flush and a few look-ups per claim).
    batch: list[tuple[Claim, dict | None, dict]] = []
    with session.no_autoflush:
        for number, record in enumerate(dataset.claims, start=1):
            record = _normalised(record)
            claim = claims.get(record["id"])
            before = claim_record(claim) if claim else None
            if before == record:
                report.unchanged += 1
            else:
                if claim is None:
                    claim = Claim(version=1, created_at=now, created_by_id=user_id)
                    session.add(claim)
                else:
                    claim.version += 1
                apply_claim_record(session, claim, record, platforms=platforms, vendors=vendors)
                claim.updated_at = now
                claim.updated_by_id = user_id
                batch.append((claim, before, record))
            if len(batch) >= IMPORT_BATCH or number == len(dataset.claims):
                _write_claims(session, batch, report, user_id, comment)
            if progress:
                progress(1)
    _write_claims(session, batch, report, user_id, comment)
    return report


def _write_claims(session: Session, batch: list, report: ImportReport, user_id: int | None,
                  comment: str) -> None:
    if not batch:
        return
    session.flush()
    for claim, before, record in batch:
        _note(report, "claim", record["id"], before)
        record_revision(session, claim, "create" if before is None else "update", before, record,
                        user_id=user_id, comment=comment)
    batch.clear()


def _note(report: ImportReport, entity: str, name: str, before: dict | None) -> None:
    (report.created if before is None else report.updated).append(f"{entity} {name}")


# --- export --------------------------------------------------------------------------------------


def collect(session: Session, *, published_only: bool = True) -> Dataset:
    """The database as a Dataset in file form, claims under their first platform."""
    claims = session.scalars(
        select(Claim)
        .options(selectinload(Claim.platforms), selectinload(Claim.sources),
                 selectinload(Claim.translations), selectinload(Claim.vendors))
        .order_by(Claim.id)
    ).all()
    by_platform: dict[int, list[Claim]] = {}
    for claim in claims:
        if published_only and claim.status != "published":
            continue
        if claim.platforms:
            by_platform.setdefault(claim.platforms[0].id, []).append(claim)
    platforms = session.scalars(
        select(Platform).options(selectinload(Platform.domains)).order_by(Platform.slug)
    ).all()
    return Dataset(
        vendors=[vendor_record(v) for v in session.scalars(select(Vendor).order_by(Vendor.slug))],
        platforms=[platform_record(p, by_platform.get(p.id, [])) for p in platforms],
    )


def write_dataset(dataset: Dataset, directory: Path | str) -> list[Path]:
    """Write a Dataset as files; returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / VENDORS_FILE]
    written[0].write_text(dumps(dataset.vendors), encoding="utf-8")
    for platform in dataset.platforms:
        path = directory / f"{platform['slug']}.json"
        path.write_text(dumps(platform), encoding="utf-8")
        written.append(path)
    return written

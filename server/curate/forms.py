"""The forms, and how each turns into the record form that the dataset schemas validate.

Forms only collect text: the rules (what a date, a currency or a source must be) live once, in
server/dataset.py, and come back here as messages placed next to the fields they concern.
"""

from __future__ import annotations

import json
from typing import Any

import pycountry
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs

    def SelectChoice(value: str, label: str | None = None):  # type: ignore[no-redef]  # noqa: N802
        return (value, value if label is None else label)

from ..models import EVIDENCE, KINDS, PAY_PERIODS, PAY_QUALIFIERS, ROLES, WORKERS_BASES
from ..workshop.i18n import term


def _page_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "en"


def _glossary(group: str, key: str) -> LazyString:
    """A dataset term's name from the shared glossary, in the page's language when shown."""
    return LazyString(lambda: term(group, key, _page_language()))


# The dataset's kinds of work and evidence levels: the glossary's names (the same as the
# workshop's and the extension's).
KIND_LABELS = {kind: _glossary("kind", kind) for kind in KINDS}
EVIDENCE_LABELS = {evidence: _glossary("evidence", evidence) for evidence in EVIDENCE}
WORKERS_BASIS_LABELS = {
    "employed": _l("Employed by the named employer"),
    "contracted": _l("Contracted (contractors, agency workers)"),
    "registered": _l("Registered accounts (not all of them work)"),
    "active": _l("Active accounts in the period"),
    "estimated": _l("An estimate"),
}
PAY_QUALIFIER_LABELS = {
    "exact": _l("Exactly"), "about": _l("About"), "up_to": _l("Up to"),
    "as_little_as": _l("As little as (or less than)"),
    "at_least": _l("At least (or more than)"),
}
PAY_PERIOD_LABELS = {"hour": _l("hour"), "day": _l("day"), "week": _l("week"),
                     "month": _l("month"), "year": _l("year")}
ROLE_LABELS = {"contributor": _l("Contributor: drafts and proposes"),
               "curator": _l("Curator: edits, reviews others' work, publishes"),
               "admin": _l("Admin: curator, plus users, import and export")}


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)


def _or_none(value: Any) -> str | None:
    return _text(value) or None


# --- signing in ---------------------------------------------------------------------------------


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "type": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password (at least 10 characters)"),
                                 validators=[DataRequired()],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))


# --- claims ------------------------------------------------------------------------------------


class LocationForm(Form):
    country = StringField(_l("Country (ISO code, e.g. KE)"), render_kw={
        "maxlength": 2, "list": "countries", "autocomplete": "off"})
    city = StringField(_l("City (optional)"), render_kw={"maxlength": 120})


class SourceForm(Form):
    url = StringField(_l("URL (http or https)"), render_kw={"type": "url", "maxlength": 2000})
    title = StringField(_l("Title"), render_kw={"maxlength": 500})
    publisher = StringField(_l("Publisher"), render_kw={"maxlength": 200})
    published = StringField(_l("Published (YYYY, YYYY-MM or YYYY-MM-DD)"), render_kw={
        "maxlength": 10, "placeholder": "2022-02-14"})
    quote = TextAreaField(_l("Quote (verbatim, at most 40 words)"), render_kw={"rows": 3})
    language = StringField(_l("Language of the source"), default="en", render_kw={"maxlength": 3})
    is_copy = BooleanField(_l("This URL is a republished copy of the publisher's article"))
    archive_url = HiddenField()  # kept as it is: the link checker fills it


class ResponseForm(Form):
    by = StringField(_l("Who replied (the company as reported, e.g. Meta, Sama)"),
                     render_kw={"maxlength": 200})
    summary = TextAreaField(_l("What they said, in our own words (English)"),
                            render_kw={"rows": 2, "maxlength": 1000})
    summary_fr = TextAreaField(_l("French translation (optional)"),
                               render_kw={"rows": 2, "maxlength": 1000, "lang": "fr"})
    url = StringField(_l("Source URL (http or https)"),
                      render_kw={"type": "url", "maxlength": 2000})
    title = StringField(_l("Source title"), render_kw={"maxlength": 500})
    publisher = StringField(_l("Publisher"), render_kw={"maxlength": 200})
    published = StringField(_l("Published (YYYY, YYYY-MM or YYYY-MM-DD)"), render_kw={
        "maxlength": 10})
    quote = TextAreaField(_l("Quote (verbatim, at most 40 words)"), render_kw={"rows": 2})
    language = StringField(_l("Language of the source"), default="en", render_kw={"maxlength": 3})
    is_copy = BooleanField(_l("This URL is a republished copy of the publisher's article"))
    archive_url = HiddenField()


class ClaimForm(FlaskForm):
    version = HiddenField()
    proposal_version = HiddenField()
    key = StringField(_l("Public id (lower-case letters, digits and hyphens; leave empty to "
                         "make one)"), validators=[Optional(), Length(max=120)])
    kind = SelectField(_l("Kind of work"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    summary = TextAreaField(_l("Summary: one neutral sentence in our own words (English)"),
                            render_kw={"rows": 5, "maxlength": 1000})
    summary_fr = TextAreaField(_l("French translation of the summary (optional)"),
                               render_kw={"rows": 5, "maxlength": 1000, "lang": "fr"})
    main_platform = SelectField(_l("Main platform (the claim is filed under it)"), choices=[])
    other_platforms = SelectMultipleField(_l("Other platforms it concerns (optional)"), choices=[],
                                          validate_choice=True, render_kw={"size": 6})
    vendors = FieldList(SelectField(_l("Vendor"), choices=[], validate_choice=False),
                        min_entries=1)
    locations = FieldList(FormField(LocationForm), min_entries=1)
    workers = StringField(_l("Workers: head count as reported (optional)"),
                          render_kw={"inputmode": "numeric"})
    workers_basis = SelectField(
        _l("Workers: what was counted"), choices=[SelectChoice("", _l("(no head count)"))]
        + [SelectChoice(b, WORKERS_BASIS_LABELS[b]) for b in WORKERS_BASES])
    pay_amount = StringField(_l("Pay: amount as reported"), render_kw={"inputmode": "decimal"})
    pay_currency = StringField(_l("Pay: currency (ISO 4217, e.g. USD)"), render_kw={
        "maxlength": 3, "list": "currencies", "autocomplete": "off"})
    pay_per = SelectField(_l("Pay: per"), choices=[SelectChoice("", _l("(no pay reported)"))]
                          + [SelectChoice(p, PAY_PERIOD_LABELS[p]) for p in PAY_PERIODS])
    pay_qualifier = SelectField(
        _l("Pay: as the source puts it"), choices=[SelectChoice("", _l("(no pay reported)"))]
        + [SelectChoice(q, PAY_QUALIFIER_LABELS[q]) for q in PAY_QUALIFIERS])
    observed_start = StringField(_l("Observed from (YYYY, YYYY-MM or YYYY-MM-DD)"),
                                 render_kw={"maxlength": 10})
    observed_end = StringField(_l("Observed until (optional)"), render_kw={"maxlength": 10})
    evidence = SelectField(_l("Evidence"),
                           choices=[SelectChoice(e, EVIDENCE_LABELS[e]) for e in EVIDENCE])
    last_verified = StringField(_l("Last verified"), render_kw={"type": "date"})
    sources = FieldList(FormField(SourceForm), min_entries=1)
    responses = FieldList(FormField(ResponseForm), min_entries=0)
    comment = StringField(_l("Note on this change (optional, kept in the history)"),
                          validators=[Optional(), Length(max=500)])
    add_location = SubmitField(_l("Add a location row"))
    add_vendor = SubmitField(_l("Add a vendor"))
    add_source = SubmitField(_l("Add a source"))
    add_response = SubmitField(_l("Add a company response"))
    save = SubmitField(_l("Save"))
    save_submit = SubmitField(_l("Save and submit for review"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.list_errors: dict[str, list[str]] = {}
        self._location_rows: list[int] = []
        self._source_rows: list[int] = []
        self._response_rows: list[int] = []
        self._vendor_choices: list[Any] = []

    def set_choices(self, platforms: list[tuple[str, str]], vendors: list[tuple[str, str]]) -> None:
        """Platforms and vendors as (slug, label) pairs."""
        platform_choices = [SelectChoice(slug, label) for slug, label in platforms]
        self.main_platform.choices = [SelectChoice("", _l("(choose a platform)")),
                                      *platform_choices]
        self.other_platforms.choices = platform_choices
        self._vendor_choices = [SelectChoice("", _l("(no vendor)")),
                                *(SelectChoice(slug, label) for slug, label in vendors)]
        for entry in self.vendors.entries:
            entry.choices = self._vendor_choices

    def adding_rows(self) -> bool:
        """Whether the user asked for another row rather than saving; adds it if so."""
        if self.add_location.data:
            self.locations.append_entry()
            return True
        if self.add_source.data:
            self.sources.append_entry()
            return True
        if self.add_vendor.data:
            self.vendors.append_entry().choices = self._vendor_choices
            return True
        if self.add_response.data:
            self.responses.append_entry()
            return True
        return False

    def to_record(self, translations: dict[str, str] | None = None) -> dict[str, Any]:
        """The claim's record form (raw: the schema converts and checks it).

        `translations`: those the claim already has; the form edits only French.
        """
        self._location_rows = []
        self._source_rows = []
        self._response_rows = []
        locations = []
        for row, entry in enumerate(self.locations.entries):
            country, city = _text(entry.country.data).upper(), _text(entry.city.data)
            if country or city:
                locations.append({"country": country, "city": city or None})
                self._location_rows.append(row)
        sources = []
        for row, entry in enumerate(self.sources.entries):
            texts = [_text(entry[name].data)
                     for name in ("url", "title", "publisher", "published", "quote")]
            if not any(texts):
                continue  # an empty row is no source: leave a row empty to remove it
            sources.append(_source(entry))
            self._source_rows.append(row)
        responses = []
        for row, entry in enumerate(self.responses.entries):
            texts = {name: _text(entry[name].data) for name in (
                "by", "summary", "summary_fr", "url", "title", "publisher", "published",
                "quote")}
            if not any(texts.values()):
                continue  # an empty row is no response: empty a row to remove it
            responses.append({
                "by": texts["by"], "summary": texts["summary"],
                "translations": {"fr": texts["summary_fr"]} if texts["summary_fr"] else {},
                "source": _source(entry),
            })
            self._response_rows.append(row)
        vendors: list[str] = []
        for entry in self.vendors.entries:
            slug = _text(entry.data)
            if slug and slug not in vendors:
                vendors.append(slug)
        pay: dict[str, Any] | None = None
        amount, currency, per, qualifier = (
            _text(self.pay_amount.data), _text(self.pay_currency.data), _text(self.pay_per.data),
            _text(self.pay_qualifier.data))
        if amount or currency or per or qualifier:
            pay = {k: v for k, v in (("amount", amount), ("currency", currency.upper()),
                                     ("per", per), ("qualifier", qualifier)) if v}
        observed: dict[str, Any] | None = None
        start, end = _text(self.observed_start.data), _text(self.observed_end.data)
        if start or end:
            observed = {"end": end or None, **({"start": start} if start else {})}
        others = [slug for slug in self.other_platforms.data or []
                  if slug and slug != self.main_platform.data]
        main = _text(self.main_platform.data)
        translations = {k: v for k, v in (translations or {}).items() if k != "fr"}
        if _text(self.summary_fr.data):
            translations["fr"] = _text(self.summary_fr.data)
        return {
            "id": _text(self.key.data),
            "kind": self.kind.data,
            "summary": _text(self.summary.data),
            "translations": dict(sorted(translations.items())),
            "platforms": ([main] if main else []) + others,
            "vendors": vendors,
            "locations": locations,
            "workers": _or_none(self.workers.data),
            "workers_basis": _or_none(self.workers_basis.data),
            "pay": pay,
            "observed": observed,
            "evidence": self.evidence.data,
            "last_verified": _or_none(self.last_verified.data),
            "sources": sources,
            "responses": responses,
        }

    def place_errors(self, messages: dict[str, Any]) -> list[str]:
        """Put the schema's messages next to their fields; returns those that fit no field."""
        loose: list[str] = []
        simple = {"id": self.key, "kind": self.kind, "summary": self.summary,
                  "vendors": self.vendors.entries[0], "workers": self.workers,
                  "workers_basis": self.workers_basis, "evidence": self.evidence,
                  "last_verified": self.last_verified, "platforms": self.main_platform}
        for name, value in messages.items():
            if name in simple:
                _add(simple[name], value)
            elif name == "translations":
                _add(self.summary_fr, value)
            elif name == "pay":
                _nested(value, {"amount": self.pay_amount, "currency": self.pay_currency,
                                "per": self.pay_per, "qualifier": self.pay_qualifier},
                        self.pay_amount)
            elif name == "observed":
                _nested(value, {"start": self.observed_start, "end": self.observed_end},
                        self.observed_start)
            elif name in ("locations", "sources", "responses"):
                entries = {"locations": self.locations, "sources": self.sources,
                           "responses": self.responses}[name].entries
                rows = {"locations": self._location_rows, "sources": self._source_rows,
                        "responses": self._response_rows}[name]
                if isinstance(value, dict) and all(isinstance(k, int) for k in value):
                    for index, fields in value.items():
                        entry = entries[rows[index]] if index < len(rows) else None
                        if entry is None:
                            loose += _flat(fields)
                        elif name == "responses":
                            _response_errors(fields, entry.form, loose)
                        else:
                            _nested(fields, {f.short_name: f for f in entry.form}, None, loose)
                else:
                    self.list_errors.setdefault(name, []).extend(_flat(value))
            else:
                loose += _flat(value)
        return loose


def _source(entry: Any) -> dict[str, Any]:
    """The SOURCE record of a form row (a claim's source, or a response's)."""
    url = _text(entry.archive_url.data)
    return {"url": _text(entry.url.data), "title": _text(entry.title.data),
            "publisher": _text(entry.publisher.data),
            "published": _text(entry.published.data) or None, "quote": _text(entry.quote.data),
            "language": _text(entry.language.data).lower() or "en",
            "is_copy": bool(entry.is_copy.data), **({"archive_url": url} if url else {})}


def _response_errors(messages: Any, form: Any, loose: list[str]) -> None:
    fields = {f.short_name: f for f in form}
    if not isinstance(messages, dict):
        loose += _flat(messages)
        return
    for key, value in messages.items():
        if key == "source":
            _nested(value, fields, fields["url"], loose)
        elif key == "translations":
            _add(fields["summary_fr"], value)
        else:
            _nested({key: value}, fields, None, loose)


def _flat(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _flat(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _flat(v)]
    return [str(value)]


def _add(field: Any, value: Any) -> None:
    field.errors = [*list(field.errors or []), *_flat(value)]


def _nested(value: Any, fields: dict[str, Any], fallback: Any, loose: list[str] | None = None
            ) -> None:
    if not isinstance(value, dict):
        if fallback is not None:
            _add(fallback, value)
        elif loose is not None:
            loose += _flat(value)
        return
    for key, messages in value.items():
        field = fields.get(key, fallback)
        if field is not None:
            _add(field, messages)
        elif loose is not None:
            loose += _flat(messages)


def claim_form_data(record: dict[str, Any]) -> dict[str, Any]:
    """A claim record as the data of a ClaimForm."""
    pay = record.get("pay") or {}
    observed = record.get("observed") or {}
    platforms = record.get("platforms") or []
    return {
        "key": record.get("id") or "",
        "kind": record.get("kind") or KINDS[0],
        "summary": record.get("summary") or "",
        "summary_fr": (record.get("translations") or {}).get("fr", ""),
        "main_platform": platforms[0] if platforms else "",
        "other_platforms": platforms[1:],
        "vendors": list(record.get("vendors") or []) or [""],
        "responses": [{
            "by": r.get("by") or "", "summary": r.get("summary") or "",
            "summary_fr": (r.get("translations") or {}).get("fr", ""),
            **{k: (r.get("source") or {}).get(k) or "" for k in (
                "url", "title", "publisher", "published", "quote", "archive_url")},
            "language": (r.get("source") or {}).get("language") or "en",
            "is_copy": bool((r.get("source") or {}).get("is_copy")),
        } for r in record.get("responses") or []],
        "locations": [{"country": loc.get("country") or "", "city": loc.get("city") or ""}
                      for loc in record.get("locations") or []],
        "workers": "" if record.get("workers") is None else str(record["workers"]),
        "pay_amount": "" if pay.get("amount") is None else str(pay["amount"]),
        "pay_currency": pay.get("currency") or "",
        "pay_per": pay.get("per") or "",
        "pay_qualifier": pay.get("qualifier") or "",
        "workers_basis": record.get("workers_basis") or "",
        "observed_start": observed.get("start") or "",
        "observed_end": observed.get("end") or "",
        "evidence": record.get("evidence") or EVIDENCE[0],
        "last_verified": record.get("last_verified") or "",
        "sources": [{**source, "published": source.get("published") or ""}
                    for source in record.get("sources") or []],
    }


# --- platforms and vendors -------------------------------------------------------------------


EXACT_PREFIX = "exact:"


def rules_text(rules: list[Any]) -> str:
    """A platform's host rules, one a line, as the form shows them."""
    lines = []
    for rule in rules or []:
        if isinstance(rule, str):
            lines.append(rule)
        elif rule.get("path"):
            lines.append(f"{rule['host']}{rule['path']}")
        else:
            lines.append(f"{EXACT_PREFIX} {rule['host']}")
    return "\n".join(lines)


def parse_rules(text: str) -> list[Any]:
    """The lines of the domains field as rules: `host` (the host and its subdomains),
    `host/path` (under that path) or `exact: host` (that host only); checked later by the
    dataset schema and server.domains."""
    rules: list[Any] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.lower().startswith(EXACT_PREFIX):
            rules.append({"host": line[len(EXACT_PREFIX):].strip(), "scope": "exact"})
        elif "/" in line:
            host, _slash, path = line.partition("/")
            rules.append({"host": host.strip(), "path": "/" + path.strip()})
        else:
            rules.append(line)
    return rules


def json_list(text: str | None) -> Any:
    """A JSON list typed in a textarea (empty: []); ValueError with a readable reason."""
    text = (text or "").strip()
    if not text:
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(_("This is not valid JSON: %(reason)s at line %(line)s, column "
                           "%(column)s.", reason=exc.msg, line=exc.lineno,
                           column=exc.colno)) from exc
    if not isinstance(value, list):
        raise ValueError(_("Write a JSON list: [ {...}, {...} ]."))
    return value


def json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) if value else ""


class _JsonListForm(FlaskForm):
    """Shared by the platform and vendor forms: JSON list fields checked before the schema."""

    JSON_FIELDS: tuple[str, ...] = ()

    def json_value(self, name: str) -> Any:
        try:
            return json_list(getattr(self, name).data)
        except ValueError:
            return getattr(self, name).data  # the schema refuses it: not a list

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name in self.JSON_FIELDS:
            try:
                json_list(getattr(self, name).data)
            except ValueError as exc:
                getattr(self, name).errors = [*getattr(self, name).errors, str(exc)]
                ok = False
        return ok

    def place_errors(self, messages: dict[str, Any]) -> list[str]:
        loose: list[str] = []
        for name, value in messages.items():
            field = getattr(self, name, None) if name in self._fields else None
            if field is None:
                loose += _flat(value)
            elif name in self.JSON_FIELDS:
                _add(field, _with_rows(value))
            elif name == "domains":
                _add(field, _with_rows(value, rules=True))
            else:
                _add(field, value)
        return loose


def _with_rows(value: Any, *, rules: bool = False) -> list[str]:
    """Schema messages of a list, each with the entry (or rule, from 1) and field it
    concerns."""
    if isinstance(value, dict) and all(isinstance(k, int) for k in value):
        out = []
        for index, fields in sorted(value.items()):
            if isinstance(fields, dict):
                out += [(_("Rule %(number)s, %(field)s: %(message)s", number=index + 1,
                           field=key, message=message) if rules else
                         _("Entry %(number)s, %(field)s: %(message)s", number=index + 1,
                           field=key, message=message))
                        for key, messages in fields.items() for message in _flat(messages)]
            else:
                out += [(_("Rule %(number)s: %(message)s", number=index + 1, message=message)
                         if rules else
                         _("Entry %(number)s: %(message)s", number=index + 1, message=message))
                        for message in _flat(fields)]
        return out
    return _flat(value)


ACTIONS_HINT = _l('A JSON list; each: {"kind": "worker_organisation|rating|complaint|research", '
                  '"name", "url", "description", "translations": {"fr": ...}, "source": {...} '
                  'or null}.')


class PlatformForm(_JsonListForm):
    JSON_FIELDS = ("actions", "moderators")

    version = HiddenField()
    slug = StringField(_l("Slug (lower-case letters, digits and hyphens; fixed once created)"),
                       validators=[Optional(), Length(max=80)])
    name = StringField(_l("Name"), render_kw={"maxlength": 200})
    owner = StringField(_l("Owner (company)"), render_kw={"maxlength": 200})
    hq_country = StringField(_l("Headquarters country (ISO code, e.g. US)"), render_kw={
        "maxlength": 2, "list": "countries", "autocomplete": "off"})
    description = TextAreaField(_l("Description"), render_kw={"rows": 3, "maxlength": 2000})
    domains = TextAreaField(_l("Host rules, one per line"), render_kw={
        "rows": 6, "spellcheck": "false"})
    preview_urls = TextAreaField(_l("Example addresses to try the rules on (one per line)"),
                                 validators=[Optional(), Length(max=5000)],
                                 render_kw={"rows": 3, "spellcheck": "false"})
    actions = TextAreaField(_l("What people can do (actions)"), render_kw={
        "rows": 8, "spellcheck": "false"})
    moderators = TextAreaField(_l("Moderators by language"), render_kw={
        "rows": 8, "spellcheck": "false"})
    comment = StringField(_l("Note on this change (optional, kept in the history)"),
                          validators=[Optional(), Length(max=500)])
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview the rules"))

    def to_record(self) -> dict[str, Any]:
        return {
            "slug": _text(self.slug.data),
            "name": _text(self.name.data),
            "owner": _text(self.owner.data),
            "hq_country": _or_none(_text(self.hq_country.data).upper()),
            "description": _text(self.description.data),
            "domains": parse_rules(self.domains.data or ""),
            "actions": self.json_value("actions"),
            "moderators": self.json_value("moderators"),
        }


def platform_form_data(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "hq_country": record.get("hq_country") or "",
            "domains": rules_text(record.get("domains") or []),
            "actions": json_text(record.get("actions")),
            "moderators": json_text(record.get("moderators"))}


class VendorForm(_JsonListForm):
    JSON_FIELDS = ("sites", "actions")

    version = HiddenField()
    slug = StringField(_l("Slug (lower-case letters, digits and hyphens; fixed once created)"),
                       validators=[Optional(), Length(max=80)])
    name = StringField(_l("Name"), render_kw={"maxlength": 200})
    hq_country = StringField(_l("Headquarters country (ISO code, e.g. US)"), render_kw={
        "maxlength": 2, "list": "countries", "autocomplete": "off"})
    website = StringField(_l("Website (http or https, optional)"), render_kw={"type": "url"})
    description = TextAreaField(_l("Description"), render_kw={"rows": 3, "maxlength": 2000})
    wikidata = StringField(_l("Wikidata item (e.g. Q123, optional)"), render_kw={"maxlength": 20})
    opencorporates = StringField(_l("OpenCorporates company (jurisdiction/number, e.g. "
                                    "gb/01234567, optional)"), render_kw={"maxlength": 120})
    sites = TextAreaField(_l("Sites (where it works)"), render_kw={
        "rows": 8, "spellcheck": "false"})
    actions = TextAreaField(_l("What people can do (actions)"), render_kw={
        "rows": 8, "spellcheck": "false"})
    comment = StringField(_l("Note on this change (optional, kept in the history)"),
                          validators=[Optional(), Length(max=500)])
    save = SubmitField(_l("Save"))

    def to_record(self) -> dict[str, Any]:
        return {
            "slug": _text(self.slug.data),
            "name": _text(self.name.data),
            "hq_country": _or_none(_text(self.hq_country.data).upper()),
            "website": _or_none(self.website.data),
            "description": _text(self.description.data),
            "wikidata": _or_none(self.wikidata.data),
            "opencorporates": _or_none(self.opencorporates.data),
            "sites": self.json_value("sites"),
            "actions": self.json_value("actions"),
        }


def vendor_form_data(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "hq_country": record.get("hq_country") or "",
            "website": record.get("website") or "", "wikidata": record.get("wikidata") or "",
            "opencorporates": record.get("opencorporates") or "",
            "sites": json_text(record.get("sites")),
            "actions": json_text(record.get("actions"))}


# --- actions, proposals, users, import ----------------------------------------------------------


class ActionForm(FlaskForm):
    """A workflow button: the version the page showed, and an optional or required comment."""

    version = HiddenField()
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)],
                            render_kw={"rows": 2})


class ProposalForm(FlaskForm):
    version = HiddenField()
    note = TextAreaField(_l("Note (required to dismiss)"),
                         validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class NewUserForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"type": "email", "autocomplete": "off"})
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES],
                       default="curator")
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[DataRequired()],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Create the account"))


class UserForm(FlaskForm):
    version = HiddenField()
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    active = BooleanField(_l("Active (can sign in)"))
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    files = MultipleFileField(_l("A zip of the dataset files, or several .json files"))
    submit = SubmitField(_l("Check the files"))


class ImportConfirmForm(FlaskForm):
    token = HiddenField()
    submit = SubmitField(_l("Import: apply these changes"))


# --- for the templates -------------------------------------------------------------------------

# Each list of rows: its name, and how a row's field is named in the summary of errors.
ROW_NAMES = {"locations": _l("Locations"), "sources": _l("Sources"),
             "responses": _l("Responses"), "vendors": _l("Vendors")}
ROW_LABELS = {"locations": _l("Location %(number)s: %(label)s"),
              "sources": _l("Source %(number)s: %(label)s"),
              "responses": _l("Response %(number)s: %(label)s"),
              "vendors": _l("Vendor %(number)s: %(label)s")}


def error_list(form: Any, loose: list[str] | None = None) -> list[tuple[str | None, str, str]]:
    """Every error of a form as (field id, field label, message), for the summary at its top."""
    out: list[tuple[str | None, str, str]] = [(None, "", message) for message in loose or []]
    for field in form:
        if isinstance(field, FieldList):
            rows = field.short_name
            name = str(ROW_NAMES.get(rows, rows))
            for message in getattr(form, "list_errors", {}).get(rows, []):
                out.append((f"{field.id}-0-{'url' if rows == 'sources' else 'country'}",
                            name, message))
            row_label = ROW_LABELS.get(rows)
            for number, entry in enumerate(field.entries, start=1):
                for sub in (entry.form if hasattr(entry, "form") else [entry]):
                    label = (str(row_label) % {"number": number, "label": sub.label.text}
                             if row_label is not None else f"{rows} {number}: {sub.label.text}")
                    out += [(sub.id, label, str(message)) for message in sub.errors or []]
        elif field.type not in ("CSRFTokenField",):
            out += [(field.id, str(field.label.text), str(message))
                    for message in field.errors or []]
        else:
            out += [(None, "", _("The form expired; submit it again."))
                    for _error in field.errors or []]
    return out


def _options() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    countries = sorted((c.alpha_2, c.name) for c in pycountry.countries)
    currencies = sorted((c.alpha_3, c.name) for c in pycountry.currencies)
    return countries, currencies


COUNTRY_OPTIONS, CURRENCY_OPTIONS = _options()

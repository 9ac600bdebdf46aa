"""The workshop's languages: gettext catalogues (server/translations, through Flask-Babel),
the shared glossary of terms (server/glossary.json, the same names as the extension's
_locales), and Babel's formats for numbers, money, dates, percentages and plurals.

Adding a language is adding a catalogue and the glossary's column: see docs/translations.md.
"""

from __future__ import annotations

import copy
import datetime
import gettext
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from babel import Locale, support
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale
from flask_babel import gettext as babel_gettext
from flask_babel import ngettext as babel_ngettext

LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
COOKIE = "btf_workshop_lang"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "glossary.json"
# Dates as the project's (European) readers write them: 14 February 2022, not February 14.
DATE_LOCALES = {"en": "en_GB"}


def N_(text: str) -> str:  # noqa: N802  (gettext's name for "mark for extraction only")
    """Mark a text for the catalogue where it is defined; it is translated where shown."""
    return text


PAY_PERIODS = {"hour": N_("{amount} per hour"), "day": N_("{amount} per day"),
               "week": N_("{amount} per week"), "month": N_("{amount} per month"),
               "year": N_("{amount} per year")}

# Shorter country names where the ISO name is long or inverted ("Korea, Republic of").
SHORT_NAMES = {
    "en": {"RU": "Russia", "CD": "DR Congo", "PS": "Palestine", "FM": "Micronesia",
           "FK": "Falkland Islands", "VA": "Vatican City", "BN": "Brunei", "GB": "United Kingdom",
           "US": "United States"},
    "fr": {"RU": "Russie", "CD": "RD Congo", "PS": "Palestine", "FM": "Micronésie",
           "FK": "Îles Malouines", "VA": "Vatican", "BN": "Brunei", "VE": "Venezuela",
           "CC": "Îles Cocos", "VN": "Viêt Nam"},
}
LANGUAGE_LABELS = {
    "en": {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "pt": "Portuguese"},
    "fr": {"en": "anglais", "fr": "français", "de": "allemand", "es": "espagnol",
           "pt": "portugais"},
}


def _selected_locale() -> str:
    if has_request_context():
        chosen = g.get("lang")
        if chosen:
            return chosen
        return request.accept_languages.best_match(LANGUAGES, default="en")
    return "en"


def init_babel(app: Flask) -> None:
    """Flask-Babel on the catalogues in server/translations, in the page's chosen language."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=_selected_locale)


@lru_cache(maxsize=1)
def glossary() -> dict[str, dict[str, dict[str, str]]]:
    """The shared names of the dataset's terms (kinds, evidence, workers bases, pay qualifiers)."""
    data = json.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return {group: terms for group, terms in data.items() if not group.startswith("_")}


def term(group: str, key: str, language: str) -> str:
    entry = glossary().get(group, {}).get(key)
    if entry is None:
        return key
    return entry.get(language) or entry["en"]


def pick_language(explicit: str | None, remembered: str | None, accept_languages) -> str:
    """?lang= first, then the remembered choice, then the browser's Accept-Language."""
    for wanted in (explicit, remembered):
        wanted = (wanted or "").strip().lower()[:2]
        if wanted in LANGUAGES:
            return wanted
    return accept_languages.best_match(LANGUAGES, default="en")


@lru_cache(maxsize=8)
def _catalogue(language: str) -> support.NullTranslations:
    return support.Translations.load(str(TRANSLATIONS), [language], domain="messages")


def translate(language: str, text: str, /, **values: Any) -> str:
    """The text in `language` from its catalogue (English when missing), `{name}`s filled."""
    if has_app_context():
        with force_locale(language):
            text = babel_gettext(text)
    else:  # a script or a test outside the app reads the same catalogue
        text = _catalogue(language).gettext(text)
    return text.format(**values) if values else text


def plural(language: str, singular: str, several: str, n: int, /, **values: Any) -> str:
    """The form the language's plural rule picks for `n` (French: singular for 0 and 1)."""
    if has_app_context():
        with force_locale(language):
            text = babel_ngettext(singular, several, n)
    else:
        text = _catalogue(language).ngettext(singular, several, n)
    return text.format(n=format_number(n, language), **values)


@lru_cache(maxsize=4)
def _iso3166(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language],
                               fallback=True)


@lru_cache(maxsize=1024)
def country_name(code: str | None, language: str) -> str:
    """A country's usual name in `language`, from its ISO 3166-1 alpha-2 code."""
    if not code:
        return ""
    short = SHORT_NAMES.get(language, {}).get(code)
    if short:
        return short
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _iso3166(language).gettext(name)


def language_label(code: str, language: str) -> str:
    """A language's name in `language` (CLDR, through Babel): French, français."""
    try:
        return Locale.parse(code).get_display_name(language) or code
    except (ValueError, LookupError):
        return code


def format_number(value: float | int, language: str, decimals: int | None = None) -> str:
    """1,600 and 1.5 in English; 1 600 and 1,5 in French (CLDR's separators)."""
    if decimals is None:
        decimals = 0 if float(value) == int(value) else 2
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=language)


def format_amount(amount: float, currency: str, language: str) -> str:
    """Money as CLDR writes it in the language: $1.50, 1,50 $US; whole amounts without cents."""
    pattern = copy.copy(Locale.parse(language).currency_formats["standard"])
    digits = 0 if float(amount) == int(amount) else 2
    pattern.frac_prec = (digits, digits)
    text = pattern.apply(amount, Locale.parse(language), currency=currency,
                         currency_digits=False)
    # CLDR's currency spacing, which Babel leaves out: a code is kept apart from the figure.
    return re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", "\u00a0", text)


def format_pay(pay: dict[str, Any] | None, language: str) -> str:
    """Pay exactly as reported: amount, currency and period, never converted."""
    if not pay:
        return ""
    amount = format_amount(pay["amount"], pay["currency"], language)
    return translate(language, PAY_PERIODS.get(pay["per"], "{amount}"), amount=amount)


def format_pay_qualified(pay: dict[str, Any] | None, language: str) -> str:
    """Pay with its qualifier, as the glossary words it: about $2 per hour."""
    if not pay:
        return ""
    text = format_pay(pay, language)
    qualifier = pay.get("qualifier") or "exact"
    return term("pay_qualifier", qualifier, language).format(pay=text)


def format_workers(count: int, basis: str | None, language: str) -> str:
    """A head count with what it counts, as the glossary words it: 1,600 contracted workers."""
    number = format_number(count, language)
    if not basis:
        return number
    return term("workers_basis", basis, language).format(count=number)


def format_partial_date(value: str | None, language: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD in words: 2022, February 2022, 14 February 2022."""
    if not value:
        return ""
    parts = [int(part) for part in value.split("-")]
    locale = DATE_LOCALES.get(language, language)
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        return format_skeleton("yMMMM", datetime.date(parts[0], parts[1], 1), locale=locale)
    return format_date(datetime.date(*parts), format="long", locale=locale)


def format_observed(observed: dict[str, Any] | None, language: str) -> str:
    if not observed:
        return ""
    start = format_partial_date(observed.get("start"), language)
    end = format_partial_date(observed.get("end"), language)
    if end and end != start:
        return translate(language, "{start} to {end}", start=start, end=end)
    return start


def format_percent(share: float, language: str) -> str:
    """0.5 as 50% in English, 50 % in French."""
    return babel_percent(share, locale=language)


def kind_label(kind: str, language: str) -> str:
    return term("kind", kind, language)


def evidence_label(evidence: str, language: str) -> str:
    return term("evidence", evidence, language)

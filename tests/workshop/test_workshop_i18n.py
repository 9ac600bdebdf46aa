"""The workshop's catalogues: every text of the code and templates is translated, the compiled
catalogues are current, the glossary names each term as the extension does, and Babel formats
numbers, money, dates and plurals the local way."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from server.workshop import i18n

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "server" / "translations"
CATALOGUE_LANGUAGES = ("fr",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "translate": (2,),
            "plural": (2, 3), "lazy_gettext": None, "_l": None}
PLACEHOLDER = r"{\w+}|%\(\w+\)s"


# The modules that validate records: their messages reach the curators' forms, the import page
# and the API's errors.
VALIDATION_FILES = ("server/records.py", "server/messages.py", "server/dataset.py",
                    "server/domains.py", "server/text.py", "server/errors.py",
                    "server/api/__init__.py", "server/api/schemas.py")


def _extracted() -> set[str | tuple[str, str]]:
    """Every text the code and the templates use, as Babel extracts it (babel.cfg's mapping):
    the workshop's, the curators' workspace's, the operations' and the validation messages."""
    texts: set[str | tuple[str, str]] = set()
    for folder, method in (("server/workshop", "python"),
                           ("server/templates/workshop", "jinja2"),
                           ("server/curate", "python"),
                           ("server/operations", "python"),
                           ("server/templates/curate", "jinja2")):
        found = extract_from_dir(ROOT / folder, method_map=[("**.py", "python")]
                                 if method == "python" else [("**.html", "jinja2")],
                                 keywords=KEYWORDS, comment_tags=())
        for _filename, _line, message, _comments, _context in found:
            texts.add(message)
    for path in VALIDATION_FILES:
        for _line, message, _comments, _context in extract_from_file(
                "python", ROOT / path, keywords=KEYWORDS, comment_tags=()):
            texts.add(message)
    return texts


def _frozen(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def _catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def test_babel_cfg_names_what_is_extracted():
    config = (ROOT / "babel.cfg").read_text(encoding="utf-8")
    assert "[python: server/workshop/**.py]" in config
    assert "[jinja2: server/templates/workshop/**.html]" in config
    assert "[python: server/curate/**.py]" in config
    assert "[python: server/operations/**.py]" in config
    assert "[jinja2: server/templates/curate/**.html]" in config
    for path in VALIDATION_FILES:
        assert f"[python: {path}]" in config


@pytest.mark.parametrize("language", CATALOGUE_LANGUAGES)
def test_every_text_has_a_translation_in_the_catalogue(language):
    texts = _extracted()
    assert len(texts) > 120
    catalogue = _catalogue(language)
    ids = {m.id for m in catalogue if m.id}
    missing = sorted(str(t) for t in texts if t not in ids)
    assert missing == [], f"not in the {language} catalogue (run pybabel update)"
    for message in catalogue:
        if not message.id:
            continue
        assert message.id in texts, f"no longer used: {message.id!r}"
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        assert all(strings), f"untranslated: {message.id!r}"
        wanted = set().union(*(re.findall(PLACEHOLDER, e) for e in english))
        for text in strings:
            # A singular may leave the number out ("one more"), never add or rename a name.
            assert set(re.findall(PLACEHOLDER, text)) <= wanted, message.id
        if len(english) == 1:
            assert set(re.findall(PLACEHOLDER, strings[0])) == wanted, message.id


@pytest.mark.parametrize("language", CATALOGUE_LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with open(folder / "messages.mo", "rb") as handle:
        compiled = {_frozen(m.id): _frozen(m.string) for m in read_mo(handle) if m.id}
    source = {_frozen(m.id): _frozen(m.string) for m in _catalogue(language) if m.id}
    assert compiled == source, "run pybabel compile -d server/translations"


def test_the_glossary_names_each_term_as_the_extension_does():
    glossary = json.loads((ROOT / "server" / "glossary.json").read_text(encoding="utf-8"))
    groups = {k: v for k, v in glossary.items() if not k.startswith("_")}
    assert set(groups) >= {"kind", "evidence", "workers_basis", "pay_qualifier"}
    assert set(groups["kind"]) == {"moderation", "labelling", "engagement", "microwork"}
    assert set(groups["evidence"]) == {"company_statement", "official_record",
                                       "investigative_journalism", "academic_study",
                                       "allegation"}
    assert set(groups["workers_basis"]) == {"employed", "contracted", "registered", "active",
                                            "estimated"}
    assert set(groups["pay_qualifier"]) == {"exact", "about", "up_to", "as_little_as",
                                            "at_least"}
    for language in i18n.LANGUAGES:
        messages = json.loads((ROOT / "extension" / "_locales" / language / "messages.json")
                              .read_text(encoding="utf-8"))
        for group, terms in groups.items():
            for key, entry in terms.items():
                extension = messages[entry["extension"]]["message"]
                extension = extension.replace("$COUNT$", "{count}").replace("$PAY$", "{pay}")
                assert entry[language] == extension, (group, key, language)


def test_the_workshop_uses_the_glossary_names(wclient):
    html = wclient.get("/workshop/tour/2/all?lang=en").get_data(as_text=True)
    assert "Bought engagement and click farms" in html and "Engagement buying" not in html
    french = wclient.get("/workshop/tour/2/all?lang=fr").get_data(as_text=True)
    assert "Engagement acheté et fermes à clics" in french
    assert i18n.format_workers(1600, "contracted", "en") == "1,600 contracted workers"
    assert i18n.format_workers(1600, "estimated", "fr") == (
        "environ 1\u202f600 travailleurs, selon une estimation")
    pay = {"amount": 2.2, "currency": "USD", "per": "hour", "qualifier": "about"}
    assert i18n.format_pay_qualified(pay, "en") == "about $2.20 per hour"
    assert i18n.format_pay_qualified({**pay, "qualifier": "up_to"}, "fr") == (
        "jusqu'à 2,20\u00a0$US de l'heure")


@pytest.mark.parametrize(("value", "language", "expected"), [
    ("2022", "en", "2022"), ("2022-02", "en", "February 2022"), ("2022-02", "fr", "février 2022"),
    ("2022-02-14", "en", "14 February 2022"), ("2022-02-14", "fr", "14 février 2022"),
])
def test_partial_dates_in_words(value, language, expected):
    assert i18n.format_partial_date(value, language) == expected


def test_plurals_follow_each_language(workshop_app):
    with workshop_app.test_request_context():
        assert i18n.plural("en", "{n} claim", "{n} claims", 0) == "0 claims"
        assert i18n.plural("fr", "{n} claim", "{n} claims", 0) == "0 fait"
        assert i18n.plural("fr", "{n} claim", "{n} claims", 2) == "2 faits"
        assert i18n.plural("fr", "{n} claim", "{n} claims", 1600) == "1\u202f600 faits"
        assert i18n.translate("fr", "Quiz") == "Quiz"
        assert i18n.translate("fr", "Next question") == "Question suivante"
        assert i18n.translate("en", "Next question") == "Next question"


def test_french_and_english_pages_come_from_the_catalogues(wclient):
    catalogue = {m.id: m.string for m in _catalogue("fr") if m.id and isinstance(m.id, str)}
    for path, english in (("/workshop/quiz/solo?set=42", "Check my answer"),
                          ("/workshop/join", "Join the quiz"),
                          ("/workshop/tour/1", "What you can do")):
        en = wclient.get(f"{path}{'&' if '?' in path else '?'}lang=en").get_data(as_text=True)
        fr = wclient.get(f"{path}{'&' if '?' in path else '?'}lang=fr").get_data(as_text=True)
        assert english in en
        assert catalogue[english].replace("'", "&#39;") in fr and english not in fr

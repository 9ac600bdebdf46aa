"""News leads: RSS/Atom feeds and the GDELT DOC API, filtered to articles about hidden labour.

An article becomes a `lead` proposal when its title or summary names a kind of hidden labour
(content moderators, data labelling, click farms, microwork...; English and French terms) and a
platform or vendor from the database. Only the headline, link, date and matched terms are kept.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 -- DOCTYPE/entities are refused before parsing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapers.base import Known, MalformedInput, ProposalDraft, fold

ORIGIN = "news"
FEEDS = (
    "https://restofworld.org/feed/latest",
    "https://www.theverge.com/rss/index.xml",
    "https://time.com/feed/",
)
GDELT_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
GDELT_TERMS = ("content moderators", "content moderation", "data labeling", "data labelling",
               "data annotators", "click farm", "fake followers", "microwork",
               "Mechanical Turk", "search quality raters")

# Terms per kind of labour, matched on accent-free lower-case text at word boundaries.
TERMS: dict[str, tuple[str, ...]] = {
    "moderation": (
        r"content moderat(?:or|ors|ion)", r"moderators?", r"trust and safety workers?",
        r"moderat(?:eur|eurs|rice|rices)", r"moderation des contenus", r"moderation de contenus?",
    ),
    "labelling": (
        r"data label(?:l)?(?:ing|er|ers)", r"annotators?", r"data annotation",
        r"(?:search quality |ai )?raters", r"ai trainers?",
        r"etiquetage (?:de|des) donnees", r"annotat(?:eur|eurs|rice|rices)",
        r"annotation (?:de|des) donnees", r"entraineurs? d'ia",
    ),
    "engagement": (
        r"click ?farms?", r"fake followers", r"fake accounts", r"fake engagement",
        r"bot farms?", r"fermes? a clics?", r"faux abonnes", r"faux comptes",
    ),
    "microwork": (
        r"micro-?work(?:ers?)?", r"micro-?tasks?", r"mechanical turk", r"mturk",
        r"crowd ?workers?", r"click ?workers", r"micro-?travail(?:leurs)?",
        r"travailleurs du clic",
    ),
}
_TERM_PATTERNS = {
    kind: re.compile(r"\b(" + "|".join(patterns) + r")\b") for kind, patterns in TERMS.items()
}
TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|cmpid|smid|"
                             r"taid|ocid|icid|itm_\w+|guccounter)$", re.IGNORECASE)
MAX_SUMMARY = 600
# GDELT names languages in English; feeds give codes.
LANGUAGE_NAMES = {"english": "en", "french": "fr", "german": "de", "spanish": "es",
                  "italian": "it", "portuguese": "pt", "dutch": "nl", "polish": "pl"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Article:
    url: str
    title: str
    summary: str
    published: str | None  # ISO 8601, UTC when known
    feed: str | None
    language: str | None = None


def gdelt_url(terms: Iterable[str] = GDELT_TERMS, *, timespan: str = "1w") -> str:
    query = "(" + " OR ".join(f'"{term}"' for term in terms) + ")"
    params = {"query": query, "mode": "artlist", "format": "json", "maxrecords": "250",
              "timespan": timespan, "sort": "datedesc"}
    return f"{GDELT_URL}?{urlencode(params)}"


def default_feeds() -> list[str]:
    return [*FEEDS, gdelt_url()]


def fetch(session: Any, url: str) -> bytes:
    return session.fetch(url)


def parse(data: bytes, *, source_url: str | None = None) -> list[Article]:
    """The articles of an RSS 2.0 or Atom feed, or of a GDELT DOC API JSON answer. Pure."""
    name = source_url or "feed"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise MalformedInput("the feed is empty", source=name)
    if stripped.startswith((b"{", b"[")):
        return _parse_gdelt(stripped, name=name, source_url=source_url)
    if stripped.startswith(b"<"):
        return _parse_xml(stripped, name=name, source_url=source_url)
    raise MalformedInput("neither an RSS/Atom feed nor GDELT JSON", source=name)


def _parse_gdelt(data: bytes, *, name: str, source_url: str | None) -> list[Article]:
    try:
        document = json.load(io.StringIO(data.decode("utf-8", errors="replace")))
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"broken GDELT JSON ({exc})", source=name) from exc
    if not isinstance(document, dict):
        raise MalformedInput("expected a GDELT object with an 'articles' list", source=name)
    items = document.get("articles", [])  # GDELT answers {} when nothing matched
    if not isinstance(items, list):
        raise MalformedInput("'articles' is not a list", source=name)
    articles = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("url") or not item.get("title"):
            raise MalformedInput(f"article {index} has no url or title", source=name)
        articles.append(Article(
            url=canonical_url(item["url"]),
            title=_clean(item["title"]),
            summary="",
            published=_gdelt_date(item.get("seendate")),
            feed=source_url,
            language=_language(item.get("language")),
        ))
    return _dedupe(articles)


def _language(value: Any) -> str | None:
    """An ISO 639-1 code from "en-US", "fr" or GDELT's "English"; None when unknown."""
    text = str(value or "").strip().lower()
    if not text:
        return None
    if text in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[text]
    code = text.split("-")[0].split("_")[0]
    return code if len(code) == 2 and code.isalpha() else None


def _gdelt_date(value: Any) -> str | None:
    try:
        moment = dt.datetime.strptime(str(value), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return moment.isoformat().replace("+00:00", "Z")


ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"


def _parse_xml(data: bytes, *, name: str, source_url: str | None) -> list[Article]:
    # The standard library parser expands internal entities ("billion laughs"); feeds never
    # need a DOCTYPE, so refuse any, as defusedxml does.
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", data[:4096], re.IGNORECASE):
        raise MalformedInput("the feed declares a DOCTYPE or entities; refused", source=name)
    try:
        root = ET.fromstring(data)  # noqa: S314 -- DOCTYPE refused above
    except ET.ParseError as exc:
        raise MalformedInput(f"broken XML ({exc}); is the feed truncated?", source=name) from exc
    if root.tag == "rss" or root.tag.endswith("RDF"):
        items = root.iter("item") if root.tag == "rss" else root.iter(
            "{http://purl.org/rss/1.0/}item")
        language = _language(_text(root.find("channel/language")))
        articles = [_rss_item(item, source_url, language) for item in items]
    elif root.tag == f"{ATOM}feed":
        language = _language(root.get(XML_LANG))
        articles = [_atom_entry(entry, source_url, language)
                    for entry in root.iter(f"{ATOM}entry")]
    else:
        raise MalformedInput(f"not an RSS or Atom feed (root element <{root.tag}>)", source=name)
    return _dedupe([a for a in articles if a is not None])


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _rss_item(item: ET.Element, feed: str | None, language: str | None) -> Article | None:
    def child(tag: str) -> str:
        found = item.find(tag)
        if found is None:
            found = item.find("{http://purl.org/rss/1.0/}" + tag)
        return _text(found).strip()

    link = child("link") or (child("guid") if child("guid").startswith("http") else "")
    title = child("title")
    if not link or not title:
        return None
    summary = child("description") or _text(item.find(CONTENT))
    published = _rss_date(child("pubDate")) or _iso_date(_text(item.find(DC_DATE)))
    return Article(url=canonical_url(link), title=_clean(title), summary=_clean(summary),
                   published=published, feed=feed, language=language)


def _atom_entry(entry: ET.Element, feed: str | None, language: str | None) -> Article | None:
    link = ""
    for candidate in entry.findall(f"{ATOM}link"):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            link = candidate.get("href", "")
            break
    title = _text(entry.find(f"{ATOM}title")).strip()
    if not link or not title:
        return None
    summary = _text(entry.find(f"{ATOM}summary")) or _text(entry.find(f"{ATOM}content"))
    published = _iso_date(_text(entry.find(f"{ATOM}published"))
                          or _text(entry.find(f"{ATOM}updated")))
    language = _language(entry.get(XML_LANG)) or language
    return Article(url=canonical_url(link), title=_clean(title), summary=_clean(summary),
                   published=published, feed=feed, language=language)


def _rss_date(text: str) -> str | None:
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _iso_date(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _clean(html_or_text: str) -> str:
    """Plain text of an HTML fragment (feed summaries carry markup), shortened."""
    text = html_or_text
    if "<" in text or "&" in text:
        from bs4 import BeautifulSoup

        text = BeautifulSoup(text, "html.parser").get_text(" ")
    text = " ".join(text.split())
    if len(text) > MAX_SUMMARY:
        text = text[:MAX_SUMMARY].rsplit(" ", 1)[0] + "…"
    return text


def canonical_url(url: str) -> str:
    """The URL without tracking parameters or fragment, host in lower case: to deduplicate."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def _dedupe(articles: list[Article]) -> list[Article]:
    seen: set[str] = set()
    unique = []
    for article in articles:
        if article.url not in seen:
            seen.add(article.url)
            unique.append(article)
    return unique


# -- proposals ------------------------------------------------------------------------------


def labour_terms(text: str) -> dict[str, list[str]]:
    """The kinds of hidden labour a text names, with the terms found: {"moderation": [...]}."""
    folded = fold(text)
    found = {}
    for kind, pattern in _TERM_PATTERNS.items():
        terms = sorted({m.group(1) for m in pattern.finditer(folded)})
        if terms:
            found[kind] = terms
    return found


def _name_pattern(name: str) -> re.Pattern[str] | None:
    # One- or two-letter names ("X") would match everywhere; short ones must keep their case.
    if len(name) <= 2:
        return None
    flags = 0 if len(name) <= 4 else re.IGNORECASE
    return re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", flags)


def _names_in(text: str, named: Iterable[tuple[str, tuple[str, ...]]]) -> list[str]:
    found = []
    for slug, names in named:
        for name in names:
            pattern = _name_pattern(name)
            if pattern is not None and pattern.search(text):
                found.append(slug)
                break
    return found


def to_proposals(records: Iterable[Article], known: Known) -> list[ProposalDraft]:
    """A `lead` per article naming a kind of labour and a known platform or vendor, unless its
    URL is already a source in the database."""
    already = {canonical_url(url) for url in known.source_urls}
    platforms = [(p.slug, p.names()) for p in known.platforms]
    vendors = [(v.slug, v.names()) for v in known.vendors]
    drafts = []
    seen: set[str] = set()
    for article in records:
        if article.url in already or article.url in seen:
            continue
        text = f"{article.title}\n{article.summary}"
        kinds = labour_terms(text)
        if not kinds:
            continue
        matched_platforms = _names_in(text, platforms)
        matched_vendors = _names_in(text, vendors)
        if not matched_platforms and not matched_vendors:
            continue
        seen.add(article.url)
        drafts.append(ProposalDraft(
            origin=ORIGIN,
            kind="lead",
            platform_slug=matched_platforms[0] if len(matched_platforms) == 1 else None,
            source_url=article.url,
            payload={
                "identity": {"url": article.url},
                "record": {
                    "url": article.url,
                    "title": article.title,
                    "published": article.published,
                    "feed": article.feed,
                    "language": article.language,
                },
                "change": {
                    "kinds": sorted(kinds),
                    "terms": sorted({t for terms in kinds.values() for t in terms}),
                    "platforms": matched_platforms,
                    "vendors": matched_vendors,
                },
            },
        ))
    return drafts

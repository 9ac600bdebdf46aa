"""News leads: RSS/Atom feeds and the GDELT DOC API, filtered to articles about hidden labour.

An article becomes a `lead` proposal when its title or summary names a kind of hidden labour
(content moderators, data labelling, click farms, microwork...; English and French terms) and a
platform or vendor from the database. Only the headline, link, date and matched terms are kept.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.sax
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapers.base import Known, MalformedInput, ProposalDraft, RunContext, Scraper, Target, fold

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


def targets(ctx: RunContext) -> list[Target]:
    """The --source files or URLs, else the feeds and the GDELT query."""
    return [Target(url) for url in (ctx.sources or default_feeds())]


def fetch(session: Any, url: str) -> bytes:
    return session.fetch(url)


def parse(data: bytes, *, source_url: str | None = None) -> list[Article]:
    """The articles of an RSS or Atom feed (feedparser), or of a GDELT DOC API JSON answer.
    Pure."""
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


_FEED_ENDS = (b"</rss>", b"</feed>", b"rdf>")


def _root_element(data: bytes) -> str:
    """The name of a document's first element (after the XML declaration and comments)."""
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", data[:4096], flags=re.DOTALL)
    match = re.search(rb"<([A-Za-z][\w:.-]*)", text)
    return match.group(1).decode("ascii", errors="replace") if match else "?"


def _parse_xml(data: bytes, *, name: str, source_url: str | None) -> list[Article]:
    """An RSS (0.9x, 1.0, 2.0) or Atom feed, read by feedparser."""
    # Feeds never need a DOCTYPE: refuse any, so that no entity is ever expanded.
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", data[:4096], re.IGNORECASE):
        raise MalformedInput("the feed declares a DOCTYPE or entities; refused", source=name)
    import feedparser

    document = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=True)
    if not document.get("version"):
        raise MalformedInput(f"not an RSS or Atom feed (root element <{_root_element(data)}>)",
                             source=name)
    problem = document.get("bozo_exception") if document.get("bozo") else None
    if isinstance(problem, xml.sax.SAXParseException) and not data.rstrip().lower().endswith(
            _FEED_ENDS):
        # feedparser's lenient reading copes with sloppy markup, not with a missing end.
        raise MalformedInput(f"broken XML ({problem}); is the feed truncated?", source=name)
    feed_language = _language(document.feed.get("language"))
    articles = [_entry(entry, source_url, feed_language) for entry in document.entries]
    return _dedupe([a for a in articles if a is not None])


def _entry(entry: Any, feed: str | None, language: str | None) -> Article | None:
    link = entry.get("link") or ""
    if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
        link = entry["id"]
    title = str(entry.get("title") or "").strip()
    if not link or not title:
        return None
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    published = None
    if moment is not None:
        published = (dt.datetime(*moment[:6], tzinfo=dt.UTC).isoformat()
                     .replace("+00:00", "Z"))
    entry_language = _language((entry.get("title_detail") or {}).get("language"))
    return Article(url=canonical_url(link), title=_clean(title), summary=_clean(summary),
                   published=published, feed=feed, language=entry_language or language)


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


def _parse_target(data: bytes, target: Target, ctx: RunContext) -> list[Article]:
    return parse(data, source_url=target.location)


SCRAPER = Scraper(
    name="news",
    description="news articles about hidden labour on listed platforms (RSS, Atom, GDELT)",
    targets=targets,
    parse=_parse_target,
    to_proposals=to_proposals,
)

"""Is a source's quote still on its page, and does the page's own date agree with `published`?

Pure functions on a page's HTML (no network): the link checker fetches, this module reads.

- Text: the article's text as trafilatura extracts it (recall favoured, tables kept); when the
  quote is not there, the whole page's visible text too (a quote may sit in a caption or a box).
- Normalising, on both sides: Unicode NFKC; curly and angle quotes to straight ones; every dash
  and minus to "-"; "…" to "..."; soft hyphens and zero-width characters removed; whitespace
  runs to one space; lower case. Accents are kept (a French quote must match a French page).
- Matching: rapidfuzz's `partial_ratio_alignment` of the quote against overlapping windows of the
  text (a window is twice the quote's length, windows overlap by one quote length, so any passage
  the quote could match lies whole inside one). A score of QUOTE_THRESHOLD (90) or more out of 100
  means found: it allows a changed word or two in a 40-word quote (a corrected typo, "per cent"
  for "%") but not a different sentence. A quote with elisions ("...", "[...]", "…") is split
  there and every part of three words or more must be found; the lowest part's score counts.
- Unknown (None), not "not found", when the page cannot tell: a paywall (schema.org
  `isAccessibleForFree: false`, or a 401/402/403 answer), a PDF or any non-HTML answer, a page
  robots.txt keeps us from, a fetch error, too little text extracted (under MIN_WORDS words:
  a consent wall or a page built by scripts), or no quote to look for.
- Dates: htmldate reads the page's original publication date from its markup (meta tags,
  JSON-LD, <time>, the URL), not from its free text. It disagrees with `published` when they
  differ at `published`'s precision (year, month or day); two full dates one day apart agree
  (time zones).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass

QUOTE_THRESHOLD = 90.0
MIN_WORDS = 80
EXCERPT_CONTEXT = 60  # characters of context either side of the matched passage
EXCERPT_MAX = 600
MIN_FRAGMENT_WORDS = 3

_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u0060": "'",
    "\u00b4": "'", "\u2039": '"', "\u203a": '"', "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
}
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TRANSLATE = str.maketrans({**_QUOTES, **dict.fromkeys(_DASHES, "-"),
                            **dict.fromkeys(_INVISIBLE, None)})
_ELISION = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\(\s*(?:\.\s*){3}\)|\.{3,}|…)\s*")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Quotes, dashes, invisible characters and whitespace normalised; case kept."""
    text = unicodedata.normalize("NFKC", text).replace("\u2026", "...").translate(_TRANSLATE)
    # NFKC turns "…" into "..." already; the explicit replace keeps the rule visible.
    return _SPACES.sub(" ", text).strip()


def normalise(text: str) -> str:
    """What matching compares: `clean` text in lower case."""
    return _lower(clean(text))


def _lower(text: str) -> str:
    # str.lower() can change a string's length ("İ" gives two characters); keep positions so an
    # excerpt can be cut from the cleaned text at the matched place.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@dataclass(frozen=True)
class QuoteMatch:
    found: bool | None  # None: the page cannot tell (see `note`)
    score: float | None  # 0-100, the lowest fragment's best partial_ratio
    excerpt: str | None  # the passage of the page nearest to the quote
    note: str  # why unknown, or "" when the page could tell


def quote_fragments(quote: str) -> list[str]:
    """The parts of a quote between elisions; parts under three words go only when others stay."""
    parts = [p.strip(" ,;:") for p in _ELISION.split(clean(quote))]
    parts = [p for p in parts if p]
    long_parts = [p for p in parts if len(p.split()) >= MIN_FRAGMENT_WORDS]
    return long_parts or parts


def best_match(fragment: str, text: str) -> tuple[float, int, int]:
    """(score, start, end) of the passage of `text` nearest to `fragment`, both `clean`ed."""
    from rapidfuzz import fuzz

    needle, haystack = _lower(fragment), _lower(text)
    if not needle or not haystack:
        return 0.0, 0, 0
    exact = haystack.find(needle)
    if exact >= 0:
        return 100.0, exact, exact + len(needle)
    size = max(2 * len(needle), 200)
    step = max(len(needle), 100)
    best = (0.0, 0, 0)
    for start in range(0, max(len(haystack) - len(needle), 0) + 1, step):
        window = haystack[start:start + size]
        alignment = fuzz.partial_ratio_alignment(needle, window)
        if alignment is not None and alignment.score > best[0]:
            best = (alignment.score, start + alignment.dest_start, start + alignment.dest_end)
        if start + size >= len(haystack):
            break
    return best


def excerpt_at(text: str, start: int, end: int) -> str:
    """The matched passage with some context, cut at word boundaries."""
    left = max(0, start - EXCERPT_CONTEXT)
    right = min(len(text), end + EXCERPT_CONTEXT)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    excerpt = text[left:right].strip()
    if len(excerpt) > EXCERPT_MAX:
        excerpt = excerpt[:EXCERPT_MAX].rsplit(" ", 1)[0]
    return ("…" if left > 0 else "") + excerpt + ("…" if right < len(text) else "")


def match_quote(quote: str, texts: list[str]) -> tuple[float, str | None]:
    """The quote's score (its weakest fragment's) against the best of `texts`, and the excerpt
    of the page nearest to its first weakest fragment."""
    fragments = quote_fragments(quote)
    best_score, best_excerpt = -1.0, None
    for raw in texts:
        text = clean(raw)
        if not text:
            continue
        results = [best_match(fragment, text) for fragment in fragments]
        score, start, end = min(results, key=lambda r: r[0])
        if score > best_score:
            best_score, best_excerpt = score, excerpt_at(text, start, end)
    return max(best_score, 0.0), best_excerpt


def check_quote(quote: str, texts: list[str], *, unknown: str = "") -> QuoteMatch:
    """Look for `quote` in the page's texts (the article first, then the whole page).

    unknown: why the page cannot tell (paywall, too little text...); then a quote that is found
    still counts as found, one that is not is unknown rather than absent.
    """
    if not quote.strip():
        return QuoteMatch(None, None, None, "no quote to look for")
    if not any(t.strip() for t in texts):
        return QuoteMatch(None, None, None, unknown or "no text on the page")
    score, excerpt = match_quote(quote, texts)
    score = round(score, 1)
    if score >= QUOTE_THRESHOLD:
        return QuoteMatch(True, score, excerpt, "")
    if unknown:
        return QuoteMatch(None, score, excerpt, unknown)
    return QuoteMatch(False, score, excerpt, "")


# -- the page -------------------------------------------------------------------------------


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page's text: the charset the server or the page declares, else UTF-8."""
    charset = None
    match = re.search(r"charset=[\"']?([\w-]+)", content_type or "", re.IGNORECASE)
    if match is None:
        match = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:4096], re.IGNORECASE)
        if match is not None:
            charset = match.group(1).decode("ascii", errors="ignore")
    else:
        charset = match.group(1)
    for encoding in (charset, "utf-8"):
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")


def article_text(html: str) -> str:
    """The article's text as trafilatura extracts it ("" when it finds none)."""
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lxml/justext notices about odd markup: not ours
        text = trafilatura.extract(html, include_comments=False, include_tables=True,
                                   favor_recall=True, deduplicate=False, with_metadata=False)
    return text or ""


def page_text(html: str) -> str:
    """All the page's visible text (trafilatura's html2txt)."""
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return trafilatura.html2txt(html) or ""


def page_date(html: str, url: str | None = None) -> str | None:
    """The page's original publication date (YYYY-MM-DD) from its markup, or None."""
    import htmldate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = htmldate.find_date(html, url=url, original_date=True,
                                       extensive_search=False, outputformat="%Y-%m-%d")
        except (ValueError, TypeError):
            return None
    return found or None


_JSON_LD = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>",
                      re.IGNORECASE | re.DOTALL)


def is_paywalled(html: str) -> bool:
    """True when the page marks its content as not free (schema.org isAccessibleForFree)."""
    for block in _JSON_LD.findall(html):
        try:
            document = json.loads(block.strip())
        except ValueError:
            if re.search(r'"isAccessibleForFree"\s*:\s*"?false"?', block, re.IGNORECASE):
                return True
            continue
        if _not_free(document):
            return True
    return False


def _not_free(node: object) -> bool:
    if isinstance(node, list):
        return any(_not_free(item) for item in node)
    if isinstance(node, dict):
        value = node.get("isAccessibleForFree")
        if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
            return True
        return any(_not_free(item) for item in node.values() if isinstance(item, dict | list))
    return False


def dates_disagree(published: str | None, found: str | None) -> bool:
    """Does the page's date contradict `published` ("YYYY[-MM[-DD]]")?"""
    if not published or not found:
        return False
    if len(published) == 10:
        try:
            gap = abs(dt.date.fromisoformat(published) - dt.date.fromisoformat(found))
        except ValueError:
            return False
        return gap > dt.timedelta(days=1)
    return not found.startswith(published)


@dataclass(frozen=True)
class PageReading:
    """What an HTML page tells, once, for every source that cites it."""

    texts: list[str]  # the article's text, then the whole page's
    published: str | None
    unknown: str  # why a quote not found there would still be unknown; "" when the page tells
    words: int


def read_page(html: str, url: str | None = None) -> PageReading:
    article = article_text(html)
    whole = page_text(html)
    words = max(len(article.split()), len(whole.split()))
    unknown = ""
    if is_paywalled(html):
        unknown = "paywall (the page marks its content as not free)"
    elif words < MIN_WORDS:
        unknown = f"too little text on the page ({words} words: a consent or login wall?)"
    return PageReading(texts=[article, whole], published=page_date(html, url), unknown=unknown,
                       words=words)

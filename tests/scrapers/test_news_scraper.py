"""News leads from RSS, Atom and GDELT."""

from __future__ import annotations

import pytest
from scraper_helpers import as_json, expected, fixture_bytes

from scrapers import news
from scrapers.base import MalformedInput

FEEDS = [("restofworld.rss", "https://restofworld.org/feed/latest"),
         ("lemonde.atom", "https://www.example.fr/rss/pixels.xml"),
         ("gdelt.json", "https://api.gdeltproject.org/api/v2/doc/doc")]


def parse(name, url):
    return news.parse(fixture_bytes(f"news/{name}"), source_url=url)


@pytest.mark.parametrize(("name", "url"), FEEDS)
def test_feeds_parse_to_the_expected_articles(name, url):
    stem = name.rsplit(".", 1)[0]
    assert as_json(parse(name, url)) == expected(f"news/{stem}.expected.json")


def test_articles_are_cleaned():
    first = parse(*FEEDS[0])[0]
    assert first.url == "https://restofworld.org/2026/sama-nairobi-moderators/"  # no utm_*
    assert first.summary == "Content moderators employed by Sama describe quotas & pay."
    assert first.published == "2026-11-16T09:30:00Z"
    assert first.language == "en"
    french = parse(*FEEDS[1])[0]
    assert french.url.endswith("moderateurs-tiktok-lisbonne")  # no fragment
    assert french.published == "2026-11-16T06:45:00Z"  # in UTC
    assert french.language == "fr"


def test_leads_name_labour_and_a_known_platform_or_vendor(known):
    articles = [a for name, url in FEEDS for a in parse(name, url)]
    drafts = news.to_proposals(articles, known)
    assert as_json(drafts) == expected("news/all.proposals.expected.json")
    titles = [d.payload["record"]["title"] for d in drafts]
    assert "TikTok's new shopping feature arrives in Indonesia" not in titles  # no labour
    assert "Click farms are moving to smaller towns" not in titles  # no platform or vendor
    assert "Former Facebook moderators win appeal in Kenya" not in titles  # already a source
    assert "X change encore ses règles" not in titles  # "X" alone is too short to match
    assert len({d.source_url for d in drafts}) == len(drafts)  # RSS and GDELT copy: one lead


@pytest.mark.parametrize(("text", "kinds"), [
    ("Content moderators in Accra", {"moderation"}),
    ("Des modératrices à Lisbonne", {"moderation"}),
    ("Data labelling firms", {"labelling"}),
    ("L'étiquetage de données au Kenya", {"labelling"}),
    ("A click farm in Vietnam", {"engagement"}),
    ("Les fermes à clics", {"engagement"}),
    ("Microwork on Mechanical Turk", {"microwork"}),
    ("Les travailleurs du clic", {"microwork"}),
    ("Operators of the new stadium", set()),
])
def test_labour_terms(text, kinds):
    assert set(news.labour_terms(text)) == kinds


def test_canonical_url_drops_tracking_and_fragment():
    assert news.canonical_url("HTTPS://Example.COM/a?utm_source=x&id=3&fbclid=y#top") == (
        "https://example.com/a?id=3")


def test_a_feed_with_a_doctype_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><rss><channel><item><title>&lol2;</title>'
            b"</item></channel></rss>")
    with pytest.raises(MalformedInput, match="DOCTYPE or entities; refused"):
        news.parse(bomb, source_url="https://feeds.example/bomb.xml")


def test_a_truncated_feed_is_a_clear_error():
    data = fixture_bytes("news/restofworld.rss")
    with pytest.raises(MalformedInput, match=r"restofworld.org/feed/latest: broken XML .*"
                                             r"is the feed truncated\?"):
        news.parse(data[: len(data) // 2], source_url="https://restofworld.org/feed/latest")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"<html><body>hello</body></html>", r"not an RSS or Atom feed \(root element <html>\)"),
    (b'{"articles": [{"title": "no url"}]}', "article 1 has no url or title"),
    (b'{"articles": [', "broken GDELT JSON"),
    (b"plain text", "neither an RSS/Atom feed nor GDELT JSON"),
])
def test_malformed_feeds(data, message):
    with pytest.raises(MalformedInput, match=message):
        news.parse(data, source_url="https://feeds.example/x")


def test_gdelt_answers_nothing_with_an_empty_object():
    assert news.parse(b"{}", source_url=news.GDELT_URL) == []


def test_the_gdelt_query_asks_for_json_articles():
    url = news.gdelt_url()
    assert url.startswith("https://api.gdeltproject.org/api/v2/doc/doc?query=%28%22content+")
    assert "mode=artlist" in url and "format=json" in url and "sort=datedesc" in url


def test_an_rss_1_0_feed_is_read_by_the_feed_parser():
    rdf = (b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://feeds.example/rdf"><title>Example</title>
    <link>https://feeds.example/</link><description>Test fixture</description>
    <dc:language>de</dc:language></channel>
  <item rdf:about="https://feeds.example/a"><title>Moderatoren bei Sama</title>
    <link>https://feeds.example/a?utm_source=rdf</link>
    <dc:date>2026-11-16T10:00:00+01:00</dc:date></item>
</rdf:RDF>""")
    [article] = news.parse(rdf, source_url="https://feeds.example/rdf")
    assert (article.url, article.published, article.language) == (
        "https://feeds.example/a", "2026-11-16T09:00:00Z", "de")


def test_sloppy_but_complete_markup_is_still_read():
    sloppy = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T & Co</title>'
              b"<item><title>Click farms & fake followers</title>"
              b"<link>https://feeds.example/b</link></item></channel></rss>")
    [article] = news.parse(sloppy, source_url="https://feeds.example/sloppy")
    assert article.title == "Click farms & fake followers"

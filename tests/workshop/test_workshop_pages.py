"""Every workshop page: both languages, nothing loaded from elsewhere, nothing CSP would refuse."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from server import index
from server.workshop import i18n

TEMPLATES = Path(__file__).resolve().parents[2] / "server" / "templates" / "workshop"
WORKSHOP_CODE = Path(__file__).resolve().parents[2] / "server" / "workshop"

# path, a label only the English page shows, and its French counterpart
PAGES = {
    "landing": ("/workshop/", "What to show", "Que montrer ?"),
    "tour": ("/workshop/tour/1", "Platform 1 of 7", "Plateforme 1 sur 7"),
    "map": ("/workshop/map", "Where platforms are based", "Où les plateformes ont leur siège"),
    "country": ("/workshop/map/KE", "Claims located there", "Faits situés là"),
    "quiz": ("/workshop/quiz?seed=42", "Presenter mode", "Mode présentateur"),
    "quiz-present": ("/workshop/quiz/present/1?seed=42", "Show the answer", "Voir la réponse"),
    "quiz-answer": ("/workshop/quiz/present/2?seed=42&reveal=1", "The answer is",
                    "La réponse est"),
    "quiz-end": ("/workshop/quiz/present/11?seed=42", "End of the quiz", "Fin du quiz"),
    "quiz-solo": ("/workshop/quiz/solo?seed=42", "Check my answer", "Vérifier ma réponse"),
    "quiz-checked": ("/workshop/quiz/solo/checked?seed=42&answers=1", "Next question",
                     "Question suivante"),
    "quiz-score": ("/workshop/quiz/solo/score?seed=42&answers=0123012301", "Your score",
                   "Votre score"),
    "cards": ("/workshop/cards", "Fact cards", "Fiches"),
    "cards-letter": ("/workshop/cards?paper=letter", "Print these cards",
                     "Imprimez ces fiches"),
    "collection-form": ("/workshop/collections/new", "Create the collection",
                        "Créer la collection"),
}


class Resources(HTMLParser):
    """What an HTML page would load, link to, or run inline."""

    LOADED = {("script", "src"), ("img", "src"), ("img", "srcset"), ("link", "href"),
              ("iframe", "src"), ("source", "src"), ("source", "srcset"), ("video", "src"),
              ("video", "poster"), ("audio", "src"), ("embed", "src"), ("object", "data"),
              ("use", "href"), ("use", "xlink:href"), ("image", "href"),
              ("image", "xlink:href"), ("input", "src"), ("track", "src"), ("button", "formaction")}
    URL_ATTRIBUTES = ("marker-end", "marker-start", "marker-mid", "fill", "stroke", "clip-path",
                      "mask", "filter")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loaded: list[str] = []
        self.sent: list[str] = []  # form actions and submit targets
        self.links: list[str] = []
        self.inline: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "form":
            self.sent.append(attributes.get("action") or "")
        if tag == "script" and not attributes.get("src"):
            self.inline.append("<script> without src")
        if tag in ("style", "base", "iframe", "frame", "object", "embed"):
            self.inline.append(f"<{tag}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.inline.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=...>")
            if name == "style":
                self.inline.append(f"<{tag} style=...>")
            if (tag, name) in self.LOADED and value:
                self.loaded += [part.strip().split(" ")[0] for part in value.split(",")]
            if name in self.URL_ATTRIBUTES and value and "url(" in value:
                self.loaded += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)
            if value and value.strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}=javascript:>")


def parse(html: str) -> Resources:
    parser = Resources()
    parser.feed(html)
    parser.close()
    return parser


def css_urls(css: str) -> list[str]:
    return (re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
            + re.findall(r"@import\s+['\"]([^'\"]+)", css))


def same_origin(url: str, origin: str = "http://localhost") -> bool:
    """Relative, an absolute path, a fragment, or this origin."""
    if url.startswith("#"):
        return True
    parts = urlsplit(urljoin(origin + "/workshop/", url))
    return (parts.scheme, parts.netloc) == tuple(urlsplit(origin)[:2])


def test_same_origin_helper_refuses_other_origins():
    assert same_origin("/static/x.css") and same_origin("x.css") and same_origin("#arrow")
    assert same_origin("http://localhost/workshop/")
    for url in ("https://cdn.example/x.js", "//cdn.example/x.js", "http://localhost:8080/",
                "data:text/css,x", "https://localhost/"):
        assert not same_origin(url), url


@pytest.mark.parametrize("name", PAGES)
def test_page_answers_in_english_and_french(wclient, name):
    path, english, french = PAGES[name]
    english_page = wclient.get(path, headers={"Accept-Language": "en"})
    assert english_page.status_code == 200, english_page.data[:300]
    html = english_page.get_data(as_text=True)
    assert parse(html).html_lang == "en"
    assert english in html

    for headers, query in (({"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}, ""),
                           ({"Accept-Language": "en"}, "lang=fr")):
        separator = "&" if "?" in path else "?"
        french_page = wclient.get(path + (separator + query if query else ""), headers=headers)
        assert french_page.status_code == 200
        html = french_page.get_data(as_text=True)
        assert parse(html).html_lang == "fr", (path, headers, query)
        assert french in html
        assert english not in html
        wclient.delete_cookie(i18n.COOKIE, path="/workshop")


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_nothing_from_outside_and_nothing_inline(wclient, export, name):
    path = PAGES[name][0]
    response = wclient.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    page = parse(response.get_data(as_text=True))
    assert page.inline == []
    assert page.loaded, "a page loads at least its stylesheet"
    assert [url for url in page.loaded + page.sent if not same_origin(url)] == []
    # Links may leave the service only to a claim's source (or the data licence).
    allowed = {s["url"] for c in export["claims"] for s in c["sources"]}
    allowed.add(export["licence"]["url"])
    allowed |= {a["url"] for p in export["platforms"] for a in p["actions"]}  # what you can do
    # The companies' replies, archived copies, and the sources of language figures and sites.
    allowed |= {r["source"]["url"] for c in export["claims"] for r in c["responses"]}
    allowed |= {s["archive_url"] for c in export["claims"] for s in c["sources"]
                if s.get("archive_url")}
    allowed |= {m["source"]["url"] for p in export["platforms"] for m in p["moderators"]}
    allowed |= {s["source"]["url"] for v in export["vendors"] for s in v["sites"]}
    outside = [url for url in page.links if not same_origin(url)]
    assert [url for url in outside if url not in allowed] == []
    for url in page.loaded:
        if url.startswith("#"):
            continue
        with wclient.get(urljoin("http://localhost" + path, url)) as asset:
            assert asset.status_code == 200, url
            body = asset.get_data(as_text=True)
        if url.endswith(".css"):
            assert [u for u in css_urls(body) if not same_origin(u)] == []
        if url.endswith(".js"):
            assert not re.search(r"https?://|\bfetch\(|XMLHttpRequest|import\(", body)


def test_sources_show_publisher_date_and_url_on_the_tour(wclient, export):
    # Facebook, by name order: every claim and source on the tour's "more" page
    html = wclient.get("/workshop/tour/2/all").get_data(as_text=True)
    assert "<h1>Facebook</h1>" in html
    facebook = [c for c in export["claims"] if "facebook" in c["platforms"]]
    for claim in facebook:
        for source in claim["sources"]:
            assert source["publisher"] in html.replace("&amp;", "&")
            assert f'href="{source["url"]}"'.replace("&", "&amp;") in html
    assert "14 February 2022" in html  # TIME's article date, in words
    html = wclient.get("/workshop/tour/2").get_data(as_text=True)
    assert 'rel="next" href="/workshop/tour/3"' in html
    assert 'rel="prev" href="/workshop/tour/1"' in html


def test_tour_takes_a_platform_slug_and_refuses_numbers_out_of_range(wclient):
    response = wclient.get("/workshop/tour?p=tiktok")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/workshop/tour/5")
    assert wclient.get("/workshop/tour/0").status_code == 404
    assert wclient.get("/workshop/tour/8").status_code == 404
    assert wclient.get("/workshop/tour?p=discord").status_code == 404  # nothing published


def test_language_link_keeps_the_page_and_the_choice_is_remembered(wclient):
    html = wclient.get("/workshop/map/KE").get_data(as_text=True)
    assert 'href="/workshop/map/KE?lang=fr"' in html
    french = wclient.get("/workshop/map/KE?lang=fr")
    assert "Max-Age" in french.headers["Set-Cookie"] and "Path=/workshop" in french.headers[
        "Set-Cookie"]
    # A later page without ?lang= stays in French, over the browser's English.
    later = wclient.get("/workshop/tour/1", headers={"Accept-Language": "en"})
    assert '<html lang="fr"' in later.get_data(as_text=True)
    back = wclient.get("/workshop/tour/1?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in back
    # Links on a page reached with ?lang= carry it, so it works with cookies off too.
    assert 'href="/workshop/tour/2?lang=en"' in back


def test_country_names_and_figures_in_french(wclient):
    html = wclient.get("/workshop/tour/2/all?lang=fr").get_data(as_text=True)
    assert "Kenya" in html and "États-Unis" in html
    assert "1,50\u00a0$US de l&#39;heure" in html
    assert "février 2022" in html
    assert "Modération de contenus" in html
    # The French summary comes from the claim's translations.
    assert "Selon TIME, certains modérateurs de Sama à Nairobi" in html


def test_unknown_pages_are_clear_404s_in_both_languages(wclient):
    paths = ("/workshop/nothing-here", "/workshop/tour/99", "/workshop/map/QQ")
    for path in paths:
        response = wclient.get(path)
        assert response.status_code == 404
        assert "This page does not exist." in response.get_data(as_text=True)
    for path in paths:
        french = wclient.get(path, headers={"Accept-Language": "fr"})
        assert french.status_code == 404
        html = french.get_data(as_text=True)
        assert '<html lang="fr"' in html and "Cette page n&#39;existe pas." in html


def test_activity_pages_read_the_snapshot_not_the_database(wclient, workshop_app,
                                                          count_queries, monkeypatch):
    wclient.get("/workshop/")  # the first request may load the snapshot
    # The snapshot asks the database at most once a second whether another host published
    # (one small query, by design); on a slow machine the pages below can take longer than
    # that, so the check is held off here: what is tested is that the pages need nothing else.
    monkeypatch.setattr(index, "RELOAD_CHECK_SECONDS", 3600.0)
    with count_queries(workshop_app) as sent:
        for path in ("/workshop/", "/workshop/tour/1", "/workshop/map", "/workshop/map/KE",
                     "/workshop/quiz?seed=1", "/workshop/quiz/present/1?seed=1",
                     "/workshop/cards"):
            assert wclient.get(path).status_code == 200
    assert sent == []


@pytest.mark.parametrize(("value", "language", "expected"), [
    (1600, "en", "1,600"), (1600, "fr", "1\u202f600"), (1.5, "en", "1.50"), (1.5, "fr", "1,50"),
    (28000, "en", "28,000"),
])
def test_numbers_are_written_the_local_way(value, language, expected):
    assert i18n.format_number(value, language) == expected


def test_pay_is_shown_as_reported_never_converted():
    pay = {"amount": 35000, "currency": "KES", "per": "month"}
    assert i18n.format_pay(pay, "en") == "KES\u00a035,000 per month"
    assert i18n.format_pay(pay, "fr") == "35\u202f000\u00a0KES par mois"
    assert i18n.format_pay({"amount": 30000, "currency": "EUR", "per": "year"}, "en") == (
        "€30,000 per year")
    assert i18n.format_pay({"amount": 1.5, "currency": "USD", "per": "hour"}, "fr") == (
        "1,50\u00a0$US de l'heure")


def _article(html: str, claim_id: str) -> str:
    start = html.index(f'id="claim-{claim_id}"')
    return html[start:html.index("</article>", start)]


def test_replies_and_archived_copies_beside_the_claims(wclient, export):
    claims = {c["id"]: c for c in export["claims"]}
    html = wclient.get("/workshop/tour/2/all").get_data(as_text=True)
    sama = _article(html, "facebook-sama-nairobi-pay-2022")
    for reply in claims["facebook-sama-nairobi-pay-2022"]["responses"]:
        assert f"Reply from {reply['by']}" in sama
        assert reply["summary"].replace("'", "&#39;") in sama
        assert reply["source"]["publisher"] in sama
    archive = claims["facebook-sama-nairobi-pay-2022"]["sources"][0]["archive_url"]
    assert f'<a class="archive" href="{archive}"' in sama and "archived copy" in sama
    # An allegation with no reply known says so; a reported fact without one says nothing.
    accra = _article(html, "facebook-majorel-accra-2025")
    assert claims["facebook-majorel-accra-2025"]["evidence"] == "allegation"
    assert "No reply reported." in accra
    reported = [c for c in claims.values() if "facebook" in c["platforms"]
                and c["evidence"] != "allegation" and not c["responses"]]
    assert reported and all("No reply reported." not in _article(html, c["id"]) for c in reported)
    french = wclient.get("/workshop/tour/2/all?lang=fr").get_data(as_text=True)
    assert "Réponse de Meta" in french and "copie archivée" in french
    cards = wclient.get("/workshop/cards?lang=en").get_data(as_text=True)
    assert "Reply from " in cards

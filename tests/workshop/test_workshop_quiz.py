"""The quiz: right answers are the published figures, wrong ones plausible, drafts never used."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pycountry
import pytest
from sqlalchemy import select

from server import db, index
from server.models import Claim, Platform, Source
from server.workshop.quiz import QUESTION_KINDS, build_quiz, significant_digits
from server.workshop.scope import CollectionInfo, Scope

PERIOD_WORDS = {"hour": "per hour", "day": "per day", "week": "per week", "month": "per month",
                "year": "per year"}


def quiz(app, seed="42", language="en", count=10, collection=None):
    with app.test_request_context():
        return build_quiz(Scope(index.current(), collection), seed, language, count)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def english_country(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name


def option_texts(html: str) -> tuple[list[str], list[str]]:
    """(every option's text, the text of the options marked correct) of a question page."""
    options = re.findall(r'<li class="option( correct)?[^"]*">(.*?)</li>', html, re.S)
    texts = [unescape(re.sub(r"<[^>]+>", " ", body)).split(None, 1)[1].strip()
             for _, body in options]
    return texts, [t for (mark, _), t in zip(options, texts, strict=True) if mark]


def test_at_least_ten_questions_of_every_kind(workshop_app):
    questions = quiz(workshop_app)
    assert len(questions) == 10
    assert {q.kind for q in questions} == set(QUESTION_KINDS)
    assert [q.number for q in questions] == list(range(1, 11))
    # Each claim once while others remain.
    assert len({q.claim["id"] for q in questions}) == 10


def language_figure(export, record_id: str) -> dict:
    """The platform's moderators row a "moderators" question asks about (its record's id is
    <platform>-moderators-<language>-<period start>)."""
    slug, rest = record_id.split("-moderators-")
    language, start = rest.split("-", 1)
    platform = next(p for p in export["platforms"] if p["slug"] == slug)
    return next(row for row in platform["moderators"]
                if row["language"] == language and row["period"]["start"] == start)


def test_right_answers_are_the_published_figures(workshop_app, wclient, export):
    claims = {c["id"]: c for c in export["claims"]}
    asked = set()
    for seed in ("1", "42", "2026"):
        for n in range(1, 11):
            html = wclient.get(f"/workshop/quiz/present/{n}?seed={seed}&reveal=1").get_data(
                as_text=True)
            claim_id = re.search(r'data-claim="([^"]+)"', html).group(1)
            kind = re.search(r'data-kind="([^"]+)"', html).group(1)
            asked.add(kind)
            options, correct = option_texts(html)
            assert len(options) == 4 and len(set(options)) == 4, options
            assert len(correct) == 1, html
            answer = correct[0]
            if kind == "moderators":
                # A platform's DSA language figure: the reported count, and the report shown.
                row = language_figure(export, claim_id)
                assert digits(answer) == str(row["count"])
                assert all(digits(o) != str(row["count"]) for o in options if o != answer)
                assert "content moderator" in html and "DSA transparency report" in html
                source = row["source"]
                assert unescape(source["publisher"]) in unescape(html)
                assert f'href="{source["url"]}"'.replace("&", "&amp;") in html
                continue
            claim = claims[claim_id]  # published: it is in the public export
            if kind == "pay":
                pay = claim["pay"]
                expected = f"{pay['amount']:,.2f}" if pay["amount"] % 1 else f"{pay['amount']:,}"
                assert digits(answer) == digits(expected)
                # Wrong answers keep the currency and the period: only the figure differs.
                assert all(o.endswith(PERIOD_WORDS[pay["per"]]) for o in options)
                sign = {"USD": "$", "EUR": "€", "GBP": "£"}.get(pay["currency"])
                if sign:
                    assert all(o.startswith(sign) for o in options)
                else:
                    assert all(f" {pay['currency']} " in o for o in options)
            elif kind == "workers":
                assert digits(answer) == str(claim["workers"])
                assert all(digits(o) != str(claim["workers"]) for o in options if o != answer)
            elif kind == "place":
                countries = [english_country(loc["country"]) for loc in claim["locations"]]
                assert answer == countries[0]
                assert not set(options) - {answer} & set(countries)
            else:
                assert answer == claim["observed"]["start"][:4]
                assert all(re.fullmatch(r"\d{4}", o) for o in options)
            # The answer shows its source.
            source = claim["sources"][0]
            assert unescape(source["publisher"]) in unescape(html)
            assert f'href="{source["url"]}"'.replace("&", "&amp;") in html
            assert source["quote"][:30] in unescape(html)
    assert asked == set(QUESTION_KINDS)


def test_the_function_agrees_with_the_export(workshop_app, export):
    claims = {c["id"]: c for c in export["claims"]}
    for seed in map(str, range(20)):
        for question in quiz(workshop_app, seed):
            if question.kind == "moderators":
                assert question.value == language_figure(export, question.claim["id"])["count"]
                continue
            claim = claims[question.claim["id"]]
            expected = {"pay": claim["pay"], "workers": claim["workers"],
                        "place": (claim["locations"] or [{}])[0].get("country"),
                        "year": int(claim["observed"]["start"][:4])}[question.kind]
            assert question.value == expected


def test_same_seed_same_quiz_other_seed_other_quiz(workshop_app, wclient):
    def shown(seed, language="en"):
        return [(q.claim["id"], q.kind, q.options, q.answer)
                for q in quiz(workshop_app, seed, language)]

    assert shown("42") == shown("42")
    assert shown("42") != shown("43")
    # The room and a phone in French see the same questions in the same order.
    assert [(c, k, a) for c, k, _, a in shown("42")] == [
        (c, k, a) for c, k, _, a in shown("42", "fr")]
    first = wclient.get("/workshop/quiz/present/3?seed=abc").get_data(as_text=True)
    again = wclient.get("/workshop/quiz/present/3?seed=abc").get_data(as_text=True)
    assert first == again


def test_wrong_figures_are_scaled_with_the_same_precision(workshop_app):
    for seed in map(str, range(30)):
        for question in quiz(workshop_app, seed):
            if question.kind != "workers":
                continue
            reported = question.value
            for option in question.options:
                value = int(digits(option))
                if value != reported:
                    assert significant_digits(value) <= max(significant_digits(reported), 1) + 1
                    assert value > 0


def test_a_quiz_without_a_seed_gets_one_to_share(wclient):
    response = wclient.get("/workshop/quiz")
    assert response.status_code == 302
    assert re.search(r"/workshop/quiz\?set=\d{4}$", response.headers["Location"])
    assert wclient.get("/workshop/quiz/present/1").status_code == 302
    assert wclient.get("/workshop/quiz/present/1?seed=bad%20seed").status_code == 302
    assert wclient.get("/workshop/quiz/present/12?seed=1").status_code == 404


@pytest.mark.parametrize("status", ["draft", "pending", "retracted"])
def test_an_unpublished_claim_never_reaches_the_quiz(workshop_app, wclient, status):
    with workshop_app.app_context():
        session = db.get_session()
        facebook = session.scalar(select(Platform).where(Platform.slug == "facebook"))
        session.add(Claim(
            key="facebook-unpublished-figure", kind="moderation", status=status,
            summary="An unpublished claim with a distinctive figure.", evidence="allegation",
            workers=987654, pay_amount=Decimal("4321.09"), pay_currency="USD", pay_per="hour",
            locations=[{"country": "NO", "city": "Tromsø"}], observed_start="1999-04",
            last_verified=dt.date(2026, 11, 1), platforms=[facebook],
            sources=[Source(url="https://example.org/unpublished", title="Unpublished",
                            publisher="Nobody Gazette", quote="not public")],
        ))
        session.commit()
        index.rebuild(session)

    for seed in map(str, range(40)):
        for question in quiz(workshop_app, seed, count=30):
            assert question.claim["id"] != "facebook-unpublished-figure"
    # (The pay as written, not "4321" alone: a scaled DSA language figure can be 4,321.)
    marks = ("987,654", "987654", "4,321.09", "4321.09", "Tromsø", "Nobody Gazette", "1999",
             "unpublished")
    pages = [f"/workshop/quiz/present/{n}?seed={seed}&reveal=1" for seed in ("1", "2", "3")
             for n in range(1, 11)]
    pages += ["/workshop/tour/2", "/workshop/map", "/workshop/map/NO", "/workshop/cards",
              "/workshop/quiz/solo/score?seed=1&answers=0000000000"]
    for path in pages:
        html = wclient.get(path).get_data(as_text=True)
        assert not [mark for mark in marks if mark in html], path
    world = wclient.get("/workshop/map").get_data(as_text=True)
    assert re.search(r'data-country="NO">\s*<path class="country shade-0"', world)
    assert 'data-from="NO"' not in world
    norway = wclient.get("/workshop/map/NO").get_data(as_text=True)
    assert "No published claim is located in this country yet." in norway


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_solo_mode_with_plain_form_posts(workshop_app, wclient):
    questions = quiz(workshop_app, "7")
    page = wclient.get("/workshop/quiz/solo?seed=7").get_data(as_text=True)
    answers = ""
    for question in questions:
        assert f'data-claim="{question.claim["id"]}"' in page
        wrong = question.number == 3
        choice = (question.answer + 1) % 4 if wrong else question.answer
        response = wclient.post("/workshop/quiz/solo", data={
            "csrf_token": _csrf(page), "set": "7", "answers": answers, "choice": str(choice)})
        assert response.status_code == 303
        answers += str(choice)
        checked = wclient.get(response.headers["Location"]).get_data(as_text=True)
        if wrong:
            assert "Not quite." in checked
            assert unescape(f"The answer is {question.options[question.answer]}.") in unescape(
                checked)
        else:
            assert "Right!" in checked
        assert question.claim["sources"][0]["url"].replace("&", "&amp;") in checked
        if question.number < len(questions):
            assert "Next question" in checked
            page = wclient.get(f"/workshop/quiz/solo?seed=7&answers={answers}").get_data(
                as_text=True)
        else:
            assert "See my score" in checked
    score = wclient.get(f"/workshop/quiz/solo/score?seed=7&answers={answers}")
    assert "9 out of 10" in score.get_data(as_text=True)


def test_solo_mode_asks_again_without_an_answer_and_needs_the_form_token(wclient):
    page = wclient.get("/workshop/quiz/solo?seed=7").get_data(as_text=True)
    response = wclient.post("/workshop/quiz/solo",
                            data={"csrf_token": _csrf(page), "set": "7", "answers": ""})
    assert response.status_code == 400
    assert "Pick an answer." in response.get_data(as_text=True)
    forged = wclient.post("/workshop/quiz/solo", data={"set": "7", "answers": "", "choice": "1"})
    assert forged.status_code == 400
    assert "This address or form is not right" in forged.get_data(as_text=True)
    # The language link of a page a post showed leads back to the same question.
    assert 'href="/workshop/quiz/solo?set=7&amp;lang=fr"' in response.get_data(as_text=True)
    assert wclient.get("/workshop/quiz/solo/score?seed=7&answers=12").status_code == 400
    assert wclient.get("/workshop/quiz/solo?seed=7&answers=9x").status_code == 400


def test_presenter_reveal_works_without_javascript(wclient):
    hidden = wclient.get("/workshop/quiz/present/1?seed=5").get_data(as_text=True)
    assert 'id="answer" hidden' in hidden
    assert 'href="/workshop/quiz/present/1?set=5&amp;reveal=1"' in hidden
    shown = wclient.get("/workshop/quiz/present/1?seed=5&reveal=1").get_data(as_text=True)
    assert 'id="answer" hidden' not in shown and "The answer is" in shown
    assert 'rel="next" href="/workshop/quiz/present/2?set=5"' in shown


def test_language_figures_are_asked_only_where_platforms_report_them(workshop_app, export):
    """The DSA Article 42 figures (platforms' moderators per language) give questions only for
    collections whose platforms have such figures, worded in the reader's language."""
    with_figures = {p["slug"] for p in export["platforms"]
                    if any(m["language"] not in ("total", "none") and m["count"] >= 1
                           for m in p.get("moderators") or [])}
    assert {"x", "tiktok"} <= with_figures
    without = tuple(p["slug"] for p in export["platforms"] if p["slug"] not in with_figures)
    assert without
    plain = CollectionInfo(code="PLAIN1", name="No figures", slugs=without)
    for seed in map(str, range(20)):
        assert all(q.kind != "moderators" for q in quiz(workshop_app, seed, collection=plain))
    only_x = CollectionInfo(code="XONLY1", name="X", slugs=("x",))
    asked = [q for seed in map(str, range(10))
             for q in quiz(workshop_app, seed, collection=only_x) if q.kind == "moderators"]
    assert asked
    for question in asked:
        row = language_figure(export, question.claim["id"])
        assert question.value == row["count"] and row["language"] not in ("total", "none")
        assert question.prompt.startswith("How many content moderators did X report for ")
    french = quiz(workshop_app, "3", "fr", collection=only_x)
    prompts = [q.prompt for q in french if q.kind == "moderators"]
    assert prompts and all(p.startswith("Combien de modérateurs de contenus en ")
                           and "rapport de transparence DSA de X" in p for p in prompts)

"""A class moves together: the quiz set in the address and the QR code, the participants' page,
and the teacher's live tally (counts per question, share right, no names)."""

from __future__ import annotations

import re

import pytest

from server.workshop import classroom
from server.workshop.operations import create_collection


@pytest.fixture(autouse=True)
def _fresh_tally():
    classroom.clear()
    yield
    classroom.clear()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _answer(client, quiz_set: str, answers: str, choice: str, **extra):
    page = client.get("/workshop/quiz/solo", query_string={"set": quiz_set, "answers": answers,
                                                           **extra})
    assert page.status_code == 200
    # The form's action keeps the collection in the address, as the page writes it.
    return client.post("/workshop/quiz/solo", query_string=extra, data={
        "csrf_token": _csrf(page.get_data(as_text=True)), "set": quiz_set, "answers": answers,
        "choice": choice})


def _right_choice(html: str) -> str:
    """The right option of a question, read from the presenter's revealed page."""
    options = re.findall(r'<li class="option( correct)?">', html)
    return str([bool(mark) for mark in options].index(True))


def _tally(client, quiz_set: str, **extra) -> list[tuple[str, str, str]]:
    html = client.get("/workshop/quiz/class", query_string={"set": quiz_set, **extra}).get_data(
        as_text=True)
    return re.findall(r'<tr data-question="(\d+)">.*?<td class="answered">([^<]*)</td>'
                      r'<td class="right">([^<]*)</td>', html)


def test_the_class_view_counts_answers_per_question_without_names(workshop_app):
    teacher = workshop_app.test_client()
    right = _right_choice(teacher.get("/workshop/quiz/present/1?set=77&reveal=1").get_data(
        as_text=True))
    wrong = str((int(right) + 1) % 4)
    assert _tally(teacher, "77")[0] == ("1", "0", "–")
    students = [workshop_app.test_client() for _ in range(4)]
    for student, choice in zip(students, [right, right, right, wrong], strict=True):
        assert _answer(student, "77", "", choice).status_code == 303
    # The same device sending question 1 again (back button) is not counted twice.
    _answer(students[0], "77", "", wrong)
    assert _answer(students[1], "77", right, "0").status_code == 303
    rows = _tally(teacher, "77")
    assert rows[0] == ("1", "4", "75%")
    second = _right_choice(teacher.get("/workshop/quiz/present/2?set=77&reveal=1").get_data(
        as_text=True))
    assert rows[1] == ("2", "1", "100%" if second == "0" else "0%")
    assert rows[2] == ("3", "0", "–")
    assert len(rows) == 10
    # Another set, or the same set in a collection, is another class.
    assert _tally(teacher, "78")[0] == ("1", "0", "–")
    page = teacher.get("/workshop/quiz/class?set=77").get_data(as_text=True)
    assert 'data-refresh="5"' in page  # workshop.js reloads it; the link does without JS
    french = teacher.get("/workshop/quiz/class?set=77&lang=fr").get_data(as_text=True)
    assert "75\u00a0%" in french or "75\u202f%" in french


def test_a_collection_class_is_counted_apart(workshop_app):
    with workshop_app.app_context():
        from server import db
        session = db.get_session()
        code = create_collection(session, "Video", ["tiktok", "youtube"]).code
        session.commit()
    student = workshop_app.test_client()
    assert _answer(student, "5", "", "0", c=code).status_code == 303
    assert _tally(student, "5", c=code)[0][1] == "1"
    assert _tally(student, "5")[0][1] == "0"


def test_the_set_travels_in_the_address_and_the_qr_code(workshop_app, wclient):
    workshop_app.config["BTF_PUBLIC_URL"] = "http://192.168.1.20:8000"
    present = wclient.get("/workshop/quiz/present/1?set=4321").get_data(as_text=True)
    assert "Set <strong>4321</strong>" in present
    assert "Students join" in present
    assert "http://192.168.1.20:8000/workshop/join?set=4321" in present
    assert 'src="/workshop/qr.svg?set=4321"' in present
    assert 'href="/workshop/quiz/class?set=4321"' in present
    qr = wclient.get("/workshop/qr.svg?set=4321")
    assert qr.mimetype == "image/svg+xml"
    assert qr.get_data() != wclient.get("/workshop/qr.svg").get_data()
    join = wclient.get("/workshop/join?set=4321").get_data(as_text=True)
    assert 'href="/workshop/quiz/solo?set=4321"' in join
    # Older links said ?seed=: they still give the same quiz.
    def question(path):
        html = wclient.get(path).get_data(as_text=True)
        return re.search(r'data-claim="[^"]+"|<ol class="options">.*?</ol>', html, re.S).group(0), \
            html[html.index('<ol class="options">'):html.index("</ol>")]

    assert question("/workshop/quiz/present/2?seed=4321") == question(
        "/workshop/quiz/present/2?set=4321")


def test_participants_pages_have_no_teacher_tools(wclient):
    teacher_tools = ("Make a collection", "Presenter mode", "Class view", "Students join",
                     "/workshop/collections/new", "/workshop/quiz/present", "/workshop/quiz/class",
                     "Hand out the dataset")
    pages = ["/workshop/join", "/workshop/join?set=42", "/workshop/quiz/solo?set=42",
             "/workshop/quiz/solo/checked?set=42&answers=1",
             "/workshop/quiz/solo/score?set=42&answers=0123012301"]
    for path in pages:
        for language in ("en", "fr"):
            html = wclient.get(f"{path}{'&' if '?' in path else '?'}lang={language}").get_data(
                as_text=True)
            for tool in teacher_tools:
                assert tool not in html, (path, tool)
            assert 'href="/workshop/quiz?' not in html and 'href="/workshop/quiz"' not in html
    # The menu's "Quiz" leads participants back to joining their set, not the teacher's page.
    solo = wclient.get("/workshop/quiz/solo?set=42").get_data(as_text=True)
    assert '<a href="/workshop/join?set=42" aria-current="page">Quiz</a>' in solo
    join = wclient.get("/workshop/join").get_data(as_text=True)
    assert '<a href="/workshop/join" aria-current="page">Quiz</a>' in join
    assert 'action="/workshop/quiz/solo"' in join and 'name="set"' in join
    assert 'href="/workshop/map"' in join and 'href="/workshop/tour"' in join
    # A code typed on the participants' page opens the collection there, and its quiz.
    code_form = wclient.get("/workshop/join?lang=en").get_data(as_text=True)
    assert 'action="/workshop/join"' in code_form and 'name="c"' in code_form
    # The teacher's page keeps them.
    landing = wclient.get("/workshop/?lang=en").get_data(as_text=True)
    assert "Make a collection" in landing


@pytest.mark.e2e
def test_two_devices_with_the_same_set_see_the_same_questions(browser, live_server):
    """Two phones (two browser contexts, one in French) join set 2468 and answer through."""
    def walk(language: str) -> list[tuple[str, str]]:
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      locale="fr-FR" if language == "fr" else "en-GB")
        page = context.new_page()
        seen = []
        try:
            page.goto(f"{live_server}/workshop/join?lang={language}")
            page.fill("#set", "2468")
            page.locator(".join-quiz button[type=submit]").click()
            for _ in range(10):
                form = page.locator("form.question")
                seen.append((form.get_attribute("data-claim"), form.get_attribute("data-kind")))
                page.locator("label[for=choice-0]").click()
                page.locator("form.question button[type=submit]").click()
                page.locator(".answer").wait_for()
                page.locator("a.button").click()
            assert "/quiz/solo/score?set=2468" in page.url
        finally:
            context.close()
        return seen

    first, second = walk("en"), walk("fr")
    assert len(first) == 10 and len(set(first)) > 1
    assert first == second

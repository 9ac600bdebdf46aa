"""Collections: a short code for a set of platforms; every activity runs on it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server import db
from server.models import Collection, Revision
from server.workshop.operations import CollectionError, create_collection
from server.workshop.scope import CODE_PATTERN, normalise_code

CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def make(wclient, slugs, name="Monday group"):
    form = wclient.get("/workshop/collections/new").get_data(as_text=True)
    response = wclient.post("/workshop/collections", data={
        "csrf_token": _csrf(form), "name": name, "platforms": slugs})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    code = re.search(r"/workshop/collections/(\w+)$", response.headers["Location"]).group(1)
    return code


def test_create_a_collection_and_get_a_short_code(workshop_app, wclient):
    workshop_app.config["BTF_PUBLIC_URL"] = "http://192.168.1.20:8000"
    code = make(wclient, ["tiktok", "youtube"])
    assert CODE.match(code)
    page = wclient.get(f"/workshop/collections/{code}").get_data(as_text=True)
    assert f'<p class="big-code">{code}</p>' in page
    assert "Monday group" in page and "TikTok, YouTube" in page
    assert f"http://192.168.1.20:8000/workshop/join?c={code}" in page
    # The link never follows a Host header that a client chose.
    forged = wclient.get(f"/workshop/collections/{code}", headers={"Host": "evil.example"})
    assert "evil.example" not in forged.get_data(as_text=True)
    assert f"http://192.168.1.20:8000/workshop/join?c={code}" in forged.get_data(as_text=True)
    assert f'src="/workshop/qr.svg?c={code}"' in page
    for activity in ("tour", "map", "quiz", "cards"):
        assert f'href="/workshop/{activity}?c={code}"' in page
    qr = wclient.get(f"/workshop/qr.svg?c={code}")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    with workshop_app.app_context():
        session = db.get_session()
        collection = session.scalar(select(Collection).where(Collection.code == code))
        assert [p.slug for p in collection.platforms] == ["tiktok", "youtube"]
        revision = session.scalar(select(Revision).where(
            Revision.entity_type == "collection", Revision.entity_id == collection.id))
        assert revision.action == "create"
        assert revision.after == {"code": code, "name": "Monday group",
                                  "platforms": ["tiktok", "youtube"]}


def test_the_activities_run_on_the_collection_only(workshop_app, wclient):
    code = make(wclient, ["youtube", "tiktok"])  # the educator's order is kept
    tour = wclient.get(f"/workshop/tour?c={code}")
    assert tour.headers["Location"].endswith(f"/workshop/tour/1?c={code}")
    first = wclient.get(f"/workshop/tour/1?c={code}").get_data(as_text=True)
    assert "<h1>YouTube</h1>" in first and "Platform 1 of 2" in first
    assert f'rel="next" href="/workshop/tour/2?c={code}"' in first
    assert "<h1>TikTok</h1>" in wclient.get(f"/workshop/tour/2?c={code}").get_data(as_text=True)
    assert wclient.get(f"/workshop/tour/3?c={code}").status_code == 404

    world = wclient.get(f"/workshop/map?c={code}").get_data(as_text=True)
    flows = set(re.findall(r'data-from="(\w+)" data-to="(\w+)"', world))
    assert flows == {("CO", "SG"), ("MA", "SG"), ("KE", "SG"), ("DE", "SG"), ("IE", "US")}
    assert f'href="/workshop/map/KE?c={code}"' in world
    kenya = wclient.get(f"/workshop/map/KE?c={code}").get_data(as_text=True)
    assert set(re.findall(r'id="claim-([\w-]+)"', kenya)) == {"tiktok-majorel-nairobi-pay-2023"}

    for seed in ("1", "2", "3"):
        for n in range(1, 11):
            response = wclient.get(f"/workshop/quiz/present/{n}?seed={seed}&c={code}")
            if response.status_code == 404:  # a smaller collection has fewer questions
                break
            claim = re.search(r'data-claim="([^"]+)"', response.get_data(as_text=True))
            if claim:
                assert claim.group(1).startswith(("youtube-", "tiktok-")), claim.group(1)

    cards = wclient.get(f"/workshop/cards?c={code}").get_data(as_text=True)
    assert re.findall(r'<article class="card" id="card-([\w-]+)"', cards) == ["youtube", "tiktok"]


def test_a_typed_code_is_forgiving_about_case_and_dashes(wclient):
    code = make(wclient, ["reddit"])
    typed = f"{code[:3].lower()}-{code[3:].lower()} "
    assert normalise_code(typed) == code
    page = wclient.get("/workshop/", query_string={"c": typed}).get_data(as_text=True)
    assert f"Showing the collection {code}: Monday group." in page
    assert wclient.get(f"/workshop/collections/{code.lower()}").headers["Location"].endswith(
        f"/workshop/collections/{code}")


@pytest.mark.parametrize("path", ["/workshop/", "/workshop/tour", "/workshop/tour/1",
                                  "/workshop/map", "/workshop/map/KE", "/workshop/quiz",
                                  "/workshop/cards", "/workshop/collections/ZZZZZZ"])
def test_an_unknown_code_is_a_clear_404(wclient, path):
    query = {} if "collections" in path else {"c": "ZZZZZZ"}
    response = wclient.get(path, query_string=query)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No collection has the code ZZZZZZ. Check the code and try again." in html
    assert 'href="/workshop/"' in html
    french = wclient.get(path, query_string={**query, "lang": "fr"})
    assert french.status_code == 404
    assert "Aucune collection n&#39;a le code ZZZZZZ." in french.get_data(as_text=True)


def test_a_malformed_code_is_also_a_404(wclient):
    for typed in ("O0O0O0", "<script>", "TOO-LONG-CODE"):
        response = wclient.get("/workshop/map", query_string={"c": typed})
        assert response.status_code == 404
        assert "<script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("slugs", "message"), [
    ([], "Tick at least one platform."),
    (["facebook", "nope"], "Unknown platform: nope."),
    (["discord"], "No published claim yet for: discord."),
])
def test_a_collection_needs_known_published_platforms(workshop_app, wclient, slugs, message):
    form = wclient.get("/workshop/collections/new").get_data(as_text=True)
    response = wclient.post("/workshop/collections", data={
        "csrf_token": _csrf(form), "name": "x", "platforms": slugs})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with workshop_app.app_context():
        assert db.get_session().scalar(select(Collection.id)) is None


def test_errors_are_in_french_too(wclient):
    form = wclient.get("/workshop/collections/new?lang=fr").get_data(as_text=True)
    assert "<html lang=\"fr\"" in form and "Créer la collection" in form
    response = wclient.post("/workshop/collections?lang=fr", data={
        "csrf_token": _csrf(form), "name": "x", "platforms": ["discord"]})
    assert "Pas encore de fait publié pour : discord." in response.get_data(as_text=True)


def test_create_collection_operation(workshop_app):
    with workshop_app.app_context():
        session = db.get_session()
        made = create_collection(session, "  Week   one ", ["x", "reddit", "x"])
        session.commit()
        assert CODE_PATTERN.match(made.code)
        assert made.name == "Week one"
        assert [p.slug for p in made.platforms] == ["x", "reddit"]
        other = create_collection(session, "", ["x"])
        assert other.code != made.code and other.name == "Workshop collection"
        with pytest.raises(CollectionError) as error:
            create_collection(session, "n" * 201, ["x"])
        assert set(error.value.fields) == {"name"}


def test_an_unnamed_collection_shows_its_default_name_translated(wclient):
    code = make(wclient, ["x"], name="")
    assert "Collection d&#39;atelier" in wclient.get(
        f"/workshop/?c={code}&lang=fr").get_data(as_text=True)


def test_a_small_collection_gets_the_questions_its_figures_allow(wclient):
    code = make(wclient, ["reddit"])  # one claim, worldwide, with only a year
    quiz = wclient.get(f"/workshop/quiz?seed=1&c={code}").get_data(as_text=True)
    assert "1 question" in quiz and "Presenter mode" in quiz
    first = wclient.get(f"/workshop/quiz/present/1?seed=1&c={code}").get_data(as_text=True)
    assert "Question 1 of 1" in first and 'data-claim="reddit-volunteer-hours-2020"' in first
    end = wclient.get(f"/workshop/quiz/present/2?seed=1&c={code}").get_data(as_text=True)
    assert "End of the quiz" in end


def test_collection_creation_is_rate_limited(workshop_app, wclient):
    workshop_app.config["BTF_COLLECTION_LIMIT"] = "3 per hour"
    statuses = []
    for n in range(5):
        form = wclient.get("/workshop/collections/new").get_data(as_text=True)
        statuses.append(wclient.post("/workshop/collections", data={
            "csrf_token": _csrf(form), "name": f"Group {n}", "platforms": ["tiktok"]}).status_code)
    assert statuses == [303, 303, 303, 429, 429]

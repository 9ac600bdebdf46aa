"""The workshop on the dataset the project ships: every page renders, every place is on the map."""

from __future__ import annotations

import pytest

from server import index
from server.workshop.atlas import atlas
from server.workshop.quiz import build_quiz
from server.workshop.scope import Scope

PATHS = ["/workshop/", "/workshop/map", "/workshop/cards", "/workshop/quiz?seed=1",
         "/workshop/collections/new", "/workshop/chain", "/workshop/join", "/workshop/languages",
         "/workshop/quiz/class?set=1"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_renders_on_the_shipped_dataset(client, language):
    export = client.get("/api/v1/export.json").get_json()
    paths = list(PATHS)
    paths += [f"/workshop/tour/{n}" for n in range(1, len(export["platforms"]) + 1)]
    countries = {loc["country"] for c in export["claims"] for loc in c["locations"]}
    paths += [f"/workshop/map/{code}" for code in sorted(countries)]
    paths += [f"/workshop/quiz/present/{n}?seed=1&reveal=1" for n in range(1, 11)]
    for path in paths:
        response = client.get(path, headers={"Accept-Language": language})
        assert response.status_code == 200, path
        assert f'<html lang="{language}"' in response.get_data(as_text=True)


def test_every_place_of_the_shipped_dataset_is_on_the_map(client):
    export = client.get("/api/v1/export.json").get_json()
    countries = {loc["country"] for c in export["claims"] for loc in c["locations"]}
    countries |= {p["hq_country"] for p in export["platforms"] if p["hq_country"]}
    world = atlas()
    assert sorted(code for code in countries if world.point(code) is None) == []
    html = client.get("/workshop/map").get_data(as_text=True)
    for code in countries:
        assert f'data-country="{code}"' in html, code


def test_the_shipped_dataset_makes_a_full_quiz(app):
    with app.test_request_context():
        export = index.current().export
        published = {c["id"]: c for c in export["claims"]}
        for seed in ("1", "2", "3"):
            questions = build_quiz(Scope(index.current()), seed, "en")
            assert len(questions) == 10
            for question in questions:
                if question.kind == "moderators":  # a platform's DSA language figure
                    platform = index.current().platforms[question.claim["platforms"][0]]
                    assert question.claim["moderators"] in platform["moderators"]
                    assert question.value == question.claim["moderators"]["count"]
                    assert len(set(question.options)) == 4
                    continue
                claim = published[question.claim["id"]]
                if question.kind == "pay":
                    assert question.value == claim["pay"]
                elif question.kind == "workers":
                    assert question.value == claim["workers"]
                assert len(set(question.options)) == 4

"""The API's refusals in the asker's language: a browser that prefers French (the extension's
report form, for one) reads French, every other client the English the API documents."""

from __future__ import annotations

import json

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def _error(response) -> dict:
    assert response.status_code == 400
    return response.get_json()["error"]


def test_a_suggestion_missing_its_host_is_refused_in_french_when_asked(client):
    payload = {"kind": "other", "message": "Their moderators are outsourced."}
    french = _error(client.post("/api/v1/suggestions", json=payload, headers=FRENCH))
    assert french["message"] == "Certains champs ne sont pas valides : host"
    assert french["fields"]["host"] == ["Indiquez l'hôte ou la plateforme concernés."]
    english = _error(client.post("/api/v1/suggestions", json=payload))
    assert english["message"] == "Some fields are not valid: host"
    assert english["fields"]["host"] == ["Name the host or the platform it concerns."]

    unknown = {**payload, "host": "facebook.com", "colour": "red"}
    french = _error(client.post("/api/v1/suggestions", json=unknown, headers=FRENCH))
    assert french["fields"] == {"colour": ["Champ inconnu."]}
    english = _error(client.post("/api/v1/suggestions", json=unknown))
    assert english["fields"] == {"colour": ["Unknown field."]}


def test_a_bad_source_link_and_bad_json_in_french(client):
    payload = {"host": "facebook.com", "kind": "other", "message": "x",
               "source_url": "javascript:alert(1)"}
    french = _error(client.post("/api/v1/suggestions", json=payload, headers=FRENCH))
    assert french["fields"]["source_url"] == ["Seules les URL http et https sont acceptées."]
    broken = client.post("/api/v1/suggestions", data="{not json",
                         content_type="application/json", headers=FRENCH)
    english = client.post("/api/v1/suggestions", data="{not json",
                          content_type="application/json")
    assert _error(broken)["message"] == "Certains champs ne sont pas valides : body"
    assert _error(broken)["fields"]["body"] != _error(english)["fields"]["body"]
    lookup = client.get("/api/v1/lookup", headers=FRENCH)
    assert _error(lookup)["fields"]["host"] == ["Indiquez un hôte ou une URL."]
    assert json.dumps(_error(lookup))  # plain text all through

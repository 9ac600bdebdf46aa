"""The claim pages in French: the list, a claim, its form, the workflow, the history and a
restore, a change waiting for review and the conflict page, with their flash messages; no English
sentence of theirs left."""

from __future__ import annotations

import re
from html import unescape

from .helpers import a_claim, claim_by_key, claim_form, form_version, signed_in, stored_claim


def _text(page: str) -> str:
    """What a reader sees: the page without tags, entities decoded, spaces joined."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def _french(client, url: str) -> str:
    response = client.get(url + ("&" if "?" in url else "?") + "lang=fr")
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_list_of_claims_in_french(capp, people):
    stored_claim(capp, people)
    client = signed_in(capp, people["curator"])
    html = _french(client, "/curate/claims")
    text = _text(html)
    assert "<h1>Faits</h1>" in html and "Ajouter un fait" in text
    assert "Rechercher dans les résumés et les identifiants" in text
    assert ">Filtrer</button>" in html and ">brouillon</option>" in html
    assert re.search(r"\d+ faits\.", text) and "Dernière modification" in text
    assert "le système" in text  # the seeded claims' editor
    for english in ("Search the summaries and ids", ">Filter<", "Last edit", "the system"):
        assert english not in html
    one = _text(_french(client, f"/curate/claims?q={a_claim()['id']}"))
    assert "1 fait." in one and "1 claim." not in one


def test_a_claim_page_and_its_workflow_in_french(capp, people):
    claim_id = stored_claim(capp, people)
    client = signed_in(capp, people["curator"])
    html = _french(client, f"/curate/claims/{claim_id}")
    text = _text(html)
    assert f"<h1>Fait <code>{a_claim()['id']}</code></h1>" in html
    assert "Circuit de validation" in text and ">Soumettre à la relecture</button>" in html
    assert ">brouillon</span>" in html and "Historique" in text
    assert "Type d'effectif" in text and "2.2 USD de l'heure" in text
    assert "de 2024-03, sans date de fin" not in text  # an open end reads as one:
    assert "depuis 2024-03, sans date de fin" in text
    assert "Réponses des entreprises" in text and "Aucune enregistrée." in text
    for english in ("Workflow", "Submit for review", "Workers counted as", "per hour",
                    "Company responses", "last edited by"):
        assert english not in text

    response = client.post(f"/curate/claims/{claim_id}/submit",
                           data={"version": form_version(html)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Soumis à la relecture." in page and ">en attente de relecture</span>" in page
    assert "c'est donc un autre curateur qui le relit" in _text(page)
    assert "Submitted for review." not in page


def test_the_claim_form_and_its_messages_in_french(capp, people):
    client = signed_in(capp, people["contributor"])
    html = _french(client, "/curate/claims/new")
    text = _text(html)
    assert "<h1>Nouveau fait</h1>" in html and "Ce qui a été rapporté" in text
    assert "Qui et où" in text and "Ajouter une source" in text
    assert ">Enregistrer comme brouillon</button>" in html
    assert 'aria-label="Lieu 1"' in html and "Maintenez Ctrl" in text
    for english in ("New claim", "What was reported", "Save as a draft", "Add a location row"):
        assert english not in text

    # Every problem listed above the form, in French.
    record = a_claim(sources=[], summary="")
    refused = client.post("/curate/claims/new", data=claim_form(record))
    assert refused.status_code == 422
    assert re.search(r"\d+ problèmes? à corriger avant d'enregistrer",
                     _text(refused.get_data(as_text=True)))

    response = client.post("/curate/claims/new", data=claim_form(a_claim()),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Fait {a_claim()['id']} enregistré comme brouillon." in page
    assert "saved as a draft" not in page


def test_history_and_restore_in_french(capp, people):
    claim_id = stored_claim(capp, people)
    client = signed_in(capp, people["reviewer"])
    page = _french(client, f"/curate/claims/{claim_id}/edit")
    assert "Modifier le fait" in _text(page)
    response = client.post(f"/curate/claims/{claim_id}/edit", data=claim_form(
        a_claim(summary="A corrected summary of the report."), version=form_version(page)),
        follow_redirects=True)
    assert "Enregistré : version 2." in response.get_data(as_text=True)

    html = _french(client, f"/curate/claims/{claim_id}/history")
    text = _text(html)
    assert f"Historique : Fait {a_claim()['id']}" in text
    assert "Version 2 : modification" in text and "Version 1 : création" in text
    assert "Les valeurs de sa création" in text and "Résumé" in text
    assert "par Grace Reviewer le" in text
    for english in ("History of", "Every change, newest first.", "Version 2: update", "Field"):
        assert english not in text
    match = re.search(r'href="(/curate/claims/\d+/revert/\d+)"', html)
    assert match and "Restaurer la version 1" in text

    confirm = _french(client, match.group(1))
    text = _text(confirm)
    assert "Ce qui va changer" in text and "Après restauration" in text
    assert "Cela rétablit le fait exactement tel qu'il était à la version 1." in text
    assert ">Restaurer cette version</button>" in confirm
    assert "What will change" not in text and "This brings back" not in text
    response = client.post(match.group(1), data={"version": form_version(confirm)},
                           follow_redirects=True)
    assert "Version 1 restaurée ; c'est désormais la version 3." in \
        unescape(response.get_data(as_text=True))


def test_a_change_waiting_for_review_in_french(capp, people):
    claim_id = stored_claim(capp, people, published=True)
    author, reviewer = signed_in(capp, people["curator"]), signed_in(capp, people["reviewer"])
    page = _french(author, f"/curate/claims/{claim_id}/edit")
    assert "Ce fait est public." in _text(page)
    response = author.post(f"/curate/claims/{claim_id}/edit", data=claim_form(
        a_claim(summary="A corrected summary of the moderators' work."),
        version=form_version(page)), follow_redirects=True)
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "Votre modification attend la relecture d'un autre curateur." in text
    assert f"Modification du fait {a_claim()['id']}" in text
    assert "Le fait en ligne reste tel quel" in text and "Ce qui changerait" in text
    assert "c'est donc un autre curateur qui la relit" in text
    assert ">Retirer cette modification</button>" in html
    for english in ("Edit of claim", "What would change", "The live claim stays",
                    "Withdraw this change"):
        assert english not in text

    change_url = re.search(r'action="(/curate/changes/\d+)/withdraw"', html).group(1)
    # On the claim's own page, the change shows as waiting.
    claim_page = _text(_french(author, f"/curate/claims/{claim_id}"))
    assert "En attente de relecture" in claim_page and "modification #" in claim_page
    # The reviewer's list and page.
    reviews = _text(_french(reviewer, "/curate/reviews"))
    assert "Entrée" in reviews and "fait " + a_claim()["id"] in reviews
    review = _french(reviewer, change_url)
    assert ">Publier cette modification</button>" in review
    assert ">Demander des corrections</button>" in review
    assert "Commentaire pour l'auteur (obligatoire)" in _text(review)
    response = reviewer.post(change_url + "/publish", data={"version": form_version(review)},
                             follow_redirects=True)
    assert "Publiée : c'est désormais la version 4" in unescape(response.get_data(as_text=True))


def test_the_conflict_page_in_french(capp, people):
    claim_id = stored_claim(capp, people)
    ada, grace = signed_in(capp, people["curator"]), signed_in(capp, people["reviewer"])
    ada_form = _french(ada, f"/curate/claims/{claim_id}/edit")
    grace_form = _french(grace, f"/curate/claims/{claim_id}/edit")
    ada.post(f"/curate/claims/{claim_id}/edit", data=claim_form(
        a_claim(workers=210), version=form_version(ada_form)))
    response = grace.post(f"/curate/claims/{claim_id}/edit", data=claim_form(
        a_claim(summary="Grace's summary."), version=form_version(grace_form)))
    assert response.status_code == 409
    text = _text(response.get_data(as_text=True))
    assert "Quelqu'un d'autre a enregistré cette entrée pendant que vous la modifiiez" in text
    assert "enregistrée par Ada Curator" in text
    assert "modifié par l'autre enregistrement" in text
    assert "Votre version" in text and "Version actuelle 2" in text
    for english in ("Someone else saved", "Your version", "changed by the other save"):
        assert english not in text
    assert claim_by_key(capp, a_claim()["id"]).workers == 210

"""The curators' forms and the operations' refusals in French: field labels, choices, the
messages placed next to the fields, the refusals flashed or shown on a page; and the same
operations still answer in English where no French is asked for (the API, the command line,
a script)."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from server import db, operations
from server.models import Platform, User

from .helpers import PASSWORD, PLATFORM_SLUG, a_claim, claim_form, form_version, signed_in


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _field_errors(page: str, field_id: str) -> str:
    match = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-error">(.*?)</ul>',
                      page, re.S)
    return match.group(1) if match else ""


def test_the_claim_form_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    page = _text(client.get("/curate/claims/new?lang=fr"))
    for label in ("Type de travail", "Plateforme principale (le fait y est classé)",
                  "Travailleurs : ce qui a été compté", "Salaire : par",
                  "Citation (mot pour mot, 40 mots au plus)", "Dernière vérification",
                  "Enregistrer et soumettre à la relecture", "Ajouter une source"):
        assert label in page, label
    # Choices: the glossary's names of the dataset's terms, and the form's own words.
    assert "Modération de contenus" in page and "Journalisme d'investigation" in page
    assert "(choisissez une plateforme)" in page and "(aucun salaire rapporté)" in page
    assert '<option value="hour">heure</option>' in page
    assert "Sous contrat (sous-traitants, intérimaires)" in page
    for english in ("Kind of work", "Main platform", "Save and submit for review",
                    "(choose a platform)", "Investigative journalism", "Pay: per"):
        assert english not in page, english
    # The same form in English keeps its English labels.
    english_page = _text(client.get("/curate/claims/new?lang=en"))
    assert "Kind of work" in english_page and "Investigative journalism" in english_page


def test_the_operations_refusals_next_to_the_claim_fields_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    client.get("/curate/?lang=fr")
    response = client.post("/curate/claims/new",
                           data=claim_form(a_claim(sources=[], platforms=[]), main_platform=""))
    assert response.status_code == 422
    page = _text(response)
    assert "Choisissez la plateforme que concerne le fait." in _field_errors(
        page, "main_platform")
    assert "Ajoutez au moins une source : un fait ne dit que ce que dit une source." in page
    assert "Choose the platform the claim is about." not in page
    assert "Add at least one source" not in page


def test_the_platform_form_and_its_json_messages_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    with capp.app_context():
        pid = db.get_session().scalar(select(Platform.id).where(Platform.slug == PLATFORM_SLUG))
    page = _text(client.get(f"/curate/platforms/{pid}/edit?lang=fr"))
    assert "Règles de domaine, une par ligne" in page and "Prévisualiser les règles" in page
    assert "Host rules, one per line" not in page
    response = client.post(f"/curate/platforms/{pid}/edit", data={
        "version": form_version(page), "name": "Test Platform", "owner": "Test Owner Inc.",
        "hq_country": "US", "description": "A platform for the tests.",
        "domains": "testplatform.example", "moderators": "{not json",
        "actions": '[{"kind": "complaint", "name": "X", "url": "javascript:alert(1)", '
                   '"description": "d", "translations": {}, "source": null}]',
        "save": "1"})
    assert response.status_code == 422
    page = _text(response)
    assert "Ce n'est pas du JSON valide" in _field_errors(page, "moderators")
    assert "This is not valid JSON" not in page


def test_the_account_forms_and_refusals_in_french(capp, people):
    admin = signed_in(capp, people["admin"])
    page = _text(admin.get("/curate/admin/users/new?lang=fr"))
    assert "Nom affiché" in page and "Créer le compte" in page
    assert "Curateur : modifie, relit le travail des autres, publie" in page
    assert "Display name" not in page and "Create the account" not in page
    # The last admin cannot demote themself: the refusal is flashed in French.
    edit = _text(admin.get(f"/curate/admin/users/{people['admin']}"))
    assert "Actif (peut se connecter)" in edit
    response = admin.post(f"/curate/admin/users/{people['admin']}", data={
        "version": form_version(edit), "display_name": "Alex Admin", "role": "curator",
        "active": "y"})
    page = _text(response)
    assert "Vous ne pouvez pas vous rétrograder ni vous désactiver" in page
    assert "You cannot demote" not in page
    # A password too short, in French.
    client = signed_in(capp, people["curator"])
    client.get("/curate/?lang=fr")
    response = client.post("/curate/account/password", data={
        "current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    page = _text(response)
    assert "Utilisez au moins 10 caractères." in page and "Use at least" not in page


def test_operations_answer_in_the_language_of_the_request_and_english_elsewhere(capp, people):
    with capp.app_context():
        session = db.get_session()
        platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
        # No request (a script, the command line): English, word for word as before.
        conflict = operations.Conflict(platform, 1, 2, None, None)
        assert conflict.message == ("This platform was changed by someone else since you "
                                    "opened it (you had version 1, it is now at version 2).")
        assert operations.ImportReport(["a"], [], 3).summary() == \
            "1 created, 0 updated, 3 unchanged"
    with capp.test_request_context("/api/v1/claims"):  # an API call with no language asked
        assert operations.Conflict(None, None, None, None, None).message.startswith(
            "This entry was changed by someone else")
    with capp.test_request_context("/curate/", headers={"Accept-Language": "fr"}):
        session = db.get_session()
        platform = session.scalar(select(Platform).where(Platform.slug == PLATFORM_SLUG))
        conflict = operations.Conflict(platform, 1, 2, None, None)
        assert conflict.message == (
            "Cette plateforme a été modifiée par quelqu'un d'autre depuis que vous l'avez "
            "ouverte (vous aviez la version 1, elle en est maintenant à la version 2).")
        try:
            operations.create_platform(session, {"slug": "x"}, user=session.get(
                User, people["contributor"]))
        except operations.Forbidden as refusal:
            assert refusal.message == "Il faut le rôle curateur pour cela."
        else:
            raise AssertionError("a contributor created a platform")
        session.rollback()

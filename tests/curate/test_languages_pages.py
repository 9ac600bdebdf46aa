"""The curators' workspace in French: the dashboard and its queues, platforms, vendors,
proposals, reviews, users and the import page, with their flash messages and refusals, come
from the catalogue and keep no English sentence."""

from __future__ import annotations

import io

from server import db
from server.models import Proposal

from .helpers import PLATFORM_SLUG, platform_id, signed_in


def _french(client, url: str) -> str:
    response = client.get(url + ("&" if "?" in url else "?") + "lang=fr")
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_dashboard_and_queues_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    page = _french(client, "/curate/")
    assert "<h1>Tableau de bord</h1>" in page
    assert ">Ajouter un fait</a>" in page and ">Ajouter une plateforme</a>" in page
    assert 'aria-label="Files d\'attente"' in page
    assert "relectures en attente</a>" in page or "relecture en attente</a>" in page
    assert "Sources cassées ou déplacées</h2>" in page
    for english in ("Add a claim", "Reviews waiting", "Broken or moved sources",
                    "Not verified for", "review waiting", "No source is known"):
        assert english not in page, english
    reviews = _french(client, "/curate/reviews")
    assert "<h1>Relectures en attente</h1>" in reviews
    assert "<h2>Faits soumis à relecture</h2>" in reviews
    assert "Reviews waiting" not in reviews and "Claims submitted" not in reviews
    broken = _french(client, "/curate/sources/broken")
    assert "<h1>Sources cassées ou déplacées, citations introuvables</h1>" in broken
    assert "What the link checker found" not in broken
    stale = _french(client, "/curate/claims/stale")
    assert "<h1>Faits publiés non vérifiés depuis 18 mois</h1>" in stale
    assert "Published claims not verified" not in stale


def test_platform_pages_form_and_flash_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    listing = _french(client, "/curate/platforms")
    assert "<h1>Plateformes</h1>" in listing and ">Domaines</th>" in listing
    assert ">Ajouter une plateforme</a>" in listing and "Add a platform" not in listing
    page = _french(client, f"/curate/platforms/{platform_id(capp)}")
    assert "<dt>Siège</dt>" in page and ">Historique</a>" in page and ">Modifier</a>" in page
    assert "Headquarters" not in page and ">History</a>" not in page
    form = _french(client, "/curate/platforms/new")
    assert "<h1>Nouvelle plateforme</h1>" in form and ">Enregistrer</button>" in form
    assert "Une règle par ligne." in form and ">Prévisualiser les règles</button>" in form
    assert "One rule a line" not in form and "A JSON list" not in form
    preview = client.post("/curate/platforms/new", data={
        "slug": "zz-preview", "name": "Preview", "domains": "zz-preview.example",
        "preview_urls": "https://zz-preview.example/\nhttps://nowhere.example/",
        "preview": "1"}).get_data(as_text=True)
    assert "cette plateforme (zz-preview)" in preview and "aucune plateforme" in preview
    response = client.post("/curate/platforms/new", data={
        "slug": "zz-nouvelle", "name": "Nouvelle Plateforme", "domains": "zz-nouvelle.example",
        "save": "1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Plateforme Nouvelle Plateforme créée." in html
    assert "created." not in html


def test_vendor_pages_form_and_flash_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    listing = _french(client, "/curate/vendors")
    assert "<h1>Prestataires</h1>" in listing and ">Site web</th>" in listing
    assert ">Ajouter un prestataire</a>" in listing and "Add a vendor" not in listing
    form = _french(client, "/curate/vendors/new")
    assert "<h1>Nouveau prestataire</h1>" in form and "New vendor" not in form
    response = client.post("/curate/vendors/new", data={
        "slug": "zz-vendor", "name": "ZZ Vendor", "save": "1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Prestataire ZZ Vendor créé." in html
    assert "Aucun fait ne nomme ce prestataire." in html and "No claim names" not in html


def test_proposals_and_their_flash_in_french(capp, people):
    with capp.app_context():
        session = db.get_session()
        proposal = Proposal(origin="suggestion", kind="report", platform_slug=PLATFORM_SLUG,
                            fingerprint="f" * 64, version=1, status="new",
                            payload={"message": "Un signalement."})
        session.add(proposal)
        session.commit()
        proposal_id = proposal.id
    client = signed_in(capp, people["curator"])
    listing = _french(client, "/curate/proposals")
    assert "<h1>Propositions</h1>" in listing and 'aria-label="Statut des propositions"' in listing
    assert "origine « suggestion »" in listing and "Reports from users" not in listing
    assert ">new (" not in listing  # the tabs name the statuses in French too
    page = _french(client, f"/curate/proposals/{proposal_id}")
    assert f"<h1>Proposition #{proposal_id} : " in page
    assert '<h2 id="decide-title">Décider</h2>' in page and ">Écarter</button>" in page
    assert "Pourquoi l'écarter (obligatoire)" in page
    assert "Why dismiss it" not in page and "The proposal as received" not in page
    response = client.post(f"/curate/proposals/{proposal_id}/dismiss",
                           data={"version": "1", "note": "Déjà corrigé."}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Proposition écartée." in html and "Proposal dismissed." not in html
    accepted = _french(client, "/curate/proposals?status=accepted")
    assert "Aucune proposition acceptée." in accepted


def test_users_and_import_in_french(capp, people):
    admin = signed_in(capp, people["admin"])
    listing = _french(admin, "/curate/admin/users")
    assert ">Ajouter un utilisateur</a>" in listing and ">Rôle</th>" in listing
    assert "<td>curateur</td>" in listing and "(vous)" in listing and "(you)" not in listing
    form = _french(admin, "/curate/admin/users/new")
    assert "<h1>Nouvel utilisateur</h1>" in form and ">Créer le compte</button>" in form
    response = admin.post("/curate/admin/users/new", data={
        "email": "nouveau@example.org", "display_name": "Nouveau", "role": "contributor",
        "password": "plum orchard at dusk", "confirm": "plum orchard at dusk"},
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Compte créé pour nouveau@example.org (contributeur)." in html
    edit = _french(admin, f"/curate/admin/users/{people['contributor']}")
    assert "compte créé le " in edit and "account created" not in edit
    page = _french(admin, "/curate/admin/import")
    assert "<h1>Import et export</h1>" in page and ">Vérifier les fichiers</button>" in page
    assert "Download every platform" not in page
    response = admin.post("/curate/admin/import", data={
        "files": (io.BytesIO(b"not a zip"), "broken.zip")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Rien n'a été importé : 1 problème" in html
    assert "broken.zip : pas un fichier zip valide" in html
    assert "Nothing was imported" not in html


def test_a_refused_page_names_the_roles_in_french(capp, people):
    client = signed_in(capp, people["contributor"])
    response = client.get("/curate/reviews?lang=fr")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Cette page demande le rôle curateur ; votre rôle est contributeur." in html
    assert "This page needs" not in html

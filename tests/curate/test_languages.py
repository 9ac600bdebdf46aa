"""The curators' workspace in the reader's language: Accept-Language, a ?lang= choice kept in
the session, the texts from the same gettext catalogues as the workshop."""

from __future__ import annotations

from .helpers import sign_in, signed_in


def test_the_sign_in_page_follows_the_browser_then_the_choice(capp):
    client = capp.test_client()
    english = client.get("/curate/login").get_data(as_text=True)
    assert '<html lang="en">' in english and "<h1>Sign in</h1>" in english
    french = client.get("/curate/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    html = french.get_data(as_text=True)
    assert '<html lang="fr">' in html and "<h1>Se connecter</h1>" in html
    assert "Adresse e-mail" in html and "Mot de passe" in html
    # A choice made on a page is kept for the next pages, whatever the browser asks.
    client.get("/curate/login?lang=en", headers={"Accept-Language": "fr"})
    again = client.get("/curate/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "<h1>Sign in</h1>" in again


def test_flash_messages_and_menu_in_french(capp, people):
    client = capp.test_client()
    client.get("/curate/login?lang=fr")
    response = sign_in(client, "ada@example.org")
    assert response.status_code == 302
    # Signing in starts a new session: the page asks for French again.
    page = client.get("/curate/?lang=fr").get_data(as_text=True)
    assert "Connecté en tant que Ada Curator." in page
    assert ">Tableau de bord</a>" in page and ">Se déconnecter</button>" in page
    assert 'href="/curate/?lang=en"' in page  # the way back to English
    assert ">Tableau de bord</a>" in client.get("/curate/").get_data(as_text=True)  # kept
    wrong = capp.test_client().post("/curate/login?lang=fr", data={
        "email": "ada@example.org", "password": "not the password at all"})
    assert "Adresse e-mail ou mot de passe incorrect" in wrong.get_data(as_text=True)


def test_error_pages_in_french(capp, people):
    client = signed_in(capp, people["curator"])
    page = client.get("/curate/claims/987654?lang=fr")
    assert page.status_code == 404
    assert "Il n&#39;y a rien à cette adresse." in page.get_data(as_text=True)

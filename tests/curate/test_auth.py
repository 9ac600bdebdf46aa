"""Signing in and out: the same answer for every failure, a rate limit, safe `next`, real CSRF
checks, password changes, and the create-user command."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server import db
from server.curate.commands import create_user_command
from server.models import Revision, User

from .helpers import PASSWORD, csrf_token, make_user, sign_in, signed_in


def test_sign_in_and_out(capp, people):
    client = capp.test_client()
    response = sign_in(client, "ADA@example.org")
    assert response.status_code == 302
    assert response.location == "/curate/"
    page = client.get("/curate/")
    assert b"Ada Curator" in page.data
    set_cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert client.get("/curate/logout").status_code == 405  # signing out is a POST
    response = client.post("/curate/logout")
    assert response.status_code == 302 and response.location == "/curate/login"
    assert client.get("/curate/").status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_answer(capp, people):
    wrong_password = sign_in(capp.test_client(), "ada@example.org", "not the password")
    unknown_email = sign_in(capp.test_client(), "nobody@example.org")
    assert wrong_password.status_code == unknown_email.status_code == 401
    message = b"Wrong email or password, or this account is not active."
    assert message in wrong_password.data and message in unknown_email.data
    def page(response):  # the page without its per-session token and the typed email
        text = re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))
        return text.replace("nobody@example.org", "ada@example.org")

    assert page(wrong_password) == page(unknown_email)


def test_a_deactivated_account_cannot_sign_in(capp, people):
    admin = signed_in(capp, people["admin"])
    with capp.app_context():
        version = db.get_session().get(User, people["curator"]).version
    response = admin.post(f"/curate/admin/users/{people['curator']}", data={
        "version": version, "display_name": "Ada Curator", "role": "curator"})
    assert response.status_code == 302
    response = sign_in(capp.test_client(), "ada@example.org")
    assert response.status_code == 401


def test_sign_in_is_rate_limited_with_a_clear_page(make_app):
    app = make_app(WTF_CSRF_ENABLED=False, BTF_LOGIN_LIMIT="3 per minute")
    make_user(app, "ada@example.org", "curator")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "ada@example.org", "wrong password").status_code == 401
    response = sign_in(client, "ada@example.org")  # even the right password now waits
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert b"Too many sign-in attempts" in response.data
    assert response.headers.get("Retry-After")
    assert client.get("/curate/login").status_code == 200  # only POSTs count


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/curate/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "/\t/evil.example",
    "curate/claims",
])
def test_next_to_another_site_is_ignored(capp, people, target):
    response = sign_in(capp.test_client(), "ada@example.org", next=target)
    assert response.status_code == 302
    assert response.location == "/curate/"
    response = capp.test_client().post("/curate/login", query_string={"next": target},
                                       data={"email": "ada@example.org", "password": PASSWORD})
    assert response.location == "/curate/"


def test_next_within_the_site_is_followed(capp, people):
    client = capp.test_client()
    response = client.get("/curate/claims?status=draft")
    assert response.status_code == 302
    login_page = client.get(response.location)
    assert b'name="next"' in login_page.data and b"/curate/claims?status=draft" in login_page.data
    response = sign_in(client, "ada@example.org", next="/curate/claims?status=draft")
    assert response.location == "/curate/claims?status=draft"


def test_a_post_without_a_csrf_token_is_refused(make_app):
    app = make_app()  # CSRF checks on, as in production
    make_user(app, "ada@example.org", "curator")
    client = app.test_client()
    response = sign_in(client, "ada@example.org")
    assert response.status_code == 400
    assert b"security token" in response.data
    token = csrf_token(client.get("/curate/login").get_data(as_text=True))
    response = sign_in(client, "ada@example.org", csrf_token=token)
    assert response.status_code == 302
    for url, data in (("/curate/logout", {}),
                      ("/curate/platforms/new", {"slug": "x", "name": "X"}),
                      ("/curate/account/password", {"current_password": PASSWORD,
                                                     "new_password": "crimson ferry at noon",
                                                     "confirm": "crimson ferry at noon"})):
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert b"security token" in response.data
    token = csrf_token(client.get("/curate/").get_data(as_text=True))
    assert client.post("/curate/logout", data={"csrf_token": token}).status_code == 302


def test_changing_the_password_signs_out_the_other_sessions(capp, people):
    here, elsewhere = capp.test_client(), capp.test_client()
    sign_in(here, "ada@example.org")
    sign_in(elsewhere, "ada@example.org")
    response = here.post("/curate/account/password", data={
        "current_password": "wrong", "new_password": "a new password!",
        "confirm": "a new password!"})
    assert b"This is not your current password." in response.data
    response = here.post("/curate/account/password", data={
        "current_password": PASSWORD, "new_password": "short", "confirm": "short"})
    assert b"Use at least 10 characters." in response.data
    response = here.post("/curate/account/password", data={
        "current_password": PASSWORD, "new_password": "a new password!",
        "confirm": "a new password!"})
    assert response.status_code == 302
    assert here.get("/curate/").status_code == 200
    assert elsewhere.get("/curate/").status_code == 302
    assert sign_in(capp.test_client(), "ada@example.org").status_code == 401
    assert sign_in(capp.test_client(), "ada@example.org", "a new password!").status_code == 302
    with capp.app_context():
        revision = db.get_session().scalars(
            select(Revision).where(Revision.entity_type == "user",
                                   Revision.entity_id == people["curator"])
            .order_by(Revision.id.desc())).first()
        assert revision.comment == "password changed"


# --- the create-user command ---------------------------------------------------------------------


def test_create_user_reads_the_password_from_stdin(capp):
    runner = capp.test_cli_runner()
    result = runner.invoke(create_user_command, [
        "Ada@Example.org", "--role", "admin", "--name", "Ada Admin", "--password-stdin"],
        input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created the admin account ada@example.org" in result.output
    with capp.app_context():
        user = db.get_session().scalar(select(User).where(User.email == "ada@example.org"))
        assert (user.role, user.display_name, user.active) == ("admin", "Ada Admin", True)
        assert user.password_hash.startswith("$argon2id$")
    assert sign_in(capp.test_client(), "ada@example.org").status_code == 302


def test_create_user_asks_twice_and_defaults_to_curator(capp):
    runner = capp.test_cli_runner()
    result = runner.invoke(create_user_command, ["grace@example.org"],
                           input="a long enough password\na long enough password\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 1 and "Repeat for confirmation" in result.output
    assert "a long enough password" not in result.output
    with capp.app_context():
        user = db.get_session().scalar(select(User).where(User.email == "grace@example.org"))
        assert (user.role, user.display_name) == ("curator", "grace")


@pytest.mark.parametrize("args, password, message", [
    (["carla@example.org"], "too short", "at least 10 characters"),
    (["not-an-email"], PASSWORD, "is not an email address"),
    (["x@example.org", "--role", "owner"], PASSWORD, "Invalid value for '--role'"),
])
def test_create_user_refuses_bad_input(capp, args, password, message):
    result = capp.test_cli_runner().invoke(create_user_command, [*args, "--password-stdin"],
                                           input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output


def test_create_user_refuses_a_duplicate_email(capp):
    runner = capp.test_cli_runner()
    args = ["ada@example.org", "--password-stdin"]
    assert runner.invoke(create_user_command, args, input=PASSWORD + "\n").exit_code == 0
    result = runner.invoke(create_user_command, ["ADA@example.org", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "already exists" in result.output
    with capp.app_context():
        assert len(db.get_session().scalars(select(User)).all()) == 1


def test_an_admin_manages_users_from_the_admin_page(capp, people):
    admin = signed_in(capp, people["admin"])
    response = admin.post("/curate/admin/users/new", data={
        "email": "new@example.org", "display_name": "New Person", "role": "contributor",
        "password": "plum orchard at dusk", "confirm": "plum orchard at dusk"})
    assert response.status_code == 302
    listing = admin.get("/curate/admin/users").get_data(as_text=True)
    assert "New Person" in listing and "new@example.org" in listing
    response = admin.post("/curate/admin/users/new", data={
        "email": "new@example.org", "role": "contributor", "password": "plum orchard at dusk",
        "confirm": "plum orchard at dusk"})
    assert response.status_code == 422
    assert b"already exists" in response.data
    with capp.app_context():
        new = db.get_session().scalar(select(User).where(User.email == "new@example.org"))
        new_id, version = new.id, new.version
    response = admin.post(f"/curate/admin/users/{new_id}", data={
        "version": version, "display_name": "New Person", "role": "curator", "active": "y"})
    assert response.status_code == 302
    with capp.app_context():
        assert db.get_session().get(User, new_id).role == "curator"
    # Demoting the only admin, themselves, is refused with the reason.
    with capp.app_context():
        version = db.get_session().get(User, people["admin"]).version
    response = admin.post(f"/curate/admin/users/{people['admin']}", data={
        "version": version, "display_name": "Alex Admin", "role": "curator", "active": "y"})
    assert response.status_code == 422
    assert b"no admin left" in response.data


def test_a_copied_session_cookie_is_refused_after_sign_out(capp, people):
    browser = capp.test_client()
    assert sign_in(browser, "ada@example.org").status_code == 302
    cookie = browser.get_cookie("session").value
    assert browser.get("/curate/").status_code == 200
    thief = capp.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/curate/").status_code == 200
    assert browser.post("/curate/logout").status_code == 302
    thief.set_cookie("session", cookie)
    answer = thief.get("/curate/")
    assert answer.status_code == 302 and "/curate/login" in answer.headers["Location"]
    # Signing in again works, with a new session.
    assert sign_in(browser, "ada@example.org").status_code == 302
    assert browser.get("/curate/").status_code == 200


def test_sessions_expire_after_the_idle_time(make_app, people):
    import datetime as dt

    app = make_app(WTF_CSRF_ENABLED=False, PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=30))
    make_user(app, "idle@example.org", "curator", "Idle Curator")
    browser = app.test_client()
    assert sign_in(browser, "idle@example.org").status_code == 302
    cookie = browser.get_cookie("session")
    assert cookie.expires is not None
    lifetime = cookie.expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=28) < lifetime <= dt.timedelta(minutes=30)


@pytest.mark.parametrize("password", ["password12", "qwertyuiop", "letmein123"])
def test_weak_passwords_are_refused(capp, people, password):
    from server import db, operations

    with capp.app_context(), pytest.raises(operations.Invalid) as error:
        operations.create_user(db.get_session(), email="weak@example.org", password=password)
    assert "password" in error.value.fields


def test_sign_in_is_limited_per_account_from_any_address(make_app, people):
    app = make_app(WTF_CSRF_ENABLED=False, BTF_LOGIN_LIMIT="1000 per minute",
                   BTF_ACCOUNT_LOGIN_LIMIT="3 per hour")
    make_user(app, "target@example.org", "curator", "Target")
    statuses = []
    for n in range(5):
        client = app.test_client()
        statuses.append(client.post("/curate/login", data={
            "email": "target@example.org", "password": "wrong guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"}).status_code)
    assert statuses == [401, 401, 401, 429, 429]
    other = app.test_client().post("/curate/login", data={
        "email": "someone-else@example.org", "password": "wrong guess"})
    assert other.status_code == 401

"""Signing in and out, and changing one's password."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_user, logout_user

from .. import operations
from ..db import get_session
from ..extensions import limiter
from ..models import User
from . import bp
from .access import actor, on_failure, role_required, safe_next
from .forms import LoginForm, PasswordForm

AUTH_KEY = "btf_auth"
TOKEN_KEY = "btf_token"  # noqa: S105  (a session key name, not a secret)
SIGN_IN_FAILED = lazy_gettext("Wrong email or password, or this account is not active.")


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the active user whose password has not changed since sign-in."""
    try:
        user = get_session().get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    if session.get(AUTH_KEY) != operations.password_fingerprint(user):
        return None
    # Signing out (or changing the password) replaces the token: every copy of an older cookie
    # stops working, on the server's word rather than the browser's.
    if not user.session_token or session.get(TOKEN_KEY) != user.session_token:
        return None
    return user


def _sign_in(user: User) -> None:
    # A fresh session: nothing from before sign-in carries over into the signed-in one.
    session.clear()
    login_user(user)
    session.permanent = True  # expires after BTF_SESSION_IDLE_MINUTES without a request
    session[AUTH_KEY] = operations.password_fingerprint(user)
    session[TOKEN_KEY] = user.session_token


def _account_key() -> str:
    return "login-account:" + operations.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["BTF_LOGIN_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["BTF_ACCOUNT_LOGIN_LIMIT"], methods=["POST"],
               key_func=_account_key)
def login():
    form = LoginForm()
    target = safe_next(request.args.get("next") or form.next.data)
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target or url_for("curate.dashboard"))
        form.next.data = target or ""
    error = None
    if form.validate_on_submit():
        db = get_session()
        user = operations.authenticate(db, form.email.data or "", form.password.data or "")
        if user is None:
            error = SIGN_IN_FAILED
        else:
            if not user.session_token:
                operations.new_session_token(user)
            _sign_in(user)
            flash(_("Signed in as %(name)s.", name=user.display_name), "success")
            return redirect(target or url_for("curate.dashboard"))
    return render_template("curate/login.html", form=form, error=error), 200 if not error else 401


@bp.route("/logout", methods=["POST"])
@role_required("contributor")
def logout():
    operations.new_session_token(actor())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("curate.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@role_required("contributor")
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = actor()

        def failed(error):
            if not isinstance(error, operations.Invalid):
                return None
            for name, messages in error.fields.items():
                getattr(form, name).errors = list(messages)
            return render_template("curate/password.html", form=form), 422

        on_failure(failed)
        operations.change_password(get_session(), user,
                                   current_password=form.current_password.data,
                                   new_password=form.new_password.data)
        session[AUTH_KEY] = operations.password_fingerprint(user)
        session[TOKEN_KEY] = user.session_token
        flash(_("Your password is changed. Your other sessions are signed out."), "success")
        return redirect(url_for("curate.dashboard"))
    return render_template("curate/password.html", form=form)

"""The curators' workspace at /curate: sign-in, editing, review, history, queues, admin.

Server-rendered pages; every write goes through `operations`. Every page but the sign-in page
needs a signed-in user, and each view names the least role it needs (`access.role_required`).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, g, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

from .. import operations
from ..extensions import login_manager
from ..workshop import i18n
from ..workshop.i18n import N_

bp = Blueprint("curate", __name__, url_prefix="/curate")

# Endpoints an anonymous visitor may reach: everything else needs a signed-in user.
PUBLIC_ENDPOINTS = frozenset({"curate.login"})

from . import (  # noqa: E402  (the views register their routes on bp)
    access,
    admin,
    auth,
    changes,
    claims,
    forms,
    platforms,
    queues,
    vendors,
)

LANGUAGE_KEY = "btf_curate_lang"

# What a proposal proposes (docs/formats.md), by its `kind`.
PROPOSAL_KIND_NAMES = {
    "new_claim": _l("new claim"), "lead": _l("lead"), "report": _l("report"),
    "domain": _l("domain"), "owner": _l("owner"), "archive": _l("archived copy"),
    "moderators": _l("moderator counts"), "vendor_ids": _l("vendor identifiers"),
}


@bp.before_request
def _choose_language() -> None:
    """?lang= first (remembered in the session), then the remembered choice, then the
    browser's Accept-Language; English when none of the catalogues' languages fits."""
    explicit = (request.args.get("lang") or "").strip().lower()[:2]
    g.lang = i18n.pick_language(explicit, session.get(LANGUAGE_KEY), request.accept_languages)
    if explicit in i18n.LANGUAGES and session.get(LANGUAGE_KEY) != explicit:
        session[LANGUAGE_KEY] = explicit


def _lang_url(language: str) -> str:
    """This page in another language (after a form's post: the dashboard)."""
    if request.method != "GET" or request.endpoint is None:
        return url_for("curate.dashboard", lang=language)
    args = request.args.to_dict()
    args["lang"] = language
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@bp.context_processor
def _template_helpers() -> dict:
    return {
        "curate_lang": g.get("lang", "en"),
        "curate_languages": i18n.LANGUAGE_NAMES,
        "curate_lang_url": _lang_url,
        "role_names": access.ROLE_NAMES,
        "proposal_kind_names": PROPOSAL_KIND_NAMES,
        "form_errors": forms.error_list,
        "country_options": forms.COUNTRY_OPTIONS,
        "currency_options": forms.CURRENCY_OPTIONS,
        "kind_labels": forms.KIND_LABELS,
        "evidence_labels": forms.EVIDENCE_LABELS,
        "words": lambda value: str(value or "").replace("_", " "),
    }


@bp.before_request
def _require_sign_in():
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    if request.method in ("GET", "HEAD"):
        return login_manager.unauthorized()  # to the sign-in page, coming back here after
    return _error_page(401, _("Please sign in"),
                       _("Your session has ended or you are not signed in. Sign in and try "
                         "again."))


@bp.before_request
def _begin():
    access.begin()


# The one transaction boundary of the workspace: registered before `_private`, so it runs
# after it (Flask runs after-request functions in reverse order) on the final response.
bp.after_request(access.finish)


@bp.errorhandler(operations.OperationError)
@bp.errorhandler(StaleDataError)
def _refused(error):
    return access.refused(error)


@bp.after_request
def _private(response: Response) -> Response:
    # Unpublished work and account pages: no shared cache keeps them. (The security headers,
    # CSP included, are added to every response by server/security.py.)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(status: int, title: str, message: str):
    return render_template("curate/error.html", title=title, message=message), status


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    return _error_page(400, _("The form expired"),
                       _("This form was missing its security token or the token was no longer "
                         "valid. Go back, reload the page and submit it again."))


@bp.errorhandler(400)
def _bad_request(error):
    return _error_page(400, _("Something was missing"),
                       _("This request was incomplete or malformed, so nothing was done. Go "
                         "back, reload the page and try again."))


@bp.errorhandler(403)
def _forbidden(error):
    return _error_page(403, _("Not allowed"),
                       getattr(error, "description", None)
                       or _("Your role does not allow this page or action."))


@bp.errorhandler(404)
def _not_found(error):
    return _error_page(404, _("Not found"), _("There is nothing at this address."))


@bp.errorhandler(429)
def _too_many(error):
    return _error_page(429, _("Too many attempts"),
                       _("Too many sign-in attempts from your network. For your account's "
                         "safety, wait a minute and try again."))


def init_app(app: Flask) -> None:
    """Register the blueprint, the user loader and the sign-in page."""
    app.register_blueprint(bp)
    login_manager.user_loader(auth.load_user)
    login_manager.login_view = "curate.login"
    login_manager.blueprint_login_views["curate"] = "curate.login"
    login_manager.login_message = N_("Please sign in to use the curators' workspace.")
    login_manager.localize_callback = _  # flashed in the reader's language
    login_manager.login_message_category = "info"


__all__ = ["bp", "init_app", "admin", "auth", "changes", "claims", "platforms", "queues",
           "vendors"]

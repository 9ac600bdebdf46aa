"""The curators' workspace at /curate: sign-in, editing, review, history, queues, admin.

Server-rendered pages; every write goes through `operations`. Every page but the sign-in page
needs a signed-in user, and each view names the least role it needs (`access.role_required`).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

from .. import operations
from ..extensions import login_manager

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


@bp.context_processor
def _template_helpers() -> dict:
    return {
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
    return _error_page(401, "Please sign in",
                       "Your session has ended or you are not signed in. Sign in and try again.")


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
    return _error_page(400, "The form expired",
                       "This form was missing its security token or the token was no longer "
                       "valid. Go back, reload the page and submit it again.")


@bp.errorhandler(400)
def _bad_request(error):
    return _error_page(400, "Something was missing",
                       "This request was incomplete or malformed, so nothing was done. Go back, "
                       "reload the page and try again.")


@bp.errorhandler(403)
def _forbidden(error):
    return _error_page(403, "Not allowed",
                       getattr(error, "description", None)
                       or "Your role does not allow this page or action.")


@bp.errorhandler(404)
def _not_found(error):
    return _error_page(404, "Not found", "There is nothing at this address.")


@bp.errorhandler(429)
def _too_many(error):
    return _error_page(429, "Too many attempts",
                       "Too many sign-in attempts from your network. For your account's safety, "
                       "wait a minute and try again.")


def init_app(app: Flask) -> None:
    """Register the blueprint, the user loader and the sign-in page."""
    app.register_blueprint(bp)
    login_manager.user_loader(auth.load_user)
    login_manager.login_view = "curate.login"
    login_manager.blueprint_login_views["curate"] = "curate.login"
    login_manager.login_message = "Please sign in to use the curators' workspace."
    login_manager.login_message_category = "info"


__all__ = ["bp", "init_app", "admin", "auth", "changes", "claims", "platforms", "queues",
           "vendors"]

"""Who may see what, where a sign-in may lead, and the one commit of a request.

The transaction boundary of the curators' workspace: a view only calls operations. After it,
`finish` commits once when the response is a success (any status under 400) and rolls back
otherwise; an operation's refusal (Invalid, Forbidden, Conflict, a stale row met by any flush)
or an unreachable database, raised anywhere in the request, becomes its page in `refused`,
either the view's own (a form with its errors, the conflict page with both texts: `on_failure`)
or the default page for that refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, make_response, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from .. import operations
from ..db import get_session
from ..models import User

MAX_NEXT_LENGTH = 2000
# The roles' names as shown, translated where shown.
ROLE_NAMES = {"contributor": _l("contributor"), "curator": _l("curator"), "admin": _l("admin")}


def role_name(role: str) -> str:
    """A role's name in the reader's language (the role itself when it has no name)."""
    return str(ROLE_NAMES.get(role, role))


def role_required(role: str) -> Callable:
    """The view needs a signed-in, active user with at least `role` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(role):
                abort(403, description=_("This page needs the %(role)s role; you are a "
                                         "%(current)s.", role=role_name(role),
                                         current=role_name(current_user.role)))
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]
        return wrapper

    return decorator


def actor() -> User:
    """The signed-in user as a model instance (not the proxy), for the operations."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: no scheme, no host, no `//`, no
    backslash (browsers read `/\\evil.example` as another host), no control character."""
    if not target or len(target) > MAX_NEXT_LENGTH:
        return None
    if "\\" in target or any(ord(ch) < 33 or ord(ch) == 127 for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_AFTER_SECONDS = 5


def on_failure(render: Callable[[operations.OperationError], Any]) -> None:
    """How this request shows a refused write (after the rollback): `render(error)` returns a
    response, or None for the default page of that refusal."""
    g.btf_on_failure = render


def after_commit(action: Callable[[], Any]) -> None:
    """Run `action` once the request's writes are committed (and never if they are not)."""
    g.setdefault("btf_after_commit", []).append(action)


def begin() -> None:
    """Before a request: remember the messages already queued, to drop only this request's
    if its writes are refused."""
    g.btf_flashes = list(session.get("_flashes", []))


def finish(response: Any) -> Any:
    """After a view: commit its writes once if it succeeded, else roll them back."""
    db = get_session()
    if request.method in READ_METHODS or response.status_code >= 400:
        operations.rollback(db)
        return response
    try:
        operations.commit(db)
    except (operations.OperationError, StaleDataError, DBAPIError) as exc:
        return refused(exc)
    for action in g.pop("btf_after_commit", []):
        action()
    return response


def refused(error: BaseException) -> Any:
    """Roll back and show why nothing was written."""
    operations.rollback(get_session())
    g.pop("btf_after_commit", None)
    if "btf_flashes" in g:
        session["_flashes"] = g.btf_flashes
        if not g.btf_flashes:
            session.pop("_flashes", None)
    if isinstance(error, StaleDataError):
        # Another save changed the row between our read and our write (any flush, autoflush
        # included): a conflict like any other, never a server error.
        error = operations.Conflict(None, None, None, None, None)
    elif isinstance(error, DBAPIError):
        error = operations.Unavailable(_("The database is busy or unreachable, so nothing "
                                         "was saved. Wait a few seconds and try again."))
    render = g.pop("btf_on_failure", None)
    shown = render(error) if render is not None else None
    if shown is None:
        shown = _default_page(error)
    response = make_response(shown)
    if isinstance(error, operations.Unavailable):
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _default_page(error: operations.OperationError) -> tuple[str, int]:
    title, status = _("Not allowed"), 403
    message = error.message
    if isinstance(error, operations.Invalid):
        title, status = _("Some fields need attention"), 422
        message = " ".join([error.message, *operations.flat_messages(error.fields)])
    elif isinstance(error, operations.StaleChange):
        title, status = _("Not saved"), 409
    elif isinstance(error, operations.Conflict):
        status = 409
        title = _("Changed by someone else")
        if error.entity is None:
            message = _("Someone else saved this entry at the same moment, so nothing of "
                        "yours was saved. Go back, reload the page and make your change again.")
    elif isinstance(error, operations.Unavailable):
        title, status = _("Try again in a moment"), 503
    return render_template("curate/error.html", title=title, message=message), status

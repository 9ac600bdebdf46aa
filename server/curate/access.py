"""Who may see what, where a sign-in may lead, and the one commit of a request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import Session

from .. import operations
from ..db import get_session
from ..models import User

MAX_NEXT_LENGTH = 2000


def role_required(role: str) -> Callable:
    """The view needs a signed-in, active user with at least `role` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(role):
                abort(403, description=f"This page needs the {role} role; you are a "
                                       f"{current_user.role}.")
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


def commit(session: Session | None = None) -> None:
    operations.commit(session or get_session())


def rollback(session: Session | None = None) -> None:
    operations.rollback(session or get_session())

"""Users: accounts, passwords and sessions."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ROLES, User, utcnow
from ..records import user_record
from .common import Forbidden, Invalid, check_version, flush, require, touch, write_revision

MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3
MAX_PASSWORD_LENGTH = 1024
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not a password of anyone")
# zxcvbn's warnings (it writes them in English), so they are shown in the reader's language.
PASSWORD_WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("Straight rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.":
        _l("Short keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l('Repeats like "aaa" are easy to guess.'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        _l('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    'Sequences like "abc" or "6543" are easy to guess.':
        _l('Sequences like "abc" or "6543" are easy to guess.'),
    "Recent years are easy to guess.": _l("Recent years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates are often easy to guess."),
    "This is a top-10 common password.": _l("This is a top-10 common password."),
    "This is a top-100 common password.": _l("This is a top-100 common password."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.":
        _l("This is similar to a commonly used password."),
    "A word by itself is easy to guess.": _l("A word by itself is easy to guess."),
    "Names and surnames by themselves are easy to guess.":
        _l("Names and surnames by themselves are easy to guess."),
    "Common names and surnames are easy to guess.":
        _l("Common names and surnames are easy to guess."),
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_fingerprint(user: User) -> str:
    """A short tag of the current password hash: kept in the session, so a password change
    signs the other sessions out."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:24]


def _check_password(password: str, field: str = "password", *,
                    known: tuple[str, ...] = ()) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid({field: [_("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)]})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid({field: [_("Use at most %(n)s characters.", n=MAX_PASSWORD_LENGTH)]})
    # zxcvbn knows common passwords, names, keyboard walks and dates; 3 of 4 is "safely
    # unguessable" against an offline attack on a slow hash.
    from zxcvbn import zxcvbn

    verdict = zxcvbn(password[:100], user_inputs=[k for k in known if k])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        warning = verdict["feedback"].get("warning") or ""
        hint = str(PASSWORD_WARNINGS.get(warning) or warning or _("It is too easy to guess."))
        raise Invalid({field: [_("%(hint)s. Try a few unrelated words together.",
                                 hint=hint.rstrip("."))]})


def new_session_token(user: User) -> None:
    """End every session of `user`: cookies carrying the old token are refused from now on."""
    user.session_token = secrets.token_urlsafe(32)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(session: Session, *, email: str, password: str, role: str = "curator",
                display_name: str | None = None, actor: User | None = None) -> User:
    """A new account. `actor` is the admin creating it (None from the command line)."""
    if actor is not None:
        require(actor, "admin")
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = [_("%(email)s is not an email address.", email=repr(email))]
    elif session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        errors["email"] = [_("A user with the email %(email)s already exists.", email=email)]
    if role not in ROLES:
        errors["role"] = [_("The role must be one of %(roles)s.", roles=", ".join(ROLES))]
    display_name = (display_name or "").strip() or email.split("@")[0]
    if len(display_name) > 120:
        errors["display_name"] = [_("Use at most %(n)s characters.", n=120)]
    try:
        _check_password(password, known=(email, display_name, *email.split("@")))
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    user = User(email=email, display_name=display_name, role=role, active=True, version=1,
                password_hash=hash_password(password), created_at=utcnow())
    session.add(user)
    session.flush()
    write_revision(session, user, "create", None, actor,
                   None if actor else "created on the command line", public=False)
    session.flush()
    return user


def _active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))) or 0


def update_user(session: Session, target: User, *, actor: User, expected_version: Any,
                role: str | None = None, active: bool | None = None,
                display_name: str | None = None) -> bool:
    """Change a user's role, name or active flag; never leaves the service without an admin."""
    require(actor, "admin")
    before = user_record(target)
    check_version(target, expected_version, before, None)
    errors: dict[str, list[str]] = {}
    if role is not None and role not in ROLES:
        errors["role"] = [_("The role must be one of %(roles)s.", roles=", ".join(ROLES))]
    if display_name is not None:
        display_name = display_name.strip()
        if not display_name or len(display_name) > 120:
            errors["display_name"] = [_("Give a name of 1 to 120 characters.")]
    if errors:
        raise Invalid(errors)
    new_role = role if role is not None else target.role
    new_active = active if active is not None else target.active
    was_admin = target.role == "admin" and target.active
    if was_admin and not (new_role == "admin" and new_active) and _active_admins(session) <= 1:
        raise Forbidden(
            _("You cannot demote or deactivate yourself: the service would have no admin left. "
              "Make someone else an admin first.") if target.id == actor.id
            else _("You cannot demote or deactivate the last admin: the service would have no "
                   "admin left. Make someone else an admin first."))
    target.role = new_role
    target.active = new_active
    if display_name is not None:
        target.display_name = display_name
    if user_record(target) == before:
        return False
    touch(target, actor)
    flush(session, target, expected_version, None)
    write_revision(session, target, "update", before, actor, None, public=False)
    session.flush()
    return True


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (the same None for every reason)."""
    user = session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
    if user is None or len(password) > MAX_PASSWORD_LENGTH:
        _verify(_DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
        return None
    if not _verify(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        # The same password under today's parameters: no change a person would see, so no
        # revision and no new version.
        user.password_hash = hash_password(password)
        session.flush()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(session: Session, user: User, *, current_password: str,
                    new_password: str) -> None:
    """Set a new password after checking the current one."""
    require(user, "contributor")
    if not _verify(user.password_hash, current_password):
        raise Invalid({"current_password": [_("This is not your current password.")]})
    _check_password(new_password, "new_password",
                    known=(user.email, user.display_name, *user.email.split("@")))
    before = user_record(user)
    user.password_hash = hash_password(new_password)
    new_session_token(user)
    touch(user, user)
    session.flush()
    write_revision(session, user, "update", before, user, "password changed", public=False)
    session.flush()

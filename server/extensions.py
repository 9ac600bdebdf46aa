"""Flask extensions, created once and bound to each app with init_app."""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import current_app, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf import CSRFProtect


def client_key() -> str:
    """A rate-limit key that does not keep client addresses: a salted, daily-rotating hash."""
    day = dt.date.today().isoformat()
    salt = current_app.config["SECRET_KEY"]
    address = request.remote_addr or "unknown"
    return hashlib.sha256(f"{salt}|{day}|{address}".encode()).hexdigest()[:32]


limiter = Limiter(key_func=client_key, default_limits=[])


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    # Only writes (suggestions, sign-in) carry limits: reads skip the limiter's bookkeeping.
    return request.method in ("GET", "HEAD", "OPTIONS")
csrf = CSRFProtect()
login_manager = LoginManager()

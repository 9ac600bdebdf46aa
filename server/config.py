"""Settings from the environment (prefix BTF_), with safe defaults for the embedded mode."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from platformdirs import user_data_dir

DEFAULT_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret"}


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message says which and what to do."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    return Path(os.environ.get("BTF_DATA_DIR") or user_data_dir("behind-the-feed", appauthor=False))


MIN_SECRET_CHARS = 32
MIN_SECRET_DISTINCT = 12


def weak_secret(key: str) -> str | None:
    """Why `key` cannot sign production sessions, or None when it looks like 32+ random bytes.

    Randomness cannot be proven from the text, but a key of at least 32 characters with at least
    12 different ones rules out short keys, words and repeated characters ("x", "aaaa...").
    """
    if not key or key in DEFAULT_SECRET_KEYS:
        return "is missing or a default value"
    if len(key.encode()) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    if len(set(key)) < MIN_SECRET_DISTINCT:
        return "repeats too few characters to be random"
    return None


def _secret_key(folder: Path, production: bool) -> str:
    key = os.environ.get("BTF_SECRET_KEY", "")
    problem = weak_secret(key)
    if production and problem:
        raise ConfigError(
            f"BTF_SECRET_KEY {problem}. In production set it to at least 32 random bytes, e.g. "
            "the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if key and key not in DEFAULT_SECRET_KEYS:
        return key
    # Embedded mode: one random key per installation, kept beside the database.
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def scrape_settings() -> dict:
    """The scrapers' settings (also part of load_config): what `behind-the-feed scrape` reads.

    BTF_SCRAPE_DELAY: seconds between two requests to one host (a robots.txt Crawl-delay can
    raise it); BTF_DSA_REPORTS: the JSON list of DSA reports to fetch; BTF_WAYBACK_LOOKUP: the
    link checker asks the Wayback Machine for archived copies; BTF_WAYBACK_DELAY and
    BTF_WAYBACK_CAPTURE_MAX: seconds between two Save Page Now requests, captures per run.
    """
    return {
        "BTF_DATA_DIR": str(data_dir()),
        "BTF_SCRAPE_DELAY": float(os.environ.get("BTF_SCRAPE_DELAY", "1") or 1),
        "BTF_DSA_REPORTS": os.environ.get("BTF_DSA_REPORTS") or None,
        "BTF_WAYBACK_LOOKUP": _flag("BTF_WAYBACK_LOOKUP", True),
        "BTF_WAYBACK_DELAY": float(os.environ.get("BTF_WAYBACK_DELAY", "10") or 10),
        "BTF_WAYBACK_CAPTURE_MAX": int(os.environ.get("BTF_WAYBACK_CAPTURE_MAX", "20") or 20),
    }


def load_config() -> dict:
    """Build the Flask config mapping from BTF_* variables."""
    folder = data_dir()
    production = os.environ.get("BTF_ENV", "embedded").strip().lower() == "production"
    database_url = (os.environ.get("BTF_DATABASE_URL")
                    or f"sqlite:///{folder / 'behind-the-feed.sqlite'}")
    return {
        **scrape_settings(),
        "BTF_PRODUCTION": production,
        "BTF_DATA_DIR": str(folder),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": _secret_key(folder, production),
        "BTF_PUBLIC_DIR": os.environ.get("BTF_PUBLIC_DIR") or str(folder / "public"),
        "BTF_REVIEW_REQUIRED": _flag("BTF_REVIEW_REQUIRED", True),
        "BTF_PROXY_HOPS": int(os.environ.get("BTF_PROXY_HOPS", "0") or 0),
        "BTF_SEED_ON_START": _flag("BTF_SEED_ON_START", True),
        # The dataset an empty database is seeded from: the shipped one unless told otherwise
        # (a workshop or a deployment can start from its own export).
        "BTF_SEED_DIR": os.environ.get("BTF_SEED_DIR") or None,
        "BTF_SUGGESTION_LIMIT": os.environ.get("BTF_SUGGESTION_LIMIT", "5 per minute;50 per day"),
        "BTF_LOGIN_LIMIT": os.environ.get("BTF_LOGIN_LIMIT", "5 per minute;30 per hour"),
        # Per account, whatever address the attempts come from.
        "BTF_ACCOUNT_LOGIN_LIMIT": os.environ.get("BTF_ACCOUNT_LOGIN_LIMIT",
                                                  "10 per hour;50 per day"),
        "BTF_COLLECTION_LIMIT": os.environ.get("BTF_COLLECTION_LIMIT", "10 per hour;30 per day"),
        # A signed-in curator idle this long is signed out (the session cookie expires).
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(
            minutes=int(os.environ.get("BTF_SESSION_IDLE_MINUTES", "120") or 120)),
        # The address participants open (printed, in the QR code); never taken from a request's
        # Host header. `serve` sets it to the address it listens on when this is unset.
        "BTF_PUBLIC_URL": (os.environ.get("BTF_PUBLIC_URL") or "").rstrip("/") or None,
        "RATELIMIT_STORAGE_URI": os.environ.get("BTF_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": _flag("BTF_RATELIMIT_ENABLED", True),
        "MAX_CONTENT_LENGTH": int(os.environ.get("BTF_MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("BTF_SECURE_COOKIES", production),
        "REMEMBER_COOKIE_SECURE": _flag("BTF_SECURE_COOKIES", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "JSON_SORT_KEYS": False,
    }

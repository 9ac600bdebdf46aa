"""Behind the Feed: the service. `create_app` builds it."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, redirect, url_for

from . import curate, db, index, security, workshop
from .api.hotpath import HotReads
from .config import load_config
from .errors import Api
from .extensions import csrf, limiter, login_manager
from .workshop.i18n import init_babel

API_SETTINGS = {
    "API_TITLE": "Behind the Feed",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "A curated, sourced database of the outsourced and hidden human labour "
            "behind online platforms. Data under CC BY-SA 4.0.",
            "license": {"name": "CC BY-SA 4.0 (data)",
                        "url": "https://creativecommons.org/licenses/by-sa/4.0/"},
        },
    },
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides the settings read from BTF_* variables."""
    app = Flask(__name__)
    app.config.update(load_config())
    app.config.update(API_SETTINGS)
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Migrations say what they run only when asked (BTF_LOG_LEVEL=debug): a command's output is
    # its answer, not Alembic's narration.
    verbose = os.environ.get("BTF_LOG_LEVEL", "").lower() in ("debug", "verbose")
    logging.getLogger("alembic").setLevel(logging.INFO if verbose else logging.WARNING)

    db.init_app(app)
    index.init_app(app)
    limiter.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    init_babel(app)

    api = Api(app)
    from .api import blp as api_blueprint

    api.register_blueprint(api_blueprint)
    # The public API takes JSON from anywhere and has no session: CSRF protects the curators' forms.
    csrf.exempt(api_blueprint)
    curate.init_app(app)
    workshop.init_app(app)
    app.wsgi_app = HotReads(app.wsgi_app, app.extensions["btf_snapshot"],  # type: ignore[method-assign]
                            production=app.config["BTF_PRODUCTION"])
    # The bare address (what `serve --lan` prints) opens the workshop.
    app.add_url_rule("/", "home", lambda: redirect(url_for("workshop.landing")))
    return app

"""Educators' blueprint, /workshop: tour, map, quiz, cards and collections, offline on one laptop.

Every page reads the public snapshot (published claims only), works without JavaScript, loads
nothing from outside the service, and comes in English and French.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("workshop", __name__, url_prefix="/workshop")


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (registers the routes on bp)

    app.register_blueprint(bp)

"""The yardstick of bench/run.sh: a Flask app with one endpoint that returns a constant JSON.

Served by the same gunicorn settings as the service, it measures what Flask and gunicorn cost on
their own on this machine; the service's figures are read as a share of it.

    gunicorn -w 2 -b 127.0.0.1:8001 bench.bare_app:app      # GET /bare
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/bare")
def bare():
    return {"ok": True, "service": "bare"}

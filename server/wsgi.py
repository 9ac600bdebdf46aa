"""The WSGI entry point of a shared deployment: `gunicorn server.wsgi:app` (see docs/deployment.md).

Settings come from the BTF_* variables. The schema is created or upgraded beforehand, once, by
`behind-the-feed init-db`: workers never migrate, so several of them can start at the same time.
"""

from __future__ import annotations

from . import create_app

app = create_app()

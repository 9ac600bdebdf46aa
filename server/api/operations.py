"""Writes of the public API: a user's suggestion becomes a Proposal."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import domains
from ..curate.operations import queue_proposals
from ..models import Platform, Proposal


class SuggestionError(ValueError):
    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


def create_suggestion(session: Session, data: dict[str, Any]) -> Proposal:
    """Validate a user's report against the database and record it as a new Proposal."""
    host = None
    if data.get("host"):
        try:
            host = domains.normalize_host(data["host"])
        except ValueError as exc:
            raise SuggestionError({"host": [str(exc)]}) from exc
    slug = data.get("platform")
    if slug and session.scalar(select(Platform.id).where(Platform.slug == slug)) is None:
        raise SuggestionError({"platform": [f"No platform is called {slug!r}."]})
    payload = {
        "kind": data["kind"],
        "message": data["message"].strip(),
        "language": data.get("language"),
    }
    identity = json.dumps([host, slug, payload, data.get("source_url")], sort_keys=True)
    row = {
        "origin": "suggestion",
        "kind": "report",
        "platform_slug": slug,
        "host": host,
        "payload": payload,
        "source_url": data.get("source_url"),
        # The same report sent twice is one proposal.
        "fingerprint": hashlib.sha256(f"suggestion|{identity}".encode()).hexdigest(),
    }
    added, already = queue_proposals(session, [row], comment="suggestion from the public API")
    return (added or already)[0]

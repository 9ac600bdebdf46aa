"""Revisions: one row per write, in the same transaction as the write."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import Revision

ENTITY_TYPES = {"Claim": "claim", "Platform": "platform", "Vendor": "vendor", "User": "user",
                "Proposal": "proposal", "Source": "source", "Collection": "collection"}


def entity_type(entity: Any) -> str:
    return ENTITY_TYPES[type(entity).__name__]


def record_revision(
    session: Session,
    entity: Any,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    user_id: int | None = None,
    comment: str | None = None,
) -> Revision:
    """Add the Revision of a write; the entity must have been flushed (it needs its id)."""
    revision = Revision(
        entity_type=entity_type(entity),
        entity_id=entity.id,
        version=getattr(entity, "version", 1),
        user_id=user_id,
        action=action,
        before=before,
        after=after,
        comment=comment,
    )
    session.add(revision)
    return revision

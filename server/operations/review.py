"""Whether a change waits for review, and making it wait: with review required, a change to
anything the public sees becomes a PendingChange beside the live version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..models import Claim, PendingChange, Platform, User, Vendor, utcnow
from ..records import plain
from ..revisions import entity_type
from .common import review_required


def needs_review(session: Session, entity: Any, record: dict[str, Any] | None = None) -> bool:
    """Whether a change of `entity` (to `record`) touches the public record while review is
    required: then it waits as a PendingChange."""
    if not review_required():
        return False
    if isinstance(entity, Claim):
        target = (record or {}).get("status")
        return entity.status in ("published", "retracted") or target == "published"
    if isinstance(entity, Platform):
        return bool(session.scalar(select(exists().where(
            Claim.status == "published", Claim.platforms.any(Platform.id == entity.id)))))
    if isinstance(entity, Vendor):
        return bool(session.scalar(select(exists().where(
            Claim.status == "published", Claim.vendors.any(Vendor.id == entity.id)))))
    return False


def propose(session: Session, entity: Any, record: dict[str, Any], action: str, *,
            user: User, comment: str | None) -> PendingChange:
    """Keep `record` as a change of `entity` waiting for another curator."""
    change = PendingChange(entity_type=entity_type(entity), entity_id=entity.id,
                           base_version=entity.version, action=action, record=plain(record),
                           status="pending", comment=(comment or "").strip() or None,
                           author_id=user.id, created_at=utcnow(), version=1)
    session.add(change)
    session.flush()
    return change

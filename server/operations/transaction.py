"""The one transaction boundary: a request or command commits its writes once, here, and the
public snapshot is refreshed after that commit, here, when a write marked the public record
as changed (common.mark_public; the Publication rows index.py patches from are written in the
transaction itself)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .. import index
from .common import Conflict, forget_public_change, public_changed


def commit(session: Session) -> None:
    """Commit the writes; a stale row met at the last flush is a Conflict (nothing written).
    Then refresh the public snapshot if they touched it (in the background worker: the
    request does not wait for it; `index.wait_for_refresh` does)."""
    try:
        session.commit()
    except StaleDataError as exc:
        rollback(session)
        raise Conflict(None, None, None, None, None) from exc
    except BaseException:
        rollback(session)
        raise
    if public_changed(session):
        forget_public_change(session)
        index.after_commit(session)


def rollback(session: Session) -> None:
    """Drop the writes, and the note that they changed the public record."""
    session.rollback()
    forget_public_change(session)

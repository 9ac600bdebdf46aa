"""Writes on sources that are not edits: the link checker's results.

Sources are not versioned on their own (they are edited with their claim); a check still leaves
a trail: one Revision (entity "source", action "check") for each source whose check changed,
holding only the changed columns before and after. `last_checked_at` alone changing (a rerun
that saw the same) is written but makes no Revision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Revision, Source
from server.revisions import record_revision

CHECK_COLUMNS = ("check_status", "final_url", "check_detail", "quote_found", "quote_excerpt",
                 "page_published", "date_mismatch")
UNTRACKED = ("last_checked_at",)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def record_check(session: Session, source: Source, result: Mapping[str, Any], *,
                 actor_name: str = "linkcheck") -> Revision | None:
    """Set a source's check columns from `result` (columns of CHECK_COLUMNS and
    last_checked_at); returns the Revision written, or None when nothing but the time changed.
    Only flushes; the caller commits."""
    unknown = set(result) - set(CHECK_COLUMNS) - set(UNTRACKED)
    if unknown:
        raise ValueError(f"not a check column: {', '.join(sorted(unknown))}")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for column, value in result.items():
        old = getattr(source, column)
        if old == value:
            continue
        setattr(source, column, value)
        if column in CHECK_COLUMNS:
            before[column], after[column] = _plain(old), _plain(value)
    if not after:
        return None
    session.flush()
    return record_revision(session, source, "check", before, after,
                           comment=f"checked by {actor_name}")


def record_checks(session: Session, results: Iterable[tuple[int | None, str, Mapping[str, Any]]],
                  *, actor_name: str = "linkcheck") -> int:
    """Record many checks: (source id, or None for every source with that URL; URL; values).
    Returns how many sources changed (a Revision each)."""
    changed = 0
    for source_id, url, values in results:
        if source_id is not None:
            source = session.get(Source, source_id)
            sources = [source] if source is not None else []
        else:
            sources = list(session.scalars(select(Source).where(Source.url == url)))
        for source in sources:
            if record_check(session, source, values, actor_name=actor_name) is not None:
                changed += 1
    session.flush()
    return changed

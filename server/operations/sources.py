"""Writes on sources that are not edits: the link checker's results, archived copies.

Sources are not versioned on their own (they are edited with their claim); a check still leaves
a trail: one Revision (entity "source", action "check") for each source whose check changed,
holding only the changed columns before and after. `last_checked_at` alone changing (a rerun
that saw the same) is written but makes no Revision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Revision, Source
from ..records import SourceRecord, claim_record
from ..revisions import record_revision
from .common import Invalid, touch, write_revision

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


def set_archive_url(session: Session, url: str | None, archive_url: str, *,
                    source_ids: Iterable[int] | None = None, user: Any = None,
                    comment: str | None = None) -> list[Any]:
    """Set `archive_url` on the sources citing `url` (or those of `source_ids`) that have none.

    The archived copy is part of its claim's record, so each claim changed gets a new version
    and its own Revision (and, when published, the public snapshot shows the link). Returns
    the claims changed; only flushes.
    """
    if not archive_url.startswith("https://web.archive.org/"):
        raise Invalid({"archive_url": [_("An archived copy is a web.archive.org address.")]})
    try:
        SourceRecord().load({"archive_url": archive_url}, partial=True)
    except ValidationError as exc:
        raise Invalid(exc.messages) from exc
    sources = archive_sources(session, url, source_ids)
    claims: dict[int, tuple[Any, dict]] = {}
    for source in sources:
        claim = source.claim
        claims.setdefault(claim.id, (claim, claim_record(claim)))
        source.archive_url = archive_url
    for claim, before in claims.values():
        touch(claim, user, editor=False)
        session.flush()
        write_revision(session, claim, "update", before, user,
                       comment or "archived copy added",
                       public="published" in (before["status"], claim.status))
    session.flush()
    return [claim for claim, _before in claims.values()]



def archive_sources(session: Session, url: str | None,
                    source_ids: Iterable[int] | None = None) -> list[Source]:
    """The sources an archived copy of `url` is for (those of `source_ids` when given) that
    have none yet."""
    ids = [i for i in source_ids or [] if isinstance(i, int)]
    statement = select(Source).where(Source.id.in_(ids)) if ids else \
        select(Source).where(Source.url == url)
    return [s for s in session.scalars(statement.order_by(Source.id)) if not s.archive_url]

"""Writes of the workshop: collections. Validate, write, record the Revision and flush;
the view commits them through the one transaction boundary (operations.commit)."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Claim, Collection, Platform, claim_platforms, collection_platforms
from ..revisions import record_revision
from .i18n import N_
from .scope import CODE_ALPHABET, CODE_LENGTH, DEFAULT_NAME

NAME_MAX = 200
CODE_ATTEMPTS = 20


class CollectionError(ValueError):
    """The collection can't be made; `fields` maps each form field to its problem.

    A problem is (message, values), so the view can say it in the reader's language.
    """

    def __init__(self, fields: dict[str, tuple[str, dict]]):
        super().__init__("; ".join(message.format(**values) for message, values in fields.values()))
        self.fields = fields


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _published_platform_ids(session: Session, ids: list[int]) -> set[int]:
    return set(session.scalars(
        select(claim_platforms.c.platform_id).distinct()
        .join(Claim, Claim.id == claim_platforms.c.claim_id)
        .where(Claim.status == "published", claim_platforms.c.platform_id.in_(ids))
    ))


def create_collection(session: Session, name: str, slugs: list[str], *,
                      user_id: int | None = None) -> Collection:
    """Make a collection of the platforms `slugs` (in that order) with a fresh short code.

    Each platform must exist and have at least one published claim. Flushes; the caller commits.
    """
    name = " ".join((name or "").split())
    wanted = list(dict.fromkeys(s.strip() for s in slugs if s and s.strip()))
    problems: dict[str, tuple[str, dict]] = {}
    if len(name) > NAME_MAX:
        problems["name"] = (N_("The name is too long (at most {n} characters)."), {"n": NAME_MAX})
    platforms: dict[str, Platform] = {}
    if not wanted:
        problems["platforms"] = (N_("Tick at least one platform."), {})
    else:
        platforms = {p.slug: p for p in session.scalars(
            select(Platform).where(Platform.slug.in_(wanted)))}
        unknown = [s for s in wanted if s not in platforms]
        published = _published_platform_ids(session, [p.id for p in platforms.values()])
        unpublished = [s for s in wanted if s in platforms and platforms[s].id not in published]
        if unknown:
            problems["platforms"] = (N_("Unknown platform: {slugs}."),
                                 {"slugs": ", ".join(unknown)})
        elif unpublished:
            problems["platforms"] = (N_("No published claim yet for: {slugs}."),
                                     {"slugs": ", ".join(unpublished)})
    if problems:
        raise CollectionError(problems)

    for _ in range(CODE_ATTEMPTS):
        code = new_code()
        if session.scalar(select(Collection.id).where(Collection.code == code)) is None:
            break
    else:  # 31**6 codes: only reachable with a near-full table
        raise RuntimeError("Could not find a free collection code.")
    collection = Collection(code=code, name=name or DEFAULT_NAME,
                            platforms=[platforms[s] for s in wanted])
    session.add(collection)
    session.flush()
    # The association rows are written with position 0; set the order the educator chose.
    for position, slug in enumerate(wanted):
        session.execute(
            update(collection_platforms)
            .where(collection_platforms.c.collection_id == collection.id,
                   collection_platforms.c.platform_id == platforms[slug].id)
            .values(position=position))
    record_revision(session, collection, "create", None,
                    {"code": code, "name": collection.name, "platforms": wanted},
                    user_id=user_id)
    session.flush()
    return collection

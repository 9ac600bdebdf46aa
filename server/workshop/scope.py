"""What a workshop page shows: every published platform, or the platforms of one collection.

Everything published comes from the public snapshot (`index.current()`), never from the
database, so a draft or a claim under review can't reach a workshop page. Only the collection
itself (its code, name and platform slugs) is read from the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..index import Snapshot
from ..models import Collection
from .i18n import N_

# No 0/O, 1/I/L: a code read aloud or from a projector can't be mistyped between them.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
DEFAULT_NAME = N_("Workshop collection")  # stored when none is given; shown translated
CODE_PATTERN = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def normalise_code(text: str | None) -> str:
    """A code as typed ("abc-234 ") in its stored form ("ABC234")."""
    return re.sub(r"[\s\-_.]", "", text or "").upper()


@dataclass(frozen=True)
class CollectionInfo:
    code: str
    name: str
    slugs: tuple[str, ...]
    named: bool = True  # False when the educator gave no name (the default name is shown)


def find_collection(session: Session, code: str) -> CollectionInfo | None:
    if not CODE_PATTERN.match(code):
        return None
    collection = session.scalar(
        select(Collection).where(Collection.code == code)
        .options(selectinload(Collection.platforms))
    )
    if collection is None:
        return None
    return CollectionInfo(code=collection.code, name=collection.name,
                          slugs=tuple(p.slug for p in collection.platforms),
                          named=collection.name != DEFAULT_NAME)


@dataclass
class Scope:
    """The platforms and published claims one page works on, in a stable order."""

    snapshot: Snapshot
    collection: CollectionInfo | None = None
    slugs: list[str] = field(init=False)

    def __post_init__(self) -> None:
        published = self.snapshot.platforms
        if self.collection is not None:
            # A platform whose claims were all withdrawn since drops out of the collection.
            self.slugs = [s for s in self.collection.slugs if s in published]
        else:
            self.slugs = sorted(published, key=lambda s: (published[s]["name"].casefold(), s))
        chosen = set(self.slugs)
        self.claims = [c for c in self.snapshot.export["claims"]
                       if chosen.intersection(c["platforms"])]

    @property
    def code(self) -> str | None:
        return self.collection.code if self.collection else None

    @property
    def platforms(self) -> list[dict[str, Any]]:
        return [self.snapshot.platforms[s] for s in self.slugs]

    def platform(self, slug: str) -> dict[str, Any]:
        return self.snapshot.platforms[slug]

    def claims_of(self, slug: str) -> list[dict[str, Any]]:
        return self.snapshot.claims_by_platform.get(slug, [])

    def platforms_of(self, claim: dict[str, Any]) -> list[dict[str, Any]]:
        """The claim's platforms that are in this scope."""
        return [self.snapshot.platforms[s] for s in claim["platforms"] if s in self.slugs]

    def vendor(self, slug: str | None) -> dict[str, Any] | None:
        return self.snapshot.vendors.get(slug) if slug else None

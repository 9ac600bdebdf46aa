"""The tables. Every editable model carries a `version` used for optimistic locking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    event,
    inspect,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from . import text
from .db import Base

KINDS = ("moderation", "labelling", "engagement", "microwork")
EVIDENCE = (
    "company_statement",
    "official_record",
    "investigative_journalism",
    "academic_study",
    "allegation",
)
STATUSES = ("draft", "pending", "published", "changes_requested", "rejected", "retracted")
PAY_PERIODS = ("hour", "day", "week", "month", "year")
ROLES = ("contributor", "curator", "admin")
CHECK_STATUSES = ("ok", "broken", "moved")
PROPOSAL_STATUSES = ("new", "accepted", "dismissed")
REVISION_ACTIONS = ("create", "update", "status", "revert", "delete", "check", "publish")
WORKERS_BASES = ("employed", "contracted", "registered", "active", "estimated")
PAY_QUALIFIERS = ("exact", "about", "up_to", "as_little_as", "at_least")
DOMAIN_SCOPES = ("subdomains", "exact")
ACTION_KINDS = ("worker_organisation", "rating", "complaint", "research")
PENDING_STATUSES = ("pending", "changes_requested", "published", "rejected", "withdrawn")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _versioned() -> dict[str, Any]:
    # Version numbers are bumped by the operations layer; the mapper adds
    # "WHERE version = :old" to every UPDATE so a concurrent write fails loudly.
    return {"version_id_generator": False}


claim_platforms = Table(
    "claim_platforms",
    Base.metadata,
    Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("platform_id", ForeignKey("platforms.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

claim_vendors = Table(
    "claim_vendors",
    Base.metadata,
    Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("vendor_id", ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

collection_platforms = Table(
    "collection_platforms",
    Base.metadata,
    Column("collection_id", ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("platform_id", ForeignKey("platforms.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="contributor")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Part of every session's identity: changing it (logout, password change) ends them all.
    session_token: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)
    __mapper_args__ = {"version_id_col": version, **_versioned()}

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class Platform(Base):
    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), default="")
    hq_country: Mapped[str | None] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(Text, default="")
    # Curated with the platform and reviewed with it: lists of records as in the dataset files.
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    moderators: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    domains: Mapped[list[Domain]] = relationship(
        back_populates="platform", cascade="all, delete-orphan",
        order_by="(Domain.host, Domain.path)",
    )
    claims: Mapped[list[Claim]] = relationship(
        secondary=claim_platforms, back_populates="platforms", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version, **_versioned()}


class Domain(Base):
    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(253))
    # "subdomains": the host and every subdomain; "exact": that host only.
    scope: Mapped[str] = mapped_column(String(12), default="subdomains")
    # A URL path prefix ("/search"), or "" for the whole host.
    path: Mapped[str] = mapped_column(String(200), default="")
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))

    platform: Mapped[Platform] = relationship(back_populates="domains")

    __table_args__ = (
        UniqueConstraint("host", "path"),
        CheckConstraint(f"scope IN {DOMAIN_SCOPES!r}", name="scope"),
    )


class Vendor(Base):
    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    hq_country: Mapped[str | None] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    wikidata: Mapped[str | None] = mapped_column(String(20))
    opencorporates: Mapped[str | None] = mapped_column(String(80))
    # Curated with the vendor: lists of records as in vendors.json.
    sites: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    claims: Mapped[list[Claim]] = relationship(
        secondary=claim_vendors, back_populates="vendors", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version, **_versioned()}


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    workers: Mapped[int | None] = mapped_column(Integer)
    workers_basis: Mapped[str | None] = mapped_column(String(12))
    pay_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    pay_currency: Mapped[str | None] = mapped_column(String(3))
    pay_per: Mapped[str | None] = mapped_column(String(10))
    pay_qualifier: Mapped[str | None] = mapped_column(String(14))
    # What the companies said in reply, as reported: records as in the dataset files.
    responses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    observed_start: Mapped[str | None] = mapped_column(String(10))
    observed_end: Mapped[str | None] = mapped_column(String(10))
    evidence: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    status_comment: Mapped[str | None] = mapped_column(Text)
    last_verified: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    vendors: Mapped[list[Vendor]] = relationship(
        secondary=claim_vendors, back_populates="claims", order_by=claim_vendors.c.position
    )
    platforms: Mapped[list[Platform]] = relationship(
        secondary=claim_platforms, back_populates="claims", order_by=claim_platforms.c.position
    )
    translations: Mapped[list[ClaimTranslation]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimTranslation.language"
    )
    sources: Mapped[list[Source]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Source.position"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS!r}", name="kind"),
        CheckConstraint(f"evidence IN {EVIDENCE!r}", name="evidence"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(f"workers_basis IS NULL OR workers_basis IN {WORKERS_BASES!r}",
                        name="workers_basis"),
        CheckConstraint(f"pay_qualifier IS NULL OR pay_qualifier IN {PAY_QUALIFIERS!r}",
                        name="pay_qualifier"),
    )
    __mapper_args__ = {"version_id_col": version, **_versioned()}

    @property
    def vendor(self) -> Vendor | None:
        """The first named vendor (the one the claim is mostly about), if any."""
        return self.vendors[0] if self.vendors else None

    def translation(self, language: str) -> str | None:
        for item in self.translations:
            if item.language == language:
                return item.summary
        return None


class ClaimTranslation(Base):
    __tablename__ = "claim_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)

    claim: Mapped[Claim] = relationship(back_populates="translations")

    __table_args__ = (UniqueConstraint("claim_id", "language"),)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str] = mapped_column(String(200))
    published: Mapped[str | None] = mapped_column(String(10))
    quote: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    is_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    last_checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    check_status: Mapped[str | None] = mapped_column(String(10))
    final_url: Mapped[str | None] = mapped_column(String(2000))
    check_detail: Mapped[str | None] = mapped_column(Text)
    archive_url: Mapped[str | None] = mapped_column(String(2000))
    # None: not checked, or the page could not tell (paywall, PDF, robots, fetch error).
    quote_found: Mapped[bool | None] = mapped_column(Boolean)
    quote_excerpt: Mapped[str | None] = mapped_column(Text)
    page_published: Mapped[str | None] = mapped_column(String(10))
    date_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)

    claim: Mapped[Claim] = relationship(back_populates="sources")


class Revision(Base):
    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            f"action IN {REVISION_ACTIONS!r}", name="action"
        ),
    )


class Proposal(Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    platform_slug: Mapped[str | None] = mapped_column(String(80))
    host: Mapped[str | None] = mapped_column(String(253))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    handled_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint(f"status IN {PROPOSAL_STATUSES!r}", name="status"),)
    __mapper_args__ = {"version_id_col": version, **_versioned()}


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    platforms: Mapped[list[Platform]] = relationship(
        secondary=collection_platforms, order_by=collection_platforms.c.position
    )


class PendingChange(Base):
    """An edit of a published entity waiting for review; the live version stays as it is.

    `record` is the whole proposed record (the same form as the dataset files); publishing
    applies it to the entity, rejecting leaves the entity untouched.
    """

    __tablename__ = "pending_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    # The entity's version the change was made against: a stale base is a conflict on publish.
    base_version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20), default="update")
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    review_comment: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    __table_args__ = (CheckConstraint(f"status IN {PENDING_STATUSES!r}", name="status"),)
    __mapper_args__ = {"version_id_col": version, **_versioned()}


class Publication(Base):
    """One row per change to the public record, in order.

    App hosts sharing a database compare the newest id with their snapshot's to learn of a
    publish, and patch their snapshot with the entities named since.
    """

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_key: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


@event.listens_for(Session, "before_flush")
def _refuse_unsafe_text(session: Session, _context, _instances) -> None:
    # The last net under every input check: nothing with a NUL or a lone surrogate is stored.
    for obj in list(session.new) + list(session.dirty):
        text.check_entity(obj)


# The order of a claim's platforms (the first is where the claim is filed) and vendors matters,
# but a plain many-to-many relationship does not write it: store each list's order after every
# flush.
@event.listens_for(Session, "before_flush")
def _remember_platform_order(session: Session, _context, _instances) -> None:
    pending = session.info.setdefault("claim_platform_order", {})
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Claim) and (inspect(obj).attrs.platforms.history.has_changes()
                                       or inspect(obj).attrs.vendors.history.has_changes()):
            pending[id(obj)] = obj


@event.listens_for(Session, "after_flush")
def _write_platform_order(session: Session, _context) -> None:
    pending = session.info.pop("claim_platform_order", {})
    if not pending:
        return
    platform_rows = [{"c": claim.id, "o": platform.id, "p": position}
                     for claim in pending.values()
                     for position, platform in enumerate(claim.platforms)]
    vendor_rows = [{"c": claim.id, "o": vendor.id, "p": position}
                   for claim in pending.values() for position, vendor in enumerate(claim.vendors)]
    # One statement each, run for every row (executemany), however many claims were flushed.
    for table, other, rows in ((claim_platforms, claim_platforms.c.platform_id, platform_rows),
                               (claim_vendors, claim_vendors.c.vendor_id, vendor_rows)):
        if rows:
            session.connection().execute(
                update(table)
                .where(table.c.claim_id == bindparam("c"), other == bindparam("o"))
                .values(position=bindparam("p")),
                rows,
            )

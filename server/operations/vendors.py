"""Vendors: the companies the work is outsourced to; edited with the platform-like editor."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import PendingChange, User, Vendor
from ..records import VendorRecord
from .common import Invalid, load_record
from .platforms import Kind, create, update


def validate_vendor(session: Session, raw: dict[str, Any], vendor: Vendor | None) -> dict:
    record = load_record(VendorRecord(), raw)
    other = session.scalar(select(Vendor.id).where(Vendor.slug == record["slug"]))
    if other is not None and (vendor is None or other != vendor.id):
        raise Invalid({"slug": [_("Another vendor already has the slug %(slug)s.",
                                  slug=record["slug"])]})
    return record


def apply_vendor(vendor: Vendor, record: dict[str, Any]) -> None:
    for name in ("slug", "name", "hq_country", "website", "description", "wikidata",
                 "opencorporates"):
        setattr(vendor, name, record.get(name))
    vendor.sites = list(record.get("sites") or [])
    vendor.actions = list(record.get("actions") or [])


VENDOR = Kind(Vendor, validate_vendor, apply_vendor)


def create_vendor(session: Session, raw: dict[str, Any], *, user: User,
                  comment: str | None = None) -> Vendor:
    """A new vendor."""
    return create(session, VENDOR, raw, user=user, comment=comment)


def update_vendor(session: Session, vendor: Vendor, raw: dict[str, Any], *, user: User,
                  expected_version: Any, comment: str | None = None) -> bool | PendingChange:
    """Save an edit of a vendor; waits for review when a published claim names it."""
    return update(session, VENDOR, vendor, raw, user=user, expected_version=expected_version,
                  comment=comment)

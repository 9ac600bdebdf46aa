"""Dataset import: the files' records written to the database (seed, the `import` command,
the admin page), each created or changed entry with its Revision.

Only flushes: the command or request commits, so an import is all or nothing, and a preview is
the same import rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..dataset import Dataset
from ..models import Claim, Platform, User, Vendor, utcnow
from ..records import claim_record, plain, platform_record, vendor_record
from ..revisions import record_revision
from .claims import apply_claim_record
from .common import mark_public, require
from .platforms import apply_domain_rules

IMPORT_BATCH = 500


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, "
                f"{self.unchanged} unchanged")


def import_dataset(
    session: Session, dataset: Dataset, *, user_id: int | None = None, comment: str = "import",
    dry_run: bool = False, progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update every vendor, platform and claim of `dataset`, with a Revision each.

    Only flushes: the caller commits (or rolls back after a dry run), so an import is all or
    nothing. `progress(n)` is called as claims are done.
    """
    report = ImportReport()
    now = utcnow()
    vendors = {v.slug: v for v in session.scalars(select(Vendor))}
    for record in dataset.vendors:
        record = plain(record)
        vendor = vendors.get(record["slug"])
        before = vendor_record(vendor) if vendor else None
        if before == record:
            report.unchanged += 1
            continue
        if vendor is None:
            vendor = Vendor(version=1, created_at=now)
            session.add(vendor)
            vendors[record["slug"]] = vendor
        else:
            vendor.version += 1
        _apply_simple(vendor, record, ("slug", "name", "hq_country", "website", "description",
                                       "wikidata", "opencorporates", "sites", "actions"))
        vendor.updated_at = now
        session.flush()
        _note(report, "vendor", record["slug"], before)
        record_revision(session, vendor, "create" if before is None else "update", before, record,
                        user_id=user_id, comment=comment)

    platforms = {
        p.slug: p for p in session.scalars(select(Platform).options(selectinload(Platform.domains)))
    }
    for record in dataset.platforms:
        record = plain({k: v for k, v in record.items() if k != "claims"})
        platform = platforms.get(record["slug"])
        before = platform_record(platform) if platform else None
        if before == record:
            report.unchanged += 1
            continue
        if platform is None:
            platform = Platform(version=1, created_at=now)
            session.add(platform)
            platforms[record["slug"]] = platform
        else:
            platform.version += 1
        _apply_simple(platform, record, ("slug", "name", "owner", "hq_country", "description",
                                         "actions", "moderators"))
        platform.domains = apply_domain_rules(platform.domains, record["domains"])
        platform.updated_at = now
        session.flush()
        _note(report, "platform", record["slug"], before)
        record_revision(session, platform, "create" if before is None else "update", before,
                        record, user_id=user_id, comment=comment)

    claims = {
        c.key: c for c in session.scalars(select(Claim).options(
            selectinload(Claim.platforms), selectinload(Claim.sources),
            selectinload(Claim.translations), selectinload(Claim.vendors)))
    }
    # Claims are written in batches: one flush gives a batch its ids, then their revisions follow
    # (thousands of records a second instead of one flush and a few look-ups per claim).
    batch: list[tuple[Claim, dict | None, dict]] = []
    with session.no_autoflush:
        for number, record in enumerate(dataset.claims, start=1):
            record = plain(record)
            claim = claims.get(record["id"])
            before = claim_record(claim) if claim else None
            if before == record:
                report.unchanged += 1
            else:
                if claim is None:
                    claim = Claim(version=1, created_at=now, created_by_id=user_id)
                    session.add(claim)
                else:
                    claim.version += 1
                apply_claim_record(session, claim, record, platforms=platforms, vendors=vendors)
                claim.updated_at = now
                claim.updated_by_id = user_id
                batch.append((claim, before, record))
            if len(batch) >= IMPORT_BATCH or number == len(dataset.claims):
                _write_claims(session, batch, report, user_id, comment)
            if progress:
                progress(1)
    _write_claims(session, batch, report, user_id, comment)
    if report.changed:
        mark_public(session)
    return report


def _write_claims(session: Session, batch: list, report: ImportReport, user_id: int | None,
                  comment: str) -> None:
    if not batch:
        return
    session.flush()
    for claim, before, record in batch:
        _note(report, "claim", record["id"], before)
        record_revision(session, claim, "create" if before is None else "update", before, record,
                        user_id=user_id, comment=comment)
    batch.clear()


def _note(report: ImportReport, entity: str, name: str, before: dict | None) -> None:
    (report.created if before is None else report.updated).append(f"{entity} {name}")


def import_files(session: Session, dataset: Dataset, *, user: User, comment: str,
                 dry_run: bool = False) -> ImportReport:
    """An admin's import of validated files (see `import_dataset`)."""
    require(user, "admin")
    return import_dataset(session, dataset, user_id=user.id, comment=comment, dry_run=dry_run)


def _apply_simple(obj: Any, record: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        setattr(obj, name, record[name])

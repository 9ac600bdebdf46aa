"""Dataset import: the files' records written to the database (seed, the `import` command,
the admin page), each created or changed entry with its Revision.

Only flushes: the command or request commits, so an import is all or nothing, and a preview is
the same import rolled back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from ..dataset import Dataset
from ..models import (
    Claim,
    ClaimTranslation,
    Platform,
    Publication,
    Revision,
    Source,
    User,
    Vendor,
    claim_platforms,
    claim_vendors,
    utcnow,
)
from ..records import claim_record, plain, platform_record, vendor_record
from ..revisions import record_revision
from ..text import UnsafeText, is_unsafe, unsafe_fields
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
        return _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged",
                 created=len(self.created), updated=len(self.updated), unchanged=self.unchanged)


VENDOR_FIELDS = ("slug", "name", "hq_country", "website", "description", "wikidata",
                 "opencorporates", "sites", "actions")
PLATFORM_FIELDS = ("slug", "name", "owner", "hq_country", "description", "actions", "moderators")


def _upsert(session: Session, known: dict[str, Any], record: dict, model: type,
            record_of: Callable[[Any], dict], fields: tuple[str, ...], now: Any,
            report: ImportReport, written: list, *,
            then: Callable[[Any, dict, dict | None], None] | None = None) -> None:
    """Create or update the vendor or platform named by `record["slug"]` (one version up), or
    count it unchanged; what changed goes to `written` for its Revision."""
    entity = known.get(record["slug"])
    before = record_of(entity) if entity else None
    if before == record:
        report.unchanged += 1
        return
    if entity is None:
        entity = model(version=1, created_at=now)
        session.add(entity)
        known[record["slug"]] = entity
    else:
        entity.version += 1
    _apply_simple(entity, record, fields)
    entity.updated_at = now
    if then is not None:
        then(entity, record, before)
    written.append((entity, before, record))


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
    # Vendors, then platforms: one flush gives them their ids, then their revisions follow.
    vendors = {v.slug: v for v in session.scalars(select(Vendor))}
    written: list[tuple[Any, dict | None, dict]] = []
    for record in dataset.vendors:
        _upsert(session, vendors, plain(record), Vendor, vendor_record, VENDOR_FIELDS, now,
                report, written)
    _write_entities(session, written, "vendor", report, user_id, comment)

    platforms = {
        p.slug: p for p in session.scalars(select(Platform).options(selectinload(Platform.domains)))
    }

    def set_domains(platform: Platform, record: dict, before: dict | None) -> None:
        platform.domains = apply_domain_rules(platform.domains, record["domains"])
        if before is not None:
            # A changed platform's domains are written before the next platform's (a domain
            # moving between two platforms in one import).
            session.flush()

    for record in dataset.platforms:
        _upsert(session, platforms, plain({k: v for k, v in record.items() if k != "claims"}),
                Platform, platform_record, PLATFORM_FIELDS, now, report, written,
                then=set_domains)
    _write_entities(session, written, "platform", report, user_id, comment)

    claims = {
        c.key: c for c in session.scalars(select(Claim).options(
            selectinload(Claim.platforms), selectinload(Claim.sources),
            selectinload(Claim.translations), selectinload(Claim.vendors)))
    }
    # Claims already stored are changed through the ORM (their sources keep their link-check
    # state), in batches: one flush gives a batch its ids, then their revisions follow. New
    # claims, the bulk of a first import, are written with one multi-row INSERT per table and
    # batch (thousands of records a second instead of hundreds).
    batch: list[tuple[Claim, dict | None, dict]] = []
    fresh: list[dict] = []
    records = dataset.claims
    with session.no_autoflush:
        for record in records:
            record = plain(record)
            claim = claims.get(record["id"])
            if claim is None:
                fresh.append(record)
                if len(fresh) >= IMPORT_BATCH:
                    _insert_claims(session, fresh, platforms, vendors, report, user_id,
                                   comment, now)
                    if progress:
                        progress(len(fresh))
                    fresh.clear()
                continue
            before = claim_record(claim)
            if before == record:
                report.unchanged += 1
            else:
                claim.version += 1
                apply_claim_record(session, claim, record, platforms=platforms, vendors=vendors)
                claim.updated_at = now
                claim.updated_by_id = user_id
                batch.append((claim, before, record))
            if len(batch) >= IMPORT_BATCH:
                _write_claims(session, batch, report, user_id, comment)
            if progress:
                progress(1)
    _write_claims(session, batch, report, user_id, comment)
    if fresh:
        _insert_claims(session, fresh, platforms, vendors, report, user_id, comment, now)
        if progress:
            progress(len(fresh))
    if report.changed:
        mark_public(session)
    return report


def _write_entities(session: Session, written: list, entity: str, report: ImportReport,
                    user_id: int | None, comment: str, *, key: str = "slug") -> None:
    """Flush what `written` holds, then note each entry and record its Revision; empties it."""
    if not written:
        return
    session.flush()
    for obj, before, record in written:
        _note(report, entity, record[key], before)
        record_revision(session, obj, "create" if before is None else "update", before, record,
                        user_id=user_id, comment=comment)
    written.clear()


def _write_claims(session: Session, batch: list, report: ImportReport, user_id: int | None,
                  comment: str) -> None:
    _write_entities(session, batch, "claim", report, user_id, comment, key="id")


def _claim_row(record: dict[str, Any], user_id: int | None, now: dt.datetime) -> dict[str, Any]:
    """The claims table's columns for a new claim's record (as apply_claim_record sets them)."""
    pay = record.get("pay")
    observed = record.get("observed")
    last_verified = record.get("last_verified")
    return {
        "key": record["id"], "kind": record["kind"], "summary": record["summary"],
        "evidence": record["evidence"], "status": record["status"], "status_comment": None,
        "workers": record.get("workers"), "workers_basis": record.get("workers_basis"),
        "responses": list(record.get("responses") or []),
        "locations": [{"country": loc["country"], **({"city": loc["city"]} if loc.get("city")
                                                      else {})}
                      for loc in record.get("locations") or []],
        "pay_amount": Decimal(str(pay["amount"])) if pay else None,
        "pay_currency": pay["currency"] if pay else None,
        "pay_per": pay["per"] if pay else None,
        "pay_qualifier": pay["qualifier"] if pay else None,
        "observed_start": observed["start"] if observed else None,
        "observed_end": observed.get("end") if observed else None,
        "last_verified": (dt.date.fromisoformat(last_verified)
                          if isinstance(last_verified, str) else last_verified),
        "version": 1, "created_by_id": user_id, "updated_by_id": user_id,
        "created_at": now, "updated_at": now,
    }


def _insert_claims(session: Session, records: list[dict], platforms: dict[str, Platform],
                   vendors: dict[str, Vendor], report: ImportReport, user_id: int | None,
                   comment: str, now: dt.datetime) -> None:
    """Write new claims with their platforms, vendors, translations, sources, one Revision
    each and the Publication rows of the published ones: one INSERT per table (executemany)."""
    for record in records:
        # One search of the record's JSON text (a NUL is escaped there); the walk naming the
        # field runs only when it finds something.
        text = json.dumps(record, ensure_ascii=False)
        if ("\\u0000" in text or is_unsafe(text)) and (bad := unsafe_fields(record)):
            raise UnsafeText(f"claim {record['id']}: {bad[0]}")
    session.flush()  # the platforms and vendors have their ids
    session.execute(insert(Claim.__table__), [_claim_row(r, user_id, now) for r in records])
    keys = [r["id"] for r in records]
    ids = dict(session.execute(select(Claim.key, Claim.id).where(Claim.key.in_(keys))).all())
    links: list[tuple[Any, list[dict]]] = [
        (claim_platforms, [{"claim_id": ids[r["id"]], "platform_id": platforms[slug].id,
                            "position": n} for r in records
                           for n, slug in enumerate(r["platforms"])]),
        (claim_vendors, [{"claim_id": ids[r["id"]], "vendor_id": vendors[slug].id,
                          "position": n} for r in records
                         for n, slug in enumerate(r.get("vendors") or [])]),
        (ClaimTranslation.__table__, [
            {"claim_id": ids[r["id"]], "language": language, "summary": text}
            for r in records for language, text in sorted((r.get("translations") or {}).items())]),
        (Source.__table__, [
            {"claim_id": ids[r["id"]], "position": n, **_source_row(item)}
            for r in records for n, item in enumerate(r.get("sources") or [])]),
        (Revision.__table__, [
            {"entity_type": "claim", "entity_id": ids[r["id"]], "version": 1,
             "user_id": user_id, "action": "create", "before": None, "after": r,
             "comment": comment, "created_at": now} for r in records]),
        (Publication.__table__, [
            {"entity_type": "claim", "entity_key": r["id"], "action": "create",
             "created_at": now} for r in records if r.get("status") == "published"]),
    ]
    for table, rows in links:
        if rows:
            session.execute(insert(table), rows)
    report.created.extend(f"claim {key}" for key in keys)


def _source_row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": item["url"], "title": item["title"], "publisher": item["publisher"],
        "published": item.get("published"), "quote": item["quote"],
        "language": item.get("language", "en"), "is_copy": item.get("is_copy", False),
        "archive_url": item.get("archive_url"), "date_mismatch": False,
    }


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

"""Read, validate and write the dataset files; see docs/formats.md.

The records themselves (schemas and the record form of an entity) live in server/records.py;
the database writes of an import in server/operations/imports.py. This module knows files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import domains, text
from .models import Claim, Platform, Vendor
from .records import (
    PlatformRecord,
    VendorRecord,
    domain_sort_key,
    platform_record,
    vendor_record,
)

DATASET_DIR = Path(__file__).parent / "data" / "dataset"
VENDORS_FILE = "vendors.json"
MAX_FILE_BYTES = 20 * 1024 * 1024


class DatasetError(ValueError):
    """The dataset files are not valid; `errors` lists each as 'file: entry: field: message',
    in the reader's language (English outside a request: the command line)."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def dumps(data: Any) -> str:
    """The canonical text of a dataset file."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- reading and validating ----------------------------------------------------------------------


@dataclass
class Dataset:
    vendors: list[dict[str, Any]] = field(default_factory=list)
    platforms: list[dict[str, Any]] = field(default_factory=list)

    @property
    def claims(self) -> list[dict[str, Any]]:
        return [claim for platform in self.platforms for claim in platform["claims"]]


def _labelled(label: str, message: str) -> str:
    """'label: message' (a file, an entry or a field, and what is wrong with it)."""
    return _("%(label)s: %(message)s", label=label, message=message)


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            out += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [_labelled(prefix, " ".join(messages))]
    return [_labelled(prefix, str(messages))]


def _entry(filename: str, label: str, name: str) -> str:
    """'file: vendor name' or 'file: claim id'."""
    if label == "vendor":
        return _("%(file)s: vendor %(name)s", file=filename, name=name)
    return _("%(file)s: claim %(name)s", file=filename, name=name)


def _entry_errors(filename: str, records: list[dict], messages: dict, label: str) -> list[str]:
    """Name the file, the entry (by its slug or id) and the field of each error."""
    errors = []
    for index, fields_messages in messages.items():
        if not isinstance(index, int):
            errors += [_labelled(filename, line) for line in _flatten({index: fields_messages})]
            continue
        entry = records[index] if index < len(records) and isinstance(records[index], dict) else {}
        name = entry.get("slug") or entry.get("id") or f"#{index + 1}"
        where = _entry(filename, label, name)
        errors += [_labelled(where, line) for line in _flatten(fields_messages)]
    return errors


def _read_json(path: Path, errors: list[str]) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.append(_("%(file)s: larger than %(size)s MB", file=path.name,
                            size=MAX_FILE_BYTES // (1024 * 1024)))
            return None
        return text.loads_json(path.read_bytes())
    except OSError as exc:
        errors.append(_("%(file)s: cannot be read: %(reason)s", file=path.name, reason=exc))
    except json.JSONDecodeError as exc:
        errors.append(_("%(file)s: not valid JSON: line %(line)s column %(column)s: %(reason)s",
                        file=path.name, line=exc.lineno, column=exc.colno,
                        reason=text.json_reason(exc.msg)))
    return None


def load_dataset(directory: Path | str = DATASET_DIR) -> Dataset:
    """Read and validate every file of a dataset folder; raise DatasetError listing all problems."""
    directory = Path(directory)
    errors: list[str] = []
    if not directory.is_dir():
        raise DatasetError([_("%(folder)s: not a folder", folder=directory)])
    dataset = Dataset()
    vendors_path = directory / VENDORS_FILE
    if vendors_path.exists():
        raw = _read_json(vendors_path, errors)
        if raw is not None:
            if not isinstance(raw, list):
                errors.append(_("%(file)s: must be a list of vendors", file=VENDORS_FILE))
            else:
                try:
                    dataset.vendors = VendorRecord(many=True).load(raw)
                except ValidationError as exc:
                    errors += _entry_errors(VENDORS_FILE, raw, exc.messages, "vendor")
    for path in sorted(directory.glob("*.json")):
        if path.name == VENDORS_FILE:
            continue
        raw = _read_json(path, errors)
        if raw is None:
            continue
        try:
            record = PlatformRecord().load(raw)
        except ValidationError as exc:
            claims = raw.get("claims") if isinstance(raw, dict) else None
            for key, value in exc.messages.items():
                if key == "claims" and isinstance(value, dict) and isinstance(claims, list):
                    errors += _entry_errors(path.name, claims, value, "claim")
                else:
                    errors += [_labelled(path.name, line) for line in _flatten({key: value})]
            continue
        if record["slug"] != path.stem:
            errors.append(_("%(file)s: slug: %(slug)s must match the file name",
                            file=path.name, slug=repr(record["slug"])))
        dataset.platforms.append(record)
    errors += _cross_checks(dataset)
    if errors:
        raise DatasetError(errors)
    return dataset


def _cross_checks(dataset: Dataset) -> list[str]:
    errors: list[str] = []
    vendor_slugs = [v["slug"] for v in dataset.vendors]
    errors += [_("%(file)s: vendor %(name)s: slug listed twice", file=VENDORS_FILE, name=s)
               for s in {s for s in vendor_slugs if vendor_slugs.count(s) > 1}]
    platform_slugs = {p["slug"] for p in dataset.platforms}
    hosts: dict[str, str] = {}
    claim_ids: set[str] = set()
    for platform in dataset.platforms:
        filename = f"{platform['slug']}.json"
        for rule in platform["domains"]:
            host = rule if isinstance(rule, str) else rule["host"]
            path = "" if isinstance(rule, str) else rule.get("path", "")
            try:
                listed = domains.check_listable(host)
            except ValueError as exc:
                errors.append(_("%(file)s: domains: %(host)s: %(problem)s", file=filename,
                                host=host, problem=exc))
                continue
            if listed != host:
                errors.append(_("%(file)s: domains: %(host)s: write it as %(listed)s",
                                file=filename, host=host, listed=listed))
            if (listed, path) in hosts:
                errors.append(_("%(file)s: domains: %(rule)s: already listed for %(platform)s",
                                file=filename, rule=f"{host}{path}",
                                platform=hosts[listed, path]))
            hosts[listed, path] = platform["slug"]
        if platform["domains"] != sorted(platform["domains"], key=domain_sort_key):
            errors.append(_("%(file)s: domains: keep the list sorted by host, then path",
                            file=filename))
        for claim in platform["claims"]:
            where = _entry(filename, "claim", claim["id"])
            if claim["id"] in claim_ids:
                errors.append(_("%(entry)s: id: listed twice", entry=where))
            claim_ids.add(claim["id"])
            if claim["platforms"][0] != platform["slug"]:
                errors.append(_("%(entry)s: platforms: the first platform must be %(slug)s",
                                entry=where, slug=platform["slug"]))
            for slug in claim["platforms"]:
                if slug not in platform_slugs:
                    errors.append(_("%(entry)s: platforms: unknown platform %(slug)s",
                                    entry=where, slug=repr(slug)))
            for slug in claim["vendors"]:
                if slug not in vendor_slugs:
                    errors.append(_("%(entry)s: vendors: unknown vendor %(slug)s",
                                    entry=where, slug=repr(slug)))
    return errors

# --- export --------------------------------------------------------------------------------------


def collect(session: Session, *, published_only: bool = True) -> Dataset:
    """The database as a Dataset in file form, claims under their first platform."""
    claims = session.scalars(
        select(Claim)
        .options(selectinload(Claim.platforms), selectinload(Claim.sources),
                 selectinload(Claim.translations), selectinload(Claim.vendors))
        .order_by(Claim.id)
    ).all()
    by_platform: dict[int, list[Claim]] = {}
    for claim in claims:
        if published_only and claim.status != "published":
            continue
        if claim.platforms:
            by_platform.setdefault(claim.platforms[0].id, []).append(claim)
    platforms = session.scalars(
        select(Platform).options(selectinload(Platform.domains)).order_by(Platform.slug)
    ).all()
    return Dataset(
        vendors=[vendor_record(v) for v in session.scalars(select(Vendor).order_by(Vendor.slug))],
        platforms=[platform_record(p, by_platform.get(p.id, [])) for p in platforms],
    )


def write_dataset(dataset: Dataset, directory: Path | str) -> list[Path]:
    """Write a Dataset as files; returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / VENDORS_FILE]
    written[0].write_text(dumps(dataset.vendors), encoding="utf-8")
    for platform in dataset.platforms:
        path = directory / f"{platform['slug']}.json"
        path.write_text(dumps(platform), encoding="utf-8")
        written.append(path)
    return written

"""The public snapshot: everything the public API serves, built on publish and held in memory.

Built from the database only when something is published (or at first start). It is written to
the public folder as `export.json` (the whole published dataset) plus the extension index under a
stable name and a content-hashed name, so nginx or a CDN can serve it. Every worker holds the same
bytes in memory and reloads them when another worker's publish rewrites `export.json`; requests
never query the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import changes as change_feed
from . import domains
from .dataset import claim_record, platform_record, vendor_record
from .models import KINDS, Claim, Platform

LICENCE = {
    "name": "CC BY-SA 4.0",
    "url": "https://creativecommons.org/licenses/by-sa/4.0/",
    "attribution": "Behind the Feed contributors",
}
LANGUAGES = ("en", "fr")
RELOAD_CHECK_SECONDS = 1.0


def _iso(moment: dt.datetime | None) -> str:
    moment = moment or dt.datetime(2000, 1, 1)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _compact(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_export(session: Session) -> dict[str, Any]:
    """The published dataset, as `/api/v1/export.json` gives it."""
    claims = session.scalars(
        select(Claim)
        .where(Claim.status == "published")
        .options(selectinload(Claim.platforms), selectinload(Claim.sources),
                 selectinload(Claim.translations), selectinload(Claim.vendors))
        .order_by(Claim.id)
    ).all()
    platform_ids = {p.id for c in claims for p in c.platforms}
    platforms = session.scalars(
        select(Platform).where(Platform.id.in_(platform_ids))
        .options(selectinload(Platform.domains)).order_by(Platform.slug)
    ).all()
    vendors = sorted({v.id: v for c in claims for v in c.vendors}.values(), key=lambda v: v.slug)
    # The data's date is the latest verification of what is published: it follows from the
    # content alone, so every worker, and a restored backup, builds the same bytes.
    verified = [c.last_verified for c in claims if c.last_verified]
    exported_claims = []
    for claim in claims:
        record = claim_record(claim)
        record.pop("status")
        exported_claims.append(record)
    return {
        "licence": LICENCE,
        "generated_at": _iso(dt.datetime.combine(max(verified), dt.time()) if verified else None),
        "platforms": [platform_record(p) for p in platforms],
        "vendors": [vendor_record(v) for v in vendors],
        "claims": exported_claims,
    }


def _rule(entry: str | dict[str, str], slug: str) -> domains.Rule:
    """A rule of a platform's exported `domains` (checked when it was saved)."""
    if isinstance(entry, str):
        return domains.Rule(entry, slug)
    return domains.Rule(entry["host"], slug, entry.get("scope", domains.SUBDOMAINS),
                        entry.get("path", ""))


def action_view(action: dict[str, Any], language: str) -> dict[str, Any]:
    """An action (what you can do) with its description in `language`, else English."""
    return {
        "kind": action["kind"], "name": action["name"], "url": action["url"],
        "description": action["translations"].get(language, action["description"]),
        "language": language if language in action["translations"] else "en",
        "source": action["source"],
    }


def _links(claims: list[dict[str, Any]], field: str) -> dict[str, dict[str, Any]]:
    """The platforms or vendors named by `claims`: for each, its claims' ids, their count and the
    distinct observed periods ([start, end], end null while ongoing), most claims first."""
    found: dict[str, dict[str, Any]] = {}
    for claim in claims:
        for slug in dict.fromkeys(claim[field]):
            link = found.setdefault(slug, {"periods": set(), "claim_ids": []})
            link["claim_ids"].append(claim["id"])
            if claim["observed"]:
                link["periods"].add((claim["observed"]["start"], claim["observed"]["end"] or ""))
    ordered = sorted(found.items(), key=lambda item: (-len(item[1]["claim_ids"]), item[0]))
    return {
        slug: {"periods": [[start, end or None] for start, end in sorted(link["periods"])],
               "total": len(link["claim_ids"]), "claim_ids": link["claim_ids"]}
        for slug, link in ordered
    }


def _headline_order(claim: dict[str, Any]) -> tuple:
    return (claim.get("last_verified") or "", claim.get("observed") and claim["observed"]["start"]
            or "")


class Snapshot:
    """Everything derived from one export, pre-serialised for the hot path."""

    def __init__(self, export: dict[str, Any], changes: list[dict[str, Any]] | None = None):
        self.export = export
        # The public changes (server/changes.py), newest first, for the Atom feeds.
        self.changes = changes or []
        self.changes_body = _compact(self.changes)
        self._feeds: dict[tuple[str | None, str, str], tuple[bytes, str]] = {}
        self.platforms = {p["slug"]: p for p in export["platforms"]}
        self.vendors = {v["slug"]: v for v in export["vendors"]}
        self.claims_by_platform: dict[str, list[dict]] = {slug: [] for slug in self.platforms}
        for claim in export["claims"]:
            for slug in claim["platforms"]:
                self.claims_by_platform.setdefault(slug, []).append(claim)
        # Host rules: plain ones in the index's `hosts`, exact and path rules in its `rules`.
        self.rules = domains.HostRules()
        for platform in export["platforms"]:
            for entry in platform["domains"]:
                self.rules.add(_rule(entry, platform["slug"]))
        listed = self.rules.rules()
        self.hosts = {rule.host: rule.slug for rule in listed if rule.plain}
        self.summaries = {slug: self._summary(slug) for slug in self.platforms}
        self.claims_by_vendor: dict[str, list[dict]] = {slug: [] for slug in self.vendors}
        for claim in export["claims"]:
            for slug in dict.fromkeys(claim["vendors"]):
                self.claims_by_vendor.setdefault(slug, []).append(claim)
        index = {
            "generated_at": export["generated_at"],
            "hosts": self.hosts,
            "rules": [rule.index_entry() for rule in listed if not rule.plain],
            "platforms": self.summaries,
        }
        self.version = hashlib.sha256(_compact(index)).hexdigest()[:16]
        self.index = {"version": self.version, **index}
        self.index_body = _compact(self.index)
        self.etag = self.version
        self.export_body = _compact(export)
        self._lookups: dict[domains.Rule, bytes] = {}
        self._details: dict[tuple[str, str], bytes] = {}

    def _summary(self, slug: str) -> dict[str, Any]:
        claims = self.claims_by_platform.get(slug, [])
        counts = Counter(c["kind"] for c in claims)
        headlines = {}
        for kind in KINDS:
            of_kind = [c for c in claims if c["kind"] == kind]
            if of_kind:
                best = max(of_kind, key=_headline_order)
                headlines[kind] = {
                    "en": best["summary"], "fr": best["translations"].get("fr", best["summary"])
                }
        platform = self.platforms[slug]
        return {
            "name": platform["name"],
            "owner": platform["owner"],
            "total": len(claims),
            "counts": {kind: counts.get(kind, 0) for kind in KINDS},
            "headlines": headlines,
        }

    def lookup_body(self, rule: domains.Rule) -> bytes:
        """The lookup answer for a matched rule (from `self.rules.match`)."""
        body = self._lookups.get(rule)
        if body is None:
            slug = rule.slug
            body = _compact({"slug": slug, "host": rule.host, "scope": rule.scope,
                             "path": rule.path, **self.summaries[slug],
                             "url": f"/api/v1/platforms/{slug}"})
            self._lookups[rule] = body
        return body

    def claim_view(self, claim: dict[str, Any], language: str) -> dict[str, Any]:
        view = dict(claim)
        view["summary"] = claim["translations"].get(language, claim["summary"])
        view["language"] = language if language in claim["translations"] else "en"
        view["responses"] = [
            {**r, "summary": r["translations"].get(language, r["summary"]),
             "language": language if language in r["translations"] else "en"}
            for r in claim["responses"]
        ]
        view["vendors"] = [
            {k: self.vendors[slug][k] for k in ("slug", "name", "hq_country", "website")}
            for slug in claim["vendors"]
        ]
        # The first vendor, as version 1 clients read it.
        view["vendor"] = view["vendors"][0] if view["vendors"] else None
        return view

    def platform_detail(self, slug: str, language: str) -> dict[str, Any]:
        platform = self.platforms[slug]
        claims = self.claims_by_platform[slug]
        vendors = _links(claims, "vendors")
        return {
            **platform,
            "actions": [action_view(a, language) for a in platform["actions"]],
            "total": self.summaries[slug]["total"],
            "counts": self.summaries[slug]["counts"],
            "vendors": [{"slug": v, "name": self.vendors[v]["name"], **link}
                        for v, link in vendors.items()],
            "claims": [self.claim_view(c, language) for c in claims],
        }

    def vendor_item(self, slug: str) -> dict[str, Any]:
        """A vendor as the vendor list gives it: its record, platform slugs and claim count."""
        claims = self.claims_by_vendor.get(slug, [])
        platforms = sorted({p for c in claims for p in c["platforms"]})
        return {**self.vendors[slug], "platforms": platforms, "total": len(claims)}

    def vendor_detail(self, slug: str, language: str) -> dict[str, Any]:
        """A vendor with the platforms and countries of its published claims, and the claims."""
        vendor = self.vendors[slug]
        claims = self.claims_by_vendor.get(slug, [])
        countries = Counter(country for c in claims
                            for country in dict.fromkeys(loc["country"] for loc in c["locations"]))
        return {
            **vendor,
            "actions": [action_view(a, language) for a in vendor["actions"]],
            "platforms": [{"slug": p, "name": self.platforms[p]["name"], **link}
                          for p, link in _links(claims, "platforms").items()
                          if p in self.platforms],
            "countries": [{"country": country, "total": total} for country, total in
                          sorted(countries.items(), key=lambda item: (-item[1], item[0]))],
            "total": len(claims),
            "claims": [self.claim_view(c, language) for c in claims],
        }

    def feed(self, slug: str | None, language: str, base_url: str) -> tuple[bytes, str]:
        """The Atom feed of changes (all, or one platform's) and its ETag."""
        key = (slug, language, base_url)
        found = self._feeds.get(key)
        if found is None:
            changes = (self.changes if slug is None
                       else [c for c in self.changes if slug in c["platforms"]])
            body = change_feed.atom(changes, platform=self.platforms.get(slug) if slug else None,
                                    language=language, base_url=base_url,
                                    generated_at=self.export["generated_at"])
            found = self._feeds[key] = (body, change_feed.etag(body))
        return found

    def platform_body(self, slug: str, language: str) -> bytes:
        key = (slug, language)
        body = self._details.get(key)
        if body is None:
            body = _compact(self.platform_detail(slug, language))
            self._details[key] = body
        return body


class SnapshotHolder:
    """Holds the current Snapshot of one app; reloads it when the shared file changes."""

    def __init__(self, public_dir: Path):
        self.public_dir = public_dir
        self.export_path = public_dir / "export.json"
        self.changes_path = public_dir / "changes.json"
        self._snapshot: Snapshot | None = None
        self._mtime: int | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def peek(self) -> Snapshot | None:
        """The current snapshot, reloaded if another worker published; None before the first."""
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked < RELOAD_CHECK_SECONDS:
            return self._snapshot
        with self._lock:
            self._checked = now
            mtime = self._file_mtime()
            if mtime is not None and mtime != self._mtime:
                try:
                    export = json.loads(self.export_path.read_bytes())
                    changes = json.loads(self.changes_path.read_bytes())
                except (OSError, ValueError):
                    export = None
                if export is not None:
                    self._snapshot, self._mtime = Snapshot(export, changes), mtime
            return self._snapshot

    def get(self) -> Snapshot:
        """The current snapshot; the first use with no published file builds it (needs the app
        context, for the database)."""
        snapshot = self.peek()
        if snapshot is not None:
            return snapshot
        from .db import get_session

        with self._lock:
            if self._snapshot is None:
                session = get_session()
                self._publish(build_export(session), change_feed.collect(session))
            return self._snapshot

    def _file_mtime(self) -> int | None:
        try:
            return self.export_path.stat().st_mtime_ns
        except OSError:
            return None

    def rebuild(self, session: Session) -> Snapshot:
        """Build from the database and publish; call after the change is committed."""
        with self._lock:
            return self._publish(build_export(session), change_feed.collect(session))

    def _publish(self, export: dict[str, Any], changes: list[dict[str, Any]]) -> Snapshot:
        snapshot = Snapshot(export, changes)
        if (self._snapshot is not None and self._snapshot.export_body == snapshot.export_body
                and self._snapshot.changes_body == snapshot.changes_body):
            return self._snapshot
        self.public_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.public_dir / f"index.{snapshot.version}.json", snapshot.index_body)
        _atomic_write(self.public_dir / "index.json", snapshot.index_body)
        # changes.json first: a worker reloads both when export.json changes.
        _atomic_write(self.changes_path, snapshot.changes_body)
        _atomic_write(self.export_path, snapshot.export_body)
        self._snapshot, self._mtime = snapshot, self._file_mtime()
        self._checked = time.monotonic()
        return snapshot


def _atomic_write(path: Path, body: bytes) -> None:
    if path.exists() and path.read_bytes() == body:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(body)
    os.replace(temporary, path)


def init_app(app) -> None:
    app.extensions["btf_snapshot"] = SnapshotHolder(Path(app.config["BTF_PUBLIC_DIR"]))


def holder() -> SnapshotHolder:
    return current_app.extensions["btf_snapshot"]


def current() -> Snapshot:
    return holder().get()


def rebuild(session: Session) -> Snapshot:
    return holder().rebuild(session)

"""The public snapshot: everything the public API serves, built on publish and held in memory.

Built from the database only when something is published (or at first start). It is written to
the public folder as `export.json` (the whole published dataset) plus the extension index under a
stable name and a content-hashed name, so nginx or a CDN can serve it. Every worker holds the same
bytes in memory and reloads them when another worker's publish rewrites `export.json`; requests
never query the database.
"""

from __future__ import annotations

import atexit
import bisect
import datetime as dt
import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from . import changes as change_feed
from . import domains
from .models import KINDS, Claim, Platform, Publication, Revision, Vendor
from .records import claim_record, platform_record, vendor_record

LICENCE = {
    "name": "CC BY-SA 4.0",
    "url": "https://creativecommons.org/licenses/by-sa/4.0/",
    "attribution": "Behind the Feed contributors",
}
LANGUAGES = ("en", "fr")
RELOAD_CHECK_SECONDS = 1.0
# Publication ids below the newest that a late commit may still fill in.
SEEN_WINDOW = 1000
# More entities named than this since the snapshot: build it whole rather than patch it.
PATCH_LIMIT = 2000


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
    ).all()
    # Sorted here, not by the database: its collation may not compare as Python (and a patch) does.
    claims = sorted(claims, key=lambda c: c.key)
    platform_ids = {p.id for c in claims for p in c.platforms}
    platforms = session.scalars(
        select(Platform).where(Platform.id.in_(platform_ids))
        .options(selectinload(Platform.domains))
    ).all()
    platforms = sorted(platforms, key=lambda p: p.slug)
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


def _claim_query():
    return select(Claim).where(Claim.status == "published").options(
        selectinload(Claim.platforms), selectinload(Claim.sources),
        selectinload(Claim.translations), selectinload(Claim.vendors))


def patch_export(session: Session, export: dict[str, Any], claim_keys: set[str],
                 platform_slugs: set[str], vendor_slugs: set[str]) -> dict[str, Any]:
    """`export` with the named claims, platforms and vendors re-read from the database (and the
    claims of the named platforms and vendors, whose records they carry); the rest is kept as
    it is, the same objects."""
    claims = {c["id"]: c for c in export["claims"]}
    keys = set(claim_keys)
    if platform_slugs or vendor_slugs:
        keys |= {c["id"] for c in export["claims"]
                 if platform_slugs.intersection(c["platforms"])
                 or vendor_slugs.intersection(c["vendors"])}
    platforms_touched, vendors_touched = set(platform_slugs), set(vendor_slugs)
    for key in keys:
        old = claims.pop(key, None)
        if old is not None:
            platforms_touched.update(old["platforms"])
            vendors_touched.update(old["vendors"])
    query = _claim_query()
    found = list(session.scalars(query.where(Claim.key.in_(keys)))) if keys else []
    if platform_slugs or vendor_slugs:
        found += session.scalars(query.where(
            Claim.platforms.any(Platform.slug.in_(platform_slugs))
            | Claim.vendors.any(Vendor.slug.in_(vendor_slugs)))).all()
    for claim in found:
        record = claim_record(claim)
        record.pop("status")
        claims[record["id"]] = record
        platforms_touched.update(record["platforms"])
        vendors_touched.update(record["vendors"])
    named_platforms = {p for c in claims.values() for p in c["platforms"]}
    named_vendors = {v for c in claims.values() for v in c["vendors"]}
    platforms = {p["slug"]: p for p in export["platforms"] if p["slug"] not in platforms_touched}
    reload = platforms_touched & named_platforms
    if reload:
        for platform in session.scalars(select(Platform).where(Platform.slug.in_(reload))
                                        .options(selectinload(Platform.domains))):
            platforms[platform.slug] = platform_record(platform)
    vendors = {v["slug"]: v for v in export["vendors"] if v["slug"] not in vendors_touched}
    reload = vendors_touched & named_vendors
    if reload:
        for vendor in session.scalars(select(Vendor).where(Vendor.slug.in_(reload))):
            vendors[vendor.slug] = vendor_record(vendor)
    verified = [c["last_verified"] for c in claims.values() if c["last_verified"]]
    return {
        "licence": LICENCE,
        "generated_at": f"{max(verified)}T00:00:00Z" if verified else _iso(None),
        "platforms": [platforms[s] for s in sorted(platforms) if s in named_platforms],
        "vendors": [vendors[s] for s in sorted(vendors) if s in named_vendors],
        "claims": _ordered(export["claims"], claims),
    }


def _ordered(previous: list[dict[str, Any]], claims: dict[str, dict[str, Any]]
             ) -> list[dict[str, Any]]:
    """`claims` in key order, from the previous (ordered) list: kept and replaced claims take
    their old place, new ones are inserted (no sort of the whole list on every publish)."""
    ordered = [claims[c["id"]] for c in previous if c["id"] in claims]
    if len(ordered) == len(claims):
        return ordered
    placed = {c["id"] for c in ordered}
    keys = [c["id"] for c in ordered]
    for key in sorted(k for k in claims if k not in placed):
        at = bisect.bisect_left(keys, key)
        keys.insert(at, key)
        ordered.insert(at, claims[key])
    return ordered


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


# The overlay's one line per kind is what people trust at a glance: the best-established claim
# first (an allegation or a republished copy only when nothing firmer exists), then the most
# recently verified, then the most recent. extension/lib/record.js headlineClaim agrees.
HEADLINE_EVIDENCE = {"official_record": 4, "investigative_journalism": 3, "academic_study": 3,
                     "company_statement": 2, "allegation": 0}


def _headline_order(claim: dict[str, Any]) -> tuple:
    original = all(not source.get("is_copy") for source in claim.get("sources") or [])
    return (HEADLINE_EVIDENCE.get(claim.get("evidence"), 0), original,
            claim.get("last_verified") or "",
            claim.get("observed") and claim["observed"]["start"] or "")


def headline_claim(claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The claim that heads a kind in the overlay (the first of equals); the extension's
    headlineClaim (extension/lib/record.js) picks the same, by tests/vectors/headlines.json."""
    return max(claims, key=_headline_order)


class Snapshot:
    """Everything derived from one export, pre-serialised for the hot path."""

    def __init__(self, export: dict[str, Any], changes: list[dict[str, Any]] | None = None, *,
                 previous: Snapshot | None = None, publications: dict[str, Any] | None = None):
        self.export = export
        # The newest publication this snapshot includes, and the ids seen near it (a later
        # commit can take a lower id: those are looked for too).
        self.publication = (publications or {}).get("newest", 0)
        self.seen = frozenset((publications or {}).get("seen", ()))
        # The public changes (server/changes.py), newest first, for the Atom feeds.
        self.changes = changes or []
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
        # A platform's summary is kept from the previous snapshot when its record and its
        # claims are the same objects (a publish touches a few platforms, not all).
        kept = previous.summaries if previous is not None else {}
        self.summaries = {}
        for slug in self.platforms:
            summary = kept.get(slug)
            if summary is None or not self._unchanged(previous, slug):
                summary = self._summary(slug)
            self.summaries[slug] = summary
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
        # export.json is assembled from each claim's bytes, kept from the previous snapshot for
        # the claims a patch did not touch (the same record object).
        reuse = previous._claim_bytes if previous is not None else {}
        self._claim_bytes: dict[str, tuple[dict[str, Any], bytes]] = {}
        for claim in export["claims"]:
            kept = reuse.get(claim["id"])
            if kept is None or kept[0] is not claim:
                kept = (claim, _compact(claim))
            self._claim_bytes[claim["id"]] = kept
        head = _compact({k: v for k, v in export.items() if k != "claims"})
        self.export_body = b"".join([
            head[:-1], b',"claims":[',
            b",".join(self._claim_bytes[c["id"]][1] for c in export["claims"]), b"]}"])
        self._lookups: dict[domains.Rule, bytes] = {}
        self._details: dict[tuple[str, str], bytes] = {}

    def _unchanged(self, previous: Snapshot, slug: str) -> bool:
        if previous.platforms.get(slug) is not self.platforms[slug]:
            return False
        old = previous.claims_by_platform.get(slug, [])
        new = self.claims_by_platform.get(slug, [])
        return len(old) == len(new) and all(a is b for a, b in zip(old, new, strict=True))

    def _summary(self, slug: str) -> dict[str, Any]:
        claims = self.claims_by_platform.get(slug, [])
        counts = Counter(c["kind"] for c in claims)
        headlines = {}
        for kind in KINDS:
            of_kind = [c for c in claims if c["kind"] == kind]
            if of_kind:
                best = headline_claim(of_kind)
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
    """Holds the current Snapshot of one app and keeps it up to date with the database.

    A publish writes a Publication row per public change in its transaction. Each app host
    checks, at most once a second, the newest publication ids against its snapshot's (an index
    range scan); when they moved it re-reads only the claims, platforms and vendors named since,
    patches its snapshot and rewrites its own public folder. Hosts share the database, not a
    folder.
    """

    def __init__(self, public_dir: Path, engine: Callable[[], Engine] | None = None, *,
                 app: Any = None, background: bool = False):
        self.public_dir = public_dir
        self._app = app
        # After a commit the snapshot is refreshed by one worker thread per process (the
        # request returns at once), or in the committing thread (`background` off).
        self.background = background
        self._refresh = threading.Condition()
        self._requested = 0
        self._done = 0
        self._worker: threading.Thread | None = None
        self._worker_pid = 0
        self.export_path = public_dir / "export.json"
        self.changes_path = public_dir / "changes.json"
        self._engine = engine
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.stats = {"checks": 0, "patches": 0, "builds": 0}

    def peek(self) -> Snapshot | None:
        """The current snapshot, patched if another host published; None before the first."""
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked < RELOAD_CHECK_SECONDS:
            return self._snapshot
        # A reader never waits for a refresh in progress: it serves the snapshot it has.
        if not self._lock.acquire(blocking=self._snapshot is None):
            return self._snapshot
        try:
            if self._snapshot is not None and now - self._checked < RELOAD_CHECK_SECONDS:
                return self._snapshot
            self._checked = now
            if self._snapshot is None:
                self._snapshot = self._read_files()
            if self._snapshot is not None and self._engine is not None:
                try:
                    with Session(self._engine().execution_options(btf_read_only=True)) as session:
                        self._catch_up(session)
                except SQLAlchemyError:
                    pass  # the database is away: serve what we have
            return self._snapshot
        finally:
            self._lock.release()

    def get(self) -> Snapshot:
        """The current snapshot; the first use with no published file builds it (needs the app
        context, for the database)."""
        snapshot = self.peek()
        if snapshot is not None:
            return snapshot
        from .db import get_session

        with self._lock:
            if self._snapshot is None:
                self._build(get_session())
            return self._snapshot

    def _read_files(self) -> Snapshot | None:
        try:
            export = json.loads(self.export_path.read_bytes())
            changes = json.loads(self.changes_path.read_bytes())
            return Snapshot(export, changes["changes"], publications=changes["publications"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def rebuild(self, session: Session) -> Snapshot:
        """Bring the snapshot up to date after a committed change: patched with what the
        publications since name, or built whole when none says what changed."""
        with self._lock:
            if self._snapshot is None or not self._catch_up(session):
                self._build(session)
            return self._snapshot

    def after_commit(self, session: Session) -> None:
        """A commit changed the public record: refresh the snapshot, in the background worker
        (coalescing the commits that arrive while it works) or here."""
        if not self.background:
            self.rebuild(session)
            return
        with self._refresh:
            self._requested += 1
            if self._worker is None or not self._worker.is_alive() \
                    or self._worker_pid != os.getpid():
                # One worker per process (a forked server worker starts its own).
                self._worker_pid = os.getpid()
                self._worker = threading.Thread(target=self._work, name="btf-snapshot",
                                                daemon=True)
                self._worker.start()
            self._refresh.notify_all()

    def wait_for_refresh(self, timeout: float = 30.0) -> bool:
        """Wait until the refreshes asked for so far are done; False on timeout."""
        with self._refresh:
            target = self._requested
            return self._refresh.wait_for(lambda: self._done >= target, timeout)

    def _work(self) -> None:
        while True:
            with self._refresh:
                self._refresh.wait_for(lambda: self._requested > self._done)
                target = self._requested
            try:
                with self._app.app_context(), \
                        Session(self._engine().execution_options(btf_read_only=True)) as session:
                    self.rebuild(session)
            except Exception:  # noqa: BLE001  (the once-a-second check catches up later)
                logging.getLogger(__name__).exception("refreshing the public snapshot failed")
            with self._refresh:
                self._done = max(self._done, target)
                self._refresh.notify_all()

    def _catch_up(self, session: Session) -> bool:
        """Patch the snapshot with the publications it has not seen; False if there are none
        (or too many to patch, or the database went back in time: then build it whole)."""
        snapshot = self._snapshot
        self.stats["checks"] += 1
        floor = max(0, snapshot.publication - SEEN_WINDOW)
        count, newest = session.execute(
            select(func.count(Publication.id), func.max(Publication.id))
            .where(Publication.id > floor)).one()
        newest = newest or 0
        if newest == snapshot.publication and count == len(snapshot.seen):
            return False
        if newest < snapshot.publication:
            self._build(session)
            return True
        rows = session.execute(
            select(Publication.id, Publication.entity_type, Publication.entity_key)
            .where(Publication.id > floor).order_by(Publication.id)).all()
        fresh = [row for row in rows if row.id not in snapshot.seen]
        named: dict[str, set[str]] = {"claim": set(), "platform": set(), "vendor": set()}
        for row in fresh:
            named.setdefault(row.entity_type, set()).add(row.entity_key)
        seen = [row.id for row in rows if row.id > newest - SEEN_WINDOW]
        if sum(len(keys) for keys in named.values()) > PATCH_LIMIT:
            self._build(session, newest, seen)
            return True
        export = patch_export(session, snapshot.export, named["claim"], named["platform"],
                              named["vendor"])
        self.stats["patches"] += 1
        changes = change_feed.collect(session, known=snapshot.changes)
        self._publish(Snapshot(export, changes, previous=snapshot,
                               publications={"newest": newest, "seen": seen}))
        return True

    def _build(self, session: Session, newest: int | None = None,
               seen: list[int] | None = None) -> None:
        if newest is None:
            newest = session.scalar(select(func.max(Publication.id))) or 0
            seen = list(session.scalars(select(Publication.id).where(
                Publication.id > newest - SEEN_WINDOW)))
        self.stats["builds"] += 1
        self._publish(Snapshot(build_export(session), change_feed.collect(session),
                               previous=self._snapshot,
                               publications={"newest": newest, "seen": seen}))

    def _publish(self, snapshot: Snapshot) -> Snapshot:
        self.public_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.public_dir / f"index.{snapshot.version}.json", snapshot.index_body)
        _atomic_write(self.public_dir / "index.json", snapshot.index_body)
        _atomic_write(self.changes_path, _compact({
            "publications": {"newest": snapshot.publication, "seen": sorted(snapshot.seen)},
            "changes": snapshot.changes}))
        _atomic_write(self.export_path, snapshot.export_body, compare=False)
        self._snapshot = snapshot
        self._checked = time.monotonic()
        return snapshot


def _atomic_write(path: Path, body: bytes, *, compare: bool = True) -> None:
    if compare and path.exists() and path.read_bytes() == body:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(body)
    os.replace(temporary, path)


def init_app(app) -> None:
    """BTF_SNAPSHOT_REFRESH: `background` (the default; a publish returns before the snapshot
    follows) or `sync` (the default under TESTING: the commit returns with the snapshot
    refreshed)."""
    mode = app.config.get("BTF_SNAPSHOT_REFRESH") or os.environ.get("BTF_SNAPSHOT_REFRESH") \
        or ("sync" if app.config.get("TESTING") else "background")
    holder = SnapshotHolder(Path(app.config["BTF_PUBLIC_DIR"]),
                            lambda: app.extensions["btf_engine"], app=app,
                            background=mode == "background")
    app.extensions["btf_snapshot"] = holder
    # A command's refresh is finished before its process ends.
    atexit.register(holder.wait_for_refresh)


def holder() -> SnapshotHolder:
    return current_app.extensions["btf_snapshot"]


def current() -> Snapshot:
    return holder().get()


def rebuild(session: Session) -> Snapshot:
    """Refresh the snapshot now, in this thread."""
    return holder().rebuild(session)


def after_commit(session: Session) -> None:
    """Refresh the snapshot after a commit that changed the public record (in the background
    unless the app refreshes synchronously)."""
    holder().after_commit(session)


def wait_for_refresh(timeout: float = 30.0) -> bool:
    """Wait for the snapshot refreshes asked for so far (a test reading right after a publish);
    False if they took longer than `timeout` seconds."""
    return holder().wait_for_refresh(timeout)


# --- publications: one row per public change, in the transaction of the change -----------------


def _publication_keys(revision: Revision) -> list[str]:
    """The keys a revision makes public changes to ([] if it does not touch the public record)."""
    records = [r for r in (revision.before, revision.after) if r]
    if revision.entity_type == "claim":
        if not any(r.get("status") == "published" for r in records):
            return []
        return list(dict.fromkeys(r["id"] for r in records if "id" in r))
    if revision.entity_type in ("platform", "vendor"):
        return list(dict.fromkeys(r["slug"] for r in records if "slug" in r))
    return []


@event.listens_for(Session, "before_flush")
def _record_publications(session: Session, _context, _instances) -> None:
    for obj in list(session.new):
        if isinstance(obj, Revision):
            for key in _publication_keys(obj):
                session.add(Publication(entity_type=obj.entity_type, entity_key=key,
                                        action=obj.action))

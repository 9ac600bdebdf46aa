"""The change feed: what changed in the public record, as Atom (`/api/v1/changes.atom`).

Entries come from the Revision rows of claims whose write touched the published record (a claim
published, an edit of a published claim, a retraction or withdrawal). They are read when the
snapshot is built, never per request, and nothing about who reads the feed is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Revision

# How many of the newest claim revisions the feeds are built from.
RECENT_REVISIONS = 2000
FEED_ENTRIES = 100
TAG = "tag:behind-the-feed.org,2026"
LABELS = {
    "published": ("New claim", "Nouvelle affirmation"),
    "figure": ("Changed figure", "Chiffre modifié"),
    "source": ("New source", "Nouvelle source"),
    "updated": ("Updated claim", "Affirmation mise à jour"),
    "retracted": ("Retraction", "Retrait"),
    "withdrawn": ("Withdrawn", "Retirée"),
}
FIGURES = ("workers", "workers_basis", "pay", "locations", "observed")


def _what(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """What a claim revision changed in the public record; [] when it did not touch it."""
    was = (before or {}).get("status") == "published"
    now = (after or {}).get("status") == "published"
    if now and not was:
        return ["published"]
    if was and not now:
        return ["retracted" if (after or {}).get("status") == "retracted" else "withdrawn"]
    if not (was and now):
        return []
    kinds = []
    if any(before.get(name) != after.get(name) for name in FIGURES):
        kinds.append("figure")
    old_urls = {s["url"] for s in before.get("sources") or []}
    if any(s["url"] not in old_urls for s in after.get("sources") or []):
        kinds.append("source")
    if not kinds and _public(before) != _public(after):
        kinds.append("updated")
    return kinds


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("status", "last_verified")}


def collect(session: Session, known: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The public changes among the newest claim revisions, newest first (plain JSON).

    With `known` (the changes collected before), only newer revisions are read and put in front
    of those."""
    query = (select(Revision.id, Revision.created_at, Revision.before, Revision.after)
             .where(Revision.entity_type == "claim")
             .order_by(Revision.id.desc()).limit(RECENT_REVISIONS))
    if known:
        query = query.where(Revision.id > known[0]["id"])
    revisions = session.execute(query).all()
    changes = []
    for revision_id, created_at, before, after in revisions:
        kinds = _what(before, after)
        if not kinds:
            continue
        record = after if (after or {}).get("status") == "published" else before
        changes.append({
            "id": revision_id,
            "at": (created_at or dt.datetime(2000, 1, 1)).replace(microsecond=0).isoformat() + "Z",
            "what": kinds,
            "claim": record["id"],
            "kind": record["kind"],
            "summary": record["summary"],
            "translations": record.get("translations") or {},
            "platforms": sorted(set((before or {}).get("platforms") or [])
                                | set((after or {}).get("platforms") or [])),
        })
    return (changes + (known or []))[:RECENT_REVISIONS]


def atom(changes: list[dict[str, Any]], *, platform: dict[str, Any] | None, language: str,
         generated_at: str, base_url: str) -> bytes:
    """The Atom document of `changes` (already filtered to the platform, if any)."""
    french = language == "fr"
    feed = FeedGenerator()
    if platform is None:
        feed.id(f"{TAG}:changes")
        feed.title("Behind the Feed: changes" if not french else "Behind the Feed : changements")
        path = "/api/v1/changes.atom"
    else:
        feed.id(f"{TAG}:platforms/{platform['slug']}/changes")
        feed.title(f"Behind the Feed: {platform['name']}" + (" (changements)" if french
                                                             else " (changes)"))
        path = f"/api/v1/platforms/{platform['slug']}/changes.atom"
    feed.link(href=f"{base_url}{path}", rel="self", type="application/atom+xml")
    feed.author({"name": "Behind the Feed contributors"})
    feed.language(language)
    feed.rights("CC BY-SA 4.0")
    shown = changes[:FEED_ENTRIES]
    feed.updated(shown[0]["at"] if shown else generated_at)
    for change in reversed(shown):  # feedgen puts the last added first
        entry = feed.add_entry()
        entry.id(f"{TAG}:revision/{change['id']}")
        label = ", ".join(LABELS[k][1 if french else 0] for k in change["what"])
        summary = change["translations"].get(language, change["summary"]) if french \
            else change["summary"]
        entry.title(f"{label}: {summary}")
        entry.summary(summary)
        entry.updated(change["at"])
        entry.link(href=f"{base_url}/api/v1/platforms/{change['platforms'][0]}"
                   if change["platforms"] else f"{base_url}/api/v1/export.json")
        for slug in change["platforms"]:
            entry.category(term=slug)
        for what in change["what"]:
            entry.category(term=what, scheme=f"{TAG}:change")
        entry.category(term=change["claim"], scheme=f"{TAG}:claim")
    return feed.atom_str(pretty=True)


def etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:16]

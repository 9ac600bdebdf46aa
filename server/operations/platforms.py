"""Platform-like entries: platforms and vendors share one editor (create, edit, waiting for
review when published claims stand on them); this module has it and the platform's own
validation (its host rules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import domains
from ..models import Domain, PendingChange, Platform, User, utcnow
from ..records import DomainRuleRecord, PlatformRecord, domain_sort_key, plain, record_of
from .common import (
    Invalid,
    check_version,
    flat_messages,
    flush,
    require,
    touch,
    write_revision,
)
from .review import needs_review, propose


@dataclass(frozen=True)
class Kind:
    """How to validate and apply the record of one kind of platform-like entry."""

    model: type
    validate: Callable[[Session, dict[str, Any], Any], dict[str, Any]]
    apply: Callable[[Any, dict[str, Any]], None]


def create(session: Session, kind: Kind, raw: dict[str, Any], *, user: User,
           comment: str | None = None) -> Any:
    """A new entry of `kind` from its record form."""
    require(user, "curator")
    record = kind.validate(session, raw, None)
    entity = kind.model(version=1, created_at=utcnow(), updated_at=utcnow())
    session.add(entity)
    kind.apply(entity, record)
    session.flush()
    write_revision(session, entity, "create", None, user, comment)
    session.flush()
    return entity


def update(session: Session, kind: Kind, entity: Any, raw: dict[str, Any], *, user: User,
           expected_version: Any, comment: str | None = None) -> bool | PendingChange:
    """Save an edit (the slug never changes); False when nothing changed. With review
    required, the edit of an entry published claims stand on waits as a PendingChange
    (returned) until another curator publishes it."""
    require(user, "curator")
    record = kind.validate(session, {**raw, "slug": entity.slug}, entity)
    before = record_of(entity)
    check_version(entity, expected_version, before, record)
    if record == before:
        return False
    if needs_review(session, entity):
        return propose(session, entity, record, "update", user=user, comment=comment)
    kind.apply(entity, record)
    touch(entity, user)
    flush(session, entity, expected_version, record)
    write_revision(session, entity, "update", before, user, comment)
    session.flush()
    return True


# --- platforms -------------------------------------------------------------------------------


def validate_platform(session: Session, raw: dict[str, Any],
                       platform: Platform | None) -> dict[str, Any]:
    """The platform record, every problem at once; host rules checked by server.domains and
    against the rules other platforms list."""
    raw = {k: v for k, v in raw.items() if k != "claims"}
    rules_in = raw.get("domains") or []
    errors: dict[str, Any] = {}
    try:
        record = plain(PlatformRecord().load({**raw, "domains": []}))
    except ValidationError as exc:
        errors.update(exc.messages)
        record = None
    rules: list[str | dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    host_errors: list[str] = []
    for item in rules_in if isinstance(rules_in, list) else [rules_in]:
        try:
            if isinstance(item, dict):
                item = {**DomainRuleRecord().load(item)}
            rule = domains.rule_from_entry(
                domains.check_listable(item) if isinstance(item, str)
                else {**item, "host": domains.check_listable(item.get("host", ""))}, "x")
        except (ValueError, ValidationError) as exc:
            host_errors += flat_messages(exc.messages) if isinstance(exc, ValidationError) \
                else [str(exc)]
            continue
        if (rule.host, rule.path) in seen:
            continue
        seen.add((rule.host, rule.path))
        entry: str | dict[str, str] = rule.host
        if rule.path:
            entry = {"host": rule.host, "path": rule.path}
        elif rule.scope == "exact":
            entry = {"host": rule.host, "scope": "exact"}
        rules.append(entry)
    hosts = sorted({host for host, _path in seen})
    if hosts:
        taken = session.execute(
            select(Domain.host, Domain.path, Platform.name, Platform.id)
            .join(Platform, Domain.platform_id == Platform.id)
            .where(Domain.host.in_(hosts))).all()
        for host, path, name, platform_id in taken:
            if (host, path or "") in seen and (platform is None or platform_id != platform.id):
                host_errors.append(_("%(rule)s is already listed for %(platform)s; remove it "
                                     "there first if it belongs here.",
                                     rule=f"{host}{path or ''!s}", platform=name))
    if host_errors:
        errors["domains"] = host_errors
    if record is not None:
        other = session.scalar(select(Platform.id).where(Platform.slug == record["slug"]))
        if other is not None and (platform is None or other != platform.id):
            errors["slug"] = [_("Another platform already has the slug %(slug)s.",
                                slug=record["slug"])]
    if errors:
        raise Invalid(errors)
    assert record is not None
    record["domains"] = sorted(rules, key=domain_sort_key)
    return record


def apply_platform(platform: Platform, record: dict[str, Any]) -> None:
    for name in ("slug", "name", "owner", "hq_country", "description"):
        setattr(platform, name, record[name])
    platform.actions = list(record.get("actions") or [])
    platform.moderators = list(record.get("moderators") or [])
    platform.domains = apply_domain_rules(list(platform.domains), record["domains"])


def apply_domain_rules(current: list[Domain], rules: list) -> list[Domain]:
    """The Domain rows for `rules`, reusing the rows that are unchanged."""
    by_key = {(d.host, d.path): d for d in current}
    rows = []
    for rule in rules:
        host = rule if isinstance(rule, str) else rule["host"]
        path = "" if isinstance(rule, str) else rule.get("path", "")
        scope = "exact" if isinstance(rule, dict) and rule.get("scope") == "exact" else "subdomains"
        row = by_key.get((host, path)) or Domain(host=host, path=path)
        row.scope = scope
        rows.append(row)
    return rows


PLATFORM = Kind(Platform, validate_platform, apply_platform)


def create_platform(session: Session, raw: dict[str, Any], *, user: User,
                    comment: str | None = None) -> Platform:
    """A new platform with its host rules."""
    return create(session, PLATFORM, raw, user=user, comment=comment)


def update_platform(session: Session, platform: Platform, raw: dict[str, Any], *, user: User,
                    expected_version: Any, comment: str | None = None
                    ) -> bool | PendingChange:
    """Save an edit of a platform; its host rules answer lookups only once it is live."""
    return update(session, PLATFORM, platform, raw, user=user,
                  expected_version=expected_version, comment=comment)

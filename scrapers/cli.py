"""`behind-the-feed scrape NAME`: run a registered scraper (the command is added by server.cli)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from scrapers.base import ScrapeError
from scrapers.registry import REGISTRY
from scrapers.runner import run


def _progress(items, label):
    """One progress bar on stderr (the summary line goes to stdout)."""
    return click.progressbar(items, label=label, file=sys.stderr, show_pos=True,
                             show_eta=False)


def _help() -> str:
    width = max(len(name) for name in REGISTRY)
    listing = "\n".join(f"  {name.ljust(width)}  {scraper.description}"
                        for name, scraper in REGISTRY.items())
    return ("Run the scraper NAME and queue what it finds as proposals for curators.\n\n"
            f"\b\nNAME is one of:\n{listing}\n\n"
            "Nothing is ever published: a curator reviews every proposal. wayback-capture asks "
            "the Internet Archive to capture pages: it runs only when named.")


@click.command("scrape", help=_help())
@click.argument("name", type=click.Choice(tuple(REGISTRY)), metavar="NAME")
@click.option("--dry-run", is_flag=True,
              help="Fetch and parse, show what would be proposed or updated; write nothing.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Read at most N items (reports, days, feeds, queries or source URLs).")
@click.option("--source", "sources", multiple=True, metavar="FILE_OR_URL",
              help="Read this saved file or URL instead of the default sources "
                   "(repeatable; for linkcheck and wayback-capture: the source URLs).")
@with_appcontext
def scrape(name: str, dry_run: bool, limit: int | None, sources: tuple[str, ...]) -> None:
    from server.db import get_session

    try:
        summary = run(
            name,
            session_factory=get_session,
            sources=sources,
            dry_run=dry_run,
            limit=limit,
            progress=_progress,
            settings=current_app.config,
        )
    except ScrapeError as exc:
        raise click.ClickException(str(exc)) from exc
    if dry_run:
        for draft in summary.proposals:
            where = draft.platform_slug or draft.host or draft.source_url or "-"
            click.echo(f"would propose {draft.kind} for {where}: {_describe(draft)}")
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(summary.line())
    if not summary.ok:
        raise SystemExit(1)


def _describe(draft) -> str:
    change = draft.payload.get("change") or {}
    field = change.get("field")
    if "claim" in change:
        return change["claim"]["summary"]
    if field == "domain":
        return f"add domain {change['add']}"
    if field == "owner":
        return f"owner {change.get('from')!r} -> {change.get('to')!r}"
    if field == "archive_url":
        return f"archived copy {change['add']}"
    if field == "moderators":
        rows = change.get("add") or []
        languages = ", ".join(f"{r['language']} {r['count']}" for r in rows)
        return f"moderators {rows[0]['period_label'] if rows else ''}: {languages}"
    if field == "vendor_ids":
        ids = [f"{k} {change[k]}" for k in ("wikidata", "opencorporates") if change.get(k)]
        return f"{change['vendor']}: " + ", ".join(ids)
    return draft.payload.get("record", {}).get("title") or draft.source_url or ""

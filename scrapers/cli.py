"""`behind-the-feed scrape NAME`: run a scraper from the command line (registered by server.cli)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from scrapers.base import ScrapeError
from scrapers.runner import NAMES, run


def _progress(items, label):
    return click.progressbar(items, label=label, file=sys.stderr, show_pos=True)


@click.command("scrape")
@click.argument("name", type=click.Choice(NAMES), metavar="NAME")
@click.option("--dry-run", is_flag=True,
              help="Fetch and parse, show what would be proposed or updated; write nothing.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Read at most N items (reports, days, feeds, queries or source URLs).")
@click.option("--source", "sources", multiple=True, metavar="FILE_OR_URL",
              help="Read this saved file or URL instead of the default sources "
                   "(repeatable; for linkcheck: the URLs to check).")
@with_appcontext
def scrape(name: str, dry_run: bool, limit: int | None, sources: tuple[str, ...]) -> None:
    """Run the scraper NAME and queue what it finds as proposals for curators.

    \b
    NAME is one of:
      dsa-reports  moderators per service and language in DSA transparency reports
      dsa-tdb      share of moderation decisions not fully automated (DSA database)
      news         news articles about hidden labour on listed platforms (RSS, GDELT)
      wikidata     missing domains and different owners of listed platforms (Wikidata)
      linkcheck    check every source URL and mark it ok, moved or broken

    Nothing is ever published: a curator reviews every proposal.
    """
    from server.db import get_session

    try:
        summary = run(
            name,
            session_factory=get_session,
            sources=sources,
            dry_run=dry_run,
            limit=limit,
            progress=_progress,
            data_dir=current_app.config.get("BTF_DATA_DIR"),
        )
    except ScrapeError as exc:
        raise click.ClickException(str(exc)) from exc
    if dry_run:
        for draft in summary.proposals:
            where = draft.platform_slug or draft.host or "-"
            click.echo(f"would propose {draft.kind} for {where}: {_describe(draft)}")
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(summary.line())
    if not summary.ok:
        raise SystemExit(1)


def _describe(draft) -> str:
    change = draft.payload.get("change") or {}
    if "claim" in change:
        return change["claim"]["summary"]
    if change.get("field") == "domain":
        return f"add domain {change['add']}"
    if change.get("field") == "owner":
        return f"owner {change.get('from')!r} -> {change.get('to')!r}"
    return draft.payload.get("record", {}).get("title") or draft.source_url or ""

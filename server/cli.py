"""The `behind-the-feed` command: serve, init-db, seed, export, import, export-index, scrape, ..."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from scrapers.cli import scrape

from . import create_app, db, index, operations
from .config import ConfigError
from .curate.commands import create_user_command
from .dataset import DATASET_DIR, DatasetError, collect, load_dataset, write_dataset
from .models import Platform


def _create_app(*_args, **_kwargs):
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
@click.version_option(package_name="behind-the-feed")
def cli() -> None:
    """Behind the Feed: the hidden human labour behind online platforms."""


def main() -> None:
    # Commands get the app through Flask's ScriptInfo, as `with_appcontext` expects.
    cli.main(prog_name="behind-the-feed",
             obj=ScriptInfo(create_app=_create_app, set_debug_flag=False))


def _fail(message: str) -> None:
    raise click.ClickException(message)


def ensure_database(*, seed: bool = True) -> str:
    """Create or upgrade the schema, seed an empty database, build the public snapshot."""
    try:
        db.migrate()
        session = db.get_session()
        note = "database up to date"
        if seed and not session.scalar(select(func.count(Platform.id))):
            seed_dir = current_app.config.get("BTF_SEED_DIR") or DATASET_DIR
            report = operations.import_dataset(session, load_dataset(seed_dir), comment="seed")
            operations.commit(session)  # refreshes the public snapshot
            note = f"database seeded: {report.summary()}"
        else:
            index.rebuild(session)
        # End the read transaction: `serve` keeps this app context for as long as it runs, and
        # an open transaction would hold SQLite's lock against every write.
        session.rollback()
        return note
    except SQLAlchemyError as exc:
        _fail(f"Cannot prepare the database ({current_app.config['SQLALCHEMY_DATABASE_URI']}): "
              f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}")
    except DatasetError as exc:
        _fail("The shipped dataset is not valid:\n" + "\n".join(exc.errors))
    return ""


@cli.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (no seed)."""
    click.echo(ensure_database(seed=False))


@cli.command("seed")
@click.option("--from", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=DATASET_DIR, show_default="the shipped dataset")
@with_appcontext
def seed_command(directory: Path) -> None:
    """Load the dataset files into the database (creates and updates; never deletes)."""
    ensure_database(seed=False)
    _import(directory, dry_run=False, comment="seed")


def _import(directory: Path, *, dry_run: bool, comment: str, verbose: bool = False) -> None:
    try:
        dataset = load_dataset(directory)
    except DatasetError as exc:
        _fail(f"Nothing was imported: {len(exc.errors)} problem(s) in {directory}:\n"
              + "\n".join(f"  {e}" for e in exc.errors))
    session = db.get_session()
    # One bar on stderr (only on a terminal), not a line per record; --verbose lists them.
    with click.progressbar(length=len(dataset.claims), label="Claims", file=sys.stderr,
                           show_pos=True) as bar:
        report = operations.import_dataset(session, dataset, comment=comment,
                                           progress=bar.update)
    if verbose:
        for line in report.created:
            click.echo(f"  + {line}")
        for line in report.updated:
            click.echo(f"  ~ {line}")
    if dry_run:
        operations.rollback(session)
        click.echo(f"Dry run, nothing written: would be {report.summary()}.")
        return
    operations.commit(session)
    click.echo(f"Imported from {directory}: {report.summary()}.")


@cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--verbose", "-v", is_flag=True, help="List every record created or updated.")
@with_appcontext
def import_command(directory: Path, dry_run: bool, verbose: bool) -> None:
    """Import dataset files from DIRECTORY: all or nothing."""
    ensure_database(seed=False)
    _import(directory, dry_run=dry_run, comment=f"import from {directory.name}",
            verbose=verbose or dry_run)


@cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--include-unpublished", is_flag=True,
              help="Also write drafts and claims under review (a private backup).")
@with_appcontext
def export_command(directory: Path, include_unpublished: bool) -> None:
    """Write the dataset files (one per platform, vendors.json) to DIRECTORY."""
    ensure_database(seed=False)
    dataset = collect(db.get_session(), published_only=not include_unpublished)
    written = write_dataset(dataset, directory)
    click.echo(f"Wrote {len(written)} files to {directory} "
               f"({len(dataset.platforms)} platforms, {len(dataset.claims)} claims).")


@cli.command("export-index")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_index_command(path: Path) -> None:
    """Write the extension index JSON to PATH (e.g. extension/data/index.json)."""
    ensure_database()
    snapshot = index.current()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(snapshot.index, ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")
    click.echo(f"Wrote the index ({len(snapshot.hosts)} hosts, {len(snapshot.platforms)} "
               f"platforms, version {snapshot.version}) to {path}.")


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks a route
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def print_welcome(url: str, lan: bool, curate: bool = True) -> None:
    extension = Path(__file__).resolve().parent.parent / "extension"
    click.echo(f"\nBehind the Feed is running at {url}")
    click.echo(f"  API:       {url}/api/v1/index")
    if curate:
        click.echo(f"  Curators:  {url}/curate/   (make an account: behind-the-feed create-user "
                   "EMAIL)")
    else:
        click.echo("  Curators:  not on the local network (add --with-curate to offer it)")
    click.echo(f"  Workshop:  {url}/workshop/")
    click.echo("\nTo load the extension: open chrome://extensions, turn on Developer mode, click "
               f"'Load unpacked' and choose\n  {extension}\n(Firefox: about:debugging > This "
               "Firefox > Load Temporary Add-on > extension/manifest.json).")
    click.echo(f"Then, in the extension's options, set the server URL to {url} for live updates.")
    if lan:
        try:
            import segno

            click.echo("\nParticipants open this address (or scan the code):")
            segno.make(url, error="m").terminal(compact=True)
        except ImportError:
            pass
    click.echo("\nPress Ctrl+C to stop.\n")
    sys.stdout.flush()


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--lan", is_flag=True, help="Listen on the local network and print its address.")
@click.option("--with-curate", is_flag=True,
              help="With --lan: also offer the curators' workspace on the network.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def serve_command(host: str, port: int, lan: bool, with_curate: bool, threads: int) -> None:
    """Run the service (creates, migrates and seeds the database on first start)."""
    from waitress import serve

    click.echo(ensure_database())
    if lan:
        host = "0.0.0.0"  # noqa: S104  (the educator asked for the local network)
    everywhere = host in ("0.0.0.0", "::")  # noqa: S104  (only compared, to print an address)
    shown = lan_address() if lan else ("127.0.0.1" if everywhere else host)
    app = current_app._get_current_object()
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        _fail(f"Cannot listen on {host}:{port}: {exc.strerror}. Is another server using it? "
              "Try --port with another number.")
    url = f"http://{shown}:{port}"
    # A classroom network gets the workshop and the public API only, unless asked otherwise.
    app.config["BTF_CURATE_ENABLED"] = not lan or with_curate
    # Participants' links and QR codes name the address we listen on, never a request's Host.
    app.config["BTF_PUBLIC_URL"] = app.config.get("BTF_PUBLIC_URL") or url
    print_welcome(app.config["BTF_PUBLIC_URL"], lan, app.config["BTF_CURATE_ENABLED"])
    serve(app, host=host, port=port, threads=threads, ident="behind-the-feed")


# The curators' and the scrapers' commands live beside their code.
cli.add_command(create_user_command)
cli.add_command(scrape)

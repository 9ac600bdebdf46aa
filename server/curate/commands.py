"""`behind-the-feed create-user EMAIL`: make an account from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from .. import db, operations
from ..models import ROLES


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="curator", show_default=True,
              help="contributor: drafts; curator: edits, reviews, publishes; admin: also users.")
@click.option("--name", "display_name", default=None,
              help="The name shown in the history (default: the part of the email before @).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
@with_appcontext
def create_user_command(email: str, role: str, display_name: str | None,
                        password_stdin: bool) -> None:
    """Create an account that can sign in at /curate/login."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db.migrate()
    session = db.get_session()
    try:
        user = operations.create_user(session, email=email, password=password, role=role,
                                      display_name=display_name)
    except operations.Invalid as exc:
        operations.rollback(session)
        lines = [f"  {name.replace('_', ' ')}: {message}"
                 for name, messages in exc.fields.items() for message in messages]
        raise click.ClickException("The account was not created:\n" + "\n".join(lines)) from exc
    operations.commit(session)
    click.echo(f"Created the {user.role} account {user.email} ({user.display_name}). "
               "Sign in at /curate/login.")

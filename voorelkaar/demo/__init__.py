"""Demo data for Meppel: `flask --app wsgi seed-demo`."""

import click
from flask import Flask
from flask.cli import with_appcontext

from voorelkaar.db import get_session
from voorelkaar.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the Meppel demo (idempotent: a second run adds nothing)."""
    added = seed_demo(get_session())
    click.echo(f"Demodata: {added} nieuwe rijen toegevoegd.")
    click.echo(f"Demo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.label:<28} {account.email}")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)

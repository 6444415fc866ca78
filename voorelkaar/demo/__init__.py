"""Demo data for Meppel: `flask --app wsgi seed-demo`."""

import click
import pyotp
from flask import Flask
from flask.cli import with_appcontext

from voorelkaar.auth.access import BACK_OFFICE
from voorelkaar.db import get_session
from voorelkaar.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the Meppel demo (idempotent: a second run adds nothing)."""
    added = seed_demo(get_session())
    click.echo(f"Demodata: {added} nieuwe rijen toegevoegd.")
    click.echo(f"Demo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        code = " (+ code)" if set(account.roles) & set(BACK_OFFICE) else ""
        click.echo(f"  {account.label:<28} {account.email}{code}")
    click.echo("De beheer-accounts (+ code) vragen na het wachtwoord een code uit een app.")
    click.echo(f"Zet sleutel {DEMO_TOTP_SECRET} in een app, of vraag de code met:")
    click.echo("  flask --app wsgi demo-code")


@click.command("demo-code")
def demo_code_command():
    """The code the demo's back-office accounts log in with now (valid for 30 seconds)."""
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_code_command)

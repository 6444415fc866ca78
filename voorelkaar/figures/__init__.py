"""Figures for the municipality: per wijk, category and month, read from rollups."""

import click
from flask import Flask
from flask.cli import AppGroup

from voorelkaar.db import get_session, utcnow

figures_cli = AppGroup("figures", help="De cijfers: sommen per maand, wijk en categorie.")


@figures_cli.command("rebuild")
def rebuild_command():
    """Recompute every figure rollup from the whole history (after an import, say)."""
    from voorelkaar.figures import rollups

    rows = rollups.rebuild(get_session(), utcnow())
    click.echo(f"Cijfers opnieuw berekend: {rows} regels.")


@figures_cli.command("refresh")
def refresh_command():
    """Recompute the months changed since the last run (what the "cijfers" job does)."""
    from voorelkaar.figures import rollups

    months = rollups.refresh(get_session(), utcnow())
    click.echo(f"Cijfers bijgewerkt: {months} maanden.")


def init_app(app: Flask) -> None:
    from voorelkaar.figures import stale

    stale.listen()
    app.cli.add_command(figures_cli)

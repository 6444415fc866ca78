"""A second factor for logging in: a code from an app, required for the back office."""

import click
from flask import Flask, flash, redirect, request, url_for
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from voorelkaar.auth.access import in_back_office

# What a back-office person without the code may still reach: the set-up itself, logging
# out, the language, and what every page needs.
REACHABLE_BEFORE_SET_UP = {
    "static",
    "auth.logout",
    "pages.set_language",
    "pages.healthz",
    "second_factor.setup",
}
SET_UP_FIRST = _l(
    "U werkt in het beheer. Stel eerst inloggen met een code in. Daarna kunt u verder."
)


def require_for_back_office():
    """The one rule: staff, consultants and admins reach nothing before the code is set up."""
    if request.endpoint in REACHABLE_BEFORE_SET_UP or request.blueprint == "api":
        return None
    if not current_user.is_authenticated or current_user.has_second_factor:
        return None
    if not in_back_office(current_user):
        return None
    flash(SET_UP_FIRST, "info")
    return redirect(url_for("second_factor.setup"))


@click.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor_command(email):
    """Remove the code of someone who lost their phone and recovery codes."""
    from voorelkaar.auth.services import find_user_by_email
    from voorelkaar.db import get_session
    from voorelkaar.second_factor.services import forget

    db = get_session()
    user = find_user_by_email(db, email)
    if user is None:
        raise click.ClickException("Geen account met dit e-mailadres.")
    forget(db, user)
    from voorelkaar import audit

    audit.security_event(db, audit.SECOND_FACTOR_OFF, person=user, reason="hersteld door beheer")
    audit.seal(db)
    click.echo("Inloggen met een code staat uit. Bij de volgende keer inloggen stelt")
    click.echo("deze persoon het opnieuw in (verplicht voor het beheer).")


def init_app(app: Flask) -> None:
    app.before_request(require_for_back_office)
    app.cli.add_command(reset_second_factor_command)

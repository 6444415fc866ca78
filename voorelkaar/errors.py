"""Error pages in the site's own layout: never a traceback."""

import logging
import secrets

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from voorelkaar import face, kept_forms, tenancy
from voorelkaar.db import get_session
from voorelkaar.extensions import login_manager

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Er ging iets mis"), _l("Uw verzoek kon niet worden verwerkt. Probeer het opnieuw.")),
    403: (_l("Geen toegang"), _l("U mag deze pagina niet bekijken.")),
    404: (_l("Pagina niet gevonden"), _l("Deze pagina bestaat niet (meer). Controleer het adres.")),
    405: (_l("Dit kan zo niet"), _l("Deze pagina werkt niet op deze manier.")),
    413: (_l("Te veel tekst"), _l("U stuurde te veel tekst in één keer. Maak het korter.")),
    429: (
        _l("Even wachten"),
        _l("U heeft het te vaak geprobeerd. Wacht een paar minuten en probeer het dan opnieuw."),
    ),
    500: (
        _l("Er ging iets mis bij ons"),
        _l("Dit is niet uw fout. Probeer het later nog eens."),
    ),
    503: (
        _l("De site is even niet bereikbaar"),
        _l("Dit is niet uw fout. We werken eraan. Probeer het over een paar minuten opnieuw."),
    ),
}
# How long a browser or a proxy should wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 60


def render_error(status: int, message=None, incident: str | None = None):
    """The error page for status, in the normal layout.

    incident: the id under which the log holds what went wrong, so that a person who calls
    can name it and support can find the log line.
    """
    title, default_message = MESSAGES.get(status, MESSAGES[500])
    message = message or default_message
    if status == 503:  # the database is away: the face falls back to the configuration
        _without_database()
    else:
        _load_the_face()
    try:
        body = render_template(
            "errors/error.html", status=status, title=title, message=message, incident=incident
        )
    except Exception:  # the layout itself failed (the database may be away): still no traceback
        log.warning("rendering the error page in the layout failed", exc_info=True)
        _without_database()
        try:
            body = render_template(
                "errors/error.html", status=status, title=title, message=message, incident=incident
            )
        except Exception:
            log.warning("rendering the error page without the database failed", exc_info=True)
            body = (
                f"<!doctype html><html lang=nl><title>{escape(title)}</title>"
                f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
                + (f"<p>Foutcode: {status}-{incident}</p>" if incident else "")
            )
    return body, status


def _load_the_face() -> None:
    """Ask the database for the visitor and their municipality before the layout does.

    A page that failed may have failed because the database went away; then the error
    page shows the plain face (no one logged in, no municipality) instead of failing too.
    """
    if g.get(face.NO_DATABASE):
        return
    try:
        _ = current_user.is_authenticated  # loads the user of the cookie
        tenancy.current_municipality(get_session())
    except SQLAlchemyError:
        log.warning("the error page renders without the database", exc_info=True)
        _roll_back()
        _without_database()


def _without_database() -> None:
    """Render the layout without asking the database: nobody logged in, no municipality,
    so no contact shown and no kept form given back."""
    g.municipality_id = None
    g.kept_form = None
    g._login_user = login_manager.anonymous_user()  # what Flask-Login's current_user reads
    g.setdefault(face.NO_DATABASE, True)


def new_incident() -> str:
    """A short id for one failure, shown on the page and written in the log."""
    return secrets.token_hex(4)


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # made for this case, such as the guarded login page
        return error.response
    return render_error(error.code)


def handle_csrf_error(_error: CSRFError):
    """An expired form goes back to its page with what was typed; a forged one gets this page."""
    return kept_forms.back_to_the_form() or render_error(
        400, _l("Het formulier was verlopen. Open de pagina opnieuw en probeer het nog een keer.")
    )


def _roll_back() -> None:
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except Exception:  # the connection is gone with the database
            log.warning("rollback failed", exc_info=True)


def handle_unexpected(error: Exception):
    _roll_back()
    incident = new_incident()
    # The path only: query strings may carry tokens.
    log.exception("unexpected error on %s %s (incident %s)", request.method, request.path, incident)
    return render_error(500, incident=incident)


def note_database_away(error: OperationalError) -> str:
    """Roll back and log that the database is away; return the incident id."""
    _roll_back()
    incident = new_incident()
    log.error(
        "database unavailable on %s %s (incident %s): %s",
        request.method,
        request.path,
        incident,
        type(error.orig).__name__ if error.orig is not None else type(error).__name__,
    )
    return incident


def handle_database_away(error: OperationalError):
    """The database cannot be reached: 503 and "try again in a minute", not a 500."""
    body, status = render_error(503, incident=note_database_away(error))
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(OperationalError, handle_database_away)
    app.register_error_handler(Exception, handle_unexpected)

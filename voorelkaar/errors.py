"""Error pages in the site's own layout: never a traceback."""

import logging

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from voorelkaar import kept_forms

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
        _l(
            "Dit is niet uw fout. Probeer het later nog eens. Blijft het misgaan? Neem contact met ons op."
        ),
    ),
}


def render_error(status: int, message=None):
    """The error page for status, in the normal layout."""
    title, default_message = MESSAGES.get(status, MESSAGES[500])
    try:
        body = render_template(
            "errors/error.html", status=status, title=title, message=message or default_message
        )
    except Exception:  # the layout itself failed: still no traceback
        log.exception("rendering the error page failed")
        body = f"<!doctype html><html lang=nl><title>{status}</title><h1>{status}</h1>"
    return body, status


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)


def handle_csrf_error(_error: CSRFError):
    """An expired form goes back to its page with what was typed; a forged one gets this page."""
    return kept_forms.back_to_the_form() or render_error(
        400, _l("Het formulier was verlopen. Open de pagina opnieuw en probeer het nog een keer.")
    )


def handle_unexpected(error: Exception):
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    # The path only: query strings may carry tokens.
    log.exception("unexpected error on %s %s", request.method, request.path)
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)

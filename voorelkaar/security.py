"""Security headers on every response, and safe redirect targets."""

import logging
import re
from urllib.parse import urlsplit

from flask import Flask, abort, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)


# Endpoints that say themselves how long their answers may be kept, holding no personal
# data (features add theirs); voorelkaar.http decides for every other answer.
CACHEABLE_ENDPOINTS = {"static"}


def set_security_headers(response):
    """Add the headers of the foundation issue (who may keep a page: voorelkaar.http)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if _is_production():
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def _is_production() -> bool:
    from flask import current_app

    return current_app.config["VOORELKAAR_ENV"] == "production"


def safe_next(target: str | None) -> str | None:
    """target if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# Paths that carry a secret (reset, answer, invitation, unsubscribe and referral links),
# any long token-like path segment, and query strings.
SECRET_IN_PATH = re.compile(
    r"(/(?:wachtwoord-herstellen|antwoord|uitnodiging|afmelden|verwijzing|bevestigen)/)"
    r"[^\s/?\"]+"
    r"|(/)[A-Za-z0-9_\-.]{24,}(?=[/\s?\"]|$)"
    r"|\?[^\s\"]*"
)


# Personal data that may still ride along in a message or an exception's text (an input
# echoed in a ValueError, say): an email address, a Dutch postcode, a phone number.
PERSONAL = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mailadres]"),
    (re.compile(r"\b[1-9]\d{3} ?[A-Z]{2}\b"), "[postcode]"),
    (re.compile(r"(?:\+31|\b0)[1-9](?:[ -]?\d){8}\b"), "[telefoon]"),
)


def redact(text: str) -> str:
    """text without the secrets of SECRET_IN_PATH and without PERSONAL data."""
    text = SECRET_IN_PATH.sub(_redacted, text)
    for pattern, replacement in PERSONAL:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Keep tokens and personal data out of every log line, tracebacks included: a request
    line shows the route, not the secret.

    Sits on the handlers of the root logger and on gunicorn's loggers (which do not pass
    their lines to the root), so the access logs of the development server and of
    gunicorn, and every message of the app itself, are cleaned the same way.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):  # gunicorn's access log: named atoms
            record.args = {
                key: redact(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
        elif record.args:
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _redacted(match: re.Match) -> str:
    return (match.group(1) or match.group(2) or "?") + "[verborgen]"


# Control characters (a NUL breaks PostgreSQL); tab, newline and carriage return are text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters():
    """A query string with a control character is a 400, before any view reads it.

    Forms clean what is posted (forms.clean_text); what is read from the address is
    refused here, once for every page, so no search or filter passes a NUL to the database.
    The API checks its parameters itself, answering 422 with the field named.
    """
    if request.blueprint == "api":
        return
    for key, value in request.args.items(multi=True):
        if CONTROL_CHARACTERS.search(key) or CONTROL_CHARACTERS.search(value):
            abort(400)


# Loggers that write through their own handlers instead of the root's.
OWN_HANDLER_LOGGERS = ("gunicorn.access", "gunicorn.error")


def install_redaction() -> None:
    """One filter on every handler that writes log lines (root and gunicorn's)."""
    handlers = list(logging.getLogger().handlers)
    for name in OWN_HANDLER_LOGGERS:
        handlers += logging.getLogger(name).handlers
    for handler in handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
    # A handler added later (gunicorn sets up its own after loading us) still passes
    # through the logger's filter for lines logged on that logger itself.
    for name in ("werkzeug", *OWN_HANDLER_LOGGERS):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)
    app.after_request(set_security_headers)
    install_redaction()

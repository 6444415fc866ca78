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


def set_security_headers(response):
    """Add the headers of the foundation issue; pages are never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.endpoint != "static":
        # Pages may show personal data; a shared computer must not keep them.
        headers["Cache-Control"] = "no-store"
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


# Paths that carry a secret (reset links, later answer links), and query strings.
SECRET_IN_PATH = re.compile(r"(/wachtwoord-herstellen/)[^\s?\"]+|\?[^\s\"]*")


class RedactSecrets(logging.Filter):
    """Keep tokens out of access logs: the request line shows the route, not the secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                SECRET_IN_PATH.sub(_redacted, arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = SECRET_IN_PATH.sub(_redacted, record.msg)
        return True


def _redacted(match: re.Match) -> str:
    return (match.group(1) or "?") + "[verborgen]"


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


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)
    app.after_request(set_security_headers)
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactSecrets) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactSecrets())

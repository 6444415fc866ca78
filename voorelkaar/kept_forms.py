"""A form sent after its session ended loses nothing: what was typed comes back after login.

A POST can be refused before its view runs: the CSRF token expired (or the cookie with it
is gone), or the login session ended on the server (login_required). Then keep_this_form
keeps the typed fields for an hour in kept_forms, leaving out passwords and the form's own
tokens, under a random key that only this browser's (signed) session cookie holds, with
the page the form was on: the page the browser came from (Referer), which may differ from
the form's action, as for the small forms on a request's page.

The person is sent back to that page, through the login page when it needs a login; the
key survives logging in (auth.sessions.start_session). When that page is shown by GET, its
forms get the kept fields just before the template renders, so whatever the view did to
them first (defaults, choices) is overwritten by what was typed. Hand-written forms ask
kept_value(name, action) in their template. A kept form is given back once, only to the
person who typed it when known, and only within KEEP.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from flask import (
    Flask,
    before_render_template,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import Form

from voorelkaar.db import get_session, utcnow
from voorelkaar.models import KeptForm
from voorelkaar.security import safe_next

SESSION_KEY = "kept_form"
KEEP = timedelta(hours=1)
LARGEST = 64 * 1024  # characters of JSON; a form's text is far less
# Never kept: passwords, and the tokens that must be fresh (a prefixed form ends in them).
NOT_KEPT = re.compile(r"(?:^|-)(?:csrf_token|form_token)$|password|wachtwoord", re.IGNORECASE)

SESSION_KEPT = _l(
    "Uw sessie was verlopen. We hebben bewaard wat u had ingevuld. "
    "Controleer het en verstuur het opnieuw."
)
FORM_KEPT = _l(
    "Dit formulier was verlopen. We hebben bewaard wat u had ingevuld. "
    "Controleer het en verstuur het opnieuw."
)
LOG_IN_KEPT = _l("Uw sessie was verlopen. Log opnieuw in. Daarna ziet u terug wat u had ingevuld.")
LOG_IN_AGAIN = _l("Uw sessie was verlopen. Log opnieuw in.")
TRY_AGAIN = _l("Dit formulier was verlopen. Probeer het opnieuw.")


@dataclass(frozen=True)
class Kept:
    """The fields kept of a form that posted to action."""

    action: str
    fields: list[tuple[str, str]]

    def value(self, name: str) -> str:
        return next((value for field, value in self.fields if field == name), "")


def keep_this_form(*, session_ended: bool) -> tuple[str, bool]:
    """Keep what this POST typed for the page its form was on: (that page, whether kept)."""
    page = _page_of_the_form()
    fields = [(name, value) for name, value in request.form.items(multi=True) if _kept(name)]
    text = json.dumps(fields, ensure_ascii=False)
    typed = any(value.strip() for _name, value in fields)
    if not typed or len(text) > LARGEST or not _from_this_site():
        return page, False
    db = get_session()
    _forget_kept_here(db)
    key = secrets.token_urlsafe(32)
    db.add(KeptForm(key_hash=_digest(key), user_id=_who_typed(), fields=text))
    db.commit()
    session[SESSION_KEY] = {
        "key": key,
        "page": page,
        "action": request.path,
        "ended": session_ended,
    }
    return page, True


def back_to_the_form():
    """After an expired form: keep what it typed and show its page again; None if not from here."""
    if not _from_this_site():
        return None
    logged_in = current_user.is_authenticated
    page, kept = keep_this_form(session_ended=not logged_in)
    if not kept:
        flash(TRY_AGAIN, "info")
    # A page that needs a login sends to the login page first, saying so (waiting_for).
    return redirect(page)


def waiting_for(path: str) -> bool:
    """Whether a kept form waits for the page at path, in this browser."""
    note = session.get(SESSION_KEY)
    return bool(note) and urlsplit(note["page"]).path == path


def kept_value(name: str, action: str) -> str:
    """For a hand-written form posting to action: what was typed in its field name, if kept."""
    kept = _kept_for_this_page()
    return kept.value(name) if kept is not None and kept.action == action else ""


def forget_kept_forms(db: Session, now: datetime) -> int:
    """Forget kept forms older than KEEP: nobody came back for them."""
    result = db.execute(delete(KeptForm).where(KeptForm.created_at < now - KEEP))
    db.commit()
    return result.rowcount


def _kept(name: str) -> bool:
    return NOT_KEPT.search(name) is None


def _page_of_the_form() -> str:
    """The page the browser came from, on this site; else the form's own address; else home."""
    came_from = urlsplit(request.referrer or "")
    pages = [request.path]
    if came_from.netloc == request.host:
        pages.insert(0, urlunsplit(("", "", came_from.path, came_from.query, "")))
    adapter = current_app.create_url_adapter(request)
    for page in pages:
        if safe_next(page) and adapter.test(urlsplit(page).path, "GET"):
            return page
    return url_for("pages.home")


def _from_this_site() -> bool:
    """Whether the browser says this POST came from a page of this site (not a forged one)."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from:
        return fetched_from == "same-origin"
    sender = request.headers.get("Origin") or request.referrer
    return bool(sender) and urlsplit(sender).netloc == request.host


def _who_typed() -> int | None:
    """The person, also when their login just ended: the cookie still names them."""
    if current_user.is_authenticated:
        return current_user.id
    user_id = str(session.get("_user_id") or "")
    return int(user_id) if user_id.isdecimal() and len(user_id) < 10 else None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _forget_kept_here(db: Session) -> None:
    """One kept form per browser: a newer one replaces it."""
    note = session.pop(SESSION_KEY, None)
    if note:
        db.execute(delete(KeptForm).where(KeptForm.key_hash == _digest(note["key"])))


def _kept_for_this_page() -> Kept | None:
    """The form kept for the page of this GET, given back once; else None."""
    if not has_request_context():  # an email rendered by the scheduler
        return None
    if "kept_form" in g:
        return g.kept_form
    g.kept_form = None
    if request.method != "GET" or not waiting_for(request.path):
        return None
    note, db = session[SESSION_KEY], get_session()
    row = db.scalar(select(KeptForm).where(KeptForm.key_hash == _digest(note["key"])))
    if row is not None and row.user_id is not None and not current_user.is_authenticated:
        return None  # theirs, once they have logged in again
    session.pop(SESSION_KEY)
    if row is None:
        return None
    db.delete(row)
    db.commit()
    someone_else = row.user_id is not None and row.user_id != current_user.id
    if someone_else or row.created_at < utcnow() - KEEP:
        return None
    g.kept_form = Kept(note["action"], [tuple(field) for field in json.loads(row.fields)])
    flash(SESSION_KEPT if note["ended"] else FORM_KEPT, "info")
    return g.kept_form


def _forms_in(context: dict):
    """The forms a template is given, also in a list or dict (one per item on the page)."""
    for value in context.values():
        if isinstance(value, Form):
            yield value
        elif isinstance(value, list | tuple | dict):
            items = value.values() if isinstance(value, dict) else value
            yield from (item for item in items if isinstance(item, Form))


def _put_back(_app, template, context, **_extra) -> None:
    """Before a page renders: its forms show what was kept for it."""
    kept = _kept_for_this_page()
    if kept is None:
        return
    names = {name for name, _value in kept.fields}
    for form in _forms_in(context):
        if any(field.name in names for field in form):
            form.process(MultiDict(kept.fields))


def init_app(app: Flask) -> None:
    """Put kept fields back into forms before their page renders; offer kept_value() to templates."""
    before_render_template.connect(_put_back, app)
    app.jinja_env.globals["kept_value"] = kept_value

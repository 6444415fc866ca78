"""Logged-in sessions that the server can end, not only the browser."""

import hashlib
import secrets
from datetime import timedelta

import click
from flask import Flask, current_app, flash, redirect, request, session
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from flask_login import login_url, login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from voorelkaar import kept_forms
from voorelkaar.auth.access import in_back_office
from voorelkaar.db import get_session, utcnow
from voorelkaar.extensions import login_manager
from voorelkaar.models import User, UserSession

SESSION_KEY = "sid"
# What outlives logging in: the language, and a form kept while the session had ended.
CARRIED_OVER = ("locale", kept_forms.SESSION_KEY)
# Writing last_seen_at on every request would cost a write per page view; once a minute
# keeps the 30-minute idle limit of the back office within a minute.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def digest_token(token: str) -> str:
    """What is stored of a secret token: its sha256, so a stolen database gives no tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User) -> None:
    """Log user in with a fresh session: nothing of the old cookie carries over."""
    token = secrets.token_urlsafe(32)
    db.add(UserSession(user_id=user.id, token_hash=digest_token(token)))
    user.last_login_at = utcnow()
    db.commit()
    carried = {key: session[key] for key in CARRIED_OVER if key in session}
    session.clear()
    session.update(carried)
    session[SESSION_KEY] = token
    session.permanent = True
    login_user(user)


def end_session(db: Session) -> None:
    """Log out here, and make this browser's cookie worthless everywhere."""
    token = session.get(SESSION_KEY)
    if token:
        db.execute(
            update(UserSession)
            .where(UserSession.token_hash == digest_token(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        db.commit()
    logout_user()
    session.clear()


def revoke_all_sessions(db: Session, user: User, *, keep_current: bool = False) -> None:
    """End every session of user (after a password change), maybe except this one."""
    statement = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    token = session.get(SESSION_KEY)
    if keep_current and token:
        statement = statement.where(UserSession.token_hash != digest_token(token))
    db.execute(statement.values(revoked_at=utcnow()))


def load_user(user_id: str) -> User | None:
    """The user of this cookie, if its session is still open on the server."""
    token = session.get(SESSION_KEY)
    if not token or not user_id.isdigit():
        return None
    db = get_session()
    # One query per request: the session row and its user together.
    found = db.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.token_hash == digest_token(token),
            UserSession.user_id == int(user_id),
            UserSession.revoked_at.is_(None),
        )
    ).first()
    if found is None:
        return None
    row, user = found
    if not user.is_active or has_ended(row, user, utcnow()):
        return None
    now = utcnow()
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
        db.commit()
    return user


def has_ended(row: UserSession, user: User, now) -> bool:
    """A login ends 12 hours after it began, or after an idle time that depends on the role."""
    config = current_app.config
    absolute = timedelta(seconds=config["SESSION_ABSOLUTE_LIFETIME"])
    idle_key = "SESSION_IDLE_BACK_OFFICE" if in_back_office(user) else "PERMANENT_SESSION_LIFETIME"
    idle = timedelta(seconds=config[idle_key])
    return row.created_at + absolute < now or row.last_seen_at + idle < now


def end_all_sessions(db: Session) -> int:
    """End every open login. A step of restoring a backup: the restored database does not
    know of logins ended after the backup was made, and must not let them in again."""
    ended = db.execute(
        update(UserSession).where(UserSession.revoked_at.is_(None)).values(revoked_at=utcnow())
    ).rowcount
    db.commit()
    return ended


@click.command("end-all-sessions")
@with_appcontext
def end_all_sessions_command():
    """Log everyone out (after restoring a backup)."""
    ended = end_all_sessions(get_session())
    click.echo(f"{ended} sessies beëindigd: iedereen logt opnieuw in.")


def ask_to_log_in():
    """To the login page and back; a POST refused for an ended session keeps what it typed."""
    if request.method == "POST":
        page, kept = kept_forms.keep_this_form(session_ended=True)
        message = kept_forms.LOG_IN_KEPT if kept else kept_forms.LOG_IN_AGAIN
    else:
        page = request.url
        if not kept_forms.waiting_for(request.path):
            # The login page says why (it has a form, so a session, anyway): this redirect
            # sets no cookie for a visitor who followed a link to a page behind the login.
            return redirect(login_url(login_manager.login_view, next_url=page))
        message = kept_forms.LOG_IN_KEPT
    flash(message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=page))


def init_app(app: Flask) -> None:
    app.cli.add_command(end_all_sessions_command)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(ask_to_log_in)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "info"

"""Creating is idempotent: a form's one-time token lands a second POST on the first result.

Every rendered form that creates something carries a fresh token: the `form_token` field
of forms.CreatingForm, or `form_token()` in a hand-written template. Its view asks first:

    item = already_created(db, current_user, HelpRequest) or services.post_request(...)

The first POST with a token claims it: an INSERT, flushed in the view's transaction before
the service runs. A session hook writes the id of the row the service then creates on the
token, so the claim and that row commit together, or neither does (a token is never
committed without its row). A second POST with the same token gets the first row back; one
that arrives while the first is still running waits for it on the unique index (PostgreSQL)
or the write lock (SQLite), then finds it. Tokens are per person: another's token is only
ever a new token.

Back + resubmit is a different case: the browser fetches the form again (pages are
no-store), puts back what was typed, but keeps the page's new token. So a POST from the
same person, to the same address, with the same content within RESUBMIT_WINDOW lands on
the first result too. A POST without a token (a page from before tokens, a hand-made
client) is served with a token of its own and gets that same protection.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from flask import Flask, current_app, request
from sqlalchemy import and_, delete, event, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar.db import utcnow
from voorelkaar.models import FormToken, User

FIELD = "form_token"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Fields that differ between two renders of the same form (prefixed forms end in them).
NOT_CONTENT = {FIELD, "csrf_token"}
RESUBMIT_WINDOW = timedelta(minutes=10)
KEEP = timedelta(days=30)
_PENDING = "voorelkaar.idempotency.pending"

Created = TypeVar("Created")


def new_token() -> str:
    """A fresh one-time form token."""
    return secrets.token_urlsafe(24)


@dataclass
class _Pending:
    """A token claimed in this session, waiting for the row of kind it is about to create."""

    token: FormToken
    kind: type
    created: object | None = None


def already_created(db: Session, user: User, kind: type[Created]) -> Created | None:
    """What an earlier POST of this form created; else None, with the token claimed for this one.

    After None the caller creates its row of kind and commits; the token commits with it.
    """
    user_id, digest, token = user.id, _digest(), _submitted_token()
    for _look in range(2):
        earlier, spent = _earlier(db, user_id, kind, token, digest)
        if earlier is not None:
            return earlier
        if spent:
            token = new_token()  # it made something else, or what it made is gone
        if _claim(db, user_id, kind, token, digest):
            return None
        # A POST with this token was running: we waited for it to commit. Look again.
    raise RuntimeError("a form token taken twice")  # a fresh token cannot be taken


def _claim(db: Session, user_id: int, kind: type, token: str, digest: str) -> bool:
    claimed = FormToken(
        user_id=user_id, token=token, created_kind=kind.__tablename__, digest=digest
    )
    db.add(claimed)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        return False
    db.info[_PENDING] = _Pending(claimed, kind)
    return True


def _submitted_token() -> str:
    """The form's token (a form with a prefix sends it as prefix-form_token), or a new one."""
    submitted = next(
        (value for name, value in request.form.items() if name.rsplit("-", 1)[-1] == FIELD), ""
    )
    return submitted if TOKEN_SHAPE.fullmatch(submitted) else new_token()


def _digest() -> str:
    """A keyed hash of where the form goes and what it says, leaving out its tokens."""
    content = sorted(
        (name, value)
        for name, value in request.form.items(multi=True)
        if name.rsplit("-", 1)[-1] not in NOT_CONTENT
    )
    message = json.dumps([request.path, content], ensure_ascii=False).encode()
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _earlier(db: Session, user_id: int, kind: type, token: str, digest: str):
    """(The row an earlier POST created, whether token is already spent)."""
    rows = db.scalars(
        select(FormToken)
        .where(
            FormToken.user_id == user_id,
            or_(
                FormToken.token == token,
                and_(
                    FormToken.created_kind == kind.__tablename__,
                    FormToken.digest == digest,
                    FormToken.created_at > utcnow() - RESUBMIT_WINDOW,
                ),
            ),
        )
        .order_by(FormToken.id)
    ).all()
    by_token = [row for row in rows if row.token == token]
    candidates = by_token or rows
    for row in candidates:
        if row.created_kind == kind.__tablename__ and row.created_id is not None:
            created = db.get(kind, row.created_id)
            if created is not None:
                return created, True
    return None, bool(by_token)


def _note_created(session: Session, _flush_context) -> None:
    """The first row of the claimed kind that this session writes is what the token made."""
    pending = session.info.get(_PENDING)
    if pending is None or pending.created is not None:
        return
    inserted = [item for item in session.new if isinstance(item, pending.kind)]
    # An update counts when nothing is inserted: an invitation may revive an old match.
    updated = [item for item in session.dirty if isinstance(item, pending.kind)]
    if inserted or updated:
        pending.created = (inserted or updated)[0]


def _write_created(session: Session, _flush_context) -> None:
    # After the flush its id is known; the commit flushes the token again with it.
    pending = session.info.get(_PENDING)
    if pending is not None and pending.created is not None and pending.token.created_id is None:
        pending.token.created_id = pending.created.id


def _unclaim_if_nothing_made(session: Session) -> None:
    """A token commits only with what it made; else the claim is undone."""
    pending = session.info.get(_PENDING)
    if pending is None:
        return
    session.flush()
    if pending.created is None:
        session.delete(pending.token)
        session.info.pop(_PENDING)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)


def forget_old_tokens(db: Session, now: datetime) -> int:
    """Forget tokens older than KEEP: a form is not sent again a month later."""
    result = db.execute(delete(FormToken).where(FormToken.created_at < now - KEEP))
    db.commit()
    return result.rowcount


def init_app(app: Flask) -> None:
    """Watch the app's sessions for what claimed tokens create; offer form_token() to templates."""
    sessions = app.extensions["voorelkaar.sessionmaker"]
    event.listen(sessions, "after_flush", _note_created)
    event.listen(sessions, "after_flush_postexec", _write_created)
    event.listen(sessions, "before_commit", _unclaim_if_nothing_made)
    event.listen(sessions, "after_commit", _forget)
    event.listen(sessions, "after_rollback", _forget)
    app.jinja_env.globals["form_token"] = new_token

"""The outbox: write a message in the caller's transaction; send due ones later."""

import logging
import uuid
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from voorelkaar.db import utcnow
from voorelkaar.models import OutboxMessage, User
from voorelkaar.notify.backends import MailError, backend_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 300


def enqueue_email(
    db: Session,
    *,
    key: str,
    user: User,
    template: str,
    kind: str,
    send_after: datetime | None = None,
    **context,
) -> OutboxMessage:
    """Add an email for user, rendered in their language; the caller commits."""
    with force_locale(user.locale or "nl"):
        subject = render_template(f"emails/{template}.subject.txt", user=user, **context).strip()
        text = render_template(f"emails/{template}.txt", user=user, **context)
        html = render_template(f"emails/{template}.html", user=user, subject=subject, **context)
    domain = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].rstrip(">")
    message = OutboxMessage(
        idempotency_key=key,
        message_id=f"<{uuid.uuid4()}@{domain}>",
        user_id=user.id,
        to_address=user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=kind,
        send_after=send_after or utcnow(),
    )
    db.add(message)
    return message


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 24 * 60))


def claim_due(db: Session, now: datetime, limit: int = 50) -> list[OutboxMessage]:
    """Claim up to limit due messages, so no other dispatcher sends them too."""
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.send_after <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.scalars(due))
    claimed = []
    for message_id in ids:
        # A conditional update: only one dispatcher wins each row.
        result = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.sent_at.is_(None),
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    db.commit()
    return [db.get(OutboxMessage, message_id) for message_id in claimed]


def dispatch_outbox(db: Session, now: datetime) -> int:
    """Send every due message over one connection; retry failures with backoff."""
    messages = claim_due(db, now)
    if not messages:
        return 0
    sent = 0
    backend = backend_for(current_app.config, current_app.instance_path)
    try:
        with backend:
            for message in messages:
                sent += _send_one(db, backend, message, now)
    except MailError as error:  # no connection at all: every claimed message waits
        for message in messages:
            if message.sent_at is None:
                _record_failure(message, now, error)
                message.claimed_until = None
        db.commit()
    log.info("outbox: %d of %d messages sent", sent, len(messages))
    return sent


def _send_one(db: Session, backend, message: OutboxMessage, now: datetime) -> int:
    try:
        backend.send(message, current_app.config["MAIL_FROM"])
    except MailError as error:
        _record_failure(message, now, error)
        sent = 0
    else:
        message.sent_at = now
        sent = 1
    message.claimed_until = None
    db.commit()
    return sent


def _record_failure(message: OutboxMessage, now: datetime, error: Exception) -> None:
    message.attempts += 1
    # The error text of SMTP servers can quote addresses; keep its class only.
    message.last_error = type(error).__name__
    if message.attempts >= MAX_ATTEMPTS:
        message.failed_at = now
        log.warning("outbox: message %d failed for good", message.id)
    else:
        message.send_after = now + _backoff(message.attempts)
        log.warning("outbox: message %d failed, attempt %d", message.id, message.attempts)

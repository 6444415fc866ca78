"""The outbox: write a message in the caller's transaction; send due ones later."""

import logging
import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.errors import MessageError

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from voorelkaar import face
from voorelkaar.db import utcnow
from voorelkaar.models import OutboxMessage, StaffTask, TaskKind, User
from voorelkaar.notify.backends import ConnectionLost, MailError, backend_for, build_message
from voorelkaar.notify.preferences import unsubscribe_link

# (file name, MIME type, text), such as ("afspraak.ics", "text/calendar", "BEGIN:...").
Attachment = tuple[str, str, str]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # refusals by the server; a server out of reach does not count
# A message the connection breaks on this many times in a row has that counted as one
# attempt: the server was reached, and something about this message makes it hang up.
LOSSES_PER_ATTEMPT = 3
# The losses in a row are counted in last_error, so that no column is needed for them.
_LOSSES = re.compile(r"ConnectionLost(?: \((\d+) in a row\))?")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
BATCH_SIZE = 50  # messages claimed at a time, and sent over one SMTP connection
# The message in flight when the connection broke waits as long again as it has waited,
# within these bounds: if that message is what breaks the connection, the rest of the
# queue goes on without it, and the server is not made to drop it every pass.
STEP_ASIDE = (timedelta(minutes=1), timedelta(hours=1))


def enqueue_email(
    db: Session,
    *,
    key: str,
    user: User | None = None,
    template: str,
    kind: str,
    send_after: datetime | None = None,
    optional: str | None = None,
    attachment: Attachment | None = None,
    address: str | None = None,
    **context,
) -> OutboxMessage | StaffTask | None:
    """Add an email for user, rendered in their language; the caller commits.

    Someone without an email address (taken in by phone) gets a staff task instead: call
    them, or print the same message as a letter (call_instead). Every sender comes
    through here, so nobody's news is lost and no mail is addressed to nobody. That task
    is returned (None when the same key already made one).

    optional names the kind of optional mail (see preferences.OPTIONAL) this is: the
    email then carries a link, and List-Unsubscribe headers, to stop that kind.
    Without a user, the email goes to address, in Dutch: someone invited before they
    have an account. Such mail cannot be optional.
    """
    if user is None and (not address or optional):
        raise ValueError("an email without a user needs an address and cannot be optional")
    unsubscribe = unsubscribe_link(user, optional) if optional else None
    context.update(user=user, unsubscribe_url=unsubscribe)
    # The recipient's municipality gives the mail its face, not the host of the request
    # (if any) that sends it: the scheduler sends outside any request.
    if context.get("municipality") is None:
        context["municipality"] = face.municipality_of(db, user)
    with force_locale((user.locale if user else None) or "nl"):
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        # Parts a template leaves out would leave runs of empty lines behind.
        text = _BLANK_LINES.sub("\n\n", render_template(f"emails/{template}.txt", **context))
        if user is not None and not user.email:
            # Read out or printed: without the link to stop this kind of mail.
            return call_instead(db, key=key, user=user, subject=subject, text=text)
        # Every mail says who sent it and how to reach a person.
        text = text.rstrip("\n") + "\n\n" + render_template("emails/_face.txt", **context).strip()
        if unsubscribe:
            text = (
                text.rstrip("\n") + "\n\n" + render_template("emails/_unsubscribe.txt", **context)
            )
        html = render_template(f"emails/{template}.html", subject=subject, **context)
    domain = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].rstrip(">")
    message = OutboxMessage(
        idempotency_key=key,
        message_id=f"<{uuid.uuid4()}@{domain}>",
        user_id=user.id if user else None,
        to_address=user.email if user else address,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=kind,
        send_after=send_after or utcnow(),
        unsubscribe_url=unsubscribe,
    )
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment = attachment
    db.add(message)
    return message


def call_instead(db: Session, *, key: str, user: User, subject: str, text: str):
    """A staff task to call user (who has no email) with the message, or print it as a letter.

    Once per message: the task's key is the mail's key. The task text is the message
    itself, in plain words, so staff can read it out or print it.
    """
    from voorelkaar.tasks.services import open_task  # tasks import notify: import late

    return open_task(
        db,
        key=f"bel:{key}"[:200],
        kind=TaskKind.CALL_PERSON,
        person=user,
        detail=f"{subject}\n\n{text.strip()}",
    )


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 24 * 60))


def claim_due(db: Session, now: datetime, limit: int = BATCH_SIZE) -> list[OutboxMessage]:
    """Claim up to limit due messages, so no other dispatcher sends them too."""
    unclaimed = _unclaimed(now)
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.send_after <= now,
            # Past its lifetime, a message is given up, not sent: see give_up_expired.
            OutboxMessage.created_at > now - _lifetime(),
            unclaimed,
        )
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        # Rows locked by another dispatcher's claim are skipped, not waited for.
        due = due.with_for_update(skip_locked=True)
    # Not one UPDATE ... WHERE id IN (that select): PostgreSQL may run a locking subquery
    # again for every row, and then its LIMIT no longer holds.
    candidates = list(db.scalars(due))
    if not candidates:
        db.commit()
        return []
    # One conditional update claims the batch: a row another dispatcher claimed, sent or
    # gave up meanwhile no longer matches, so only one dispatcher wins each row.
    # The claim runs from the clock, not from `now`: a late batch must not start expired.
    claimed_until = max(now, utcnow()) + timedelta(seconds=_claim_seconds())
    ids = db.scalars(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(candidates),
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),  # SQLite locks no rows: it may be given up
            unclaimed,
        )
        .values(claimed_until=claimed_until)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.commit()
    if not ids:
        return []
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.send_after, OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def _unclaimed(now: datetime):
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def _claim_seconds() -> int:
    # How long a batch stays claimed: a dispatcher that dies holds its batch this long.
    return current_app.config["OUTBOX_CLAIM_SECONDS"]


def dispatch_outbox(db: Session, now: datetime) -> int:
    """Send every due message, a batch per SMTP connection; retry failures with backoff.

    A server out of reach costs no message an attempt: the mail waits, for as long as
    OUTBOX_GIVE_UP_AFTER_HOURS, and is tried again in the next pass. Each pass first gives
    up all mail that has waited longer than that.
    """
    give_up_expired(db, now)
    sent = tried = 0
    while messages := claim_due(db, now):
        tried += len(messages)
        batch_sent, connected = _send_batch(db, messages, now)
        sent += batch_sent
        if not connected:  # the server is away: the rest waits for the next pass
            break
    if tried:
        log.info("outbox: %d of %d messages sent", sent, tried)
    return sent


def _send_batch(db: Session, messages: list[OutboxMessage], now: datetime) -> tuple[int, bool]:
    """Send claimed messages over one connection; return (sent, whether it held)."""
    sender = current_app.config["MAIL_FROM"]
    # Built before the first commit, so sending never waits for a row to be read again.
    mails = [(message, message.id, _build(db, message, sender, now)) for message in messages]
    names = [f"{message_id:08d}-{message.kind}" for message, message_id, _mail in mails]
    backend = backend_for(current_app.config, current_app.instance_path)
    sent = 0
    try:
        with backend, _sent_marks(db, now) as mark_sent:
            for index, (message, message_id, mail) in enumerate(mails):
                if mail is None:
                    continue
                try:
                    backend.send(mail, names[index])
                except ConnectionLost as error:
                    _connection_lost(db, message, now, error)
                    _release([later for later, _id, _mail in mails[index:]])
                    db.commit()
                    return sent, False
                except MailError as error:
                    _record_failure(db, message, now, error)
                    _release([message])
                    db.commit()
                else:
                    mark_sent(message, message_id)
                    sent += 1
    except MailError as error:  # no connection at all: every claimed message waits
        # Each keeps its send_after, and so its place in the queue: putting it off would
        # not spare the server a try, as the next pass would claim the next batch instead.
        built = [message for message, _id, mail in mails if mail is not None]
        _wait_for_server(built, error)
        _release(messages)
        db.commit()
        return 0, False
    return sent, True


@contextmanager
def _sent_marks(db: Session, now: datetime):
    """Yield a function that marks one message sent and commits that at once."""
    # One commit per message: a dispatcher killed after the server took a message sends
    # that one again, and no other. The marks use a connection of their own, in
    # autocommit: one round trip per email, not a unit of work and a pool checkout.
    sent = (
        update(OutboxMessage)
        .where(OutboxMessage.id == bindparam("row_id"))
        .values(sent_at=now, claimed_until=None)
    )
    with db.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as marks:

        def mark_sent(message: OutboxMessage, message_id: int) -> None:
            marks.execute(sent, {"row_id": message_id})
            set_committed_value(message, "sent_at", now)
            set_committed_value(message, "claimed_until", None)

        yield mark_sent


def _build(db: Session, message: OutboxMessage, sender: str, now: datetime):
    """The MIME message for a row, or None (and a recorded failure) if it cannot be built."""
    try:
        return build_message(message, sender)
    except (ValueError, TypeError, LookupError, MessageError) as error:  # retrying cannot help
        log.exception("outbox: message %d cannot be built", message.id)
        message.attempts = MAX_ATTEMPTS - 1
        _record_failure(db, message, now, error)
        message.claimed_until = None
        return None


def _release(messages: list[OutboxMessage]) -> None:
    for message in messages:
        message.claimed_until = None


def _step_aside(message: OutboxMessage, now: datetime) -> timedelta:
    shortest, longest = STEP_ASIDE
    return min(max(now - message.created_at, shortest), longest)


def _wait_for_server(messages: list[OutboxMessage], error: MailError) -> None:
    """The server could not be reached: no attempt counts; the lifetime still runs."""
    for message in messages:
        message.last_error = type(error).__name__
    # One line a pass, not one per message: an outage can last days. Class names only,
    # since the server's words may quote an address.
    log.warning(
        "outbox: mail server out of reach (%s from %s); mail waits",
        type(error).__name__,
        type(error.__cause__ or error).__name__,
    )


def _connection_lost(db: Session, message: OutboxMessage, now: datetime, error: MailError) -> None:
    """The connection broke on message: it steps aside, and every third time counts."""
    losses = _losses_in_a_row(message.last_error) + 1
    if losses % LOSSES_PER_ATTEMPT == 0:
        _record_failure(db, message, now, error)
    else:
        log.warning(
            "outbox: connection lost on message %d (%s), %d in a row; it steps aside",
            message.id,
            type(error.__cause__ or error).__name__,
            losses,
        )
    message.send_after = max(message.send_after, now + _step_aside(message, now))
    # Any other error written to last_error ends the run.
    message.last_error = "ConnectionLost" if losses == 1 else f"ConnectionLost ({losses} in a row)"


def _losses_in_a_row(last_error: str | None) -> int:
    found = _LOSSES.fullmatch(last_error or "")
    if not found:
        return 0
    return int(found.group(1) or 1)


def give_up_expired(db: Session, now: datetime) -> int:
    """Give up every unsent message older than its lifetime, all at once; staff get a task each."""
    # All of them, not the batch a pass claims: during an outage every pass claims the
    # same oldest batch, and what waits behind it would otherwise be sent when the
    # server returns, days late (reminders for appointments already past).
    expired = select(OutboxMessage.id).where(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.created_at <= now - _lifetime(),
        _unclaimed(now),  # a claimed one is being sent; its dispatcher decides
    )
    if db.get_bind().dialect.name == "postgresql":
        # Rows another dispatcher is giving up or claiming are skipped, not waited for.
        expired = expired.with_for_update(skip_locked=True)
    # Failing them and opening their tasks is one transaction: a dispatcher killed half-way
    # leaves no message failed without a task.
    given_up = db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(expired))
        .values(failed_at=now, claimed_until=None)
        .returning(OutboxMessage.id, OutboxMessage.user_id, OutboxMessage.subject)
        .execution_options(synchronize_session=False)
    ).all()
    for message_id, user_id, subject in given_up:
        _tell_staff(db, message_id, user_id, subject)
    db.commit()
    if given_up:
        log.warning("outbox: %d messages given up, unsent past their lifetime", len(given_up))
    return len(given_up)


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["OUTBOX_GIVE_UP_AFTER_HOURS"])


def _record_failure(db: Session, message: OutboxMessage, now: datetime, error: Exception) -> None:
    """The server refused the message, broke off on it again, or it cannot be built: an attempt."""
    message.attempts += 1
    # The error text of SMTP servers can quote addresses; keep its class only.
    message.last_error = type(error).__name__
    if message.attempts >= MAX_ATTEMPTS:
        _give_up(db, message, now)
        log.warning("outbox: message %d failed for good", message.id)
    else:
        message.send_after = now + _backoff(message.attempts)
        log.warning("outbox: message %d failed, attempt %d", message.id, message.attempts)


def _give_up(db: Session, message: OutboxMessage, now: datetime) -> None:
    message.failed_at = now
    _tell_staff(db, message.id, message.user_id, message.subject)


def _tell_staff(db: Session, message_id: int, user_id: int | None, subject: str) -> None:
    """Open a task to reach the person another way; once per message, whoever asks."""
    # Someone may now miss a reminder or a check-in: staff should get in touch.
    from voorelkaar.tasks.services import open_task  # tasks record audit, which mails

    open_task(
        db,
        key=f"mail-failed:{message_id}",
        kind=TaskKind.MAIL_FAILED,
        person=db.get(User, user_id) if user_id else None,
        detail=subject,
    )

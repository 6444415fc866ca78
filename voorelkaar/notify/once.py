"""Queue an email only if its key is new: for jobs that find their work by date."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar.models import OutboxMessage
from voorelkaar.notify.outbox import enqueue_email


def enqueue_once(db: Session, *, key: str, **arguments) -> bool:
    """Queue like enqueue_email unless key is already in the outbox; return whether it did.

    Two processes may try the same key at once: the unique key lets one of them in, and
    the other's savepoint rolls back without touching the rest of its transaction.
    """
    if db.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
        return False
    try:
        with db.begin_nested():
            # None: someone without email, whose call task for this key was already made.
            made = enqueue_email(db, key=key, **arguments)
    except IntegrityError:
        return False
    return made is not None

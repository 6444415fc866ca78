"""Email: queued in the outbox with its cause, sent later by the dispatcher."""

from voorelkaar.notify.once import enqueue_once
from voorelkaar.notify.outbox import dispatch_outbox, enqueue_email

__all__ = ["dispatch_outbox", "enqueue_email", "enqueue_once"]

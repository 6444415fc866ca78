"""Events: what happened to a match or a request, and who hears of it, how.

A service that changes state raises one event, in the same transaction as the change
(emit). What an event brings about is one row in a table of consequences, which the
features fill at app start (register): an email (service mail, in the person's own
language), a notice on their overview, a task for staff. This module imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar.db import utcnow
from voorelkaar.models import AuditEvent, HelpRequest, Match, Notice, TaskKind, User
from voorelkaar.notify import enqueue_email
from voorelkaar.notify.outbox import Attachment
from voorelkaar.tasks.services import open_task


@dataclass(frozen=True)
class Event:
    kind: str
    # The audit row recorded with the change: its id keys every consequence, once.
    id: int
    actor: User | None
    request: HelpRequest | None = None
    match: Match | None = None
    reason: str | None = None
    # Other matches this event ended on the way (offers declined when a request is full).
    ended: tuple[Match, ...] = ()
    at: datetime = field(default_factory=utcnow)


Recipients = Callable[[Event], Iterable[User | None]]


class Consequence(Protocol):
    def apply(self, db: Session, event: Event) -> None: ...


def _nothing(_event: Event, _user: User) -> dict[str, Any]:
    return {}


def _no_attachment(_event: Event, _user: User) -> Attachment | None:
    return None


def _always(_event: Event) -> bool:
    return True


@dataclass(frozen=True)
class Tell:
    """Tell each of `to` by email (emails/<template>.*), and on their overview when notice.

    Nobody is told what they did themselves, and a blocked account gets no mail.
    context adds what the template needs for one person (answer links, say). Someone
    without an email address gets a staff task to call them (or print a letter) with the
    same message instead: enqueue_email decides that, for every sender.
    """

    to: Recipients
    template: str
    notice: bool = True
    mail: bool = True
    context: Callable[[Event, User], dict[str, Any]] = _nothing
    attachment: Callable[[Event, User], Attachment | None] = _no_attachment

    def apply(self, db: Session, event: Event) -> None:
        told: set[int] = set()
        for person in self.to(event):
            if person is None or person.id in told:
                continue
            if event.actor is not None and person.id == event.actor.id:
                continue
            told.add(person.id)
            key = f"{event.kind}:{event.id}:{self.template}:{person.id}"
            if self.notice:
                _add_notice(db, key, self.template, person, event)
            if self.mail and person.blocked_at is None and person.anonymised_at is None:
                enqueue_email(
                    db,
                    key=key,
                    user=person,
                    template=self.template,
                    kind=event.kind,
                    attachment=self.attachment(event, person),
                    **_context(event),
                    **self.context(event, person),
                )


def _context(event: Event) -> dict[str, Any]:
    request = event.request
    return {
        "event": event,
        "item": request,
        "match": event.match,
        "volunteer": event.match.volunteer if event.match else None,
        "asker": request.author if request else None,
        "actor": event.actor,
        "reason": event.reason,
    }


def _add_notice(db: Session, key: str, kind: str, person: User, event: Event) -> None:
    """A notice on the person's overview, shown by the template notices/<kind>.html."""
    notice = Notice(
        key=key,
        user_id=person.id,
        kind=kind,
        actor_id=event.actor.id if event.actor else None,
        request_id=event.request.id if event.request else None,
        match_id=event.match.id if event.match else None,
        created_at=event.at,
    )
    try:
        with db.begin_nested():  # the same event told twice adds nothing
            db.add(notice)
    except IntegrityError:
        pass


@dataclass(frozen=True)
class OpenTask:
    """A task for staff, once per event, when `when` holds: a human must act."""

    kind: TaskKind
    person: Callable[[Event], User | None]
    when: Callable[[Event], bool] = _always
    detail: Callable[[Event], str] = lambda event: event.reason or ""
    # One task per cause: by default per event; a job's event may name a lasting cause.
    key: Callable[[Event], str] = lambda event: f"{event.kind}:{event.id}"

    def apply(self, db: Session, event: Event) -> None:
        if not self.when(event):
            return
        open_task(
            db,
            key=self.key(event),
            kind=self.kind,
            person=self.person(event),
            request=event.request,
            match=event.match,
            detail=self.detail(event),
        )


_CONSEQUENCES: dict[str, tuple[Consequence, ...]] = {}
# What another feature adds to an event it does not own (tasks closing, say), by kind.
_ALSO: dict[str, tuple[Consequence, ...]] = {}


def register(kind: str, *consequences: Consequence) -> None:
    """Say what an event of this kind brings about (called at app start; again is harmless)."""
    _CONSEQUENCES[kind] = consequences


def also(kind: str, *consequences: Consequence) -> None:
    """Add consequences to an event another feature registers (at app start; again is harmless)."""
    # Several features may add to one event: keep theirs, and each consequence once.
    known = _ALSO.get(kind, ())
    _ALSO[kind] = known + tuple(c for c in consequences if c not in known)


def consequences(kind: str) -> tuple[Consequence, ...]:
    return _CONSEQUENCES[kind] + _ALSO.get(kind, ())


def emit(
    db: Session,
    kind: str,
    audit: AuditEvent,
    *,
    actor: User | None,
    request: HelpRequest | None = None,
    match: Match | None = None,
    reason: str | None = None,
    ended: Iterable[Match] = (),
) -> Event:
    """Raise an event in the caller's transaction; the caller commits.

    Raises KeyError for a kind nobody registered, so a typo cannot pass in silence.
    """
    if kind not in _CONSEQUENCES:
        raise KeyError(f"no consequences registered for event {kind!r}")
    event = Event(
        kind=kind,
        id=audit.id,
        actor=actor,
        request=request if request is not None else (match.request if match else None),
        match=match,
        reason=reason,
        ended=tuple(ended),
    )
    for consequence in consequences(kind):
        consequence.apply(db, event)
    return event


def unseen_notices(db: Session, user: User, limit: int = 20) -> list[Notice]:
    """What happened that this person has not yet marked as seen, newest first."""
    return list(
        db.scalars(
            select(Notice)
            .where(Notice.user_id == user.id, Notice.seen_at.is_(None))
            .order_by(Notice.created_at.desc(), Notice.id.desc())
            .limit(limit)
        )
    )


def mark_seen(db: Session, user: User, notice_id: int | None = None) -> int:
    """Mark one of the person's notices (or all of them) as seen; return how many."""
    query = update(Notice).where(Notice.user_id == user.id, Notice.seen_at.is_(None))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    result = db.execute(query.values(seen_at=utcnow()).execution_options(synchronize_session=False))
    db.commit()
    return result.rowcount

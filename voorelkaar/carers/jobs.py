"""The check-in job: ask carers how they are, remind once, and tell staff about silence.

Several scheduler processes may run this at once. Nothing is read and then acted on:
each check-in is claimed by a conditional UPDATE (only one process sees its row change),
and the check-in, its email and the claim are committed together. On PostgreSQL rows
another process is working on are skipped (FOR UPDATE SKIP LOCKED) instead of waited for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import Row, Select, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar.answers.services import answer_link
from voorelkaar.carers import services
from voorelkaar.db import claim
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import CarerProfile, Checkin, Role, TaskKind, User, UserRole
from voorelkaar.notify import enqueue_email
from voorelkaar.urls import absolute_url

log = logging.getLogger(__name__)

BATCH = 100
REMIND_AFTER = timedelta(days=7)
ESCALATE_AFTER = timedelta(days=7)  # after the reminder
# Older silences are left alone: their links no longer work, and the next check-in asks again.
CHASE_WITHIN = timedelta(days=services.ANSWER_DAYS)


def run_checkins(db: Session, now: datetime) -> int:
    """Send due check-ins, remind once after 7 days, then ask staff; returns emails queued."""
    services.add_missing_profiles(db, now)
    queued = send_due_checkins(db, now) + send_reminders(db, now)
    silent = escalate_silences(db, now)
    if queued or silent:
        log.info("checkins: %d emails queued, %d silences passed to staff", queued, silent)
    return queued


def _still_asked(carer_id) -> list:
    """Conditions for carers who still want check-ins: not paused, not blocked, still a carer.

    Reminders and staff tasks follow the same rule: a carer who paused chose the silence.
    """
    return [
        CarerProfile.paused_at.is_(None),
        User.blocked_at.is_(None),
        exists().where(UserRole.user_id == carer_id, UserRole.role == Role.CARER),
    ]


def _skip_locked(db: Session, query: Select, of) -> Select:
    if db.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True, of=of)
    return query


def _work_through(db: Session, due: Callable[[set[int]], Select], handle) -> int:
    """Handle each due row, a batch per transaction, until none is left.

    handle returns whether it claimed the row; a row another process claimed first is
    not asked for again, so the loop ends even when every claim is lost.
    """
    done, lost = 0, set()
    while rows := db.execute(due(lost)).all():
        carer_ids = sorted({row.carer_id for row in rows})
        carers = {user.id: user for user in db.scalars(select(User).where(User.id.in_(carer_ids)))}
        for row in rows:
            if handle(row, carers[row.carer_id]):
                done += 1
            else:
                lost.add(row[0])
        db.commit()
    return done


def send_due_checkins(db: Session, now: datetime) -> int:
    """Ask every carer whose day has come, from 09:00 Amsterdam time; returns emails queued."""
    local = now.astimezone(AMSTERDAM)
    if local.time() < services.SEND_FROM:
        return 0
    today = local.date()

    def due(lost: set[int]) -> Select:
        query = (
            select(
                CarerProfile.user_id.label("carer_id"),
                CarerProfile.next_checkin_on,
                CarerProfile.cadence_weeks,
            )
            .join(User, User.id == CarerProfile.user_id)
            .where(CarerProfile.next_checkin_on <= today, *_still_asked(CarerProfile.user_id))
            .order_by(CarerProfile.next_checkin_on, CarerProfile.user_id)
            .limit(BATCH)
        )
        if lost:
            query = query.where(CarerProfile.user_id.not_in(sorted(lost)))
        return _skip_locked(db, query, CarerProfile)

    def handle(row: Row, carer: User) -> bool:
        carer_id, due_on, weeks = row
        if not _claim_due_date(db, carer_id, due_on, weeks, today):
            return False
        # Recorded as asked today, also when it was due earlier (after a pause or an outage).
        return _ask(db, carer, today, now)

    return _work_through(db, due, handle)


def _claim_due_date(db: Session, carer_id: int, due_on: date, weeks: int, today: date) -> bool:
    # Only one process moves next_checkin_on away from due_on; that one sends.
    # Dates in the past are skipped, so a long pause or outage sends one check-in, not a burst.
    later = services.first_after(due_on + timedelta(weeks=weeks), weeks, today)
    claimed = db.execute(
        update(CarerProfile)
        .where(
            CarerProfile.user_id == carer_id,
            CarerProfile.next_checkin_on == due_on,
            CarerProfile.paused_at.is_(None),
        )
        .values(next_checkin_on=later)
    )
    return claimed.rowcount == 1


def _ask(db: Session, carer: User, due_on: date, now: datetime) -> bool:
    checkin = Checkin(carer_id=carer.id, due_on=due_on, sent_at=now)
    try:
        with db.begin_nested():
            db.add(checkin)
            db.flush()
            enqueue_email(
                db,
                key=f"checkin:{carer.id}:{due_on.isoformat()}",
                user=carer,
                template="checkin",
                kind="checkin",
                optional="checkins",
                send_after=now,  # due for the dispatcher in the same pass of send-due
                **_email_context(checkin, carer),
            )
            db.flush()
    except IntegrityError:
        # This date was asked before (only possible after a hand-made change): ask once.
        log.warning("checkins: check-in %s for carer %d already there", due_on, carer.id)
        return False
    return True


def _email_context(checkin: Checkin, carer: User) -> dict:
    return {
        "answer_links": [
            (label, answer_link("checkin", checkin.id, carer, value))
            for value, label in services.answer_choices()
        ],
        "page_url": absolute_url("carers.overview"),
    }


def send_reminders(db: Session, now: datetime) -> int:
    """Remind, once, carers who did not answer a check-in within 7 days; returns emails queued."""

    def due(lost: set[int]) -> Select:
        query = (
            select(Checkin.id, Checkin.carer_id.label("carer_id"))
            .join(CarerProfile, CarerProfile.user_id == Checkin.carer_id)
            .join(User, User.id == Checkin.carer_id)
            .where(
                Checkin.answered_at.is_(None),
                Checkin.reminded_at.is_(None),
                Checkin.escalated_at.is_(None),
                Checkin.sent_at <= now - REMIND_AFTER,
                Checkin.sent_at > now - CHASE_WITHIN,
                *_still_asked(Checkin.carer_id),
            )
            .order_by(Checkin.id)
            .limit(BATCH)
        )
        if lost:
            query = query.where(Checkin.id.not_in(sorted(lost)))
        return _skip_locked(db, query, Checkin)

    def handle(row: Row, carer: User) -> bool:
        checkin_id = row[0]
        unanswered = (Checkin.reminded_at.is_(None), Checkin.answered_at.is_(None))
        if not claim(db, Checkin, checkin_id, *unanswered, reminded_at=now):
            return False
        checkin = db.get(Checkin, checkin_id)
        enqueue_email(
            db,
            key=f"checkin-reminder:{checkin_id}",
            user=carer,
            template="checkin_reminder",
            kind="checkin_reminder",
            optional="checkins",
            send_after=now,
            **_email_context(checkin, carer),
        )
        return True

    return _work_through(db, due, handle)


def escalate_silences(db: Session, now: datetime) -> int:
    """Ask staff to look when a reminder got no answer in 7 days; returns tasks made."""

    def due(lost: set[int]) -> Select:
        query = (
            select(Checkin.id, Checkin.carer_id.label("carer_id"))
            .join(CarerProfile, CarerProfile.user_id == Checkin.carer_id)
            .join(User, User.id == Checkin.carer_id)
            .where(
                Checkin.answered_at.is_(None),
                Checkin.escalated_at.is_(None),
                Checkin.reminded_at <= now - ESCALATE_AFTER,
                Checkin.reminded_at > now - CHASE_WITHIN,
                # Implied by the reminder's window; it lets the index on sent_at do the work.
                Checkin.sent_at > now - 2 * CHASE_WITHIN,
                *_still_asked(Checkin.carer_id),
            )
            .order_by(Checkin.id)
            .limit(BATCH)
        )
        if lost:
            query = query.where(Checkin.id.not_in(sorted(lost)))
        return _skip_locked(db, query, Checkin)

    def handle(row: Row, _carer: User) -> bool:
        checkin_id = row[0]
        unanswered = (Checkin.escalated_at.is_(None), Checkin.answered_at.is_(None))
        if not claim(db, Checkin, checkin_id, *unanswered, escalated_at=now):
            return False
        services.ask_staff(db, db.get(Checkin, checkin_id), TaskKind.CHECKIN_SILENT)
        return True

    return _work_through(db, due, handle)

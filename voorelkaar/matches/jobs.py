"""Jobs around agreed appointments: the reminder the day before, "Is het gelukt?" after."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from voorelkaar.answers.services import answer_link
from voorelkaar.audit import record
from voorelkaar.db import claim
from voorelkaar.events import emit
from voorelkaar.help_requests.schedule import appointment_on
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.matches.calendar import appointment_ics
from voorelkaar.models import (
    HelpRequest,
    Match,
    MatchState,
    RequestState,
    ScheduleKind,
    StaffTask,
    TaskKind,
    User,
)
from voorelkaar.notify import enqueue_once
from voorelkaar.urls import absolute_url

# Reminders go out in the daytime the day before, never in the middle of the night.
REMIND_FROM = time(9)
BATCH = 200


def send_reminders(db: Session, now: datetime) -> int:
    """Remind each volunteer of tomorrow's appointments, with an .ics file; once each."""
    local = now.astimezone(AMSTERDAM)
    if local.time() < REMIND_FROM:
        return 0
    tomorrow = local.date() + timedelta(days=1)
    day_start = datetime.combine(tomorrow, time(0), AMSTERDAM)
    day_end = datetime.combine(tomorrow + timedelta(days=1), time(0), AMSTERDAM)
    matches = db.scalars(
        select(Match)
        .join(HelpRequest, HelpRequest.id == Match.request_id)
        .join(User, User.id == Match.volunteer_id)
        .where(
            Match.state == MatchState.CONFIRMED,
            User.mail_reminders.is_(True),
            User.blocked_at.is_(None),
            or_(
                and_(
                    HelpRequest.schedule == ScheduleKind.ONCE,
                    HelpRequest.starts_at >= day_start,
                    HelpRequest.starts_at < day_end,
                ),
                and_(
                    HelpRequest.schedule == ScheduleKind.WEEKLY,
                    HelpRequest.weekday == tomorrow.weekday(),
                    or_(HelpRequest.until.is_(None), HelpRequest.until >= tomorrow),
                ),
            ),
        )
        .order_by(Match.id)
    ).all()
    queued = 0
    for match in matches:
        appointment = appointment_on(match.request, tomorrow)
        if appointment is None:
            continue
        start, end = appointment
        queued += enqueue_once(
            db,
            key=f"reminder:{match.id}:{tomorrow.isoformat()}",
            user=match.volunteer,
            template="appointment_reminder",
            kind="reminder",
            optional="herinneringen",
            attachment=("afspraak.ics", "text/calendar", appointment_ics(match, start, end)),
            match=match,
            item=match.request,
            start=start,
            end=end,
            request_link=absolute_url("help_requests.detail", request_id=match.request_id),
        )
        if queued and queued % BATCH == 0:
            db.commit()
    db.commit()
    return queued


FOLLOWUP_ANSWERS = ("ja", "nee", "nog-niet")


def send_followups(db: Session, now: datetime) -> int:
    """Ask both sides "Is het gelukt?" once the planned time has passed."""
    due = db.scalars(
        select(Match.id)
        .where(
            Match.state == MatchState.CONFIRMED,
            Match.followup_after <= now,
            Match.followup_sent_at.is_(None),
        )
        .order_by(Match.followup_after, Match.id)
        .limit(BATCH)
    ).all()
    queued = 0
    for match_id in due:
        # Claim the match: a second scheduler process finds nothing left to do.
        if not claim(db, Match, match_id, Match.followup_sent_at.is_(None), followup_sent_at=now):
            db.rollback()
            continue
        match = db.get(Match, match_id, populate_existing=True)  # as the claim left it
        round_ = match.followup_after.astimezone(AMSTERDAM).strftime("%Y%m%d")
        for person in (match.volunteer, match.request.author):
            if not person.mail_followups or person.blocked_at is not None:
                continue
            queued += enqueue_once(
                db,
                key=f"followup:{match.id}:{person.id}:{round_}",
                user=person,
                template="followup",
                kind="followup",
                optional="nabellen",
                match=match,
                item=match.request,
                is_volunteer=person.id == match.volunteer_id,
                links={a: answer_link("gelukt", match.id, person, a) for a in FOLLOWUP_ANSWERS},
            )
        db.commit()
    return queued


# An offer nobody answers: the asker is reminded after 3 days, staff look at it after 7.
REMIND_OFFER_AFTER = timedelta(days=3)
OFFER_TASK_AFTER = timedelta(days=7)


def chase_offers(db: Session, now: datetime) -> int:
    """Remind askers of offers waiting 3 days for their answer; a staff task at 7 days."""
    return remind_of_offers(db, now) + task_for_offers(db, now)


def _waiting():
    """Offers still waiting for an answer on open requests, from volunteers not blocked."""
    return (
        Match.state == MatchState.OFFERED,
        HelpRequest.state == RequestState.OPEN,
        Match.volunteer.has(User.blocked_at.is_(None)),
    )


def remind_of_offers(db: Session, now: datetime) -> int:
    """The asker hears again of an offer nobody answered for 3 days; once per offer."""
    not_reminded = or_(
        Match.offer_reminded_at.is_(None), Match.offer_reminded_at < Match.offered_at
    )
    due = (*_waiting(), Match.offered_at <= now - REMIND_OFFER_AFTER, not_reminded)
    done = 0
    for match_id in _ids(db, due):
        # Claimed first: a second scheduler process finds it reminded and moves on.
        offered = Match.state == MatchState.OFFERED
        if not claim(db, Match, match_id, offered, not_reminded, offer_reminded_at=now):
            db.rollback()
            continue
        match = db.get(Match, match_id, populate_existing=True)  # as the claim left it
        audit = record(db, None, "matches.offer_reminded", match)
        emit(db, "offer_waiting", audit, actor=None, match=match)
        db.commit()
        done += 1
    return done


def task_for_offers(db: Session, now: datetime) -> int:
    """Staff look at an offer nobody answered for 7 days, even after the reminder."""
    no_task_yet = (
        ~select(StaffTask.id)
        .where(
            StaffTask.match_id == Match.id,
            StaffTask.kind == TaskKind.OFFER_UNANSWERED,
            StaffTask.created_at >= Match.offered_at,  # a new offer is a new cause
        )
        .exists()
    )
    due = (*_waiting(), Match.offered_at <= now - OFFER_TASK_AFTER, no_task_yet)
    done = 0
    for match_id in _ids(db, due):
        match = db.get(Match, match_id, populate_existing=True)
        if match.state != MatchState.OFFERED:  # answered since it was found
            continue
        # The task's key names the offer, so a second process adds no second task.
        audit = record(db, None, "matches.offer_unanswered", match)
        emit(db, "offer_unanswered", audit, actor=None, match=match)
        db.commit()
        done += 1
    return done


def _ids(db: Session, conditions) -> list[int]:
    return list(
        db.scalars(
            select(Match.id)
            .join(HelpRequest, HelpRequest.id == Match.request_id)
            .where(*conditions)
            .order_by(Match.offered_at, Match.id)
            .limit(BATCH)
        )
    )

"""Carer profiles: how often a carer is asked how they are, pausing, answers and history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import force_locale, format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, exists, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar.db import UtcDateTime, claim
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import (
    CADENCES_WEEKS,
    CarerProfile,
    Checkin,
    CheckinAnswer,
    Role,
    StaffTask,
    TaskKind,
    User,
    UserRole,
)
from voorelkaar.models.checkin import DEFAULT_CADENCE_WEEKS
from voorelkaar.tasks.services import close_after_checkin, open_task

# Check-ins go out from this local time on their day: a question at breakfast, not at night.
SEND_FROM = time(9)
# How long a check-in can still be answered on the site (the links expire as well).
ANSWER_DAYS = 30
# What staff see of a carer's earlier answers in a task.
HISTORY_IN_TASK = 6

ANSWER_LABELS = {
    CheckinAnswer.GOOD: _l("Goed"),
    CheckinAnswer.COPING: _l("Het gaat"),
    CheckinAnswer.HEAVY: _l("Zwaar"),
}


class CheckinError(Exception):
    """A check-in that is not this person's to answer."""


def answer_choices() -> list[tuple[str, str]]:
    """The answers to "Hoe gaat het met u?", as (value, label)."""
    return [(answer.value, label) for answer, label in ANSWER_LABELS.items()]


def local_today(now: datetime) -> date:
    """The date in the Netherlands at the moment now."""
    return now.astimezone(AMSTERDAM).date()


def first_after(start: date, weeks: int, today: date) -> date:
    """start, moved on by whole cadences until it lies after today."""
    if start > today:
        return start
    step = timedelta(weeks=weeks)
    return start + step * ((today - start) // step + 1)


def next_checkin_at(profile: CarerProfile) -> datetime:
    """The moment the next check-in goes out, in Amsterdam time."""
    return datetime.combine(profile.next_checkin_on, SEND_FROM, AMSTERDAM)


def _insert_ignoring_duplicates(db: Session):
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def add_missing_profiles(db: Session, now: datetime) -> int:
    """Give every carer without a profile one, first asked one cadence from now; commits."""
    first = local_today(now) + timedelta(weeks=DEFAULT_CADENCE_WEEKS)
    missing = select(
        UserRole.user_id,
        literal(DEFAULT_CADENCE_WEEKS),
        literal(first, Date()),
        literal(now, UtcDateTime()),
    ).where(
        UserRole.role == Role.CARER,
        ~exists().where(CarerProfile.user_id == UserRole.user_id),
    )
    columns = ["user_id", "cadence_weeks", "next_checkin_on", "created_at"]
    insert = _insert_ignoring_duplicates(db)
    # Another scheduler may add the same profiles at the same moment: theirs count.
    statement = insert(CarerProfile).from_select(columns, missing).on_conflict_do_nothing()
    added = db.execute(statement).rowcount
    db.commit()
    return max(added, 0)


def _new_profile(carer: User, now: datetime) -> CarerProfile:
    return CarerProfile(
        user_id=carer.id,
        cadence_weeks=DEFAULT_CADENCE_WEEKS,
        next_checkin_on=local_today(now) + timedelta(weeks=DEFAULT_CADENCE_WEEKS),
        created_at=now,
    )


def profile_for(db: Session, carer: User, now: datetime) -> CarerProfile:
    """The carer's profile, made now if the scheduler has not made it yet."""
    profile = db.get(CarerProfile, carer.id)
    if profile is not None:
        return profile
    profile = _new_profile(carer, now)
    try:
        with db.begin_nested():
            db.add(profile)
    except IntegrityError:  # made by the scheduler at this very moment
        profile = db.get(CarerProfile, carer.id)
    db.commit()
    return profile


def start_profile(db: Session, carer: User, now: datetime) -> CarerProfile:
    """The profile of someone who becomes a carer (again), added with their role; no commit.

    A returning carer keeps their cadence; check-ins missed meanwhile are not sent afterwards.
    """
    profile = db.get(CarerProfile, carer.id)
    if profile is None:
        profile = _new_profile(carer, now)
        db.add(profile)
    else:
        profile.next_checkin_on = first_after(
            profile.next_checkin_on, profile.cadence_weeks, local_today(now)
        )
    return profile


def _last_due_on(db: Session, carer_id: int) -> date | None:
    return db.scalar(
        select(Checkin.due_on)
        .where(Checkin.carer_id == carer_id)
        .order_by(Checkin.due_on.desc())
        .limit(1)
    )


def change_cadence(db: Session, profile: CarerProfile, weeks: int, now: datetime) -> None:
    """Ask every weeks weeks from now on, counted from the last check-in."""
    if weeks not in CADENCES_WEEKS:
        raise ValueError(f"not a cadence: {weeks!r}")
    last = _last_due_on(db, profile.user_id) or local_today(profile.created_at)
    profile.cadence_weeks = weeks
    profile.next_checkin_on = first_after(last + timedelta(weeks=weeks), weeks, local_today(now))
    db.commit()


def pause(db: Session, profile: CarerProfile, now: datetime) -> None:
    """Stop the check-ins until the carer resumes them."""
    if profile.paused_at is None:
        profile.paused_at = now
    db.commit()


def resume(db: Session, profile: CarerProfile, now: datetime) -> None:
    """Ask again, on the next date of the cadence: the missed ones are not sent afterwards."""
    if profile.paused_at is None:
        return
    profile.paused_at = None
    profile.next_checkin_on = first_after(
        profile.next_checkin_on, profile.cadence_weeks, local_today(now)
    )
    db.commit()


def history(db: Session, carer_id: int, limit: int | None = None) -> list[Checkin]:
    """The carer's check-ins, newest first."""
    query = (
        select(Checkin)
        .where(Checkin.carer_id == carer_id)
        .order_by(Checkin.due_on.desc(), Checkin.id.desc())
        .limit(limit)
    )
    return list(db.scalars(query))


def open_checkin(db: Session, carer_id: int, now: datetime) -> Checkin | None:
    """The carer's newest check-in, if it still waits for an answer."""
    newest = next(iter(history(db, carer_id, limit=1)), None)
    if newest is None or newest.answered_at is not None:
        return None
    if newest.sent_at < now - timedelta(days=ANSWER_DAYS):
        return None
    return newest


def answer_checkin(
    db: Session, checkin: Checkin, carer: User, answer: CheckinAnswer, note: str, now: datetime
) -> bool:
    """Store the carer's answer once; "zwaar" asks staff to get in touch. Commits.

    Returns False when the check-in was already answered (the first answer stays).
    """
    if checkin.carer_id != carer.id:
        raise CheckinError("this check-in belongs to someone else")
    if not claim(
        db,
        Checkin,
        checkin.id,
        Checkin.answered_at.is_(None),
        answer=answer,
        note=note.strip() or None,
        answered_at=now,
    ):
        db.rollback()  # answered a moment ago, perhaps in another tab
        return False
    heavy = answer == CheckinAnswer.HEAVY
    if heavy:  # the time stays as it was if the job escalated it for silence first
        claim(db, Checkin, checkin.id, Checkin.escalated_at.is_(None), escalated_at=now)
    db.refresh(checkin)
    if heavy:
        ask_staff(db, checkin, TaskKind.CHECKIN_HEAVY)
    else:
        close_after_checkin(db, checkin)
    db.commit()
    return True


def ask_staff(db: Session, checkin: Checkin, kind: TaskKind) -> StaffTask | None:
    """Put a task in the staff queue for this check-in; no commit.

    The task stores only what happened (answer and date, in Dutch), which stays after the
    check-in is gone. What the carer wrote is read from the check-in whenever the task is
    shown (task_detail: the task page, the carer's download), so it goes with the check-in.
    """
    prefix = "checkin-heavy" if kind == TaskKind.CHECKIN_HEAVY else "checkin-silent"
    with force_locale("nl"):
        what = _what_happened(checkin, kind)
    return open_task(
        db,
        key=f"{prefix}:{checkin.id}",
        kind=kind,
        person=checkin.carer,
        checkin=checkin,
        detail=what,
    )


def task_detail(db: Session, task: StaffTask) -> str:
    """What staff read in a check-in task, in their own language.

    What happened, the carer's note and earlier answers, read from the check-in itself;
    nothing once the check-in is gone (deleted with the account).
    """
    checkin = task.checkin
    if checkin is None:
        return ""
    lines = [_what_happened(checkin, task.kind)]
    if task.kind == TaskKind.CHECKIN_HEAVY and checkin.note:
        lines.append(gettext("De mantelzorger schreef: %(note)s", note=checkin.note))
    earlier = _earlier(db, checkin)
    if earlier:
        lines += ["", gettext("Eerdere antwoorden:")]
        lines += [_history_line(item) for item in earlier]
    else:
        lines += ["", gettext("Dit was de eerste vraag.")]
    return "\n".join(lines)


def _what_happened(checkin: Checkin, kind: TaskKind) -> str:
    asked = _asked_on(checkin)
    if kind == TaskKind.CHECKIN_HEAVY:
        return gettext('Antwoord "zwaar" op de vraag van %(date)s.', date=asked)
    return gettext(
        "Geen antwoord op de vraag van %(date)s, ook niet na een herinnering.", date=asked
    )


def _earlier(db: Session, checkin: Checkin) -> list[Checkin]:
    """The carer's check-ins before this one, newest first, as many as a task shows."""
    query = (
        select(Checkin)
        .where(
            Checkin.carer_id == checkin.carer_id,
            Checkin.due_on <= checkin.due_on,
            Checkin.id != checkin.id,
        )
        .order_by(Checkin.due_on.desc(), Checkin.id.desc())
        .limit(HISTORY_IN_TASK)
    )
    return list(db.scalars(query))


def _asked_on(checkin: Checkin) -> str:
    return format_date(checkin.sent_at.astimezone(AMSTERDAM).date(), "d MMMM y")


def _history_line(item: Checkin) -> str:
    asked = _asked_on(item)
    if item.answer is None:
        return f"- {asked}: {gettext('geen antwoord')}"
    note = f' ("{item.note}")' if item.note else ""
    return f"- {asked}: {ANSWER_LABELS[item.answer]}{note}"


# The care situation, and the health note that needs a consent of its own.

CARE_HOURS_MAX = 168  # hours in a week
HEALTH_NOTE_MAX = 2000


class CareError(ValueError):
    """Care details that cannot be stored as given."""


class ConsentMissing(CareError):
    """A health note without the separate, explicit consent for it."""


def cared_for_name(db: Session, carer: User) -> str | None:
    """The first name of whom the carer cares for, if they told."""
    return db.scalar(select(CarerProfile.cared_for_name).where(CarerProfile.user_id == carer.id))


def save_care_situation(
    db: Session,
    profile: CarerProfile,
    *,
    cared_for_name: str | None,
    relation: str | None,
    care_tasks: str | None,
    hours_per_week: int | None,
) -> None:
    """Store for whom the carer cares, how, and how many hours a week; commits."""
    if hours_per_week is not None and not 0 <= hours_per_week <= CARE_HOURS_MAX:
        raise CareError(f"hours per week out of range: {hours_per_week}")
    profile.cared_for_name = (cared_for_name or "").strip() or None
    profile.relation = (relation or "").strip() or None
    profile.care_tasks = (care_tasks or "").strip() or None
    profile.care_hours_per_week = hours_per_week
    db.commit()


def save_health_note(
    db: Session,
    profile: CarerProfile,
    note: str,
    *,
    consent: bool,
    consent_text: str,
    now: datetime,
) -> None:
    """Keep a health note only with explicit consent, storing its exact wording and date.

    Raises ConsentMissing without consent, CareError for an empty or too long note.
    """
    text = (note or "").strip()
    if not consent or not (consent_text or "").strip():
        raise ConsentMissing("a health note needs its own consent")
    if not text or len(text) > HEALTH_NOTE_MAX:
        raise CareError("the health note is empty or too long")
    profile.health_note = text
    profile.health_consent_at = now
    profile.health_consent_text = consent_text.strip()
    db.commit()


def withdraw_health_consent(db: Session, profile: CarerProfile) -> None:
    """Withdraw the consent: the note is deleted with it, not just hidden. Commits."""
    profile.health_note = None
    profile.health_consent_at = None
    profile.health_consent_text = None
    db.commit()


def health_note_shown(profile: CarerProfile | None) -> str | None:
    """The health note, only while the consent for it stands."""
    if profile is None or profile.health_consent_at is None:
        return None
    return profile.health_note

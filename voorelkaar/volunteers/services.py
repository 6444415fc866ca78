"""A volunteer's week, reach and pause; a VOG recorded by staff."""

from datetime import date, datetime, time

from sqlalchemy import update
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth.access import may_act_on
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import User, VolunteerSlot
from voorelkaar.moderation.services import ModerationError

# Parts of the day as people say them; a ticked part becomes a weekly slot.
DAY_PARTS = {
    "ochtend": (time(8), time(12)),
    "middag": (time(12), time(18)),
    "avond": (time(18), time(22)),
}
TRAVEL_CHOICES = (1, 2, 5, 10, 15, 25)


def parts_of(user: User) -> set[tuple[int, str]]:
    """(weekday, part) pairs the user's slots cover, to fill the form."""
    chosen = set()
    for slot in user.slots:
        for part, (start, end) in DAY_PARTS.items():
            if slot.start_time <= start and slot.end_time >= end:
                chosen.add((slot.weekday, part))
    return chosen


def set_availability(
    db: Session,
    user: User,
    parts: set[tuple[int, str]],
    travel_km: float,
    available: bool,
    paused_until: date | None = None,
) -> None:
    """Store the week as slots (adjacent parts merged), the reach, and a pause with its end."""
    user.slots.clear()
    for weekday in range(7):
        for start, end in _merged([DAY_PARTS[p] for d, p in sorted(parts) if d == weekday]):
            user.slots.append(VolunteerSlot(weekday=weekday, start_time=start, end_time=end))
    user.travel_km = float(travel_km)
    user.available = available
    user.paused_until = None if available else paused_until
    db.commit()


def resume(db: Session, user: User) -> None:
    """End a volunteer's pause now."""
    user.available, user.paused_until = True, None
    db.commit()


def end_pauses(db: Session, now: datetime) -> int:
    """Volunteers whose pause had an end are available again from the day after it."""
    today = now.astimezone(AMSTERDAM).date()
    result = db.execute(
        update(User)
        .where(User.available.is_(False), User.paused_until < today)
        .values(available=True, paused_until=None)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return result.rowcount


def _merged(spans):
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def record_vog(db: Session, actor: User, volunteer: User, valid_until: date | None) -> None:
    """Staff note the expiry date of a volunteer's VOG (None: no valid VOG)."""
    if not may_act_on(actor, volunteer):
        raise ModerationError("only staff record a VOG, and for the back office only admins")
    volunteer.vog_valid_until = valid_until
    reason = valid_until.isoformat() if valid_until else None
    record(
        db, actor, "users.vog_recorded" if valid_until else "users.vog_removed", volunteer, reason
    )
    db.commit()

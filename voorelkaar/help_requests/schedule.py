"""When the appointments of a request fall, in Amsterdam time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import HelpRequest, ScheduleKind

# "Is het gelukt?" is asked the morning after, not while someone is still on their way home.
FOLLOWUP_AT = time(10)


def appointment_on(request: HelpRequest, day: date) -> tuple[datetime, datetime] | None:
    """Return (start, end) of the request's appointment on local date day, if it has one."""
    if request.schedule == ScheduleKind.WEEKLY:
        if request.weekday != day.weekday() or (request.until is not None and day > request.until):
            return None
        return (
            datetime.combine(day, request.start_time, AMSTERDAM),
            datetime.combine(day, request.end_time, AMSTERDAM),
        )
    if request.starts_at is None or request.starts_at.astimezone(AMSTERDAM).date() != day:
        return None
    return request.starts_at.astimezone(AMSTERDAM), request.ends_at.astimezone(AMSTERDAM)


def next_appointment(request: HelpRequest, moment: datetime) -> tuple[datetime, datetime] | None:
    """Return (start, end) of the first appointment not over at moment (None if none is left)."""
    if request.schedule != ScheduleKind.WEEKLY:
        if request.starts_at and request.ends_at and request.ends_at > moment:
            return request.starts_at.astimezone(AMSTERDAM), request.ends_at.astimezone(AMSTERDAM)
        return None
    today = moment.astimezone(AMSTERDAM).date()
    for offset in range(8):
        found = appointment_on(request, today + timedelta(days=offset))
        if found is not None and found[1] > moment:
            return found
    return None


def first_end_after(request: HelpRequest, moment: datetime) -> datetime | None:
    """Return when the first appointment ending after moment ends (None if none is left)."""
    found = next_appointment(request, moment)
    return found[1] if found else None


def followup_moment(request: HelpRequest, confirmed_at: datetime) -> datetime | None:
    """Return when to ask "Is het gelukt?": the morning after the first appointment."""
    end = first_end_after(request, confirmed_at)
    if end is None:
        # Confirmed after the planned time (staff catching up): ask the next morning.
        end = confirmed_at
    next_day = end.astimezone(AMSTERDAM).date() + timedelta(days=1)
    return datetime.combine(next_day, FOLLOWUP_AT, AMSTERDAM)

"""An appointment as an iCalendar (.ics) file, so a volunteer can put it in their agenda."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from voorelkaar import geo
from voorelkaar.db import utcnow
from voorelkaar.models import Match


def appointment_ics(match: Match, start: datetime, end: datetime) -> str:
    """Return one VEVENT for the match on this date, in the volunteer's language.

    The UID stays the same for the same appointment, so a calendar that gets the file
    twice updates the event instead of adding another.
    """
    request = match.request
    domain = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].rstrip(">")
    calendar = Calendar()
    calendar.add("prodid", "-//voorelkaar//burenhulp//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"afspraak-{match.id}-{start.date().isoformat()}@{domain}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", request.title)
    # The match is confirmed, so the volunteer may know the address (DESIGN.md, privacy).
    event.add("location", geo.address_line(request))
    with force_locale(match.volunteer.locale or "nl"):
        event.add(
            "description",
            _(
                "U helpt %(name)s. Lukt het niet? Laat het zo snel mogelijk weten op de site.",
                name=request.author.first_name,
            ),
        )
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()

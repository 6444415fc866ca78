"""The table of consequences of a request's own events: withdrawn by its asker, expired."""

from __future__ import annotations

from voorelkaar import events
from voorelkaar.events import Event, Tell
from voorelkaar.models import MatchState, User
from voorelkaar.urls import absolute_url


def asker(event: Event) -> tuple[User, ...]:
    return (event.request.author,)


def ended_volunteers(event: Event) -> tuple[User, ...]:
    """The volunteers who offered, were invited or were to help, and now need not."""
    return tuple(match.volunteer for match in event.ended)


def links(event: Event, _person: User) -> dict:
    return {
        "request_link": absolute_url("help_requests.detail", request_id=event.request.id),
        "nearby_link": absolute_url("volunteers.nearby"),
        "new_request_link": absolute_url("help_requests.create"),
    }


def withdrawn(event: Event, person: User) -> dict:
    """The links, and whether this volunteer's help had been agreed (so they need not come)."""
    theirs = [match for match in event.ended if match.volunteer_id == person.id]
    return {
        **links(event, person),
        "confirmed": any(m.state == MatchState.CANCELLED for m in theirs),
    }


def resident(event: Event) -> tuple[User, ...]:
    """The resident whose record a request was posted for (from their person page)."""
    return (event.request.resident,) if event.request.resident is not None else ()


def register() -> None:
    """Fill the table of consequences for a request's events (called at app start)."""
    events.register(
        "request_withdrawn",
        Tell(ended_volunteers, "request_withdrawn", context=withdrawn),
        Tell(asker, "request_withdrawn_asker", context=links),  # when staff withdrew it
    )
    # Staff posted for a resident: the resident hears it is online (or gets a call).
    events.register(
        "request_posted_for_resident",
        Tell(resident, "request_posted_for_you", notice=False),
    )
    # Staff took it offline after a report: the asker was mailed the reason by moderation.
    events.register(
        "request_hidden",
        Tell(ended_volunteers, "request_hidden", context=withdrawn),
    )
    events.register(
        "request_expired",
        Tell(asker, "request_expired", notice=False, context=links),
        Tell(ended_volunteers, "request_closed", context=links),
    )

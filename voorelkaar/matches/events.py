"""The table of consequences of a match's events: who hears of each, and how.

Every event is told to the people it concerns by email (service mail: these are not
optional) and, where it says notice, on their overview. Nobody is told what they did
themselves (see voorelkaar.events.Tell). Questions that wait on someone (an offer to
answer, an invitation) show under "Actie nodig" from the match's state (matches.actions).
"""

from __future__ import annotations

from datetime import timedelta

from babel.numbers import format_decimal

from voorelkaar import events
from voorelkaar.answers.services import answer_link
from voorelkaar.events import Event, OpenTask, Tell
from voorelkaar.geo.distance import distance_km
from voorelkaar.help_requests.schedule import next_appointment
from voorelkaar.matches.calendar import appointment_ics
from voorelkaar.matches.services import invitation_link
from voorelkaar.models import PostedFor, RequestState, TaskKind, User
from voorelkaar.urls import absolute_url

# A cancellation this close to the appointment leaves someone waiting: staff look at it.
SOON = timedelta(hours=48)
OFFER_ANSWERS = ("ja", "nee")


def asker(event: Event) -> tuple[User, ...]:
    """Who posted the request: the resident, or the carer or staff member who posted for someone."""
    return (event.request.author,)


def volunteer(event: Event) -> tuple[User, ...]:
    return (event.match.volunteer,)


def both_sides(event: Event) -> tuple[User, ...]:
    return (event.match.volunteer, event.request.author)


def inviter(event: Event) -> tuple[User | None, ...]:
    return (event.match.invited_by,)


def inviter_not_asker(event: Event) -> tuple[User | None, ...]:
    """Whoever invited, when that was not the asker (who hears of the offer itself)."""
    invited_by = event.match.invited_by
    return (invited_by,) if invited_by and invited_by.id != event.request.author_id else ()


def ended_volunteers(event: Event) -> tuple[User, ...]:
    """The volunteers whose offer, invitation or appointment this event ended."""
    return tuple(match.volunteer for match in event.ended)


def request_link(event: Event, _person: User) -> dict:
    return {"request_link": absolute_url("help_requests.detail", request_id=event.request.id)}


def offer_links(event: Event, person: User) -> dict:
    """The one-click answers to an offer, signed for the person asked."""
    return {
        **request_link(event, person),
        "links": {a: answer_link("aanbod", event.match.id, person, a) for a in OFFER_ANSWERS},
        "invited": event.match.invited_by_id == person.id,
    }


def invitation_links(event: Event, person: User) -> dict:
    """The answer links, and what, when and where (the wijk and how far, never the address)."""
    item = event.request
    return {
        **request_link(event, person),
        "yes_link": invitation_link(event.match, "ja"),
        "no_link": invitation_link(event.match, "nee"),
        "category": item.category.name(person.locale) if item.category else "",
        "km": format_decimal(
            round(distance_km(person.lat, person.lon, item.lat, item.lon), 1), locale=person.locale
        ),
    }


def appointment(event: Event, person: User) -> dict:
    """The next appointment, now that both sides agreed: the volunteer may know the address."""
    found = next_appointment(event.request, event.at)
    return {**request_link(event, person), "start": found[0] if found else None}


def appointment_file(event: Event, _person: User):
    found = next_appointment(event.request, event.at)
    if found is None:
        return None
    return ("afspraak.ics", "text/calendar", appointment_ics(event.match, *found))


def cancelled(event: Event, person: User) -> dict:
    return {**request_link(event, person), "soon": soon(event)}


def nearby_link(event: Event, person: User) -> dict:
    return {**request_link(event, person), "nearby_link": absolute_url("volunteers.nearby")}


def needs_staff(event: Event) -> bool:
    """A cancellation staff should act on: the appointment is near, or whom it was for has no
    account of their own (posted for them by staff or a consultant), so someone must call."""
    if event.request.state == RequestState.CANCELLED:
        return False  # withdrawn in the same step: nobody else needs to be found
    return soon(event) or event.request.posted_for == PostedFor.RESIDENT


def soon(event: Event) -> bool:
    """Whether the appointment called off starts within SOON (or is going on)."""
    found = next_appointment(event.request, event.at)
    return found is not None and found[0] - event.at <= SOON


def register() -> None:
    """Fill the table of consequences for the match's events (called at app start)."""
    events.register("offer_made", Tell(asker, "offer_made", notice=False, context=offer_links))
    events.register(
        "offer_waiting", Tell(asker, "offer_reminder", notice=False, context=offer_links)
    )
    events.register(
        "offer_unanswered",
        OpenTask(
            TaskKind.OFFER_UNANSWERED,
            person=lambda e: e.request.author,
            # Once per offer, also when two scheduler processes find it at the same time.
            key=lambda e: f"offer_unanswered:{e.match.id}:{e.match.offered_at:%Y%m%d%H%M%S}",
        ),
    )
    events.register(
        "volunteer_invited",
        Tell(volunteer, "match_invitation", notice=False, context=invitation_links),
    )
    events.register(
        "invitation_accepted",
        Tell(asker, "offer_made", notice=False, context=offer_links),
        Tell(inviter_not_asker, "invitation_accepted", context=request_link),
    )
    events.register(
        "invitation_declined", Tell(inviter, "invitation_declined", context=request_link)
    )
    events.register(
        "match_confirmed",
        Tell(volunteer, "match_confirmed", context=appointment, attachment=appointment_file),
        Tell(asker, "match_confirmed_asker", context=appointment),
        Tell(ended_volunteers, "offer_not_needed", context=nearby_link),
    )
    events.register(
        "offer_refused",
        Tell(volunteer, "offer_refused", context=nearby_link),
        Tell(asker, "offer_refused_asker", context=request_link),  # when staff said no
    )
    events.register("offer_withdrawn", Tell(asker, "offer_withdrawn", context=request_link))
    events.register(
        "match_cancelled",
        Tell(both_sides, "match_cancelled", context=cancelled),
        OpenTask(
            TaskKind.MATCH_CANCELLED,
            person=lambda e: e.request.author,
            when=needs_staff,
        ),
    )
    events.register("message_sent", Tell(both_sides, "match_message", context=request_link))
    # Both sides said it happened (or staff marked it): they know. Systems outside may hear
    # of it (webhooks add themselves).
    events.register("request_done")

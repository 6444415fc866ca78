"""Tasks that follow the case: what closes a task when the subject it is about resolves.

One consequence per event of a request or match (voorelkaar.events.also); state changes
that raise no event (a check-in answered, a referral accepted, a request done) call the
same close_* services from the one service that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from voorelkaar import events
from voorelkaar.events import Event
from voorelkaar.models import TaskKind
from voorelkaar.tasks.services import REQUEST_KINDS, close_for_matches, close_for_request

MATCHED = "Vanzelf gesloten: er is een vrijwilliger bevestigd."
ANSWERED = "Vanzelf gesloten: het aanbod is beantwoord."
OFFER_WITHDRAWN = "Vanzelf gesloten: de vrijwilliger trok het aanbod in."
WITHDRAWN = "Vanzelf gesloten: de hulpvraag is ingetrokken."
EXPIRED = "Vanzelf gesloten: de hulpvraag is verlopen."
HIDDEN = "Vanzelf gesloten: de hulpvraag is offline gehaald na een melding."
DONE = "Vanzelf gesloten: de hulpvraag is afgerond."
# What a confirmed volunteer resolves: nobody found, an appointment called off, help failed.
FOUND_KINDS = (TaskKind.REQUEST_UNMATCHED, TaskKind.MATCH_CANCELLED, TaskKind.MATCH_FAILED)


@dataclass(frozen=True)
class CloseRequestTasks:
    """Close the open tasks of these kinds about the event's request."""

    reason: str
    kinds: tuple[TaskKind, ...] = REQUEST_KINDS

    def apply(self, db, event: Event) -> None:
        if event.request is not None:
            close_for_request(db, event.request.id, self.reason, self.kinds)


@dataclass(frozen=True)
class CloseOfferTasks:
    """Close "offer unanswered" tasks of the event's match and of the offers it ended."""

    reason: str

    def apply(self, db, event: Event) -> None:
        ids = [event.match.id if event.match else None] + [m.id for m in event.ended]
        close_for_matches(db, ids, self.reason)


def register() -> None:
    """Add the closing of tasks to the events of requests and matches (at app start)."""
    events.also(
        "match_confirmed", CloseRequestTasks(MATCHED, FOUND_KINDS), CloseOfferTasks(ANSWERED)
    )
    events.also("offer_refused", CloseOfferTasks(ANSWERED))
    events.also("offer_withdrawn", CloseOfferTasks(OFFER_WITHDRAWN))
    events.also("request_withdrawn", CloseRequestTasks(WITHDRAWN))
    events.also("request_expired", CloseRequestTasks(EXPIRED))
    events.also("request_hidden", CloseRequestTasks(HIDDEN))

"""What happens in an own network, and who hears of it: the table of consequences."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from voorelkaar import events, face
from voorelkaar.answers.services import answer_link
from voorelkaar.events import Event, Tell
from voorelkaar.models import CircleAnswer, NetworkMember, User
from voorelkaar.notify import enqueue_email
from voorelkaar.urls import absolute_url

CIRCLE_QUESTION = "netwerk-vraag"
RELEASE_QUESTION = "naar-de-wijk"


def send_invitation(db: Session, member: NetworkMember, secret: str, cause: int) -> None:
    """Mail the invitation link to the address the resident gave (no account needed yet)."""
    enqueue_email(
        db,
        key=f"network_invitation:{member.id}:{cause}",
        address=member.email,
        template="network_invitation",
        kind="network_invitation",
        member=member,
        owner=member.owner,
        link=absolute_url("network.invitation", secret=secret),
        join_link=absolute_url("network.join_by_code"),
        # The resident's municipality gives the mail its face: the invitee has no account yet.
        municipality=face.municipality_of(db, member.owner),
    )


def owner_of_joined(event: Event) -> tuple[User, ...]:
    """The resident whose circle the event's actor just joined."""
    if event.actor is None:
        return ()
    member = object_session(event.actor).scalar(
        select(NetworkMember)
        .where(NetworkMember.member_user_id == event.actor.id)
        .order_by(NetworkMember.joined_at.desc())
    )
    return (member.owner,) if member is not None else ()


def joined_context(event: Event, _person: User) -> dict:
    return {"network_link": absolute_url("network.overview"), "joined": event.actor}


def asked_members(event: Event) -> tuple[User, ...]:
    rows = object_session(event.request).scalars(
        select(CircleAnswer).where(CircleAnswer.request_id == event.request.id)
    )
    return tuple(row.member.member_user for row in rows if row.member.member_user is not None)


def circle_links(event: Event, person: User) -> dict:
    """The member's one-click answers, and the asker's first name (never more)."""
    return {
        "links": {
            a: answer_link(CIRCLE_QUESTION, event.request.id, person, a) for a in ("ja", "nee")
        },
        "circles_link": absolute_url("network.circles"),
    }


def asker(event: Event) -> tuple[User, ...]:
    return (event.request.author,)


def release_links(event: Event, person: User) -> dict:
    return {
        "links": {
            a: answer_link(RELEASE_QUESTION, event.request.id, person, a) for a in ("ja", "nee")
        },
        "request_link": absolute_url("help_requests.detail", request_id=event.request.id),
    }


def register() -> None:
    """Fill the table of consequences for the own network's events (called at app start)."""
    events.register(
        "network_joined", Tell(owner_of_joined, "network_joined", context=joined_context)
    )
    # What waits on the member is on their overview ("Actie nodig") while it is open.
    events.register(
        "circle_asked",
        Tell(asked_members, "circle_request", notice=False, context=circle_links),
    )
    events.register(
        "circle_unanswered", Tell(asker, "circle_unanswered", notice=False, context=release_links)
    )

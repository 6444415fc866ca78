"""Your own network first: the people around a resident, their circle, the network check.

The members are the resident's record. A member who joins with an account (by an email
link or a printed code) is asked first when the resident sends a request to the own
network; until the resident says it may go on, volunteers of the wijk do not see it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth.access import staff_of
from voorelkaar.db import claim, utcnow
from voorelkaar.events import emit
from voorelkaar.help_requests.schedule import followup_moment
from voorelkaar.models import (
    CircleAnswer,
    HelpRequest,
    Match,
    MatchState,
    NetworkMember,
    RequestState,
    TaskKind,
    User,
)
from voorelkaar.moderation.services import publish_post, submit_post
from voorelkaar.tasks.services import close_for_request, open_task

# The asker was asked whether the request may go to the wijk; after this, staff look.
STUCK_AFTER = timedelta(days=2)
MAX_MEMBERS = 50
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper


class NetworkError(Exception):
    """A step on a network that is not allowed; the view says why."""


@dataclass(frozen=True)
class MemberDetails:
    first_name: str
    relation: str
    closeness: int
    reach: str
    email: str | None
    categories: tuple[str, ...]


# ---------- The members ----------


def members_of(db: Session, owner: User) -> list[NetworkMember]:
    """The people in owner's network, closest first, then by name."""
    return list(
        db.scalars(
            select(NetworkMember)
            .where(NetworkMember.owner_id == owner.id)
            .order_by(NetworkMember.closeness, NetworkMember.first_name, NetworkMember.id)
        )
    )


def member_of(db: Session, owner: User, member_id: int) -> NetworkMember | None:
    """One of owner's members; None for anyone else's."""
    member = db.get(NetworkMember, member_id)
    return member if member is not None and member.owner_id == owner.id else None


def add_member(
    db: Session, owner: User, details: MemberDetails, *, coach: User | None = None
) -> NetworkMember:
    """Add a person to owner's network; commits.

    coach: a staff member filling it in with the resident, with their consent (audited).
    """
    count = db.scalar(select(func.count()).where(NetworkMember.owner_id == owner.id))
    if count >= MAX_MEMBERS:
        raise NetworkError("too many")
    member = NetworkMember(owner_id=owner.id, municipality_id=owner.municipality_id)
    _apply(member, details)
    db.add(member)
    db.flush()
    if coach is not None:
        record(
            db, coach, "network.added", member, "als netwerkcoach, met toestemming", person=owner
        )
    else:
        record(db, owner, "network.added", member)
    db.commit()
    return member


def update_member(db: Session, owner: User, member: NetworkMember, details: MemberDetails):
    """Change what owner wrote about a member; commits."""
    _apply(member, details)
    record(db, owner, "network.changed", member)
    db.commit()


def _apply(member: NetworkMember, details: MemberDetails) -> None:
    member.first_name = details.first_name
    member.relation = details.relation
    member.closeness = details.closeness
    member.reach = details.reach or ""
    if (details.email or None) != member.email and not member.joined:
        member.invite_hash = member.invite_code = member.invited_at = None  # a new address
    member.email = details.email or None
    member.categories = " ".join(sorted(set(details.categories)))


def remove_member(db: Session, owner: User, member: NetworkMember) -> None:
    """Take a person out of owner's network (and out of the circle, if they joined)."""
    record(db, owner, "network.removed", member)
    db.delete(member)
    db.commit()


# ---------- Invitations ----------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def invite(db: Session, owner: User, member: NetworkMember, *, by_email: bool) -> str:
    """A fresh invitation (link secret and printed code) for member; commits.

    by_email: mail the link to the address the resident gave. Returns the link's secret.
    An earlier link or code stops working: only the newest invitation counts.
    """
    if member.joined:
        raise NetworkError("already joined")
    if by_email and not member.email:
        raise NetworkError("no email")
    secret = secrets.token_urlsafe(24)
    member.invite_hash, member.invite_code, member.invited_at = (
        _digest(secret),
        _new_code(),
        utcnow(),
    )
    audit = record(db, owner, "network.invited", member)
    db.flush()
    if by_email:
        from voorelkaar.network.events import send_invitation

        send_invitation(db, member, secret, audit.id)
    db.commit()
    return secret


def invitation_by_secret(db: Session, secret: str) -> NetworkMember | None:
    member = db.scalar(select(NetworkMember).where(NetworkMember.invite_hash == _digest(secret)))
    return member if member is not None and not member.joined else None


def invitation_by_code(db: Session, code: str) -> NetworkMember | None:
    code = normalise_code(code)
    if not code:
        return None
    member = db.scalar(select(NetworkMember).where(NetworkMember.invite_code == code))
    return member if member is not None and not member.joined else None


def join(db: Session, user: User, member: NetworkMember) -> bool:
    """user joins the circle member stands for; False when someone used it first.

    Joining makes nobody a volunteer: the member sees only this resident's requests.
    """
    if user.id == member.owner_id:
        raise NetworkError("own network")
    already = db.scalar(
        select(NetworkMember.id).where(
            NetworkMember.owner_id == member.owner_id, NetworkMember.member_user_id == user.id
        )
    )
    if already is not None:
        raise NetworkError("already in this circle")
    joined = claim(
        db,
        NetworkMember,
        member.id,
        NetworkMember.member_user_id.is_(None),
        member_user_id=user.id,
        joined_at=utcnow(),
        left_at=None,
        invite_hash=None,
        invite_code=None,
    )
    if not joined:
        db.rollback()
        return False
    db.refresh(member)
    emit(db, "network_joined", record(db, user, "network.joined", member), actor=user)
    db.commit()
    return True


def leave(db: Session, user: User, member: NetworkMember) -> None:
    """The member steps out of a resident's circle; the resident keeps their record."""
    if member.member_user_id != user.id:
        raise NetworkError("not yours")
    member.member_user_id, member.left_at = None, utcnow()
    record(db, user, "network.left", member)
    db.commit()


def unlink(db: Session, owner: User, member: NetworkMember) -> None:
    """The resident takes a member out of the circle and keeps them on the list."""
    member.member_user_id, member.left_at = None, utcnow()
    record(db, owner, "network.unlinked", member)
    db.commit()


def circles_of(db: Session, user: User) -> list[NetworkMember]:
    """The circles user joined (the rows that link them), of residents who still exist."""
    return list(
        db.scalars(
            select(NetworkMember)
            .where(NetworkMember.member_user_id == user.id)
            .order_by(NetworkMember.joined_at)
        )
    )


# ---------- Requests to the own circle ----------


def has_circle(db: Session, owner: User) -> bool:
    """Whether anyone joined owner's circle (then a request may go to them first)."""
    return (
        db.scalar(
            select(NetworkMember.id)
            .where(NetworkMember.owner_id == owner.id, NetworkMember.member_user_id.is_not(None))
            .limit(1)
        )
        is not None
    )


def helpers_for(db: Session, owner: User, category_slug: str) -> list[NetworkMember]:
    """Members who joined and said they can help with this category (not blocked)."""
    return [
        member
        for member in members_of(db, owner)
        if member.joined
        and category_slug in member.category_set
        and member.member_user.blocked_at is None
    ]


def ask_circle(db: Session, request: HelpRequest, days: int) -> list[NetworkMember]:
    """Send a new request to the asker's circle first, if anyone there can help.

    In the caller's transaction. Returns those asked; empty: nobody could, the caller
    posts the request to the wijk as usual.
    """
    helpers = helpers_for(db, request.author, request.category.slug)
    if not helpers:
        return []
    request.state = RequestState.CIRCLE
    request.asked_circle = True
    request.circle_until = utcnow() + timedelta(days=days)
    for member in helpers:
        db.add(CircleAnswer(request_id=request.id, member_id=member.id))
    db.flush()
    audit = record(db, request.author, "network.asked", request)
    emit(db, "circle_asked", audit, actor=request.author, request=request)
    return helpers


def asked_members(db: Session, request: HelpRequest) -> list[CircleAnswer]:
    return list(
        db.scalars(
            select(CircleAnswer)
            .where(CircleAnswer.request_id == request.id)
            .order_by(CircleAnswer.id)
        )
    )


def circle_answer_of(db: Session, user: User, request: HelpRequest) -> CircleAnswer | None:
    """user's place among those asked for request (None: they were not asked)."""
    return db.scalar(
        select(CircleAnswer)
        .join(NetworkMember, NetworkMember.id == CircleAnswer.member_id)
        .where(CircleAnswer.request_id == request.id, NetworkMember.member_user_id == user.id)
    )


def requests_for_member(db: Session, user: User) -> list[tuple[HelpRequest, CircleAnswer]]:
    """The requests of the circles user is in, that were sent to them; newest first."""
    rows = db.execute(
        select(HelpRequest, CircleAnswer)
        .join(CircleAnswer, CircleAnswer.request_id == HelpRequest.id)
        .join(NetworkMember, NetworkMember.id == CircleAnswer.member_id)
        .where(NetworkMember.member_user_id == user.id)
        .order_by(HelpRequest.id.desc())
    ).all()
    return [(request, answer) for request, answer in rows]


def answer_circle(db: Session, user: User, request: HelpRequest, answer: str) -> str:
    """A circle member answers yes or no; returns what happened ("ja", "nee", "dicht").

    A yes is a confirmed match at once (the asker chose these people): both hear so, as
    with any match. When every member asked said no, the asker is asked whether the
    request may go to the wijk without waiting longer.
    """
    asked = circle_answer_of(db, user, request)
    if asked is None or request.state != RequestState.CIRCLE:
        return "dicht"
    now = utcnow()
    if answer == "ja":
        if not claim(
            db,
            HelpRequest,
            request.id,
            HelpRequest.state == RequestState.CIRCLE,
            HelpRequest.confirmed_count < HelpRequest.volunteers_needed,
            confirmed_count=HelpRequest.confirmed_count + 1,
        ):
            db.rollback()
            return "dicht"
        asked.answer, asked.answered_at = "ja", now
        match = Match(
            request_id=request.id,
            volunteer_id=user.id,
            state=MatchState.CONFIRMED,
            via_circle=True,
            offered_at=now,
            confirmed_at=now,
        )
        db.add(match)
        db.flush()
        match.followup_after = followup_moment(request, now)
        claim(
            db,
            HelpRequest,
            request.id,
            HelpRequest.confirmed_count >= HelpRequest.volunteers_needed,
            state=RequestState.MATCHED,
        )
        db.refresh(request)
        audit = record(db, user, "matches.confirmed", match)
        # No actor: the member who said yes needs the appointment (address, .ics) by mail
        # too, and an event's actor is told nothing of what they did themselves.
        emit(db, "match_confirmed", audit, actor=None, match=match)
        db.commit()
        return "ja"
    if asked.answer is None:
        asked.answer, asked.answered_at = "nee", now
        record(db, user, "network.said_no", request)
        everyone = asked_members(db, request)
        if all(item.answer == "nee" for item in everyone):
            ask_release(db, request, now)
        db.commit()
    return "nee"


def ask_release(db: Session, request: HelpRequest, now: datetime) -> bool:
    """Ask the asker (once) whether their request may go to volunteers in the wijk."""
    if not claim(
        db,
        HelpRequest,
        request.id,
        HelpRequest.state == RequestState.CIRCLE,
        HelpRequest.circle_released_asked_at.is_(None),
        circle_released_asked_at=now,
    ):
        return False
    db.refresh(request)
    audit = record(db, None, "network.no_answer", request)
    emit(db, "circle_unanswered", audit, actor=None, request=request)
    return True


def release_to_wijk(db: Session, actor: User, request: HelpRequest) -> bool:
    """The asker (or staff) lets a request from the circle go to volunteers in the wijk.

    It is reviewed first where the municipality moderates, as any new request.
    """
    if not claim(
        db, HelpRequest, request.id, HelpRequest.state == RequestState.CIRCLE, circle_until=None
    ):
        db.rollback()
        return False
    db.refresh(request)
    record(db, actor, "network.released", request)
    if staff_of(actor, request.municipality_id):
        publish_post(request)
        record(db, actor, "help_requests.published", request)
    else:
        submit_post(db, request, actor)  # reviewed first where the municipality moderates
    close_for_request(db, request.id, "Vanzelf gesloten: de hulpvraag staat nu open in de wijk.")
    db.commit()
    return True


def circle_due(db: Session, now: datetime) -> int:
    """Job: ask the asker about requests nobody in the circle took in time; tasks for staff."""
    done = 0
    due = db.scalars(
        select(HelpRequest.id).where(
            HelpRequest.state == RequestState.CIRCLE,
            HelpRequest.circle_until <= now,
            HelpRequest.circle_released_asked_at.is_(None),
        )
    ).all()
    for request_id in due:
        request = db.get(HelpRequest, request_id)
        if request is not None and ask_release(db, request, now):
            done += 1
        db.commit()
    stuck = db.scalars(
        select(HelpRequest).where(
            HelpRequest.state == RequestState.CIRCLE,
            HelpRequest.circle_released_asked_at <= now - STUCK_AFTER,
        )
    ).all()
    for request in stuck:
        open_task(
            db,
            key=f"circle_stuck:{request.id}",
            kind=TaskKind.CIRCLE_STUCK,
            person=request.author,
            request=request,
        )
        db.commit()
    return done


def stuck_in_circle(db: Session, municipality_ids, now: datetime) -> list[HelpRequest]:
    """Requests past their time in the own network, for staff (oldest first)."""
    query = select(HelpRequest).where(
        HelpRequest.state == RequestState.CIRCLE, HelpRequest.circle_until <= now
    )
    if municipality_ids is not None:
        query = query.where(HelpRequest.municipality_id.in_(municipality_ids))
    return list(db.scalars(query.order_by(HelpRequest.circle_until).limit(50)))

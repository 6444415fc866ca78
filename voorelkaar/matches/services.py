"""Load candidates from the database (prefiltered by distance in SQL), rank them in the core."""

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.audit import record
from voorelkaar.auth.access import staff_of
from voorelkaar.db import claim, utcnow
from voorelkaar.events import emit
from voorelkaar.help_requests.schedule import followup_moment
from voorelkaar.help_requests.services import (
    CANCELLABLE,
    NotAllowed,
    end_matches,
    hold_open,
    may_manage,
    withdraw_request,
)
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.matching import Candidate, MatchingError, Need, Ranked, Slot, rank
from voorelkaar.matching.bounds import best_score_beyond
from voorelkaar.models import (
    HelpRequest,
    Match,
    MatchMessage,
    MatchState,
    RequestState,
    Role,
    ScheduleKind,
    User,
    UserRole,
    VolunteerSlot,
)
from voorelkaar.tasks.services import close_for_request
from voorelkaar.urls import absolute_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    volunteer: User
    ranked: Ranked


def times_helped(db: Session, volunteer_ids: list[int]) -> dict[int, int]:
    """How often each volunteer was confirmed for a request (or finished one), in one query."""
    if not volunteer_ids:
        return {}
    rows = db.execute(
        select(Match.volunteer_id, func.count())
        .where(
            Match.volunteer_id.in_(volunteer_ids),
            Match.state.in_((MatchState.CONFIRMED, MatchState.DONE)),
        )
        .group_by(Match.volunteer_id)
    )
    return dict(rows.tuples().all())


def slots_of(request: HelpRequest) -> tuple[Slot, ...]:
    """The weekly time a request needs, in local time (from a request or a row of its columns).

    Raises InvalidSlot for a weekly time that ends before it starts.
    """
    if request.schedule == ScheduleKind.WEEKLY:
        return (Slot(request.weekday, request.start_time, request.end_time),)
    start, end = request.starts_at.astimezone(AMSTERDAM), request.ends_at.astimezone(AMSTERDAM)
    if end.date() != start.date() or end.time() <= start.time():
        return ()  # across midnight: leave availability out rather than guess
    return (Slot(start.weekday(), start.time(), end.time()),)


def need_of(request: HelpRequest) -> Need:
    """What matching needs of a request (or of a row of its columns); MatchingError if malformed."""
    return Need(
        lat=request.lat,
        lon=request.lon,
        skills=tags(request.skills),
        slots=slots_of(request),
        radius_km=None,
        requires_vog=request.requires_vog,
    )


def candidate_of(user: User, today: date) -> Candidate:
    """The volunteer as matching sees them; a malformed slot of theirs is left out and logged."""
    return Candidate(
        id=user.id,
        lat=user.lat,
        lon=user.lon,
        skills=tags(user.skills),
        slots=tuple(
            slot
            for s in user.slots
            if (slot := sound_slot(user.id, s.weekday, s.start_time, s.end_time)) is not None
        ),
        travel_km=user.travel_km,
        vog=user.has_valid_vog(today),
    )


def sound_slot(user_id: int, weekday, start, end) -> Slot | None:
    """A volunteer's weekly slot, or None (logged by user id only) when it is malformed."""
    try:
        return Slot(weekday, start, end)
    except MatchingError as error:
        log.warning("malformed slot of user %s skipped: %s", user_id, type(error).__name__)
        return None


def skipped(kind: str, row_id: int, error: Exception) -> None:
    """Log a row that matching cannot read, by its id only: no names, no places."""
    log.warning("malformed %s %s skipped: %s", kind, row_id, type(error).__name__)


def tags(skills: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in skills.split(",") if s.strip())


def _today() -> date:
    return datetime.now(AMSTERDAM).date()


# The search for volunteers starts this close to a request and doubles until it is sure.
FIRST_CIRCLE_KM = 1.0
# The SQL distance is a flat-earth estimate; this margin keeps everyone the exact check keeps.
ESTIMATE_MARGIN = 1.01
# Ids per IN (...) list, well below SQLite's limit of 32,766 bound values.
IN_LIST_SIZE = 5_000


def suggest_volunteers(db: Session, request: HelpRequest, limit: int = 10) -> list[Suggestion]:
    """The best volunteers for a request, with reasons.

    Volunteers are read from the database in growing circles around the request, and
    the search stops as soon as nobody farther away could rank among the best: with a
    million volunteers it reads a few hundred rows, not everyone within reach.
    """
    reach = current_app.config["MAX_TRAVEL_KM"]
    try:
        need = need_of(request)
    except MatchingError as error:
        skipped("help request", request.id, error)
        return []
    today = _today()
    km = min(FIRST_CIRCLE_KM, reach)
    seen: dict[int, Candidate | None] = {}
    while True:
        ranked = rank(need, _candidates_within(db, request, km, today, seen), limit=limit)
        complete = len(ranked) == limit and ranked[-1].score > best_score_beyond(km)
        if complete or km >= reach:
            break
        km = min(km * 2, reach)
    volunteers = db.scalars(select(User).where(User.id.in_([r.candidate_id for r in ranked])))
    by_id = {volunteer.id: volunteer for volunteer in volunteers}
    return [Suggestion(by_id[r.candidate_id], r) for r in ranked]


def _candidates_within(
    db: Session, request: HelpRequest, km: float, today: date, seen: dict[int, Candidate | None]
) -> list[Candidate]:
    """Volunteers within km of a request (a box around the circle) who would travel that far.

    seen holds the candidates of smaller circles, so each is built only once (None: a
    volunteer whose week is malformed, left out).
    """
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(request.lat, request.lon, km)
    east = geo.KM_PER_DEGREE * math.cos(math.radians(request.lat))
    dx, dy = (User.lon - request.lon) * east, (User.lat - request.lat) * geo.KM_PER_DEGREE
    travel = User.travel_km * ESTIMATE_MARGIN + 0.05
    conditions = [
        User.lat_band.in_(geo.lat_bands(min_lat, max_lat)),
        User.lon.between(min_lon, max_lon),
        User.lat.between(min_lat, max_lat),
        dx * dx + dy * dy <= travel * travel,
        User.available.is_(True),
        User.blocked_at.is_(None),
        # Made on the register form and never confirmed: perhaps not theirs to be asked at.
        User.email_confirmed_at.is_not(None),
        User.id != request.author_id,
        # Asked, offered, helping or said no already: not suggested to invite again.
        ~select(Match.id)
        .where(Match.request_id == request.id, Match.volunteer_id == User.id)
        .exists(),
        select(UserRole.id)
        .where(UserRole.user_id == User.id, UserRole.role == Role.VOLUNTEER)
        .exists(),
    ]
    if request.requires_vog:
        conditions.append(User.vog_valid_until >= today)
    rows = db.execute(
        select(
            User.id, User.lat, User.lon, User.skills, User.travel_km, User.vog_valid_until
        ).where(*conditions)
    ).all()
    new = [row for row in rows if row.id not in seen]
    slots, malformed = defaultdict(list), set()
    for first in range(0, len(new), IN_LIST_SIZE):
        for user_id, weekday, start, end in db.execute(
            select(
                VolunteerSlot.user_id,
                VolunteerSlot.weekday,
                VolunteerSlot.start_time,
                VolunteerSlot.end_time,
            ).where(
                VolunteerSlot.user_id.in_([row.id for row in new[first : first + IN_LIST_SIZE]])
            )
        ):
            slot = sound_slot(user_id, weekday, start, end)
            if slot is None:
                malformed.add(user_id)  # a week read wrongly would suggest them at wrong times
            else:
                slots[user_id].append(slot)
    for row in new:
        if row.id in malformed:
            seen[row.id] = None
            continue
        seen[row.id] = Candidate(
            id=row.id,
            lat=row.lat,
            lon=row.lon,
            skills=tags(row.skills),
            slots=tuple(slots[row.id]),
            travel_km=row.travel_km,
            vog=row.vog_valid_until is not None and row.vog_valid_until >= today,
        )
    return [seen[row.id] for row in rows if seen[row.id] is not None]


class MatchError(Exception):
    """A match step that cannot be done now; the view says why, politely."""


class RequestFull(MatchError):
    pass


class Refused(MatchError):
    """The asker (or staff) said no to this volunteer's offer: offering again changes nothing."""


# A volunteer with a match in one of these states is in already: not asked or suggested again.
IN = (MatchState.INVITED, MatchState.OFFERED, MatchState.CONFIRMED, MatchState.DONE)
ENDED = (MatchState.DECLINED, MatchState.CANCELLED)


def offer_help(db: Session, volunteer: User, request: HelpRequest) -> Match:
    """The volunteer says "Ik help"; the asker (or who posted for them) is asked yes or no."""
    if not volunteer.has_role(Role.VOLUNTEER) or volunteer.id == request.author_id:
        raise MatchError("not a volunteer for this request")
    if request.state != RequestState.OPEN:
        raise RequestFull("request not open")
    if request.requires_vog and not volunteer.has_valid_vog(_today()):
        raise MatchError("a VOG is needed")
    match = my_offer(db, volunteer, request)
    if match is not None and match.state == MatchState.INVITED:
        answer_invitation(db, match, accept=True)  # "Ik help" after an invitation says yes to it
        return match
    if match is not None and match.state not in ENDED:
        return match  # pressed again: already offered or helping
    if match is not None and match.refused_at is not None:
        raise Refused("the asker said no")
    if not hold_open(db, request):
        raise RequestFull("request not open")
    now = utcnow()
    if match is None:
        match = Match(request_id=request.id, volunteer_id=volunteer.id, offered_at=now)
        if not _added(db, match):  # the same volunteer pressed twice at once
            return my_offer(db, volunteer, request)
    elif not _moved(db, match, ENDED, state=MatchState.OFFERED, offered_at=now, **_UNENDED):
        return match
    emit(
        db,
        "offer_made",
        record(db, volunteer, "matches.offered", match),
        actor=volunteer,
        match=match,
    )
    db.commit()
    return match


_UNENDED = {"ended_at": None, "end_reason": None, "offer_reminded_at": None, "refused_at": None}


def _added(db: Session, match: Match) -> bool:
    """Insert a new match; False when the same volunteer and request got one meanwhile."""
    try:
        with db.begin_nested():
            db.add(match)
    except IntegrityError:
        return False
    return True


def _moved(db: Session, match: Match, states, **values) -> bool:
    """Move a match on if it is still in one of states (a conditional update); refresh it.

    On False, whatever changed it meanwhile won, and the caller leaves it at that.
    """
    if not claim(db, Match, match.id, Match.state.in_(states), **values):
        db.rollback()
        db.refresh(match)
        return False
    db.refresh(match)
    return True


def may_confirm(user: User, request: HelpRequest) -> bool:
    return request.author_id == user.id or staff_of(user, request.municipality_id)


def may_cancel(user: User, match: Match) -> bool:
    return user.id in (match.volunteer_id, match.request.author_id) or staff_of(
        user, match.request.municipality_id
    )


def confirm_match(db: Session, actor: User, match: Match) -> None:
    """Confirm a volunteer. Safe under concurrency: a request never gets more than it needs.

    When that fills the request, the other offers and invitations end, and those
    volunteers hear that someone else helps.
    """
    request = match.request
    if not may_confirm(actor, request):
        raise MatchError("may not confirm")
    if match.state != MatchState.OFFERED or match.volunteer.blocked_at is not None:
        raise MatchError("not an open offer")
    # One conditional UPDATE claims a place; PostgreSQL re-checks the WHERE after
    # waiting for a competing transaction, so two confirmations cannot both win.
    if not claim(
        db,
        HelpRequest,
        request.id,
        HelpRequest.state == RequestState.OPEN,
        HelpRequest.confirmed_count < HelpRequest.volunteers_needed,
        confirmed_count=HelpRequest.confirmed_count + 1,
    ):
        db.rollback()
        raise RequestFull("no place left")
    now = utcnow()
    if not claim(
        db,
        Match,
        match.id,
        Match.state == MatchState.OFFERED,
        state=MatchState.CONFIRMED,
        confirmed_at=now,
        followup_after=followup_moment(request, now),
        followup_sent_at=None,
    ):
        db.rollback()
        raise MatchError("offer withdrawn meanwhile")
    ended: list[Match] = []
    if claim(
        db,
        HelpRequest,
        request.id,
        HelpRequest.confirmed_count >= HelpRequest.volunteers_needed,
        state=RequestState.MATCHED,
    ):
        ended = end_matches(db, request, (MatchState.OFFERED, MatchState.INVITED), now)
    db.refresh(request)
    db.refresh(match)
    audit = record(db, actor, "matches.confirmed", match)
    emit(db, "match_confirmed", audit, actor=actor, match=match, ended=ended)
    db.commit()


def decline_offer(db: Session, actor: User, match: Match) -> None:
    """The asker (or staff) says "Nee, liever niet" to an offer; the volunteer is thanked."""
    if not may_confirm(actor, match.request):
        raise MatchError("may not decline")
    now = utcnow()
    refused = {"state": MatchState.DECLINED, "ended_at": now, "refused_at": now}
    if not _moved(db, match, (MatchState.OFFERED,), **refused):
        raise MatchError("not an open offer")
    emit(db, "offer_refused", record(db, actor, "matches.refused", match), actor=actor, match=match)
    db.commit()


def cancel_match(
    db: Session, actor: User, match: Match, reason: str, *, withdraw: bool = False
) -> None:
    """Either side (or staff) calls it off with a reason, and the other side is told.

    The request opens again, unless withdraw: then the asker (or staff) says in the same
    step that the help is no longer needed, and the request is withdrawn.
    """
    request = match.request
    if not may_cancel(actor, match):
        raise MatchError("may not cancel")
    if match.state not in (MatchState.OFFERED, MatchState.CONFIRMED):
        raise MatchError("nothing to cancel")
    ended = _call_off(db, actor, match, reason)
    if ended is None:
        db.rollback()
        db.refresh(match)
        raise MatchError("changed meanwhile")
    if withdraw and may_manage(actor, request) and request.state in CANCELLABLE:
        try:
            withdraw_request(db, actor, request)
        except NotAllowed:  # changed meanwhile; withdraw_request rolled everything back
            raise MatchError("changed meanwhile") from None
    _tell_called_off(db, ended, actor, match, reason)
    db.commit()


def _call_off(db: Session, actor: User | None, match: Match, reason: str | None):
    """End a live match in the caller's transaction; return (state it had, audit row).

    None when it changed meanwhile (the caller decides whether to roll back). A confirmed
    match gives its place back, and a full request opens again.
    """
    was, request = match.state, match.request
    ended = {"state": MatchState.CANCELLED, "ended_at": utcnow(), "end_reason": reason}
    if not claim(db, Match, match.id, Match.state == was, **ended):
        return None
    db.refresh(match)
    if was == MatchState.CONFIRMED:
        claim(
            db,
            HelpRequest,
            request.id,
            HelpRequest.confirmed_count > 0,
            confirmed_count=HelpRequest.confirmed_count - 1,
        )
        reopen = HelpRequest.state == RequestState.MATCHED
        claim(db, HelpRequest, request.id, reopen, state=RequestState.OPEN)
        db.refresh(request)
    return was, record(db, actor, "matches.cancelled", match, reason)


def _tell_called_off(db: Session, ended, actor: User | None, match: Match, reason) -> None:
    was, audit = ended
    kind = "match_cancelled" if was == MatchState.CONFIRMED else "offer_withdrawn"
    emit(db, kind, audit, actor=actor, match=match, reason=reason)


def release_blocked_volunteer(db: Session, actor: User, volunteer: User) -> None:
    """A blocked account helps nobody: its offers and appointments end, in the block's
    transaction, and each asker hears it (staff get a task when the appointment is near).
    An invitation nobody answered yet just ends: no asker was waiting on it."""
    live = (MatchState.INVITED, MatchState.OFFERED, MatchState.CONFIRMED)
    for match in db.scalars(
        select(Match).where(Match.volunteer_id == volunteer.id, Match.state.in_(live))
    ).all():
        if match.state == MatchState.INVITED:
            invited = Match.state == MatchState.INVITED
            claim(db, Match, match.id, invited, state=MatchState.DECLINED, ended_at=utcnow())
            continue
        ended = _call_off(db, actor, match, None)
        if ended is not None:
            _tell_called_off(db, ended, actor, match, None)


def complete_match(db: Session, actor: User, match: Match, hours: float | None) -> None:
    """Staff mark a confirmed match done, with the hours the volunteer gave."""
    if not staff_of(actor, match.request.municipality_id) or match.state != MatchState.CONFIRMED:
        raise MatchError("may not complete")
    finish_match(db, actor, match, hours)
    db.commit()


def finish_match(db: Session, actor: User, match: Match, hours: float | None) -> None:
    """Mark a confirmed match done (and the request, when nobody else still helps)."""
    match.state, match.ended_at, match.hours = MatchState.DONE, utcnow(), hours
    request = match.request
    open_ones = db.scalar(
        select(func.count(Match.id)).where(
            Match.request_id == request.id,
            Match.state == MatchState.CONFIRMED,
            Match.id != match.id,
        )
    )
    done = not open_ones and request.state == RequestState.MATCHED
    if done:
        request.state = RequestState.DONE
        close_for_request(db, request.id, "Vanzelf gesloten: de hulpvraag is afgerond.")
    audit = record(db, actor, "matches.done", match)
    if done:
        emit(db, "request_done", audit, actor=actor, match=match)


def reopen_for_staff(db: Session, actor: User, match: Match) -> None:
    """Undo finish_match: one side says it did not happen, so staff decide, not the other's "ja"."""
    if match.state != MatchState.DONE:
        return
    match.state, match.ended_at, match.hours = MatchState.CONFIRMED, None, None
    if match.request.state == RequestState.DONE:
        match.request.state = RequestState.MATCHED
    record(db, actor, "matches.reopened", match)


def matches_of_request(db: Session, request: HelpRequest) -> list[Match]:
    return list(
        db.scalars(select(Match).where(Match.request_id == request.id).order_by(Match.created_at))
    )


def confirmed_between(db: Session, user: User, request: HelpRequest) -> Match | None:
    """The confirmed match that lets user and the asker see each other's details."""
    query = select(Match).where(
        Match.request_id == request.id,
        Match.state.in_((MatchState.CONFIRMED, MatchState.DONE)),
    )
    if user.id != request.author_id:
        query = query.where(Match.volunteer_id == user.id)
    return db.scalars(query).first()


def my_offer(db: Session, volunteer: User, request: HelpRequest) -> Match | None:
    return db.scalar(
        select(Match).where(Match.request_id == request.id, Match.volunteer_id == volunteer.id)
    )


def my_engagements(db: Session, volunteer: User) -> list[Match]:
    """Mijn inzet: everything a volunteer offered, newest first."""
    return list(
        db.scalars(
            select(Match)
            .where(Match.volunteer_id == volunteer.id)
            .order_by(Match.created_at.desc(), Match.id.desc())
        )
    )


INVITE_MAX_AGE = 14 * 24 * 60 * 60  # seconds an invitation link works


def _invite_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="match-invitation")


def invitation_link(match: Match, answer: str) -> str:
    """The link in an invitation email that opens the answer page with answer chosen."""
    token = _invite_serializer().dumps(match.id)
    return absolute_url("matches.invitation", token=token, antwoord=answer)


def invite_volunteer(db: Session, actor: User, request: HelpRequest, volunteer: User) -> Match:
    """Staff or the asker invite a suggested volunteer; they get a yes/no link by email.

    Inviting someone who was already asked, offered or helps sends nothing again.
    """
    if not may_confirm(actor, request) or request.state != RequestState.OPEN:
        raise MatchError("may not invite")
    if (
        not volunteer.has_role(Role.VOLUNTEER)
        or volunteer.blocked_at is not None
        or volunteer.id == request.author_id
        or (request.requires_vog and not volunteer.has_valid_vog(_today()))
    ):
        raise MatchError("not a volunteer for this request")
    match = my_offer(db, volunteer, request)
    if match is not None and match.state in IN:
        return match
    asked = {"state": MatchState.INVITED, "invited_by_id": actor.id}
    if match is None:
        match = Match(request_id=request.id, volunteer_id=volunteer.id, **asked)
        if not _added(db, match):  # invited twice at once: the other one sent the mail
            return my_offer(db, volunteer, request)
    elif not _moved(db, match, ENDED, **asked, **_UNENDED):
        return match
    audit = record(db, actor, "matches.invited", match)
    emit(db, "volunteer_invited", audit, actor=actor, match=match)
    db.commit()
    return match


def match_for_invitation(db: Session, token: str) -> Match | None:
    """The invited match a link is for, if the link is genuine and not too old."""
    try:
        match_id = _invite_serializer().loads(token, max_age=INVITE_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    return db.get(Match, match_id) if isinstance(match_id, int) else None


def answer_invitation(db: Session, match: Match, accept: bool) -> None:
    """The volunteer's yes (an offer the asker then confirms) or no; whoever invited hears it."""
    if match.request.state != RequestState.OPEN:
        raise RequestFull("request not open")  # filled, withdrawn or expired meanwhile
    if match.state != MatchState.INVITED:
        raise MatchError("already answered")
    if accept and not hold_open(db, match.request):
        raise RequestFull("request not open")
    now = utcnow()
    answer = (
        {"state": MatchState.OFFERED, "offered_at": now}
        if accept
        else {"state": MatchState.DECLINED, "ended_at": now, "said_no_at": now}
    )
    if not _moved(db, match, (MatchState.INVITED,), **answer):
        raise MatchError("already answered")
    volunteer = match.volunteer
    action, kind = (
        ("matches.accepted", "invitation_accepted")
        if accept
        else ("matches.declined", "invitation_declined")
    )
    emit(db, kind, record(db, volunteer, action, match), actor=volunteer, match=match)
    db.commit()


def send_message(db: Session, sender: User, match: Match, body: str) -> MatchMessage:
    """A message to the other side of a confirmed match, kept on the site and emailed."""
    request = match.request
    if match.state != MatchState.CONFIRMED or sender.id not in (
        match.volunteer_id,
        request.author_id,
    ):
        raise MatchError("no confirmed match between these two")
    message = MatchMessage(match_id=match.id, sender_id=sender.id, body=body)
    db.add(message)
    db.flush()
    emit(db, "message_sent", message, actor=sender, match=match, reason=body)
    db.commit()
    return message


def messages_of(db: Session, match: Match) -> list[MatchMessage]:
    return list(
        db.scalars(
            select(MatchMessage)
            .where(MatchMessage.match_id == match.id)
            .order_by(MatchMessage.created_at, MatchMessage.id)
        )
    )

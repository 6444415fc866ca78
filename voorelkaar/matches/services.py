"""Load candidates from the database (prefiltered by distance in SQL), rank them in the core."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from voorelkaar import geo
from voorelkaar.help_requests.services import publicly_visible
from voorelkaar.matching import Candidate, Need, Ranked, Slot, rank
from voorelkaar.models import HelpRequest, Role, ScheduleKind, User, UserRole

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Suggestion:
    volunteer: User
    ranked: Ranked


@dataclass(frozen=True)
class Nearby:
    request: HelpRequest
    ranked: Ranked


def slots_of(request: HelpRequest) -> tuple[Slot, ...]:
    """The weekly time a request needs, in local time."""
    if request.schedule == ScheduleKind.WEEKLY:
        return (Slot(request.weekday, request.start_time, request.end_time),)
    start, end = request.starts_at.astimezone(AMSTERDAM), request.ends_at.astimezone(AMSTERDAM)
    if end.date() != start.date() or end.time() <= start.time():
        return ()  # across midnight: leave availability out rather than guess
    return (Slot(start.weekday(), start.time(), end.time()),)


def need_of(request: HelpRequest) -> Need:
    return Need(
        lat=request.lat,
        lon=request.lon,
        skills=tuple(request.skill_list),
        slots=slots_of(request),
        radius_km=None,
        requires_vog=request.requires_vog,
    )


def candidate_of(user: User, today: date) -> Candidate:
    return Candidate(
        id=user.id,
        lat=user.lat,
        lon=user.lon,
        skills=tuple(s.strip() for s in user.skills.split(",") if s.strip()),
        slots=tuple(Slot(s.weekday, s.start_time, s.end_time) for s in user.slots),
        travel_km=user.travel_km,
        vog=user.has_valid_vog(today),
    )


def _today() -> date:
    return datetime.now(AMSTERDAM).date()


def suggest_volunteers(db: Session, request: HelpRequest, limit: int = 10) -> list[Suggestion]:
    """The best volunteers for a request, with reasons; only those within reach are loaded."""
    reach = current_app.config["MAX_TRAVEL_KM"]
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(request.lat, request.lon, reach)
    volunteers = db.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == Role.VOLUNTEER,
            User.available.is_(True),
            User.blocked_at.is_(None),
            User.id != request.author_id,
            User.lat.between(min_lat, max_lat),
            User.lon.between(min_lon, max_lon),
        )
        .options(selectinload(User.slots))
    ).all()
    today = _today()
    ranked = rank(need_of(request), [candidate_of(v, today) for v in volunteers], limit=limit)
    by_id = {volunteer.id: volunteer for volunteer in volunteers}
    return [Suggestion(by_id[r.candidate_id], r) for r in ranked]


def requests_near(db: Session, volunteer: User, limit: int = 50) -> list[Nearby]:
    """Open requests this volunteer can help with, best first, scored as from the asker's side."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(
        volunteer.lat, volunteer.lon, volunteer.travel_km
    )
    requests = db.scalars(
        publicly_visible().where(
            HelpRequest.author_id != volunteer.id,
            HelpRequest.lat.between(min_lat, max_lat),
            HelpRequest.lon.between(min_lon, max_lon),
        )
    ).all()
    me = candidate_of(volunteer, _today())
    found = []
    for request in requests:
        result = rank(need_of(request), [me], limit=1)
        if result:
            found.append(Nearby(request, result[0]))
    found.sort(key=lambda n: (-n.ranked.score, n.ranked.distance_km, n.request.id))
    return found[:limit]

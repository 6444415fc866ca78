"""Open requests near a volunteer, best first: a bounded read in SQL, one pass of matching.

The requests are found nearest first in growing circles around the volunteer, as the
suggestions find volunteers, and only the columns matching needs are read. The search
stops at about the NEARBY_CANDIDATES nearest (or the volunteer's reach), so the work
stays the same in a town and in a country full of requests. Only the requests shown are
read in full.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session, lazyload

from voorelkaar import geo
from voorelkaar.help_requests.services import publicly_visible
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.matches.services import FIRST_CIRCLE_KM, candidate_of, need_of, skipped
from voorelkaar.matching import MatchingError, Ranked, rank_needs
from voorelkaar.models import HelpRequest, RequestState, User

# The page shows the best 50 of about this many nearest open requests: reading every
# request in reach would grow with the country. A farther request must fit much better
# to come first, but where many are near, some that would have are not read (see the
# report of bench/nearby.py). Where fewer are in reach, all are ranked, as before.
NEARBY_CANDIDATES = 300

# What need_of reads of a request.
COLUMNS = (
    HelpRequest.id,
    HelpRequest.lat,
    HelpRequest.lon,
    HelpRequest.skills,
    HelpRequest.schedule,
    HelpRequest.weekday,
    HelpRequest.start_time,
    HelpRequest.end_time,
    HelpRequest.starts_at,
    HelpRequest.ends_at,
    HelpRequest.requires_vog,
)


@dataclass(frozen=True)
class Nearby:
    request: HelpRequest
    ranked: Ranked


def requests_near(db: Session, volunteer: User, limit: int = 50) -> list[Nearby]:
    """Open requests this volunteer can help with, best first, scored as from the asker's side.

    A request matching cannot read (a time that ends before it starts) is left out and
    logged by its id.
    """
    me = candidate_of(volunteer, datetime.now(AMSTERDAM).date())
    ids, needs = [], []
    for row in sorted(nearest_open(db, volunteer), key=lambda row: row.id):
        try:
            needs.append(need_of(row))
        except MatchingError as error:
            skipped("help request", row.id, error)
            continue
        ids.append(row.id)
    best = [(ids[position], ranked) for position, ranked in rank_needs(me, needs, limit=limit)]
    if not best:
        return []
    shown = db.scalars(
        select(HelpRequest)
        .where(HelpRequest.id.in_([request_id for request_id, _ in best]))
        # The page shows the category and the wijk, not the asker.
        .options(lazyload(HelpRequest.author))
    )
    by_id = {request.id: request for request in shown}
    return [Nearby(by_id[request_id], ranked) for request_id, ranked in best if request_id in by_id]


def nearest_open(db: Session, volunteer: User) -> list[Row]:
    """About NEARBY_CANDIDATES open requests nearest to volunteer within their reach, or all.

    Requests sit on the centre of their PC4 area, so many share a place. The places
    and their counts come from the index alone, in circles growing from FIRST_CIRCLE_KM
    until one holds enough; then the requests of the nearest places are read, and of the
    last place only as many as are still wanted, the oldest first. (Counted places may
    hold a request of the volunteer's own or of a blocked asker, so a few less are read.)
    """
    reach = volunteer.travel_km
    km = min(FIRST_CIRCLE_KM, reach)
    while True:
        places = _places_within(db, volunteer, km)
        found = sum(count for _, _, count in places)
        if found >= NEARBY_CANDIDATES or km >= reach:
            break
        # As far as the requests found so far say enough are, a little farther: few rounds.
        km = min(reach, km * max(2.0, 1.2 * math.sqrt(NEARBY_CANDIDATES / max(found, 1))))
    whole, room = [], NEARBY_CANDIDATES
    for lat, lon, count in places:
        if count > room:
            break
        whole.append((lat, lon))
        room -= count
    rows = list(db.execute(_visible_at(volunteer, whole))) if whole else []
    if room and len(whole) < len(places):
        lat, lon, _ = places[len(whole)]
        partly = _visible_at(volunteer, [(lat, lon)]).order_by(HelpRequest.id).limit(room)
        rows += db.execute(partly)
    return rows


def _places_within(db: Session, volunteer: User, km: float) -> list[tuple[float, float, int]]:
    """The places of open requests within km of volunteer, nearest first, with their counts."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(volunteer.lat, volunteer.lon, km)
    per_place = (
        select(HelpRequest.lat, HelpRequest.lon, func.count())
        .where(
            HelpRequest.state == RequestState.OPEN,
            HelpRequest.lat.between(min_lat, max_lat),
            HelpRequest.lon.between(min_lon, max_lon),
        )
        .group_by(HelpRequest.lat, HelpRequest.lon)
    )
    near = []
    for lat, lon, count in db.execute(per_place):
        distance = geo.distance_km(volunteer.lat, volunteer.lon, lat, lon)
        if distance <= km:
            near.append((distance, lat, lon, count))
    return [(lat, lon, count) for _, lat, lon, count in sorted(near)]


def _visible_at(volunteer: User, places: list[tuple[float, float]]):
    """The columns matching needs of others' visible requests at these places."""
    return (
        publicly_visible()
        .with_only_columns(*COLUMNS)
        .where(
            HelpRequest.author_id != volunteer.id,
            # Each place with the state, so each is one range of the index on state, lat, lon.
            or_(
                *(
                    and_(
                        HelpRequest.state == RequestState.OPEN,
                        HelpRequest.lat == lat,
                        HelpRequest.lon == lon,
                    )
                    for lat, lon in places
                )
            ),
        )
    )

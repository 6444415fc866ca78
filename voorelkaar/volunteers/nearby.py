"""Open requests near a volunteer, best first: a bounded read in SQL, one pass of matching.

The requests are read nearest first in growing circles around the volunteer, as the
suggestions read volunteers, and only the columns matching needs. The search stops at
the NEARBY_CANDIDATES nearest (or the volunteer's reach), so the work stays the same in
a town and in a country full of requests. Only the requests shown are read in full.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, lazyload

from voorelkaar import geo
from voorelkaar.help_requests.services import publicly_visible
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.matches.services import (
    ESTIMATE_MARGIN,
    FIRST_CIRCLE_KM,
    candidate_of,
    need_of,
    skipped,
)
from voorelkaar.matching import MatchingError, Ranked, rank_needs
from voorelkaar.models import HelpRequest, User

# A few hundred of the nearest open requests hold the best 50 in practice: distance
# weighs most, and farther ones must fit much better to come first. Where fewer are in
# reach, all of them are ranked, exactly as when every request was read.
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
    """The NEARBY_CANDIDATES open requests nearest to volunteer within their reach, or all.

    Circles double from FIRST_CIRCLE_KM until one holds enough, so a dense town reads a
    small box and a quiet countryside reads the whole reach.
    """
    reach = volunteer.travel_km
    km = min(FIRST_CIRCLE_KM, reach)
    while True:
        rows = db.execute(_within(volunteer, km).limit(NEARBY_CANDIDATES)).all()
        if len(rows) == NEARBY_CANDIDATES or km >= reach:
            return rows
        km = min(km * 2, reach)


def _within(volunteer: User, km: float):
    """Open requests of others within km of volunteer (estimated flat), nearest first."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(volunteer.lat, volunteer.lon, km)
    east = geo.KM_PER_DEGREE * math.cos(math.radians(volunteer.lat))
    dx = (HelpRequest.lon - volunteer.lon) * east
    dy = (HelpRequest.lat - volunteer.lat) * geo.KM_PER_DEGREE
    within = km * ESTIMATE_MARGIN + 0.05
    return (
        publicly_visible()
        .with_only_columns(*COLUMNS)
        .where(
            HelpRequest.author_id != volunteer.id,
            HelpRequest.lat.between(min_lat, max_lat),
            HelpRequest.lon.between(min_lon, max_lon),
            dx * dx + dy * dy <= within * within,
        )
        .order_by(dx * dx + dy * dy, HelpRequest.id)
    )

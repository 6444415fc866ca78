"""Distances from a need to many candidates at once, and what a distance is worth.

The distance score is 1 / (1 + km / 5): 1 on the doorstep, 0.5 at the default reach of a
volunteer (5 km), 0.2 at 20 km. It falls steeply nearby, where a kilometre matters to
someone walking or cycling, and never flattens to zero, so volunteers who will go
anywhere stay ordered by distance however far away they live.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress

import numpy as np

from voorelkaar.matching.errors import InvalidCandidate
from voorelkaar.matching.reasons import Reason
from voorelkaar.matching.types import DEFAULT_TRAVEL_KM, Candidate, Need

# The mean Earth radius (IUGG), the same as voorelkaar.geo, whose SQL prefilter must agree.
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * np.pi / 180
HALF_SCORE_KM = DEFAULT_TRAVEL_KM


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Return great-circle distances in km from one point to arrays of points, in degrees."""
    phi = np.radians(lats)
    half_dphi = (phi - np.radians(lat)) / 2
    half_dlambda = np.radians(lons - lon) / 2
    h = np.sin(half_dphi) ** 2 + np.cos(np.radians(lat)) * np.cos(phi) * np.sin(half_dlambda) ** 2
    # Rounding can push h a hair above 1 for antipodal points, and arcsin would give NaN.
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def haversine_pairs(lats: np.ndarray, lons: np.ndarray, lat: float, lon: float) -> np.ndarray:
    """Return haversine_km from each of many points to one point, as haversine_km computes it.

    The many points are the origins here, so a need measured to a candidate gives the
    same km whether it is ranked alone or among many.
    """
    phi = np.full(len(lats), np.radians(lat))
    half_dphi = (phi - np.radians(lats)) / 2
    half_dlambda = np.radians(lon - lons) / 2
    h = np.sin(half_dphi) ** 2 + np.cos(np.radians(lats)) * np.cos(phi) * np.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def distance_score(km: np.ndarray) -> np.ndarray:
    """Return 1 / (1 + km / 5): see the module docstring for why this curve."""
    return 1.0 / (1.0 + km / HALF_SCORE_KM)


def distance_phrase(km: float) -> Reason:
    """Return "1,2 km van de hulpvraag", with a Dutch decimal comma."""
    shown = round(float(km), 1)
    if shown == 0:
        return Reason("minder dan 100 m van de hulpvraag", "nearby")
    return Reason(f"{km:.1f}".replace(".", ",") + " km van de hulpvraag", "distance", km=shown)


def within_reach(need: Need, pool: Sequence[Candidate]) -> tuple[list[Candidate], np.ndarray]:
    """Return the candidates within both distance limits, in pool order, and their km."""
    try:
        return _within_reach(need, pool)
    except (AttributeError, TypeError, ValueError) as error:
        raise InvalidCandidate(f"candidates must be Candidate values: {error}") from error


def _within_reach(need: Need, pool: Sequence[Candidate]) -> tuple[list[Candidate], np.ndarray]:
    # Generators read slotted attributes faster than operator.attrgetter on Python 3.11.
    lats = _array((c.lat for c in pool), len(pool))
    if need.radius_km is None:
        travel = _array((c.travel_km for c in pool), len(pool))
        limit = travel
    else:
        travel = None
        limit = need.radius_km
    # No one is nearer than their difference in latitude, so a band of latitudes, which
    # needs only one attribute per candidate, leaves few candidates to measure exactly.
    # The band is a hair wider than the limit so rounding never drops someone in reach.
    band = np.abs(lats - need.lat) * KM_PER_DEGREE <= limit * (1 + 1e-9) + 1e-6
    members, lats = _keep(pool, band), lats[band]
    km = haversine_km(need.lat, need.lon, lats, _array((c.lon for c in members), len(members)))
    if travel is None:
        reach = _array((c.travel_km for c in members), len(members))
        near = (km <= need.radius_km) & (km <= reach)
    else:
        near = km <= travel[band]
    return _keep(members, near), km[near]


def _keep(candidates: Sequence[Candidate], mask: np.ndarray) -> list[Candidate]:
    if mask.all():
        return list(candidates)
    return list(compress(candidates, mask.tolist()))


def _array(values: Iterable[float], count: int) -> np.ndarray:
    return np.fromiter(values, dtype=np.float64, count=count)

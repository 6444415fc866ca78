"""The frozen values the matching core takes and returns; see DESIGN.md section 4."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from numbers import Real

from voorelkaar.matching.errors import (
    InvalidCoordinates,
    InvalidRadius,
    InvalidSlot,
    InvalidWeights,
    MatchingError,
)

DEFAULT_TRAVEL_KM = 5.0


@dataclass(frozen=True, slots=True)
class Slot:
    """A weekly time window: weekday 0 is Monday, 6 is Sunday."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int):
            raise InvalidSlot(f"weekday must be an int 0..6, not {self.weekday!r}")
        if not 0 <= self.weekday <= 6:
            raise InvalidSlot(f"weekday must be 0 (Monday) .. 6 (Sunday), not {self.weekday}")
        if not isinstance(self.start, time) or not isinstance(self.end, time):
            raise InvalidSlot(f"start and end must be times, not {self.start!r}, {self.end!r}")
        if self.end <= self.start:
            raise InvalidSlot(f"slot must end after it starts: {self.start} - {self.end}")


@dataclass(frozen=True, slots=True)
class Need:
    """Where and when help is needed, and what it takes."""

    lat: float
    lon: float
    skills: tuple[str, ...] = ()
    slots: tuple[Slot, ...] = ()
    radius_km: float | None = None
    requires_vog: bool = False

    def __post_init__(self) -> None:
        _set(self, "lat", _latitude(self.lat))
        _set(self, "lon", _longitude(self.lon))
        _set(self, "skills", _skills(self.skills))
        _set(self, "slots", _slots(self.slots))
        if self.radius_km is not None:
            _set(self, "radius_km", _distance("radius_km", self.radius_km))


@dataclass(frozen=True, slots=True)
class Candidate:
    """A volunteer as matching sees them: a place, tags, availability and reach."""

    id: int
    lat: float
    lon: float
    skills: tuple[str, ...] = ()
    slots: tuple[Slot, ...] = ()
    travel_km: float = DEFAULT_TRAVEL_KM
    vog: bool = False

    def __post_init__(self) -> None:
        _set(self, "lat", _latitude(self.lat))
        _set(self, "lon", _longitude(self.lon))
        _set(self, "skills", _skills(self.skills))
        _set(self, "slots", _slots(self.slots))
        _set(self, "travel_km", _distance("travel_km", self.travel_km))


@dataclass(frozen=True, slots=True)
class Weights:
    """How much distance, skills and availability count; rank divides by their sum."""

    distance: float = 0.4
    skills: float = 0.35
    availability: float = 0.25

    def __post_init__(self) -> None:
        for name in ("distance", "skills", "availability"):
            value = getattr(self, name)
            if not _is_number(value) or not math.isfinite(value) or value < 0:
                raise InvalidWeights(f"weight {name} must be a finite number >= 0, not {value!r}")
            _set(self, name, float(value))
        if self.distance + self.skills + self.availability == 0:
            raise InvalidWeights("at least one weight must be above zero")


@dataclass(frozen=True, slots=True)
class Ranked:
    """One ranked candidate: the score (0..1), its parts, and why, in Dutch."""

    candidate_id: int
    score: float
    distance_km: float
    distance_score: float
    skill_score: float
    availability_score: float
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "reasons", tuple(self.reasons))


def _set(instance: object, name: str, value: object) -> None:
    # Frozen dataclasses only let __post_init__ normalise fields this way.
    object.__setattr__(instance, name, value)


def _is_number(value: object) -> bool:
    # bool is an int, but True as a latitude is a bug, not 1 degree.
    return isinstance(value, Real) and not isinstance(value, bool)


def _latitude(value: object) -> float:
    # Written as "not inside" so that NaN, which compares false to everything, fails too.
    if not _is_number(value) or not -90 <= value <= 90:
        raise InvalidCoordinates(f"latitude must be a number in -90..90, not {value!r}")
    return float(value)


def _longitude(value: object) -> float:
    if not _is_number(value) or not -180 <= value <= 180:
        raise InvalidCoordinates(f"longitude must be a number in -180..180, not {value!r}")
    return float(value)


def _distance(name: str, value: object) -> float:
    # Infinity is allowed: it honestly means "any distance".
    if not _is_number(value) or not value >= 0:
        raise InvalidRadius(f"{name} must be a number of km >= 0, not {value!r}")
    return float(value)


def _skills(skills: Iterable[str]) -> tuple[str, ...]:
    # A bare string would silently become a tuple of single letters.
    if isinstance(skills, str):
        raise MatchingError(f"skills must be a sequence of tags, not the string {skills!r}")
    skills = tuple(skills)
    for skill in skills:
        if not isinstance(skill, str):
            raise MatchingError(f"skills must be strings, not {skill!r}")
    return skills


def _slots(slots: Iterable[Slot]) -> tuple[Slot, ...]:
    slots = tuple(slots)
    for slot in slots:
        if not isinstance(slot, Slot):
            raise InvalidSlot(f"slots must be Slot values, not {slot!r}")
    return slots

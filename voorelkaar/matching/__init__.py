"""The pure matching core: frozen values in, ranked values out; no Flask, no database."""

from voorelkaar.matching.errors import (
    InvalidCandidate,
    InvalidCoordinates,
    InvalidLimit,
    InvalidRadius,
    InvalidSlot,
    InvalidWeights,
    MatchingError,
)
from voorelkaar.matching.rank import rank, rank_needs
from voorelkaar.matching.reasons import Reason
from voorelkaar.matching.types import DEFAULT_TRAVEL_KM, Candidate, Need, Ranked, Slot, Weights

__all__ = [
    "DEFAULT_TRAVEL_KM",
    "Candidate",
    "InvalidCandidate",
    "InvalidCoordinates",
    "InvalidLimit",
    "InvalidRadius",
    "InvalidSlot",
    "InvalidWeights",
    "MatchingError",
    "Need",
    "Ranked",
    "Reason",
    "Slot",
    "Weights",
    "rank",
    "rank_needs",
]

"""How good a candidate beyond some distance could still be, so a search can stop early.

The service searches outward from a request in growing circles. Once its `limit`-th best
candidate scores higher than anyone farther away possibly could, the ranking of
everyone within reach would start with the same list, so it stops there.
"""

from __future__ import annotations

import numpy as np

from voorelkaar.matching.distance import distance_score
from voorelkaar.matching.rank import DEFAULT_WEIGHTS, combine
from voorelkaar.matching.types import Weights


def best_score_beyond(km: float, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """Return the score of a perfect candidate (every skill, all the time) exactly km away."""
    perfect = np.ones(1)
    return float(combine(weights, distance_score(np.array([float(km)])), perfect, perfect)[0])

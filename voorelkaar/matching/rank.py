"""Rank volunteers for a need: hard filters, soft scores, a deterministic top list.

Built for national scale: distances are measured in one numpy pass, and only candidates
within reach are read further. Each distinct skill tag is compared once; skills and
availability are combined per candidate in numpy, and only the best `limit` get sorted
and explained.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress

import numpy as np

from voorelkaar.matching.availability import Coverage, availability_phrase
from voorelkaar.matching.distance import (
    distance_phrase,
    distance_score,
    haversine_pairs,
    within_reach,
)
from voorelkaar.matching.errors import InvalidCandidate, InvalidLimit, MatchingError
from voorelkaar.matching.reasons import Reason
from voorelkaar.matching.skills import SkillMatcher, needed_skills, skill_phrase
from voorelkaar.matching.types import Candidate, Need, Ranked, Weights

# Enough to say what matched, short enough to read on a phone.
MAX_SKILL_REASONS = 2
DEFAULT_WEIGHTS = Weights()
FLEXIBLE_REASON = Reason("flexibel beschikbaar", "flexible")
VOG_REASON = Reason("heeft een VOG", "vog")


def rank(
    need: Need,
    candidates: Iterable[Candidate],
    *,
    limit: int = 20,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[Ranked]:
    """Return up to limit candidates who can help, best first, each with Dutch reasons."""
    _check(need, limit, weights)
    pool = candidates if isinstance(candidates, list | tuple) else list(candidates)
    chosen, km = within_reach(need, pool)
    if need.requires_vog:
        chosen, km = _keep(chosen, km, np.array([bool(c.vog) for c in chosen], dtype=bool))

    coverage = Coverage(need.slots) if need.slots else None
    available = (
        coverage.shares([c.slots for c in chosen]) if coverage is not None else np.ones(len(chosen))
    )
    overlaps = ~np.isnan(available)
    chosen, km = _keep(chosen, km, overlaps)
    available = available[overlaps]

    needed = needed_skills(need.skills)
    skills = SkillMatcher(needed) if needed else None
    skilled = (
        skills.scores([c.skills for c in chosen]) if skills is not None else np.ones(len(chosen))
    )

    near = distance_score(km)
    score = combine(weights, near, skilled, available)
    return [
        Ranked(
            candidate_id=chosen[i].id,
            score=float(score[i]),
            distance_km=float(km[i]),
            distance_score=float(near[i]),
            skill_score=float(skilled[i]),
            availability_score=float(available[i]),
            reasons=_reasons(need, chosen[i], float(km[i]), float(available[i]), skills, coverage),
        )
        for i in _best(score, km, _ids(chosen), limit).tolist()
    ]


def _check(need: Need, limit: int, weights: Weights) -> None:
    if not isinstance(need, Need):
        raise MatchingError(f"need must be a Need, not {need!r}")
    if not isinstance(weights, Weights):
        raise MatchingError(f"weights must be Weights, not {weights!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidLimit(f"limit must be a whole number of at least 1, not {limit!r}")


def _keep(
    chosen: list[Candidate], km: np.ndarray, keep: np.ndarray
) -> tuple[list[Candidate], np.ndarray]:
    if keep.all():
        return chosen, km
    return list(compress(chosen, keep.tolist())), km[keep]


def combine(
    weights: Weights, near: np.ndarray, skilled: np.ndarray, available: np.ndarray
) -> np.ndarray:
    total = weights.distance + weights.skills + weights.availability
    combined = weights.distance * near + weights.skills * skilled + weights.availability * available
    # Rounding may land a hair outside 0..1; the contract promises 0..1.
    return np.clip(combined / total, 0.0, 1.0)


def _ids(chosen: Sequence[Candidate]) -> np.ndarray:
    try:
        ids = np.fromiter((c.id for c in chosen), dtype=np.int64, count=len(chosen))
    except (TypeError, ValueError, OverflowError) as error:
        raise InvalidCandidate(f"candidate ids must be 64-bit whole numbers: {error}") from error
    if len(np.unique(ids)) != len(ids):
        # Shown twice, one volunteer would push another out of the list.
        raise InvalidCandidate("two candidates in reach have the same id")
    return ids


def _best(score: np.ndarray, km: np.ndarray, ids: np.ndarray, limit: int) -> np.ndarray:
    """Return positions of the top limit by score desc, km asc, id asc."""
    contenders = np.arange(len(score))
    if len(score) > limit:
        # Everyone tied with the limit-th score stays in, so the cut is by km and id too.
        kth = np.partition(score, len(score) - limit)[len(score) - limit]
        contenders = np.flatnonzero(score >= kth)
    order = np.lexsort((ids[contenders], km[contenders], -score[contenders]))
    return contenders[order[:limit]]


def _reasons(
    need: Need,
    candidate: Candidate,
    km: float,
    available: float,
    skills: SkillMatcher | None,
    coverage: Coverage | None,
) -> tuple[Reason, ...]:
    reasons = [distance_phrase(km)]
    if skills is not None:
        matched = skills.matched(candidate.skills)[:MAX_SKILL_REASONS]
        reasons.extend(skill_phrase(skill) for skill in matched)
    if not candidate.slots:
        reasons.append(FLEXIBLE_REASON)
    elif coverage is not None:
        reasons.append(availability_phrase(coverage.day_parts(candidate.slots), available))
    if need.requires_vog:
        reasons.append(VOG_REASON)
    return tuple(reasons)


def rank_needs(
    candidate: Candidate,
    needs: Sequence[Need],
    *,
    limit: int = 20,
    weights: Weights = DEFAULT_WEIGHTS,
) -> list[tuple[int, Ranked]]:
    """Return up to limit needs this one candidate can help with, best first.

    Each is (its position in needs, the Ranked that rank(need, [candidate]) gives), in
    one pass: distances in numpy, each distinct skill list and time of the needs scored
    once. Ties are ordered by distance, then position.
    """
    _check_needs(candidate, needs, limit, weights)
    km = _km_to_needs(candidate, needs)
    radius = np.array(
        [np.inf if n.radius_km is None else n.radius_km for n in needs], dtype=np.float64
    )
    vog = np.array([n.requires_vog for n in needs], dtype=bool)
    reach = (km <= candidate.travel_km) & (km <= radius) & (bool(candidate.vog) | ~vog)
    chosen = np.flatnonzero(reach)

    coverages: dict[tuple, Coverage | None] = {}
    matchers: dict[tuple, SkillMatcher | None] = {}
    available = np.array([_available(needs[i], candidate, coverages) for i in chosen.tolist()])
    overlaps = ~np.isnan(available) if len(chosen) else np.ones(0, dtype=bool)
    chosen, available = chosen[overlaps], available[overlaps]
    skilled = np.array(
        [_skilled(needs[i], candidate, matchers) for i in chosen.tolist()], dtype=np.float64
    )
    km = km[chosen]
    near = distance_score(km)
    score = combine(weights, near, skilled, available.astype(np.float64))
    found = []
    for j in _best(score, km, chosen.astype(np.int64), limit).tolist():
        need = needs[chosen[j]]
        found.append(
            (
                int(chosen[j]),
                Ranked(
                    candidate_id=candidate.id,
                    score=float(score[j]),
                    distance_km=float(km[j]),
                    distance_score=float(near[j]),
                    skill_score=float(skilled[j]),
                    availability_score=float(available[j]),
                    reasons=_reasons(
                        need,
                        candidate,
                        float(km[j]),
                        float(available[j]),
                        matchers[need.skills],
                        coverages[need.slots],
                    ),
                ),
            )
        )
    return found


def _check_needs(candidate: Candidate, needs: Sequence[Need], limit: int, weights: Weights):
    if not isinstance(candidate, Candidate):
        raise InvalidCandidate(f"candidate must be a Candidate, not {candidate!r}")
    for need in needs:
        _check(need, limit, weights)
    _check(Need(0.0, 0.0), limit, weights)  # the limit and weights, also without needs


def _km_to_needs(candidate: Candidate, needs: Sequence[Need]) -> np.ndarray:
    # Measured from each need, as rank() measures, so both give the very same km.
    lats = np.fromiter((n.lat for n in needs), dtype=np.float64, count=len(needs))
    lons = np.fromiter((n.lon for n in needs), dtype=np.float64, count=len(needs))
    return haversine_pairs(lats, lons, candidate.lat, candidate.lon)


def _available(need: Need, candidate: Candidate, coverages: dict) -> float:
    """rank()'s availability for one need: NaN when no slot overlaps (a hard filter)."""
    if need.slots not in coverages:
        coverages[need.slots] = Coverage(need.slots) if need.slots else None
    coverage = coverages[need.slots]
    # Seconds are whole numbers, so this sum is exactly what Coverage.shares() adds up.
    return 1.0 if coverage is None else coverage[candidate.slots]


def _skilled(need: Need, candidate: Candidate, matchers: dict) -> float:
    if need.skills not in matchers:
        needed = needed_skills(need.skills)
        matchers[need.skills] = SkillMatcher(needed) if needed else None
    matcher = matchers[need.skills]
    return 1.0 if matcher is None else float(matcher.scores([candidate.skills])[0])

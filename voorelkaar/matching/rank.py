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
from voorelkaar.matching.distance import distance_phrase, distance_score, within_reach
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

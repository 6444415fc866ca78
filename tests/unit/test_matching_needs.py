"""One volunteer against many requests: the same scores and order as ranking each alone."""

import random
from datetime import time

import pytest

from voorelkaar.matching import (
    Candidate,
    InvalidCandidate,
    InvalidLimit,
    Need,
    Slot,
    rank,
    rank_needs,
)

SKILLS = ("boodschappen", "wandelen", "auto rijden", "klussen", "Tuinieren", "computerhulp")


def random_slots(rng, most):
    slots = []
    for day in rng.sample(range(7), rng.randint(0, most)):
        start = rng.choice((8, 9, 13, 14, 19))
        slots.append(Slot(day, time(start), time(start + rng.choice((1, 2, 4)))))
    return tuple(slots)


def random_need(rng):
    return Need(
        lat=52.69 + rng.uniform(-0.15, 0.15),
        lon=6.19 + rng.uniform(-0.25, 0.25),
        skills=tuple(rng.sample(SKILLS, rng.choice((0, 1, 2)))),
        slots=random_slots(rng, 1),
        radius_km=rng.choice((None, None, 3.0, 20.0)),
        requires_vog=rng.random() < 0.2,
    )


def one_by_one(candidate, needs, limit):
    """The reference: rank() once per need, sorted as the nearby page always sorted them."""
    found = []
    for position, need in enumerate(needs):
        ranked = rank(need, [candidate], limit=1)
        if ranked:
            found.append((position, ranked[0]))
    found.sort(key=lambda pair: (-pair[1].score, pair[1].distance_km, pair[0]))
    return found[:limit]


@pytest.mark.parametrize("seed", range(8))
def test_a_volunteer_gets_the_same_requests_in_the_same_order_as_one_by_one(seed):
    rng = random.Random(seed)  # noqa: S311 - test data
    needs = [random_need(rng) for _ in range(300)]
    needs += needs[:20]  # the same request twice: ties go by position
    candidate = Candidate(
        id=7,
        lat=52.69,
        lon=6.19,
        skills=tuple(rng.sample(SKILLS, rng.choice((0, 1, 3)))),
        slots=random_slots(rng, 4),
        travel_km=rng.choice((2.0, 5.0, 10.0, 25.0)),
        vog=rng.random() < 0.5,
    )
    assert rank_needs(candidate, needs, limit=50) == one_by_one(candidate, needs, 50)


def test_nobody_in_reach_and_no_needs_give_empty_lists():
    candidate = Candidate(id=1, lat=52.69, lon=6.19, travel_km=1.0)
    assert rank_needs(candidate, [Need(lat=53.2, lon=5.8)]) == []
    assert rank_needs(candidate, []) == []


def test_bad_input_is_refused_as_rank_refuses_it():
    with pytest.raises(InvalidCandidate):
        rank_needs("not a candidate", [])
    with pytest.raises(InvalidLimit):
        rank_needs(Candidate(id=1, lat=52.69, lon=6.19), [], limit=0)

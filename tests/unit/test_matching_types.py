"""The matching core refuses input that would rank volunteers wrongly, and stays pure."""

import math
from datetime import time
from fractions import Fraction

import pytest

import voorelkaar.matching
from voorelkaar.matching import (
    DEFAULT_TRAVEL_KM,
    Candidate,
    InvalidCoordinates,
    InvalidRadius,
    InvalidSlot,
    InvalidWeights,
    MatchingError,
    Need,
    Ranked,
    Slot,
    Weights,
)

TUESDAY_AFTERNOON = Slot(1, time(14), time(16))


def test_design_examples_are_accepted():
    need = Need(
        lat=52.70,
        lon=6.20,
        skills=("boodschappen",),
        slots=(TUESDAY_AFTERNOON,),
        radius_km=10.0,
        requires_vog=False,
    )
    candidate = Candidate(
        id=7,
        lat=52.69,
        lon=6.19,
        skills=("boodschapen", "wandelen"),
        slots=(Slot(1, time(13), time(17)),),
        travel_km=5.0,
        vog=False,
    )
    assert need.slots == (TUESDAY_AFTERNOON,)
    assert candidate.skills == ("boodschapen", "wandelen")


def test_a_need_without_skills_slots_or_radius_means_anyone_any_time_anywhere():
    need = Need(lat=52.7, lon=6.2)
    assert (need.skills, need.slots, need.radius_km, need.requires_vog) == ((), (), None, False)


def test_a_volunteer_without_a_stated_reach_travels_the_default_distance():
    candidate = Candidate(id=1, lat=52.7, lon=6.2)
    assert candidate.travel_km == DEFAULT_TRAVEL_KM > 0
    assert candidate.vog is False


def test_lists_from_a_form_become_tuples_so_values_stay_frozen_and_hashable():
    need = Need(lat=52.7, lon=6.2, skills=["koken"], slots=[TUESDAY_AFTERNOON])
    candidate = Candidate(id=1, lat=52.7, lon=6.2, skills=["koken"], slots=[TUESDAY_AFTERNOON])
    assert need.skills == ("koken",) and need.slots == (TUESDAY_AFTERNOON,)
    assert candidate.skills == ("koken",) and candidate.slots == (TUESDAY_AFTERNOON,)
    same = Need(lat=52.7, lon=6.2, skills=("koken",), slots=(TUESDAY_AFTERNOON,))
    assert need == same and hash(need) == hash(same)


def test_values_cannot_be_changed_after_creation():
    need = Need(lat=52.7, lon=6.2)
    with pytest.raises(AttributeError):
        need.lat = 0.0


def test_integer_coordinates_are_stored_as_floats():
    need = Need(lat=52, lon=Fraction(6))
    assert type(need.lat) is float and type(need.lon) is float


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (90.01, 6.2),
        (-90.01, 6.2),
        (52.7, 180.01),
        (52.7, -180.01),
        (math.nan, 6.2),
        (52.7, math.nan),
        (math.inf, 6.2),
        ("52.7", 6.2),
        (None, 6.2),
        (True, 6.2),
    ],
)
def test_a_place_off_the_map_is_refused(lat, lon):
    with pytest.raises(InvalidCoordinates):
        Need(lat=lat, lon=lon)
    with pytest.raises(InvalidCoordinates):
        Candidate(id=1, lat=lat, lon=lon)


def test_the_edges_of_the_map_are_still_on_it():
    Need(lat=90, lon=180)
    Candidate(id=1, lat=-90, lon=-180)


@pytest.mark.parametrize("weekday", [-1, 7, 1.0, "1", True])
def test_a_day_that_is_not_monday_to_sunday_is_refused(weekday):
    with pytest.raises(InvalidSlot):
        Slot(weekday, time(14), time(16))


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(16), time(14)), (time(14), time(14)), ("14:00", "16:00"), (14, 16)],
)
def test_a_slot_that_does_not_end_after_it_starts_is_refused(start, end):
    with pytest.raises(InvalidSlot):
        Slot(1, start, end)


def test_monday_and_sunday_are_both_valid_days():
    assert Slot(0, time(9), time(10)).weekday == 0
    assert Slot(6, time(9), time(10)).weekday == 6


def test_something_that_is_not_a_slot_in_slots_is_refused():
    with pytest.raises(InvalidSlot):
        Need(lat=52.7, lon=6.2, slots=[(1, time(14), time(16))])
    with pytest.raises(InvalidSlot):
        Candidate(id=1, lat=52.7, lon=6.2, slots=[(1, time(14), time(16))])


def test_a_single_skill_string_is_not_split_into_letters():
    with pytest.raises(MatchingError):
        Need(lat=52.7, lon=6.2, skills="koken")
    with pytest.raises(MatchingError):
        Candidate(id=1, lat=52.7, lon=6.2, skills="koken")
    with pytest.raises(MatchingError):
        Candidate(id=1, lat=52.7, lon=6.2, skills=["koken", 3])


@pytest.mark.parametrize("km", [-0.1, math.nan, "10", True])
def test_a_negative_or_meaningless_distance_limit_is_refused(km):
    with pytest.raises(InvalidRadius):
        Need(lat=52.7, lon=6.2, radius_km=km)
    with pytest.raises(InvalidRadius):
        Candidate(id=1, lat=52.7, lon=6.2, travel_km=km)


def test_zero_and_unlimited_distance_limits_are_allowed():
    assert Need(lat=52.7, lon=6.2, radius_km=0).radius_km == 0.0
    assert Candidate(id=1, lat=52.7, lon=6.2, travel_km=math.inf).travel_km == math.inf


def test_default_weights_favour_distance_then_skills_then_availability():
    weights = Weights()
    assert weights.distance > weights.skills > weights.availability > 0
    assert weights.distance + weights.skills + weights.availability == pytest.approx(1)


def test_a_weight_of_zero_switches_a_criterion_off():
    assert Weights(distance=0, skills=1, availability=0).distance == 0.0


@pytest.mark.parametrize(
    "weights",
    [
        {"distance": -0.1},
        {"skills": math.nan},
        {"availability": math.inf},
        {"distance": "0.4"},
        {"distance": 0, "skills": 0, "availability": 0},
    ],
)
def test_weights_that_cannot_be_combined_are_refused(weights):
    with pytest.raises(InvalidWeights):
        Weights(**weights)


def test_every_matching_error_is_a_value_error():
    for error in (InvalidCoordinates, InvalidSlot, InvalidRadius, InvalidWeights):
        assert issubclass(error, MatchingError)
    assert issubclass(MatchingError, ValueError)


def test_ranked_reasons_are_kept_as_a_tuple():
    ranked = Ranked(7, 0.8, 1.2, 0.9, 0.7, 1.0, ["woont dichtbij"])
    assert ranked.reasons == ("woont dichtbij",)


def test_rank_is_offered_next_to_the_types():
    assert callable(voorelkaar.matching.rank)
    assert "rank" in voorelkaar.matching.__all__

"""Ranking volunteers for a request: who is left out, who comes first, and why, in Dutch."""

import math
import random
from datetime import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voorelkaar.geo import distance_km
from voorelkaar.matching import (
    Candidate,
    InvalidCandidate,
    InvalidLimit,
    MatchingError,
    Need,
    Ranked,
    Slot,
    Weights,
    rank,
)
from voorelkaar.matching.availability import Coverage, week_intervals
from voorelkaar.matching.distance import KM_PER_DEGREE, distance_phrase, haversine_km
from voorelkaar.matching.skills import SkillMatcher, credit, needed_skills, normalise, skill_phrase

HERE = (52.70, 6.20)
TUESDAY_AFTERNOON = Slot(1, time(14), time(16))
PROPERTIES = settings(max_examples=100, deadline=None, database=None)


def north(km: float) -> float:
    """Return the latitude km due north of HERE: along a meridian, degrees are exact."""
    return HERE[0] + km / KM_PER_DEGREE


def make_need(**fields) -> Need:
    return Need(**{"lat": HERE[0], "lon": HERE[1], **fields})


def volunteer(candidate_id: int = 1, km: float = 1.0, **fields) -> Candidate:
    """Return a volunteer km due north of HERE who travels far enough unless told otherwise."""
    return Candidate(
        **{"id": candidate_id, "lat": north(km), "lon": HERE[1], "travel_km": 50.0, **fields}
    )


def ids(ranking: list[Ranked]) -> list[int]:
    return [ranked.candidate_id for ranked in ranking]


def only(need: Need, candidate: Candidate) -> Ranked:
    (ranked,) = rank(need, [candidate])
    return ranked


# The example of DESIGN.md section 4


def test_the_design_example_suggests_the_volunteer_with_reasons():
    need = Need(
        lat=52.70,
        lon=6.20,
        skills=("boodschappen",),
        slots=(TUESDAY_AFTERNOON,),
        radius_km=10.0,
    )
    candidate = Candidate(
        id=7,
        lat=52.69,
        lon=6.19,
        skills=("boodschapen", "wandelen"),
        slots=(Slot(1, time(13), time(17)),),
        travel_km=5.0,
    )
    (ranked,) = rank(need, [candidate])
    assert ranked.candidate_id == 7
    assert ranked.distance_km == pytest.approx(1.30, abs=0.01)
    assert ranked.skill_score == 1.0 and ranked.availability_score == 1.0
    assert ranked.reasons == (
        "1,3 km van de hulpvraag",
        "heeft ervaring met boodschappen",
        "dinsdagmiddag beschikbaar",
    )


# Hard filters: excluded, never ranked


def test_a_volunteer_is_not_asked_to_travel_further_than_they_said():
    near, far = volunteer(1, km=4.9, travel_km=5), volunteer(2, km=5.1, travel_km=5)
    assert ids(rank(make_need(), [near, far])) == [1]


def test_the_askers_radius_leaves_out_volunteers_who_would_travel_further():
    near, far = volunteer(1, km=2.9, travel_km=50), volunteer(2, km=3.1, travel_km=50)
    assert ids(rank(make_need(radius_km=3), [near, far])) == [1]


def test_without_a_radius_only_the_volunteers_reach_counts():
    far = volunteer(1, km=40, travel_km=50)
    assert ids(rank(make_need(radius_km=None), [far])) == [1]


def test_a_volunteer_who_travels_nowhere_can_still_help_next_door():
    assert ids(rank(make_need(), [volunteer(1, km=0, travel_km=0)])) == [1]


def test_a_volunteer_who_goes_anywhere_is_found_across_the_world():
    antipode = Candidate(id=1, lat=-52.70, lon=6.20 - 180, travel_km=math.inf)
    (ranked,) = rank(make_need(), [antipode])
    assert ranked.distance_km == pytest.approx(math.pi * 6371.0088)


def test_a_request_that_needs_a_vog_only_gets_volunteers_with_one():
    without, with_vog = volunteer(1, vog=False), volunteer(2, vog=True)
    assert ids(rank(make_need(requires_vog=True), [without, with_vog])) == [2]
    assert ids(rank(make_need(requires_vog=False), [without, with_vog])) == [1, 2]


def test_a_volunteer_who_is_never_free_when_help_is_needed_is_left_out():
    wednesday = volunteer(1, slots=(Slot(2, time(14), time(16)),))
    just_after = volunteer(2, slots=(Slot(1, time(16), time(18)),))
    just_before = volunteer(3, slots=(Slot(1, time(12), time(14)),))
    fits = volunteer(4, slots=(Slot(1, time(15), time(19)),))
    ranking = rank(
        make_need(slots=(TUESDAY_AFTERNOON,)), [wednesday, just_after, just_before, fits]
    )
    assert ids(ranking) == [4]


def test_a_flexible_volunteer_is_never_left_out_for_timing():
    assert ids(rank(make_need(slots=(TUESDAY_AFTERNOON,)), [volunteer(1, slots=())])) == [1]


def test_a_request_for_any_time_fits_every_volunteers_week():
    sunday = volunteer(1, slots=(Slot(6, time(9), time(10)),))
    assert only(make_need(slots=()), sunday).availability_score == 1.0


def test_no_one_in_reach_gives_an_empty_list_not_an_error():
    assert rank(make_need(radius_km=1), [volunteer(1, km=5)]) == []
    assert rank(make_need(), []) == []


# Distance


def test_a_nearer_volunteer_comes_first_when_all_else_is_equal():
    assert ids(rank(make_need(), [volunteer(1, km=3), volunteer(2, km=1), volunteer(3, km=2)])) == [
        2,
        3,
        1,
    ]


@pytest.mark.parametrize(("km", "score"), [(0, 1.0), (5, 0.5), (20, 0.2)])
def test_distance_score_halves_at_the_default_reach(km, score):
    assert only(make_need(), volunteer(1, km=km)).distance_score == pytest.approx(score)


def test_distances_agree_with_the_geo_module_that_prefilters_in_sql():
    lats, lons = [52.0, 53.2, 50.8, 52.70001], [4.3, 6.9, 5.7, 6.2]
    ours = haversine_km(HERE[0], HERE[1], np.array(lats), np.array(lons))
    theirs = [distance_km(HERE[0], HERE[1], lat, lon) for lat, lon in zip(lats, lons, strict=True)]
    assert ours.tolist() == pytest.approx(theirs, rel=1e-12)


# Skills, fuzzily, in Dutch


@pytest.mark.parametrize(
    ("needed", "offered"),
    [
        ("boodschappen", "boodschappen"),
        ("boodschappen", "boodschapen"),
        ("boodschappen", "Boodschappen doen"),
        ("boodschappen doen", "BOODSCHAPPEN"),
        ("wandeling", "wandelen"),
        ("wandelen", "Wandelingen"),
        ("café bezoek", "cafe bezoek"),
        ("Café", "cafe"),
        ("hond uitlaten", "de hond uitlaten"),
        ("hond uitlaten", "uitlaten van de hond"),
        ("computerhulp", "hulp bij de computer"),
        ("administratie", "adminstratie"),
        ("huisdieren", "huisdier verzorgen"),
    ],
)
def test_a_skill_written_differently_still_matches(needed, offered):
    ranked = only(make_need(skills=(needed,)), volunteer(1, skills=(offered,)))
    assert ranked.skill_score >= 0.8


@pytest.mark.parametrize(
    ("needed", "offered"),
    [
        ("boodschappen", "koken"),
        ("boodschappen", "gezelschap"),
        ("wandelen", "schilderen"),
        ("tuinieren", "administratie"),
        ("vervoer", "voorlezen"),
        ("computerhulp", "taalhulp"),
        ("strijken", "schrijven"),
    ],
)
def test_an_unrelated_skill_scores_low(needed, offered):
    ranked = only(make_need(skills=(needed,)), volunteer(1, skills=(offered,)))
    assert ranked.skill_score < 0.3
    assert not any("ervaring" in reason or reason.startswith("kan ") for reason in ranked.reasons)


def test_the_matching_skill_outweighs_a_nearer_volunteer_without_it():
    need = make_need(skills=("boodschappen",))
    shopper, cook = (
        volunteer(1, km=2, skills=("boodschapen",)),
        volunteer(2, km=1, skills=("koken",)),
    )
    assert ids(rank(need, [cook, shopper])) == [1, 2]


def test_a_request_without_skills_counts_every_volunteer_as_skilled_and_says_nothing_about_it():
    ranked = only(make_need(skills=()), volunteer(1, skills=("koken",)))
    assert ranked.skill_score == 1.0
    assert ranked.reasons == ("1,0 km van de hulpvraag", "flexibel beschikbaar")


def test_blank_skills_in_a_request_are_ignored():
    assert only(make_need(skills=("", "  ")), volunteer(1)).skill_score == 1.0


def test_a_volunteer_without_skills_scores_zero_on_skills():
    assert only(make_need(skills=("koken",)), volunteer(1, skills=())).skill_score == 0.0


def test_a_volunteer_offering_half_of_what_is_needed_scores_half():
    need = make_need(skills=("boodschappen", "wandelen"))
    assert only(need, volunteer(1, skills=("wandelen", "koken"))).skill_score == 0.5


def test_the_same_skill_asked_twice_counts_once():
    need = make_need(skills=("boodschappen", "Boodschappen", "wandelen"))
    assert only(need, volunteer(1, skills=("wandelen",))).skill_score == 0.5


def test_normalising_drops_accents_case_filler_words_and_dutch_endings():
    assert normalise("Boodschappen doen") == normalise("boodschapen") == "boodschap"
    assert normalise("Wandelingen") == normalise("wandelen") == "wandel"
    assert normalise("Café") == normalise("cafe")
    # Only filler words: keep them rather than lose the tag.
    assert normalise("helpen") == "help"


def test_skill_credit_is_zero_for_unrelated_and_one_for_the_same():
    assert credit(0.3) == 0.0 and credit(0.6) == 0.0
    assert credit(0.8) == pytest.approx(0.5) and credit(1.0) == 1.0


# Availability


@pytest.mark.parametrize(
    ("slots", "share"),
    [
        ((Slot(1, time(13), time(17)),), 1.0),
        ((Slot(1, time(15), time(18)),), 0.5),
        ((Slot(1, time(13), time(15)), Slot(1, time(15), time(17))), 1.0),
        ((Slot(1, time(14), time(15)), Slot(1, time(15, 30), time(16))), 0.75),
        ((Slot(1, time(14), time(16)), Slot(1, time(14), time(16))), 1.0),
        ((Slot(1, time(13), time(15, 30)), Slot(1, time(15), time(15, 30))), 0.75),
        ((Slot(1, time(14), time(15)), Slot(3, time(14), time(16))), 0.5),
    ],
)
def test_availability_is_the_share_of_the_needed_time_covered(slots, share):
    ranked = only(make_need(slots=(TUESDAY_AFTERNOON,)), volunteer(1, slots=slots))
    assert ranked.availability_score == pytest.approx(share)


def test_needed_time_on_two_days_is_covered_by_half_when_free_on_one():
    need = make_need(slots=(TUESDAY_AFTERNOON, Slot(3, time(10), time(12))))
    ranked = only(need, volunteer(1, slots=(Slot(3, time(9), time(12)),)))
    assert ranked.availability_score == 0.5
    assert "donderdagochtend deels beschikbaar" in ranked.reasons


def test_overlapping_slots_in_a_request_are_counted_once():
    need = make_need(slots=(TUESDAY_AFTERNOON, Slot(1, time(15), time(16))))
    ranked = only(need, volunteer(1, slots=(Slot(1, time(14), time(15)),)))
    assert ranked.availability_score == 0.5


def test_a_flexible_volunteer_scores_between_a_full_fit_and_a_partial_one():
    need = make_need(slots=(TUESDAY_AFTERNOON,))
    full, flexible, quarter = (
        volunteer(1, slots=(TUESDAY_AFTERNOON,)),
        volunteer(2, slots=()),
        volunteer(3, slots=(Slot(1, time(15, 30), time(18)),)),
    )
    scores = [r.availability_score for r in rank(need, [quarter, flexible, full])]
    assert scores == [1.0, 0.5, 0.25]


def test_many_volunteers_get_the_same_availability_as_one_at_a_time():
    rng = random.Random(4)
    lists = [
        tuple(
            Slot(rng.randrange(7), time(h), time(h + rng.randrange(1, 4)))
            for h in (rng.randrange(6, 20) for _ in range(rng.randrange(5)))
        )
        for _ in range(300)
    ]
    needed = (TUESDAY_AFTERNOON, Slot(1, time(15), time(19)), Slot(5, time(9), time(12)))
    together = Coverage(needed).shares(lists).tolist()
    one_by_one = [Coverage(needed)[slots] for slots in lists]
    assert together == pytest.approx(one_by_one, nan_ok=True)


def test_a_week_is_one_line_of_seconds_with_overlaps_merged():
    slots = (Slot(1, time(15), time(17)), Slot(0, time(9), time(10)), Slot(1, time(14), time(16)))
    assert week_intervals(slots) == ((9 * 3600, 10 * 3600), (86400 + 14 * 3600, 86400 + 17 * 3600))


# The combined score and the order


def test_the_score_is_the_weighted_mean_of_its_parts():
    weights = Weights(distance=2, skills=1, availability=1)
    need = make_need(skills=("koken", "wandelen"), slots=(TUESDAY_AFTERNOON,))
    ranked = rank(need, [volunteer(1, km=5, skills=("koken",), slots=())], weights=weights)[0]
    parts = (ranked.distance_score, ranked.skill_score, ranked.availability_score)
    assert parts == pytest.approx((0.5, 0.5, 0.5))
    assert ranked.score == pytest.approx((2 * 0.5 + 1 * 0.5 + 1 * 0.5) / 4)


def test_a_weight_of_zero_lets_the_other_criteria_decide():
    need = make_need(skills=("koken",))
    near_no_skill, far_skilled = (
        volunteer(1, km=1, skills=()),
        volunteer(2, km=9, skills=("koken",)),
    )
    by_skill = rank(
        need, [near_no_skill, far_skilled], weights=Weights(distance=0, skills=1, availability=0)
    )
    by_distance = rank(
        need, [near_no_skill, far_skilled], weights=Weights(distance=1, skills=0, availability=0)
    )
    assert ids(by_skill) == [2, 1] and ids(by_distance) == [1, 2]


def test_equal_scores_are_ordered_by_distance_then_id():
    weights = Weights(distance=0, skills=1, availability=1)
    people = [volunteer(5, km=2), volunteer(3, km=1), volunteer(4, km=1), volunteer(1, km=3)]
    ranking = rank(make_need(), people, weights=weights)
    assert len({r.score for r in ranking}) == 1
    assert ids(ranking) == [3, 4, 5, 1]


def test_the_cut_at_the_limit_among_equals_goes_by_id_whatever_the_input_order():
    twins = [volunteer(i, km=1) for i in (9, 4, 7, 2, 5)]
    assert ids(rank(make_need(), twins, limit=2)) == [2, 4]
    assert ids(rank(make_need(), twins[::-1], limit=2)) == [2, 4]


def test_the_limit_keeps_the_best():
    people = [volunteer(i, km=i) for i in range(1, 31)]
    assert ids(rank(make_need(), people)) == list(range(1, 21))
    assert ids(rank(make_need(), people, limit=3)) == [1, 2, 3]


def test_candidates_may_come_from_a_generator():
    assert ids(rank(make_need(), (volunteer(i) for i in (2, 1)))) == [1, 2]


# Reasons in Dutch


@pytest.mark.parametrize(
    ("km", "text"),
    [
        (1.24, "1,2 km van de hulpvraag"),
        (1.26, "1,3 km van de hulpvraag"),
        (12.0, "12,0 km van de hulpvraag"),
        (0.1, "0,1 km van de hulpvraag"),
        (0.04, "minder dan 100 m van de hulpvraag"),
        (0.0, "minder dan 100 m van de hulpvraag"),
    ],
)
def test_distance_is_said_with_a_dutch_decimal_comma(km, text):
    assert distance_phrase(km) == text


@pytest.mark.parametrize(
    ("skill", "text"),
    [
        ("boodschappen doen", "kan boodschappen doen"),
        ("Boodschappen  doen", "kan boodschappen doen"),
        ("hond uitlaten", "kan hond uitlaten"),
        ("boodschappen", "heeft ervaring met boodschappen"),
        ("wandelen", "heeft ervaring met wandelen"),
        ("hulp bij boodschappen", "heeft ervaring met hulp bij boodschappen"),
        ("ICT", "heeft ervaring met ICT"),
    ],
)
def test_a_matched_skill_is_said_as_a_short_phrase(skill, text):
    assert skill_phrase(skill) == text


def test_the_reason_names_the_skill_as_the_asker_wrote_it():
    ranked = only(make_need(skills=("boodschappen doen",)), volunteer(1, skills=("boodschapen",)))
    assert "kan boodschappen doen" in ranked.reasons


def test_at_most_two_skills_are_named():
    need = make_need(skills=("koken", "wandelen", "boodschappen"))
    ranked = only(need, volunteer(1, skills=("koken", "wandelen", "boodschappen")))
    assert sum("ervaring" in reason for reason in ranked.reasons) == 2


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        (Slot(1, time(14), time(16)), "dinsdagmiddag beschikbaar"),
        (Slot(5, time(9), time(12)), "zaterdagochtend beschikbaar"),
        (Slot(3, time(18), time(21)), "donderdagavond beschikbaar"),
        (Slot(0, time(11), time(13)), "maandagochtend en maandagmiddag beschikbaar"),
        (Slot(6, time(17), time(19)), "zondagmiddag en zondagavond beschikbaar"),
    ],
)
def test_availability_is_said_as_weekday_and_part_of_the_day(slot, text):
    ranked = only(make_need(slots=(slot,)), volunteer(1, slots=(slot,)))
    assert ranked.reasons[-1] == text


def test_a_volunteer_free_at_many_needed_times_gets_a_short_reason():
    slots = tuple(Slot(day, time(9), time(21)) for day in range(3))
    ranked = only(make_need(slots=slots), volunteer(1, slots=slots))
    assert ranked.reasons[-1] == "maandagochtend, maandagmiddag en vaker beschikbaar"


def test_a_flexible_volunteer_is_said_to_be_flexible():
    ranked = only(make_need(slots=(TUESDAY_AFTERNOON,)), volunteer(1, slots=()))
    assert "flexibel beschikbaar" in ranked.reasons


def test_a_fixed_week_is_not_mentioned_when_the_request_can_be_any_time():
    ranked = only(make_need(), volunteer(1, slots=(TUESDAY_AFTERNOON,)))
    assert ranked.reasons == ("1,0 km van de hulpvraag",)


def test_the_vog_is_mentioned_only_when_the_request_needs_one():
    holder = volunteer(1, vog=True)
    assert only(make_need(requires_vog=True), holder).reasons[-1] == "heeft een VOG"
    assert "heeft een VOG" not in only(make_need(), holder).reasons


# Bad input


@pytest.mark.parametrize("limit", [0, -1, 1.5, True, "3", None])
def test_a_limit_below_one_or_not_whole_is_refused(limit):
    with pytest.raises(InvalidLimit):
        rank(make_need(), [volunteer()], limit=limit)


def test_a_limit_error_is_a_value_error():
    assert issubclass(InvalidLimit, MatchingError) and issubclass(InvalidLimit, ValueError)


def test_something_that_is_not_a_need_or_weights_is_refused():
    with pytest.raises(MatchingError):
        rank({"lat": 52.7, "lon": 6.2}, [volunteer()])
    with pytest.raises(MatchingError):
        rank(make_need(), [volunteer()], weights=(1, 1, 1))


def test_something_that_is_not_a_candidate_is_refused():
    with pytest.raises(InvalidCandidate):
        rank(make_need(), [volunteer(), {"id": 2, "lat": 52.7, "lon": 6.2}])


def test_the_same_volunteer_twice_is_refused_rather_than_shown_twice():
    with pytest.raises(InvalidCandidate):
        rank(make_need(), [volunteer(1, km=1), volunteer(1, km=2)])


def test_the_contracts_bad_input_is_refused_before_ranking():
    with pytest.raises(ValueError, match="latitude"):
        make_need(lat=91)
    with pytest.raises(ValueError, match="end after"):
        Slot(1, time(16), time(14))
    with pytest.raises(ValueError, match="radius_km"):
        make_need(radius_km=-1)


# Properties over many generated requests and volunteers

TAGS = [
    "boodschappen",
    "boodschapen",
    "Boodschappen doen",
    "wandelen",
    "wandeling",
    "koken",
    "café",
    "cafe",
    "tuin",
    "computerhulp",
    "",
    "strijken",
]

# A small area and three weekdays, so that most candidates are in reach and free at
# some needed time, and shared places and tags, so that ties happen.
places = st.sampled_from([(52.70, 6.20), (52.71, 6.21), (52.69, 6.18)]) | st.tuples(
    st.floats(52.66, 52.74), st.floats(6.14, 6.26)
)
slots = st.builds(
    lambda day, start, minutes: Slot(
        day, time(*divmod(start, 60)), time(*divmod(min(start + minutes, 23 * 60 + 59), 60))
    ),
    st.integers(0, 2),
    st.integers(8 * 4, 20 * 4).map(lambda quarter: quarter * 15),
    st.integers(1, 16).map(lambda quarters: quarters * 15),
)
tags = st.lists(st.sampled_from(TAGS), max_size=3).map(tuple)
needs = st.builds(
    lambda place, **fields: Need(lat=place[0], lon=place[1], **fields),
    places,
    skills=tags,
    slots=st.lists(slots, max_size=3).map(tuple),
    radius_km=st.none() | st.sampled_from([0.5, 3.0, 8.0]),
    requires_vog=st.booleans(),
)
candidate_fields = st.fixed_dictionaries(
    {
        "place": places,
        "skills": tags,
        "slots": st.lists(slots, max_size=3).map(tuple),
        "travel_km": st.sampled_from([0.0, 2.0, 5.0, 10.0, math.inf]),
        "vog": st.booleans(),
    }
)


def make_pool(fields: list[dict], ids: list[int]) -> list[Candidate]:
    return [
        Candidate(
            id=id_,
            lat=f["place"][0],
            lon=f["place"][1],
            **{k: v for k, v in f.items() if k != "place"},
        )
        for id_, f in zip(ids, fields, strict=True)
    ]


pools = st.lists(candidate_fields, max_size=40).flatmap(
    lambda fields: st.permutations(range(1, len(fields) + 1)).map(
        lambda ids: make_pool(fields, ids)
    )
)
limits = st.integers(1, 25)


def passes_hard_filters(need: Need, candidate: Candidate, km: float) -> bool:
    """Say whether a candidate may be ranked, written plainly, apart from the module."""
    if km > candidate.travel_km or (need.radius_km is not None and km > need.radius_km):
        return False
    if need.requires_vog and not candidate.vog:
        return False
    if need.slots and candidate.slots:
        return any(
            a.weekday == b.weekday and max(a.start, b.start) < min(a.end, b.end)
            for a in need.slots
            for b in candidate.slots
        )
    return True


@PROPERTIES
@given(needs, pools, limits)
def test_results_are_best_first_scored_0_to_1_and_no_longer_than_the_limit(need, pool, limit):
    ranking = rank(need, pool, limit=limit)
    assert len(ranking) <= limit
    keys = [(-r.score, r.distance_km, r.candidate_id) for r in ranking]
    assert keys == sorted(keys)
    for r in ranking:
        parts = (r.score, r.distance_score, r.skill_score, r.availability_score)
        assert all(0.0 <= part <= 1.0 for part in parts)


@PROPERTIES
@given(needs, pools)
def test_exactly_the_volunteers_who_pass_the_hard_filters_are_ranked(need, pool):
    ranked = {r.candidate_id: r for r in rank(need, pool, limit=len(pool) + 1)}
    by_id = {c.id: c for c in pool}
    for r in ranked.values():
        assert passes_hard_filters(need, by_id[r.candidate_id], r.distance_km)
    for c in pool:
        km = distance_km(need.lat, need.lon, c.lat, c.lon)
        limits_km = [c.travel_km, math.inf if need.radius_km is None else need.radius_km]
        if all(abs(km - limit) > 1e-6 for limit in limits_km):
            # Away from the exact edge, where rounding may go either way.
            assert (c.id in ranked) == passes_hard_filters(need, c, km)


@PROPERTIES
@given(needs, pools, limits, st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_of_the_candidates(need, pool, limit, rng):
    shuffled = pool[:]
    rng.shuffle(shuffled)
    assert rank(need, shuffled, limit=limit) == rank(need, pool, limit=limit)


@PROPERTIES
@given(needs, pools, limits)
def test_a_shorter_list_is_the_top_of_a_longer_one(need, pool, limit):
    assert rank(need, pool, limit=limit) == rank(need, pool, limit=100)[:limit]


@PROPERTIES
@given(needs, pools)
def test_every_score_is_explained_by_its_parts(need, pool):
    matcher = SkillMatcher(needed_skills(need.skills))
    by_id = {c.id: c for c in pool}
    for r in rank(need, pool, limit=100):
        c = by_id[r.candidate_id]
        assert r.distance_score == pytest.approx(1 / (1 + r.distance_km / 5))
        if need.slots:
            assert r.availability_score == pytest.approx(Coverage(need.slots)[c.slots])
        else:
            assert r.availability_score == 1.0
        if matcher.needed:
            assert r.skill_score == pytest.approx(matcher.scores([c.skills])[0])
        weighted = 0.4 * r.distance_score + 0.35 * r.skill_score + 0.25 * r.availability_score
        assert r.score == pytest.approx(weighted)
        assert r.reasons[0].endswith("van de hulpvraag")

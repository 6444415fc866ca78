"""Reasons read as Dutch and also say what they mean, so the site can say them in English."""

from datetime import time

import pytest

from voorelkaar.matching import Candidate, Need, Ranked, Reason, Slot, rank
from voorelkaar.matching.distance import KM_PER_DEGREE, distance_phrase
from voorelkaar.matching.skills import skill_phrase

HERE = (52.70, 6.20)
TUESDAY_AFTERNOON = Slot(1, time(14), time(16))


def make_need(**fields) -> Need:
    return Need(**{"lat": HERE[0], "lon": HERE[1], **fields})


def volunteer(km: float = 1.0, **fields) -> Candidate:
    """Return a volunteer km due north of HERE who travels far enough."""
    lat = HERE[0] + km / KM_PER_DEGREE
    return Candidate(**{"id": 1, "lat": lat, "lon": HERE[1], "travel_km": 50.0, **fields})


def only(need: Need, candidate: Candidate) -> Ranked:
    (ranked,) = rank(need, [candidate])
    return ranked


def last_reason(need: Need, candidate: Candidate) -> Reason:
    return only(need, candidate).reasons[-1]


# A Reason is its Dutch phrase


def test_a_reason_equals_and_hashes_as_its_dutch_phrase():
    reason = Reason("heeft een VOG", "vog")
    assert reason == "heeft een VOG" and str(reason) == "heeft een VOG"
    assert hash(reason) == hash("heeft een VOG")
    assert {"heeft een VOG": 1}[reason] == 1
    assert reason in {"heeft een VOG"}
    assert f"{reason}!" == "heeft een VOG!"


def test_a_reason_cannot_be_changed():
    reason = Reason("1,2 km van de hulpvraag", "distance", km=1.2)
    with pytest.raises(AttributeError):
        reason.code = "nearby"
    with pytest.raises(AttributeError):
        del reason.values
    with pytest.raises(TypeError):
        reason.values["km"] = 3.0
    assert reason.code == "distance" and reason.values == {"km": 1.2}


def test_every_reason_rank_gives_is_a_reason_with_a_code():
    need = make_need(skills=("boodschappen",), slots=(TUESDAY_AFTERNOON,), requires_vog=True)
    ranked = only(need, volunteer(skills=("boodschappen",), slots=(TUESDAY_AFTERNOON,), vog=True))
    assert [reason.code for reason in ranked.reasons] == [
        "distance",
        "skill_experience",
        "available",
        "vog",
    ]


# Codes and values


@pytest.mark.parametrize(
    ("km", "shown"),
    [(1.24, 1.2), (1.26, 1.3), (12.0, 12.0), (0.1, 0.1), (0.35, 0.3), (1234.56, 1234.6)],
)
def test_a_distance_carries_the_km_as_the_phrase_rounds_them(km, shown):
    reason = distance_phrase(km)
    assert reason.code == "distance"
    assert reason.values == {"km": shown}
    assert reason == f"{shown:.1f}".replace(".", ",") + " km van de hulpvraag"


@pytest.mark.parametrize("km", [0.0, 0.04])
def test_less_than_100_metres_is_nearby_without_values(km):
    reason = distance_phrase(km)
    assert reason.code == "nearby" and reason.values == {}


@pytest.mark.parametrize(
    ("skill", "code", "text"),
    [
        ("Boodschappen  doen", "skill_can", "boodschappen doen"),
        ("hond uitlaten", "skill_can", "hond uitlaten"),
        ("Wandelen", "skill_experience", "wandelen"),
        ("hulp bij ICT", "skill_experience", "hulp bij ICT"),
    ],
)
def test_a_skill_carries_the_tag_as_it_reads_in_the_phrase(skill, code, text):
    reason = skill_phrase(skill)
    assert reason.code == code
    assert reason.values == {"skill": text}
    assert reason.endswith(text)


def test_a_flexible_volunteer_has_the_flexible_code():
    reason = last_reason(make_need(slots=(TUESDAY_AFTERNOON,)), volunteer(slots=()))
    assert reason.code == "flexible" and reason.values == {}


def test_the_vog_has_its_own_code():
    reason = last_reason(make_need(requires_vog=True), volunteer(vog=True))
    assert reason.code == "vog" and reason.values == {}


def test_availability_carries_weekday_and_part_of_the_day():
    reason = last_reason(
        make_need(slots=(TUESDAY_AFTERNOON,)), volunteer(slots=(TUESDAY_AFTERNOON,))
    )
    assert reason == "dinsdagmiddag beschikbaar"
    assert reason.code == "available"
    assert reason.values == {"day_parts": ((1, 1),), "more": False, "partial": False}


def test_availability_over_two_parts_of_the_day_names_both_in_week_order():
    slot = Slot(0, time(11), time(13))
    reason = last_reason(make_need(slots=(slot,)), volunteer(slots=(slot,)))
    assert reason == "maandagochtend en maandagmiddag beschikbaar"
    assert reason.values == {"day_parts": ((0, 0), (0, 1)), "more": False, "partial": False}


def test_availability_at_many_times_names_the_first_two_and_says_more():
    slots = tuple(Slot(day, time(9), time(21)) for day in range(3))
    reason = last_reason(make_need(slots=slots), volunteer(slots=slots))
    assert reason == "maandagochtend, maandagmiddag en vaker beschikbaar"
    assert reason.values == {"day_parts": ((0, 0), (0, 1)), "more": True, "partial": False}


def test_partial_availability_is_marked_partial():
    need = make_need(slots=(TUESDAY_AFTERNOON, Slot(3, time(10), time(12))))
    reason = last_reason(need, volunteer(slots=(Slot(3, time(9), time(12)),)))
    assert reason == "donderdagochtend deels beschikbaar"
    assert reason.values == {"day_parts": ((3, 0),), "more": False, "partial": True}

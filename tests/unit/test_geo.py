"""Offline postcodes and distances: what a resident typing a postcode will notice."""

import math

import pytest
from geopy.distance import great_circle

from voorelkaar.geo import (
    EARTH_RADIUS_KM,
    Area,
    MalformedPostcode,
    PostcodeError,
    UnknownPostcode,
    bounding_box,
    distance_km,
    locate,
    lookup_pc4,
    normalise_postcode,
)
from voorelkaar.geo.postcodes import _areas


@pytest.mark.parametrize(
    "typed",
    ["7941 AB", "7941AB", "7941ab", " 7941 ab ", "\t7941 AB\n", "7941-AB", "NL-7941 AB"],
)
def test_postcode_typed_in_any_common_way_is_shown_the_standard_way(typed):
    assert normalise_postcode(typed) == "7941 AB"


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "7941", "7941 A", "79411 AB", "0941 AB", "7941 A1", "AB 7941", "7941 ÄB"],
)
def test_something_that_is_not_a_postcode_is_refused(typed):
    with pytest.raises(MalformedPostcode):
        normalise_postcode(typed)


@pytest.mark.parametrize("letters", ["SA", "SD", "SS"])
def test_postcode_with_letters_postnl_never_issues_is_refused(letters):
    with pytest.raises(MalformedPostcode):
        locate(f"7941 {letters}")


def test_postcode_in_an_area_that_does_not_exist_is_reported_as_unknown():
    with pytest.raises(UnknownPostcode) as caught:
        locate("1005 AB")
    assert caught.value.postcode == "1005 AB"


def test_postcode_problems_can_be_caught_as_one_value_error():
    assert issubclass(MalformedPostcode, PostcodeError)
    assert issubclass(UnknownPostcode, PostcodeError)
    assert issubclass(PostcodeError, ValueError)


def test_meppel_postcode_is_placed_in_meppel():
    area = locate("7941ab")
    assert area.pc4 == "7941"
    assert area.place == "Meppel"
    assert area.province == "Drenthe"
    assert area.lat == pytest.approx(52.70, abs=0.02)
    assert area.lon == pytest.approx(6.19, abs=0.02)


def test_provinces_are_named_in_dutch():
    provinces = {area.province for area in _areas().values()}
    assert len(provinces) == 12
    assert {"Zuid-Holland", "Noord-Brabant", "Gelderland", "Fryslân"} <= provinces


def test_the_whole_country_is_covered():
    areas = _areas()
    assert len(areas) > 4000
    for area in areas.values():
        assert 50.7 < area.lat < 53.6
        assert 3.3 < area.lon < 7.3


def test_lookup_of_an_unknown_pc4_finds_nothing():
    assert lookup_pc4("1005") is None
    assert lookup_pc4("7941") == Area("7941", 52.6961, 6.1912, "Meppel", "Drenthe")


def test_meppel_to_amsterdam_is_about_95_km_as_the_crow_flies():
    meppel, amsterdam = locate("7941 AB"), locate("1012 AB")
    km = distance_km(meppel.lat, meppel.lon, amsterdam.lat, amsterdam.lon)
    # The road is longer (~110 km); this is the straight line between PC4 centres.
    assert 90 < km < 100


def test_distance_agrees_with_geopy_and_is_symmetric():
    a, b = (52.6961, 6.1912), (50.8514, 5.6910)
    km = distance_km(*a, *b)
    assert km == pytest.approx(great_circle(a, b, radius=EARTH_RADIUS_KM).km, rel=1e-9)
    assert distance_km(*b, *a) == pytest.approx(km)
    assert distance_km(*a, *a) == 0


def _point_at(lat, lon, km, bearing_degrees):
    """The point km away on a sphere, heading along the bearing."""
    angle = km / EARTH_RADIUS_KM
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_degrees)
    phi2 = math.asin(
        math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(phi),
        math.cos(angle) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lam2)


@pytest.mark.parametrize("km", [0.5, 10, 50, 300])
def test_bounding_box_never_drops_a_volunteer_inside_the_radius(km):
    lat, lon = 52.6961, 6.1912
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, km)
    for bearing in range(360):
        plat, plon = _point_at(lat, lon, km, bearing)
        assert distance_km(lat, lon, plat, plon) == pytest.approx(km)
        assert min_lat <= plat <= max_lat
        assert min_lon <= plon <= max_lon


def test_bounding_box_is_tight_enough_to_prefilter():
    min_lat, max_lat, min_lon, max_lon = bounding_box(52.6961, 6.1912, 10)
    north_south = distance_km(min_lat, 6.1912, max_lat, 6.1912)
    assert north_south == pytest.approx(20)
    assert max_lon - min_lon < 0.31


def test_bounding_box_around_a_pole_spans_every_longitude():
    assert bounding_box(89.99, 0, 50) == pytest.approx((89.99 - 50 / 111.195, 90, -180, 180))


@pytest.mark.parametrize("km", [-1, math.nan])
def test_bounding_box_refuses_a_negative_radius(km):
    with pytest.raises(ValueError):
        bounding_box(52.7, 6.2, km)

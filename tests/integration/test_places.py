"""Postcodes place people in their wijk."""

from voorelkaar.models import Neighbourhood, NeighbourhoodArea
from voorelkaar.places.services import neighbourhood_for


def test_a_pc6_range_wins_over_the_rest_of_its_pc4(db, meppel):
    split = Neighbourhood(
        municipality=meppel,
        name="Kaden",
        slug="kaden",
        areas=[NeighbourhoodArea(pc4="7941", pc6_from="7941KA", pc6_to="7941KZ")],
    )
    db.add(split)
    db.commit()
    assert neighbourhood_for(db, "7941 KD").name == "Kaden"
    assert neighbourhood_for(db, "7941 AB").name == "Centrum"


def test_a_postcode_outside_every_wijk_has_none(db, meppel):
    assert neighbourhood_for(db, "1012 AB") is None

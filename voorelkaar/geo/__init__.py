"""Offline geography for Dutch postcodes: validation, PC4 centroids and distances."""

from voorelkaar.geo.distance import EARTH_RADIUS_KM, bounding_box, distance_km
from voorelkaar.geo.postcodes import (
    Area,
    MalformedPostcode,
    PostcodeError,
    UnknownPostcode,
    locate,
    lookup_pc4,
    normalise_postcode,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "Area",
    "MalformedPostcode",
    "PostcodeError",
    "UnknownPostcode",
    "bounding_box",
    "distance_km",
    "locate",
    "lookup_pc4",
    "normalise_postcode",
]

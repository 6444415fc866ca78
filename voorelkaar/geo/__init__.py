"""Offline geography for Dutch postcodes: validation, PC4 centroids and distances."""

from voorelkaar.geo.distance import (
    EARTH_RADIUS_KM,
    KM_PER_DEGREE,
    bounding_box,
    distance_km,
    lat_band,
    lat_bands,
)
from voorelkaar.geo.postcodes import (
    Area,
    MalformedPostcode,
    PostcodeError,
    UnknownPostcode,
    address_line,
    locate,
    lookup_pc4,
    normalise_postcode,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "KM_PER_DEGREE",
    "Area",
    "MalformedPostcode",
    "PostcodeError",
    "UnknownPostcode",
    "address_line",
    "bounding_box",
    "distance_km",
    "lat_band",
    "lat_bands",
    "locate",
    "lookup_pc4",
    "normalise_postcode",
]

"""Great-circle distances on a spherical Earth, good to well under 1% for the Netherlands."""

from __future__ import annotations

import math

# The mean Earth radius (IUGG), the same one geopy's great_circle uses.
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    # Rounding can push h a hair above 1 for antipodal points, and asin would fail.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """Return (min_lat, max_lat, min_lon, max_lon) enclosing the circle of km around a point."""
    if not km >= 0:
        raise ValueError(f"radius must be a non-negative number of km, not {km!r}")
    # A hair wider than the circle: float rounding must never let the prefilter drop
    # a point that the exact distance check would keep.
    angle = km / EARTH_RADIUS_KM * (1 + 1e-9)
    min_lat = lat - math.degrees(angle)
    max_lat = lat + math.degrees(angle)
    if min_lat <= -90 or max_lat >= 90:
        # The circle covers a pole, so it reaches every meridian.
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    # Not angle / cos(lat): a circle is widest in longitude away from its centre latitude
    # (its tangent points), and this is the exact half-width there.
    half_width = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
    min_lon, max_lon = lon - half_width, lon + half_width
    if min_lon < -180 or max_lon > 180:
        # A box across the antimeridian would need two ranges; one wider range is still a
        # correct prefilter and Dutch data never gets here.
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lon, max_lon


# Latitude bands of 0.01 degree (1.1 km) let an index on (band, longitude) read only the
# rows inside a box: one short range of longitudes per band, instead of every row in a
# stripe of latitudes across the whole country.
BANDS_PER_DEGREE = 100


def lat_band(lat: float) -> int:
    """Return the band of a latitude, the value stored beside it for the index."""
    return math.floor(lat * BANDS_PER_DEGREE)


def lat_bands(min_lat: float, max_lat: float) -> list[int]:
    """Return every band that a range of latitudes touches."""
    return list(range(lat_band(min_lat), lat_band(max_lat) + 1))

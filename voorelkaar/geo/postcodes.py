"""Dutch postcodes to coordinates, offline, from the shipped PC4 centroid table."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib.resources import files

from stdnum.exceptions import ValidationError
from stdnum.nl import postcode as stdnum_postcode


class PostcodeError(ValueError):
    """A postcode that cannot be turned into a place."""

    def __init__(self, postcode: str, message: str) -> None:
        super().__init__(message)
        self.postcode = postcode


class MalformedPostcode(PostcodeError):
    """Not a Dutch postcode at all, like "79411 AB" or the never-issued "7941 SA"."""


class UnknownPostcode(PostcodeError):
    """A well-formed postcode whose four digits are not in our table, like "1005 AB"."""


@dataclass(frozen=True, slots=True)
class Area:
    """The centre of a four-digit postcode area."""

    pc4: str
    lat: float
    lon: float
    place: str
    province: str


def normalise_postcode(text: str) -> str:
    """Return a postcode like "7941ab" or " 7941 AB " as "7941 AB"."""
    try:
        return stdnum_postcode.validate(text.strip())
    except ValidationError as exc:
        raise MalformedPostcode(text, f"not a Dutch postcode: {text!r}") from exc


def address_line(place) -> str:
    """The address of a person, request or referral as Dutch post writes it.

    "Kerkstraat 1, 7941 BK"; without a street (addresses from before streets were asked)
    "7941 BK 1", so nobody is sent to a house number alone.
    """
    if getattr(place, "street", None):
        return f"{place.street} {place.house_number}, {place.postcode}"
    return f"{place.postcode} {place.house_number}"


def lookup_pc4(pc4: str) -> Area | None:
    """Return the area of a four-digit postcode like "7941", or None if we do not know it."""
    return _areas().get(pc4)


def locate(postcode: str) -> Area:
    """Return the area of a full postcode like "7941 AB"."""
    normalised = normalise_postcode(postcode)
    area = lookup_pc4(normalised[:4])
    if area is None:
        raise UnknownPostcode(postcode, f"unknown postcode area: {normalised!r}")
    return area


# The cache makes the table load once per process; two threads racing on the
# first call at worst both parse the file, and both get the same answer.
@functools.cache
def _areas() -> dict[str, Area]:
    table = files(__package__).joinpath("data", "pc4.csv")
    with table.open("r", encoding="utf-8", newline="") as handle:
        return {
            row["pc4"]: Area(
                pc4=row["pc4"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                place=row["place"],
                province=row["province"],
            )
            for row in csv.DictReader(handle)
        }

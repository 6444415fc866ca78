"""How addresses are read: a number in one is an id the database can hold, or no match."""

from flask import Flask
from werkzeug.routing import IntegerConverter

# Ids are `integer` columns: 32 bits with a sign on PostgreSQL (see migrations/versions).
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """<int:...> up to LARGEST_ID: a larger number is a 404, not a database error and a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Replace the int converter; before any route is added, so that every route uses it."""
    app.url_map.converters["int"] = IdConverter

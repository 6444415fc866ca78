"""Language choice and Dutch-style dates, through Flask-Babel."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from voorelkaar.extensions import babel

# Times are stored in UTC and shown, and typed, in the time of the Netherlands.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def select_locale() -> str:
    """The visitor's chosen language; Dutch unless they chose otherwise."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def when(value: datetime | None, style: str = "long") -> str:
    """A moment as people read it here: "dinsdag 1 december 2026, 14:00"."""
    if value is None:
        return ""
    if style == "date":
        return format_datetime(value, "EEEE d MMMM y")
    return format_datetime(value, "EEEE d MMMM y, HH:mm")


def date_long(value) -> str:
    """A date as "1 december 2026"."""
    return format_date(value, "d MMMM y") if value else ""


def dict_without(mapping: dict, *keys: str) -> dict:
    """A copy of mapping without keys (for page links that keep the filters)."""
    return {key: value for key, value in mapping.items() if key not in keys}


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["format_date_long"] = date_long
    app.jinja_env.filters["dict_without"] = dict_without
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["format_decimal"] = format_decimal

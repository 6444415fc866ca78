"""Language choice, Dutch-style dates and matching reasons, through Flask-Babel."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from voorelkaar import geo
from voorelkaar.extensions import babel
from voorelkaar.matching import Reason
from voorelkaar.urls import absolute_url

# Times are stored in UTC and shown, and typed, in the time of the Netherlands.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# Counted as the matching core counts them: weekday 0 is Monday, part 0 the morning.
WEEKDAYS = (
    _l("maandag"),
    _l("dinsdag"),
    _l("woensdag"),
    _l("donderdag"),
    _l("vrijdag"),
    _l("zaterdag"),
    _l("zondag"),
)
DAY_PARTS = (_l("ochtend"), _l("middag"), _l("avond"))


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
    if style == "time":
        return format_datetime(value, "HH:mm")
    return format_datetime(value, "EEEE d MMMM y, HH:mm")


def date_long(value) -> str:
    """A date as "1 december 2026"."""
    return format_date(value, "d MMMM y") if value else ""


def reason_text(reason: str) -> str:
    """A matching reason in the visitor's language; a plain string stays as it is."""
    if not isinstance(reason, Reason):
        return reason
    values = reason.values
    match reason.code:
        case "distance":
            km = format_decimal(values["km"], format="0.0")
            return gettext("%(km)s km van de hulpvraag", km=km)
        case "nearby":
            return gettext("minder dan 100 m van de hulpvraag")
        case "skill_can":
            return gettext("kan %(skill)s", skill=values["skill"])
        case "skill_experience":
            return gettext("heeft ervaring met %(skill)s", skill=values["skill"])
        case "flexible":
            return gettext("flexibel beschikbaar")
        case "available":
            return _available(values["day_parts"], more=values["more"], partial=values["partial"])
        case "vog":
            return gettext("heeft een VOG")
        case "own_network":
            return gettext("uit uw eigen netwerk")
    # A code this layer does not know yet is still true in Dutch.
    return str(reason)


def _available(day_parts: tuple[tuple[int, int], ...], *, more: bool, partial: bool) -> str:
    names = [
        gettext("%(day)s%(part)s", day=WEEKDAYS[day], part=DAY_PARTS[part])
        for day, part in day_parts
    ]
    if more:
        times = gettext("%(first)s, %(second)s en vaker", first=names[0], second=names[1])
    elif len(names) == 2:
        times = gettext("%(first)s en %(second)s", first=names[0], second=names[1])
    else:
        (times,) = names
    if partial:
        return gettext("%(when)s deels beschikbaar", when=times)
    return gettext("%(when)s beschikbaar", when=times)


def dict_without(mapping: dict, *keys: str) -> dict:
    """A copy of mapping without keys (for page links that keep the filters)."""
    return {key: value for key, value in mapping.items() if key not in keys}


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["format_date_long"] = date_long
    app.jinja_env.filters["dict_without"] = dict_without
    app.jinja_env.filters["reason"] = reason_text
    app.jinja_env.filters["address"] = geo.address_line
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["format_decimal"] = format_decimal
    # Links in emails, which the scheduler renders outside any request.
    app.jinja_env.globals["absolute_url"] = absolute_url

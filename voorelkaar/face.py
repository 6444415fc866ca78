"""The face of a municipality: its site name and the people behind the site, in every page and mail.

Templates see `municipality` (the visitor's, from voorelkaar.tenancy; in an email the
recipient's, from the outbox) and use:

- `site_name()`: the municipality's site name, else `SITE_NAME` from the configuration;
- `tel_href(phone)`: a phone number as a tel: link target;
- `municipality_choice`: whether the header offers "Gemeente: Meppel (wijzig)".

A sentence that needs a field (a phone number, an email address) is left out when the
field is empty: see the macros in templates/_face.html.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, g
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar.models import Municipality, User

# Set on g while the database is away: the layout then renders without asking it anything.
NO_DATABASE = "face_without_database"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["site_name"] = site_name
    app.jinja_env.filters["tel_href"] = tel_href
    app.jinja_env.globals["municipality_by_id"] = municipality_by_id

    @app.context_processor
    def _choice() -> dict[str, Any]:
        return {"municipality_choice": municipality_choice}


@pass_context
def site_name(context) -> str:
    municipality = context.get("municipality")
    title = getattr(municipality, "title", "") if municipality is not None else ""
    return title or current_app.config["SITE_NAME"]


def tel_href(phone: str | None) -> str:
    """'0522 - 12 34 56' -> 'tel:0522123456' (a leading + is kept)."""
    phone = (phone or "").strip()
    digits = re.sub(r"[^\d]", "", phone)
    return "tel:" + ("+" if phone.startswith("+") else "") + digits


def municipality_choice() -> bool:
    """Whether the visitor may choose a municipality: several exist and the host does not decide."""
    if g.get(NO_DATABASE):
        return False
    from voorelkaar import tenancy
    from voorelkaar.db import get_session

    db = get_session()
    if tenancy.host_decides(db):
        return False
    return (db.scalar(select(func.count()).select_from(Municipality)) or 0) > 1


def municipality_of(db: Session, user: User | None) -> Municipality | None:
    """The municipality whose face a person's mail and letters carry: their own, else the default."""
    from voorelkaar import tenancy

    if user is not None and user.municipality_id is not None:
        own = db.get(Municipality, user.municipality_id)
        if own is not None:
            return own
    return tenancy.default_municipality(db)


def municipalities(db: Session) -> list[Municipality]:
    return list(db.scalars(select(Municipality).order_by(Municipality.name)))


def municipality_by_id(municipality_id: int | None) -> Municipality | None:
    """For templates of one object (a referral's letter): the face of its municipality."""
    if not municipality_id or g.get(NO_DATABASE):
        return None
    from voorelkaar.db import get_session

    return get_session().get(Municipality, municipality_id)


def reach_text(municipality: Municipality | None) -> str:
    """ "Wilt u iemand spreken? Bel ..." as plain text for a message; "" without phone and email."""
    from flask import get_template_attribute

    text = get_template_attribute("_face.html", "reach_text")(municipality)
    return (text.unescape() if isinstance(text, Markup) else str(text)).strip()

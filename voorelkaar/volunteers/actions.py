"""What a volunteer should know first: that they are on pause, and until when."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from voorelkaar import actions
from voorelkaar.actions import Action, Button
from voorelkaar.i18n import date_long
from voorelkaar.models import Role, User


def paused(_db: Session, user: User) -> list[Action]:
    """A paused volunteer sees no new requests and gets no invitations: say so, and how to stop."""
    if user.available or not user.has_role(Role.VOLUNTEER):
        return []
    if user.paused_until is not None:
        text = _(
            "U staat op pauze tot en met %(day)s. Daarna ziet u vanzelf weer hulpvragen.",
            day=date_long(user.paused_until),
        )
    else:
        text = _("U staat op pauze. U ziet nu geen nieuwe hulpvragen en krijgt geen uitnodigingen.")
    return [
        Action(
            text=text,
            button=Button(_("Ik kan weer helpen"), url_for("volunteers.resume"), post=True),
            link=(_("Pauze aanpassen"), url_for("volunteers.availability")),
        )
    ]


def register() -> None:
    actions.register("volunteers.paused", paused)

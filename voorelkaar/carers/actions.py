"""What waits on a carer: the latest "Hoe gaat het met u?", while it can be answered."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar import actions
from voorelkaar.actions import Action, Button
from voorelkaar.answers.services import answer_path
from voorelkaar.carers.answers import CHECKIN
from voorelkaar.db import utcnow
from voorelkaar.models import Checkin, User


def checkin(db: Session, user: User) -> list[Action]:
    """The newest check-in, if it is not answered and its link still works."""
    latest = db.scalar(
        select(Checkin)
        .where(Checkin.carer_id == user.id)
        .order_by(Checkin.sent_at.desc(), Checkin.id.desc())
        .limit(1)
    )
    if (
        latest is None
        or latest.answered_at is not None
        or latest.sent_at < utcnow() - timedelta(seconds=CHECKIN.max_age)
    ):
        return []
    return [
        Action(
            text=_("Hoe gaat het met u? We vroegen het u per e-mail."),
            button=Button(_("Beantwoorden"), answer_path("checkin", latest.id, user)),
            since=latest.sent_at,
        )
    ]


def register() -> None:
    actions.register("carers.checkin", checkin)

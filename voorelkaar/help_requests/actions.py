"""What waits on an asker about their own requests: "nog nodig?" and a refused request."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from voorelkaar import actions
from voorelkaar.actions import Action, Button
from voorelkaar.answers.services import answer_path
from voorelkaar.models import HelpRequest, RequestState, User


def still_needed(db: Session, user: User) -> list[Action]:
    """Open requests whose asker was asked "Is uw hulpvraag nog nodig?" and has not said."""
    requests = db.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.author_id == user.id,
            HelpRequest.state == RequestState.OPEN,
            HelpRequest.still_needed_asked_at.is_not(None),
            or_(
                HelpRequest.still_needed_at.is_(None),
                HelpRequest.still_needed_at < HelpRequest.still_needed_asked_at,
            ),
        )
        .order_by(HelpRequest.still_needed_asked_at)
    )
    return [
        Action(
            text=_(
                'Is uw hulpvraag "%(title)s" nog nodig? Zeg het ons, anders verloopt hij.',
                title=item.title,
            ),
            button=Button(
                _("Beantwoorden"), answer_path("nog-nodig", item.id, user), context=item.title
            ),
            link=(_("Bekijk de hulpvraag"), url_for("help_requests.detail", request_id=item.id)),
            since=item.still_needed_asked_at,
        )
        for item in requests
    ]


def refused(db: Session, user: User) -> list[Action]:
    """Requests a coordinator did not put online, with the reason: change and send again."""
    requests = db.scalars(
        select(HelpRequest)
        .where(HelpRequest.author_id == user.id, HelpRequest.state == RequestState.REJECTED)
        .order_by(HelpRequest.updated_at)
    )
    return [
        Action(
            text=_(
                'Uw hulpvraag "%(title)s" is niet online gezet. De reden: %(reason)s',
                title=item.title,
                reason=item.reject_reason or _("niet opgegeven"),
            ),
            button=Button(
                _("Hulpvraag aanpassen"), url_for("help_requests.edit", request_id=item.id)
            ),
            since=item.updated_at,
        )
        for item in requests
    ]


def register() -> None:
    actions.register("help_requests.still_needed", still_needed)
    actions.register("help_requests.refused", refused)

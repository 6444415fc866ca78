"""What waits on people about the own network: a circle's request, "may it go to the wijk?"."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar import actions
from voorelkaar.actions import Action, Button
from voorelkaar.answers.services import answer_path
from voorelkaar.models import CircleAnswer, HelpRequest, NetworkMember, RequestState, User
from voorelkaar.network.events import CIRCLE_QUESTION


def asked_of_me(db: Session, user: User) -> list[Action]:
    """Requests of a circle the user is in, sent to them and not answered yet."""
    rows = db.execute(
        select(HelpRequest, CircleAnswer)
        .join(CircleAnswer, CircleAnswer.request_id == HelpRequest.id)
        .join(NetworkMember, NetworkMember.id == CircleAnswer.member_id)
        .where(
            NetworkMember.member_user_id == user.id,
            HelpRequest.state == RequestState.CIRCLE,
            CircleAnswer.answer.is_(None),
        )
        .order_by(CircleAnswer.asked_at)
    ).all()
    return [
        Action(
            text=_(
                '%(name)s vraagt u om hulp: "%(title)s". Kunt u helpen?',
                name=item.author.first_name,
                title=item.title,
            ),
            button=Button(
                _("Antwoord geven"),
                answer_path(CIRCLE_QUESTION, item.id, user),
                context=item.title,
            ),
            since=asked.asked_at,
        )
        for item, asked in rows
    ]


def may_it_go_on(db: Session, user: User) -> list[Action]:
    """The asker's requests nobody in the circle took: may they go to the wijk?"""
    requests = db.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.author_id == user.id,
            HelpRequest.state == RequestState.CIRCLE,
            HelpRequest.circle_released_asked_at.is_not(None),
        )
        .order_by(HelpRequest.circle_released_asked_at)
    )
    return [
        Action(
            text=_(
                'Niemand uit uw netwerk kon helpen met "%(title)s". Mag de vraag naar '
                "vrijwilligers bij u in de buurt?",
                title=item.title,
            ),
            button=Button(
                _("Ja, naar vrijwilligers in de wijk"),
                url_for("network.release", request_id=item.id),
                post=True,
                context=item.title,
            ),
            link=(_("Bekijk de hulpvraag"), url_for("help_requests.detail", request_id=item.id)),
            since=item.circle_released_asked_at,
        )
        for item in requests
    ]


def register() -> None:
    actions.register("network.asked_of_me", asked_of_me)
    actions.register("network.may_it_go_on", may_it_go_on)

"""What waits on an organisation's member: volunteers who responded and await an answer."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar import actions
from voorelkaar.actions import Action, Button
from voorelkaar.models import OrganisationMember, ResponseStage, User, Vacancy, VacancyResponse


def responses_to_answer(db: Session, user: User) -> list[Action]:
    """Per vacancy of the user's organisations: how many new responses wait for a first step."""
    rows = db.execute(
        select(Vacancy.title, func.count(VacancyResponse.id), func.min(VacancyResponse.created_at))
        .join(Vacancy, Vacancy.id == VacancyResponse.vacancy_id)
        .join(OrganisationMember, OrganisationMember.organisation_id == Vacancy.organisation_id)
        .where(
            OrganisationMember.user_id == user.id,
            VacancyResponse.answered_at.is_(None),
            VacancyResponse.stage == ResponseStage.NEW,
        )
        .group_by(Vacancy.id, Vacancy.title)
        .order_by(func.min(VacancyResponse.created_at))
    ).all()
    return [
        Action(
            text=ngettext(
                'Er is %(num)d reactie op "%(title)s" die op uw antwoord wacht.',
                'Er zijn %(num)d reacties op "%(title)s" die op uw antwoord wachten.',
                count,
                title=title,
            ),
            button=Button(_("Reacties beantwoorden"), url_for("organisations.dashboard")),
            since=oldest,
        )
        for title, count, oldest in rows
    ]


def register() -> None:
    actions.register("organisations.responses", responses_to_answer)

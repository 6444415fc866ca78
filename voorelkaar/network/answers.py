"""One-click answers: a circle member's yes or no, and the asker's "may it go to the wijk?"."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from voorelkaar.answers.services import Answered, Question, answered_since, register_question
from voorelkaar.help_requests.services import NotAllowed, cancel_request
from voorelkaar.models import HelpRequest, RequestState, User
from voorelkaar.network import services
from voorelkaar.network.events import CIRCLE_QUESTION, RELEASE_QUESTION


def _load(db: Session, request_id: int) -> HelpRequest | None:
    return db.get(HelpRequest, request_id)


def _circle_choices(_subject=None) -> list[tuple[str, str]]:
    return [("ja", _l("Ja, ik help")), ("nee", _l("Nee, deze keer niet"))]


def _circle_answered(db: Session, request: HelpRequest, user: User, _since: datetime):
    asked = services.circle_answer_of(db, user, request)
    if asked is None or asked.answer is None:
        return None
    return Answered(dict(_circle_choices())[asked.answer], asked.answered_at)


def _circle_onward(request: HelpRequest) -> tuple[str, str]:
    return url_for("network.circles"), _("Naar de netwerken waar u in zit")


def _circle_apply(db: Session, request: HelpRequest, user: User, answer: str, _note: str) -> str:
    outcome = services.answer_circle(db, user, request, answer)
    if outcome == "ja":
        return _(
            "Dank u wel! %(name)s weet nu dat u helpt. U krijgt een e-mail met de afspraak.",
            name=request.author.first_name,
        )
    if outcome == "nee":
        return _("Dank u wel voor uw antwoord. Dat is helemaal goed.")
    return _("Dank u wel. Deze vraag staat niet meer open voor het netwerk.")


CIRCLE = Question(
    choices=_circle_choices,
    load=_load,
    apply=_circle_apply,
    template="circle_request.html",
    answered=_circle_answered,
    onward=_circle_onward,
)


def _release_choices(_subject=None) -> list[tuple[str, str]]:
    return [
        ("ja", _l("Ja, vraag het aan vrijwilligers in de wijk")),
        ("nee", _l("Nee, haal mijn hulpvraag weg")),
    ]


def _release_answered(db: Session, request: HelpRequest, user: User, since: datetime):
    labels = dict(_release_choices())
    answers = {"network.released": labels["ja"], "help_requests.cancelled": labels["nee"]}
    return answered_since(db, user, request, answers, since)


def _release_onward(request: HelpRequest) -> tuple[str, str]:
    return url_for("help_requests.detail", request_id=request.id), _("Naar de hulpvraag")


def _release_apply(db: Session, request: HelpRequest, user: User, answer: str, _note: str) -> str:
    if user.id != request.author_id or request.state != RequestState.CIRCLE:
        return _("Dank u wel. Deze vraag is intussen al verder gegaan.")
    if answer == "ja":
        if not services.release_to_wijk(db, user, request):
            return _("Dank u wel. Deze vraag is intussen al verder gegaan.")
        return _("Dank u wel. Uw hulpvraag gaat nu naar vrijwilligers bij u in de buurt.")
    try:
        cancel_request(db, user, request)
    except NotAllowed:
        return _("Dank u wel. Deze vraag is intussen al verder gegaan.")
    return _("Dank u wel. We hebben uw hulpvraag weggehaald.")


RELEASE = Question(
    choices=_release_choices,
    load=_load,
    apply=_release_apply,
    template="circle_release.html",
    answered=_release_answered,
    onward=_release_onward,
)


def register() -> None:
    """Let answer links ask circle members and askers (called at app start)."""
    register_question(CIRCLE_QUESTION, CIRCLE)
    register_question(RELEASE_QUESTION, RELEASE)

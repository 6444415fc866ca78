"""The check-in question: "Hoe gaat het met u?", answered from the email's link."""

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from voorelkaar.answers.services import Answered, Question, register_question
from voorelkaar.carers import services
from voorelkaar.db import utcnow
from voorelkaar.models import Checkin, CheckinAnswer, User


def _load(db: Session, checkin_id: int) -> Checkin | None:
    return db.get(Checkin, checkin_id)


def _answered(_db: Session, checkin: Checkin, carer: User, _since: datetime) -> Answered | None:
    # Each check-in is asked once and answered once: the first answer stays.
    if checkin.answered_at is None or checkin.carer_id != carer.id:
        return None
    return Answered(services.ANSWER_LABELS[checkin.answer], checkin.answered_at)


def _onward(_checkin: Checkin) -> tuple[str, str]:
    return url_for("carers.overview"), _("Bekijk al uw antwoorden")


def _apply(db: Session, checkin: Checkin, carer: User, answer: str, note: str) -> str:
    try:
        stored = services.answer_checkin(db, checkin, carer, CheckinAnswer(answer), note, utcnow())
    except services.CheckinError:
        stored = False
    if not stored:
        return _("U had deze vraag al beantwoord. Dank u wel.")
    return thanks_for(CheckinAnswer(answer))


def thanks_for(answer: CheckinAnswer) -> str:
    """The thank-you after an answer; "zwaar" says what happens next."""
    if answer == CheckinAnswer.HEAVY:
        return _(
            "Dank u wel dat u het laat weten. Een medewerker neemt binnenkort contact met u op."
        )
    if answer == CheckinAnswer.GOOD:
        return _("Dank u wel. Fijn dat het goed met u gaat.")
    return _("Dank u wel voor uw antwoord.")


CHECKIN = Question(
    choices=lambda _checkin: services.answer_choices(),
    load=_load,
    apply=_apply,
    template="checkin.html",
    answered=_answered,
    onward=_onward,
    with_note=True,
)


def register() -> None:
    """Let answer links ask carers how they are doing (called at app start)."""
    register_question("checkin", CHECKIN)

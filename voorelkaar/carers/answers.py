"""The check-in question: "Hoe gaat het met u?", answered from the email's link."""

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from voorelkaar.answers.services import Question
from voorelkaar.carers import services
from voorelkaar.db import utcnow
from voorelkaar.models import Checkin, CheckinAnswer, User


def _load(db: Session, checkin_id: int) -> Checkin | None:
    # An answered check-in is done: its links work once.
    checkin = db.get(Checkin, checkin_id)
    return checkin if checkin is not None and checkin.answered_at is None else None


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
    choices=services.answer_choices,
    load=_load,
    apply=_apply,
    template="checkin.html",
    with_note=True,
)

"""The answer to "Is uw hulpvraag nog nodig?"."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from voorelkaar.answers.services import Answered, Question, answered_since, register_question
from voorelkaar.audit import record
from voorelkaar.db import claim, utcnow
from voorelkaar.help_requests.services import NotAllowed, cancel_request
from voorelkaar.models import HelpRequest, RequestState, User


def _choices(_subject=None) -> list[tuple[str, str]]:
    return [
        ("ja", _l("Ja, ik zoek nog steeds hulp")),
        ("nee", _l("Nee, het is niet meer nodig")),
    ]


def _load(db: Session, request_id: int) -> HelpRequest | None:
    return db.get(HelpRequest, request_id)


def _answered(db: Session, request: HelpRequest, user: User, since: datetime) -> Answered | None:
    # A "ja" or a withdrawal since this round's question; an older mail's link answers a newer one.
    if request.still_needed_asked_at is not None:
        since = max(since, request.still_needed_asked_at)
    labels = dict(_choices())
    answers = {
        "help_requests.still_needed": labels["ja"],
        "help_requests.cancelled": labels["nee"],
    }
    return answered_since(db, user, request, answers, since)


def _onward(request: HelpRequest) -> tuple[str, str]:
    return url_for("help_requests.detail", request_id=request.id), _("Naar de hulpvraag")


def _apply(db: Session, request: HelpRequest, user: User, answer: str, _note: str) -> str:
    if user.id != request.author_id:
        return _("Dank u wel voor uw antwoord.")
    no_longer_open = _("Dank u wel. Uw hulpvraag staat intussen niet meer open.")
    if request.state != RequestState.OPEN:
        return no_longer_open
    if answer == "ja":
        # Only while still open: the expiry job may have committed since the request was loaded.
        still_open = HelpRequest.state == RequestState.OPEN
        if not claim(db, HelpRequest, request.id, still_open, still_needed_at=utcnow()):
            db.rollback()
            return no_longer_open
        record(db, user, "help_requests.still_needed", request)
        db.commit()
        return _("Dank u wel. Uw hulpvraag blijft online en we zoeken verder.")
    try:
        cancel_request(db, user, request)
    except NotAllowed:  # expired (or withdrawn) since it was loaded
        return no_longer_open
    return _("Dank u wel. We hebben uw hulpvraag van de site gehaald.")


STILL_NEEDED = Question(
    choices=_choices,
    load=_load,
    apply=_apply,
    template="still_needed.html",
    answered=_answered,
    onward=_onward,
)


def register() -> None:
    """Let answer links ask whether a request is still needed (called at app start)."""
    register_question("nog-nodig", STILL_NEEDED)

"""The answer to "Is het gelukt?", from either side of a match."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from voorelkaar.answers.services import (
    DAY,
    Answered,
    Question,
    answered_since,
    register_question,
)
from voorelkaar.audit import record
from voorelkaar.db import utcnow
from voorelkaar.matches.services import (
    MatchError,
    RequestFull,
    confirm_match,
    decline_offer,
    finish_match,
    reopen_for_staff,
)
from voorelkaar.models import Match, MatchState, ScheduleKind, TaskKind, User
from voorelkaar.tasks.services import open_task

ASK_AGAIN_AFTER = timedelta(days=7)


def _choices(_subject=None) -> list[tuple[str, str]]:
    return [
        ("ja", _l("Ja, het is gelukt")),
        ("nee", _l("Nee, het is niet gelukt")),
        ("nog-niet", _l("Nog niet, het moet nog gebeuren")),
    ]


def _load(db: Session, match_id: int) -> Match | None:
    return db.get(Match, match_id)


def _answered(db: Session, match: Match, user: User, since: datetime) -> Answered | None:
    # "Nog niet" leaves the question open, and a new round (after someone's "nog niet")
    # asks it anew: only a "ja" or "nee" in the round of this link has answered it.
    if match.followup_sent_at is not None:
        since = max(since, match.followup_sent_at)
    labels = dict(_choices())
    final = {f"matches.followup.{answer}": labels[answer] for answer in ("ja", "nee")}
    return answered_since(db, user, match, final, since)


def _onward(match: Match) -> tuple[str, str]:
    return url_for("help_requests.detail", request_id=match.request_id), _("Naar de hulpvraag")


def _hours(match: Match) -> float | None:
    request = match.request
    if request.schedule != ScheduleKind.ONCE or not (request.starts_at and request.ends_at):
        return None
    # In quarters of an hour, as volunteers count their time.
    return round((request.ends_at - request.starts_at).total_seconds() / 900) / 4


def _other_answer(match: Match, user: User) -> str | None:
    return match.asker_answer if user.id == match.volunteer_id else match.volunteer_answer


def _apply(db: Session, match: Match, user: User, answer: str, note: str) -> str:
    if user.id == match.volunteer_id:
        match.volunteer_answer = answer
    elif user.id == match.request.author_id:
        match.asker_answer = answer
    else:
        return _("Dank u wel voor uw antwoord.")
    if match.state not in (MatchState.CONFIRMED, MatchState.DONE):
        db.commit()
        return _("Dank u wel. Deze afspraak is intussen al afgesloten.")
    record(db, user, f"matches.followup.{answer}", match)
    if answer == "ja":
        # Weekly help goes on; a one-off is done once someone says it worked, unless the
        # other side said it did not: then staff decide (their task is open).
        if (
            match.state == MatchState.CONFIRMED
            and match.request.schedule == ScheduleKind.ONCE
            and _other_answer(match, user) != "nee"
        ):
            finish_match(db, user, match, _hours(match))
        db.commit()
        return _("Fijn dat het gelukt is! Dank u wel.")
    if answer == "nee":
        # The other side's "ja" may have finished it already: no hours until staff decide.
        reopen_for_staff(db, user, match)
        open_task(
            db,
            key=f"followup-no:{match.id}:{user.id}",
            kind=TaskKind.MATCH_FAILED,
            person=user,
            match=match,
            request=match.request,
            detail=note,
        )
        db.commit()
        return _("Jammer dat het niet gelukt is. Een medewerker neemt contact met u op.")
    if match.state == MatchState.CONFIRMED:
        match.followup_after, match.followup_sent_at = utcnow() + ASK_AGAIN_AFTER, None
    db.commit()
    return _("Dank u wel. Over een week vragen we het nog een keer.")


FOLLOWUP = Question(
    choices=_choices,
    load=_load,
    apply=_apply,
    template="followup.html",
    answered=_answered,
    onward=_onward,
    max_age=60 * DAY,
    with_note=True,
)


def _offer_choices(match: Match | None = None) -> list[tuple[str, str]]:
    name = match.volunteer.first_name if match is not None else _("de vrijwilliger")
    return [
        ("ja", _("Ja, %(name)s mag helpen", name=name)),
        ("nee", _("Nee, liever niet")),
    ]


def _offer_answered(db: Session, match: Match, user: User, since: datetime) -> Answered | None:
    labels = dict(_offer_choices(match))
    answers = {"matches.confirmed": labels["ja"], "matches.refused": labels["nee"]}
    return answered_since(db, user, match, answers, since)


def _offer_apply(db: Session, match: Match, user: User, answer: str, _note: str) -> str:
    """The asker's yes or no to a volunteer's offer, from the email's link."""
    if user.id != match.request.author_id:
        return _("Dank u wel voor uw antwoord.")
    name = match.volunteer.first_name
    try:
        if answer == "ja":
            confirm_match(db, user, match)
        else:
            decline_offer(db, user, match)
    except RequestFull:
        return _("Dank u wel. Er zijn intussen al genoeg vrijwilligers voor deze hulpvraag.")
    except MatchError:
        return _("Dank u wel. Dit aanbod staat intussen niet meer open.")
    if answer == "ja":
        return _(
            "Fijn! %(name)s helpt u. %(name)s krijgt uw gegevens en neemt contact met u op.",
            name=name,
        )
    return _("Dank u wel. We laten %(name)s weten dat het deze keer niet doorgaat.", name=name)


OFFER = Question(
    choices=_offer_choices,
    load=_load,
    apply=_offer_apply,
    template="offer.html",
    answered=_offer_answered,
    onward=_onward,
    max_age=14 * DAY,
)


def register() -> None:
    """Let answer links ask these questions (called at app start)."""
    register_question("gelukt", FOLLOWUP)
    register_question("aanbod", OFFER)

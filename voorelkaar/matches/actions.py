"""What waits on people around a match: an offer to answer, an invitation, "Is het gelukt?"."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from voorelkaar import actions
from voorelkaar.actions import Action, Button
from voorelkaar.answers.services import answer_path
from voorelkaar.db import utcnow
from voorelkaar.help_requests.views import request_when
from voorelkaar.models import HelpRequest, Match, MatchState, RequestState, User

# The "Is het gelukt?" links work this long (matches.answers.FOLLOWUP); so does the item.
FOLLOWUP_SHOWN = timedelta(days=60)


def _detail(match: Match) -> tuple[str, str]:
    return _("Bekijk de hulpvraag"), url_for("help_requests.detail", request_id=match.request_id)


def offers_to_answer(db: Session, user: User) -> list[Action]:
    """Offers of help on the user's open requests that wait for their yes or no."""
    matches = db.scalars(
        select(Match)
        .join(HelpRequest, HelpRequest.id == Match.request_id)
        .where(
            HelpRequest.author_id == user.id,
            HelpRequest.state == RequestState.OPEN,
            Match.state == MatchState.OFFERED,
            Match.volunteer.has(User.blocked_at.is_(None)),
        )
        .order_by(Match.created_at, Match.id)
    )
    found = []
    for match in matches:
        name, item = match.volunteer.first_name, match.request
        found.append(
            Action(
                text=_(
                    '%(name)s wil helpen bij "%(title)s" (%(when)s).',
                    name=name,
                    title=item.title,
                    when=request_when(item),
                ),
                button=Button(
                    _("Ja, %(name)s mag helpen", name=name),
                    url_for("matches.confirm", match_id=match.id),
                    post=True,
                ),
                other=Button(
                    _("Nee, liever niet"),
                    url_for("matches.decline", match_id=match.id),
                    post=True,
                    context=name,
                ),
                link=_detail(match),
                since=match.offered_at or match.created_at,
            )
        )
    return found


def invitations(db: Session, user: User) -> list[Action]:
    """Requests the volunteer was asked to help with, still open."""
    matches = db.scalars(
        select(Match)
        .join(HelpRequest, HelpRequest.id == Match.request_id)
        .where(
            Match.volunteer_id == user.id,
            Match.state == MatchState.INVITED,
            HelpRequest.state == RequestState.OPEN,
        )
        .order_by(Match.created_at, Match.id)
    )
    found = []
    for match in matches:
        item = match.request
        answer_url = url_for("matches.answer_invitation", match_id=match.id)
        found.append(
            Action(
                text=_(
                    'U bent gevraagd te helpen bij "%(title)s" in %(place)s (%(when)s).',
                    title=item.title,
                    place=item.place,
                    when=request_when(item),
                ),
                button=Button(
                    _("Ja, ik help"), answer_url, post=True, fields=(("antwoord", "ja"),)
                ),
                other=Button(
                    _("Nee, deze keer niet"), answer_url, post=True, fields=(("antwoord", "nee"),)
                ),
                link=_detail(match),
                since=match.created_at,
            )
        )
    return found


def followups(db: Session, user: User) -> list[Action]:
    """ "Is het gelukt?" questions the user has not yet answered, as volunteer or as asker."""
    asked = (
        Match.state.in_((MatchState.CONFIRMED, MatchState.DONE)),
        Match.followup_sent_at > utcnow() - FOLLOWUP_SHOWN,
    )
    # Two queries, each along its own index, rather than one OR across both tables.
    as_volunteer = select(Match).where(
        *asked,
        Match.volunteer_id == user.id,
        or_(Match.volunteer_answer.is_(None), Match.volunteer_answer == "nog-niet"),
    )
    as_asker = (
        select(Match)
        .join(HelpRequest, HelpRequest.id == Match.request_id)
        .where(
            *asked,
            HelpRequest.author_id == user.id,
            or_(Match.asker_answer.is_(None), Match.asker_answer == "nog-niet"),
        )
    )
    matches = [*db.scalars(as_volunteer), *db.scalars(as_asker)]
    found = []
    for match in matches:
        item = match.request
        other = item.author if match.volunteer_id == user.id else match.volunteer
        found.append(
            Action(
                text=_(
                    'Is het gelukt? "%(title)s" met %(name)s (%(when)s).',
                    title=item.title,
                    name=other.first_name,
                    when=request_when(item),
                ),
                button=Button(
                    _("Beantwoorden"), answer_path("gelukt", match.id, user), context=item.title
                ),
                since=match.followup_sent_at,
            )
        )
    return found


def register() -> None:
    actions.register("matches.offers", offers_to_answer)
    actions.register("matches.invitations", invitations)
    actions.register("matches.followups", followups)

"""Matching ranks the asker's own circle first, with the reason "uit uw eigen netwerk"."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.i18n import AMSTERDAM
from voorelkaar.matches.services import Suggestion, candidate_of, need_of, skipped
from voorelkaar.matching import MatchingError, rank
from voorelkaar.matching.reasons import Reason
from voorelkaar.models import HelpRequest, NetworkMember, Role, User

OWN_NETWORK = "own_network"


def circle_first(
    db: Session, viewer: User, request: HelpRequest, suggestions: list[Suggestion]
) -> list[Suggestion]:
    """The suggestions with the asker's circle members who volunteer first, marked so.

    Only for the asker: who is in someone's network is theirs to know (staff see the
    plain ranking). A circle member ranked below the cut is ranked on their own and added;
    the hard filters (distance, VOG, time) still hold for them.
    """
    if viewer.id != request.author_id:
        return suggestions
    circle = set(
        db.scalars(
            select(NetworkMember.member_user_id).where(
                NetworkMember.owner_id == request.author_id,
                NetworkMember.member_user_id.is_not(None),
            )
        )
    )
    if not circle:
        return suggestions
    shown = {suggestion.volunteer.id for suggestion in suggestions}
    ours = [s for s in suggestions if s.volunteer.id in circle]
    ours += _ranked_alone(db, request, circle - shown)
    ours.sort(key=lambda s: (-s.ranked.score, s.ranked.distance_km, s.volunteer.id))
    reason = Reason("uit uw eigen netwerk", OWN_NETWORK)
    marked = [
        replace(s, ranked=replace(s.ranked, reasons=(reason, *s.ranked.reasons))) for s in ours
    ]
    return marked + [s for s in suggestions if s.volunteer.id not in circle]


def _ranked_alone(db: Session, request: HelpRequest, user_ids: set[int]) -> list[Suggestion]:
    volunteers = [
        user
        for user in db.scalars(select(User).where(User.id.in_(user_ids)))
        if user.has_role(Role.VOLUNTEER) and user.blocked_at is None and user.lat is not None
    ]
    if not volunteers:
        return []
    try:
        need = need_of(request)
    except MatchingError as error:
        skipped("help request", request.id, error)
        return []
    today = datetime.now(AMSTERDAM).date()
    by_id = {user.id: user for user in volunteers}
    ranked = rank(need, [candidate_of(user, today) for user in volunteers], limit=len(volunteers))
    return [Suggestion(by_id[r.candidate_id], r) for r in ranked]

"""Demo matches, so that each demo role finds something waiting on them at first login.

The resident has an offer to answer, the demo volunteer an invitation, and the carer a
volunteer who walks with Gerrit every week. Seeding sends no email; from then on the
scheduler treats them as any other (the resident is reminded of the offer after three days).
"""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar.db import utcnow
from voorelkaar.help_requests.schedule import followup_moment
from voorelkaar.models import HelpRequest, Match, MatchState, RequestState, User


def _open_requests_of(db: Session, email: str) -> list[HelpRequest]:
    return list(
        db.scalars(
            select(HelpRequest)
            .join(User, User.id == HelpRequest.author_id)
            .where(User.email == email, HelpRequest.state == RequestState.OPEN)
            .order_by(HelpRequest.id)
        )
    )


def seed_matches(db: Session) -> int:
    """Add the demo's offer, invitation and weekly walk once; a second run adds nothing."""
    volunteer = db.scalar(select(User).where(User.email == "vrijwilliger@demo.voorelkaar.nl"))
    walker = db.scalar(select(User).where(User.email == "vrijwilliger01@demo.voorelkaar.nl"))
    coordinator = db.scalar(select(User).where(User.email == "coordinator@demo.voorelkaar.nl"))
    mine = _open_requests_of(db, "inwoner@demo.voorelkaar.nl")
    cared_for = [
        r for r in _open_requests_of(db, "mantelzorger@demo.voorelkaar.nl") if r.for_first_name
    ]
    if None in (volunteer, walker, coordinator) or len(mine) < 2 or not cared_for:
        return 0
    if db.scalar(
        select(func.count(Match.id)).where(Match.volunteer_id.in_((volunteer.id, walker.id)))
    ):
        return 0
    now = utcnow()
    offer, invited = mine[0], mine[1]
    walk = cared_for[0]
    db.add_all(
        [
            # Sanne-like: the demo volunteer offered a day ago; the resident is to answer.
            Match(
                request_id=offer.id,
                volunteer_id=volunteer.id,
                state=MatchState.OFFERED,
                offered_at=now - timedelta(days=1),
                created_at=now - timedelta(days=1),
            ),
            # The coordinator asked the demo volunteer to help with another request.
            Match(
                request_id=invited.id,
                volunteer_id=volunteer.id,
                state=MatchState.INVITED,
                invited_by_id=coordinator.id,
            ),
            # The carer's weekly walk is agreed: both see each other's details.
            Match(
                request_id=walk.id,
                volunteer_id=walker.id,
                state=MatchState.CONFIRMED,
                confirmed_at=now,
                followup_after=followup_moment(walk, now),
            ),
        ]
    )
    walk.state, walk.confirmed_count = RequestState.MATCHED, 1
    return 3

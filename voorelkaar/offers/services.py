"""Offer steps: a volunteer offers help, others reply. Every change goes through here."""

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth.access import staff_of
from voorelkaar.models import Offer, OfferReply, RequestState, Role, User
from voorelkaar.moderation.services import post_url
from voorelkaar.notify import enqueue_email
from voorelkaar.posts import Filters, Page, browse_posts, post_for, review_change, submit_new

# States in which the volunteer may still change or close the offer.
EDITABLE = {RequestState.PENDING, RequestState.OPEN, RequestState.REJECTED}
CLOSABLE = {RequestState.PENDING, RequestState.OPEN}
# Who may answer an offer: people who look for help, and staff on their behalf.
REPLIERS = (Role.RESIDENT, Role.CARER, Role.STAFF, Role.ADMIN)


class OfferError(Exception):
    """A step on an offer that is not allowed; the view says why."""


class NotAllowed(OfferError):
    pass


@dataclass
class OfferDetails:
    """What a volunteer fills in; the form turns its input into this."""

    category_id: int
    title: str
    description: str
    skills: list[str] = field(default_factory=list)
    when_text: str = ""


def may_offer(user: User) -> bool:
    """Only volunteers offer help."""
    return user.has_role(Role.VOLUNTEER)


def may_manage(user: User, offer: Offer) -> bool:
    """The volunteer who offers and staff may see everything of an offer and change it."""
    return offer.author_id == user.id or staff_of(user, offer.municipality_id)


def may_reply(user: User, offer: Offer) -> bool:
    """People looking for help may reply to someone else's open offer."""
    return (
        user.has_role(*REPLIERS) and offer.author_id != user.id and offer.state == RequestState.OPEN
    )


def _apply(offer: Offer, details: OfferDetails) -> None:
    # The place is the volunteer's own area: never an address.
    author = offer.author
    offer.category_id = details.category_id
    offer.title = details.title
    offer.description = details.description
    offer.skills = ", ".join(dict.fromkeys(s.strip().lower() for s in details.skills if s.strip()))
    offer.when_text = details.when_text
    offer.pc4, offer.lat, offer.lon = author.pc4, author.lat, author.lon
    offer.neighbourhood_id = author.neighbourhood_id


def post_offer(db: Session, author: User, details: OfferDetails) -> Offer:
    """Offer help: it waits for review, or opens at once without moderation."""
    if not may_offer(author):
        raise NotAllowed("only volunteers offer help")
    offer = Offer(author=author)
    _apply(offer, details)
    submit_new(db, author, offer)
    return offer


def update_offer(db: Session, actor: User, offer: Offer, details: OfferDetails) -> None:
    """Change an offer. A volunteer's change of an open offer is reviewed again."""
    if not may_manage(actor, offer) or offer.state not in EDITABLE:
        raise NotAllowed("may not change this offer")
    _apply(offer, details)
    review_change(db, actor, offer)
    db.commit()


def close_offer(db: Session, actor: User, offer: Offer) -> None:
    """Take an offer offline for good."""
    if not may_manage(actor, offer) or offer.state not in CLOSABLE:
        raise NotAllowed("may not close this offer")
    offer.state = RequestState.CANCELLED
    record(db, actor, "offers.closed", offer)
    db.commit()


def reply_to_offer(db: Session, sender: User, offer: Offer, message: str) -> OfferReply:
    """Send the volunteer a short message; they get it by email too."""
    if not may_reply(sender, offer) or offer.author.blocked_at is not None:
        raise NotAllowed("may not reply to this offer")
    reply = OfferReply(offer=offer, author=sender, message=message)
    db.add(reply)
    db.flush()
    enqueue_email(
        db,
        key=f"offer-reply:{reply.id}",
        user=offer.author,
        template="offer_reply",
        kind="offer_reply",
        item=offer,
        sender=sender.first_name,
        message=message,
        link=current_app.config["BASE_URL"].rstrip("/") + post_url(offer),
    )
    db.commit()
    return reply


def replies_for(db: Session, viewer: User, offer: Offer) -> list[OfferReply]:
    """The replies viewer may read: all of them for the volunteer and staff, else their own."""
    query = select(OfferReply).where(OfferReply.offer_id == offer.id)
    if not may_manage(viewer, offer):
        query = query.where(OfferReply.author_id == viewer.id)
    return list(db.scalars(query.order_by(OfferReply.created_at, OfferReply.id)))


def publicly_visible() -> Select:
    """Open offers whose volunteer is not blocked."""
    return (
        select(Offer)
        .join(Offer.author)
        .where(Offer.state == RequestState.OPEN, User.blocked_at.is_(None))
    )


def offer_for(db: Session, viewer: User, offer_id: int) -> Offer | None:
    """The offer as viewer may see it, or None (shown as 404)."""
    return post_for(
        db,
        Offer,
        publicly_visible(),
        offer_id,
        lambda offer: viewer.is_authenticated and may_manage(viewer, offer),
    )


def my_offers(db: Session, user: User) -> list[Offer]:
    """The offers user posted, newest first, in every state."""
    return list(
        db.scalars(
            select(Offer)
            .where(Offer.author_id == user.id)
            .order_by(Offer.created_at.desc(), Offer.id.desc())
        )
    )


def browse_offers(db: Session, filters: Filters, page: int = 1) -> Page:
    """Open offers matching filters, nearest first when a place is known, else newest."""
    return browse_posts(db, publicly_visible(), filters, page)

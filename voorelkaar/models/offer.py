"""What volunteers offer (hulpaanbod), and replies to it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.models.help_request import Category, RequestState, _enum
from voorelkaar.models.post import PostMixin

if TYPE_CHECKING:
    from voorelkaar.models.user import User


class Offer(PostMixin, Base):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    state: Mapped[RequestState] = mapped_column(_enum(RequestState), default=RequestState.PENDING)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    skills: Mapped[str] = mapped_column(String(500), default="")
    when_text: Mapped[str] = mapped_column(String(200), default="")  # "dinsdagmiddag"
    # Where: the volunteer's PC4 area, never their address.

    author: Mapped[User] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")


class OfferReply(Base):
    __tablename__ = "offer_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    offer: Mapped[Offer] = relationship()
    author: Mapped[User] = relationship(lazy="joined")

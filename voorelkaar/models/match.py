"""A volunteer and a help request: offered, confirmed, and how it ended."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.models.help_request import _enum

if TYPE_CHECKING:
    from voorelkaar.models.help_request import HelpRequest
    from voorelkaar.models.user import User


class MatchState(enum.StrEnum):
    INVITED = "invited"  # staff or the asker asked this volunteer by email
    OFFERED = "offered"  # the volunteer said "Ik help" (or yes to an invitation)
    CONFIRMED = "confirmed"  # the asker or staff said yes: contact details are shared
    DECLINED = "declined"  # someone else was chosen
    CANCELLED = "cancelled"
    DONE = "done"


class Match(Base):
    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_requests.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[MatchState] = mapped_column(_enum(MatchState), default=MatchState.OFFERED)
    # Who asked this volunteer (staff or the asker), told when the volunteer answers.
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When the volunteer last offered (or said yes to an invitation), and when the asker
    # was reminded of that offer; an offer unanswered for days is chased (matches.jobs).
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    offer_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the asker (or staff) said "Nee, liever niet": the volunteer cannot offer again.
    refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the volunteer answered an invitation with "nee": "wil deze keer niet".
    said_no_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_reason: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[float | None] = mapped_column(Float)
    # A yes from the asker's own network (a circle member), not a volunteer of the wijk.
    via_circle: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    note: Mapped[str | None] = mapped_column(String(500))
    # "Is het gelukt?": asked once the planned time has passed; "nog niet" asks again later.
    followup_after: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    followup_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    volunteer_answer: Mapped[str | None] = mapped_column(String(10))
    asker_answer: Mapped[str | None] = mapped_column(String(10))

    request: Mapped[HelpRequest] = relationship(lazy="joined")
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id], lazy="joined")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    __table_args__ = (
        UniqueConstraint("request_id", "volunteer_id", name="uq_matches_request_volunteer"),
        # A request's matches, and its first confirmation for the figures from the index alone.
        Index("ix_matches_request_state", "request_id", "state", "confirmed_at"),
    )


class MatchMessage(Base):
    """A message between the two sides of a confirmed match, also sent by email."""

    __tablename__ = "match_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    sender: Mapped[User | None] = relationship(lazy="joined")

"""The staff queue: things a person should look at, made by jobs and other features."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.models.help_request import _enum

if TYPE_CHECKING:
    from voorelkaar.models.checkin import Checkin
    from voorelkaar.models.help_request import HelpRequest
    from voorelkaar.models.match import Match
    from voorelkaar.models.referral import Referral
    from voorelkaar.models.user import User


class TaskKind(enum.StrEnum):
    REQUEST_UNMATCHED = "request_unmatched"  # open for 7 days and nobody matched
    MATCH_FAILED = "match_failed"  # "Is het gelukt?" answered with "nee"
    CHECKIN_HEAVY = "checkin_heavy"  # a carer answered "zwaar"
    CHECKIN_SILENT = "checkin_silent"  # a carer did not answer, not even after a reminder
    MAIL_FAILED = "mail_failed"  # an email could not be delivered, however often tried
    REFERRAL_EXPIRED = "referral_expired"  # a referred resident did not respond in 30 days
    MATCH_CANCELLED = "match_cancelled"  # an appointment called off within 48 hours
    OFFER_UNANSWERED = "offer_unanswered"  # an offer of help unanswered for 7 days
    # Someone without email: what would have been mailed is told by phone or letter.
    CALL_PERSON = "call_person"
    WEBHOOK_FAILED = "webhook_failed"  # a webhook could not be delivered, however often tried
    # A request waited in the asker's own network; nobody said yes and the asker did not
    # say whether it may go to the wijk.
    CIRCLE_STUCK = "circle_stuck"
    NETWORK_COACH = "network_coach"  # a resident asked to talk with a network coach
    MANUAL = "manual"  # made by hand by a staff member, on a person


class StaffTask(Base):
    __tablename__ = "staff_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One task per cause: a job that runs twice finds the key and adds nothing.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[TaskKind] = mapped_column(_enum(TaskKind), index=True)
    # For whom: the person staff should contact.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="SET NULL"), index=True
    )
    match_id: Mapped[int | None] = mapped_column(
        ForeignKey("matches.id", ondelete="SET NULL"), index=True
    )
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkins.id", ondelete="SET NULL"), index=True
    )
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="SET NULL"), index=True
    )
    # Whose staff see it (voorelkaar.tenancy).
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # What staff did, in their own words.
    outcome: Mapped[str | None] = mapped_column(Text)
    # The day someone wants to look at it again; shown on their Today page.
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    # What a task made by hand (MANUAL) is about, in the staff member's words.
    title: Mapped[str | None] = mapped_column(String(200))
    # Why it closed itself when its subject resolved (closed_by stays empty).
    closed_reason: Mapped[str | None] = mapped_column(String(200))

    person: Mapped[User | None] = relationship(foreign_keys=[person_id], lazy="joined")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id], lazy="joined")
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id], lazy="joined")
    request: Mapped[HelpRequest | None] = relationship(lazy="joined")
    match: Mapped[Match | None] = relationship(lazy="joined")
    checkin: Mapped[Checkin | None] = relationship(lazy="joined")
    referral: Mapped[Referral | None] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

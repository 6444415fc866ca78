"""Informal carers: how often they are asked how they are, and what they answered."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.models.help_request import _enum

if TYPE_CHECKING:
    from voorelkaar.models.user import User

CADENCES_WEEKS = (2, 4, 8)
DEFAULT_CADENCE_WEEKS = 4


class CheckinAnswer(enum.StrEnum):
    GOOD = "goed"
    COPING = "gaat"  # "het gaat"
    HEAVY = "zwaar"


class CarerProfile(Base):
    __tablename__ = "carer_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    cadence_weeks: Mapped[int] = mapped_column(Integer, default=DEFAULT_CADENCE_WEEKS)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The local date of the next check-in; it is sent from 09:00 Amsterdam time that day.
    next_checkin_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The care situation, in the carer's own words.
    cared_for_name: Mapped[str | None] = mapped_column(String(50))  # first name only
    relation: Mapped[str | None] = mapped_column(String(50))  # "mijn man", "mijn moeder"
    care_tasks: Mapped[str | None] = mapped_column(Text)
    care_hours_per_week: Mapped[int | None] = mapped_column(Integer)
    # A health-related note is only kept with separate, explicit consent; its wording and
    # date are stored with it, and withdrawing the consent deletes the note.
    health_note: Mapped[str | None] = mapped_column(Text)
    health_consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    health_consent_text: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="joined")


class Checkin(Base):
    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    carer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[CheckinAnswer | None] = mapped_column(_enum(CheckinAnswer))
    note: Mapped[str | None] = mapped_column(Text)
    # When staff were asked to look (an answer "zwaar", or silence after a reminder).
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    carer: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("carer_id", "due_on", name="uq_checkins_carer_due_on"),)

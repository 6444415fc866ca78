"""A resident's own network: the people around them, their circles, and the network check."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.models.user import User

# How long a request waits for the own network by default, and the choices offered.
CIRCLE_DAYS = 2
CIRCLE_DAY_CHOICES = (1, 2, 3, 7)


class Relation(enum.StrEnum):
    FAMILY = "familie"
    NEIGHBOUR = "buren"
    FRIEND = "vriend"
    CLUB = "club"
    COLLEAGUE = "collega"
    OTHER = "anders"


class Closeness(enum.IntEnum):
    CLOSE = 1  # the inner circle: someone you could call at night
    FURTHER = 2  # the outer circle: someone you see, and could ask now and then


def _enum(kind):
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class NetworkMember(Base):
    """One person in a resident's network: the resident's record, not the member's.

    When the member joined with an account (member_user_id), they see the requests the
    resident sends to them; leaving, removing or deleting either account ends that link.
    """

    __tablename__ = "network_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(60))
    relation: Mapped[Relation] = mapped_column(_enum(Relation))
    closeness: Mapped[int] = mapped_column(Integer, default=Closeness.CLOSE)
    # How the resident reaches them (a phone number, "woont naast mij"): free text.
    reach: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254))  # for the invitation only
    categories: Mapped[str] = mapped_column(String(300), default="")  # space-separated slugs
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    # The invitation: a hash of the link's secret, and a short code to print.
    invite_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    invited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    member_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    member_user: Mapped[User | None] = relationship(foreign_keys=[member_user_id])

    @property
    def category_set(self) -> set[str]:
        return set(self.categories.split())

    @property
    def joined(self) -> bool:
        return self.member_user_id is not None


class NetworkCheck(Base):
    """One round of "Hoe sterk is mijn netwerk?": per life area, whom the resident can ask."""

    __tablename__ = "network_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    # {area: [member ids]} ("[]": nobody); areas not yet answered are missing.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    gaps: Mapped[int | None] = mapped_column(Integer)  # set when finished, for the figures

    __table_args__ = (Index("ix_network_checks_finished", "finished_at", "municipality_id"),)


class CircleAnswer(Base):
    """A circle member's answer to a request sent to the own network first."""

    __tablename__ = "circle_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("network_members.id", ondelete="CASCADE"), index=True
    )
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(10))  # "ja" or "nee"
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    member: Mapped[NetworkMember] = relationship(lazy="joined")

    __table_args__ = (Index("uq_circle_answers", "request_id", "member_id", unique=True),)

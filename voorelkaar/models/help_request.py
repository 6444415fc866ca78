"""Help requests (hulpvragen) and their categories."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime
from voorelkaar.models.post import PostMixin

if TYPE_CHECKING:
    from voorelkaar.models.user import User


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name_nl: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        return self.name_en if str(locale).startswith("en") else self.name_nl


class RequestState(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # waiting for review
    OPEN = "open"
    # Sent to the asker's own network first: invisible to the wijk until the asker says so.
    CIRCLE = "circle"
    MATCHED = "matched"
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"


class ScheduleKind(enum.StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"


class PostedFor(enum.StrEnum):
    SELF = "self"
    CARED_FOR = "cared_for"  # a carer for the person they care for
    RESIDENT = "resident"  # staff or a consultant for a resident


def _enum(kind):
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class HelpRequest(PostMixin, Base):
    __tablename__ = "help_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    state: Mapped[RequestState] = mapped_column(_enum(RequestState), default=RequestState.DRAFT)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    skills: Mapped[str] = mapped_column(String(500), default="")  # comma-separated tags

    posted_for: Mapped[PostedFor] = mapped_column(_enum(PostedFor), default=PostedFor.SELF)
    # The first name of whom the help is for, when not the author.
    for_first_name: Mapped[str | None] = mapped_column(String(50))
    # Staff or a consultant posting for a resident record the resident's consent.
    resident_name: Mapped[str | None] = mapped_column(String(100))
    resident_contact: Mapped[str | None] = mapped_column(String(254))
    consent_date: Mapped[date | None] = mapped_column(Date)
    # The resident's own record, when staff posted from their person page.
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The resident agreed that the volunteer of a confirmed match sees their name and
    # phone; otherwise contact goes through whoever posted the request.
    resident_shares_contact: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    schedule: Mapped[ScheduleKind] = mapped_column(_enum(ScheduleKind), default=ScheduleKind.ONCE)
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    until: Mapped[date | None] = mapped_column(Date)

    # The address stays on the server; others see the wijk and the PC4 area.
    postcode: Mapped[str] = mapped_column(String(7))
    house_number: Mapped[str] = mapped_column(String(10))
    # Empty for requests from before streets were asked (migration 0018).
    street: Mapped[str | None] = mapped_column(String(100))

    volunteers_needed: Mapped[int] = mapped_column(Integer, default=1)
    # Raised only by a conditional UPDATE, so it never passes volunteers_needed.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_vog: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Is uw hulpvraag nog nodig?": when it was asked, and when the asker last said yes.
    still_needed_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    still_needed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # Asked in the own network first (kept after it went on to the wijk, for the figures),
    # until when, and when the asker was asked whether it may go to the wijk.
    asked_circle: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    circle_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    circle_released_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])
    resident: Mapped[User | None] = relationship(foreign_keys=[resident_id])
    category: Mapped[Category] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_help_requests_state_published", "state", "published_at"),
        Index("ix_help_requests_lat_lon", "lat", "lon"),
        # The open requests near a volunteer, without reading the closed ones in the box;
        # with id last, the oldest few at one place are read without reading them all.
        Index("ix_help_requests_state_lat_lon", "state", "lat", "lon", "id"),
        # Every column the figures read, so a period is counted from the index alone
        # (municipality_id: the figures are always cut to the municipalities in view).
        Index(
            "ix_help_requests_figures",
            "published_at",
            "municipality_id",
            "neighbourhood_id",
            "category_id",
            "state",
            "posted_for",
            "id",
        ),
    )

    @property
    def skill_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.skills.split(",")) if tag]

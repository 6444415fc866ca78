"""Organisations, their members, their vacancies and the responses to them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.models.help_request import RequestState, _enum
from voorelkaar.models.post import PostMixin

if TYPE_CHECKING:
    from voorelkaar.models.user import User


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    # Posts of an organisation go public only once staff have verified it.
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # What a coordinator checks an application against (the Handelsregister, a phone call).
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(30))
    postcode: Mapped[str | None] = mapped_column(String(7))
    house_number: Mapped[str | None] = mapped_column(String(10))

    members: Mapped[list[OrganisationMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class OrganisationMember(Base):
    __tablename__ = "organisation_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("organisation_id", "user_id", name="uq_organisation_members_org_user"),
    )


class Vacancy(PostMixin, Base):
    __tablename__ = "vacancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[RequestState] = mapped_column(_enum(RequestState), default=RequestState.PENDING)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    hours: Mapped[str] = mapped_column(String(100))  # "2 uur per week, op dinsdag"
    skills: Mapped[str] = mapped_column(String(500), default="")
    requires_vog: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    places: Mapped[int | None] = mapped_column(Integer)  # how many volunteers; None: not said
    start_date: Mapped[date | None] = mapped_column(Date)
    # The member volunteers deal with; mails about this vacancy go to them.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])
    contact: Mapped[User | None] = relationship(foreign_keys=[contact_id])


class ResponseStage(enum.StrEnum):
    """Where an organisation is with a volunteer who responded."""

    NEW = "new"
    TALKING = "talking"  # invited for a talk: from here both sides see each other's contact
    ACCEPTED = "accepted"
    DECLINED = "declined"


class VacancyResponse(Base):
    __tablename__ = "vacancy_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(
        ForeignKey("vacancies.id", ondelete="CASCADE"), index=True
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stage: Mapped[ResponseStage] = mapped_column(
        _enum(ResponseStage), default=ResponseStage.NEW, server_default=ResponseStage.NEW.value
    )
    stage_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    vacancy: Mapped[Vacancy] = relationship()
    volunteer: Mapped[User] = relationship(lazy="joined")

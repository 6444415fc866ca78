"""Wmo referrals: a consultant of the municipality sends a resident to the platform."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow

if TYPE_CHECKING:
    from voorelkaar.models.help_request import Category, HelpRequest
    from voorelkaar.models.user import User


class ReferralStatus(enum.StrEnum):
    """What came of a referral, as the consultant sees it; derived, never stored."""

    INVITED = "uitgenodigd"
    ACCOUNT = "account gemaakt"
    POSTED = "hulpvraag geplaatst"
    MATCHED = "gematcht"
    DONE = "afgerond"
    EXPIRED = "verlopen"
    WITHDRAWN = "ingetrokken"


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Whose staff see it (voorelkaar.tenancy).
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    # The resident, as the consultant wrote them down (with their consent).
    resident_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str] = mapped_column(String(7))
    house_number: Mapped[str] = mapped_column(String(10))
    street: Mapped[str | None] = mapped_column(String(100))
    consent_date: Mapped[date] = mapped_column(Date)
    # What help is wanted: becomes the pre-filled request.
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    wanted_when: Mapped[str] = mapped_column(String(200), default="")
    # Printed on the letter for residents without email, and in the emailed link: short
    # and easy to type. It only opens the invitation, which expires after 30 days.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    expired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Consent withdrawn: the personal data is gone, the fact and this date stay for figures.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # What came of it.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="SET NULL"), index=True
    )

    consultant: Mapped[User | None] = relationship(foreign_keys=[consultant_id], lazy="joined")
    account: Mapped[User | None] = relationship(foreign_keys=[account_id], lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    request: Mapped[HelpRequest | None] = relationship(lazy="joined")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ReplacedCode(Base):
    """A code that a new invitation replaced: its link says so, and whom to ask."""

    __tablename__ = "replaced_referral_codes"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    replaced_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(lazy="joined")

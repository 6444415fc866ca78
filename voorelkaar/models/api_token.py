"""Personal access tokens for the JSON API: issued by an admin, with scopes, revocable."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.i18n import AMSTERDAM

if TYPE_CHECKING:
    from voorelkaar.models.user import User


class Scope(enum.StrEnum):
    READ_FIGURES = "figures:read"
    CREATE_REFERRALS = "referrals:write"  # create referrals and read their status
    REQUESTS = "requests:write"  # read and create requests on behalf of residents


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # what it is for, e.g. "zaaksysteem Wmo"
    # Only a hash is stored; the token itself is shown once, when it is made.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A few leading characters, so an admin can tell tokens apart in a list.
    prefix: Mapped[str] = mapped_column(String(12))
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated Scope values
    # Whose behalf the token acts on (a consultant for referrals, staff for requests).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A token works until then (at most a year after it was made); its people are warned first.
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    expiry_warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def last_day(self) -> date:
        """The last day it works, in the time of the Netherlands (expires_at is the midnight after)."""
        return (self.expires_at - timedelta(seconds=1)).astimezone(AMSTERDAM).date()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

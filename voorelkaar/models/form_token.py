"""One-time tokens of forms that create something, and what each one created."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voorelkaar.db import Base, UtcDateTime, utcnow


class FormToken(Base):
    """A form's token, claimed by the POST that created created_kind #created_id with it."""

    __tablename__ = "form_tokens"
    # Per person: someone else's token neither collides with nor reveals anything of theirs.
    __table_args__ = (UniqueConstraint("user_id", "token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64))
    created_kind: Mapped[str] = mapped_column(String(40))  # a table name, e.g. help_requests
    created_id: Mapped[int | None] = mapped_column(Integer)
    # A keyed hash of what was sent, to know a resubmit after Back (which has a new token).
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

"""What happened that someone should see on their overview, until they have seen it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow

if TYPE_CHECKING:
    from voorelkaar.models.help_request import HelpRequest
    from voorelkaar.models.match import Match
    from voorelkaar.models.user import User


class Notice(Base):
    """One event told to one person on the site; its words are made when it is shown.

    It points at what it is about rather than copying text, so it speaks the reader's
    language, and goes when that goes (a deleted account, an anonymised request).
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One notice per event and person: an event told twice finds the key and adds nothing.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    match_id: Mapped[int | None] = mapped_column(
        ForeignKey("matches.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    request: Mapped[HelpRequest | None] = relationship(lazy="joined")
    match: Mapped[Match | None] = relationship(lazy="joined")

    # The overview reads a person's unseen notices, newest first.
    __table_args__ = (Index("ix_notices_user_seen", "user_id", "seen_at", "created_at"),)

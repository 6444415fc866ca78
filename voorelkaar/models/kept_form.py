"""What someone typed in a form whose session had ended, kept briefly to put back after login."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voorelkaar.db import Base, UtcDateTime, utcnow


class KeptForm(Base):
    """The fields of one refused POST; the browser holds the key, the database only its hash."""

    __tablename__ = "kept_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Who typed it, when known: then only they get it back. None when the cookie was gone.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    fields: Mapped[str] = mapped_column(Text)  # JSON: [[name, value], ...]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

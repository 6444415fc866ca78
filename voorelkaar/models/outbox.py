"""Emails waiting to be sent, written in the same transaction as their cause."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from voorelkaar.db import Base, UtcDateTime, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Writing the same key twice fails, so a retried job cannot queue twice.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(
        String(50)
    )  # e.g. "password_reset"; optional mail can be unsubscribed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Optional mail carries a link that stops that kind of mail (List-Unsubscribe).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # At most one attachment, such as an appointment as an .ics calendar file.
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(String(500))

"""What staff did for a person: a phone call, a home visit; kept on the person's record."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.models.help_request import _enum

if TYPE_CHECKING:
    from voorelkaar.models.user import User


class ContactKind(enum.StrEnum):
    PHONE = "telefoon"
    VISIT = "huisbezoek"
    EMAIL = "e-mail"
    OTHER = "anders"


class ContactNote(Base):
    __tablename__ = "contact_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_tasks.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[ContactKind] = mapped_column(_enum(ContactKind))
    body: Mapped[str] = mapped_column(Text)
    # How long the contact took, in minutes; None for notes from before it was asked.
    minutes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")

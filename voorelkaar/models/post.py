"""What help requests, offers and vacancies share: moderation dates and a coarse place."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from voorelkaar.db import UtcDateTime, utcnow

if TYPE_CHECKING:
    from voorelkaar.models.place import Neighbourhood


class PostMixin:
    # Where: a PC4 area and its wijk; an address, if any, is kept by the model itself.
    pc4: Mapped[str] = mapped_column(String(4), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL"), index=True
    )
    # Whose staff handle it: the author's municipality (voorelkaar.tenancy).
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    # The moderator's reason for the author: of a refusal, or of hiding it after a report.
    reject_reason: Mapped[str | None] = mapped_column(Text)
    # When staff hid it after a report; its state is then "cancelled", like a withdrawal.
    hidden_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    @declared_attr
    def neighbourhood(cls) -> Mapped[Neighbourhood | None]:
        return relationship("Neighbourhood", lazy="joined")

    @property
    def place(self) -> str:
        """Where, as others may see it: the wijk, else the PC4 area."""
        return self.neighbourhood.name if self.neighbourhood else self.pc4

"""Municipalities and their neighbourhoods (wijken), mapped from postcodes."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base


class Municipality(Base):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    # New posts wait for staff review unless a municipality turns this off.
    moderation: Mapped[bool] = mapped_column(Boolean, default=True)

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        back_populates="municipality", order_by="Neighbourhood.name"
    )


class Neighbourhood(Base):
    __tablename__ = "neighbourhoods"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100))

    municipality: Mapped[Municipality] = relationship(back_populates="neighbourhoods")
    areas: Mapped[list[NeighbourhoodArea]] = relationship(
        back_populates="neighbourhood", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("municipality_id", "slug", name="uq_neighbourhoods_municipality_slug"),
    )


class NeighbourhoodArea(Base):
    """A PC4 area, or a PC6 range inside one, that belongs to a neighbourhood.

    A PC4 may be split over several neighbourhoods by PC6 ranges; a row without
    a range covers the rest of that PC4.
    """

    __tablename__ = "neighbourhood_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="CASCADE"), index=True
    )
    pc4: Mapped[str] = mapped_column(String(4), index=True)
    pc6_from: Mapped[str | None] = mapped_column(String(6))  # e.g. "7941AA"
    pc6_to: Mapped[str | None] = mapped_column(String(6))  # inclusive

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="areas")

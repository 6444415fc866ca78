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
    # The face: what visitors of this municipality's site see. Edited by its admins.
    site_name: Mapped[str] = mapped_column(String(100), default="")  # "Meppel voor elkaar"
    # The host name that shows this municipality ("meppel.example.nl"); None where one
    # host serves all and the visitor chooses.
    host: Mapped[str | None] = mapped_column(String(253), unique=True)
    # The logo: the random name of its row in `uploads` (the database, so every host has it)
    # and its type, checked from the bytes (voorelkaar.municipalities.logos).
    logo_file: Mapped[str | None] = mapped_column(String(64))
    logo_type: Mapped[str | None] = mapped_column(String(40))
    # The organisation that runs the site: the people a visitor can call, mail or visit.
    org_name: Mapped[str] = mapped_column(String(150), default="")
    org_phone: Mapped[str] = mapped_column(String(20), default="")
    org_email: Mapped[str] = mapped_column(String(254), default="")
    org_address: Mapped[str] = mapped_column(String(200), default="")
    org_hours: Mapped[str] = mapped_column(String(100), default="")  # "ma-vr 9-17"
    # Who is responsible for the data (AVG: verwerkingsverantwoordelijke) and its contact.
    controller_name: Mapped[str] = mapped_column(String(150), default="")
    privacy_contact: Mapped[str] = mapped_column(String(254), default="")

    @property
    def title(self) -> str:
        """The site's name, else the municipality's own."""
        return self.site_name or self.name

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


class MunicipalityStaff(Base):
    """Which municipalities a staff member, consultant or admin works for.

    Most hold one: their own. A regional admin (or a welzijn team serving several
    municipalities) holds more. Everything they see in the back office is cut to these
    (voorelkaar.tenancy).
    """

    __tablename__ = "municipality_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("user_id", "municipality_id", name="uq_municipality_staff"),)


class MunicipalityCategory(Base):
    """A category a municipality offers; a municipality without rows offers every one."""

    __tablename__ = "municipality_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))

    __table_args__ = (
        UniqueConstraint("municipality_id", "category_id", name="uq_municipality_categories"),
    )

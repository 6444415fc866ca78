"""People, their roles, and their logged-in sessions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from voorelkaar import geo
from voorelkaar.db import Base, UtcDateTime, utcnow

if TYPE_CHECKING:
    from voorelkaar.models.availability import VolunteerSlot
    from voorelkaar.models.place import Neighbourhood


class Role(enum.StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    CARER = "carer"
    ORGANISATION = "organisation"
    STAFF = "staff"
    CONSULTANT = "consultant"
    ADMIN = "admin"
    # A municipality's policy officer: reads the figures of its municipalities, nothing else.
    POLICY = "policy"


# Roles a person may give themselves when registering; the others are granted.
SELF_CHOSEN_ROLES = (Role.RESIDENT, Role.VOLUNTEER, Role.CARER)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for someone taken in by phone who has no email: they hear of things through
    # a staff member who calls them or a printed letter (see voorelkaar.events).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    postcode: Mapped[str] = mapped_column(String(7))
    house_number: Mapped[str] = mapped_column(String(10))
    street: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    # The PC4 centroid, never the address itself: enough for distances.
    pc4: Mapped[str] = mapped_column(String(4), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # Kept in step with lat (see _band) for the index that finds volunteers near a place.
    lat_band: Mapped[int] = mapped_column(Integer)
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL"), index=True
    )
    # The municipality of their postcode (voorelkaar.tenancy): whose staff serve them.
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # None while an account made on the register form waits for its emailed link: it
    # cannot log in, nor is it offered as a volunteer. Accounts made any other way (a
    # referral, the demo, staff) are confirmed when they are made.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=utcnow)
    # The volunteer's profile: shown to others by first name only.
    intro: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[str] = mapped_column(String(500), default="")
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    # A pause may have an end: from the day after, the volunteer is available again.
    paused_until: Mapped[date | None] = mapped_column(Date)
    travel_km: Mapped[float] = mapped_column(Float, default=5.0)
    # Recorded by staff from the certificate; a VOG counts until this date.
    vog_valid_until: Mapped[date | None] = mapped_column(Date)
    # Which optional mail this person wants; each email of a kind can switch its kind off.
    mail_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    mail_followups: Mapped[bool] = mapped_column(Boolean, default=True)
    mail_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Retention: warned a month before an inactive account is anonymised; and when it was.
    retention_warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The second factor (voorelkaar.second_factor): the app's secret, encrypted with a key
    # the database does not hold; set from the set-up page on, in use once enabled_at is set.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The 30-second step of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    slots: Mapped[list[VolunteerSlot]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="VolunteerSlot.weekday, VolunteerSlot.start_time",
    )

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    neighbourhood: Mapped[Neighbourhood | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_users_lat_band_lon", "lat_band", "lon"),)

    @validates("lat")
    def _band(self, _key: str, lat: float) -> float:
        self.lat_band = geo.lat_band(lat)
        return lat

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.roles)

    def has_role(self, *roles: Role) -> bool:
        """Whether this person holds any of roles."""
        return not self.role_set.isdisjoint(roles)

    @property
    def has_second_factor(self) -> bool:
        """Whether logging in asks for a code from an app after the password."""
        return self.totp_enabled_at is not None

    def has_valid_vog(self, on: date) -> bool:
        return self.vog_valid_until is not None and self.vog_valid_until >= on

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name

    @property
    def short_name(self) -> str:
        """First name and surname initial ("Sem H."): enough to tell two Sems apart."""
        parts = self.name.split()
        return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else self.name

    # Flask-Login protocol. Whether the session is still valid is checked by
    # the user loader against UserSession, not here.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.blocked_at is None

    def get_id(self) -> str:
        return str(self.id)


class UserRole(Base):
    __tablename__ = "user_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")

    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),)


class UserSession(Base):
    """A login on one browser; revoking it makes its cookie worthless."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only a hash of the token is stored, so a database leak opens no sessions.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RecoveryCode(Base):
    """A single-use code to log in without the app; only its sha256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

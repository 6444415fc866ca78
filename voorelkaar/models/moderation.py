"""The audit trail and security log (NEN 7513): append-only, who did what, when, from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from voorelkaar.db import Base, UtcDateTime, utcnow
from voorelkaar.models.user import User


class AuditEvent(Base):
    """One thing that happened, never changed afterwards.

    actor_id and person_id are plain numbers, not foreign keys: an account that is erased
    keeps its number (a pseudonym once the name is gone), so the log still says which
    account acted, and no cascade ever writes to this table. Once sealed, each row carries
    the digest of the row sealed before it (row_hash over prev_hash and its own fields), so
    a changed or removed row shows when the chain is checked (voorelkaar.audit.verify_chain).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(50))  # e.g. "request.approved", "login.failed"
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    # The person whose data it concerns (NEN 7513's "cliënt"), when there is one.
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    origin: Mapped[str | None] = mapped_column(String(45))  # client address, or "systeem"
    result: Mapped[str] = mapped_column(String(10), default="ok")  # ok, refused, failed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # Set once, when the row is sealed into the chain (voorelkaar.audit.seal).
    seal_no: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(
        lazy="joined",
        primaryjoin="foreign(AuditEvent.actor_id) == User.id",
        viewonly=True,
    )
    note: Mapped[AuditNote | None] = relationship(lazy="joined", viewonly=True)

    # What happened to one thing: a closed vacancy's page, an answered question's link.
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    @property
    def reason(self) -> str | None:
        return self.note.text if self.note is not None else None


class AuditNote(Base):
    """What a person typed with an event (a reason, an outcome): kept beside the log.

    Free text can hold a name or an address, which an erased account must lose; the log
    row itself stays as it was, so the text lives here, where erasure can reach it.
    """

    __tablename__ = "audit_notes"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("audit_events.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)

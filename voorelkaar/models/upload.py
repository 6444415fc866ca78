"""Uploaded files (a municipality's logo), kept in the database.

The site runs on several hosts behind a load balancer: a file on one host's disk would be
missing on the others, so the bytes live in the shared database under a random name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from voorelkaar.db import Base, UtcDateTime, utcnow


class Upload(Base):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # random, never the sender's
    content_type: Mapped[str] = mapped_column(String(40))  # checked from the bytes
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

"""The figures' rollups: sums per month, municipality, wijk and category, and what is stale."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from voorelkaar.db import Base, UtcDateTime


class FigureRollup(Base):
    """One measure of one figure for one month, municipality, wijk and category.

    measure says what is summed ("posted:self", "matched", "referral:verlopen", ...).
    Two measures are not sums. "delay" has a bucket: the exact days from publication to
    the first match, value = how many requests took that long, so medians are exact.
    "volunteer" has members: the ids of the volunteers active in that month, wijk and
    category as a serialized Roaring bitmap (value = how many), so that the volunteers of
    any months and groups are counted once by a union: one row per group and month, however
    many volunteers and matches there are.
    """

    __tablename__ = "figure_rollups"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # the first of a UTC month
    municipality_id: Mapped[int] = mapped_column(Integer)
    neighbourhood_id: Mapped[int | None] = mapped_column(Integer)
    category_id: Mapped[int | None] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(40))
    bucket: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)
    members: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (
        # A page reads a range of months of one measure for its municipalities, from the
        # index alone (every column it reads is in it); a refresh replaces a month.
        Index(
            "ix_figure_rollups_read",
            "municipality_id",
            "measure",
            "month",
            "neighbourhood_id",
            "category_id",
            "bucket",
            "value",
        ),
        Index("ix_figure_rollups_slice", "month", "municipality_id"),
    )


class FigureStale(Base):
    """A month of a municipality whose rollups a change made stale, written with the change.

    Append-only (no unique key): a writer never waits on or loses to the refresh job, which
    deletes exactly the rows it read after recomputing their months.
    """

    __tablename__ = "figure_stale"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    municipality_id: Mapped[int] = mapped_column(Integer)


class FigureRollupState(Base):
    """The one row that refreshes lock, and up to when expiring referrals were looked at."""

    __tablename__ = "figure_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    built_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)

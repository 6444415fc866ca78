"""The weekly digest: new open requests near a volunteer that fit them, for those who want it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from voorelkaar.db import claim
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import Role, User, UserRole
from voorelkaar.notify import enqueue_once
from voorelkaar.volunteers.nearby import requests_near

# Monday morning: the week's new requests, before people plan their week.
SEND_FROM = time(8)
# Enough to choose from, short enough to read.
MOST = 10
# A request that asks for skills fits when the volunteer has one of them, fuzzily.
FITS = 0.5
BATCH = 200


def send_digests(db: Session, now: datetime) -> int:
    """On Monday from 08:00, send each volunteer who asked for it last week's new requests."""
    local = now.astimezone(AMSTERDAM)
    monday = local.date() - timedelta(days=local.weekday())
    week_start = datetime.combine(monday, time(0), AMSTERDAM)
    if local.weekday() != 0 or local.time() < SEND_FROM:
        return 0
    not_this_week = or_(User.digest_sent_at.is_(None), User.digest_sent_at < week_start)
    due = db.scalars(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == Role.VOLUNTEER,
            User.mail_digest.is_(True),
            User.available.is_(True),
            User.blocked_at.is_(None),
            not_this_week,
        )
        .order_by(User.id)
        .limit(BATCH)
    ).all()
    sent = 0
    since = week_start - timedelta(days=7)
    for user_id in due:
        if not claim(db, User, user_id, not_this_week, digest_sent_at=now):
            db.rollback()
            continue
        volunteer = db.get(User, user_id, populate_existing=True)  # as the claim left it
        # Ranked with the matching module, as on "Hulpvragen bij mij in de buurt".
        new = [
            found
            for found in requests_near(db, volunteer, limit=200)
            if found.request.published_at
            and since <= found.request.published_at < week_start
            and (found.ranked.skill_score >= FITS or not found.request.skill_list)
        ][:MOST]
        if new:
            sent += enqueue_once(
                db,
                key=f"digest:{volunteer.id}:{monday.isoformat()}",
                user=volunteer,
                template="digest",
                kind="digest",
                optional="overzicht",
                found=new,
            )
        db.commit()
    return sent

"""Invitations nobody answered: after 30 days the referral expires and staff get a task."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.db import claim
from voorelkaar.models import Referral, ReferralStatus, TaskKind
from voorelkaar.tasks.services import open_task
from voorelkaar.webhooks.topics import referral_changed

BATCH = 200


def _unanswered(now: datetime):
    # No account and no request (staff may post without one): the resident never responded.
    # A withdrawn referral is not waiting for anyone.
    return (
        Referral.expired_at.is_(None),
        Referral.withdrawn_at.is_(None),
        Referral.expires_at <= now,
        Referral.account_id.is_(None),
        Referral.request_id.is_(None),
    )


def expire_referrals(db: Session, now: datetime) -> int:
    """Expire unanswered invitations past their date; a staff task for each. Idempotent."""
    due = db.scalars(
        select(Referral.id).where(*_unanswered(now)).order_by(Referral.id).limit(BATCH)
    ).all()
    expired = 0
    for referral_id in due:
        if not claim(db, Referral, referral_id, *_unanswered(now), expired_at=now):
            db.rollback()
            continue
        referral = db.get(Referral, referral_id)
        db.refresh(referral)
        open_task(
            db,
            key=f"referral-expired:{referral.id}",
            kind=TaskKind.REFERRAL_EXPIRED,
            referral=referral,
            detail=referral.title,
        )
        referral_changed(db, referral, ReferralStatus.EXPIRED, at=now)
        db.commit()
        expired += 1
    return expired

"""What waits for staff today, gathered from the features that hold it (scoped to the
viewer's municipalities, as every back-office query)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from voorelkaar.db import utcnow
from voorelkaar.models import (
    HelpRequest,
    Match,
    MatchState,
    Referral,
    RequestState,
    Role,
    StaffTask,
    User,
    UserRole,
)
from voorelkaar.moderation.services import review_queue
from voorelkaar.organisations.services import waiting_applications
from voorelkaar.reports.services import open_reports
from voorelkaar.tasks.services import local_today
from voorelkaar.tenancy import scoped

UNTAKEN_DAYS = 7  # a request open this long without a volunteer needs a person
REFERRAL_DAYS = 7  # an invitation that stops within this many days
VOG_DAYS = 30  # a VOG that ends within this many days
LIMIT = 20  # lines per section; the section links to the full list


@dataclass
class Today:
    posts: list = field(default_factory=list)  # waiting for review, oldest first
    reports: list = field(default_factory=list)  # (report, subject)
    unclaimed: list[StaffTask] = field(default_factory=list)
    follow_ups: list[StaffTask] = field(default_factory=list)  # mine, without a later day
    untaken: list[HelpRequest] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    vogs: list[User] = field(default_factory=list)
    applications: list = field(default_factory=list)  # organisations to approve

    @property
    def count(self) -> int:
        return sum(
            len(items)
            for items in (
                self.posts,
                self.reports,
                self.unclaimed,
                self.follow_ups,
                self.untaken,
                self.referrals,
                self.vogs,
                self.applications,
            )
        )


def _open_tasks(db: Session, viewer: User):
    return scoped(
        db,
        select(StaffTask).where(StaffTask.closed_at.is_(None)),
        StaffTask.municipality_id,
        viewer,
    )


def untaken_requests(db: Session, viewer: User, now: datetime) -> list[HelpRequest]:
    """Open requests online for UNTAKEN_DAYS or more with no confirmed volunteer."""
    confirmed = exists().where(
        Match.request_id == HelpRequest.id,
        Match.state.in_((MatchState.CONFIRMED, MatchState.DONE)),
    )
    query = select(HelpRequest).where(
        HelpRequest.state == RequestState.OPEN,
        HelpRequest.published_at <= now - timedelta(days=UNTAKEN_DAYS),
        ~confirmed,
    )
    query = scoped(db, query, HelpRequest.municipality_id, viewer)
    return list(db.scalars(query.order_by(HelpRequest.published_at).limit(LIMIT)))


def expiring_referrals(db: Session, viewer: User, now: datetime) -> list[Referral]:
    """Invitations nobody used yet that stop within REFERRAL_DAYS (not withdrawn)."""
    query = select(Referral).where(
        Referral.account_id.is_(None),
        Referral.request_id.is_(None),
        Referral.withdrawn_at.is_(None),
        Referral.expired_at.is_(None),
        Referral.expires_at > now,
        Referral.expires_at <= now + timedelta(days=REFERRAL_DAYS),
    )
    query = scoped(db, query, Referral.municipality_id, viewer)
    return list(db.scalars(query.order_by(Referral.expires_at).limit(LIMIT)))


def expiring_vogs(db: Session, viewer: User) -> list[User]:
    """Volunteers whose VOG ends within VOG_DAYS (or ended in the last VOG_DAYS)."""
    today = local_today()
    volunteer = exists().where(UserRole.user_id == User.id, UserRole.role == Role.VOLUNTEER)
    query = select(User).where(
        volunteer,
        User.blocked_at.is_(None),
        User.vog_valid_until.is_not(None),
        User.vog_valid_until >= today - timedelta(days=VOG_DAYS),
        User.vog_valid_until <= today + timedelta(days=VOG_DAYS),
    )
    query = scoped(db, query, User.municipality_id, viewer)
    return list(db.scalars(query.order_by(User.vog_valid_until, User.id).limit(LIMIT)))


def today_for(db: Session, viewer: User, now: datetime | None = None) -> Today:
    """Everything that waits for a person now, in viewer's municipalities."""
    now = now or utcnow()
    tasks = _open_tasks(db, viewer)
    today = local_today()
    # A task with a follow-up date waits until that day; then it is back on the page.
    unclaimed = tasks.where(
        StaffTask.claimed_by_id.is_(None),
        or_(StaffTask.follow_up_on.is_(None), StaffTask.follow_up_on <= today),
    )
    # Mine: claimed by me or handed over to me, unless I set a later day to look again.
    due = tasks.where(
        StaffTask.claimed_by_id == viewer.id,
        or_(StaffTask.follow_up_on.is_(None), StaffTask.follow_up_on <= today),
    )
    return Today(
        posts=review_queue(db, viewer, LIMIT),
        reports=open_reports(db, viewer, LIMIT),
        unclaimed=list(db.scalars(unclaimed.order_by(StaffTask.created_at).limit(LIMIT))),
        follow_ups=list(
            db.scalars(due.order_by(StaffTask.follow_up_on, StaffTask.created_at).limit(LIMIT))
        ),
        untaken=untaken_requests(db, viewer, now),
        referrals=expiring_referrals(db, viewer, now),
        vogs=expiring_vogs(db, viewer),
        applications=waiting_applications(db, viewer)[:LIMIT],
    )

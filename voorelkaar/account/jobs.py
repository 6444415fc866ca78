"""Retention: closed requests and inactive accounts are anonymised after RETENTION_MONTHS.

An inactive account is warned by email a month before; logging in keeps it. Accounts of
staff, admins and Wmo consultants are left alone: the organisation manages them, and an
admin takes the role away when someone leaves (from then on they count like anyone).
A blocked account gets no warning (it cannot log in to keep itself); it is anonymised
once both its last login and the block are older than the period.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.orm import Session

from voorelkaar.account.services import (
    CLOSED_REQUEST_STATES,
    ERASED_REQUEST_TITLE,
    anonymise_account,
    erase_request_fields,
)
from voorelkaar.db import claim
from voorelkaar.models import ContactNote, HelpRequest, Match, MatchMessage, Role, User, UserRole
from voorelkaar.notify import enqueue_once
from voorelkaar.urls import absolute_url

NOTICE = relativedelta(months=1)
BATCH = 200
# Their accounts are managed by the organisation, not by inactivity.
MANAGED_ROLES = (Role.STAFF, Role.ADMIN, Role.CONSULTANT)


def apply_retention(db: Session, now: datetime) -> int:
    """Anonymise old closed requests, warn and then anonymise inactive accounts."""
    period = relativedelta(months=current_app.config["RETENTION_MONTHS"])
    return (
        _anonymise_closed_requests(db, now - period)
        + _warn_inactive(db, now, period)
        + _anonymise_inactive(db, now, period)
    )


def _anonymise_closed_requests(db: Session, cutoff: datetime) -> int:
    """Closed and untouched for the whole period: address, story and names go."""
    done = 0
    while True:
        ids = db.scalars(
            select(HelpRequest.id)
            .where(
                HelpRequest.state.in_(CLOSED_REQUEST_STATES),
                HelpRequest.updated_at < cutoff,
                HelpRequest.title != ERASED_REQUEST_TITLE,
            )
            .order_by(HelpRequest.id)
            .limit(BATCH)
        ).all()
        if not ids:
            return done
        erase_request_fields(db, ids)
        their_matches = select(Match.id).where(Match.request_id.in_(ids))
        db.execute(
            delete(MatchMessage)
            .where(MatchMessage.match_id.in_(their_matches))
            .execution_options(synchronize_session=False)
        )
        db.execute(
            update(Match)
            .where(Match.request_id.in_(ids))
            .values(note=None, end_reason=None)
            .execution_options(synchronize_session=False)
        )
        db.commit()
        done += len(ids)


def _last_active():
    """The last login (or the account's start); for someone who cannot log in, having no
    email (taken in by phone), their last contact with staff counts as well."""
    seen = func.coalesce(User.last_login_at, User.created_at)
    contact = (
        select(func.max(ContactNote.created_at))
        .where(ContactNote.person_id == User.id)
        .scalar_subquery()
    )
    return case((and_(User.email.is_(None), contact > seen), contact), else_=seen)


def _self_managed():
    managed = select(UserRole.id).where(
        UserRole.user_id == User.id, UserRole.role.in_(MANAGED_ROLES)
    )
    return and_(User.anonymised_at.is_(None), ~managed.exists())


def _not_warned_since_active():
    return or_(User.retention_warned_at.is_(None), User.retention_warned_at < _last_active())


def _warn_inactive(db: Session, now: datetime, period: relativedelta) -> int:
    """A month before the period ends: one email, "log in to keep your account"."""
    due = db.scalars(
        select(User.id)
        .where(
            _self_managed(),
            User.blocked_at.is_(None),
            _last_active() < now - period + NOTICE,
            _not_warned_since_active(),
        )
        .order_by(User.id)
        .limit(BATCH)
    ).all()
    warned = 0
    for user_id in due:
        if not claim(db, User, user_id, _not_warned_since_active(), retention_warned_at=now):
            db.rollback()
            continue
        user = db.get(User, user_id)
        db.refresh(user)
        deadline = max((user.last_login_at or user.created_at) + period, now + NOTICE)
        warned += enqueue_once(
            db,
            key=f"retention-warning:{user.id}:{now:%Y%m%d}",
            user=user,
            template="retention_warning",
            kind="retention_warning",
            deadline=deadline,
            months=current_app.config["RETENTION_MONTHS"],
            login_link=absolute_url("auth.login"),
            data_link=absolute_url("account.overview"),
        )
        db.commit()
    return warned


def _anonymise_inactive(db: Session, now: datetime, period: relativedelta) -> int:
    """Warned a month ago and not back since, or blocked for the whole period."""
    warned_and_gone = and_(
        User.retention_warned_at.is_not(None),
        User.retention_warned_at <= now - NOTICE,
        _last_active() < User.retention_warned_at,
    )
    blocked_long = and_(User.blocked_at.is_not(None), User.blocked_at < now - period)
    still_due = and_(
        User.anonymised_at.is_(None),
        _last_active() < now - period,
        or_(warned_and_gone, blocked_long),
    )
    due = db.scalars(
        select(User.id).where(_self_managed(), still_due).order_by(User.id).limit(BATCH)
    ).all()
    anonymised = 0
    for user_id in due:
        # A login between the query and here keeps the account: the claim re-checks.
        if not claim(db, User, user_id, still_due, anonymised_at=now):
            db.rollback()
            continue
        user = db.get(User, user_id)
        db.refresh(user)
        anonymise_account(db, user, now)
        db.commit()
        anonymised += 1
    return anonymised

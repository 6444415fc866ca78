"""Personal access tokens: issue, verify, check scopes, revoke. Only a hash is stored."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth.access import in_back_office
from voorelkaar.auth.sessions import digest_token as hash_token
from voorelkaar.db import claim, utcnow
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import ApiToken, Role, User
from voorelkaar.models.api_token import Scope
from voorelkaar.notify import enqueue_once
from voorelkaar.tenancy import in_scope
from voorelkaar.urls import absolute_url

PREFIX_LENGTH = 8
# Stored last_used_at is refreshed at most this often, so a busy token costs no write per call.
TOUCH_EVERY_SECONDS = 60

MAX_LIFETIME = timedelta(days=365)
# Who made the token and whom it acts for hear this long before it stops working.
WARN_BEFORE = timedelta(days=14)


class TokenError(Exception):
    """A token that cannot be used; the API answers 401."""


@dataclass(frozen=True)
class IssuedToken:
    """The stored row and the token itself, which is shown once and never again."""

    token: ApiToken
    secret: str


def latest_expiry(today: date) -> date:
    """A token runs for at most a year."""
    return today + MAX_LIFETIME


def issue_token(
    db: Session,
    creator: User,
    *,
    name: str,
    user: User,
    scopes: Iterable[Scope | str],
    expires_on: date | None = None,
) -> IssuedToken:
    """Make a token acting for user with scopes, working up to and including expires_on
    (default and at most: a year from today); commits. The secret is returned once."""
    today = datetime.now(AMSTERDAM).date()
    expires_on = expires_on or latest_expiry(today)
    if not today < expires_on <= latest_expiry(today):
        raise ValueError("a token expires after today and within a year")
    chosen = sorted({Scope(scope).value for scope in scopes})
    if not chosen:
        raise ValueError("a token needs at least one scope")
    if not may_hold_token(user):
        raise ValueError("only staff, consultants and admins hold API tokens")
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_LENGTH],
        scopes=" ".join(chosen),
        user_id=user.id,
        created_by_id=creator.id,
        # Through the whole last day, in the time of the Netherlands.
        expires_at=datetime.combine(expires_on + timedelta(days=1), time(0), AMSTERDAM),
    )
    db.add(token)
    db.flush()
    record(db, creator, "api.token_issued", token, token.name)
    db.commit()
    return IssuedToken(token=token, secret=secret)


def may_hold_token(user: User) -> bool:
    """A system acts for someone of the back office, never for a resident or volunteer."""
    return in_back_office(user)


def bearer_secret(header: str | None) -> str | None:
    """The token from an `Authorization: Bearer <token>` header, or None."""
    scheme, _, secret = (header or "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > 200:
        return None
    return secret


def verify_token(db: Session, secret: str | None, now: datetime | None = None) -> ApiToken:
    """The live token for secret, its last use noted; TokenError when unknown or revoked."""
    if not secret:
        raise TokenError("missing")
    token = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = now or utcnow()
    if token is None or token.revoked_at is not None:
        raise TokenError("unknown or revoked")
    if token.expires_at <= now:
        raise TokenError("expired")
    if token.user.blocked_at is not None:
        raise TokenError("the token's user is blocked")
    if not may_hold_token(token.user):  # their back-office role ended
        raise TokenError("the token's user has no back-office role")
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= TOUCH_EVERY_SECONDS:
        token.last_used_at = now
        db.commit()
    return token


def has_scope(token: ApiToken, scope: Scope) -> bool:
    return scope.value in token.scope_set


def revoke_token(db: Session, actor: User, token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke token (once); commits. Returns whether this call revoked it."""
    revoked = claim(
        db, ApiToken, token.id, ApiToken.revoked_at.is_(None), revoked_at=now or utcnow()
    )
    if revoked:
        record(db, actor, "api.token_revoked", token, token.name)
    db.commit()
    db.refresh(token)
    return revoked


def all_tokens(db: Session, viewer: User) -> list[ApiToken]:
    """Every token acting for someone of viewer's municipalities, live ones first, newest
    first."""
    return list(
        db.scalars(
            select(ApiToken)
            .join(User, User.id == ApiToken.user_id)
            .where(in_scope(db, User.municipality_id, viewer))
            .order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )


def warn_of_expiry(db: Session, now: datetime) -> int:
    """Tell whom a live token acts for, and the admin who made it, 14 days before it ends."""
    due = db.scalars(
        select(ApiToken)
        .where(
            ApiToken.revoked_at.is_(None),
            ApiToken.expiry_warned_at.is_(None),
            ApiToken.expires_at > now,
            ApiToken.expires_at <= now + WARN_BEFORE,
        )
        .order_by(ApiToken.expires_at, ApiToken.id)
    ).all()
    warned = 0
    for token in due:
        # Claimed first: a second scheduler process finds nothing left to do.
        if not claim(
            db, ApiToken, token.id, ApiToken.expiry_warned_at.is_(None), expiry_warned_at=now
        ):
            db.rollback()
            continue
        people = {token.user_id: token.user}
        if token.created_by is not None:
            people[token.created_by.id] = token.created_by
        for person in people.values():
            enqueue_once(
                db,
                key=f"token-expiry:{token.id}:{person.id}",
                user=person,
                template="api_token_expiring",
                kind="api_token_expiring",
                token=token,
                # Only an admin can open the page; others ask one.
                tokens_link=absolute_url("api_tokens.index")
                if person.has_role(Role.ADMIN)
                else None,
            )
        db.commit()
        warned += 1
    return warned

"""The life of a post under moderation, and the audit trail of every staff action.

Posts are help requests, offers and vacancies: each has an author, a title, a
state, a reject_reason and a published_at. A post waits for review when the
municipality moderates (the default), and is public once approved.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from voorelkaar.audit import ACCESS_EVENTS, record
from voorelkaar.auth.access import may_act_on, staff_of
from voorelkaar.db import utcnow
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import (
    AuditEvent,
    HelpRequest,
    Match,
    Offer,
    RequestState,
    Role,
    User,
    UserRole,
    Vacancy,
)
from voorelkaar.moderation.sentences import actions_of_kind
from voorelkaar.notify import enqueue_email
from voorelkaar.tenancy import current_municipality, in_scope, scoped, serves
from voorelkaar.worklists.services import PAGE_SIZE, Page


class ModerationError(Exception):
    pass


@dataclass(frozen=True)
class PostKind:
    slug: str  # in URLs
    model: type
    detail_endpoint: str
    edit_endpoint: str
    id_arg: str


POST_KINDS = {
    kind.slug: kind
    for kind in (
        PostKind(
            "hulpvraag", HelpRequest, "help_requests.detail", "help_requests.edit", "request_id"
        ),
        PostKind("aanbod", Offer, "offers.detail", "offers.edit", "offer_id"),
        PostKind(
            "vacature", Vacancy, "organisations.vacancy", "organisations.edit_vacancy", "vacancy_id"
        ),
    )
}


def kind_of(post) -> PostKind:
    return next(kind for kind in POST_KINDS.values() if isinstance(post, kind.model))


def post_url(post, *, edit: bool = False, external: bool = False) -> str:
    """The page of a post (or its edit page)."""
    kind = kind_of(post)
    endpoint = kind.edit_endpoint if edit else kind.detail_endpoint
    return url_for(endpoint, **{kind.id_arg: post.id}, _external=external)


def publish_post(post) -> None:
    post.state = RequestState.OPEN
    post.published_at = utcnow()
    post.reject_reason = None


def moderates(db: Session) -> bool:
    """Whether new and changed posts wait for staff review (without a municipality: yes)."""
    municipality = current_municipality(db)
    return municipality is None or municipality.moderation


def submit_post(db: Session, post, actor: User) -> None:
    """Send a new or changed post for review, or publish it when there is no moderation."""
    name = type(post).__tablename__
    if moderates(db):
        post.state = RequestState.PENDING
        record(db, actor, f"{name}.submitted", post)
    else:
        publish_post(post)
        record(db, actor, f"{name}.published", post)


def review_queue(db: Session, viewer: User, limit: int | None = None) -> list:
    """Every post of viewer's municipalities waiting for review, oldest first (the oldest
    limit only, when given: each kind is cut in SQL, so a long queue costs no more)."""
    posts = []
    for kind in POST_KINDS.values():
        query = select(kind.model).where(kind.model.state == RequestState.PENDING)
        query = scoped(db, query, kind.model.municipality_id, viewer)
        if limit is not None:
            query = query.order_by(kind.model.updated_at, kind.model.id).limit(limit)
        posts.extend(db.scalars(query))
    return sorted(posts, key=lambda post: (post.updated_at, post.id))[:limit]


def find_post(db: Session, kind_slug: str, post_id: int, viewer: User | None = None):
    """A post by kind and id; given a viewer, only one of the municipalities they serve."""
    kind = POST_KINDS.get(kind_slug)
    post = db.get(kind.model, post_id) if kind else None
    if post is not None and viewer is not None and not serves(db, viewer, post.municipality_id):
        return None
    return post


def _check(actor: User, post) -> None:
    if not staff_of(actor, post.municipality_id):
        raise ModerationError("only staff moderate")
    if post.state != RequestState.PENDING:
        raise ModerationError("not waiting for review")


def approve_post(db: Session, actor: User, post) -> None:
    """Put a reviewed post online and tell its author."""
    _check(actor, post)
    publish_post(post)
    event = record(db, actor, f"{type(post).__tablename__}.approved", post)
    enqueue_email(
        db,
        key=f"post-approved:{event.id}",
        user=post.author,
        template="post_approved",
        kind="moderation",
        item=post,
        link=external_url(post_url(post)),
    )
    db.commit()


def reject_post(db: Session, actor: User, post, reason: str) -> None:
    """Refuse a post with a reason, which the author receives by email."""
    _check(actor, post)
    post.state = RequestState.REJECTED
    post.reject_reason = reason
    event = record(db, actor, f"{type(post).__tablename__}.rejected", post, reason)
    enqueue_email(
        db,
        key=f"post-rejected:{event.id}",
        user=post.author,
        template="post_rejected",
        kind="moderation",
        item=post,
        reason=reason,
        link=external_url(post_url(post, edit=True)),
    )
    db.commit()


def external_url(path: str) -> str:
    """An address on this site for an email (BASE_URL and path)."""
    from flask import current_app

    return current_app.config["BASE_URL"].rstrip("/") + path


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log is cut to: who did it, what kind, about whom, and when."""

    who: str | None = None  # words of the actor's name
    kind: str | None = None  # one of sentences.KINDS
    whose: str | None = None  # words of the name of the person it is about
    start: date | None = None  # from this day (Amsterdam time) on
    end: date | None = None  # up to and including this day


def audit_trail(db: Session, viewer: User, limit: int = 200) -> list[AuditEvent]:
    """The newest events of the work itself first, of viewer's municipalities; logins and
    opened records are in the security log, which only admins read."""
    return list(db.scalars(_trail_query(db, viewer, AuditFilters()).limit(limit)))


def audit_page(db: Session, viewer: User, filters: AuditFilters, number: int = 1) -> Page:
    """One page of 50 events of the work, newest first, filtered, with how many there are."""
    query = _trail_query(db, viewer, filters)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(number, pages)
    events = list(db.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)))
    return Page(events, number, total)


def _trail_query(db: Session, viewer: User, filters: AuditFilters) -> Select:
    query = select(AuditEvent).where(
        AuditEvent.action.not_in(ACCESS_EVENTS), events_in_scope(db, viewer)
    )
    if filters.who:
        query = query.where(AuditEvent.actor_id.in_(_people_named(db, viewer, filters.who)))
    if filters.whose:
        query = query.where(_about(_people_named(db, viewer, filters.whose)))
    if filters.kind:
        query = query.where(AuditEvent.action.in_(actions_of_kind(filters.kind)))
    if filters.start:
        query = query.where(AuditEvent.created_at >= _day_start(filters.start))
    if filters.end:
        query = query.where(AuditEvent.created_at < _day_start(filters.end + timedelta(days=1)))
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def _people_named(db: Session, viewer: User, text: str):
    """The ids of the people of viewer's municipalities whose name holds every word."""
    query = select(User.id).where(in_scope(db, User.municipality_id, viewer))
    for word in text.lower().split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(User.name).like(f"%{escaped}%", escape="\\"))
    return query


def _about(people) -> ColumnElement[bool]:
    """Events about these people: their account or record, their posts, their help."""
    conditions = [AuditEvent.person_id.in_(people)]
    for kind in POST_KINDS.values():
        model = kind.model
        conditions.append(
            (AuditEvent.subject_type == model.__tablename__)
            & AuditEvent.subject_id.in_(select(model.id).where(model.author_id.in_(people)))
        )
    conditions.append(
        (AuditEvent.subject_type == Match.__tablename__)
        & AuditEvent.subject_id.in_(select(Match.id).where(Match.volunteer_id.in_(people)))
    )
    return or_(*conditions)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), AMSTERDAM).astimezone(UTC)


# What other features do when an account is blocked, in the same transaction (registered
# at app start): a blocked volunteer's appointments end, and their askers are told.
_WHEN_BLOCKED: dict[str, Callable[[Session, User, User], None]] = {}


def when_blocked(name: str, step: Callable[[Session, User, User], None]) -> None:
    """Run step(db, actor, blocked_user) whenever staff block an account."""
    _WHEN_BLOCKED[name] = step


def may_block(db: Session, actor: User, user: User) -> bool:
    """Whether actor may block (or unblock) user: never oneself, never the last admin,
    and someone of the back office only by an admin, so a coordinator cannot lock out
    the administrator."""
    if not may_act_on(actor, user):
        return False
    return not (user.has_role(Role.ADMIN) and _last_admin(db, user))


def _last_admin(db: Session, user: User) -> bool:
    others = db.scalar(
        select(func.count(User.id))
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN, User.id != user.id, User.blocked_at.is_(None))
    )
    return not others


def block_user(db: Session, actor: User, user: User, reason: str) -> None:
    """Block an account: it cannot log in, its sessions end and its posts are hidden."""
    from voorelkaar.models import UserSession

    if not may_block(db, actor, user):
        raise ModerationError("may not block this account")
    if user.blocked_at is None:
        user.blocked_at = utcnow()
        for session in db.scalars(
            select(UserSession).where(
                UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
            )
        ):
            session.revoked_at = utcnow()
        record(db, actor, "users.blocked", user, reason)
        for step in _WHEN_BLOCKED.values():
            step(db, actor, user)
    db.commit()


def unblock_user(db: Session, actor: User, user: User, reason: str) -> None:
    """Give a blocked account its access back; its open posts show again."""
    if not may_block(db, actor, user):
        raise ModerationError("may not unblock this account")
    if user.blocked_at is not None:
        user.blocked_at = None
        record(db, actor, "users.unblocked", user, reason)
    db.commit()


def user_for(db: Session, viewer: User, user_id: int) -> User | None:
    """An account of one of viewer's municipalities, or None (shown as 404)."""
    user = db.get(User, user_id)
    return user if user is not None and serves(db, viewer, user.municipality_id) else None


def events_in_scope(db: Session, viewer: User):
    """The condition for audit rows of viewer's municipalities: those about a person of
    theirs, those about no one that someone of theirs did, and those of no one at all (a
    failed login with an unknown address, the scheduler)."""
    theirs = select(User.id).where(in_scope(db, User.municipality_id, viewer))
    nobody = AuditEvent.person_id.is_(None)
    return or_(
        AuditEvent.person_id.in_(theirs),
        nobody & AuditEvent.actor_id.in_(theirs),
        nobody & AuditEvent.actor_id.is_(None),
    )

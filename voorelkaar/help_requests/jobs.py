"""Open requests nobody took: a staff task after 7 days, "nog nodig?" after 14, expiry at 30.

Expiry also waits 16 days after the question, so the asker always has that long to answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar.answers.services import answer_link
from voorelkaar.audit import record
from voorelkaar.db import claim
from voorelkaar.events import emit
from voorelkaar.help_requests.services import end_matches
from voorelkaar.models import (
    HelpRequest,
    MatchState,
    RequestState,
    StaffTask,
    TaskKind,
    User,
)
from voorelkaar.notify import enqueue_once
from voorelkaar.tasks.services import open_task

TASK_AFTER = timedelta(days=7)
ASK_AFTER = timedelta(days=14)
EXPIRE_AFTER = timedelta(days=30)
# How long the asker has to answer "nog nodig?", however late the question came.
ANSWER_WITHIN = EXPIRE_AFTER - ASK_AFTER
BATCH = 200


def _alive_since():
    """When the request last showed it is wanted: published, or the asker's last "ja"."""
    return func.coalesce(HelpRequest.still_needed_at, HelpRequest.published_at)


def _unmatched():
    return (
        HelpRequest.state == RequestState.OPEN,
        HelpRequest.confirmed_count == 0,
        HelpRequest.published_at.is_not(None),
    )


def chase_open_requests(db: Session, now: datetime) -> int:
    """Run the three steps; returns how many tasks, questions and expiries it made."""
    return _tasks(db, now) + _ask(db, now) + _expire(db, now)


def _tasks(db: Session, now: datetime) -> int:
    """Light cases must not stay behind: staff look at every request 7 days unmatched."""
    requests = db.scalars(
        select(HelpRequest)
        .where(
            *_unmatched(),
            HelpRequest.published_at <= now - TASK_AFTER,
            ~select(StaffTask.id)
            .where(
                StaffTask.request_id == HelpRequest.id,
                StaffTask.kind == TaskKind.REQUEST_UNMATCHED,
            )
            .exists(),
        )
        .order_by(HelpRequest.published_at)
        .limit(BATCH)
    ).all()
    made = 0
    for request in requests:
        made += (
            open_task(
                db,
                key=f"unmatched:{request.id}",
                kind=TaskKind.REQUEST_UNMATCHED,
                person=request.author,
                request=request,
            )
            is not None
        )
    db.commit()
    return made


def _ask(db: Session, now: datetime) -> int:
    """Ask the asker whether the request is still needed, once per 14 quiet days."""
    alive = _alive_since()
    # Not asked since the request last showed it is wanted.
    not_asked = HelpRequest.still_needed_asked_at.is_(None) | (
        HelpRequest.still_needed_asked_at < alive
    )
    # A blocked account gets no mail, so it is not asked while blocked. Only an asked request
    # expires: one not yet asked stays open until its asker is unblocked and asked; one asked
    # before the block still expires when its time comes (without the mail).
    due = (
        *_unmatched(),
        alive <= now - ASK_AFTER,
        not_asked,
        HelpRequest.author.has(User.blocked_at.is_(None)),
    )
    request_ids = db.scalars(
        select(HelpRequest.id).where(*due).order_by(HelpRequest.id).limit(BATCH)
    ).all()
    asked = 0
    for request_id in request_ids:
        if not claim(db, HelpRequest, request_id, *due, still_needed_asked_at=now):
            db.rollback()
            continue
        request = db.get(HelpRequest, request_id, populate_existing=True)  # as the claim left it
        author = request.author
        # Not optional: the request expires unless its asker answers, so they must be asked.
        asked += enqueue_once(
            db,
            key=f"still-needed:{request.id}:{now:%Y%m%d}",
            user=author,
            template="still_needed",
            kind="still_needed",
            item=request,
            expires_on=max(
                (request.still_needed_at or request.published_at) + EXPIRE_AFTER,
                now + ANSWER_WITHIN,
            ),
            links={a: answer_link("nog-nodig", request.id, author, a) for a in ("ja", "nee")},
        )
        db.commit()
    return asked


def _expire(db: Session, now: datetime) -> int:
    """Unanswered 16 days after the question and 30 days quiet: expire, and tell the asker."""
    alive = _alive_since()
    # Checked again in the claim: the asker's "ja" may land in between.
    due = (
        *_unmatched(),
        alive <= now - EXPIRE_AFTER,
        HelpRequest.still_needed_asked_at >= alive,
        # The asker has that long to answer, also when the question came late.
        HelpRequest.still_needed_asked_at <= now - ANSWER_WITHIN,
    )
    request_ids = db.scalars(
        select(HelpRequest.id).where(*due).order_by(HelpRequest.id).limit(BATCH)
    ).all()
    expired = 0
    for request_id in request_ids:
        if not claim(db, HelpRequest, request_id, *due, state=RequestState.EXPIRED):
            db.rollback()
            continue
        request = db.get(HelpRequest, request_id, populate_existing=True)  # as the claim left it
        # Volunteers who offered or were invited are no longer waiting for an answer; they
        # and the asker hear of it (a blocked asker gets no mail: see events.Tell).
        ended = end_matches(db, request, (MatchState.OFFERED, MatchState.INVITED), now)
        audit = record(db, None, "help_requests.expired", request)
        emit(db, "request_expired", audit, actor=None, request=request, ended=ended)
        db.commit()
        expired += 1
    return expired

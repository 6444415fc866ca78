"""Signed, expiring answer links, and the questions they answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.models import AuditEvent, User
from voorelkaar.urls import absolute_url

DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Answered:
    """What the link's own user already answered, and when."""

    label: str
    at: datetime


@dataclass(frozen=True)
class Question:
    """A question asked by email, answered with one click and one button."""

    # Which answers exist for the thing asked about, as (value, label).
    choices: Callable[[object], list[tuple[str, str]]]
    # The thing the question is about (a match, a request, a check-in), or None.
    load: Callable[[Session, int], object | None]
    # Apply an answer (and an optional note); returns the thank-you text to show.
    apply: Callable[[Session, object, User, str, str], str]
    # The template (under answers/) that shows the question about the thing.
    template: str
    # The user's answer to the question a link made at that moment asks, or None while open.
    answered: Callable[[Session, object, User, datetime], Answered | None]
    # Where someone who already answered goes on to, as (url, link text); in a request.
    onward: Callable[[object], tuple[str, str]]
    max_age: int = 30 * DAY
    with_note: bool = False


_QUESTIONS: dict[str, Question] = {}


def register_question(name: str, question: Question) -> None:
    """Let links named name ask question (features register theirs at app start)."""
    _QUESTIONS[name] = question


def questions() -> dict[str, Question]:
    """Every question by the name its links carry."""
    return _QUESTIONS


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="answer")


def answer_link(name: str, subject_id: int, user: User, answer: str) -> str:
    """Return the link that opens question name about subject_id with answer chosen."""
    return absolute_url("answers.answer", token=_token(name, subject_id, user), antwoord=answer)


def answer_path(name: str, subject_id: int, user: User) -> str:
    """The same question's page on the site, with no answer chosen yet (for the overview)."""
    return url_for("answers.answer", token=_token(name, subject_id, user))


def _token(name: str, subject_id: int, user: User) -> str:
    return _serializer().dumps([name, subject_id, user.id])


@dataclass(frozen=True)
class Asked:
    name: str
    question: Question
    subject: object
    user: User
    # Set when the question was already answered: the page then says so, and changes nothing.
    answered: Answered | None

    def answer_shown_to(self, viewer_id: int | None) -> Answered | None:
        """The earlier answer, for the link's own user logged in; None for anyone else.

        A link travels: forwarded, opened by a mail scanner, read by a housemate. What
        someone answered (a carer's "zwaar") is theirs, so only their login shows it.
        """
        return self.answered if viewer_id is not None and viewer_id == self.user.id else None


def read_link(db: Session, token: str) -> Asked | None:
    """What a link asks, of whom, and whether it was answered; None unless genuine and fresh."""
    try:
        (name, subject_id, user_id), signed_at = _serializer().loads(token, return_timestamp=True)
    except (BadSignature, ValueError, TypeError):
        return None
    question = questions().get(name)
    if question is None or not _fresh(signed_at, question.max_age):
        return None
    user = db.get(User, user_id)
    subject = question.load(db, subject_id)
    if user is None or subject is None or user.blocked_at is not None:
        return None
    answered = question.answered(db, subject, user, signed_at)
    return Asked(name, question, subject, user, answered)


def _fresh(signed_at: datetime, max_age: int) -> bool:
    """Whether a link is at most max_age seconds old, counted as itsdangerous counts it."""
    age = int(time.time()) - int(signed_at.timestamp())
    return 0 <= age <= max_age


def answered_since(
    db: Session, user: User, subject, labels: dict[str, str], since: datetime
) -> Answered | None:
    """The user's latest answer to subject since the moment given, from the audit trail.

    labels gives, for each audit action that records an answer, the answer's label.
    """
    event = db.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.actor_id == user.id,
            AuditEvent.subject_type == type(subject).__tablename__,
            AuditEvent.subject_id == subject.id,
            AuditEvent.action.in_(labels),
            AuditEvent.created_at >= since,
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    return Answered(labels[event.action], event.created_at) if event else None

"""Optional mail: the kinds a person may switch off, from settings or an email's link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from voorelkaar.db import utcnow
from voorelkaar.models import CarerProfile, User
from voorelkaar.urls import absolute_url


@dataclass(frozen=True)
class MailKind:
    label: object  # lazy text: what this kind of mail is
    wanted: Callable[[Session, User], bool]
    switch: Callable[[Session, User, bool], None]


def _column(name: str) -> tuple[Callable, Callable]:
    def wanted(_db: Session, user: User) -> bool:
        return getattr(user, name)

    def switch(_db: Session, user: User, on: bool) -> None:
        setattr(user, name, on)

    return wanted, switch


def _checkins_wanted(db: Session, user: User) -> bool:
    profile = db.get(CarerProfile, user.id)
    return profile is None or profile.paused_at is None


def _switch_checkins(db: Session, user: User, on: bool) -> None:
    profile = db.get(CarerProfile, user.id)
    if profile is not None:
        profile.paused_at = None if on else (profile.paused_at or utcnow())


# Everything else (password resets, confirmations, messages) is needed to use the site.
OPTIONAL = {
    "herinneringen": MailKind(
        _l("Herinneringen een dag voor een afspraak"), *_column("mail_reminders")
    ),
    "nabellen": MailKind(
        _l('Vragen na afloop van een afspraak ("Is het gelukt?")'),
        *_column("mail_followups"),
    ),
    "overzicht": MailKind(
        _l("Een wekelijks overzicht van nieuwe hulpvragen bij u in de buurt"),
        *_column("mail_digest"),
    ),
    "checkins": MailKind(
        _l("Af en toe de vraag hoe het met u gaat (voor mantelzorgers)"),
        _checkins_wanted,
        _switch_checkins,
    ),
}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_link(user: User, kind: str) -> str:
    """The link in an email that stops this kind of mail for user (it does not expire)."""
    if kind not in OPTIONAL:
        raise ValueError(f"not an optional kind of mail: {kind!r}")
    return absolute_url("mail.unsubscribe", token=_serializer().dumps([user.id, kind]))


def read_unsubscribe(db: Session, token: str) -> tuple[User, str] | None:
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or kind not in OPTIONAL:
        return None
    return user, kind

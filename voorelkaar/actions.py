"""Actie nodig: what waits on a person, gathered from every feature for their overview.

Features register a provider at app start: a function of (session, user) that returns
what waits on that user, read from the state of things (an offer still unanswered, a
check-in not yet answered), so that an item goes the moment it is done, wherever it was
done. This module imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from voorelkaar.models import User


@dataclass(frozen=True)
class Button:
    label: str
    url: str
    # A button that posts does the step at once (a form with the CSRF token and fields);
    # otherwise it is a link to the page where the step is done.
    post: bool = False
    fields: tuple[tuple[str, str], ...] = ()
    # Read by screen readers after the label, so that "Ja" says what it answers.
    context: str = ""


@dataclass(frozen=True)
class Action:
    """One thing waiting on someone, with its one button (and at most a second choice)."""

    text: str
    button: Button
    other: Button | None = None
    link: tuple[str, str] | None = None  # (label, url): where to read more first
    since: datetime | None = None  # how long it has waited: the oldest comes first


Provider = Callable[[Session, User], Iterable[Action]]

_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add what waits on people in a feature (called at app start; again is harmless)."""
    _PROVIDERS[name] = provider


def waiting_for(db: Session, user: User) -> list[Action]:
    """Everything waiting on user, the longest waiting first."""
    found = [action for provider in _PROVIDERS.values() for action in provider(db, user)]
    oldest = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda action: action.since or oldest)

"""What waits on staff: the tasks they hold, the tasks nobody holds, posts to review."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar import actions
from voorelkaar.actions import Action, Button
from voorelkaar.auth.access import is_staff
from voorelkaar.models import RequestState, StaffTask, User
from voorelkaar.moderation.services import POST_KINDS
from voorelkaar.tasks.forms import KIND_LABELS
from voorelkaar.tenancy import scoped

# The tasks someone holds are listed one by one up to this many; the rest by the list.
SHOWN = 5


def my_tasks(db: Session, user: User) -> list[Action]:
    """Open tasks this staff member took on, oldest first."""
    if not is_staff(user):
        return []
    tasks = db.scalars(
        scoped(db, select(StaffTask), StaffTask.municipality_id, user)
        .where(StaffTask.claimed_by_id == user.id, StaffTask.closed_at.is_(None))
        .order_by(StaffTask.created_at, StaffTask.id)
        .limit(SHOWN)
    )
    return [
        Action(
            text=_(
                "Uw taak: %(kind)s%(about)s.",
                kind=KIND_LABELS.get(task.kind, task.kind),
                about=f" ({task.person.name})" if task.person else "",
            ),
            button=Button(_("Verder met deze taak"), url_for("tasks.detail", task_id=task.id)),
            since=task.created_at,
        )
        for task in tasks
    ]


def waiting_tasks(db: Session, user: User) -> list[Action]:
    """How many open tasks nobody has taken on yet, and since when the oldest waits."""
    if not is_staff(user):
        return []
    query = select(func.count(StaffTask.id), func.min(StaffTask.created_at)).where(
        StaffTask.closed_at.is_(None), StaffTask.claimed_by_id.is_(None)
    )
    count, oldest = db.execute(scoped(db, query, StaffTask.municipality_id, user)).one()
    if not count:
        return []
    return [
        Action(
            text=ngettext(
                "Er wacht %(num)d taak op iemand die hem oppakt.",
                "Er wachten %(num)d taken op iemand die ze oppakt.",
                count,
            ),
            button=Button(_("Naar de takenlijst"), url_for("tasks.queue")),
            since=oldest,
        )
    ]


def posts_to_review(db: Session, user: User) -> list[Action]:
    """How many new posts wait for a coordinator before they go online."""
    if not is_staff(user):
        return []
    count, oldest = 0, None
    for kind in POST_KINDS.values():
        query = select(func.count(kind.model.id), func.min(kind.model.created_at)).where(
            kind.model.state == RequestState.PENDING
        )
        number, first = db.execute(scoped(db, query, kind.model.municipality_id, user)).one()
        count += number
        if first is not None and (oldest is None or first < oldest):
            oldest = first
    if not count:
        return []
    return [
        Action(
            text=ngettext(
                "Er wacht %(num)d bericht op controle.",
                "Er wachten %(num)d berichten op controle.",
                count,
            ),
            button=Button(_("Beoordelen"), url_for("moderation.queue")),
            since=oldest,
        )
    ]


def register() -> None:
    actions.register("tasks.mine", my_tasks)
    actions.register("tasks.waiting", waiting_tasks)
    actions.register("moderation.posts", posts_to_review)

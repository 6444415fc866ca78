"""One person's whole record for staff, each look at it written to the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth.access import staff_of
from voorelkaar.carers.services import health_note_shown, history
from voorelkaar.forms import clean_text
from voorelkaar.models import (
    CarerProfile,
    Checkin,
    ContactKind,
    ContactNote,
    HelpRequest,
    Match,
    Referral,
    StaffTask,
    User,
)
from voorelkaar.tenancy import serves

CONTACT_NOTE_MAX = 2000
VIEWED = "records.viewed"
# Why the record was shown, as written in the audit trail (in Dutch, like the log).
REASON_PAGE = "personenpagina"
FROM_TASK = re.compile(r"^taak-(\d{1,10})$")


class RecordError(Exception):
    """Something staff tried on a person's record that cannot be done."""


class NotStaff(RecordError):
    pass


class InvalidContactNote(RecordError, ValueError):
    pass


@dataclass(frozen=True)
class PersonRecord:
    person: User
    requests: list[HelpRequest]
    matches_as_volunteer: list[Match]
    matches_as_asker: list[Match]
    carer: CarerProfile | None
    checkins: list[Checkin]
    health_note: str | None
    referrals: list[Referral]
    contact_notes: list[ContactNote]
    open_tasks: list[StaffTask]
    closed_tasks: list[StaffTask]


def person_for(db: Session, viewer: User, user_id: int) -> User | None:
    """A person of viewer's municipalities, or None (shown as 404)."""
    person = db.get(User, user_id)
    return person if person is not None and serves(db, viewer, person.municipality_id) else None


def task_for(db: Session, person: User, task_id: int | str | None) -> StaffTask | None:
    """The task with this id, only when it is about this person."""
    try:
        number = int(task_id) if task_id not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if number is None:
        return None
    task = db.get(StaffTask, number)
    return task if task is not None and task.person_id == person.id else None


def reason_for(db: Session, person: User, why: str | None) -> str:
    """Why the record is shown: "taak 12" when opened from a task about them, else the page."""
    found = FROM_TASK.match(why or "")
    task = task_for(db, person, found.group(1)) if found else None
    return f"taak {task.id}" if task is not None else REASON_PAGE


def _check_staff(actor: User, person: User) -> None:
    if not staff_of(actor, person.municipality_id):
        raise NotStaff("only staff see a person's record")


def view_record(db: Session, viewer: User, person: User, reason: str) -> PersonRecord:
    """Everything about person on one page; writes one audit row and commits it."""
    _check_staff(viewer, person)
    record(db, viewer, VIEWED, person, reason)
    db.commit()
    return load_record(db, person)


def load_record(db: Session, person: User) -> PersonRecord:
    """The person's requests, matches, carer details, referrals, contacts and tasks."""
    carer = db.get(CarerProfile, person.id)
    tasks = list(
        db.scalars(
            select(StaffTask)
            .where(StaffTask.person_id == person.id)
            .order_by(StaffTask.created_at.desc(), StaffTask.id.desc())
        ).unique()
    )
    return PersonRecord(
        person=person,
        requests=list(
            db.scalars(
                select(HelpRequest)
                .where(HelpRequest.author_id == person.id)
                .order_by(HelpRequest.id.desc())
            ).unique()
        ),
        matches_as_volunteer=list(
            db.scalars(
                select(Match).where(Match.volunteer_id == person.id).order_by(Match.id.desc())
            ).unique()
        ),
        matches_as_asker=list(
            db.scalars(
                select(Match)
                .join(HelpRequest, HelpRequest.id == Match.request_id)
                .where(HelpRequest.author_id == person.id)
                .order_by(Match.id.desc())
            ).unique()
        ),
        carer=carer,
        checkins=history(db, person.id),
        health_note=health_note_shown(carer),
        referrals=list(
            db.scalars(
                select(Referral)
                .where(Referral.account_id == person.id)
                .order_by(Referral.created_at.desc(), Referral.id.desc())
            ).unique()
        ),
        contact_notes=contact_notes(db, person),
        open_tasks=[task for task in tasks if task.closed_at is None],
        closed_tasks=[task for task in tasks if task.closed_at is not None],
    )


def contact_notes(db: Session, person: User, task: StaffTask | None = None) -> list[ContactNote]:
    """Contacts with the person, newest first (only those of one task, when given)."""
    query = select(ContactNote).where(ContactNote.person_id == person.id)
    if task is not None:
        query = query.where(ContactNote.task_id == task.id)
    return list(
        db.scalars(query.order_by(ContactNote.created_at.desc(), ContactNote.id.desc())).unique()
    )


def add_contact_note(
    db: Session,
    author: User,
    person: User,
    kind: ContactKind,
    body: str,
    task: StaffTask | None = None,
) -> ContactNote:
    """Write down a phone call or home visit on the person's record; commits."""
    _check_staff(author, person)
    text = clean_text(body or "")
    if not text or len(text) > CONTACT_NOTE_MAX:
        raise InvalidContactNote("a contact note needs 1 to 2000 characters")
    if task is not None and task.person_id != person.id:
        raise InvalidContactNote("the task is about someone else")
    note = ContactNote(
        person_id=person.id,
        author_id=author.id,
        task_id=task.id if task is not None else None,
        kind=ContactKind(kind),
        body=text,
    )
    db.add(note)
    db.flush()
    # What was said may be about health: the append-only log does not copy it.
    record(db, author, "contact_notes.added", note)
    db.commit()
    return note

"""Take a caller in by phone: their record, their request and the call, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth.access import is_staff
from voorelkaar.forms import clean_text
from voorelkaar.help_requests.services import RequestDetails, add_request
from voorelkaar.models import (
    ContactKind,
    ContactNote,
    HelpRequest,
    PostedFor,
    Role,
    StaffTask,
    TaskKind,
    User,
    UserRole,
)
from voorelkaar.people import services as people
from voorelkaar.people.services import ContactDetails, new_record
from voorelkaar.tenancy import serves

# With an email, the caller can choose a password later through "Wachtwoord vergeten".
NO_PASSWORD = people.NO_PASSWORD
CALL_TAKEN = "users.taken_in_by_phone"


class IntakeError(Exception):
    """Something in a phone intake that cannot be done; the view says why."""


@dataclass(frozen=True)
class Caller:
    """What staff type about the caller."""

    name: str
    phone: str
    postcode: str
    house_number: str
    street: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Intake:
    person: User
    note: ContactNote
    request: HelpRequest | None
    new_person: bool


def known_person(db: Session, phone: str | None, email: str | None) -> User | None:
    """Someone already on file with this phone number or email address, if any."""
    clauses = []
    if phone:
        clauses.append(User.phone == phone)
    if email:
        clauses.append(func.lower(User.email) == email.strip().lower())
    if not clauses:
        return None
    return db.scalar(
        select(User).where(or_(*clauses), User.anonymised_at.is_(None)).order_by(User.id).limit(1)
    )


def _new_person(db: Session, caller: Caller) -> User:
    """The caller's record: the same record staff make from "Nieuwe persoon zonder account"."""
    return new_record(
        db,
        ContactDetails(
            name=caller.name,
            phone=caller.phone,
            postcode=caller.postcode,
            house_number=caller.house_number,
            street=caller.street,
            email=caller.email,
        ),
    )


def take_call(
    db: Session,
    staff: User,
    *,
    caller: Caller | None = None,
    person: User | None = None,
    details: RequestDetails | None = None,
    note: str = "",
) -> Intake:
    """Make the caller's record (or use person, already known), post their request when
    details are given, and write the call down as a contact note; one commit for all.

    The request is the caller's own (they hear of everything as its asker: by call or
    letter when they have no email), posted and published by staff: it does not wait in
    staff's own review queue, and nobody is mailed that it is online.
    """
    if not is_staff(staff):
        raise IntakeError("only staff take calls")
    if (caller is None) == (person is None):
        raise IntakeError("a new caller or a known person, not both")
    if person is not None and not serves(db, staff, person.municipality_id):
        raise IntakeError("not someone this staff member serves")
    new_person = person is None
    if person is None:
        person = _new_person(db, caller)
        record(db, staff, CALL_TAKEN, person=person)
    request = None
    if details is not None:
        if not person.has_role(Role.RESIDENT, Role.CARER, Role.VOLUNTEER, Role.ORGANISATION):
            person.roles.append(UserRole(role=Role.RESIDENT))
        details.posted_for = PostedFor.SELF
        request = add_request(db, person, details, posted_by=staff)
    text = clean_text(note or "") or "Telefonisch aangemeld via het telefoonformulier."
    if request is not None:
        text += f"\nHulpvraag geplaatst: {request.title}"
    note_row = ContactNote(
        person_id=person.id, author_id=staff.id, kind=ContactKind.PHONE, body=text[:2000]
    )
    db.add(note_row)
    db.flush()
    record(db, staff, "contact_notes.added", note_row)
    db.commit()
    return Intake(person=person, note=note_row, request=request, new_person=new_person)


def letter_task(db: Session, viewer: User, task_id: int) -> StaffTask | None:
    """A call task whose message can be printed as a letter, if viewer serves its person."""
    task = db.get(StaffTask, task_id)
    if task is None or task.kind != TaskKind.CALL_PERSON or task.person is None:
        return None
    if not serves(db, viewer, task.municipality_id or task.person.municipality_id):
        return None
    return task

"""One person's whole record for staff, each look at it written to the audit trail."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.audit import record
from voorelkaar.auth.access import may_act_on, staff_of
from voorelkaar.carers.services import health_note_shown, history
from voorelkaar.forms import clean_text
from voorelkaar.models import (
    CarerProfile,
    Checkin,
    ContactKind,
    ContactNote,
    HelpRequest,
    Match,
    MatchState,
    Referral,
    Role,
    StaffTask,
    User,
    UserRole,
)
from voorelkaar.network.services import members_of
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.tenancy import serves

CONTACT_NOTE_MAX = 2000
CONTACT_MINUTES_MAX = 600
CONTACT_EDITED = "people.contact_edited"
RECENT_MATCHES = 5
# Nobody logs in with this: it is no hash of any password. A record made by staff (by
# phone or from the person page) carries it until the person sets a password themselves.
NO_PASSWORD = "!telefoon"  # noqa: S105 - a marker, not a password
# The contact fields, and how the audit trail names them (field names only, never values).
CONTACT_FIELDS = {
    "name": "naam",
    "email": "e-mailadres",
    "phone": "telefoon",
    "postcode": "postcode",
    "house_number": "huisnummer",
    "street": "straat",
}
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


class EmailTaken(RecordError):
    """Another account already has this email address."""


@dataclass(frozen=True)
class ContactDetails:
    """A person's contact details as staff type them (already checked by the form)."""

    name: str
    phone: str | None
    postcode: str
    house_number: str
    street: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class VolunteerFacts:
    """What a volunteer offers and what they did before."""

    done_count: int
    hours: float
    recent: list[Match]


def has_login(person: User) -> bool:
    """Whether the person can log in: a record made by staff cannot until they set a password."""
    return person.password_hash != NO_PASSWORD and person.email is not None


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
    volunteer: VolunteerFacts | None


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


def view_network(db: Session, viewer: User, person: User, reason: str) -> list:
    """The person's own network, for staff with a reason; writes the audit row and commits."""
    _check_staff(viewer, person)
    record(db, viewer, "network.viewed", person, reason)
    db.commit()
    return members_of(db, person)


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
                .where(
                    or_(HelpRequest.author_id == person.id, HelpRequest.resident_id == person.id)
                )
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
                .where(
                    or_(HelpRequest.author_id == person.id, HelpRequest.resident_id == person.id)
                )
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
        volunteer=volunteer_facts(db, person) if person.has_role(Role.VOLUNTEER) else None,
    )


def volunteer_facts(db: Session, person: User) -> VolunteerFacts:
    """How often the volunteer helped, the hours recorded, and their last few matches."""
    done = Match.volunteer_id == person.id, Match.state == MatchState.DONE
    count, hours = db.execute(
        select(func.count(Match.id), func.sum(Match.hours)).where(*done)
    ).one()
    recent = db.scalars(
        select(Match)
        .where(
            Match.volunteer_id == person.id,
            Match.state.in_((MatchState.CONFIRMED, MatchState.DONE)),
        )
        .order_by(Match.confirmed_at.desc(), Match.id.desc())
        .limit(RECENT_MATCHES)
    ).unique()
    return VolunteerFacts(done_count=count or 0, hours=float(hours or 0), recent=list(recent))


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
    minutes: int | None = None,
) -> ContactNote:
    """Write down a phone call or home visit on the person's record; commits."""
    _check_staff(author, person)
    text = clean_text(body or "")
    if not text or len(text) > CONTACT_NOTE_MAX:
        raise InvalidContactNote("a contact note needs 1 to 2000 characters")
    if task is not None and task.person_id != person.id:
        raise InvalidContactNote("the task is about someone else")
    if minutes is not None and not 1 <= minutes <= CONTACT_MINUTES_MAX:
        raise InvalidContactNote("a contact takes 1 to 600 minutes")
    note = ContactNote(
        person_id=person.id,
        author_id=author.id,
        task_id=task.id if task is not None else None,
        kind=ContactKind(kind),
        body=text,
        minutes=minutes,
    )
    db.add(note)
    db.flush()
    # What was said may be about health: the append-only log does not copy it.
    record(db, author, "contact_notes.added", note)
    db.commit()
    return note


def may_edit_contact(actor: User, person: User) -> bool:
    """Staff of the person's municipality; someone of the back office only by an admin."""
    return may_act_on(actor, person)


def email_in_use(db: Session, email: str | None, person: User | None = None) -> bool:
    """Whether another account already has this email address."""
    if not email:
        return False
    query = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if person is not None:
        query = query.where(User.id != person.id)
    return db.scalar(query.limit(1)) is not None


def _place(db: Session, person: User, postcode: str) -> None:
    area = geo.locate(postcode)
    person.postcode = geo.normalise_postcode(postcode)
    person.pc4, person.lat, person.lon = area.pc4, area.lat, area.lon
    person.neighbourhood = neighbourhood_for(db, person.postcode)


def update_contact(db: Session, actor: User, person: User, details: ContactDetails) -> list[str]:
    """Correct a person's contact details; the audit row names the fields, not the values.

    Returns the Dutch names of the fields that changed (none: nothing is written); commits.
    """
    if not may_edit_contact(actor, person):
        raise NotStaff("only staff of the person's municipality change their details")
    wanted = {
        "name": details.name.strip(),
        "email": (details.email or "").strip().lower() or None,
        "phone": details.phone or None,
        "postcode": geo.normalise_postcode(details.postcode),
        "house_number": details.house_number.strip().upper(),
        "street": (details.street or "").strip() or None,
    }
    changed = [name for name, value in wanted.items() if getattr(person, name) != value]
    if not changed:
        return []
    if "email" in changed and email_in_use(db, wanted["email"], person):
        raise EmailTaken("another account has this email address")
    for name in changed:
        if name == "postcode":
            _place(db, person, wanted["postcode"])
        else:
            setattr(person, name, wanted[name])
    fields = [CONTACT_FIELDS[name] for name in changed]
    record(db, actor, CONTACT_EDITED, person, "gewijzigd: " + ", ".join(fields))
    db.commit()
    return fields


def new_record(db: Session, details: ContactDetails) -> User:
    """A resident's record without an account (no password; email only if they have one).

    Shared by the phone intake and "Nieuwe persoon zonder account"; the caller audits
    and commits.
    """
    person = User(
        email=(details.email or "").strip().lower() or None,
        name=details.name.strip(),
        password_hash=NO_PASSWORD,
        postcode=geo.normalise_postcode(details.postcode),
        house_number=details.house_number.strip().upper(),
        street=(details.street or "").strip() or None,
        phone=details.phone or None,
        roles=[UserRole(role=Role.RESIDENT)],
    )
    _place(db, person, details.postcode)
    db.add(person)
    db.flush()
    return person


RECORD_MADE = "people.record_made"


def add_record(db: Session, staff: User, details: ContactDetails) -> User:
    """Make a record for a resident without an account, in staff's municipality; commits."""
    if email_in_use(db, details.email):
        raise EmailTaken("another account has this email address")
    person = new_record(db, details)
    if not staff_of(staff, person.municipality_id):
        db.rollback()
        raise NotStaff("the address lies outside staff's municipalities")
    record(db, staff, RECORD_MADE, person)
    db.commit()
    return person

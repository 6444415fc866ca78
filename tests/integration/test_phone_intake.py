"""Phone intake: a caller taken in by phone, and everyone without email hears of things
by a staff call task (or a printed letter), never by mail to nobody."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.test_help_requests import next_weekday
from voorelkaar import events
from voorelkaar.audit import record
from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    ContactNote,
    HelpRequest,
    Match,
    MatchState,
    OutboxMessage,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
    User,
)


def without_email(db, user: User, phone: str = "+31522123456") -> User:
    user.email = None
    user.phone = phone
    db.commit()
    return user


def count(db, model, *where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def call_tasks(db, person: User) -> list[StaffTask]:
    db.expire_all()
    return list(
        db.scalars(
            select(StaffTask).where(
                StaffTask.kind == TaskKind.CALL_PERSON, StaffTask.person_id == person.id
            )
        )
    )


def intake_data(**changes) -> dict:
    data = {
        "name": "Mevrouw Aaltje Mulder",
        "phone": "0522 123456",
        "email": "",
        "postcode": "7941 BK",
        "house_number": "12",
        "street": "Kerkstraat",
        "note": "Belde over boodschappen.",
        "with_request": "y",
        "category": "boodschappen",
        "title": "Boodschappen doen",
        "description": "Elke dinsdag naar de Jumbo.",
        "schedule": "once",
        "day": next_weekday(1).strftime("%d-%m-%Y"),
        "start_time": "14:00",
        "end_time": "15:00",
        "volunteers_needed": "1",
        "vog": "no",
    }
    data.update(changes)
    return data


@pytest.fixture
def in_request(app):
    """The test runs as inside a request: events render mail and links."""
    with app.test_request_context():
        yield


@pytest.fixture
def staff_in(auth, staff):
    auth.login(staff.email)
    return staff


def test_every_event_kind_reaches_someone_without_email_as_a_call_task(
    db, in_request, make_user, make_request
):
    """Each kind in the table of consequences, told to people without email: each one who
    would have been mailed gets a call task with the message, and no mail goes to nobody."""
    asker = without_email(db, make_user(Role.RESIDENT, name="Aaltje Mulder"), "+31522111111")
    helper = without_email(db, make_user(Role.VOLUNTEER, name="Sanne de Vries"), "+31522222222")
    other = without_email(db, make_user(Role.VOLUNTEER, name="Kees Smit"), "+31522333333")
    kinds = sorted(events._CONSEQUENCES)
    assert {"offer_made", "match_confirmed", "request_withdrawn"} <= set(kinds)
    missed = []
    for number, kind in enumerate(kinds):
        item = make_request(asker, title=f"Vraag {number}", postcode="7941 BK")
        match = Match(
            request=item,
            volunteer=helper,
            state=MatchState.CONFIRMED,
            invited_by=other,
            offered_at=utcnow() - timedelta(days=8),
        )
        ended = Match(request=item, volunteer=other, state=MatchState.DECLINED)
        db.add_all([match, ended])
        db.flush()
        audit = record(db, None, f"test.{kind}", item)
        db.flush()
        before = {user.id: len(call_tasks(db, user)) for user in (asker, helper, other)}
        events.emit(
            db, kind, audit, actor=None, request=item, match=match, reason="x", ended=[ended]
        )
        db.commit()
        told = {
            user.id
            for user in (asker, helper, other)
            if len(call_tasks(db, user)) > before[user.id]
        }
        # Whom the table says to mail, for this event.
        event = events.Event(
            kind=kind, id=audit.id, actor=None, request=item, match=match, ended=(ended,)
        )
        wanted = set()
        for consequence in events.consequences(kind):
            if isinstance(consequence, events.Tell) and consequence.mail:
                wanted |= {p.id for p in consequence.to(event) if p is not None}
            if isinstance(consequence, events.OpenTask) and consequence.when(event):
                person = consequence.person(event)
                wanted_task = db.scalar(
                    select(StaffTask.id).where(
                        StaffTask.kind == consequence.kind, StaffTask.person_id == person.id
                    )
                )
                if wanted_task is None:
                    missed.append((kind, "no staff task"))
        if told != wanted:
            missed.append((kind, sorted(wanted - told)))
    assert not missed
    assert count(db, OutboxMessage, OutboxMessage.to_address.is_(None)) == 0
    assert count(db, OutboxMessage) == 0
    # Each task says what the mail would have said, and to whom.
    task = call_tasks(db, asker)[0]
    assert task.detail.strip() and "Aaltje" in task.detail


def test_the_same_event_told_twice_makes_one_call_task(db, in_request, make_user, make_request):
    asker = without_email(db, make_user(Role.RESIDENT, name="Aaltje Mulder"))
    helper = make_user(Role.VOLUNTEER, name="Sanne de Vries")
    item = make_request(asker, title="Boodschappen", postcode="7941 BK")
    match = Match(request=item, volunteer=helper, state=MatchState.OFFERED, offered_at=utcnow())
    db.add(match)
    db.flush()
    audit = record(db, helper, "matches.offered", match)
    db.flush()
    for _twice in range(2):
        events.emit(db, "offer_made", audit, actor=helper, request=item, match=match)
        db.commit()
    assert len(call_tasks(db, asker)) == 1
    assert count(db, OutboxMessage, OutboxMessage.user_id == asker.id) == 0


def test_a_caller_without_email_is_taken_in_with_request_and_note_once(client, forms, db, staff_in):
    fill = forms.fill("/telefoon/nieuw", intake_data())
    first = client.post("/telefoon/nieuw", data=fill)
    assert first.status_code == 302, first.get_data(as_text=True)
    again = client.post("/telefoon/nieuw", data=fill)  # a double click: the same token
    assert again.status_code == 302
    assert again.location == first.location.split("#")[0] + "#contact" or again.location
    person = db.scalar(select(User).where(User.name == "Mevrouw Aaltje Mulder"))
    assert count(db, User, User.name == "Mevrouw Aaltje Mulder") == 1
    assert person.email is None and person.phone == "+31522123456"
    assert person.has_role(Role.RESIDENT)
    (item,) = db.scalars(select(HelpRequest).where(HelpRequest.author_id == person.id)).all()
    # Staff posted it: online at once, not in their own review queue, nobody mailed.
    assert item.state == RequestState.OPEN and item.street == "Kerkstraat"
    assert count(db, OutboxMessage) == 0
    (note,) = db.scalars(select(ContactNote).where(ContactNote.person_id == person.id)).all()
    assert "boodschappen" in note.body and note.author_id == staff_in.id
    assert count(db, AuditEvent, AuditEvent.action == "users.taken_in_by_phone") == 1
    page = client.get(f"/mensen/{person.id}").get_data(as_text=True)
    assert "geen e-mailadres" in page and "None" not in page


def test_without_a_request_only_the_caller_is_asked(client, forms, db, staff_in):
    data = intake_data(with_request="", title="", description="", category="", street="")
    response = forms.post("/telefoon/nieuw", {k: v for k, v in data.items() if k != "with_request"})
    assert response.status_code == 302
    person = db.scalar(select(User).where(User.name == "Mevrouw Aaltje Mulder"))
    assert count(db, HelpRequest, HelpRequest.author_id == person.id) == 0
    assert count(db, ContactNote, ContactNote.person_id == person.id) == 1


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, forms, db, staff_in):
    response = forms.post("/telefoon/nieuw", intake_data(phone="12", title=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul een geldig telefoonnummer in" in page
    assert "Geef uw hulpvraag een korte titel" in page
    assert 'value="Mevrouw Aaltje Mulder"' in page and "Elke dinsdag naar de Jumbo." in page
    assert count(db, User, User.name == "Mevrouw Aaltje Mulder") == 0


def test_a_known_phone_is_offered_not_made_twice(client, forms, db, staff_in, make_user):
    known = without_email(db, make_user(Role.RESIDENT, name="Aaltje Mulder"))
    response = forms.post("/telefoon/nieuw", intake_data())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "kennen wij al" in page and f"/mensen/{known.id}" in page
    assert count(db, User, User.name == "Mevrouw Aaltje Mulder") == 0
    # Going on with the known person: their request and note, no new person.
    response = forms.post("/telefoon/nieuw", intake_data(doorgaan_met=str(known.id)))
    assert response.status_code == 302
    assert count(db, HelpRequest, HelpRequest.author_id == known.id) == 1
    assert count(db, ContactNote, ContactNote.person_id == known.id) == 1
    assert count(db, User, User.phone == "+31522123456") == 1


def test_a_known_email_is_offered_too(client, forms, db, staff_in, resident):
    response = forms.post("/telefoon/nieuw", intake_data(email=resident.email.upper()))
    assert "kennen wij al" in response.get_data(as_text=True)


def test_the_call_task_offers_a_letter_and_staff_close_it(
    client, forms, db, staff_in, make_user, make_request, app
):
    asker = without_email(db, make_user(Role.RESIDENT, name="Aaltje Mulder"))
    helper = make_user(Role.VOLUNTEER, name="Sanne de Vries")
    item = make_request(asker, title="Boodschappen", postcode="7941 BK")
    match = Match(request=item, volunteer=helper, state=MatchState.CONFIRMED, offered_at=utcnow())
    db.add(match)
    db.flush()
    audit = record(db, staff_in, "matches.confirmed", match)
    db.flush()
    with app.test_request_context():
        events.emit(db, "match_confirmed", audit, actor=staff_in, request=item, match=match)
    db.commit()
    (task,) = call_tasks(db, asker)
    page = client.get(f"/taken/{task.id}").get_data(as_text=True)
    assert "Sanne" in page and f"/telefoon/brief/{task.id}" in page
    letter = client.get(f"/telefoon/brief/{task.id}").get_data(as_text=True)
    assert "Aaltje Mulder" in letter and "Sanne" in letter and 'class="letter"' in letter
    response = forms.post(
        f"/taken/{task.id}/afsluiten", {"outcome": "Gebeld, ze weet het."}, page=f"/taken/{task.id}"
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(StaffTask, task.id).closed_at is not None


def test_the_letter_is_only_for_call_tasks(client, db, staff_in, make_user):
    person = make_user(Role.RESIDENT)
    task = StaffTask(key="x:1", kind=TaskKind.MATCH_FAILED, person=person)
    db.add(task)
    db.commit()
    assert client.get(f"/telefoon/brief/{task.id}").status_code == 404
    assert client.get("/telefoon/brief/999999").status_code == 404


def test_someone_without_email_can_be_erased(db, in_request, make_user):
    from voorelkaar.account.services import anonymise_account

    person = without_email(db, make_user(Role.RESIDENT, name="Aaltje Mulder"))
    anonymise_account(db, person, utcnow())
    db.commit()
    assert db.get(User, person.id).anonymised_at is not None


def test_a_job_mailing_directly_gives_someone_without_email_a_call_task_once(
    db, in_request, make_user, make_request
):
    """Mail queued by a job ("Is het gelukt?") goes the same way as an event's."""
    from voorelkaar.matches.jobs import send_followups

    asker = without_email(db, make_user(Role.RESIDENT, name="Aaltje Mulder"))
    helper = make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    item = make_request(asker, title="Boodschappen", postcode="7941 BK")
    match = Match(
        request=item,
        volunteer=helper,
        state=MatchState.CONFIRMED,
        followup_after=utcnow() - timedelta(hours=1),
    )
    db.add(match)
    db.commit()
    send_followups(db, utcnow())
    send_followups(db, utcnow())
    (task,) = call_tasks(db, asker)
    assert "Sanne" in task.detail or "Boodschappen" in task.detail
    assert "Meld u hier af" not in task.detail
    assert [m.to_address for m in db.scalars(select(OutboxMessage))] == ["sanne@example.nl"]


def test_a_caller_taken_in_with_email_cannot_log_in_until_they_choose_a_password(
    client, forms, db, staff_in, auth
):
    forms.post("/telefoon/nieuw", intake_data(email="Aaltje@Example.nl", with_request=""))
    person = db.scalar(select(User).where(User.email == "aaltje@example.nl"))
    assert person is not None and person.phone == "+31522123456"
    auth.logout()
    response = forms.post("/login", {"email": "aaltje@example.nl", "password": "!telefoon"})
    assert response.status_code in (200, 422)  # refused, with the form again; no error
    response = forms.post("/wachtwoord-vergeten", {"email": "aaltje@example.nl"})
    assert response.status_code in (200, 302)


def test_a_caller_without_email_stays_while_staff_keep_in_touch(db, in_app, make_user, staff):
    """They cannot log in to keep their account: a contact with staff counts instead, and
    the warning itself reaches staff as a call task."""
    from datetime import UTC, datetime

    import time_machine
    from dateutil.relativedelta import relativedelta

    from voorelkaar.account.jobs import apply_retention
    from voorelkaar.models import ContactKind

    start = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        kept = without_email(db, make_user(Role.RESIDENT, name="Aaltje Mulder"), "+31522111111")
        gone = without_email(db, make_user(Role.RESIDENT, name="Gerrit Weg"), "+31522222222")

    def retention(at):
        with time_machine.travel(at, tick=False), in_app(), in_app().app.test_request_context():
            return apply_retention(db, at)

    warned_at = start + relativedelta(months=23, days=1)
    retention(warned_at)
    assert len(call_tasks(db, kept)) == 1 and len(call_tasks(db, gone)) == 1
    with time_machine.travel(warned_at + timedelta(days=3), tick=False):
        db.add(
            ContactNote(
                person_id=kept.id, author_id=staff.id, kind=ContactKind.PHONE, body="Gebeld."
            )
        )
        db.commit()
    retention(start + relativedelta(months=24, days=2))
    db.expire_all()
    assert db.get(User, kept.id).anonymised_at is None
    assert db.get(User, gone.id).anonymised_at is not None

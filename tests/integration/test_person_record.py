"""The person page as a record: staff correct contact details (audited), start a request
for the person with their address, write down contacts with their length, see what a
volunteer offers and did; and a record for a resident without an account."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.test_help_requests import next_weekday
from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    AuditNote,
    ContactNote,
    HelpRequest,
    Match,
    MatchState,
    OutboxMessage,
    PostedFor,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
    User,
    VolunteerSlot,
)


def count(db, model, *where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def staff_in(auth, staff):
    auth.login(staff.email)
    return staff


@pytest.fixture
def person(make_user, db):
    """A resident of Meppel with a phone and a street, living elsewhere than the staff member."""
    user = make_user(
        Role.RESIDENT, email="aaltje@example.nl", name="Aaltje Mulder", postcode="7942 JA"
    )
    user.phone, user.street, user.house_number = "+31522123456", "Dorpsstraat", "8"
    db.commit()
    return user


def contact_data(person: User, **changes) -> dict:
    data = {
        "name": person.name,
        "email": person.email or "",
        "phone": person.phone or "",
        "postcode": person.postcode,
        "house_number": person.house_number,
        "street": person.street or "",
    }
    data.update(changes)
    return data


def request_data(**changes) -> dict:
    data = {
        "posted_for": "resident",
        "resident_name": "Aaltje Mulder",
        "resident_contact": "0522 123456",
        "consent_date": date.today().strftime("%d-%m-%Y"),
        "category": "boodschappen",
        "title": "Boodschappen doen",
        "description": "Elke week naar de Jumbo.",
        "schedule": "once",
        "day": next_weekday(1).strftime("%d-%m-%Y"),
        "start_time": "14:00",
        "end_time": "15:00",
        "postcode": "7942 JA",
        "house_number": "8",
        "street": "Dorpsstraat",
        "volunteers_needed": "1",
        "vog": "no",
    }
    data.update(changes)
    return data


def test_staff_correct_a_phone_and_address_and_the_log_names_the_fields_not_the_values(
    client, forms, db, staff_in, person
):
    url = f"/mensen/{person.id}/gegevens"
    response = forms.post(
        url, contact_data(person, phone="06 12345678", postcode="7943 KA", house_number="3")
    )
    assert response.status_code == 302
    db.expire_all()
    assert person.phone == "+31612345678" and person.postcode == "7943 KA"
    assert person.house_number == "3" and person.pc4 == "7943"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "people.contact_edited"))
    assert event.actor_id == staff_in.id and event.person_id == person.id
    note = db.scalar(select(AuditNote.text).where(AuditNote.event_id == event.id))
    assert "telefoon" in note and "postcode" in note and "huisnummer" in note
    assert "612345678" not in note and "7943" not in note and "naam" not in note
    # Saving again without a change writes nothing.
    forms.post(url, contact_data(person))
    assert count(db, AuditEvent, AuditEvent.action == "people.contact_edited") == 1


def test_a_wrong_phone_an_unknown_postcode_or_a_taken_email_is_refused_and_kept(
    client, forms, db, staff_in, person, volunteer
):
    url = f"/mensen/{person.id}/gegevens"
    response = forms.post(url, contact_data(person, phone="12", name="Aaltje Mulder-Smit"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul een geldig telefoonnummer in" in page and 'value="Aaltje Mulder-Smit"' in page
    page = forms.post(url, contact_data(person, postcode="0000 AA")).get_data(as_text=True)
    assert "postcode" in page.lower() and 'value="0000 AA"' in page
    page = forms.post(url, contact_data(person, email=volunteer.email)).get_data(as_text=True)
    assert "hoort al bij een ander account" in page
    db.expire_all()
    assert person.phone == "+31522123456" and person.name == "Aaltje Mulder"
    assert count(db, AuditEvent, AuditEvent.action == "people.contact_edited") == 0


def test_a_request_for_the_person_has_their_address_and_is_online_at_once_without_self_approval_mail(
    client, forms, db, staff_in, person, in_app
):
    with in_app():
        staff_in.street = "Hoofdstraat"
        db.commit()
    url = f"/hulpvragen/nieuw?voor_persoon={person.id}"
    form = client.get(url).get_data(as_text=True)
    # The resident's address is filled in, not the coordinator's; the text talks to staff.
    assert 'value="7942 JA"' in form and 'value="Dorpsstraat"' in form
    assert 'value="7941 AB"' not in form and "Hoofdstraat" not in form
    assert "nooit uw adres" not in form and "Aaltje Mulder" in form
    response = forms.post(url, request_data(resident_shares_contact="y"))
    assert response.status_code == 302, response.get_data(as_text=True)
    item = db.scalar(select(HelpRequest))
    assert item.state == RequestState.OPEN and item.resident_id == person.id
    assert (item.postcode, item.house_number) == ("7942 JA", "8")
    assert item.resident_shares_contact
    mails = db.scalars(select(OutboxMessage)).all()
    assert [m.user_id for m in mails] == [person.id]  # the resident, not the staff member
    assert "Uw hulpvraag staat online" in mails[0].subject
    assert "Fatima El Amrani" in mails[0].body_text
    page = client.get(f"/mensen/{person.id}").get_data(as_text=True)
    assert "Boodschappen doen" in page and "online, zoekt een vrijwilliger" in page


def test_a_person_without_email_gets_a_call_task_that_their_request_is_online(
    client, forms, db, staff_in, person
):
    person.email = None
    db.commit()
    url = f"/hulpvragen/nieuw?voor_persoon={person.id}"
    assert forms.post(url, request_data()).status_code == 302
    assert count(db, OutboxMessage) == 0
    task = db.scalar(select(StaffTask).where(StaffTask.person_id == person.id))
    assert task.kind == TaskKind.CALL_PERSON and "Boodschappen doen" in task.detail


def test_a_consultant_s_post_for_a_resident_is_online_without_waiting(
    client, auth, forms, db, consultant
):
    auth.login(consultant.email)
    response = forms.post("/hulpvragen/nieuw", request_data())
    assert response.status_code == 302, response.get_data(as_text=True)
    item = db.scalar(select(HelpRequest))
    assert item.state == RequestState.OPEN and item.posted_for == PostedFor.RESIDENT
    assert count(db, OutboxMessage, OutboxMessage.user_id == consultant.id) == 0


def test_the_on_behalf_form_does_not_fill_in_the_coordinator_s_own_address(client, staff_in):
    page = client.get("/hulpvragen/nieuw").get_data(as_text=True)
    assert 'value="7941 AB"' not in page
    assert "niet uw eigen adres" in page and "nooit uw adres" not in page
    assert "De inwoner vindt het goed dat de vrijwilliger naam en telefoonnummer ziet" in page


def test_a_contact_note_keeps_its_channel_and_minutes(client, forms, db, staff_in, person):
    url = f"/mensen/{person.id}/contact"
    page_url = f"/mensen/{person.id}"
    bad = forms.post(
        url, {"kind": "e-mail", "minutes": "veel", "body": "Mail gestuurd."}, page=page_url
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "met cijfers" in page and "Mail gestuurd." in page
    response = forms.post(
        url, {"kind": "huisbezoek", "minutes": "45", "body": "Koffie gedronken."}, page=page_url
    )
    assert response.status_code == 302
    note = db.scalar(select(ContactNote))
    assert note.minutes == 45 and note.kind.value == "huisbezoek"
    page = client.get(page_url).get_data(as_text=True)
    assert "Huisbezoek</strong>, 45 minuten" in page


def test_a_volunteer_page_shows_skills_availability_travel_vog_and_what_they_did(
    client, db, staff_in, volunteer, resident, make_request
):
    volunteer.skills = "boodschappen, wandelen"
    volunteer.travel_km = 7.5
    volunteer.vog_valid_until = date.today() + timedelta(days=100)
    volunteer.slots.append(
        VolunteerSlot(
            weekday=1,
            start_time=time(14),
            end_time=time(17),
        )
    )
    db.commit()
    done = make_request(resident, title="Naar de markt", postcode="7941 BK")
    later = make_request(resident, title="Wandelen in het park", postcode="7941 BK")
    db.add_all(
        [
            Match(
                request=done,
                volunteer=volunteer,
                state=MatchState.DONE,
                hours=2,
                confirmed_at=utcnow() - timedelta(days=9),
            ),
            Match(
                request=later,
                volunteer=volunteer,
                state=MatchState.CONFIRMED,
                confirmed_at=utcnow(),
            ),
        ]
    )
    db.commit()
    page = client.get(f"/mensen/{volunteer.id}").get_data(as_text=True)
    assert "boodschappen, wandelen" in page and "dinsdag 14:00–17:00" in page
    assert "tot 7,5 km" in page and "geldig tot en met" in page
    assert "1 keer" in page and "2 uur" in page
    assert "Naar de markt" in page and "Wandelen in het park" in page


def test_the_page_lists_open_tasks_each_naming_its_request(
    client, db, staff_in, resident, make_request
):
    first = make_request(resident, title="Boodschappen", postcode="7941 BK")
    second = make_request(resident, title="Tuin", postcode="7941 BK")
    for item in (first, second):
        db.add(
            StaffTask(
                key=f"stale:{item.id}",
                kind=TaskKind.REQUEST_UNMATCHED,
                person_id=resident.id,
                request_id=item.id,
                detail="x",
            )
        )
    db.commit()
    page = client.get(f"/mensen/{resident.id}").get_data(as_text=True)
    assert page.count("Over hulpvraag") == 2
    assert f'/hulpvragen/{first.id}">Boodschappen</a>' in page
    assert f'/hulpvragen/{second.id}">Tuin</a>' in page


def test_staff_make_a_record_without_account_once_and_it_shows_so(client, forms, db, staff_in):
    data = {
        "name": "Meneer Jan Kok",
        "phone": "0522 654321",
        "email": "",
        "postcode": "7941 BK",
        "house_number": "4",
        "street": "",
    }
    fill = forms.fill("/mensen/nieuw", data)
    first = client.post("/mensen/nieuw", data=fill)
    assert first.status_code == 302
    assert client.post("/mensen/nieuw", data=fill).location == first.location  # double click
    person = db.scalar(select(User).where(User.name == "Meneer Jan Kok"))
    assert count(db, User, User.name == "Meneer Jan Kok") == 1
    assert (
        person.email is None and person.phone == "+31522654321" and person.has_role(Role.RESIDENT)
    )
    assert count(db, AuditEvent, AuditEvent.action == "people.record_made") == 1
    page = client.get(first.location).get_data(as_text=True)
    assert "geen account, bereikbaar via telefoon" in page
    # The phone intake finds the same record rather than making a second one.
    again = forms.post("/mensen/nieuw", {**data, "name": "J. Kok"})
    assert again.status_code == 200 and "Bekijk de pagina van Meneer Jan Kok" in again.get_data(
        as_text=True
    )
    intake = forms.post(
        "/telefoon/nieuw", {**data, "note": "Belde terug.", "name": "J. Kok"}
    ).get_data(as_text=True)
    assert "Meneer Jan Kok" in intake
    assert count(db, User, User.phone == "+31522654321") == 1


def test_a_record_form_keeps_what_was_typed_when_the_phone_is_wrong(client, forms, staff_in):
    response = forms.post(
        "/mensen/nieuw",
        {"name": "Meneer Jan Kok", "phone": "12", "postcode": "7941 BK", "house_number": "4"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul een geldig telefoonnummer in" in page and 'value="Meneer Jan Kok"' in page


def test_staff_of_another_municipality_cannot_see_edit_or_post_for_the_person(
    app, db, make_user, westerveld, person
):
    from tests.conftest import AuthActions, Forms

    other = make_user(
        Role.STAFF, email="havelte@example.nl", name="Staf Havelte", postcode="7971 AB"
    )
    client = app.test_client()
    AuthActions(Forms(client)).login(other.email)
    assert client.get(f"/mensen/{person.id}").status_code == 404
    assert client.get(f"/mensen/{person.id}/gegevens").status_code == 404
    response = Forms(client).post(
        f"/mensen/{person.id}/gegevens",
        contact_data(person, phone="06 12345678"),
        page="/telefoon/nieuw",
    )
    assert response.status_code == 404
    assert client.get(f"/hulpvragen/nieuw?voor_persoon={person.id}").status_code == 404
    db.expire_all()
    assert person.phone == "+31522123456"
    assert count(db, AuditEvent, AuditEvent.action == "people.contact_edited") == 0

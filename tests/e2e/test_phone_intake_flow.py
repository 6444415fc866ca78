"""A caller without email, taken in by phone, gets a volunteer; every step that would have
mailed them reaches staff as a task to call (or a letter to print), in a real browser."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.e2e.test_help_request_flow import log_in, log_out
from voorelkaar.models import (
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

pytestmark = pytest.mark.e2e


def next_tuesday() -> date:
    today = date.today()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def call_tasks(db, person_id: int) -> list[StaffTask]:
    db.expire_all()
    return list(
        db.scalars(
            select(StaffTask)
            .where(StaffTask.kind == TaskKind.CALL_PERSON, StaffTask.person_id == person_id)
            .order_by(StaffTask.id)
        )
    )


def test_a_caller_without_email_is_taken_in_by_phone_and_hears_everything_by_call(
    visit, make_user, db
):
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries", postcode="7941 BK")
    page = visit.page

    # Staff take the call: the caller's record and request in one form.
    log_in(visit, "staf@example.nl")
    visit.goto("/telefoon/nieuw")
    page.get_by_label("Naam van de beller").fill("Aaltje Mulder")
    page.get_by_label("Telefoonnummer").fill("0522 123456")
    page.get_by_label("Postcode").fill("7941 BK")
    page.get_by_label("Huisnummer").fill("12")
    page.get_by_label("Straat (niet verplicht)").fill("Kerkstraat")
    page.get_by_label("Wat is er besproken? (niet verplicht)").fill("Belde voor boodschappen.")
    page.get_by_label("De beller vraagt hulp: plaats de hulpvraag nu").check()
    page.get_by_label("Soort hulp").select_option("boodschappen")
    page.get_by_label("Korte titel").fill("Boodschappen doen")
    page.get_by_label("Beschrijving").fill("Naar de Jumbo, met een lijstje.")
    page.get_by_label("Datum", exact=True).fill(next_tuesday().isoformat())
    page.get_by_label("Begintijd").fill("14:00")
    page.get_by_label("Eindtijd").fill("15:00")
    visit.submit("Opslaan")
    assert "Aaltje Mulder is aangemeld. De hulpvraag staat online." in page.content()
    caller = db.scalar(select(User).where(User.name == "Aaltje Mulder"))
    assert caller.email is None and caller.phone == "+31522123456"
    item = db.scalar(select(HelpRequest).where(HelpRequest.author_id == caller.id))
    assert item.state == RequestState.OPEN
    log_out(visit)

    # A volunteer offers help: the caller would have been mailed.
    log_in(visit, "sanne@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    visit.submit("Ik help")
    log_out(visit)
    (offer_task,) = call_tasks(db, caller.id)
    assert "Sanne" in offer_task.detail

    # Staff see the call task in their queue, and accept the offer on the caller's behalf.
    log_in(visit, "staf@example.nl")
    visit.goto("/taken")
    assert "Bellen of brief sturen" in page.content()
    assert "Bel Aaltje Mulder op +31522123456: Sanne" in page.content()
    visit.goto(f"/hulpvragen/{item.id}")
    visit.submit("Ja, Sanne mag helpen")
    db.expire_all()
    match = db.scalar(select(Match).where(Match.request_id == item.id))
    assert match.state == MatchState.CONFIRMED
    tasks = call_tasks(db, caller.id)
    assert len(tasks) == 2 and "Sanne" in tasks[1].detail

    # Each task: read the message, print it as a letter, call, and close it with a note.
    for task in tasks:
        visit.goto(f"/taken/{task.id}")
        assert "0522" in page.content() or "+31522123456" in page.content()
        visit.goto(f"/telefoon/brief/{task.id}")
        assert "Aaltje Mulder" in page.content() and "Kerkstraat 12" in page.content()
        visit.goto(f"/taken/{task.id}")
        page.get_by_label("Wat heeft u gedaan?").fill("Mevrouw Mulder gebeld en het verteld.")
        visit.submit("Opslaan en afsluiten")
    assert all(task.closed_at for task in call_tasks(db, caller.id))

    # Nobody's mail went to nobody; the volunteer was mailed as usual.
    db.expire_all()
    mail = list(db.scalars(select(OutboxMessage)))
    assert not [m for m in mail if m.user_id == caller.id or m.to_address is None]
    assert any(m.to_address == "sanne@example.nl" for m in mail)


def test_the_intake_form_with_errors_and_a_known_caller_passes_axe(visit, make_user, db):
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    known = make_user(Role.RESIDENT, email="aaltje@example.nl", name="Aaltje Mulder")
    known.phone = "+31522123456"
    db.commit()
    page = visit.page
    page.set_viewport_size({"width": 320, "height": 800})
    log_in(visit, "staf@example.nl")
    visit.goto("/telefoon/nieuw")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_label("Naam van de beller").fill("Aaltje Mulder")
    visit.submit("Opslaan")  # no phone, no address: the messages, and the name kept
    assert "Vul het telefoonnummer in" in page.content()
    assert page.get_by_label("Naam van de beller").input_value() == "Aaltje Mulder"
    page.get_by_label("Telefoonnummer").fill("0522 123456")
    page.get_by_label("Postcode").fill("7941 BK")
    page.get_by_label("Huisnummer").fill("12")
    visit.submit("Opslaan")
    assert "kennen wij al" in page.content()
    visit.submit("Ga verder met Aaltje Mulder")
    assert "Het telefoongesprek met Aaltje Mulder is opgeslagen." in page.content()
    db.expire_all()
    assert len(db.scalars(select(User).where(User.name == "Aaltje Mulder")).all()) == 1

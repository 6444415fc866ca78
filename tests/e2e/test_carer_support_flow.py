"""Carer support in a real browser: "zwaar", the staff follow-up with a phone call, and the
carer's own care situation with a health note under consent; axe on every page."""

import re

import pytest
from sqlalchemy import select

from tests.e2e.test_checkin_flow import _send_checkin
from tests.e2e.test_help_request_flow import log_in, log_out
from voorelkaar.models import (
    AuditEvent,
    CarerProfile,
    ContactKind,
    ContactNote,
    Role,
    StaffTask,
    TaskKind,
)

pytestmark = pytest.mark.e2e


def open_filters(page):
    """The task list folds its filters away; open them as a keyboard or mouse user would."""
    details = page.locator("details", has=page.locator("summary", has_text="Filters en volgorde"))
    if details.get_attribute("open") is None:
        details.locator("summary").click()


CALL = "Henk gebeld. Zijn dochter komt twee avonden per week. Over 2 weken bel ik weer."


def test_zwaar_reaches_staff_who_call_write_it_down_and_close_and_the_carer_sees_the_checkin(
    smtp, visit, live_server, make_user, db
):
    app, _ = live_server
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    carer = make_user(Role.CARER, email="henk@example.nl", name="Henk Bakker")
    _send_checkin(app, carer)
    (message,) = smtp.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    heavy_link = next(line for line in text.splitlines() if "antwoord=zwaar" in line).strip()

    page = visit.page
    page.goto(heavy_link)
    visit.assert_accessible()
    page.get_by_label("Wilt u er iets over vertellen? (mag leeg blijven)").fill("Ik ben op.")
    visit.submit("Antwoord versturen")
    assert "Een medewerker neemt binnenkort contact met u op." in page.content()

    # Staff find the task in the queue, also when they filter on its kind.
    log_in(visit, "staf@example.nl")
    page.get_by_role("link", name=re.compile(r"^Takenlijst \(1 open\)$")).click()
    visit.assert_accessible()
    open_filters(page)
    page.get_by_label("Soort taak").select_option(label="Mantelzorger heeft het zwaar")
    page.get_by_label("Hoe oud?").select_option(label="Ouder dan 7 dagen")
    visit.submit("Tonen")
    assert "0 open taken" in page.content()
    open_filters(page)
    page.get_by_label("Hoe oud?").select_option(label="Alle taken")
    visit.submit("Tonen")
    assert "1 open taak" in page.content()
    page.get_by_role("link", name="Mantelzorger heeft het zwaar").click()
    visit.assert_accessible()
    assert "Ik ben op." in page.content()

    # The whole story on one page; the look is logged.
    page.get_by_role("link", name="Alles over Henk Bakker op één pagina").click()
    visit.assert_accessible()
    assert "henk@example.nl" in page.content() and "Ik ben op." in page.content()
    db.expire_all()
    task = db.scalar(select(StaffTask))
    viewed = db.scalar(select(AuditEvent).where(AuditEvent.action == "records.viewed"))
    assert viewed.subject_id == carer.id and viewed.reason == f"taak {task.id}"
    page.go_back()
    visit.assert_accessible()

    # A phone call, written down on the task and the carer's record.
    visit.submit("Contact opslaan")
    assert "Kies wat voor contact het was." in page.content()
    page.get_by_label("Telefoongesprek").check()
    page.get_by_label("Wat is er besproken?").fill(CALL)
    visit.submit("Contact opslaan")
    assert "Het contact is opgeslagen." in page.content()
    assert CALL in page.content()
    page.get_by_label("Wat heeft u gedaan?").fill("Gebeld; dochter helpt. Zie het contact.")
    visit.submit("Opslaan en afsluiten")
    assert "De taak is afgesloten." in page.content()
    assert "0 open taken" in page.content()

    db.expire_all()
    note = db.scalar(select(ContactNote))
    assert (note.kind, note.body, note.task_id) == (ContactKind.PHONE, CALL, task.id)
    task = db.get(StaffTask, task.id)
    assert task.kind == TaskKind.CHECKIN_HEAVY and task.closed_at is not None
    log_out(visit)

    # The carer sees the check-in in their history.
    log_in(visit, "henk@example.nl")
    page.get_by_role("link", name="Hoe gaat het met u?").click()
    visit.assert_accessible()
    history = page.get_by_role("table").inner_text()
    assert "Zwaar" in history and "Ik ben op." in history


def test_a_carer_records_their_care_situation_and_a_health_note_only_with_consent(
    visit, make_user, db
):
    carer = make_user(Role.CARER, email="henk@example.nl", name="Henk Bakker")
    page = visit.page
    log_in(visit, "henk@example.nl")
    visit.goto("/mantelzorg")
    page.get_by_role("link", name="Uw zorgsituatie invullen").click()
    visit.assert_accessible()

    page.get_by_label("Voor wie zorgt u? (alleen de voornaam)").fill("Anna")
    page.get_by_label("Wat is deze persoon van u?").fill("mijn vrouw")
    page.get_by_label("Wat doet u voor deze persoon?").fill("Koken en wassen.")
    page.get_by_label("Hoeveel uur per week zorgt u ongeveer?").fill("200")
    visit.submit("Zorgsituatie opslaan")
    assert "Vul een aantal uren in van 0 tot en met 168." in page.content()
    page.get_by_label("Hoeveel uur per week zorgt u ongeveer?").fill("25")
    visit.submit("Zorgsituatie opslaan")
    assert "Uw zorgsituatie is opgeslagen." in page.content()

    consent = page.get_by_role("checkbox")
    assert not consent.is_checked()
    page.get_by_label("Notitie over gezondheid", exact=True).fill("Anna heeft dementie.")
    visit.submit("Notitie opslaan")
    assert "Zet een vinkje bij de toestemming." in page.content()
    assert (
        page.get_by_label("Notitie over gezondheid", exact=True).input_value()
        == "Anna heeft dementie."
    )
    db.expire_all()
    assert db.get(CarerProfile, carer.id).health_note is None

    page.get_by_role("checkbox").check()
    visit.submit("Notitie opslaan")
    assert "Uw notitie is opgeslagen, met uw toestemming." in page.content()
    db.expire_all()
    profile = db.get(CarerProfile, carer.id)
    assert profile.health_note == "Anna heeft dementie." and profile.health_consent_at
    assert profile.care_hours_per_week == 25

    visit.submit("Toestemming intrekken en notitie wissen")
    assert "De notitie is gewist." in page.content()
    db.expire_all()
    assert db.get(CarerProfile, carer.id).health_note is None
    page.get_by_role("link", name="Terug naar: Hoe gaat het met u?").click()
    visit.assert_accessible()
    assert "Anna (mijn vrouw)" in page.content()

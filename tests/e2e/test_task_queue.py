"""The staff queue in a real browser: find a task, take it on, say what was done, close it."""

import re
from datetime import date

import pytest

from tests.e2e.test_help_request_flow import log_in
from voorelkaar.db import utcnow
from voorelkaar.models import Checkin, CheckinAnswer, Role, TaskKind
from voorelkaar.tasks.services import open_task

pytestmark = pytest.mark.e2e


@pytest.fixture
def queue(db, make_user, make_request):
    """A coordinator, a request nobody took for 7 days, and a carer who has it hard."""
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    asker = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    item = make_request(asker, title="Boodschappen op dinsdag", postcode="7941 AB")
    carer = make_user(Role.CARER, email="henk@example.nl", name="Henk Bakker")
    heavy = Checkin(
        carer=carer,
        due_on=date(2026, 2, 2),
        answer=CheckinAnswer.HEAVY,
        answered_at=utcnow(),
        note="Ik slaap slecht.",
    )
    db.add(heavy)
    db.flush()
    open_task(db, key="unmatched:1", kind=TaskKind.REQUEST_UNMATCHED, person=asker, request=item)
    open_task(db, key="heavy:1", kind=TaskKind.CHECKIN_HEAVY, person=carer, checkin=heavy)
    db.commit()


def test_staff_take_on_a_task_record_what_they_did_and_close_it(visit, queue):
    page = visit.page
    log_in(visit, "staf@example.nl")
    page.get_by_role("link", name=re.compile(r"^Takenlijst \(2 open\)$")).click()
    visit.assert_accessible()
    assert "2 open taken" in page.content()

    page.get_by_role("link", name="Mantelzorger heeft het zwaar").click()
    visit.assert_accessible()
    assert "Ik slaap slecht." in page.content() and "henk@example.nl" in page.content()
    page.get_by_role("link", name="Terug naar de takenlijst").click()
    visit.assert_accessible()

    page.get_by_role("link", name="Hulpvraag 7 dagen zonder vrijwilliger").click()
    visit.assert_accessible()
    assert "riek@example.nl" in page.content()
    visit.submit("Taak oppakken")
    assert "U heeft deze taak opgepakt." in page.content()

    visit.submit("Opslaan en afsluiten")
    assert "Schrijf kort wat u heeft gedaan." in page.content()
    page.get_by_label("Wat heeft u gedaan?").fill("Riek gebeld. Haar buurvrouw helpt nu.")
    visit.submit("Opslaan en afsluiten")
    assert "De taak is afgesloten." in page.content()
    assert "1 open taak" in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Afgesloten", exact=True).click()
    visit.assert_accessible()
    assert "1 afgesloten taak" in page.content()
    page.get_by_role("link", name="Hulpvraag 7 dagen zonder vrijwilliger").click()
    visit.assert_accessible()
    assert "Riek gebeld. Haar buurvrouw helpt nu." in page.content()


def test_the_queue_works_with_the_keyboard_alone(visit, queue):
    page = visit.page
    log_in(visit, "staf@example.nl")
    visit.goto("/taken")

    def press_enter_on(locator):
        locator.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        visit.assert_accessible()

    press_enter_on(page.get_by_role("link", name="Mantelzorger heeft het zwaar"))
    press_enter_on(page.get_by_role("button", name="Taak oppakken"))
    assert "U heeft deze taak opgepakt." in page.content()
    page.get_by_label("Wat heeft u gedaan?").focus()
    page.keyboard.type("Henk gebeld; respijtzorg geregeld.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Opslaan en afsluiten"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit.assert_accessible()
    assert "De taak is afgesloten." in page.content()


def test_a_long_queue_pages_forward_and_back_with_the_keyboard(visit, queue, db, make_user):
    person = make_user(Role.RESIDENT, email="lang@example.nl", name="Lange Lijst")
    for number in range(55):
        open_task(db, key=f"lang:{number}", kind=TaskKind.MAIL_FAILED, person=person)
    db.commit()
    page = visit.page
    log_in(visit, "staf@example.nl")
    visit.goto("/taken")
    visit.assert_accessible()
    pager = page.get_by_role("navigation", name="Paginering")
    assert "Pagina 1 van 2" in pager.inner_text()

    def press_enter_on(locator):
        locator.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        visit.assert_accessible()

    press_enter_on(pager.get_by_role("link", name="Volgende"))
    assert "Pagina 2 van 2" in pager.inner_text()
    assert pager.get_by_role("link", name="Volgende").count() == 0
    press_enter_on(pager.get_by_role("link", name="Vorige"))
    assert "Pagina 1 van 2" in pager.inner_text()
    assert page.get_by_role("link", name="Mantelzorger heeft het zwaar").count() == 1

"""A carer's check-in: the email, the "zwaar" link, a note, and their own page, with axe."""

from datetime import datetime

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.e2e.test_help_request_flow import log_in
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import Checkin, CheckinAnswer, Role, StaffTask, TaskKind

pytestmark = pytest.mark.e2e


def _send_checkin(app, carer) -> None:
    from voorelkaar.carers import services
    from voorelkaar.carers.jobs import run_checkins
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.notify import dispatch_outbox

    # Due today; the job sends from 09:00 Amsterdam time, so run it at 09:00 or later.
    today = services.local_today(utcnow())
    moment = max(utcnow(), datetime.combine(today, services.SEND_FROM, AMSTERDAM))
    with app.app_context():
        session = get_session()
        profile = services.profile_for(session, session.merge(carer), moment)
        profile.next_checkin_on = today
        session.commit()
        assert run_checkins(session, moment) == 1
        dispatch_outbox(session, max(moment, utcnow()))


def test_a_carer_answers_zwaar_from_the_email_adds_a_note_and_sees_it_on_their_page(
    smtp, visit, live_server, make_user, db
):
    app, _ = live_server
    carer = make_user(Role.CARER, email="henk@example.nl", name="Henk Bakker")
    _send_checkin(app, carer)
    (message,) = smtp.wait_for(1)
    assert message["To"] == "henk@example.nl"
    assert message["Subject"] == "Hoe gaat het met u?"
    text = message.get_body(("plain",)).get_content()
    heavy_link = next(line for line in text.splitlines() if "antwoord=zwaar" in line).strip()

    page = visit.page
    page.goto(heavy_link)  # no login needed; the answer is chosen, nothing is stored yet
    visit.assert_accessible()
    assert page.get_by_label("Zwaar").is_checked()
    db.expire_all()
    assert db.scalar(select(Checkin.answered_at)) is None
    note = "Mijn vrouw slaapt 's nachts slecht. Ik ben erg moe."
    page.get_by_label("Wilt u er iets over vertellen? (mag leeg blijven)").fill(note)
    visit.submit("Antwoord versturen")
    assert "Een medewerker neemt binnenkort contact met u op." in page.content()

    db.expire_all()
    checkin = db.scalar(select(Checkin))
    assert checkin.answer == CheckinAnswer.HEAVY and checkin.note == note
    task = db.scalar(select(StaffTask))
    assert task.kind == TaskKind.CHECKIN_HEAVY and task.person_id == carer.id
    assert note not in task.detail  # staff read the note from the check-in itself

    # The same link once more, as someone does who forgot they clicked it: a kind page that
    # tells whoever holds the link only that it was answered.
    good_link = next(line for line in text.splitlines() if "antwoord=goed" in line).strip()
    page.goto(good_link)
    visit.assert_accessible()
    assert page.get_by_role("heading", level=1).inner_text() == "Deze vraag is al beantwoord"
    assert "Zwaar" not in page.get_by_role("main").inner_text()
    assert page.get_by_role("button", name="Antwoord versturen").count() == 0
    assert note not in page.content()

    # Logging in from there leads back to the link, which then shows the answer.
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name="Inloggen").click()
    page.get_by_label("E-mailadres").fill("henk@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    visit.submit("Inloggen")
    assert page.get_by_role("heading", level=1).inner_text() == "U heeft deze vraag al beantwoord"
    assert "antwoordde u: Zwaar" in page.get_by_role("main").inner_text()
    assert page.get_by_role("button", name="Antwoord versturen").count() == 0
    assert note not in page.content()
    db.expire_all()
    assert db.scalar(select(Checkin.answer)) == CheckinAnswer.HEAVY

    with page.expect_navigation():
        page.get_by_role("link", name="Bekijk al uw antwoorden").click()
    assert page.url.endswith("/mantelzorg")
    visit.assert_accessible()
    history = page.get_by_role("table")
    assert "Zwaar" in history.inner_text()
    assert "Ik ben erg moe." in history.inner_text()
    assert page.get_by_label("Elke 4 weken").is_checked()

    page.get_by_label("Elke 2 weken").check()
    visit.submit("Opslaan")
    assert "U krijgt de vraag nu elke 2 weken." in page.content()
    visit.submit("Op pauze zetten")
    assert "U heeft de vraag gepauzeerd" in page.content()
    visit.submit("De vraag weer aanzetten")
    assert "De volgende vraag krijgt u op" in page.content()


def test_a_carer_answers_the_open_checkin_on_their_page_and_is_told_what_is_missing(
    smtp, visit, live_server, make_user, db
):
    app, _ = live_server
    carer = make_user(Role.CARER, email="henk@example.nl", name="Henk Bakker")
    _send_checkin(app, carer)
    smtp.wait_for(1)

    page = visit.page
    log_in(visit, "henk@example.nl")
    visit.goto("/mantelzorg")
    assert "U heeft nog niet geantwoord" in page.content()
    visit.submit("Antwoord versturen")
    assert "Kies een antwoord." in page.content()
    page.get_by_label("Het gaat").check()
    page.get_by_label("Wilt u er iets over vertellen? (mag leeg blijven)").fill("Wisselend.")
    visit.submit("Antwoord versturen")
    assert "Dank u wel voor uw antwoord." in page.content()
    assert "U heeft nog niet geantwoord" not in page.content()
    assert "Wisselend." in page.get_by_role("table").inner_text()
    db.expire_all()
    assert db.scalar(select(Checkin.answer)) == CheckinAnswer.COPING

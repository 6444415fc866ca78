"""Check-ins with carers: sent at 09:00 Amsterdam time, reminded once, followed up by staff.

The job runs under a controlled clock (time-machine) and its email goes to a real SMTP
server (aiosmtpd). Tests that need mail list `smtp` first, so the app is built to use it.
"""

import html
import re
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, update

from tests.conftest import PASSWORD, csrf_token_from
from voorelkaar.account.services import delete_account
from voorelkaar.carers import services
from voorelkaar.carers.jobs import run_checkins
from voorelkaar.db import get_session
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import (
    CarerProfile,
    Checkin,
    CheckinAnswer,
    OutboxMessage,
    Role,
    StaffTask,
    TaskKind,
)
from voorelkaar.notify import dispatch_outbox

LINK = re.compile(r"http://localhost(/antwoord/\S+\?antwoord=(\w+))")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in Amsterdam time."""
    return datetime.combine(day, time(hour, minute), AMSTERDAM)


@pytest.fixture
def clock():
    """A stopped clock, moved by the test (time-machine)."""
    with time_machine.travel(datetime(2027, 1, 4, 12, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def run(app, db, clock):
    """Move the clock to a moment, run the check-in job and the dispatcher; returns emails queued."""

    def run_at(moment: datetime) -> int:
        clock.move_to(moment)
        with app.app_context():
            queued = run_checkins(db, moment)
            dispatch_outbox(db, moment)
        return queued

    return run_at


def due(db, carer, day: date, weeks: int = 4) -> CarerProfile:
    """Give carer a profile whose next check-in is on day."""
    profile = services.profile_for(db, carer, at(day, 0) - timedelta(weeks=weeks))
    profile.cadence_weeks = weeks
    profile.next_checkin_on = day
    db.commit()
    return profile


def answer_paths(message) -> dict[str, str]:
    """The three answer links in an email's text, by answer, as paths on the site."""
    text = message.get_body(("plain",)).get_content()
    return {answer: path for path, answer in LINK.findall(text)}


def checkins(db) -> list[Checkin]:
    db.expire_all()
    return list(db.scalars(select(Checkin).order_by(Checkin.id)))


def tasks(db) -> list[StaffTask]:
    db.expire_all()
    return list(db.scalars(select(StaffTask).order_by(StaffTask.id)))


def answer_by_link(client, path: str, answer: str, note: str = ""):
    page = client.get(path)
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "antwoord": answer, "note": note})


def task_page(client, auth, reader, task: StaffTask) -> str:
    """The task's page as the staff member reader sees it, as text (quotes unescaped)."""
    auth.login(reader.email)
    response = client.get(f"/taken/{task.id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


# Sending at 09:00 local time ------------------------------------------------------------


def test_a_checkin_is_sent_at_nine_not_a_minute_earlier_and_only_once(smtp, run, db, carer):
    day = date(2027, 2, 10)
    due(db, carer, day)
    assert run(at(day, 8, 59)) == 0
    assert run(at(day, 9, 0)) == 1
    assert run(at(day, 9, 5)) == 0
    assert run(at(day, 17, 0)) == 0
    (message,) = smtp.wait_for(1)
    assert len(smtp.messages) == 1
    assert message["To"] == "mantelzorger@example.nl"
    assert message["Subject"] == "Hoe gaat het met u?"
    assert message["List-Unsubscribe"]
    assert message.get_body(("html",)) is not None
    assert set(answer_paths(message)) == {"goed", "gaat", "zwaar"}
    (checkin,) = checkins(db)
    assert checkin.due_on == day and checkin.sent_at == datetime(2027, 2, 10, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(date(2027, 3, 28), 7), (date(2027, 10, 31), 8)],
    ids=["last-sunday-of-march", "last-sunday-of-october"],
)
def test_on_the_days_the_clocks_change_the_checkin_goes_out_once_at_nine_local(
    smtp, run, db, carer, day, utc_hour
):
    due(db, carer, day)
    moment = at(day, 0).astimezone(UTC)
    end = at(day + timedelta(days=1), 0).astimezone(UTC)
    hours = (end - moment) / timedelta(hours=1)
    assert hours == (23 if day.month == 3 else 25)  # really a day with a clock change
    sent_at = []
    while moment < end:
        if run(moment):
            sent_at.append(moment)
        moment += timedelta(minutes=15)
    assert sent_at == [datetime.combine(day, time(utc_hour), UTC)]
    smtp.wait_for(1)
    assert len(smtp.messages) == 1
    (checkin,) = checkins(db)
    assert checkin.sent_at.astimezone(AMSTERDAM).time() == time(9)
    row = db.scalar(select(OutboxMessage))
    assert row.sent_at == datetime.combine(day, time(utc_hour), UTC)


def test_a_new_carer_is_first_asked_one_cadence_after_joining(smtp, run, db, carer):
    joined = date(2027, 1, 4)
    assert run(at(joined, 10)) == 0
    profile = db.get(CarerProfile, carer.id)
    assert profile.cadence_weeks == 4 and profile.paused_at is None
    assert profile.next_checkin_on == joined + timedelta(weeks=4)
    assert run(at(joined + timedelta(weeks=4) - timedelta(days=1), 10)) == 0
    assert run(at(joined + timedelta(weeks=4), 9)) == 1
    db.refresh(profile)
    assert profile.next_checkin_on == joined + timedelta(weeks=8)


def test_every_two_weeks_means_every_two_weeks(smtp, run, db, carer):
    first = date(2027, 2, 1)
    due(db, carer, first, weeks=2)
    for n in range(43):
        run(at(first + timedelta(days=n), 9, 30))
    assert [c.due_on for c in checkins(db)] == [first + timedelta(weeks=w) for w in (0, 2, 4, 6)]


def test_a_paused_carer_is_not_asked_and_a_long_pause_does_not_send_a_burst(smtp, run, db, carer):
    from voorelkaar.notify.preferences import OPTIONAL

    first = date(2027, 2, 1)
    due(db, carer, first, weeks=2)
    # Unsubscribing from the email pauses the check-ins, and switching them on resumes.
    OPTIONAL["checkins"].switch(db, carer, False)
    db.commit()
    assert not any(run(at(first + timedelta(days=n), 10)) for n in range(0, 70, 3))
    back = first + timedelta(days=70)
    OPTIONAL["checkins"].switch(db, carer, True)
    db.commit()
    for n in range(15):
        run(at(back + timedelta(days=n), 10))
    # One question now (not five for the weeks missed), then on the next date of the cadence.
    assert [c.due_on for c in checkins(db)] == [back, back + timedelta(days=14)]


def test_blocked_carers_and_former_carers_are_not_asked(smtp, run, db, carer, make_user):
    from voorelkaar.models import UserRole

    day = date(2027, 2, 10)
    due(db, carer, day)
    former = make_user(Role.CARER, email="oud@example.nl")
    due(db, former, day)
    carer.blocked_at = at(day, 0)
    db.execute(UserRole.__table__.delete().where(UserRole.user_id == former.id))
    db.commit()
    assert run(at(day, 10)) == 0
    assert checkins(db) == []


def test_running_the_job_again_after_a_crash_sends_nothing_twice(smtp, app, db, carer, clock):
    day = date(2027, 2, 10)
    due(db, carer, day)
    moment = at(day, 9, 30)
    clock.move_to(moment)
    with app.app_context():
        assert run_checkins(db, moment) == 1
        assert run_checkins(db, moment) == 0
        assert run_checkins(db, moment + timedelta(hours=3)) == 0
    assert db.scalar(select(func.count(OutboxMessage.id))) == 1
    key = db.scalar(select(OutboxMessage.idempotency_key))
    assert key == f"checkin:{carer.id}:{day.isoformat()}"


# Reminder and silence ---------------------------------------------------------------------


def test_no_answer_in_seven_days_gives_one_reminder_then_a_staff_task(
    smtp, run, db, carer, staff, auth, client
):
    day = date(2027, 2, 10)
    due(db, carer, day)
    assert run(at(day, 9)) == 1
    assert run(at(day + timedelta(days=6), 23)) == 0
    assert run(at(day + timedelta(days=7), 9)) == 1
    assert run(at(day + timedelta(days=7), 12)) == 0
    first, reminder = smtp.wait_for(2)
    assert reminder["Subject"] == "Herinnering: hoe gaat het met u?"
    assert set(answer_paths(reminder)) == {"goed", "gaat", "zwaar"}
    (checkin,) = checkins(db)
    assert checkin.reminded_at == at(day + timedelta(days=7), 9)
    assert tasks(db) == []

    assert run(at(day + timedelta(days=13), 12)) == 0
    assert tasks(db) == []
    assert run(at(day + timedelta(days=14), 9)) == 0
    assert run(at(day + timedelta(days=15), 9)) == 0
    (task,) = tasks(db)
    assert task.kind == TaskKind.CHECKIN_SILENT
    assert task.person_id == carer.id and task.checkin_id == checkin.id
    assert checkins(db)[0].escalated_at == at(day + timedelta(days=14), 9)
    assert len(smtp.messages) == 2  # no third email to the carer
    page = task_page(client, auth, staff, task)
    assert "Geen antwoord op de vraag van 10 februari 2027, ook niet na een herinnering." in page
    assert "Dit was de eerste vraag." in page


def test_an_answer_after_the_task_was_made_is_still_stored(smtp, run, db, carer, client):
    day = date(2027, 2, 10)
    due(db, carer, day)
    run(at(day, 9))
    run(at(day + timedelta(days=7), 9))
    run(at(day + timedelta(days=14), 9))
    assert len(tasks(db)) == 1
    reminder = smtp.wait_for(2)[1]
    response = answer_by_link(client, answer_paths(reminder)["gaat"], "gaat", "Laat, sorry.")
    assert response.status_code == 302
    (checkin,) = checkins(db)
    assert checkin.answer == CheckinAnswer.COPING and checkin.note == "Laat, sorry."
    assert len(tasks(db)) == 1


def test_an_answer_before_the_seven_days_means_no_reminder(smtp, run, db, carer, client):
    day = date(2027, 2, 10)
    due(db, carer, day)
    run(at(day, 9))
    (message,) = smtp.wait_for(1)
    answer_by_link(client, answer_paths(message)["goed"], "goed")
    assert run(at(day + timedelta(days=7), 9)) == 0
    run(at(day + timedelta(days=15), 9))
    assert tasks(db) == []
    assert len(smtp.messages) == 1


# Answer links -----------------------------------------------------------------------------


def test_opening_a_link_changes_nothing_and_the_button_stores_answer_and_note(
    smtp, run, db, carer, client
):
    day = date(2027, 2, 10)
    due(db, carer, day)
    run(at(day, 9))
    (message,) = smtp.wait_for(1)
    path = answer_paths(message)["zwaar"]

    page = client.get(path)  # what a mail scanner does
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Hoe gaat het met u?" in html
    assert re.search(r'<input[^>]*checked[^>]*value="zwaar"', html)
    assert 'name="note"' in html
    (checkin,) = checkins(db)
    assert checkin.answered_at is None and tasks(db) == []

    token = csrf_token_from(html)
    note = "Mijn man slaapt slecht.\nIk ook."
    response = client.post(path, data={"csrf_token": token, "antwoord": "zwaar", "note": note})
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Een medewerker neemt binnenkort contact met u op." in done
    (checkin,) = checkins(db)
    assert checkin.answer == CheckinAnswer.HEAVY and checkin.note == note
    assert checkin.answered_at is not None and checkin.escalated_at is not None

    # The link answers once; after that it says so, and to whoever holds it no more than
    # that: the carer logs in to see their answer (tests/integration/test_answer_links.py).
    for again in (path, answer_paths(message)["goed"]):
        response = client.get(again)
        assert response.status_code == 200
        shown = response.get_data(as_text=True)
        assert "Deze vraag is al beantwoord" in shown and "antwoordde u" not in shown


def answer_good_then_zwaar(smtp, run, db, client, carer) -> StaffTask:
    """Two check-ins two weeks apart: "goed" with a note, then "zwaar" with a note."""
    first = date(2027, 2, 1)
    due(db, carer, first, weeks=2)
    run(at(first, 9))
    answer_by_link(client, answer_paths(smtp.wait_for(1)[0])["goed"], "goed", "Gaat prima.")
    run(at(first + timedelta(weeks=2), 9))
    second = smtp.wait_for(2)[1]
    answer_by_link(client, answer_paths(second)["zwaar"], "zwaar", "Ik ben op.")
    (task,) = tasks(db)
    return task


def test_zwaar_puts_one_task_with_the_carers_history_in_the_staff_queue(
    smtp, run, db, carer, staff, auth, client
):
    task = answer_good_then_zwaar(smtp, run, db, client, carer)
    assert task.kind == TaskKind.CHECKIN_HEAVY and task.person_id == carer.id
    assert task.checkin_id == checkins(db)[1].id
    # The notes are read from the check-ins when the page opens, not copied into the task.
    assert "Ik ben op." not in task.detail and "Gaat prima." not in task.detail
    page = task_page(client, auth, staff, task)
    assert 'Antwoord "zwaar" op de vraag van 15 februari 2027.' in page
    assert "De mantelzorger schreef: Ik ben op." in page
    assert "Eerdere antwoorden:" in page
    assert '- 1 februari 2027: Goed ("Gaat prima.")' in page
    # The carer's own download holds the task as staff read it.
    auth.logout()
    auth.login(carer.email)
    exported = client.get("/mijn-gegevens/download").get_json()
    (about_me,) = [row for row in exported["tabellen"]["staff_tasks"] if row["id"] == task.id]
    assert "De mantelzorger schreef: Ik ben op." in about_me["detail"]
    # Answered: no reminder, no second task.
    run(at(date(2027, 2, 1) + timedelta(weeks=3), 9))
    run(at(date(2027, 2, 1) + timedelta(weeks=4) - timedelta(days=1), 9))
    assert len(tasks(db)) == 1 and len(smtp.messages) == 2


def test_staff_who_read_the_site_in_english_read_the_checkin_task_in_english(
    smtp, run, db, carer, staff, auth, client
):
    task = answer_good_then_zwaar(smtp, run, db, client, carer)
    staff.locale = "en"
    db.commit()
    page = task_page(client, auth, staff, task)
    assert 'Answered "hard" to the question of 15 February 2027.' in page
    assert "The carer wrote: Ik ben op." in page
    assert "Earlier answers:" in page
    assert '- 1 February 2027: Good ("Gaat prima.")' in page
    assert "Antwoord" not in page and "Eerdere antwoorden" not in page


def test_a_carer_who_deletes_their_account_leaves_no_note_in_the_staff_queue(
    smtp, app, run, db, carer, staff, auth, client
):
    task = answer_good_then_zwaar(smtp, run, db, client, carer)
    with app.app_context():
        delete_account(db, carer, PASSWORD)
    for row in tasks(db):
        for text in (row.detail or "", row.outcome or ""):
            assert "Ik ben op." not in text and "Gaat prima." not in text
    assert tasks(db)[0].checkin_id is None
    page = task_page(client, auth, staff, task)
    assert "Mantelzorger heeft het zwaar" in page and "Account verwijderd." in page
    assert "Ik ben op." not in page and "Gaat prima." not in page


def test_a_forged_or_expired_link_shows_the_invalid_page(smtp, run, db, carer, client, clock):
    day = date(2027, 2, 10)
    due(db, carer, day)
    run(at(day, 9))
    path = answer_paths(smtp.wait_for(1)[0])["goed"]
    token = path.split("/")[2].split("?")[0]
    forged = path.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    response = client.get(forged)
    assert response.status_code == 400
    assert "Deze link werkt niet meer" in response.get_data(as_text=True)

    clock.move_to(at(day + timedelta(days=31), 9))
    response = client.get(path)
    assert response.status_code == 400
    assert "Deze link werkt niet meer" in response.get_data(as_text=True)
    assert checkins(db)[0].answered_at is None


def test_a_link_cannot_answer_for_someone_else(app, db, carer, make_user, client):
    from voorelkaar.answers.services import answer_link

    other = make_user(Role.CARER, email="ander@example.nl")
    checkin = Checkin(carer_id=carer.id, due_on=date(2027, 2, 10), sent_at=at(date(2027, 2, 10), 9))
    db.add(checkin)
    db.commit()
    with app.app_context():
        path = answer_link("checkin", checkin.id, other, "zwaar").removeprefix("http://localhost")
    answer_by_link(client, path, "zwaar", "Niet van mij")
    db.refresh(checkin)
    assert checkin.answered_at is None and tasks(db) == []


# The carer's page ---------------------------------------------------------------------------


@pytest.fixture
def carer_history(db, carer, make_user):
    """Three earlier check-ins of the carer, and one of another carer."""
    other = make_user(Role.CARER, email="ander@example.nl")
    rows = [
        (carer, date(2027, 1, 4), CheckinAnswer.GOOD, "Het voorjaar helpt."),
        (carer, date(2027, 2, 1), None, None),
        (carer, date(2027, 3, 1), CheckinAnswer.HEAVY, "Zware week gehad."),
        (other, date(2027, 3, 1), CheckinAnswer.COPING, "Geheim van een ander."),
    ]
    for person, day, answer, note in rows:
        moment = at(day, 9)
        db.add(
            Checkin(
                carer_id=person.id,
                due_on=day,
                sent_at=moment,
                answer=answer,
                note=note,
                answered_at=moment + timedelta(hours=2) if answer else None,
            )
        )
    db.commit()
    return carer


def test_the_carer_sees_their_own_answers_newest_first(app, carer_history, auth, client, clock):
    clock.move_to(at(date(2027, 3, 20), 12))
    auth.login("mantelzorger@example.nl")
    html = client.get("/mantelzorg").get_data(as_text=True)
    assert "Uw antwoorden" in html
    march, february, january = (
        html.index("maandag 1 maart 2027"),
        html.index("maandag 1 februari 2027"),
        html.index("maandag 4 januari 2027"),
    )
    assert march < february < january
    assert "Zware week gehad." in html and "Het voorjaar helpt." in html
    assert "Geen antwoord" in html
    assert "Geheim van een ander." not in html


def test_the_page_shows_the_next_date_and_the_cadence_can_be_changed(
    app, db, carer, auth, client, forms, clock
):
    clock.move_to(at(date(2027, 3, 1), 12))
    auth.login("mantelzorger@example.nl")
    html = client.get("/mantelzorg").get_data(as_text=True)
    assert "De volgende vraag krijgt u op maandag 29 maart 2027" in html
    assert re.search(r'<input[^>]*checked[^>]*value="4"', html)

    response = forms.post("/mantelzorg/hoe-vaak", {"cadence": "2"}, page="/mantelzorg")
    assert response.status_code == 302
    profile = db.get(CarerProfile, carer.id)
    db.refresh(profile)
    assert profile.cadence_weeks == 2
    assert profile.next_checkin_on == date(2027, 3, 15)
    html = client.get("/mantelzorg").get_data(as_text=True)
    assert "U krijgt de vraag nu elke 2 weken." in html

    response = forms.post("/mantelzorg/hoe-vaak", {"cadence": "3"}, page="/mantelzorg")
    assert response.status_code == 200
    db.refresh(profile)
    assert profile.cadence_weeks == 2


def test_pausing_and_resuming_on_the_page(smtp, run, db, carer, auth, client, forms, clock):
    clock.move_to(at(date(2027, 3, 1), 12))
    auth.login("mantelzorger@example.nl")
    assert forms.post("/mantelzorg/pauzeren", {}, page="/mantelzorg").status_code == 302
    assert "U heeft de vraag gepauzeerd" in client.get("/mantelzorg").get_data(as_text=True)
    assert not any(run(at(date(2027, 3, 1) + timedelta(days=n), 10)) for n in range(0, 60, 7))

    clock.move_to(at(date(2027, 5, 3), 12))
    auth.logout()
    auth.login("mantelzorger@example.nl")
    assert forms.post("/mantelzorg/hervatten", {}, page="/mantelzorg").status_code == 302
    profile = db.get(CarerProfile, carer.id)
    db.refresh(profile)
    assert profile.paused_at is None
    assert profile.next_checkin_on == date(2027, 5, 24)  # the cadence's next date, not today
    assert run(at(date(2027, 5, 3), 13)) == 0


def test_the_carer_can_answer_the_open_checkin_on_the_page(
    smtp, run, db, carer, auth, client, forms
):
    day = date(2027, 2, 10)
    due(db, carer, day)
    run(at(day, 9))
    auth.login("mantelzorger@example.nl")
    html = client.get("/mantelzorg").get_data(as_text=True)
    assert "U heeft nog niet geantwoord" in html
    (checkin,) = checkins(db)
    data = {"checkin": str(checkin.id), "antwoord": "gaat", "note": "Wisselend."}
    assert forms.post("/mantelzorg/antwoord", data, page="/mantelzorg").status_code == 302
    (checkin,) = checkins(db)
    assert checkin.answer == CheckinAnswer.COPING and checkin.note == "Wisselend."
    html = client.get("/mantelzorg").get_data(as_text=True)
    assert "U heeft nog niet geantwoord" not in html and "Wisselend." in html
    # Sending it again (a second tab) does not overwrite the first answer.
    data["antwoord"] = "zwaar"
    forms.post("/mantelzorg/antwoord", data, page="/mantelzorg")
    assert checkins(db)[0].answer == CheckinAnswer.COPING


def test_only_carers_open_the_carer_page_and_the_home_page_links_to_it(
    client, auth, carer, resident
):
    assert "/login" in client.get("/mantelzorg").headers["Location"]
    auth.login("inwoner@example.nl")
    assert client.get("/mantelzorg").status_code == 403
    auth.logout()
    auth.login("mantelzorger@example.nl")
    assert 'href="/mantelzorg"' in client.get("/").get_data(as_text=True)
    assert client.get("/mantelzorg").status_code == 200


def test_the_email_is_in_english_for_a_carer_who_chose_english(smtp, run, db, carer):
    carer.locale = "en"
    db.commit()
    day = date(2027, 2, 10)
    due(db, carer, day)
    run(at(day, 9))
    (message,) = smtp.wait_for(1)
    assert set(answer_paths(message)) == {"goed", "gaat", "zwaar"}


# Two schedulers at once -------------------------------------------------------------------


@pytest.mark.postgres
def test_two_schedulers_at_once_send_every_checkin_exactly_once(
    smtp, app, database_url, db, make_user
):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is tested in the PostgreSQL run of the suite")
    from voorelkaar.db import utcnow

    day = services.local_today(utcnow())
    count = 250
    for n in range(count):
        make_user(Role.CARER, email=f"mantelzorger{n}@example.nl")
    moment = at(day, 9, 30)
    send_at = max(moment, utcnow()) + timedelta(minutes=1)  # the outbox rows carry real time
    services.add_missing_profiles(db, moment)
    db.execute(update(CarerProfile).values(next_checkin_on=day))
    db.commit()
    start = threading.Barrier(2)
    queued, errors = [], []

    def scheduler():
        try:
            with app.app_context():
                session = get_session()
                start.wait()
                queued.append(run_checkins(session, moment))
                while dispatch_outbox(session, send_at):
                    pass
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(queued) == count, queued
    smtp.wait_for(count, timeout=30)
    assert len(smtp.messages) == count
    assert len({m["To"] for m in smtp.messages}) == count
    assert db.scalar(select(func.count(Checkin.id))) == count

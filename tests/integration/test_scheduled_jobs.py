"""Jobs around requests and appointments, on a controlled clock, delivered to a real SMTP server."""

import re
from datetime import datetime, time, timedelta

import time_machine
from icalendar import Calendar
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token_from
from voorelkaar import geo
from voorelkaar.answers.services import answer_link, read_link
from voorelkaar.db import claim
from voorelkaar.help_requests import jobs
from voorelkaar.help_requests.answers import STILL_NEEDED
from voorelkaar.help_requests.jobs import chase_open_requests
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.matches import services as matches
from voorelkaar.matches.jobs import send_followups, send_reminders
from voorelkaar.models import (
    HelpRequest,
    Match,
    MatchState,
    OutboxMessage,
    RequestState,
    Role,
    ScheduleKind,
    StaffTask,
    TaskKind,
)
from voorelkaar.notify import dispatch_outbox
from voorelkaar.volunteers.jobs import send_digests

# Tuesday 1 December 2026, 14:00 in Meppel; the appointment is the request's time.
APPOINTMENT = datetime(2026, 12, 1, 14, tzinfo=AMSTERDAM)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def a_request(db, author, *, title="Boodschappen doen", start=APPOINTMENT, published=None, **extra):
    area = geo.locate("7941 BK")
    with time_machine.travel(published or start - timedelta(days=3), tick=False):
        item = HelpRequest(
            author=author,
            category_id=1,
            title=title,
            description="Graag hulp.",
            postcode="7941 BK",
            house_number="12",
            pc4=area.pc4,
            lat=area.lat,
            lon=area.lon,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            state=RequestState.OPEN,
            published_at=published or start - timedelta(days=3),
            **extra,
        )
        db.add(item)
        db.commit()
    return item


def confirmed(db, in_app, asker, volunteer, item, at):
    with time_machine.travel(at, tick=False), in_app():
        match = matches.offer_help(db, volunteer, item)
        matches.confirm_match(db, asker, match)
    # The offer and the confirmation are told by email too (tests/integration/test_match_events.py);
    # here only what the jobs send counts.
    db.execute(delete(OutboxMessage))
    db.commit()
    return match


def run(in_app, db, job, at):
    """Run a job at a moment, as the scheduler would, and send what it queued."""
    with time_machine.travel(at, tick=False), in_app():
        done = job(db, at)
        dispatch_outbox(db, at)
    return done


def link(message, label_pattern):
    text = message.get_body(("plain",)).get_content()
    return (
        re.search(label_pattern + r"\r?\n(http://localhost\S+)", text)
        .group(1)
        .removeprefix("http://localhost")
    )


def unsubscribe_url(message) -> str:
    # A long header may be folded onto a new line: the link is what stands in < >.
    return re.search(r"<([^>]+)>", message["List-Unsubscribe"]).group(1)


def test_the_volunteer_is_reminded_the_day_before_once_with_an_ics_file(
    smtp, app, db, in_app, resident, volunteer
):
    item = a_request(db, resident)
    confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    assert run(in_app, db, send_reminders, local(2026, 11, 30, 8, 59)) == 0  # too early
    assert run(in_app, db, send_reminders, local(2026, 11, 30, 9, 0)) == 1
    assert run(in_app, db, send_reminders, local(2026, 11, 30, 15, 0)) == 0  # once
    assert run(in_app, db, send_reminders, local(2026, 12, 1, 9, 0)) == 0  # not on the day
    (message,) = smtp.wait_for(1)
    assert message["To"] == "vrijwilliger@example.nl"
    assert "morgen" in message["Subject"].lower()
    assert unsubscribe_url(message).startswith("http://localhost/afmelden/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "afspraak.ics"
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == APPOINTMENT
    assert event.decoded("dtend") == APPOINTMENT + timedelta(hours=2)
    assert str(event["summary"]) == "Boodschappen doen"
    assert str(event["location"]) == "7941 BK 12"  # the match is confirmed


def test_the_reminder_names_the_street_and_links_to_the_request(
    smtp, app, db, in_app, resident, volunteer
):
    item = a_request(db, resident, street="Kerkstraat")
    confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    assert run(in_app, db, send_reminders, local(2026, 11, 30, 9, 0)) == 1
    (message,) = smtp.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    assert "Adres: Kerkstraat 12, 7941 BK" in text
    # The one click to cancel, when it does not work out after all.
    assert re.search(rf"af op de site:\s+http://localhost/hulpvragen/{item.id}\s", text)
    html = message.get_body(("html",)).get_content()
    assert f'href="http://localhost/hulpvragen/{item.id}"' in html
    (attachment,) = list(message.iter_attachments())
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert str(event["location"]) == "Kerkstraat 12, 7941 BK"


def test_a_weekly_appointment_is_reminded_every_week_and_not_after_its_end(
    smtp, app, db, in_app, resident, volunteer
):
    item = a_request(
        db,
        resident,
        schedule=ScheduleKind.WEEKLY,
        weekday=1,
        start_time=time(14),
        end_time=time(16),
        until=local(2026, 12, 8).date(),
    )
    confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    assert run(in_app, db, send_reminders, local(2026, 11, 30, 10)) == 1
    assert run(in_app, db, send_reminders, local(2026, 12, 7, 10)) == 1
    assert run(in_app, db, send_reminders, local(2026, 12, 14, 10)) == 0  # after "until"
    assert len(smtp.wait_for(2)) == 2


def test_no_reminder_for_someone_who_switched_reminders_off(
    smtp, app, db, in_app, resident, volunteer
):
    volunteer.mail_reminders = False
    db.commit()
    item = a_request(db, resident)
    confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    assert run(in_app, db, send_reminders, local(2026, 11, 30, 10)) == 0


def test_is_het_gelukt_goes_to_both_sides_the_morning_after_and_ja_finishes_the_match(
    smtp, app, client, db, in_app, resident, volunteer
):
    item = a_request(db, resident)
    match = confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    assert match.followup_after == local(2026, 12, 2, 10)
    assert run(in_app, db, send_followups, local(2026, 12, 2, 9, 59)) == 0
    assert run(in_app, db, send_followups, local(2026, 12, 2, 10, 0)) == 2
    assert run(in_app, db, send_followups, local(2026, 12, 2, 11, 0)) == 0
    messages = smtp.wait_for(2)
    assert {m["To"] for m in messages} == {"inwoner@example.nl", "vrijwilliger@example.nl"}
    to_volunteer = next(m for m in messages if m["To"] == "vrijwilliger@example.nl")
    url = link(to_volunteer, "Ja, het is gelukt")
    # The links were made on 2 December; they are opened an hour later.
    with time_machine.travel(local(2026, 12, 2, 11), tick=False):
        page = client.get(url)  # what a mail scanner does: nothing changes
        assert page.status_code == 200
        assert re.search(
            r'value="ja"[^>]*checked|checked[^>]*value="ja"', page.get_data(as_text=True)
        )
        db.expire_all()
        assert db.get(Match, match.id).state == MatchState.CONFIRMED

        token = csrf_token_from(page.get_data(as_text=True))
        assert client.post(url, data={"csrf_token": token, "antwoord": "ja"}).status_code == 302
        db.expire_all()
        done = db.get(Match, match.id)
        assert done.state == MatchState.DONE and done.hours == 2.0 and done.volunteer_answer == "ja"
        assert db.get(HelpRequest, item.id).state == RequestState.DONE


def test_nee_puts_a_task_in_the_staff_queue_and_nog_niet_asks_again_a_week_later(
    smtp, app, forms, db, in_app, resident, volunteer
):
    item = a_request(db, resident)
    match = confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    run(in_app, db, send_followups, local(2026, 12, 2, 10))
    messages = smtp.wait_for(2)
    to_asker = next(m for m in messages if m["To"] == "inwoner@example.nl")
    to_volunteer = next(m for m in messages if m["To"] == "vrijwilliger@example.nl")

    url = link(to_asker, "Nee, het is niet gelukt")
    with time_machine.travel(local(2026, 12, 2, 11), tick=False):
        forms.post(url, {"antwoord": "nee", "note": "Er kwam niemand."})
    task = db.scalar(select(StaffTask))
    assert task.kind == TaskKind.MATCH_FAILED and task.person_id == resident.id
    assert task.match_id == match.id and task.detail == "Er kwam niemand."

    with time_machine.travel(local(2026, 12, 2, 12), tick=False):
        forms.post(link(to_volunteer, "Nog niet, het moet nog gebeuren"), {"antwoord": "nog-niet"})
    db.expire_all()
    assert db.get(Match, match.id).followup_after == local(2026, 12, 9, 12)
    assert run(in_app, db, send_followups, local(2026, 12, 9, 12)) == 2


def _followup_links(smtp, in_app, db, resident, volunteer):
    item = a_request(db, resident)
    match = confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    run(in_app, db, send_followups, local(2026, 12, 2, 10))
    messages = smtp.wait_for(2)
    to_asker = next(m for m in messages if m["To"] == "inwoner@example.nl")
    to_volunteer = next(m for m in messages if m["To"] == "vrijwilliger@example.nl")
    return item, match, to_asker, to_volunteer


def test_a_nee_after_the_volunteers_ja_undoes_the_finish_until_staff_decide(
    smtp, app, forms, db, in_app, resident, volunteer
):
    item, match, to_asker, to_volunteer = _followup_links(smtp, in_app, db, resident, volunteer)
    with time_machine.travel(local(2026, 12, 2, 11), tick=False):
        forms.post(link(to_volunteer, "Ja, het is gelukt"), {"antwoord": "ja"})
    db.expire_all()
    assert db.get(Match, match.id).state == MatchState.DONE
    with time_machine.travel(local(2026, 12, 2, 12), tick=False):
        forms.post(
            link(to_asker, "Nee, het is niet gelukt"), {"antwoord": "nee", "note": "Niet gekomen."}
        )
    db.expire_all()
    match = db.get(Match, match.id)
    assert match.state == MatchState.CONFIRMED and match.hours is None  # no hours credited
    assert db.get(HelpRequest, item.id).state == RequestState.MATCHED
    task = db.scalar(select(StaffTask))
    assert task.kind == TaskKind.MATCH_FAILED and task.detail == "Niet gekomen."


def test_a_ja_after_the_askers_nee_does_not_finish_the_match(
    smtp, app, forms, db, in_app, resident, volunteer
):
    item, match, to_asker, to_volunteer = _followup_links(smtp, in_app, db, resident, volunteer)
    with time_machine.travel(local(2026, 12, 2, 11), tick=False):
        forms.post(link(to_asker, "Nee, het is niet gelukt"), {"antwoord": "nee"})
        forms.post(link(to_volunteer, "Ja, het is gelukt"), {"antwoord": "ja"})
    db.expire_all()
    match = db.get(Match, match.id)
    assert match.state == MatchState.CONFIRMED and match.hours is None
    assert match.volunteer_answer == "ja" and match.asker_answer == "nee"


def test_a_forged_or_unknown_answer_link_shows_a_polite_page(client):
    response = client.get("/antwoord/niet-echt?antwoord=ja")
    assert response.status_code == 400
    assert "werkt niet meer" in response.get_data(as_text=True)


def test_an_answer_link_works_for_30_days_to_the_second_and_not_before_it_was_made(
    app, db, in_app, resident
):
    item = a_request(db, resident)
    made = local(2026, 11, 2, 10)
    with time_machine.travel(made, tick=False), in_app():
        url = answer_link("nog-nodig", item.id, resident, "ja")
    token = url.split("/antwoord/")[1].split("?")[0]

    def works_at(moment) -> bool:
        with time_machine.travel(moment, tick=False), in_app():
            return read_link(db, token) is not None

    assert works_at(made + timedelta(days=30))
    assert not works_at(made + timedelta(days=30, seconds=1))
    assert not works_at(made - timedelta(seconds=1))


def test_an_open_request_gets_a_task_at_7_days_a_question_at_14_and_expires_at_30(
    smtp, app, db, in_app, resident, volunteer
):
    published = local(2026, 11, 1, 12)
    item = a_request(db, resident, published=published)
    with time_machine.travel(published, tick=False), in_app():
        offer = matches.offer_help(db, volunteer, item)  # offered, never confirmed
    db.execute(delete(OutboxMessage))  # the offer's own mail is not what this test is about
    db.commit()
    assert run(in_app, db, chase_open_requests, published + timedelta(days=6, hours=23)) == 0
    assert run(in_app, db, chase_open_requests, published + timedelta(days=7)) == 1
    assert run(in_app, db, chase_open_requests, published + timedelta(days=8)) == 0
    task = db.scalar(select(StaffTask))
    assert task.kind == TaskKind.REQUEST_UNMATCHED and task.request_id == item.id

    assert run(in_app, db, chase_open_requests, published + timedelta(days=14)) == 1
    assert run(in_app, db, chase_open_requests, published + timedelta(days=20)) == 0
    (question,) = smtp.wait_for(1)
    assert question["To"] == "inwoner@example.nl" and "nog nodig" in question["Subject"]

    assert run(in_app, db, chase_open_requests, published + timedelta(days=29)) == 0
    assert run(in_app, db, chase_open_requests, published + timedelta(days=30)) == 1
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.EXPIRED
    assert db.get(Match, offer.id).state == MatchState.DECLINED
    expired, closed = smtp.wait_for(3)[1:]
    assert expired["To"] == "inwoner@example.nl" and "van de site gehaald" in expired["Subject"]
    # The volunteer whose offer was still waiting hears it too.
    assert closed["To"] == "vrijwilliger@example.nl" and "Verlopen" in closed["Subject"]
    assert run(in_app, db, chase_open_requests, published + timedelta(days=40)) == 0


def test_answering_ja_keeps_the_request_online_for_another_round(
    smtp, app, forms, db, in_app, resident
):
    published = local(2026, 11, 1, 12)
    item = a_request(db, resident, published=published)
    run(in_app, db, chase_open_requests, published + timedelta(days=14))
    (question,) = smtp.wait_for(1)
    with time_machine.travel(published + timedelta(days=15), tick=False):
        forms.post(link(question, "Ja, ik zoek nog steeds hulp"), {"antwoord": "ja"})
    # Asked again 14 days after the "ja", and expired 30 days after it without an answer.
    run(in_app, db, chase_open_requests, published + timedelta(days=29))
    assert len(smtp.wait_for(2)) == 2
    run(in_app, db, chase_open_requests, published + timedelta(days=30))
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.OPEN
    run(in_app, db, chase_open_requests, published + timedelta(days=45))
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.EXPIRED


def test_answering_nee_takes_the_request_off_the_site(smtp, app, forms, db, in_app, resident):
    published = local(2026, 11, 1, 12)
    item = a_request(db, resident, published=published)
    run(in_app, db, chase_open_requests, published + timedelta(days=14))
    (question,) = smtp.wait_for(1)
    with time_machine.travel(published + timedelta(days=15), tick=False):
        forms.post(link(question, "Nee, het is niet meer nodig"), {"antwoord": "nee"})
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.CANCELLED


def test_is_uw_hulpvraag_nog_nodig_comes_even_with_followups_switched_off(
    smtp, app, db, in_app, resident
):
    resident.mail_followups = False
    db.commit()
    published = local(2026, 11, 1, 12)
    item = a_request(db, resident, published=published)
    assert run(in_app, db, chase_open_requests, published + timedelta(days=14)) == 2
    (question,) = smtp.wait_for(1)
    assert question["To"] == "inwoner@example.nl" and "nog nodig" in question["Subject"]
    assert question["List-Unsubscribe"] is None  # about their own request: not optional
    assert "/afmelden/" not in question.get_body(("plain",)).get_content()
    run(in_app, db, chase_open_requests, published + timedelta(days=30))
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.EXPIRED


def test_a_blocked_askers_request_waits_and_once_unblocked_is_asked_before_it_expires(
    smtp, app, db, in_app, resident
):
    resident.blocked_at = local(2026, 11, 2, 9)
    db.commit()
    published = local(2026, 11, 1, 12)
    item = a_request(db, resident, published=published)
    run(in_app, db, chase_open_requests, published + timedelta(days=14))
    run(in_app, db, chase_open_requests, published + timedelta(days=30))
    run(in_app, db, chase_open_requests, published + timedelta(days=60))
    db.expire_all()
    request = db.get(HelpRequest, item.id)
    assert request.state == RequestState.OPEN and request.still_needed_asked_at is None
    assert smtp.messages == []

    # Unblocked, the asker is asked, and has the usual 16 days to answer.
    resident.blocked_at = None
    db.commit()
    unblocked = published + timedelta(days=61)
    run(in_app, db, chase_open_requests, unblocked)
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.OPEN
    assert "nog nodig" in smtp.wait_for(1)[0]["Subject"]
    run(in_app, db, chase_open_requests, unblocked + timedelta(days=16))
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.EXPIRED


def test_a_ja_that_lands_while_the_job_runs_keeps_the_request_online(
    smtp, app, db, in_app, resident, monkeypatch
):
    published = local(2026, 11, 1, 12)
    item = a_request(db, resident, published=published)
    run(in_app, db, chase_open_requests, published + timedelta(days=14))
    expiry = published + timedelta(days=30)

    def ja_just_before_the_claim(session, model, row_id, *conditions, **values):
        if values.get("state") == RequestState.EXPIRED:
            # The job has found the request; the asker's "ja" is committed before its claim.
            with Session(app.extensions["voorelkaar.engine"]) as other:
                other.get(HelpRequest, row_id).still_needed_at = expiry
                other.commit()
        return claim(session, model, row_id, *conditions, **values)

    monkeypatch.setattr(jobs, "claim", ja_just_before_the_claim)
    assert run(in_app, db, chase_open_requests, expiry) == 0
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.OPEN
    assert len(smtp.wait_for(1)) == 1  # the question only, no "van de site gehaald"


def test_a_request_quiet_for_long_but_never_asked_is_asked_first_and_expires_16_days_later(
    smtp, app, db, in_app, resident
):
    # The scheduler was stopped for weeks: the first pass finds the request 40 days quiet.
    published = local(2026, 11, 1, 12)
    item = a_request(db, resident, published=published)
    asked = published + timedelta(days=40)
    assert run(in_app, db, chase_open_requests, asked) == 2  # a staff task and the question
    db.expire_all()
    request = db.get(HelpRequest, item.id)
    assert request.state == RequestState.OPEN and request.still_needed_asked_at == asked
    (question,) = smtp.wait_for(1)
    assert "op 27 december 2026 van de site" in question.get_body(("plain",)).get_content()

    assert run(in_app, db, chase_open_requests, asked + timedelta(days=16, seconds=-1)) == 0
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.OPEN
    assert run(in_app, db, chase_open_requests, asked + timedelta(days=16)) == 1
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.EXPIRED
    assert "van de site gehaald" in smtp.wait_for(2)[1]["Subject"]


def test_an_expiry_that_lands_before_the_askers_ja_is_not_undone_by_it(app, db, in_app, resident):
    published = local(2026, 11, 1, 12)
    item = a_request(db, resident, published=published)
    run(in_app, db, chase_open_requests, published + timedelta(days=14))
    db.expire_all()
    request = db.get(HelpRequest, item.id)  # the link's page loads the request: still open
    before = request.still_needed_at
    assert request.state == RequestState.OPEN
    # The expiry job commits in between, in its own process.
    with Session(app.extensions["voorelkaar.engine"]) as job:
        job.get(HelpRequest, item.id).state = RequestState.EXPIRED
        job.commit()
    moment = published + timedelta(days=30, minutes=1)
    with time_machine.travel(moment, tick=False), app.test_request_context():
        thanks = STILL_NEEDED.apply(db, request, resident, "ja", "")
    assert thanks == "Dank u wel. Uw hulpvraag staat intussen niet meer open."
    db.expire_all()
    request = db.get(HelpRequest, item.id)
    assert request.state == RequestState.EXPIRED and request.still_needed_at == before


def test_the_weekly_digest_lists_last_weeks_fitting_requests_on_monday_morning(
    smtp, app, db, in_app, make_user, resident
):
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", postcode="7942 JD")
    volunteer.skills, volunteer.mail_digest = "boodschappen", True
    make_user(Role.VOLUNTEER, email="geen-overzicht@example.nl", postcode="7942 JD")
    db.commit()
    monday = local(2026, 11, 30, 8)
    a_request(
        db,
        resident,
        title="Boodschappen",
        published=monday - timedelta(days=3),
        skills="boodschappen",
    )
    a_request(db, resident, title="Zonder wensen", published=monday - timedelta(days=5))
    a_request(db, resident, title="Klussen", published=monday - timedelta(days=4), skills="klussen")
    a_request(db, resident, title="Oud", published=monday - timedelta(days=12))
    assert run(in_app, db, send_digests, monday - timedelta(minutes=1)) == 0
    assert run(in_app, db, send_digests, monday) == 1
    assert run(in_app, db, send_digests, monday + timedelta(hours=3)) == 0
    (digest,) = smtp.wait_for(1)
    assert digest["To"] == "sanne@example.nl"
    text = digest.get_body(("plain",)).get_content()
    assert "Boodschappen" in text and "Zonder wensen" in text
    assert "Klussen" not in text and "Oud" not in text
    assert "km van de hulpvraag" in text
    assert digest["List-Unsubscribe"]


def test_the_unsubscribe_link_asks_first_and_the_one_click_post_switches_off(
    smtp, app, client, db, in_app, resident, volunteer
):
    item = a_request(db, resident)
    confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    run(in_app, db, send_reminders, local(2026, 11, 30, 10))
    (message,) = smtp.wait_for(1)
    url = unsubscribe_url(message).removeprefix("http://localhost")
    assert url in message.get_body(("plain",)).get_content()
    assert "afmelden" in client.get(url).get_data(as_text=True).lower()
    db.expire_all()
    assert db.get(type(volunteer), volunteer.id).mail_reminders is True  # GET changes nothing
    # What a mail program sends (RFC 8058): no CSRF token, no cookie.
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.expire_all()
    assert db.get(type(volunteer), volunteer.id).mail_reminders is False
    assert client.get("/afmelden/vervalst").status_code == 400


def test_people_choose_their_optional_mail_in_settings(auth, forms, client, db, volunteer):
    auth.login("vrijwilliger@example.nl")
    page = client.get("/instellingen/e-mail").get_data(as_text=True)
    assert "wekelijks overzicht" in page
    forms.post("/instellingen/e-mail", {"sent": "1", "overzicht": "y", "nabellen": "y"})
    db.expire_all()
    me = db.get(type(volunteer), volunteer.id)
    assert (me.mail_digest, me.mail_followups, me.mail_reminders) == (True, True, False)


def test_send_due_runs_every_job_once_and_says_what_it_did(runner):
    result = runner.invoke(args=["send-due"])
    assert result.exit_code == 0
    for name in ("herinneringen", "nabellen", "open-hulpvragen", "overzicht", "checkins", "outbox"):
        assert name in result.output


def test_mail_is_written_in_the_language_the_person_chose(
    smtp, app, db, in_app, resident, volunteer
):
    volunteer.locale = "en"
    db.commit()
    item = a_request(db, resident)
    confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    run(in_app, db, send_reminders, local(2026, 11, 30, 10))
    (message,) = smtp.wait_for(1)
    assert message["Subject"].startswith("Reminder")
    assert "unsubscribe" in message.get_body(("plain",)).get_content().lower()

"""Every step of a match reaches the other side: by email, on the overview, and to staff."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import csrf_token_from
from voorelkaar.db import utcnow
from voorelkaar.help_requests import services as requests
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.matches import services
from voorelkaar.matches.jobs import chase_offers
from voorelkaar.models import (
    HelpRequest,
    Match,
    MatchState,
    Notice,
    OutboxMessage,
    PostedFor,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
    User,
)
from voorelkaar.volunteers.services import end_pauses


@pytest.fixture
def riek(make_user, db):
    asker = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    asker.phone = "+31612345678"
    db.commit()
    return asker


@pytest.fixture
def sanne(make_user):
    return make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")


@pytest.fixture
def item(riek, make_request):
    return make_request(riek, title="Boodschappen doen", postcode="7941 BK")


def mails(db) -> list[tuple[str, str]]:
    """(to, kind) of every queued email, in order."""
    db.expire_all()
    return [
        (m.to_address, m.kind) for m in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def mail_to(db, address: str, kind: str) -> OutboxMessage:
    (message,) = db.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == address, OutboxMessage.kind == kind)
    ).all()
    return message


def path_of(text: str, label: str) -> str:
    """The site path of the link that follows label in a plain-text email."""
    found = re.search(re.escape(label) + r":?\r?\n(http://localhost\S+)", text)
    assert found, f"no link after {label!r} in:\n{text}"
    return found.group(1).removeprefix("http://localhost")


def home_of(client, auth, email: str) -> str:
    auth.login(email)
    page = client.get("/").get_data(as_text=True)
    auth.logout()
    return page


def test_an_offer_mails_the_asker_once_with_answer_links_and_waits_on_their_overview(
    db, in_app, client, auth, riek, sanne, item
):
    with in_app():
        services.offer_help(db, sanne, item)
        services.offer_help(db, sanne, item)  # pressed twice: nothing new
    assert mails(db) == [("riek@example.nl", "offer_made")]
    text = mail_to(db, "riek@example.nl", "offer_made").body_text
    assert 'Sanne wil helpen bij uw hulpvraag "Boodschappen doen"' in text
    assert "antwoord=ja" in path_of(text, "Ja, Sanne mag helpen")
    assert "antwoord=nee" in path_of(text, "Nee, liever niet")
    assert "sanne@example.nl" not in text  # no details before the asker says yes

    home = home_of(client, auth, "riek@example.nl")
    actie = home.split('id="actie-nodig"')[1].split("</section>")[0]
    assert "Sanne wil helpen bij &#34;Boodschappen doen&#34;" in actie
    assert "Ja, Sanne mag helpen" in actie and "Nee, liever niet" in actie
    mine = client.get("/mijn-hulpvragen")
    auth.login("riek@example.nl")
    mine = client.get("/mijn-hulpvragen").get_data(as_text=True)
    assert "Sanne wil helpen. Mag dat?" in mine
    assert "1 vrijwilliger wacht op uw antwoord" in mine


@pytest.mark.parametrize("posted_for", [PostedFor.CARED_FOR, PostedFor.RESIDENT])
def test_an_offer_on_a_request_posted_for_someone_goes_to_who_posted_it(
    db, in_app, make_user, make_request, sanne, posted_for
):
    role = Role.CARER if posted_for == PostedFor.CARED_FOR else Role.STAFF
    poster = make_user(role, email="poster@example.nl", name="Henk Bakker")
    item = make_request(poster, title="Wandelen met Jan", postcode="7941 BK")
    item.posted_for = posted_for
    db.commit()
    with in_app():
        services.offer_help(db, sanne, item)
    assert mails(db) == [("poster@example.nl", "offer_made")]


def test_the_yes_link_confirms_without_logging_in_and_the_volunteer_gets_the_details(
    db, in_app, client, auth, riek, sanne, item
):
    item.street = "Kerkstraat"
    db.commit()
    with in_app():
        match = services.offer_help(db, sanne, item)
    yes = path_of(mail_to(db, "riek@example.nl", "offer_made").body_text, "Ja, Sanne mag helpen")

    page = client.get(yes)  # what a mail scanner does too: nothing changes
    assert re.search(r'<input[^>]*checked[^>]*value="ja"', page.get_data(as_text=True))
    db.refresh(match)
    assert match.state == MatchState.OFFERED
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post(yes, data={"csrf_token": token, "antwoord": "ja"})
    assert response.status_code == 302
    db.refresh(match)
    assert match.state == MatchState.CONFIRMED

    # Riek confirmed it herself: only Sanne is told.
    assert mails(db)[1:] == [("sanne@example.nl", "match_confirmed")]
    confirmation = mail_to(db, "sanne@example.nl", "match_confirmed")
    for detail in ("Boodschappen doen", "Kerkstraat 1, 7941 BK", "+31612345678", "riek@example.nl"):
        assert detail in confirmation.body_text
    assert confirmation.attachment_name == "afspraak.ics"
    assert "LOCATION:Kerkstraat 1" in confirmation.attachment.replace("\r\n ", "")

    again = client.get(yes).get_data(as_text=True)
    assert "al beantwoord" in again  # the same link a second time changes nothing
    home = home_of(client, auth, "sanne@example.nl")
    assert 'Het gaat door: u helpt bij "Boodschappen doen"' in home


def test_the_no_link_declines_and_thanks_the_volunteer(db, in_app, client, riek, sanne, item):
    with in_app():
        match = services.offer_help(db, sanne, item)
    no = path_of(mail_to(db, "riek@example.nl", "offer_made").body_text, "Nee, liever niet")
    token = csrf_token_from(client.get(no).get_data(as_text=True))
    client.post(no, data={"csrf_token": token, "antwoord": "nee"})
    db.refresh(match)
    assert match.state == MatchState.DECLINED
    assert mails(db)[1:] == [("sanne@example.nl", "offer_refused")]
    db.refresh(item)
    assert item.state == RequestState.OPEN


def test_a_full_request_tells_each_other_volunteer_once(db, in_app, make_user, riek, sanne, item):
    others = [make_user(Role.VOLUNTEER, email=f"v{n}@example.nl") for n in range(2)]
    with in_app():
        match = services.offer_help(db, sanne, item)
        services.offer_help(db, others[0], item)
        services.invite_volunteer(db, riek, item, others[1])
        services.confirm_match(db, riek, match)
    assert mails(db)[3:] == [
        ("sanne@example.nl", "match_confirmed"),
        ("v0@example.nl", "match_confirmed"),
        ("v1@example.nl", "match_confirmed"),
    ]
    for address in ("v0@example.nl", "v1@example.nl"):
        assert "Er is al iemand gevonden" in mail_to(db, address, "match_confirmed").subject
    told = {(n.user_id, n.kind) for n in db.scalars(select(Notice))}
    assert told == {
        (sanne.id, "match_confirmed"),
        (others[0].id, "offer_not_needed"),
        (others[1].id, "offer_not_needed"),
    }


def _confirmed(db, in_app, riek, sanne, item) -> Match:
    with in_app():
        match = services.offer_help(db, sanne, item)
        services.confirm_match(db, riek, match)
    return match


def test_a_volunteer_cancelling_within_48_hours_tells_the_asker_and_staff(
    db, in_app, client, auth, riek, sanne, item
):
    match = _confirmed(db, in_app, riek, sanne, item)
    starts = item.starts_at
    with time_machine.travel(starts - timedelta(hours=30), tick=False), in_app():
        services.cancel_match(db, sanne, match, "Ik ben ziek, sorry")
    assert mails(db)[-1] == ("riek@example.nl", "match_cancelled")
    text = mail_to(db, "riek@example.nl", "match_cancelled").body_text
    assert 'Sanne schreef: "Ik ben ziek, sorry"' in text
    assert "staat weer online" in text and "kijkt een coördinator mee" in text
    (task,) = db.scalars(select(StaffTask)).all()
    assert task.kind == TaskKind.MATCH_CANCELLED and task.match_id == match.id
    assert task.person_id == riek.id and task.detail == "Ik ben ziek, sorry"
    db.refresh(item)
    assert item.state == RequestState.OPEN and item.confirmed_count == 0
    home = home_of(client, auth, "riek@example.nl")
    news = home.split('id="nieuw"')[1]
    assert "Sanne kan niet komen" in news and "Ik ben ziek, sorry" in news


def test_a_cancellation_well_before_the_appointment_needs_no_staff(db, in_app, riek, sanne, item):
    match = _confirmed(db, in_app, riek, sanne, item)
    with time_machine.travel(item.starts_at - timedelta(days=3), tick=False), in_app():
        services.cancel_match(db, sanne, match, "Ik ga toch op vakantie")
    assert db.scalar(select(StaffTask)) is None
    assert mails(db)[-1] == ("riek@example.nl", "match_cancelled")


def test_the_asker_cancelling_tells_the_volunteer_and_may_withdraw_the_request_at_once(
    db, in_app, forms, auth, make_user, riek, sanne, item
):
    match = _confirmed(db, in_app, riek, sanne, item)
    henk = make_user(Role.VOLUNTEER, email="henk@example.nl")
    item.volunteers_needed = 2
    item.state = RequestState.OPEN
    db.commit()
    with in_app():
        services.offer_help(db, henk, item)
    auth.login("riek@example.nl")
    response = forms.post(
        f"/aanmeldingen/{match.id}/annuleren",
        {"reason": "Mijn dochter komt", "afterwards": "intrekken"},
        page=f"/hulpvragen/{item.id}",
    )
    assert response.status_code == 302
    db.refresh(item)
    assert item.state == RequestState.CANCELLED
    told = mails(db)[-2:]
    assert ("sanne@example.nl", "match_cancelled") in told
    assert ("henk@example.nl", "request_withdrawn") in told  # his offer ended with the request
    assert (
        'Riek schreef: "Mijn dochter komt"'
        in mail_to(db, "sanne@example.nl", "match_cancelled").body_text
    )
    assert db.scalar(select(StaffTask)) is None  # withdrawn: nobody else needs to be found


def test_withdrawing_a_matched_request_tells_every_volunteer_still_in(
    db, in_app, riek, sanne, item
):
    _confirmed(db, in_app, riek, sanne, item)
    with in_app():
        requests.cancel_request(db, riek, item)
    db.refresh(item)
    assert item.state == RequestState.CANCELLED
    message = mail_to(db, "sanne@example.nl", "request_withdrawn")
    assert "U hoeft dus niet te komen." in message.body_text
    assert db.scalar(select(Match)).state == MatchState.CANCELLED
    assert item.confirmed_count == 0  # a withdrawn request does not count as matched


def test_an_invitation_answered_tells_whoever_invited_and_a_yes_asks_the_asker(
    db, in_app, client, auth, make_user, riek, sanne, item, staff
):
    piet = make_user(Role.VOLUNTEER, email="piet@example.nl", name="Piet Smit")
    with in_app():
        yes = services.invite_volunteer(db, staff, item, sanne)
        no = services.invite_volunteer(db, staff, item, piet)
        services.answer_invitation(db, yes, accept=True)
        services.answer_invitation(db, no, accept=False)
    assert mails(db)[2:] == [
        ("riek@example.nl", "invitation_accepted"),  # the offer, with its answer links
        ("coordinator@example.nl", "invitation_accepted"),
        ("coordinator@example.nl", "invitation_declined"),
    ]
    to_riek = mail_to(db, "riek@example.nl", "invitation_accepted")
    assert "antwoord=ja" in path_of(to_riek.body_text, "Ja, Sanne mag helpen")
    home = home_of(client, auth, "coordinator@example.nl")
    assert "Piet kan niet helpen" in home and "Sanne wil helpen" in home


def test_inviting_twice_sends_one_mail_and_nobody_asked_is_suggested_again(
    db, in_app, riek, sanne, item
):
    with in_app():
        assert [s.volunteer.id for s in services.suggest_volunteers(db, item)] == [sanne.id]
        services.invite_volunteer(db, riek, item, sanne)
        services.invite_volunteer(db, riek, item, sanne)
        assert services.suggest_volunteers(db, item) == []
    assert mails(db) == [("sanne@example.nl", "volunteer_invited")]


def test_a_volunteer_sees_an_invitation_on_the_overview_and_answers_it_there(
    db, in_app, forms, client, auth, riek, sanne, item
):
    with in_app():
        match = services.invite_volunteer(db, riek, item, sanne)
    auth.login("sanne@example.nl")
    home = client.get("/").get_data(as_text=True)
    assert "U bent gevraagd te helpen bij &#34;Boodschappen doen&#34;" in home
    forms.post(
        f"/aanmeldingen/{match.id}/uitnodiging", {"antwoord": "ja", "terug": "overzicht"}, page="/"
    )
    db.refresh(match)
    assert match.state == MatchState.OFFERED
    assert "U bent gevraagd" not in client.get("/").get_data(as_text=True)
    assert mails(db)[-1] == ("riek@example.nl", "invitation_accepted")


def test_an_unanswered_offer_reminds_the_asker_after_3_days_and_staff_after_7(
    db, in_app, riek, sanne, item
):
    offered = datetime.combine(item.starts_at.date() - timedelta(days=10), time(12), AMSTERDAM)
    with time_machine.travel(offered, tick=False), in_app():
        match = services.offer_help(db, sanne, item)

    def run(days):
        moment = offered + timedelta(days=days)
        with time_machine.travel(moment, tick=False), in_app():
            return chase_offers(db, moment)

    assert run(2.9) == 0
    assert run(3) == 1
    assert run(4) == 0  # once
    assert mails(db) == [("riek@example.nl", "offer_made"), ("riek@example.nl", "offer_waiting")]
    reminder = mail_to(db, "riek@example.nl", "offer_waiting")
    assert "Sanne wacht op uw antwoord" in reminder.subject
    assert "antwoord=ja" in path_of(reminder.body_text, "Ja, Sanne mag helpen")
    assert db.scalar(select(StaffTask)) is None
    assert run(7) == 1
    assert run(8) == 0
    (task,) = db.scalars(select(StaffTask)).all()
    assert task.kind == TaskKind.OFFER_UNANSWERED and task.match_id == match.id


def test_an_answered_offer_is_not_chased(db, in_app, riek, sanne, item):
    offered = utcnow() - timedelta(days=8)
    with time_machine.travel(offered, tick=False), in_app():
        match = services.offer_help(db, sanne, item)
        services.decline_offer(db, riek, match)
    with in_app():
        assert chase_offers(db, utcnow()) == 0


def test_notices_stay_until_seen(db, in_app, client, auth, forms, riek, sanne, item):
    match = _confirmed(db, in_app, riek, sanne, item)
    with in_app():
        services.cancel_match(db, riek, match, "Het regent")
    auth.login("sanne@example.nl")
    assert "Het regent" in client.get("/").get_data(as_text=True)
    notice = db.scalar(
        select(Notice).where(Notice.user_id == sanne.id, Notice.kind == "match_cancelled")
    )
    forms.post(f"/meldingen/{notice.id}/gezien", {}, page="/")
    home = client.get("/").get_data(as_text=True)
    assert "Het regent" not in home and "Het gaat door" in home
    forms.post("/meldingen/gezien", {}, page="/")
    assert 'id="nieuw"' not in client.get("/").get_data(as_text=True)
    # Nobody can mark another person's notice as seen.
    mine = db.scalars(select(Notice).where(Notice.user_id == riek.id)).all()
    for other in mine:
        forms.post(f"/meldingen/{other.id}/gezien", {}, page="/")
    db.expire_all()
    assert all(
        n.seen_at is None for n in db.scalars(select(Notice).where(Notice.user_id == riek.id))
    )


def test_a_paused_volunteer_sees_until_when_and_is_available_again_after(
    db, in_app, client, auth, forms, sanne
):
    auth.login("sanne@example.nl")
    until = (utcnow() + timedelta(days=10)).astimezone(AMSTERDAM).date()
    response = forms.post(
        "/beschikbaarheid",
        {"travel_km": "5", "paused_until": until.strftime("%d-%m-%Y")},
    )
    assert response.status_code == 302
    db.refresh(sanne)
    assert not sanne.available and sanne.paused_until == until
    home = client.get("/").get_data(as_text=True)
    assert "U staat op pauze tot en met" in home and "Ik kan weer helpen" in home
    assert end_pauses(db, utcnow() + timedelta(days=10)) == 0
    assert end_pauses(db, utcnow() + timedelta(days=11)) == 1
    db.expire_all()
    assert db.get(User, sanne.id).available
    assert "U staat op pauze" not in client.get("/").get_data(as_text=True)


def test_a_pause_end_in_the_past_is_refused_and_what_was_typed_stays(db, forms, auth, sanne):
    auth.login("sanne@example.nl")
    response = forms.post("/beschikbaarheid", {"travel_km": "10", "paused_until": "1-1-2020"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Deze datum is al geweest" in page
    assert 'value="1-1-2020"' in page or 'value="2020-01-01"' in page


def test_a_blocked_asker_gets_no_mail_but_the_offer_still_waits(db, in_app, riek, sanne, item):
    riek.blocked_at = utcnow()
    db.commit()
    with in_app():
        services.offer_help(db, sanne, item)
    assert mails(db) == []
    assert db.scalar(select(HelpRequest)).state == RequestState.OPEN


def test_a_cancellation_for_a_resident_without_an_account_is_a_task_even_when_far_off(
    db, in_app, make_request, sanne, staff
):
    item = make_request(staff, title="Boodschappen voor mevrouw Kok", postcode="7941 BK")
    item.posted_for, item.resident_name = PostedFor.RESIDENT, "mevrouw Kok"
    db.commit()
    with in_app():
        match = services.offer_help(db, sanne, item)
        services.confirm_match(db, staff, match)
    with time_machine.travel(item.starts_at - timedelta(days=5), tick=False), in_app():
        services.cancel_match(db, sanne, match, "Verhuisd")
    (task,) = db.scalars(select(StaffTask)).all()
    assert task.kind == TaskKind.MATCH_CANCELLED
    assert mails(db)[-1] == ("coordinator@example.nl", "match_cancelled")


@pytest.mark.parametrize("kind", [TaskKind.MATCH_CANCELLED, TaskKind.OFFER_UNANSWERED])
def test_staff_read_what_the_new_tasks_ask_of_them(
    db, in_app, client, auth, riek, sanne, item, staff, kind
):
    with in_app():
        match = services.offer_help(db, sanne, item)
    task = StaffTask(key="t", kind=kind, person=riek, request=item, match=match)
    db.add(task)
    db.commit()
    auth.login("coordinator@example.nl")
    page = client.get(f"/taken/{task.id}").get_data(as_text=True)
    assert ("Kan een andere vrijwilliger helpen?" in page) or ("bood 7 dagen geleden" in page)


def test_blocking_a_volunteer_ends_their_appointment_and_the_asker_hears_it_from_staff(
    db, in_app, client, auth, riek, sanne, item, staff
):
    from voorelkaar.moderation.services import block_user

    match = _confirmed(db, in_app, riek, sanne, item)
    with time_machine.travel(item.starts_at - timedelta(hours=20), tick=False), in_app():
        block_user(db, staff, sanne, "Meldingen van misbruik")
    db.refresh(match)
    db.refresh(item)
    assert match.state == MatchState.CANCELLED
    assert item.state == RequestState.OPEN and item.confirmed_count == 0
    told = mail_to(db, "riek@example.nl", "match_cancelled").body_text
    assert "Een coördinator heeft de afspraak afgezegd." in told
    assert "Meldingen van misbruik" not in told  # why staff blocked someone is not the asker's
    assert db.scalar(select(StaffTask)).kind == TaskKind.MATCH_CANCELLED


def test_a_blocked_volunteers_offer_is_not_shown_or_chased(
    db, in_app, client, auth, riek, sanne, item
):
    with time_machine.travel(utcnow() - timedelta(days=8), tick=False), in_app():
        match = services.offer_help(db, sanne, item)
    sanne.blocked_at = utcnow()  # blocked before blocking ended offers, say
    db.commit()
    with in_app():
        assert chase_offers(db, utcnow()) == 0
        with pytest.raises(services.MatchError):
            services.confirm_match(db, riek, match)
    assert "Sanne wil helpen" not in home_of(client, auth, "riek@example.nl")


def test_a_volunteer_who_was_told_no_cannot_offer_again(
    db, in_app, client, auth, riek, sanne, item
):
    with in_app():
        match = services.offer_help(db, sanne, item)
        services.decline_offer(db, riek, match)
        with pytest.raises(services.Refused):
            services.offer_help(db, sanne, item)
    assert [kind for _to, kind in mails(db)] == ["offer_made", "offer_refused"]
    auth.login("sanne@example.nl")
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "deze keer niet nodig" in page and ">Ik help<" not in page


def test_staff_saying_no_or_withdrawing_is_told_to_the_asker(db, in_app, riek, sanne, item, staff):
    with in_app():
        match = services.offer_help(db, sanne, item)
        services.decline_offer(db, staff, match)
        requests.cancel_request(db, staff, item)
    assert mails(db)[1:] == [
        ("sanne@example.nl", "offer_refused"),
        ("riek@example.nl", "offer_refused"),
        ("riek@example.nl", "request_withdrawn"),
    ]
    assert (
        "Een coördinator heeft uw hulpvraag"
        in mail_to(db, "riek@example.nl", "request_withdrawn").body_text
    )


def test_an_invitation_link_after_the_request_was_withdrawn_says_so_and_asks_nothing(
    db, in_app, client, riek, sanne, item
):
    with in_app():
        services.invite_volunteer(db, riek, item, sanne)
        requests.cancel_request(db, riek, item)
    yes = path_of(
        mail_to(db, "sanne@example.nl", "volunteer_invited").body_text, "Ja, ik help graag"
    )
    page = client.get(yes).get_data(as_text=True)
    assert "staat niet meer open" in page and "Antwoord versturen" not in page


def test_an_offer_on_a_request_that_closed_meanwhile_is_refused(app, db, in_app, riek, sanne, item):
    from voorelkaar.db import get_session

    with in_app():
        session = get_session()
        stale = session.get(HelpRequest, item.id)  # the page was read while it was open
        # The expiry job, in another process, closes it before "Ik help" is handled.
        db.execute(HelpRequest.__table__.update().values(state=RequestState.EXPIRED.value))
        db.commit()
        assert stale.state == RequestState.OPEN
        with pytest.raises(services.RequestFull):
            services.offer_help(session, session.get(User, sanne.id), stale)
    assert db.scalar(select(Match)) is None and mails(db) == []


def test_offers_from_before_the_reminders_existed_are_not_chased(db, in_app, riek, sanne, item):
    db.add(
        Match(
            request_id=item.id,
            volunteer_id=sanne.id,
            state=MatchState.OFFERED,
            created_at=utcnow() - timedelta(days=30),
        )
    )
    db.commit()
    with in_app():
        assert chase_offers(db, utcnow()) == 0


def test_a_nee_to_nog_nodig_just_after_expiry_is_answered_politely(app, db, riek, item):
    from voorelkaar.db import get_session
    from voorelkaar.help_requests.answers import STILL_NEEDED

    with app.test_request_context():
        session = get_session()
        stale = session.get(HelpRequest, item.id)  # the link's page was read while open
        db.execute(HelpRequest.__table__.update().values(state=RequestState.EXPIRED.value))
        db.commit()
        thanks = STILL_NEEDED.apply(session, stale, session.get(User, riek.id), "nee", "")
    assert "niet meer open" in thanks
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.EXPIRED

"""Offering help, confirming one volunteer, and what each side then sees."""

import re
import threading

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from voorelkaar.matches import services
from voorelkaar.models import HelpRequest, Match, MatchState, RequestState, Role


@pytest.fixture
def open_request(make_user, make_request):
    asker = make_user(
        Role.RESIDENT, email="riek@example.nl", name="Riek Jansen", postcode="7941 BK"
    )
    asker.phone = "+31612345678"
    return asker, make_request(asker, title="Boodschappen", postcode="7941 BK")


def test_a_volunteer_offers_help_and_the_asker_confirms(db, in_app, make_user, open_request):
    asker, item = open_request
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    with in_app():
        match = services.offer_help(db, volunteer, item)
        assert match.state == MatchState.OFFERED
        assert services.offer_help(db, volunteer, item).id == match.id  # pressing twice is fine
        services.confirm_match(db, asker, match)
    db.refresh(item)
    assert match.state == MatchState.CONFIRMED
    assert item.state == RequestState.MATCHED and item.confirmed_count == 1


def test_a_second_confirmation_for_a_one_volunteer_request_is_refused(
    db, in_app, make_user, open_request
):
    asker, item = open_request
    with in_app():
        first = services.offer_help(db, make_user(Role.VOLUNTEER, email="a@example.nl"), item)
        second = services.offer_help(db, make_user(Role.VOLUNTEER, email="b@example.nl"), item)
        services.confirm_match(db, asker, first)
        db.expire_all()
        assert db.get(Match, second.id).state == MatchState.DECLINED  # told someone else helps
        with pytest.raises(services.MatchError):
            services.confirm_match(db, asker, db.get(Match, second.id))


def test_cancelling_a_confirmed_match_reopens_the_request(db, in_app, make_user, open_request):
    asker, item = open_request
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    with in_app():
        match = services.offer_help(db, volunteer, item)
        services.confirm_match(db, asker, match)
        services.cancel_match(db, volunteer, match, "Ik ben ziek.")
    db.refresh(item)
    assert item.state == RequestState.OPEN and item.confirmed_count == 0


def test_contact_details_show_only_after_confirmation_and_hide_after_cancelling(
    forms, auth, client, db, make_user, open_request
):
    asker, item = open_request
    make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    auth.login("sanne@example.nl")
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "7941 BK" not in page and "612345678" not in page
    assert (
        forms.post(f"/hulpvragen/{item.id}/ik-help", {}, page=f"/hulpvragen/{item.id}").status_code
        == 302
    )
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "7941 BK" not in page and "riek@example.nl" not in page
    auth.logout()

    auth.login("riek@example.nl")
    match = db.scalar(select(Match))
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "Sanne" in page and "sanne@example.nl" not in page
    assert (
        forms.post(
            f"/aanmeldingen/{match.id}/bevestigen", {}, page=f"/hulpvragen/{item.id}"
        ).status_code
        == 302
    )
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "sanne@example.nl" in page  # the asker now sees the volunteer's details
    auth.logout()

    auth.login("sanne@example.nl")
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "7941 BK" in page and "+31612345678" in page and "riek@example.nl" in page
    response = forms.post(
        f"/aanmeldingen/{match.id}/annuleren",
        {"reason": "Ik ben ziek."},
        page=f"/hulpvragen/{item.id}",
    )
    assert response.status_code == 302
    page = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "7941 BK" not in page and "612345678" not in page
    db.refresh(item)
    assert item.state == RequestState.OPEN


def test_staff_mark_a_match_done_and_the_hours_show_in_mijn_inzet(
    forms, auth, client, db, in_app, make_user, open_request
):
    asker, item = open_request
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    make_user(Role.STAFF, email="staf@example.nl")
    with in_app():
        match = services.offer_help(db, volunteer, item)
        services.confirm_match(db, asker, match)
    auth.login("staf@example.nl")
    response = forms.post(
        f"/aanmeldingen/{match.id}/afronden", {"hours": "2,5"}, page=f"/hulpvragen/{item.id}"
    )
    assert response.status_code == 302
    db.refresh(item)
    assert item.state == RequestState.DONE
    auth.logout()
    auth.login("sanne@example.nl")
    page = client.get("/mijn-inzet").get_data(as_text=True)
    assert "Boodschappen" in page and "2,5" in page


def test_someone_else_cannot_confirm_or_cancel_a_match(
    forms, auth, db, in_app, make_user, open_request
):
    asker, item = open_request
    with in_app():
        match = services.offer_help(db, make_user(Role.VOLUNTEER, email="sanne@example.nl"), item)
    make_user(Role.RESIDENT, email="buur@example.nl")
    auth.login("buur@example.nl")
    assert forms.post(f"/aanmeldingen/{match.id}/bevestigen", {}, page="/").status_code == 404
    assert (
        forms.post(f"/aanmeldingen/{match.id}/annuleren", {"reason": "x"}, page="/").status_code
        == 404
    )
    db.refresh(match)
    assert match.state == MatchState.OFFERED


@pytest.mark.postgres
def test_twenty_simultaneous_helpers_and_confirmations_give_exactly_one_match(
    database_url, make_user, open_request, db, app
):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is tested in the PostgreSQL run of the suite")
    asker, item = open_request
    volunteers = [make_user(Role.VOLUNTEER, email=f"v{n}@example.nl") for n in range(24)]
    engine = create_engine(database_url, pool_size=30, max_overflow=0)
    start = threading.Barrier(len(volunteers))
    outcomes = []

    def press_and_confirm(volunteer_id):
        with Session(engine) as session, app.app_context():
            from voorelkaar.models import User

            volunteer = session.get(User, volunteer_id)
            request = session.get(HelpRequest, item.id)
            start.wait()
            try:
                match = services.offer_help(session, volunteer, request)
                services.confirm_match(session, session.get(User, asker.id), match)
                outcomes.append("confirmed")
            except services.MatchError:
                outcomes.append("refused")

    threads = [threading.Thread(target=press_and_confirm, args=(v.id,)) for v in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert outcomes.count("confirmed") == 1, outcomes
    assert outcomes.count("refused") == len(volunteers) - 1
    db.expire_all()
    confirmed = db.scalar(
        select(func.count(Match.id)).where(
            Match.request_id == item.id, Match.state == MatchState.CONFIRMED
        )
    )
    assert confirmed == 1
    assert db.get(HelpRequest, item.id).confirmed_count == 1


def _dispatch(in_app, db):
    from voorelkaar.db import utcnow
    from voorelkaar.notify import dispatch_outbox

    with in_app():
        dispatch_outbox(db, utcnow())


def test_staff_invite_by_email_the_volunteer_accepts_and_messages_arrive_by_email(
    smtp, forms, auth, client, db, make_user, open_request, in_app
):
    asker, item = open_request
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    make_user(Role.STAFF, email="staf@example.nl")
    auth.login("staf@example.nl")
    url = f"/hulpvragen/{item.id}/uitnodigen/{volunteer.id}"
    assert forms.post(url, {}, page=f"/hulpvragen/{item.id}").status_code == 302
    auth.logout()
    _dispatch(in_app, db)
    (invitation,) = smtp.wait_for(1)
    assert invitation["To"] == "sanne@example.nl"
    text = invitation.get_body(("plain",)).get_content()
    yes_link = next(line for line in text.splitlines() if "antwoord=ja" in line).strip()
    path = yes_link.removeprefix("http://localhost")

    anonymous = client.application.test_client()
    page = anonymous.get(path)  # what a mail scanner does: nothing may change
    assert page.status_code == 200
    assert re.search(r'<input[^>]*checked[^>]*value="ja"', page.get_data(as_text=True))
    match = db.scalar(select(Match))
    db.refresh(match)
    assert match.state == MatchState.INVITED
    from tests.conftest import csrf_token_from

    token = csrf_token_from(page.get_data(as_text=True))
    assert anonymous.post(path, data={"csrf_token": token, "antwoord": "ja"}).status_code == 302
    db.refresh(match)
    assert match.state == MatchState.OFFERED

    with in_app():
        services.confirm_match(db, asker, match)
    auth.login("sanne@example.nl")
    response = forms.post(
        f"/aanmeldingen/{match.id}/berichten",
        {"body": "Ik kom dinsdag om 14:00."},
        page=f"/hulpvragen/{item.id}",
    )
    assert response.status_code == 302
    _dispatch(in_app, db)
    # The invitation; her yes, to Riek (the offer) and to the staff member who asked her;
    # the confirmation, to Sanne; and then her message, to Riek.
    messages = smtp.wait_for(5)
    assert [(m["To"], m["Subject"]) for m in messages[1:]] == [
        ("riek@example.nl", "Sanne wil u helpen: Boodschappen"),
        ("staf@example.nl", "Sanne wil helpen: Boodschappen"),
        ("sanne@example.nl", "Het gaat door: Boodschappen"),
        ("riek@example.nl", "Nieuw bericht van Sanne: Boodschappen"),
    ]
    assert "Ik kom dinsdag om 14:00." in messages[4].get_body(("plain",)).get_content()
    assert "Ik kom dinsdag om 14:00." in client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)


def test_a_tampered_invitation_link_is_refused_politely(client):
    response = client.get("/uitnodiging/niet-echt?antwoord=ja")
    assert response.status_code == 400
    assert "Deze link werkt niet meer" in response.get_data(as_text=True)


def test_messages_need_a_confirmed_match(forms, auth, db, in_app, make_user, open_request):
    asker, item = open_request
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    with in_app():
        match = services.offer_help(db, volunteer, item)
    auth.login("sanne@example.nl")
    forms.post(f"/aanmeldingen/{match.id}/berichten", {"body": "Hallo"}, page="/")
    from voorelkaar.models import MatchMessage

    assert db.scalar(select(MatchMessage)) is None

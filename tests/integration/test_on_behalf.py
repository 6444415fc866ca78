"""On behalf, clearly: the volunteer of a request posted for a resident sees the resident's
name and phone when the resident agreed, or else whoever posted it, named as the go-between;
the mails of a confirmed match say which, and nothing is shown before a match is agreed."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, Forms
from tests.integration.test_help_requests import next_weekday
from voorelkaar.matches.services import confirm_match, offer_help
from voorelkaar.models import HelpRequest, OutboxMessage, Role


@pytest.fixture
def coordinator(staff, db):
    """The staff member who posts; reachable on their own phone number."""
    staff.phone = "+31522999999"
    db.commit()
    return staff


@pytest.fixture
def colleague(make_user):
    return make_user(Role.STAFF, email="collega@example.nl", name="Kees Collega")


def login(app, email):
    client = app.test_client()
    assert AuthActions(Forms(client)).login(email).status_code == 302
    return client


def post_for_resident(app, db, email, *, shares: bool) -> HelpRequest:
    client = login(app, email)
    data = {
        "posted_for": "resident",
        "resident_name": "Aaltje Mulder",
        "resident_contact": "0522 123456",
        "consent_date": date.today().strftime("%d-%m-%Y"),
        "category": "boodschappen",
        "title": "Boodschappen doen",
        "description": "Elke week naar de Jumbo.",
        "schedule": "once",
        "day": next_weekday(2).strftime("%d-%m-%Y"),
        "start_time": "10:00",
        "end_time": "11:00",
        "postcode": "7942 JA",
        "house_number": "8",
        "street": "Dorpsstraat",
        "volunteers_needed": "1",
        "vog": "no",
    }
    if shares:
        data["resident_shares_contact"] = "y"
    response = Forms(client).post("/hulpvragen/nieuw", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.scalar(select(HelpRequest).order_by(HelpRequest.id.desc()))


def confirm(app, db, item, volunteer, colleague):
    """The volunteer offers, a colleague of the poster says yes (so the poster is told)."""
    with app.test_request_context():
        match = offer_help(db, volunteer, item)
        db.commit()
        confirm_match(db, colleague, match)
        db.commit()


def mail(db, user, template_word):
    db.expire_all()
    return [
        m
        for m in db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id))
        if template_word in m.idempotency_key
    ]


def test_with_consent_the_volunteer_sees_the_resident_s_name_and_phone(
    app, db, coordinator, colleague, volunteer
):
    item = post_for_resident(app, db, coordinator.email, shares=True)
    volunteer_client = login(app, volunteer.email)
    before = volunteer_client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "0522 123456" not in before and "Dorpsstraat" not in before  # not before a match
    confirm(app, db, item, volunteer, colleague)
    page = volunteer_client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "Aaltje Mulder" in page and "0522 123456" in page and "Dorpsstraat" in page
    assert "Contact loopt via" not in page and coordinator.email not in page
    (to_volunteer,) = mail(db, volunteer, ":match_confirmed:")
    assert "Aaltje Mulder" in to_volunteer.body_text and "0522 123456" in to_volunteer.body_text
    assert "Bel de inwoner" in to_volunteer.body_text
    assert coordinator.email not in to_volunteer.body_text
    (to_poster,) = mail(db, coordinator, "match_confirmed_asker")
    assert "belt de inwoner zelf" in to_poster.body_text


def test_without_consent_the_volunteer_sees_the_coordinator_as_go_between(
    app, db, coordinator, colleague, volunteer
):
    item = post_for_resident(app, db, coordinator.email, shares=False)
    confirm(app, db, item, volunteer, colleague)
    page = login(app, volunteer.email).get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "Contact loopt via Fatima El Amrani (coördinator), +31522999999" in page
    assert "Aaltje Mulder" not in page and "0522 123456" not in page
    assert "Dorpsstraat" in page  # the address of the help, once agreed
    (to_volunteer,) = mail(db, volunteer, ":match_confirmed:")
    text = to_volunteer.body_text
    assert "Contact loopt via: Fatima El Amrani (coördinator)" in text
    assert "Aaltje Mulder" not in text and "0522 123456" not in text
    (to_poster,) = mail(db, coordinator, "match_confirmed_asker")
    assert "neemt contact op met u, niet met de inwoner" in to_poster.body_text
    staff_page = login(app, coordinator.email).get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "alleen Fatima El Amrani als contactpersoon" in staff_page


def test_a_carer_s_request_names_the_carer_as_go_between_for_the_cared_for(
    app, db, carer, colleague, volunteer
):
    client = login(app, carer.email)
    data = {
        "posted_for": "cared_for",
        "for_first_name": "Gerrit",
        "category": "boodschappen",
        "title": "Wandelen met Gerrit",
        "description": "Een rondje door het park.",
        "schedule": "once",
        "day": next_weekday(3).strftime("%d-%m-%Y"),
        "start_time": "10:00",
        "end_time": "11:00",
        "postcode": "7941 AB",
        "house_number": "1",
        "street": "Kerkstraat",
        "volunteers_needed": "1",
        "vog": "no",
    }
    assert Forms(client).post("/hulpvragen/nieuw", data).status_code == 302
    item = db.scalar(select(HelpRequest))
    if item.state.value == "pending":
        from voorelkaar.moderation.services import approve_post

        with app.test_request_context():
            approve_post(db, colleague, item)
    confirm(app, db, item, volunteer, colleague)
    page = login(app, volunteer.email).get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "De hulp is voor Gerrit. Contact loopt via Henk Bakker (mantelzorger)." in page

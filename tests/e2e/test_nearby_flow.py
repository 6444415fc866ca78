"""A volunteer sets their week and finds the requests that suit them, in a real browser."""

import re

import pytest

from tests.e2e.test_help_request_flow import log_in, log_out
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e


def test_a_volunteer_in_7942_finds_a_7943_shopping_request_with_reasons(
    visit,
    make_user,
    make_request,
    db,
):
    asker = make_user(Role.RESIDENT, email="riek@example.nl", postcode="7943 AC")
    item = make_request(asker, title="Boodschappen doen", postcode="7943 AC", skills="boodschappen")
    volunteer = make_user(
        Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries", postcode="7942 JD"
    )
    volunteer.skills = "boodschappen"
    db.commit()
    make_user(Role.STAFF, email="staf@example.nl")
    page = visit.page
    log_in(visit, "sanne@example.nl")
    page.get_by_role("link", name="Mijn beschikbaarheid").click()
    visit.assert_accessible()
    page.get_by_label("dinsdagmiddag").check()
    page.get_by_label("Hoe ver wilt u reizen?").select_option("5")
    visit.submit("Opslaan")
    page.get_by_role("link", name="Hulpvragen bij mij in de buurt").click()
    visit.assert_accessible()
    first = page.locator("ol.posts > li").first
    assert "Boodschappen doen" in first.inner_text()
    assert "dinsdagmiddag beschikbaar" in first.inner_text()
    assert "km van de hulpvraag" in first.inner_text()
    assert "7943 AC" not in page.content()
    log_out(visit)

    log_in(visit, "staf@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    assert "Sanne de Vries" in page.content()


def test_ik_help_then_confirmation_shows_contact_details_to_both_sides(
    visit, make_user, make_request, db
):
    asker = make_user(
        Role.RESIDENT, email="riek@example.nl", name="Riek Jansen", postcode="7943 AC"
    )
    item = make_request(asker, title="Boodschappen doen", postcode="7943 AC")
    make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries", postcode="7942 JD")
    page = visit.page
    log_in(visit, "sanne@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    assert "7943 AC" not in page.content()
    visit.submit("Ik help")
    assert "De vrager laat weten of het doorgaat" in page.content()
    log_out(visit)

    log_in(visit, "riek@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    visit.submit("Ja, Sanne mag helpen")
    assert "sanne@example.nl" in page.content()
    log_out(visit)

    log_in(visit, "sanne@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    assert "7943 AC" in page.content() and "riek@example.nl" in page.content()
    visit.goto("/mijn-inzet")
    assert "Boodschappen doen" in page.content()


def test_staff_invite_the_best_suggestion_who_accepts_by_email_and_messages_arrive(
    smtp, visit, live_server, make_user, make_request, db
):
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.notify import dispatch_outbox

    app, base_url = live_server

    def dispatch():
        with app.app_context():
            dispatch_outbox(get_session(), utcnow())

    asker = make_user(
        Role.RESIDENT, email="riek@example.nl", name="Riek Jansen", postcode="7943 AC"
    )
    item = make_request(asker, title="Boodschappen doen", postcode="7943 AC", skills="boodschappen")
    best = make_user(
        Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries", postcode="7943 AC"
    )
    best.skills = "boodschappen"
    db.commit()
    make_user(Role.VOLUNTEER, email="verweg@example.nl", name="Kees Verweg", postcode="7948 AA")
    make_user(Role.STAFF, email="staf@example.nl")
    page = visit.page
    log_in(visit, "staf@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    first = page.locator("ol.posts > li").first
    assert "Sanne de Vries" in first.inner_text()
    first.get_by_role("button", name=re.compile("Uitnodigen")).click()
    page.wait_for_load_state()
    visit.assert_accessible()
    log_out(visit)
    dispatch()
    (invitation,) = smtp.wait_for(1)
    text = invitation.get_body(("plain",)).get_content()
    yes_link = next(line for line in text.splitlines() if "antwoord=ja" in line).strip()
    page.goto(yes_link)  # no login needed; the page only asks to confirm
    visit.assert_accessible()
    visit.submit("Antwoord versturen")

    log_in(visit, "riek@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    visit.submit("Ja, Sanne mag helpen")
    assert "sanne@example.nl" in page.content()
    page.get_by_label("Stuur een bericht").fill("Fijn dat u komt! De bel doet het niet, klop maar.")
    visit.submit("Versturen")
    dispatch()
    # Her yes told Riek and the staff member; the confirmation and the message told Sanne.
    messages = smtp.wait_for(5)
    assert [m["To"] for m in messages[3:]] == ["sanne@example.nl", "sanne@example.nl"]
    assert "klop maar" in messages[4].get_body(("plain",)).get_content()

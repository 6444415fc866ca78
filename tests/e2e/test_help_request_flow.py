"""Asking for help and keeping the site safe, in a real browser."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.e2e.conftest import pass_code_step
from tests.integration.test_help_requests import next_weekday
from voorelkaar.models import HelpRequest, Neighbourhood, NeighbourhoodArea, Role

pytestmark = pytest.mark.e2e


def log_in(visit, email):
    page = visit.page
    visit.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    visit.submit("Inloggen")
    pass_code_step(visit, email)


def log_out(visit):
    visit.submit("Uitloggen")


def fill_request(page, *, category, title, description, start="14:00", end="16:00"):
    page.get_by_label("Soort hulp").select_option(category)
    page.get_by_label("Korte titel").fill(title)
    page.get_by_label("Beschrijving").fill(description)
    page.get_by_label("Straat").fill("Kerkstraat")
    page.get_by_label("Begintijd").fill(start)
    page.get_by_label("Eindtijd").fill(end)


@pytest.fixture
def far_wijk(db, meppel):
    """A wijk far from Meppel, to filter on."""
    from voorelkaar.models import Municipality

    amsterdam = Municipality(name="Amsterdam", slug="amsterdam")
    wijk = Neighbourhood(
        municipality=amsterdam,
        name="Grachtengordel",
        slug="grachtengordel",
        areas=[NeighbourhoodArea(pc4="1016")],
    )
    db.add_all([amsterdam, wijk])
    db.commit()
    return wijk


def test_a_resident_asks_for_shopping_staff_approve_and_it_is_listed_near_meppel(
    visit, make_user, far_wijk, db
):
    make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen", postcode="7941 BK")
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    page = visit.page
    log_in(visit, "riek@example.nl")
    page.get_by_role("link", name="Een hulpvraag plaatsen").click()
    visit.assert_accessible()
    tuesday = next_weekday(1)
    fill_request(
        page,
        category="boodschappen",
        title="Boodschappen op dinsdag",
        description="Wie haalt mijn boodschappen bij de supermarkt?",
    )
    page.get_by_label("Datum").fill(tuesday.isoformat())
    visit.submit("Hulpvraag plaatsen")
    assert "eerst bekeken door een coördinator" in page.content()
    assert "dinsdag" in page.content() and "14:00–16:00" in page.content()
    log_out(visit)

    log_in(visit, "staf@example.nl")
    visit.goto("/beheer/te-beoordelen")
    page.get_by_role("button", name=re.compile("Goedkeuren.*Boodschappen op dinsdag")).click()
    page.wait_for_load_state()
    visit.assert_accessible()
    log_out(visit)

    visit.goto("/hulpvragen?postcode=7942+JD&afstand=5")
    assert "Boodschappen op dinsdag" in page.content()
    assert "7941 BK" not in page.content()
    visit.goto(f"/hulpvragen?wijk={far_wijk.id}")
    assert "Boodschappen op dinsdag" not in page.content()
    assert "0 hulpvragen gevonden" in page.content()


def test_a_carer_asks_for_a_weekly_walk_with_their_partner(visit, make_user, db, meppel):
    make_user(Role.CARER, email="henk@example.nl", name="Henk Bakker", postcode="7943 AC")
    page = visit.page
    log_in(visit, "henk@example.nl")
    page.get_by_role("link", name="Hulp vragen voor mijn naaste").click()
    visit.assert_accessible()
    page.get_by_label("Voor iemand voor wie ik zorg").check()
    page.get_by_label("Voornaam van uw naaste").fill("Gerrit")
    fill_request(
        page,
        category="wandelen",
        title="Wandelen met Gerrit",
        description="Gerrit heeft dementie en wandelt graag in het park.",
        start="10:00",
        end="11:30",
    )
    page.get_by_label("Elke week").check()
    page.get_by_label("Dag van de week").select_option("2")
    page.get_by_label("Tot en met").fill((next_weekday(2) + timedelta(weeks=12)).isoformat())
    page.get_by_label("Ja, want de hulp is voor iemand die kwetsbaar is").check()
    visit.submit("Hulpvraag plaatsen")
    assert "elke woensdag, 10:00–11:30" in page.content()
    item = db.scalar(select(HelpRequest))
    assert item.for_first_name == "Gerrit" and item.requires_vog


def test_staff_reject_with_a_reason_that_reaches_the_author_by_email(
    smtp, visit, make_user, live_server, db
):
    # smtp comes first: the live server must be built with its MAIL_URL.
    from voorelkaar.db import utcnow
    from voorelkaar.notify import dispatch_outbox

    app, _ = live_server
    make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    make_user(Role.STAFF, email="staf@example.nl")
    page = visit.page
    log_in(visit, "riek@example.nl")
    visit.goto("/hulpvragen/nieuw")
    fill_request(
        page, category="klussen", title="Lamp ophangen", description="Bel mij op 0612345678"
    )
    page.get_by_label("Datum").fill(next_weekday(3).isoformat())
    visit.submit("Hulpvraag plaatsen")
    log_out(visit)

    log_in(visit, "staf@example.nl")
    visit.goto("/beheer/te-beoordelen")
    page.get_by_role("link", name=re.compile("Afwijzen.*Lamp ophangen")).click()
    visit.assert_accessible()
    reason = "Zet uw telefoonnummer niet in de tekst. Pas de hulpvraag aan, dan plaatsen we hem."
    page.get_by_label("Reden van afwijzen").fill(reason)
    visit.submit("Afwijzen en e-mail sturen")
    with app.app_context():
        from voorelkaar.db import get_session

        dispatch_outbox(get_session(), utcnow())
    (message,) = smtp.wait_for(1)
    assert reason in message.get_body(("plain",)).get_content()


def test_a_reported_author_is_blocked_and_their_posts_disappear(visit, make_user, db, meppel):
    from tests.integration.test_reports_and_blocking import open_request

    open_request(db, make_user)
    make_user(Role.VOLUNTEER, email="sanne@example.nl")
    make_user(Role.STAFF, email="staf@example.nl")
    page = visit.page
    log_in(visit, "sanne@example.nl")
    visit.goto("/hulpvragen")
    page.get_by_role("link", name="Wie helpt met de tuin?").click()
    visit.assert_accessible()
    page.get_by_role("link", name="Meld misbruik").click()
    visit.assert_accessible()
    page.get_by_label("Wat is er mis?").fill("Dit is reclame voor een hoveniersbedrijf.")
    visit.submit("Melding versturen")
    log_out(visit)

    log_in(visit, "staf@example.nl")
    visit.goto("/beheer/meldingen")
    page.get_by_role("link", name=re.compile("Melding over.*Wie helpt met de tuin")).click()
    visit.assert_accessible()
    page.get_by_label("Wat heeft u gedaan?").fill("Reclame. Account geblokkeerd.")
    page.get_by_label("De schrijver blokkeren").check()
    visit.submit("Afhandelen")
    visit.goto("/beheer/logboek")
    assert "blokkeerde het account van Sjaak Schrijver" in page.locator(".audit-log").inner_text()
    log_out(visit)
    visit.goto("/hulpvragen")
    assert "Wie helpt met de tuin?" not in page.content()

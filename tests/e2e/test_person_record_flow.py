"""A coordinator works from a person's page: corrects the phone, notes a visit, posts a
request for the resident with the resident's address, and the volunteer who helps gets the
resident's name and phone (the resident agreed); every page passes axe at 320 and 1280 px,
and the mails arrive at a real SMTP server."""

import os
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.e2e.test_help_request_flow import log_in, log_out
from voorelkaar.models import HelpRequest, RequestState, Role

pytestmark = pytest.mark.e2e
# A folder to keep screenshots of each page at each width in, for a person to look at.
SHOTS = os.environ.get("PERSON_RECORD_SHOTS")


def next_wednesday() -> date:
    today = date.today()
    return today + timedelta(days=(2 - today.weekday()) % 7 or 7)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def at_both_widths(visit, path: str) -> None:
    """The page passes axe at 1280 and at 320 px, and needs no sideways scrolling at 320."""
    page = visit.page
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        visit.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
        if SHOTS:
            page.screenshot(
                path=f"{SHOTS}/{path.strip('/').replace('/', '_')}-{width}.png", full_page=True
            )
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_coordinator_works_from_the_person_page_and_the_volunteer_gets_the_resident_s_phone(
    smtp, visit, live_server, make_user, db
):
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.matches.services import confirm_match, offer_help
    from voorelkaar.notify import dispatch_outbox

    app, _ = live_server
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    colleague = make_user(Role.STAFF, email="kees@example.nl", name="Kees Collega")
    person = make_user(
        Role.RESIDENT, email="aaltje@example.nl", name="Aaltje Mulder", postcode="7942 JA"
    )
    person.street, person.house_number = "Dorpsstraat", "8"
    db.commit()
    page = visit.page

    log_in(visit, "staf@example.nl")
    at_both_widths(visit, f"/mensen/{person.id}")

    # Correct the phone: a wrong number is refused and kept, a right one saved.
    page.get_by_role("link", name="Gegevens wijzigen").click()
    visit.assert_accessible()
    page.get_by_label("Telefoonnummer (niet verplicht)").fill("0522 12")
    visit.submit("Gegevens opslaan")
    assert "Vul een geldig telefoonnummer in" in page.content()
    assert page.get_by_label("Telefoonnummer (niet verplicht)").input_value() == "0522 12"
    page.get_by_label("Telefoonnummer (niet verplicht)").fill("0522 123456")
    visit.submit("Gegevens opslaan")
    assert "De gegevens zijn opgeslagen: telefoon." in page.content()

    # Write down a home visit of 30 minutes.
    page.get_by_label("Huisbezoek").check()
    page.get_by_label("Hoe lang duurde het? (minuten, niet verplicht)").fill("30")
    page.get_by_label("Wat is er besproken?").fill("Koffie gedronken, wil hulp met boodschappen.")
    visit.submit("Contact opslaan")
    assert "Huisbezoek, 30 minuten" in page.locator(".contact-notes").inner_text()

    # Post a request for her: her address is filled in, the text talks to the coordinator.
    page.get_by_role("link", name="Hulpvraag plaatsen voor deze persoon").click()
    visit.assert_accessible()
    at_both_widths(visit, path_of(page.url))
    assert page.get_by_label("Postcode").input_value() == "7942 JA"
    assert page.get_by_label("Huisnummer").input_value() == "8"
    assert "nooit uw adres" not in page.content()
    page.get_by_label("Datum waarop de inwoner toestemming gaf").fill(date.today().isoformat())
    page.get_by_label(
        "De inwoner vindt het goed dat de vrijwilliger naam en telefoonnummer ziet"
    ).check()
    page.get_by_label("Soort hulp").select_option("boodschappen")
    page.get_by_label("Korte titel").fill("Boodschappen doen")
    page.get_by_label("Beschrijving").fill("Naar de Jumbo, met een lijstje.")
    page.get_by_label("Datum", exact=True).fill(next_wednesday().isoformat())
    page.get_by_label("Begintijd").fill("10:00")
    page.get_by_label("Eindtijd").fill("11:00")
    visit.submit("Hulpvraag plaatsen")
    assert "De hulpvraag voor Aaltje Mulder staat online." in page.content()
    item = db.scalar(select(HelpRequest))
    assert item.state == RequestState.OPEN and item.resident_id == person.id
    log_out(visit)

    with app.app_context():
        dispatch_outbox(get_session(), utcnow())
    (told,) = smtp.wait_for(1)
    assert told["To"] == "aaltje@example.nl" and "staat online" in told["Subject"]

    # Sanne offers, a colleague says yes: she gets Aaltje's name and phone.
    with app.test_request_context():
        session = get_session()
        match = offer_help(session, session.merge(volunteer), session.merge(item))
        session.commit()
        confirm_match(session, session.merge(colleague), match)
        session.commit()
        dispatch_outbox(session, utcnow())
    mails = smtp.wait_for(3)
    to_sanne = next(m for m in mails if m["To"] == "sanne@example.nl")
    text = to_sanne.get_body(("plain",)).get_content()
    assert "Aaltje Mulder" in text and "+31522123456" in text and "Bel de inwoner" in text
    assert "staf@example.nl" not in text

    log_in(visit, "sanne@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    content = page.content()
    assert "Aaltje Mulder" in content and "+31522123456" in content and "Dorpsstraat" in content
    log_out(visit)

    # A record for someone without an account, from the person page.
    log_in(visit, "staf@example.nl")
    visit.goto(f"/mensen/{person.id}")
    page.get_by_role("link", name="Nieuwe persoon zonder account").click()
    at_both_widths(visit, "/mensen/nieuw")
    page.get_by_label("Naam").fill("Meneer Jan Kok")
    page.get_by_label("Telefoonnummer", exact=True).fill("0522 654321")
    page.get_by_label("Postcode").fill("7941 BK")
    page.get_by_label("Huisnummer").fill("4")
    visit.submit("Persoon opslaan")
    assert "geen account, bereikbaar via telefoon" in page.content()
    at_both_widths(visit, path_of(page.url))

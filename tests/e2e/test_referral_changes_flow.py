"""A consultant corrects a referral with a typo'd email, sends it again, and withdraws another:
the resident's mailbox (a real SMTP server) gets the new link, old and withdrawn links stop."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.test_help_request_flow import log_in, log_out
from tests.e2e.test_referral_flow import CONSULTANT
from voorelkaar.help_requests.forms import today
from voorelkaar.models import Referral, Role

pytestmark = pytest.mark.e2e

WIDTHS = (320, 1280)


def shoot(page, width: int) -> None:
    """A screenshot to look at, when REFERRAL_SHOTS names a folder."""
    folder = os.environ.get("REFERRAL_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = page.url.split("://", 1)[1].split("/", 1)[1].replace("/", "_") or "home"
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


def accessible_at_both_widths(visit):
    """axe-core on the page as it is, on a small phone and on a desktop; nothing sideways."""
    page = visit.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visit.assert_accessible()
        shoot(page, width)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide at {width}"
    page.set_viewport_size({"width": 1280, "height": 900})


def refer(visit, *, name: str, email: str):
    page = visit.page
    visit.goto("/verwijzingen/nieuw")
    page.get_by_label("Naam van de inwoner").fill(name)
    page.get_by_label("E-mailadres van de inwoner (niet verplicht)").fill(email)
    page.get_by_label("Postcode").fill("7941 BK")
    page.get_by_label("Huisnummer").fill("12")
    page.get_by_label("Soort hulp").select_option("boodschappen")
    page.get_by_label("Korte titel").fill("Boodschappen doen")
    page.get_by_label("Welke hulp zoekt de inwoner?").fill("Hulp bij de boodschappen.")
    page.get_by_label("Datum waarop de inwoner toestemming gaf").fill(today().isoformat())
    visit.submit("Verwijzing opslaan")
    assert "De verwijzing is opgeslagen." in page.content()


def send_mail(app):
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.notify import dispatch_outbox

    with app.app_context():
        dispatch_outbox(get_session(), utcnow())


def link_in(mail) -> str:
    text = mail.get_body(("plain",)).get_content()
    return next(line for line in text.splitlines() if "/verwijzing/" in line).strip()


def test_a_typo_is_corrected_and_sent_again_and_a_withdrawn_referral_stops_working(
    smtp, visit, live_server, make_user, db, meppel
):
    app, _ = live_server
    meppel.org_phone = "0522 123 456"
    consultant = make_user(Role.CONSULTANT, email=CONSULTANT, name="Joost Mulder")
    consultant.phone = "06 12345678"
    db.commit()
    page = visit.page

    # 1. A referral with a typo in the email: the invitation goes to the wrong address.
    log_in(visit, CONSULTANT)
    refer(visit, name="Riek Jansen", email="riek@exmaple.nl")
    accessible_at_both_widths(visit)
    send_mail(app)
    (wrong,) = smtp.wait_for(1)
    assert wrong["To"] == "riek@exmaple.nl"
    old_link = link_in(wrong)

    # 2. The consultant corrects it; a consent date of 1-1-1900 is refused and kept.
    page.get_by_role("link", name="Verwijzing wijzigen").click()
    accessible_at_both_widths(visit)
    assert page.get_by_label("E-mailadres van de inwoner (niet verplicht)").input_value() == (
        "riek@exmaple.nl"
    )
    page.get_by_label("E-mailadres van de inwoner (niet verplicht)").fill("riek@example.nl")
    page.get_by_label("Datum waarop de inwoner toestemming gaf").fill("1900-01-01")
    visit.submit("Wijzigingen opslaan")
    accessible_at_both_widths(visit)
    assert "kan niet vóór 1 januari 2020 liggen" in page.content()
    assert page.get_by_label("E-mailadres van de inwoner (niet verplicht)").input_value() == (
        "riek@example.nl"
    )
    page.get_by_label("Datum waarop de inwoner toestemming gaf").fill(today().isoformat())
    visit.submit("Wijzigingen opslaan")
    assert "stuur de uitnodiging opnieuw" in page.content()

    # 3. Sent again: the right mailbox gets a new link; the old one says it was replaced.
    visit.submit("Uitnodiging opnieuw sturen")
    accessible_at_both_widths(visit)
    assert "Er is een nieuwe uitnodiging gestuurd naar riek@example.nl" in page.content()
    send_mail(app)
    _, right = smtp.wait_for(2)
    assert right["To"] == "riek@example.nl"
    new_link = link_in(right)
    assert new_link != old_link

    # The letter: dated today, with the consultant's phone and the municipality's.
    page.get_by_role("link", name="Brief voor de inwoner (om te printen)").click()
    accessible_at_both_widths(visit)
    letter = page.locator(".letter").inner_text()
    assert "06 12345678" in letter and "0522 123 456" in letter and "Datum:" in letter
    log_out(visit)

    page.goto(old_link)
    accessible_at_both_widths(visit)
    assert "Er is een nieuwe uitnodiging" in page.content() and "0522 123 456" in page.content()
    assert "Riek" not in page.content()
    page.goto(new_link)
    accessible_at_both_widths(visit)
    assert "Vul eerst uw postcode en huisnummer in" in page.content()

    # 4. A second referral is withdrawn: its link stops, its data goes.
    log_in(visit, CONSULTANT)
    refer(visit, name="Piet Puk", email="piet@example.nl")
    send_mail(app)
    piet_link = link_in(smtp.wait_for(3)[2])
    page.get_by_role("link", name="Toestemming ingetrokken: verwijzing intrekken").click()
    accessible_at_both_widths(visit)
    assert "Dit kunt u niet ongedaan maken." in page.content()
    visit.submit("Ja, verwijzing intrekken")
    accessible_at_both_widths(visit)
    assert "Piet" not in page.locator("main").inner_text()
    assert "Ingetrokken op" in page.content()

    # The list: the withdrawn one counted without a name, readable at 375 px.
    visit.goto("/verwijzingen")
    accessible_at_both_widths(visit)
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, 375)
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    withdrawn = rows.nth(0)
    assert "ingetrokken" in withdrawn.inner_text() and "Piet" not in withdrawn.inner_text()
    status = withdrawn.locator("td").first
    box = status.bounding_box()
    assert status.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert "Status" in status.evaluate("cell => getComputedStyle(cell, '::before').content")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_out(visit)

    page.goto(piet_link)
    accessible_at_both_widths(visit)
    assert "Deze uitnodiging werkt niet meer" in page.content()
    db.expire_all()
    piet = db.scalar(select(Referral).where(Referral.withdrawn_at.is_not(None)))
    assert piet.resident_name == "" and piet.email is None

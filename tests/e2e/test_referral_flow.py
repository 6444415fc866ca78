"""A Wmo consultant refers a resident, by email or by letter, and sees what came of it."""

import pytest
from sqlalchemy import select

from tests.e2e.test_help_request_flow import log_in, log_out
from tests.integration.test_help_requests import next_weekday
from voorelkaar.help_requests.forms import today
from voorelkaar.models import HelpRequest, Referral, Role

pytestmark = pytest.mark.e2e

CONSULTANT = "consulent@demo.voorelkaar.nl"


def refer(visit, *, email: str = ""):
    """The consultant fills in the referral form from the home page and saves it."""
    page = visit.page
    page.get_by_role("link", name="Een inwoner verwijzen").click()
    visit.assert_accessible()
    page.get_by_label("Naam van de inwoner").fill("Riek Jansen")
    if email:
        page.get_by_label("E-mailadres van de inwoner (niet verplicht)").fill(email)
    page.get_by_label("Postcode").fill("7941 BK")
    page.get_by_label("Huisnummer").fill("12")
    page.get_by_label("Straat (niet verplicht)").fill("Kerkstraat")
    page.get_by_label("Soort hulp").select_option("boodschappen")
    page.get_by_label("Korte titel").fill("Boodschappen doen")
    page.get_by_label("Welke hulp zoekt de inwoner?").fill(
        "Mevrouw kan slecht lopen en zoekt hulp bij de boodschappen."
    )
    page.get_by_label("Wanneer? (niet verplicht)").fill("dinsdagmiddag")
    page.get_by_label("Datum waarop de inwoner toestemming gaf").fill(today().isoformat())
    visit.submit("Verwijzing opslaan")
    assert "De verwijzing is opgeslagen." in page.content()


def check_address(visit):
    """The code alone shows nothing: the resident first types the address from the letter."""
    page = visit.page
    assert "Riek" not in page.content()
    visit.assert_accessible()
    page.get_by_label("Uw postcode").fill("7941 bk")
    page.get_by_label("Uw huisnummer").fill("12")
    visit.submit("Verder")


def make_account(visit, *, email: str | None = None):
    """The resident checks what is filled in, chooses a password and agrees."""
    page = visit.page
    assert page.get_by_label("Uw naam").input_value() == "Riek Jansen"
    assert page.get_by_label("Postcode").input_value() == "7941 BK"
    if email:
        page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill("een lange zin als wachtwoord")
    page.get_by_label("Herhaal het wachtwoord").fill("een lange zin als wachtwoord")
    page.get_by_label("Ik heb gelezen wat er met mijn gegevens gebeurt").check()
    visit.submit("Account maken en verder")


def post_prefilled_request(visit):
    """The request form comes filled in; the resident only picks the day and time."""
    page = visit.page
    assert page.get_by_label("Korte titel").input_value() == "Boodschappen doen"
    assert "dinsdagmiddag" in page.content()
    page.get_by_label("Datum").fill(next_weekday(1).isoformat())
    page.get_by_label("Begintijd").fill("14:00")
    page.get_by_label("Eindtijd").fill("16:00")
    visit.submit("Hulpvraag plaatsen")
    assert "Dank u wel" in page.content()


def test_a_consultant_refers_by_email_and_sees_posted_then_matched_without_who(
    smtp, visit, live_server, make_user, db
):
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.matches.services import confirm_match, offer_help
    from voorelkaar.moderation.services import publish_post
    from voorelkaar.notify import dispatch_outbox

    app, _ = live_server
    make_user(Role.CONSULTANT, email=CONSULTANT, name="Joost Mulder")
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    staff = make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    page = visit.page

    log_in(visit, CONSULTANT)
    refer(visit, email="riek@example.nl")
    log_out(visit)
    with app.app_context():
        dispatch_outbox(get_session(), utcnow())
    (invitation,) = smtp.wait_for(1)
    assert invitation["To"] == "riek@example.nl"
    text = invitation.get_body(("plain",)).get_content()
    link = next(line for line in text.splitlines() if "/verwijzing/" in line).strip()

    page.goto(link)
    check_address(visit)
    visit.assert_accessible()
    assert page.get_by_label("E-mailadres").input_value() == "riek@example.nl"
    make_account(visit)
    post_prefilled_request(visit)
    log_out(visit)

    log_in(visit, CONSULTANT)
    visit.goto("/verwijzingen")
    row = page.locator("tbody tr").first
    assert "Riek Jansen" in row.inner_text() and "hulpvraag geplaatst" in row.inner_text()

    # Staff approve; Sanne offers to help and the resident says yes.
    with app.test_request_context():
        session = get_session()
        item = session.scalar(select(HelpRequest))
        publish_post(item)
        session.commit()
        match = offer_help(session, session.merge(volunteer), item)
        confirm_match(session, session.merge(staff), match)

    visit.goto("/verwijzingen")
    row = page.locator("tbody tr").first
    assert "gematcht" in row.inner_text()
    page.get_by_role("link", name="Riek Jansen").click()
    visit.assert_accessible()
    assert "gematcht" in page.content()
    for secret in ("Sanne", "sanne@example.nl"):
        assert secret not in page.content()


def test_a_referral_without_email_gives_a_printable_letter_with_a_working_code(
    visit, make_user, db
):
    make_user(Role.CONSULTANT, email=CONSULTANT, name="Joost Mulder")
    page = visit.page
    log_in(visit, CONSULTANT)
    refer(visit)
    page.get_by_role("link", name="Brief voor de inwoner (om te printen)").click()
    visit.assert_accessible()
    code = page.locator(".letter__code").inner_text()
    address = page.locator(".letter__address").inner_text()
    assert address.endswith("/verwijzing")
    assert code.replace(" ", "") == db.scalar(select(Referral.code))
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("link", name="Terug naar de verwijzing").is_visible()
    assert page.locator(".letter__code").is_visible()
    page.emulate_media(media="screen")
    log_out(visit)

    page.goto(address)
    visit.assert_accessible()
    page.get_by_label("Uw code").fill(code.lower())
    visit.submit("Verder")
    assert "Welkom bij" in page.content()
    check_address(visit)
    make_account(visit, email="riek@example.nl")
    post_prefilled_request(visit)
    db.expire_all()
    referral = db.scalar(select(Referral))
    assert referral.account_id is not None and referral.request_id is not None
    assert db.get(HelpRequest, referral.request_id).title == "Boodschappen doen"

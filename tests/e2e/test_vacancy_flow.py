"""Organisations and volunteers in a real browser, with axe on every page."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import pass_code_step
from voorelkaar.db import get_session, utcnow
from voorelkaar.models import (
    Organisation,
    OrganisationMember,
    RequestState,
    Role,
    Vacancy,
    VacancyResponse,
)
from voorelkaar.notify import dispatch_outbox

pytestmark = pytest.mark.e2e

ORGANISATION = "Zorgcentrum De Schiphorst"
VACANCY = "Wandelmaatje voor bewoners"
OFFER = "Ik wandel graag met ouderen"


def log_in(visit, email: str):
    visit.goto("/login")
    visit.page.get_by_label("E-mailadres").fill(email)
    visit.page.get_by_label("Wachtwoord").fill(PASSWORD)
    visit.submit("Inloggen")
    pass_code_step(visit, email)


def press(visit, action: str, subject: str):
    """Press a button named like "Goedkeuren: <subject>" (the subject is for screen readers)."""
    name = re.compile(rf"^{re.escape(action)}\s*:\s*{re.escape(subject)}$")
    with visit.page.expect_navigation():
        visit.page.get_by_role("button", name=name).click()
    visit.assert_accessible()


def approve_as_staff(visit, title: str):
    visit.submit("Uitloggen")
    log_in(visit, "coordinator@example.nl")
    visit.goto("/beheer/te-beoordelen")
    press(visit, "Goedkeuren", title)
    visit.submit("Uitloggen")


def at_widths(visit, widths=(320, 1280)):
    """Check the page with axe at a phone's width and a desktop's, ending at the desktop."""
    for width in widths:
        visit.page.set_viewport_size({"width": width, "height": 800})
        visit.assert_accessible()


def follow(visit, link: str):
    """Click a link by its name, as a keyboard or mouse user would, and check the page."""
    with visit.page.expect_navigation():
        visit.page.get_by_role("link", name=link, exact=True).first.click()
    visit.assert_accessible()


def test_an_organisation_posts_a_vacancy_a_volunteer_responds_and_the_organisation_sees_it(
    smtp, visit, live_server, make_user, staff, volunteer
):
    app, _ = live_server
    make_user(Role.ORGANISATION, email="organisatie@example.nl", name="Ans Kok")
    page = visit.page

    log_in(visit, "organisatie@example.nl")
    follow(visit, "Mijn organisatie")
    follow(visit, "Organisatie aanmelden")
    page.get_by_label("Naam van de organisatie").fill(ORGANISATION)
    page.get_by_label("KvK-nummer (niet verplicht)").fill("1234567")
    visit.submit("Organisatie aanmelden")
    assert "Een KvK-nummer heeft 8 cijfers" in page.content()
    at_widths(visit)  # the application form, with its messages
    assert page.get_by_label("Naam van de organisatie").input_value() == ORGANISATION
    page.get_by_label("KvK-nummer (niet verplicht)").fill("12345678")
    page.get_by_label("Telefoonnummer van de organisatie").fill("0522 123456")
    visit.submit("Organisatie aanmelden")
    assert "Nog niet gecontroleerd" in page.content()
    visit.submit("Uitloggen")

    log_in(visit, "coordinator@example.nl")
    follow(visit, "Organisaties controleren")
    assert "12345678" in page.content() and "0522 123 456" in page.content()
    at_widths(visit)
    press(visit, "Goedkeuren", ORGANISATION)
    assert "is gecontroleerd" in page.content()
    visit.submit("Uitloggen")

    log_in(visit, "organisatie@example.nl")
    follow(visit, "Vacature plaatsen")
    page.get_by_label("Korte titel").fill(VACANCY)
    page.get_by_label("Beschrijving").fill("Loopt u een uurtje mee met een bewoner?")
    page.get_by_label("Hoeveel tijd kost het?").fill("2 uur per week, op dinsdagmiddag")
    page.get_by_label("Hoeveel vrijwilligers zoekt u? (niet verplicht)").fill("1")
    page.get_by_label("Vanaf wanneer? (niet verplicht)").fill("2099-02-01")
    page.get_by_label("Voor dit werk is een VOG nodig").check()
    page.get_by_label("Postcode").fill("7941 aa")
    page.get_by_label("Huisnummer").fill("")
    visit.submit("Vacature plaatsen")
    assert "Vul het huisnummer in" in page.locator("#house_number-error").inner_text()
    at_widths(visit)  # the vacancy form, with its messages
    assert page.get_by_label("Korte titel").input_value() == VACANCY
    page.get_by_label("Huisnummer").fill("1")
    visit.submit("Vacature plaatsen")
    assert "eerst bekeken door een coördinator" in page.content()
    approve_as_staff(visit, VACANCY)

    log_in(visit, "vrijwilliger@example.nl")
    follow(visit, "Vacatures")
    page.get_by_label("Afstand").select_option("5")
    visit.submit("Zoeken")
    follow(visit, VACANCY)
    assert ORGANISATION in page.content() and "Centrum" in page.content()
    assert "1 vrijwilliger gezocht" in page.content() and "1 februari 2099" in page.content()
    visit.submit("Reactie sturen")  # empty: explained beside the field
    assert "waarom u wilt helpen" in page.locator("#message-error").inner_text()
    page.get_by_label("Uw reactie").fill("Ik wandel graag en heb op dinsdag tijd.")
    visit.submit("Reactie sturen")
    assert "Uw reactie is verstuurd" in page.content()
    visit.submit("Uitloggen")

    log_in(visit, "organisatie@example.nl")
    follow(visit, "Mijn organisatie")
    assert "Ik wandel graag en heb op dinsdag tijd." in page.content()
    assert "Sanne" in page.content() and "vrijwilliger@example.nl" not in page.content()
    assert "Van deze vrijwilliger is nog geen geldige VOG bekend." in page.content()
    page.locator("summary", has_text="Bericht sturen").click()  # unfolds the answer form
    page.get_by_label("Uw antwoord").fill("Fijn! Bel ons op 0522 123456.")
    press(visit, "Antwoord sturen", "Sanne V.")
    assert "Uw antwoord is verstuurd" in page.content()

    # Invited for a talk: both sides now see how to reach each other, and she gets a mail.
    press(visit, "Uitnodigen voor een gesprek", "Sanne V.")
    assert "In gesprek" in page.content() and "vrijwilliger@example.nl" in page.content()
    with app.app_context():
        dispatch_outbox(get_session(), utcnow())
    subject = "Een organisatie wil kennismaken"
    smtp.wait_for(1)
    invited = next(m for m in smtp.messages if m["Subject"] == subject)
    assert invited["To"] == "vrijwilliger@example.nl"
    text = invited.get_body(("plain",)).get_content()
    assert "organisatie@example.nl" in text
    link = next(line for line in text.splitlines() if "/vacatures/" in line).strip()
    press(visit, "Aannemen", "Sanne V.")
    assert "Alle plekken zijn nu gevuld." in page.content()
    at_widths(visit)  # the dashboard, a response taken on
    visit.submit("Uitloggen")

    log_in(visit, "vrijwilliger@example.nl")
    page.goto(link)
    visit.assert_accessible()
    assert "Aangenomen" in page.content() and "organisatie@example.nl" in page.content()
    at_widths(visit)


def test_a_volunteer_offers_help_staff_approve_and_a_resident_replies(
    visit, staff, volunteer, resident
):
    page = visit.page
    log_in(visit, "vrijwilliger@example.nl")
    follow(visit, "Hulpaanbod plaatsen")
    page.get_by_label("Soort hulp").select_option("wandelen")
    page.get_by_label("Korte titel").fill(OFFER)
    page.get_by_label("Beschrijving").fill("Elke dinsdag loop ik een rondje. Loopt u mee?")
    page.get_by_label("Wanneer kunt u? (niet verplicht)").fill("dinsdagmiddag")
    visit.submit("Aanbod plaatsen")
    assert "eerst bekeken door een coördinator" in page.content()
    approve_as_staff(visit, OFFER)

    visit.goto("/hulpaanbod")  # anonymous: the list, with the wijk only
    assert OFFER in page.content() and "Sanne" not in page.content()
    log_in(visit, "inwoner@example.nl")
    follow(visit, "Hulpaanbod")
    follow(visit, OFFER)
    page.get_by_label("Uw bericht aan de vrijwilliger").fill("Ik loop graag mee op dinsdag.")
    visit.submit("Bericht sturen")
    assert "De vrijwilliger krijgt een e-mail" in page.content()
    visit.submit("Uitloggen")

    log_in(visit, "vrijwilliger@example.nl")
    visit.goto("/mijn-aanbod")
    follow(visit, OFFER)
    assert "Ik loop graag mee op dinsdag." in page.content() and "Riek" in page.content()
    visit.submit("Aanbod stoppen")
    assert "niet meer online" in page.content()


def test_a_member_closes_vacancies_from_mijn_organisatie_and_the_vacancy_page(
    visit, make_user, db, volunteer
):
    member = make_user(Role.ORGANISATION, email="organisatie@example.nl", name="Ans Kok")
    organisation = Organisation(name=ORGANISATION, verified_at=utcnow())
    organisation.members = [OrganisationMember(user=member)]
    driver = "Chauffeur voor uitjes"
    vacancies = [
        Vacancy(
            organisation=organisation,
            author=member,
            state=RequestState.OPEN,
            title=title,
            description="Doet u mee?",
            hours="2 uur per week",
            pc4="7941",
            lat=member.lat,
            lon=member.lon,
            published_at=utcnow(),
        )
        for title in (VACANCY, driver)
    ]
    db.add_all([organisation, *vacancies])
    db.flush()
    db.add(VacancyResponse(vacancy=vacancies[0], volunteer=volunteer, message="Ik loop graag mee."))
    db.commit()
    page = visit.page

    log_in(visit, "organisatie@example.nl")
    follow(visit, "Mijn organisatie")
    page.locator(".post", has=page.get_by_role("heading", name=driver)).get_by_label(
        "Niet meer nodig: wij zoeken niemand meer"
    ).check()
    press(visit, "Vacature sluiten", driver)
    assert "De vacature is gesloten" in page.content()
    assert "gesloten, niet meer nodig" in page.content()

    follow(visit, VACANCY)
    visit.submit("Vacature sluiten")  # no reason chosen: explained, nothing closed
    assert "Kies of de vacature vervuld is" in page.locator(".error-summary").inner_text()
    page.get_by_label("Vervuld: er zijn genoeg vrijwilligers gevonden").check()
    visit.submit("Vacature sluiten")
    assert "Deze vacature is gesloten." in page.content()
    assert "genoeg vrijwilligers gevonden" in page.content()
    follow(visit, "Reacties op deze vacature bekijken")
    assert "Ik loop graag mee." in page.content()  # responses stay
    assert "gesloten, vervuld" in page.content()
    visit.submit("Uitloggen")

    log_in(visit, "vrijwilliger@example.nl")
    visit.goto("/vacatures")
    assert VACANCY not in page.content() and driver not in page.content()
    visit.goto(f"/vacatures/{vacancies[0].id}")
    assert "U kunt niet meer reageren." in page.content()
    assert "Ik loop graag mee." in page.content()

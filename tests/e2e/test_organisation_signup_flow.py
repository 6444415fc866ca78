"""An organisation signs itself up in a real browser: an account for its contact person
(confirmed by email), the application, a coordinator's approval or refusal, and the mails
the real SMTP server receives."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.test_account_flow import emailed_link
from tests.e2e.test_vacancy_flow import follow, log_in, press

pytestmark = pytest.mark.e2e

ORGANISATION = "Buurthuis De Plataan"


def body_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_an_organisation_signs_up_is_approved_by_mail_and_a_refused_one_hears_why(
    smtp, visit, live_server, make_user, staff
):
    app, _ = live_server
    page = visit.page

    # The contact person makes an account; the register page says how an organisation joins.
    visit.goto("/registreren")
    assert "Wilt u een organisatie aanmelden" in page.content()
    page.get_by_label("Uw naam").fill("Petra Jansen")
    page.get_by_label("E-mailadres").fill("petra@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_label("Postcode").fill("7942 AB")
    page.get_by_label("Huisnummer").fill("3")
    visit.submit("Account maken")
    page.goto(emailed_link(app, smtp, 1, "/registreren/bevestigen/"))
    visit.submit("Account bevestigen")

    # The organisation's pages show the way in: apply.
    visit.goto("/mijn-organisatie")
    follow(visit, "Organisatie aanmelden")
    page.get_by_label("Naam van de organisatie").fill(ORGANISATION)
    page.get_by_label("Wat doet uw organisatie? (niet verplicht)").fill("Een buurthuis.")
    page.get_by_label("Telefoonnummer van de organisatie").fill("0522 123456")
    page.get_by_label("Postcode van het bezoekadres (niet verplicht)").fill("7942ab")
    page.get_by_label("Huisnummer (niet verplicht)").fill("3")
    visit.submit("Organisatie aanmelden")
    assert "U krijgt een e-mail zodra de aanmelding is goedgekeurd." in page.content()
    visit.submit("Uitloggen")

    # Someone else applies for an organisation that cannot be found.
    make_user(email="jan@example.nl", name="Jan de Boer", postcode="7941 AB")
    log_in(visit, "jan@example.nl")
    visit.goto("/organisatie-aanmelden")
    page.get_by_label("Naam van de organisatie").fill("Stichting Nergens")
    visit.submit("Organisatie aanmelden")  # no phone number: asked for, the name kept
    assert "Vul een telefoonnummer in" in page.locator("#phone-error").inner_text()
    assert page.get_by_label("Naam van de organisatie").input_value() == "Stichting Nergens"
    page.get_by_label("Telefoonnummer van de organisatie").fill("06 12345678")
    visit.submit("Organisatie aanmelden")
    visit.submit("Uitloggen")

    # The coordinator approves one, and refuses the other with a reason (first without one).
    log_in(visit, staff.email)
    follow(visit, "Organisaties controleren")
    page.locator("summary", has_text="Stichting Nergens").click()  # opens the refusal form
    visit.assert_accessible()
    press(visit, "Afwijzen en mailen", "Stichting Nergens")
    assert "Schrijf waarom u de aanmelding afwijst." in page.content()
    page.get_by_label("Waarom keurt u de aanmelding van Stichting Nergens af?").fill(
        "We vinden deze stichting niet in het Handelsregister."
    )
    press(visit, "Afwijzen en mailen", "Stichting Nergens")
    assert "De aanmelding van Stichting Nergens is afgewezen." in page.content()
    press(visit, "Goedkeuren", ORGANISATION)
    visit.submit("Uitloggen")

    # Both applicants get their mail, by name; Petra's leads to her organisation's page.
    link = emailed_link(app, smtp, 3, "/mijn-organisatie")
    received = {message["To"]: message for message in smtp.wait_for(3)[1:]}
    approved, refused = received["petra@example.nl"], received["jan@example.nl"]
    assert "Beste Petra Jansen," in body_of(approved) and ORGANISATION in body_of(approved)
    assert "Beste Jan de Boer," in body_of(refused)
    assert "niet in het Handelsregister" in body_of(refused)

    page.goto(link)
    page.get_by_label("E-mailadres").fill("petra@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    visit.submit("Inloggen")
    assert ORGANISATION in page.content()
    follow(visit, "Vacature plaatsen")
    assert page.get_by_label("Korte titel").is_visible()

"""The welcome page's cards are links, wide and narrow; the overview links what exists."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.test_account_flow import emailed_link
from tests.e2e.test_help_request_flow import log_in
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 320)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_whole_welcome_card_can_be_clicked_or_reached_by_keyboard(visit, meppel, width):
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    visit.goto("/")
    # A click on the card's text, not on its heading, follows the card's link.
    text = page.get_by_text("Vind iemand die even met uw naaste wandelt")
    text.scroll_into_view_if_needed()
    text = text.bounding_box()
    with page.expect_navigation():
        page.mouse.click(text["x"] + text["width"] / 2, text["y"] + text["height"] / 2)
    visit.assert_accessible()
    assert page.url.endswith("/registreren?rol=carer")
    assert page.get_by_label("Ik zorg voor iemand (mantelzorger)").is_checked()
    assert not page.get_by_label("Ik zoek hulp").is_checked()

    visit.goto("/")
    link = page.get_by_role("link", name="Ik wil helpen", exact=True)
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    visit.assert_accessible()
    assert page.url.endswith("/hulpvragen")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_overview_leads_a_volunteer_to_mijn_inzet(visit, make_user, width):
    make_user(Role.VOLUNTEER, Role.ADMIN, email="sanne@example.nl")
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(visit, "sanne@example.nl")
    assert "Binnenkort" not in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="Mijn inzet", exact=True).click()
    visit.assert_accessible()
    assert page.url.endswith("/mijn-inzet")


def test_a_carer_from_the_welcome_card_confirms_by_email_and_lands_on_their_overview(
    smtp, visit, live_server, meppel
):
    app, _ = live_server
    page = visit.page
    visit.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Ik zorg voor iemand", exact=True).click()
    page.get_by_label("Uw naam").fill("Henk Bakker")
    page.get_by_label("E-mailadres").fill("henk@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_label("Postcode").fill("7942 AB")
    page.get_by_label("Huisnummer").fill("3")
    visit.submit("Account maken")
    assert "Kijk in uw e-mail" in page.content()

    page.goto(emailed_link(app, smtp, 1, "/registreren/bevestigen/"))
    visit.assert_accessible()
    assert "Welkom, Henk" in page.content()
    visit.submit("Account bevestigen")
    assert "Welkom, Henk! Uw account is klaar." in page.content()
    assert "Voor mantelzorgers" in page.content()

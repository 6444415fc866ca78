"""Roles are yours to add: from a page for another role, and from Mijn gegevens, in a browser.

Every page is checked with axe-core on a wide screen and on a 320 px phone.
"""

import pytest

from tests.e2e.test_help_request_flow import log_in, log_out
from tests.integration.test_access import offer_of
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 320)


def at_width(visit, width):
    visit.page.set_viewport_size({"width": width, "height": 900})
    return visit.page


@pytest.mark.parametrize("width", WIDTHS)
def test_a_resident_on_a_volunteer_page_becomes_a_volunteer_and_lands_where_they_wanted(
    visit, make_user, width
):
    make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    page = at_width(visit, width)
    log_in(visit, "riek@example.nl")
    visit.goto("/bij-mij-in-de-buurt")
    assert "Hiervoor heeft u een andere rol nodig" in page.content()
    page.get_by_role("link", name="Vrijwilliger worden").click()
    visit.assert_accessible()
    page.get_by_label("Waar kunt u mee helpen?").fill("boodschappen, wandelen")
    page.get_by_label("dinsdagmiddag").check()
    page.get_by_label("Hoe ver wilt u reizen?").select_option("10")
    visit.submit("Vrijwilliger worden")
    assert page.url.endswith("/bij-mij-in-de-buurt")
    assert "Gelukt. U bent vrijwilliger." in page.content()

    # And back again, from Mijn gegevens, after reading what it means.
    visit.goto("/profiel")
    page.get_by_role("link", name="Stoppen als vrijwilliger").click()
    visit.assert_accessible()
    assert "U ziet geen hulpvragen bij u in de buurt meer" in page.content()
    visit.submit("Ja, ik stop")
    assert "U bent geen vrijwilliger meer." in page.content()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_carers_link_opens_the_request_form_for_their_naaste_with_the_name_filled_in(
    visit, make_user, width
):
    make_user(Role.RESIDENT, email="henk@example.nl", name="Henk Bakker")
    page = at_width(visit, width)
    log_in(visit, "henk@example.nl")
    visit.goto("/profiel")
    page.get_by_role("link", name="Mantelzorger worden").click()
    visit.assert_accessible()
    page.get_by_label("Voor wie zorgt u?").fill("Anna")
    page.get_by_label("Wat is deze persoon van u?").fill("mijn vrouw")
    visit.submit("Mantelzorger worden")
    assert "Gelukt. U bent mantelzorger." in page.content()
    page.get_by_role("link", name="Hulp vragen voor mijn naaste").click()
    visit.assert_accessible()
    assert page.get_by_label("Voor iemand voor wie ik zorg").is_checked()
    assert page.get_by_label("Voornaam van uw naaste").input_value() == "Anna"
    visit.goto("/mantelzorg/zorgsituatie")
    assert page.get_by_label("Voor wie zorgt u?").input_value() == "Anna"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_other_role_pages_pass_axe(visit, make_user, db, width):
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    offer = offer_of(volunteer)
    db.add(offer)
    db.commit()
    page = at_width(visit, width)
    log_in(visit, "sanne@example.nl")
    for path in (
        "/profiel",
        "/profiel/rol/inwoner",
        "/profiel/rol/mantelzorger",
        "/beschikbaarheid",
        "/taken",  # a staff page: who gives that role
        "/mijn-organisatie",  # an organisation page
        "/hulpvragen/nieuw",  # for residents and carers: two buttons
    ):
        visit.goto(path)
    visit.goto("/profiel/rol/vrijwilliger/stoppen")
    assert "Dit is nu uw enige rol" in page.content()
    visit.goto("/profiel/rol/inwoner")
    visit.submit("Ik wil hulp vragen")
    visit.goto("/profiel/rol/vrijwilliger/stoppen")
    assert "U kunt nog niet stoppen" in page.content()
    assert page.get_by_role("link", name="Ik wandel graag").is_visible()

    log_out(visit)

    # Someone whose roles were all taken away is shown where to choose one.
    nobody = make_user(Role.RESIDENT, email="niemand@example.nl")
    nobody.roles.clear()
    db.commit()
    log_in(visit, "niemand@example.nl")
    assert "U heeft nog niet gekozen wat u hier wilt doen" in page.content()
    page.get_by_role("link", name="Kies wat u wilt doen").click()
    visit.assert_accessible()

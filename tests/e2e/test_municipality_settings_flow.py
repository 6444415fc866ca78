"""An admin keeps their municipality's settings in a browser: every page passes axe, and a
good logo fits a 320 px wide screen (400% zoom of 1280) without sideways scrolling."""

import pytest

from tests.e2e.test_help_request_flow import log_in
from tests.integration.test_municipality_settings import png
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e

EVIL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def no_sideways_scrolling(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def admin_in_browser(visit, make_user, meppel):
    make_user(Role.ADMIN, email="beheer@example.nl", name="Beheer", postcode="7941 AB")
    log_in(visit, "beheer@example.nl")
    return visit


def test_a_wide_logo_shows_at_400_percent_zoom_without_sideways_scrolling(
    admin_in_browser, tmp_path
):
    visit, page = admin_in_browser, admin_in_browser.page
    page.set_viewport_size({"width": 320, "height": 800})
    visit.goto("/beheer/gemeente")  # one municipality: straight to its settings
    assert page.url.endswith("/beheer/gemeente/meppel")
    logo = tmp_path / "logo.png"
    logo.write_bytes(png(1600, 200))
    page.get_by_label("Nieuw logo").set_input_files(str(logo))
    visit.submit("Logo opslaan")
    assert "Het logo is opgeslagen." in page.content()
    image = page.get_by_role("img", name="Het huidige logo van Meppel")
    assert image.evaluate("img => img.complete && img.naturalWidth === 1600")
    assert image.bounding_box()["width"] <= 320
    assert no_sideways_scrolling(page)


def test_a_refused_logo_and_a_wrong_phone_number_are_explained_on_accessible_pages(
    admin_in_browser, tmp_path
):
    visit, page = admin_in_browser, admin_in_browser.page
    page.set_viewport_size({"width": 320, "height": 800})
    visit.goto("/beheer/gemeente/meppel")
    evil = tmp_path / "logo.svg"
    evil.write_bytes(EVIL_SVG)
    page.get_by_label("Nieuw logo").set_input_files(str(evil))
    visit.submit("Logo opslaan")
    assert "Het SVG-bestand bevat een script" in page.content()
    assert no_sideways_scrolling(page)
    page.get_by_label("Naam van de site").fill("Meppel voor elkaar")
    page.get_by_label("Telefoonnummer").fill("12")
    visit.submit("Opslaan")
    assert "Vul een geldig telefoonnummer in" in page.content()
    assert page.get_by_label("Naam van de site").input_value() == "Meppel voor elkaar"


@pytest.mark.parametrize("width", (1280, 320))
def test_the_wijken_and_categories_pages_pass_axe(admin_in_browser, tmp_path, width):
    visit, page = admin_in_browser, admin_in_browser.page
    page.set_viewport_size({"width": width, "height": 900})
    visit.goto("/beheer/gemeente/meppel/wijken")
    page.get_by_label("Naam van de wijk").fill("Rogat")
    page.get_by_label("PC4-gebieden").fill("7971")
    visit.submit("Wijk toevoegen")
    assert "hoort bij gemeente Westerveld" in page.content()
    page.get_by_label("PC4-gebieden").fill("7949")
    visit.submit("Wijk toevoegen")
    assert "Wijk Rogat is toegevoegd." in page.content()
    bad = tmp_path / "wijken.csv"
    bad.write_text("wijk;pc4;pc6_van;pc6_tot\nFout;79;;\n", encoding="utf-8")
    page.get_by_label("CSV-bestand met wijken").set_input_files(str(bad))
    visit.submit("Bestand inlezen")
    assert "Regel 2" in page.content()
    page.get_by_role("link", name="Rogat").click()
    visit.assert_accessible()
    visit.goto("/beheer/gemeente/meppel/soorten-hulp")
    if width == 320:
        assert no_sideways_scrolling(page)


def test_a_regional_admin_chooses_a_municipality_on_an_accessible_page(
    visit, make_user, db, meppel, westerveld
):
    from voorelkaar.tenancy import set_served

    admin = make_user(Role.ADMIN, email="regio@example.nl", name="Regio", postcode="7941 AB")
    set_served(db, admin, {meppel.id, westerveld.id})
    db.commit()
    log_in(visit, "regio@example.nl")
    visit.goto("/beheer/instellingen")
    visit.page.get_by_role("link", name="Alle instellingen van de gemeente").click()
    visit.assert_accessible()
    visit.page.get_by_role("link", name="Westerveld").click()
    visit.assert_accessible()
    assert visit.page.url.endswith("/beheer/gemeente/westerveld")

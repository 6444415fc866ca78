"""The API's pages: its documentation, and the admin pages for tokens, each passing axe."""

import re

import pytest

from tests.conftest import fresh_code
from tests.e2e.test_help_request_flow import log_in, log_out
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e


def test_the_api_documentation_passes_axe_and_lists_every_endpoint(visit):
    visit.goto("/api/v1/docs")
    content = visit.page.content()
    for path in ("/figures", "/referrals/{referral_id}", "/requests", "/health"):
        assert f"/api/v1{path}" in content


def test_an_admin_issues_a_token_sees_it_once_and_revokes_it(visit, make_user):
    make_user(Role.ADMIN, email="beheer@example.nl")
    make_user(Role.CONSULTANT, email="consulent@example.nl", name="Joost Mulder")
    page = visit.page
    log_in(visit, "beheer@example.nl")
    visit.goto("/beheer/api-sleutels")

    visit.submit("Sleutel maken")  # nothing filled in: the errors, and still accessible
    assert "Geef de sleutel een naam." in page.content()
    assert "Kies minstens één bevoegdheid." in page.content()

    page.get_by_label("Naam van de sleutel").fill("Zaaksysteem Wmo")
    page.get_by_label("E-mailadres van de persoon namens wie de sleutel werkt").fill(
        "consulent@example.nl"
    )
    page.get_by_label("Verwijzingen maken en volgen (referrals:write)").check()
    visit.submit("Sleutel maken")
    secret = page.get_by_label("Sleutel", exact=True).input_value()
    assert len(secret) >= 40
    assert "Joost Mulder" in page.content()

    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Intrekken.*Zaaksysteem Wmo$")).click()
    visit.assert_accessible()
    assert "De sleutel Zaaksysteem Wmo is ingetrokken." in page.content()
    assert secret not in page.content()  # shown once, never again
    log_out(visit)


def test_the_token_pages_work_without_javascript(browser, live_server, make_user):
    app, base_url = live_server
    make_user(Role.ADMIN, email="beheer@example.nl")
    make_user(Role.STAFF, email="coordinator@example.nl")
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/login")
    page.get_by_label("E-mailadres").fill("beheer@example.nl")
    page.get_by_label("Wachtwoord").fill("een lange zin als wachtwoord")
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Code uit uw app").fill(fresh_code(app, "beheer@example.nl"))
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    page.goto(base_url + "/beheer/api-sleutels")
    page.get_by_label("Naam van de sleutel").fill("Vrijwilligerscentrale")
    page.get_by_label("E-mailadres van de persoon namens wie de sleutel werkt").fill(
        "coordinator@example.nl"
    )
    page.get_by_label("Hulpvragen lezen en plaatsen voor inwoners (requests:write)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Sleutel maken").click()
    assert page.get_by_label("Sleutel", exact=True).input_value()
    context.close()

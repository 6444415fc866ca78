"""Setting up and using a code from an app, in a real browser, checked by axe-core."""

import re

import pyotp
import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import Checked
from tests.e2e.test_help_request_flow import log_out
from voorelkaar.db import utcnow
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e


def _password(visit, email):
    visit.goto("/login")
    visit.page.get_by_label("E-mailadres").fill(email)
    visit.page.get_by_label("Wachtwoord").fill(PASSWORD)
    visit.submit("Inloggen")


def _secret_on(page) -> str:
    return page.locator(".secret-key code").inner_text().replace(" ", "")


def _code(secret: str, steps_ahead: int = 0) -> str:
    # A code counts once: a second login in the same half minute takes the next step's
    # code, which the site accepts for a phone whose clock runs a little ahead.
    return pyotp.TOTP(secret).generate_otp(int(utcnow().timestamp()) // 30 + steps_ahead)


def test_staff_set_up_the_code_and_then_log_in_with_it_or_a_recovery_code(visit, make_user):
    make_user(Role.STAFF, email="staf@example.nl", second_factor=False)
    page = visit.page
    _password(visit, "staf@example.nl")
    assert page.url.endswith("/mijn-gegevens/inloggen-met-code/instellen")
    assert "U werkt in het beheer" in page.content()
    visit.goto("/beheer/te-beoordelen")  # nothing else before the set-up
    assert page.url.endswith("/mijn-gegevens/inloggen-met-code/instellen")
    assert page.get_by_role("img", name="QR-code om met uw app te scannen").is_visible()

    secret = _secret_on(page)
    page.get_by_label("Code uit uw app").fill("12")
    visit.submit("Controleren en aanzetten")  # the error, and still accessible
    assert "6 cijfers" in page.get_by_role("alert").inner_text()
    page.get_by_label("Code uit uw app").fill(_code(secret))
    visit.submit("Controleren en aanzetten")
    assert "Bewaar deze codes goed" in page.content()
    codes = re.findall(r"[a-z2-9]{5}-[a-z2-9]{5}", page.locator(".recovery-codes").inner_text())
    assert len(codes) == 10
    with page.expect_navigation():
        page.get_by_role("link", name="Ik heb de codes bewaard").click()
    visit.assert_accessible()
    visit.goto("/beheer/te-beoordelen")
    assert page.url.endswith("/beheer/te-beoordelen")
    log_out(visit)

    _password(visit, "staf@example.nl")
    assert page.url.endswith("/login/code")
    page.get_by_label("Code uit uw app").fill("000000" if _code(secret, 1) != "000000" else "1")
    visit.submit("Inloggen")
    assert "Deze code klopt niet" in page.content()
    assert page.get_by_label("Code uit uw app").input_value() == ""
    page.get_by_label("Code uit uw app").fill(_code(secret, 1))
    visit.submit("Inloggen")
    assert "U bent ingelogd." in page.content()
    log_out(visit)

    _password(visit, "staf@example.nl")
    with page.expect_navigation():
        page.get_by_role("link", name="Log in met een herstelcode").click()
    visit.assert_accessible()
    page.get_by_label("Herstelcode").fill(codes[0])
    visit.submit("Inloggen")
    assert "nog 9 herstelcodes" in page.content()
    visit.goto("/mijn-gegevens/inloggen-met-code")
    assert "Opnieuw instellen" in page.content()


@pytest.fixture
def phone(browser, live_server):
    """A 320 px wide screen (a small phone, or 400% zoom)."""
    app, base_url = live_server
    context = browser.new_context(locale="nl-NL", viewport={"width": 320, "height": 640})
    yield Checked(context.new_page(), base_url, app)
    context.close()


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url


def _tab_to(page, label: str, limit: int = 40):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.labels?.[0]?.textContent.trim()") == label:
            return
    raise AssertionError(f"{label!r} cannot be reached with Tab")


def test_on_a_phone_and_by_keyboard_a_resident_turns_the_code_on_and_off(phone, make_user):
    make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    page = phone.page
    _password(phone, "riek@example.nl")
    phone.goto("/mijn-gegevens/inloggen-met-code")
    _fits(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Inloggen met een code instellen").click()
    phone.assert_accessible()
    _fits(page)
    secret = _secret_on(page)
    _tab_to(page, "Code uit uw app")
    page.keyboard.type(_code(secret))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    phone.assert_accessible()
    _fits(page)
    assert "Inloggen met een code staat nu aan." in page.content()
    log_out(phone)

    _password(phone, "riek@example.nl")
    assert page.url.endswith("/login/code")
    _fits(page)
    _tab_to(page, "Code uit uw app")
    page.keyboard.type(_code(secret, 1))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    phone.assert_accessible()
    assert "U bent ingelogd." in page.content()

    phone.goto("/mijn-gegevens/inloggen-met-code")
    _fits(page)
    page.locator("#uit-proof").fill(PASSWORD)
    phone.submit("Uitzetten")
    assert "Inloggen met een code staat nu uit." in page.content()
    log_out(phone)
    _password(phone, "riek@example.nl")
    assert "U bent ingelogd." in page.content()  # the password alone again

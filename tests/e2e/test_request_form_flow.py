"""The request form: only the 'wanneer' part chosen, one VOG question, and what it warns of."""

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.e2e.test_help_request_flow import fill_request, log_in
from tests.integration.test_help_requests import next_weekday
from voorelkaar.models import HelpRequest, RequestState, Role, ScheduleKind

pytestmark = pytest.mark.e2e


def day_part(page):
    return page.get_by_label("Datum", exact=True)


def weekly_parts(page):
    return page.get_by_label("Dag van de week"), page.get_by_label("Tot en met")


@pytest.mark.parametrize("width", (320, 1280))
def test_choosing_elke_week_by_keyboard_shows_only_the_weekly_part(visit, make_user, db, width):
    make_user(Role.RESIDENT, email="riek@example.nl", postcode="7941 BK")
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(visit, "riek@example.nl")
    visit.goto("/hulpvragen/nieuw")
    assert day_part(page).is_visible()
    assert not any(part.is_visible() for part in weekly_parts(page))
    once = page.get_by_label("Eén keer, op een vaste dag")
    once.focus()
    page.keyboard.press("ArrowDown")  # the arrow key moves the choice to "Elke week"
    assert page.get_by_label("Elke week", exact=True).is_checked()
    assert not day_part(page).is_visible()
    assert all(part.is_visible() for part in weekly_parts(page))
    visit.assert_accessible()
    fill_request(page, category="wandelen", title="Wandelen", description="Elke week een rondje.")
    page.get_by_label("Dag van de week").select_option("3")
    page.get_by_label("Tot en met").fill(next_weekday(3).isoformat())
    page.get_by_label("Ja, een VOG is nodig").check()
    visit.submit("Hulpvraag plaatsen")
    item = db.scalar(select(HelpRequest))
    assert item.schedule == ScheduleKind.WEEKLY and item.weekday == 3
    assert item.requires_vog and not item.vulnerable


def test_without_javascript_both_parts_show_and_say_when_they_count(
    browser, live_server, make_user
):
    _, base_url = live_server
    make_user(Role.RESIDENT, email="riek@example.nl", postcode="7941 BK")
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/login")
    page.get_by_label("E-mailadres").fill("riek@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.goto(base_url + "/hulpvragen/nieuw")
    page.get_by_label("Elke week", exact=True).check()
    assert day_part(page).is_visible()
    assert all(part.is_visible() for part in weekly_parts(page))
    assert page.get_by_role("group", name="Alleen bij 'Eén keer': de datum").is_visible()
    assert page.get_by_role(
        "group", name="Alleen bij 'Elke week': de dag en tot wanneer"
    ).is_visible()
    context.close()


@pytest.mark.parametrize("width", (320, 1280))
def test_a_postcode_outside_meppel_is_asked_about_and_kept_after_ja_dit_klopt(
    visit, make_user, db, width
):
    make_user(Role.RESIDENT, email="riek@example.nl", postcode="7941 BK")
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(visit, "riek@example.nl")
    visit.goto("/hulpvragen/nieuw")
    fill_request(page, category="klussen", title="Lamp ophangen", description="In de woonkamer.")
    page.get_by_label("Datum", exact=True).fill(next_weekday(2).isoformat())
    page.get_by_label("Postcode").fill("1012 AB")
    visit.submit("Hulpvraag plaatsen")
    assert "Deze postcode ligt niet in de gemeente Meppel. Klopt de postcode?" in page.content()
    box = page.get_by_label("Ja, dit klopt: het adres ligt buiten de gemeente")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    visit.submit("Hulpvraag plaatsen")
    item = db.scalar(select(HelpRequest))
    assert item.postcode == "1012 AB" and item.title == "Lamp ophangen"


def test_editing_an_online_request_warns_before_saving_that_it_goes_offline(
    visit, make_user, make_request, db
):
    riek = make_user(Role.RESIDENT, email="riek@example.nl", postcode="7941 BK")
    item = make_request(riek, title="Boodschappen", postcode="7941 BK")
    page = visit.page
    log_in(visit, "riek@example.nl")
    visit.goto(f"/hulpvragen/{item.id}/bewerken")
    notice = "Na het opslaan kijkt een coördinator eerst opnieuw naar uw hulpvraag."
    assert page.get_by_text(notice).is_visible()
    page.get_by_label("Straat").fill("Kerkstraat")  # asked since streets are kept
    visit.submit("Opslaan")
    db.refresh(item)
    assert item.state == RequestState.PENDING

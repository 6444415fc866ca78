"""A long story typed while the session ended is not lost: log in again, check it, send it."""

import pytest
from sqlalchemy import func, select, update

from tests.conftest import PASSWORD
from tests.e2e.test_help_request_flow import fill_request, log_in, next_weekday
from voorelkaar.db import utcnow
from voorelkaar.models import HelpRequest, Role, UserSession

pytestmark = pytest.mark.e2e

STORY = (
    "Mijn man heeft dementie. Hij wandelt graag in het park bij de Reest, "
    "maar alleen gaat dat niet meer. Wie wil op dinsdagmiddag met hem mee? "
) * 8


def end_session_on_the_server(db, _visit):
    db.execute(update(UserSession).values(revoked_at=utcnow()))
    db.commit()


def forget_the_cookie(_db, visit):
    visit.page.context.clear_cookies()


@pytest.mark.parametrize("width", (1280, 320))
@pytest.mark.parametrize("ending", (end_session_on_the_server, forget_the_cookie))
def test_a_story_typed_as_the_session_ended_comes_back_after_logging_in(
    visit, make_user, db, width, ending
):
    make_user(Role.RESIDENT, email="riek@example.nl", postcode="7941 BK")
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(visit, "riek@example.nl")
    visit.goto("/hulpvragen/nieuw")
    fill_request(page, category="wandelen", title="Wandelen met mijn man", description=STORY)
    page.get_by_label("Datum").fill(next_weekday(1).isoformat())

    ending(db, visit)
    visit.submit("Hulpvraag plaatsen")
    assert "/login" in page.url
    assert "Uw sessie was verlopen. Log opnieuw in." in page.content()

    page.get_by_label("E-mailadres").fill("riek@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    visit.submit("Inloggen")
    assert page.url.endswith("/hulpvragen/nieuw")
    assert "We hebben bewaard wat u had ingevuld. Controleer het en verstuur het opnieuw." in (
        page.content()
    )
    assert page.get_by_label("Beschrijving").input_value() == STORY.strip()
    assert page.get_by_label("Korte titel").input_value() == "Wandelen met mijn man"

    visit.submit("Hulpvraag plaatsen")
    assert "eerst bekeken door een coördinator" in page.content()
    db.expire_all()
    assert db.scalar(select(func.count(HelpRequest.id))) == 1


def test_a_logged_in_person_whose_form_expired_gets_it_back(visit, make_user, db):
    make_user(Role.RESIDENT, email="riek@example.nl", postcode="7941 BK")
    page = visit.page
    log_in(visit, "riek@example.nl")
    visit.goto("/hulpvragen/nieuw")
    fill_request(page, category="wandelen", title="Wandelen met mijn man", description=STORY)
    # The page's CSRF token no longer fits the session (as after logging in in another tab).
    page.get_by_label("Datum").fill(next_weekday(1).isoformat())
    page.evaluate(
        "document.querySelector('textarea[name=description]').form.csrf_token.value = 'verlopen'"
    )
    visit.submit("Hulpvraag plaatsen")
    assert page.url.endswith("/hulpvragen/nieuw")
    assert "Dit formulier was verlopen. We hebben bewaard wat u had ingevuld." in page.content()
    assert page.get_by_label("Beschrijving").input_value() == STORY.strip()
    db.expire_all()
    assert db.scalar(select(func.count(HelpRequest.id))) == 0

"""A form sent after its session ended: what was typed comes back after logging in again."""

import json
import logging
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, update

from tests.conftest import PASSWORD, csrf_token_from, form_token_from
from tests.integration.test_help_requests import request_data
from voorelkaar.db import utcnow
from voorelkaar.kept_forms import forget_kept_forms
from voorelkaar.matches import services as matches
from voorelkaar.models import HelpRequest, KeptForm, MatchMessage, Role, UserSession

FORM = "/hulpvragen/nieuw"
STORY = (
    "Mijn man heeft dementie en wil graag elke week wandelen in het park. "
    "Ik kan zelf niet goed meer lopen. " * 12
).strip()
SESSION_KEPT = "Uw sessie was verlopen. We hebben bewaard wat u had ingevuld."
LOG_IN_KEPT = "Uw sessie was verlopen. Log opnieuw in. Daarna ziet u terug wat u had ingevuld."
FROM_HERE = {"Referer": "http://localhost" + FORM, "Sec-Fetch-Site": "same-origin"}


def open_form(client, page=FORM) -> dict:
    """The tokens of the form on page, as the browser holds them."""
    html = client.get(page).get_data(as_text=True)
    return {"csrf_token": csrf_token_from(html), **form_token_from(html, FORM)}


def send(client, tokens: dict, *, headers=FROM_HERE):
    """The help-request form with STORY in it, as the browser sends it."""
    return client.post(FORM, data={**tokens, **request_data(description=STORY)}, headers=headers)


def revoke_sessions(db):
    db.execute(update(UserSession).values(revoked_at=utcnow()))
    db.commit()


def kept_rows(db) -> list[KeptForm]:
    db.expire_all()
    return list(db.scalars(select(KeptForm)))


def requests_made(db) -> int:
    return db.scalar(select(func.count(HelpRequest.id)))


def test_a_form_sent_after_the_session_was_ended_comes_back_after_logging_in(
    client, auth, forms, db, resident
):
    auth.login(resident.email)
    tokens = open_form(client)
    revoke_sessions(db)
    response = send(client, tokens)
    assert response.status_code == 302
    assert response.location == "/login?next=" + quote(FORM, safe="")
    assert LOG_IN_KEPT in client.get(response.location).get_data(as_text=True)
    assert requests_made(db) == 0
    (row,) = kept_rows(db)
    assert row.user_id == resident.id
    assert "csrf_token" not in row.fields and "form_token" not in row.fields
    assert tokens["form_token"] not in row.fields

    response = forms.post(
        "/login?next=" + quote(FORM, safe=""), {"email": resident.email, "password": PASSWORD}
    )
    assert response.location == FORM
    html = client.get(FORM).get_data(as_text=True)
    assert SESSION_KEPT in html and "Controleer het en verstuur het opnieuw." in html
    assert STORY in html and "Boodschappen bij de Jumbo" in html
    assert kept_rows(db) == []  # given back once
    assert STORY not in client.get(FORM).get_data(as_text=True)

    response = forms.post(FORM, request_data(description=STORY))
    assert response.status_code == 302 and requests_made(db) == 1


def test_a_form_sent_when_the_cookie_was_gone_comes_back_after_logging_in(
    client, auth, forms, db, resident
):
    auth.login(resident.email)
    tokens = open_form(client)
    client.delete_cookie("voorelkaar_session")
    response = send(client, tokens)
    assert response.location == FORM
    assert kept_rows(db)[0].user_id is None  # nobody to tell from the cookie
    response = client.get(FORM)
    assert response.location == "/login?next=" + quote(FORM, safe="")
    assert LOG_IN_KEPT in client.get(response.location).get_data(as_text=True)
    auth.login(resident.email)
    html = client.get(FORM).get_data(as_text=True)
    assert SESSION_KEPT in html and STORY in html
    assert forms.post(FORM, request_data(description=STORY)).status_code == 302
    assert requests_made(db) == 1


def test_a_logged_in_person_whose_form_expired_gets_it_back_with_a_message(
    client, auth, db, resident
):
    auth.login(resident.email)
    tokens = open_form(client)
    with client.session_transaction() as cookie:
        cookie.pop("csrf_token")  # as when the token expired; the login session is fine
    response = send(client, tokens)
    assert response.status_code == 302 and response.location == FORM
    html = client.get(FORM).get_data(as_text=True)
    assert "Dit formulier was verlopen. We hebben bewaard wat u had ingevuld." in html
    assert STORY in html
    assert "Ga terug, vernieuw de pagina" not in html
    assert requests_made(db) == 0


def test_someone_else_logging_in_on_that_browser_does_not_see_what_was_typed(
    client, auth, db, resident, make_user
):
    make_user(Role.RESIDENT, email="buurman@example.nl")
    auth.login(resident.email)
    tokens = open_form(client)
    revoke_sessions(db)
    send(client, tokens)
    auth.login("buurman@example.nl")
    html = client.get(FORM).get_data(as_text=True)
    assert STORY not in html and SESSION_KEPT not in html
    assert kept_rows(db) == []


def test_a_small_form_on_another_page_comes_back_on_that_page(
    client, auth, forms, db, in_app, make_user, make_request
):
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    item = make_request(asker, title="Boodschappen", postcode="7941 BK")
    with in_app():
        match = matches.offer_help(db, volunteer, item)
        matches.confirm_match(db, asker, match)
    page, action = f"/hulpvragen/{item.id}", f"/aanmeldingen/{match.id}/berichten"
    auth.login("sanne@example.nl")
    html = client.get(page).get_data(as_text=True)
    tokens = {"csrf_token": csrf_token_from(html), **form_token_from(html, action)}
    revoke_sessions(db)
    response = client.post(
        action,
        data={**tokens, "body": "Ik kom dinsdag om twee uur. Zal ik de fiets meenemen?"},
        headers={"Referer": "http://localhost" + page, "Sec-Fetch-Site": "same-origin"},
    )
    assert response.location == "/login?next=" + quote(page, safe="")
    auth.login("sanne@example.nl")
    html = client.get(page).get_data(as_text=True)
    assert "Zal ik de fiets meenemen?</textarea>" in html
    forms.post(action, {"body": "Ik kom dinsdag om twee uur. Zal ik de fiets meenemen?"}, page=page)
    assert db.scalar(select(func.count(MatchMessage.id))) == 1


def test_passwords_are_never_kept(client, auth, db, resident):
    html = client.get("/login").get_data(as_text=True)
    client.delete_cookie("voorelkaar_session")
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token_from(html), "email": resident.email, "password": PASSWORD},
        headers={"Referer": "http://localhost/login", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.location == "/login"
    (row,) = kept_rows(db)
    assert json.loads(row.fields) == [["email", resident.email]]
    html = client.get("/login").get_data(as_text=True)
    assert f'value="{resident.email}"' in html and PASSWORD not in html
    assert SESSION_KEPT in html

    auth.login(resident.email)
    tokens = open_form(client, "/wachtwoord-wijzigen")
    revoke_sessions(db)
    client.post(
        "/wachtwoord-wijzigen",
        data={
            **tokens,
            "current_password": PASSWORD,
            "password": "een heel andere lange zin",
            "password_repeat": "een heel andere lange zin",
        },
        headers={
            "Referer": "http://localhost/wachtwoord-wijzigen",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert kept_rows(db) == []  # nothing but passwords: nothing to keep


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Sec-Fetch-Site": "cross-site", "Referer": "https://elders.example/"},
        {"Origin": "https://elders.example"},
        {"Referer": "https://elders.example" + FORM},
    ],
)
def test_a_post_from_another_site_keeps_nothing(client, auth, db, resident, headers):
    auth.login(resident.email)
    client.delete_cookie("voorelkaar_session")
    response = send(client, {"csrf_token": "vervalst"}, headers=headers)
    assert response.status_code == 400
    assert "Het formulier was verlopen" in response.get_data(as_text=True)
    assert kept_rows(db) == []


def test_what_was_kept_is_forgotten_after_an_hour(client, auth, db, in_app, resident):
    auth.login(resident.email)
    tokens = open_form(client)
    revoke_sessions(db)
    send(client, tokens)
    db.execute(update(KeptForm).values(created_at=utcnow() - timedelta(minutes=61)))
    db.commit()
    auth.login(resident.email)
    assert STORY not in client.get(FORM).get_data(as_text=True)
    send(client, open_form(client))  # a new one, sent in time
    assert requests_made(db) == 1 and kept_rows(db) == []
    tokens = open_form(client)
    revoke_sessions(db)
    send(client, tokens)
    with in_app():
        assert forget_kept_forms(db, utcnow()) == 0
        assert forget_kept_forms(db, utcnow() + timedelta(minutes=61)) == 1
    assert kept_rows(db) == []


def test_nothing_typed_reaches_the_logs(client, auth, db, resident, caplog):
    caplog.set_level(logging.DEBUG)
    auth.login(resident.email)
    tokens = open_form(client)
    revoke_sessions(db)
    send(client, tokens)
    auth.login(resident.email)
    client.get(FORM)
    assert "dementie" not in caplog.text

"""Registering, logging in and out, and passwords, through the real pages."""

import email
import email.policy

import pytest
from sqlalchemy import delete, select

from tests.conftest import PASSWORD
from voorelkaar.db import utcnow
from voorelkaar.models import Role, User, UserSession

VALID = {
    "name": "Riek Jansen",
    "email": "riek@example.nl",
    "password": PASSWORD,
    "password_repeat": PASSWORD,
    "postcode": "7941 ab",
    "house_number": "12a",
    "phone": "06 12345678",
    "roles": ["resident", "volunteer"],
}


def register(forms, **changes):
    data = {**VALID, **changes}
    return forms.post("/registreren", {k: v for k, v in data.items() if v is not None})


def test_a_new_resident_is_placed_in_their_wijk_without_storing_coordinates_of_the_address(
    forms, db, meppel
):
    response = register(forms)
    assert response.status_code == 302
    user = db.scalar(select(User).where(User.email == "riek@example.nl"))
    assert user.postcode == "7941 AB"
    assert user.house_number == "12A"
    assert user.phone == "+31612345678"
    assert user.pc4 == "7941"
    assert user.neighbourhood.name == "Centrum"
    assert user.role_set == {Role.RESIDENT, Role.VOLUNTEER}
    assert user.password_hash.startswith("$argon2id$")
    assert user.email_confirmed_at is None  # until the emailed link is opened


def test_after_registering_and_opening_the_link_the_home_page_is_made_for_the_chosen_roles(
    forms, client, app, db, outbox_dir, meppel
):
    from tests.integration.test_registration import CONFIRM, Inbox

    register(forms)
    assert "Welkom, Riek" not in client.get("/").get_data(as_text=True)  # not yet
    forms.post(Inbox(app, db, outbox_dir).link("riek@example.nl", CONFIRM), {})
    html = client.get("/").get_data(as_text=True)
    assert "Welkom, Riek" in html
    assert "Hulp vragen" in html and "Helpen als vrijwilliger" in html
    assert "Coördinatie" not in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Vul uw naam in."),
        ({"name": "x" * 10_000}, "name", "hoogstens 100 tekens"),
        ({"email": "riek.example.nl"}, "email", "Vul een e-mailadres in zoals naam@voorbeeld.nl."),
        ({"password": "kort123", "password_repeat": "kort123"}, "password", "minstens 12"),
        (
            {"password": "wachtwoord1234", "password_repeat": "wachtwoord1234"},
            "password",
            "heel vaak gebruikt",
        ),
        ({"password_repeat": "iets anders dan dit"}, "password_repeat", "niet hetzelfde"),
        ({"postcode": "7941 SA"}, "postcode", "Deze postcode bestaat niet"),
        ({"postcode": "1005 AB"}, "postcode", "Deze postcode kennen wij niet"),
        ({"postcode": "79411"}, "postcode", "Vul een postcode in zoals 7941 AB"),
        ({"house_number": "twaalf"}, "house_number", "bijvoorbeeld 12 of 12a"),
        ({"phone": "12"}, "phone", "geldig telefoonnummer"),
        ({"roles": []}, "roles", "Kies wat u wilt doen"),
        ({"roles": ["admin"]}, "roles", "Kies"),
    ],
)
def test_bad_input_gets_a_dutch_message_beside_the_field_and_keeps_the_rest(
    forms, db, meppel, changes, field, message
):
    response = register(forms, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html
    error_start = html.index(f'id="{field}-error"')
    assert message in html[error_start : error_start + 600]
    assert field == "roles" or 'aria-invalid="true"' in html
    assert f'href="#{field}"' in html  # the summary links to the field
    for kept in ("name", "email", "house_number"):
        if kept not in changes:
            assert f'value="{VALID[kept]}"' in html
    assert db.scalar(select(User).where(User.email == VALID["email"])) is None


def test_an_empty_form_gets_a_message_for_every_required_field(forms, meppel):
    html = forms.post("/registreren", {}).get_data(as_text=True)
    for field in ("name", "email", "password", "password_repeat", "postcode", "house_number"):
        assert f'id="{field}-error"' in html
    assert "Fout:" in html.split("</title>")[0]


def test_a_control_character_in_a_field_is_dropped_not_a_server_error(forms, db, meppel):
    response = register(forms, name="Riek\x00 Jansen")
    assert response.status_code == 302
    assert db.scalar(select(User.name).where(User.email == VALID["email"])) == "Riek Jansen"


def test_login_renews_the_session_and_logout_makes_the_old_cookie_worthless(
    app, client, auth, resident
):
    client.get("/login")
    before = client.get_cookie("voorelkaar_session").value
    assert auth.login("inwoner@example.nl").status_code == 302
    cookie = client.get_cookie("voorelkaar_session").value
    assert cookie != before
    assert "Welkom, Riek" in client.get("/").get_data(as_text=True)

    auth.logout()
    replay = app.test_client()
    replay.set_cookie("voorelkaar_session", cookie)
    assert replay.get("/wachtwoord-wijzigen").status_code == 302
    assert "Welkom, Riek" not in replay.get("/").get_data(as_text=True)


def test_changing_the_password_logs_out_other_browsers_but_not_this_one(
    app, forms, auth, db, resident
):
    other = app.test_client()
    from tests.conftest import AuthActions, Forms

    AuthActions(Forms(other)).login("inwoner@example.nl")
    assert other.get("/wachtwoord-wijzigen").status_code == 200

    auth.login("inwoner@example.nl")
    new = "een heel ander lang wachtwoord"
    response = forms.post(
        "/wachtwoord-wijzigen",
        {"current_password": PASSWORD, "password": new, "password_repeat": new},
    )
    assert response.status_code == 302
    assert forms.client.get("/wachtwoord-wijzigen").status_code == 200
    assert other.get("/wachtwoord-wijzigen").status_code == 302
    auth.logout()
    assert auth.login("inwoner@example.nl", PASSWORD).status_code != 302
    assert auth.login("inwoner@example.nl", new).status_code == 302


def test_a_wrong_current_password_changes_nothing(forms, auth, db, resident):
    auth.login("inwoner@example.nl")
    old_hash = resident.password_hash
    html = forms.post(
        "/wachtwoord-wijzigen",
        {
            "current_password": "niet mijn wachtwoord",
            "password": "een heel andere lange zin",
            "password_repeat": "een heel andere lange zin",
        },
    ).get_data(as_text=True)
    assert "Dit is niet uw huidige wachtwoord." in html
    db.refresh(resident)
    assert resident.password_hash == old_hash


def test_a_wrong_password_is_refused_with_a_message_that_reveals_nothing(auth, resident):
    wrong = auth.login("inwoner@example.nl", "dit klopt helemaal niet").get_data(as_text=True)
    unknown = auth.login("niemand@example.nl", "dit klopt helemaal niet").get_data(as_text=True)
    message = "Dit e-mailadres en wachtwoord horen niet bij elkaar"
    assert message in wrong and message in unknown


def test_a_blocked_account_cannot_log_in(auth, db, resident):
    from voorelkaar.db import utcnow

    resident.blocked_at = utcnow()
    db.commit()
    html = auth.login("inwoner@example.nl").get_data(as_text=True)
    assert "geblokkeerd" in html


def test_a_blocked_account_is_logged_out_at_its_next_page(client, auth, db, resident):
    from voorelkaar.db import utcnow

    auth.login("inwoner@example.nl")
    resident.blocked_at = utcnow()
    db.commit()
    assert client.get("/wachtwoord-wijzigen").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/privacy", "/privacy"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil", "/"),
    ],
)
def test_login_only_follows_a_next_on_this_site(forms, resident, target, expected):
    response = forms.post(
        f"/login?next={target}", {"email": "inwoner@example.nl", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_sessions_are_stored_only_as_hashes(auth, db, client, resident):
    auth.login("inwoner@example.nl")
    token_hashes = db.scalars(select(UserSession.token_hash)).all()
    assert len(token_hashes) == 1
    assert client.get_cookie("voorelkaar_session") is not None
    assert all(len(value) == 64 for value in token_hashes)


def test_a_forgotten_password_is_reset_by_an_emailed_link_that_works_once(
    in_app, forms, auth, db, resident, outbox_dir
):
    from voorelkaar.db import utcnow
    from voorelkaar.notify import dispatch_outbox

    response = forms.post("/wachtwoord-vergeten", {"email": "inwoner@example.nl"})
    assert response.status_code == 302
    with in_app():
        assert dispatch_outbox(db, utcnow()) == 1
    (mail,) = outbox_dir.glob("*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Nieuw wachtwoord kiezen"
    body = message.get_body(("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/wachtwoord-herstellen/" in line).strip()
    path = link.removeprefix("http://localhost")

    new = "mijn nieuwe lange wachtwoord"
    assert forms.post(path, {"password": new, "password_repeat": new}).status_code == 302
    assert "Welkom" in forms.client.get("/").get_data(as_text=True)  # in at once
    auth.logout()
    assert auth.login("inwoner@example.nl", new).status_code == 302
    auth.logout()
    assert forms.client.get(path).status_code == 400  # used once, now worthless


def test_asking_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(forms, db, meppel):
    from voorelkaar.models import OutboxMessage

    response = forms.post("/wachtwoord-vergeten", {"email": "niemand@example.nl"})
    assert response.status_code == 302
    assert db.scalar(select(OutboxMessage)) is None


def test_a_tampered_reset_link_is_refused_politely(client, meppel):
    response = client.get("/wachtwoord-herstellen/niet-echt")
    assert response.status_code == 400
    assert "Deze link werkt niet meer" in response.get_data(as_text=True)


def _shift_session(db, **ago):
    """Make the one login look older: started and last used some time ago."""
    from datetime import timedelta

    row = db.scalar(select(UserSession))
    for column, delta in ago.items():
        setattr(row, column, utcnow() - timedelta(**delta))
    db.commit()


def test_a_login_ends_twelve_hours_after_it_began_however_busy(client, auth, db, resident):
    # Issue 13: a session made 30 days ago and used within 12 hours was still valid.
    auth.login("inwoner@example.nl")
    _shift_session(db, created_at={"hours": 11, "minutes": 50}, last_seen_at={"minutes": 1})
    assert client.get("/wachtwoord-wijzigen").status_code == 200
    _shift_session(db, created_at={"days": 30}, last_seen_at={"minutes": 1})
    assert client.get("/wachtwoord-wijzigen").status_code == 302


def test_the_back_office_is_logged_out_after_thirty_idle_minutes_residents_later(
    app, db, resident, staff
):
    from tests.conftest import AuthActions, Forms

    for person, idle_ok in ((staff, False), (resident, True)):
        client = app.test_client()
        AuthActions(Forms(client)).login(person.email)
        db.execute(delete(UserSession))
        db.commit()
        AuthActions(Forms(client)).login(person.email)
        _shift_session(db, created_at={"minutes": 40}, last_seen_at={"minutes": 31})
        expected = 200 if idle_ok else 302
        assert client.get("/wachtwoord-wijzigen").status_code == expected, person.email


def test_after_restoring_a_backup_no_ended_login_comes_back(app, client, auth, db, resident):
    auth.login("inwoner@example.nl")
    cookie = client.get_cookie("voorelkaar_session").value
    auth.logout()
    # What a restore of last night's backup does: the logout is undone in the database.
    for row in db.scalars(select(UserSession)):
        row.revoked_at = None
    db.commit()
    replay = app.test_client()
    replay.set_cookie("voorelkaar_session", cookie)
    result = app.test_cli_runner().invoke(args=["end-all-sessions"])  # the restore's last step
    assert result.exit_code == 0 and "iedereen logt opnieuw in" in result.output
    assert replay.get("/wachtwoord-wijzigen").status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Password123!", "heel vaak gebruikt"),
        ("Welkom01welkom", "heel vaak gebruikt"),
        ("riek@example.nl", "lijkt te veel op uw naam"),
        ("RiekJansen2026!", "lijkt te veel op uw naam"),
    ],
)
def test_registering_with_a_guessable_or_personal_password_is_refused(
    forms, db, meppel, password, message
):
    response = register(forms, password=password, password_repeat=password)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.scalar(select(User)) is None


def test_a_new_password_may_not_be_ones_own_name(forms, auth, db, resident):
    auth.login("inwoner@example.nl")
    first = resident.name.split()[0]
    new = f"{first}{first}2026!!"
    response = forms.post(
        "/wachtwoord-wijzigen",
        {"current_password": PASSWORD, "password": new, "password_repeat": new},
    )
    assert "lijkt te veel op uw naam" in response.get_data(as_text=True)

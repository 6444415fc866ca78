"""Logging in with a code from an app (TOTP) after the password, and recovery codes.

Required for the back office (staff, consultants, admins), a choice for everyone else.
"""

import email
import email.policy
import logging
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, TOTP_SECRET, csrf_token_from
from voorelkaar.db import utcnow
from voorelkaar.models import RecoveryCode, Role, User
from voorelkaar.second_factor import services

STAFF_PAGE = "/beheer/te-beoordelen"


def _path(response) -> str:
    return response.location.removeprefix("http://localhost")


def _step_code(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def _wrong_code(secret: str = TOTP_SECRET) -> str:
    """Six digits no step near now has, so that the test cannot guess right by accident."""
    step = int(utcnow().timestamp()) // 30
    near = {_step_code(secret, s) for s in range(step - 2, step + 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in near)


def _password_step(forms, email_address, password=PASSWORD):
    return forms.post("/login", {"email": email_address, "password": password})


def _is_logged_in(client) -> bool:
    return "Uitloggen" in client.get("/over-ons").get_data(as_text=True)


def _reload(db, user) -> User:
    db.expire_all()
    return db.get(User, user.id)


def test_staff_without_the_code_set_up_reach_no_back_office_page_until_they_do(
    make_user, client, forms, auth, db, in_app
):
    staff = make_user(Role.STAFF, email="nieuw@example.nl", second_factor=False)
    response = auth.login("nieuw@example.nl")
    assert response.status_code == 302  # no code asked: there is none yet
    for page in (STAFF_PAGE, "/", "/beheer/gebruikers", "/mijn-gegevens"):
        blocked = client.get(page)
        assert blocked.status_code == 302, page
        assert _path(blocked) == "/mijn-gegevens/inloggen-met-code/instellen", page

    page = client.get("/mijn-gegevens/inloggen-met-code/instellen").get_data(as_text=True)
    assert "U werkt in het beheer" in page
    with in_app():
        secret = services.secret_of(_reload(db, staff))
    assert services.grouped(secret) in page  # typed by hand, in fours
    assert 'src="data:image/svg+xml' in page  # and the QR code

    wrong = forms.post("/mijn-gegevens/inloggen-met-code/instellen", {"code": _wrong_code(secret)})
    assert wrong.status_code == 422
    assert client.get(STAFF_PAGE).status_code == 302

    done = forms.post(
        "/mijn-gegevens/inloggen-met-code/instellen", {"code": pyotp.TOTP(secret).now()}
    )
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert "Bewaar deze codes goed" in html
    assert len(re.findall(r"<code>[a-z2-9]{5}-[a-z2-9]{5}</code>", html)) == 10
    assert client.get(STAFF_PAGE).status_code == 200
    assert _reload(db, staff).has_second_factor


def test_logging_out_stays_possible_before_the_set_up(make_user, client, forms, auth):
    make_user(Role.ADMIN, email="beheer2@example.nl", second_factor=False)
    auth.login("beheer2@example.nl")
    setup = "/mijn-gegevens/inloggen-met-code/instellen"
    assert forms.post("/uitloggen", {}, page=setup).status_code == 302
    assert not _is_logged_in(client)


def test_after_the_password_the_code_page_asks_for_the_code_and_gives_no_rights_yet(
    staff, client, forms
):
    response = _password_step(forms, staff.email)
    assert _path(response) == "/login/code"
    page = client.get("/login/code").get_data(as_text=True)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert "Code uit uw app" in page
    assert _path(client.get(STAFF_PAGE)).startswith("/login")  # not logged in halfway
    assert not _is_logged_in(client)

    response = forms.post("/login/code", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert _path(response) == "/"
    assert client.get(STAFF_PAGE).status_code == 200


def test_the_code_step_goes_on_to_the_page_asked_for(staff, client, forms):
    forms.client.get(STAFF_PAGE)
    response = forms.post(f"/login?next={STAFF_PAGE}", {"email": staff.email, "password": PASSWORD})
    assert _path(response) == "/login/code"
    response = forms.post("/login/code", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert _path(response) == STAFF_PAGE


def test_a_wrong_code_is_refused_and_nobody_is_logged_in(staff, client, forms):
    _password_step(forms, staff.email)
    response = forms.post("/login/code", {"code": _wrong_code()})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Deze code klopt niet" in html
    assert 'value="000000"' not in html  # a refused code is not shown again
    assert not _is_logged_in(client)


@pytest.mark.parametrize("typed", ["12345", "abcdef", "1234567", "😀" * 6, "1" * 500])
def test_a_code_of_the_wrong_form_is_explained_and_kept(staff, client, forms, typed):
    _password_step(forms, staff.email)
    response = forms.post("/login/code", {"code": typed})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "6 cijfers" in html
    assert not _is_logged_in(client)


def test_a_code_is_accepted_once_a_replay_is_refused(staff, client, forms, auth):
    code = pyotp.TOTP(TOTP_SECRET).now()
    _password_step(forms, staff.email)
    assert _path(forms.post("/login/code", {"code": code})) == "/"
    auth.logout()
    _password_step(forms, staff.email)
    replay = forms.post("/login/code", {"code": code})
    assert replay.status_code == 422
    assert not _is_logged_in(client)


def test_an_older_code_than_the_last_one_used_is_refused_too(staff, db, in_app):
    now = utcnow()
    step = int(now.timestamp()) // 30
    with in_app():
        assert services.check_code(db, staff, _step_code(TOTP_SECRET, step), now)
        assert not services.check_code(db, staff, _step_code(TOTP_SECRET, step - 1), now)
        # The next step's code counts (a phone's clock may run ahead), the one after not.
        assert services.check_code(db, staff, _step_code(TOTP_SECRET, step + 1), now)
        assert not services.check_code(db, staff, _step_code(TOTP_SECRET, step + 2), now)


def test_after_five_wrong_codes_the_password_is_asked_again(staff, client, forms):
    _password_step(forms, staff.email)
    for _ in range(4):
        assert forms.post("/login/code", {"code": _wrong_code()}).status_code == 422
    last = forms.post("/login/code", {"code": _wrong_code()})
    assert _path(last) == "/login"
    assert "te vaak een verkeerde code" in client.get("/login").get_data(as_text=True)
    # The right code no longer helps: the half login is over.
    again = client.get("/login/code")
    assert _path(again) == "/login"
    assert not _is_logged_in(client)


def test_the_server_counts_wrong_codes_even_when_the_browser_starts_over(app, staff, client, forms):
    app.config["SECOND_FACTOR_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    for _ in range(2):  # two logins, each with fewer wrong codes than the page allows
        _password_step(forms, staff.email)
        forms.post("/login/code", {"code": _wrong_code()})
    _password_step(forms, staff.email)
    forms.post("/login/code", {"code": _wrong_code()})
    _password_step(forms, staff.email)
    refused = forms.post("/login/code", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert _path(refused) == "/login"
    assert not _is_logged_in(client)


def test_the_half_login_ends_after_a_few_minutes(app, staff, client, forms):
    _password_step(forms, staff.email)
    app.config["SECOND_FACTOR_PENDING_SECONDS"] = -1
    response = forms.client.post(
        "/login/code",
        data={
            "csrf_token": csrf_token_from(client.get("/login").get_data(as_text=True)),
            "code": pyotp.TOTP(TOTP_SECRET).now(),
        },
    )
    assert _path(response) == "/login"
    assert not _is_logged_in(client)


def test_a_recovery_code_logs_in_once(staff, client, forms, auth, db):
    codes = services.new_recovery_codes(db, staff)
    _password_step(forms, staff.email)
    page = client.get("/login/code").get_data(as_text=True)
    assert "/login/herstelcode" in page
    # As typed by hand: capitals and without the dash.
    response = forms.post("/login/herstelcode", {"code": codes[3].upper().replace("-", " ")})
    assert _path(response) == "/"
    assert "nog 9 herstelcodes" in client.get("/").get_data(as_text=True)
    auth.logout()

    _password_step(forms, staff.email)
    again = forms.post("/login/herstelcode", {"code": codes[3]})
    assert again.status_code == 422
    assert "Deze herstelcode klopt niet" in again.get_data(as_text=True)
    assert not _is_logged_in(client)
    used = db.scalars(select(RecoveryCode.used_at).where(RecoveryCode.user_id == staff.id))
    assert sum(1 for at in used if at is not None) == 1


def test_new_recovery_codes_replace_the_old_ones(staff, client, forms, auth, db):
    old = services.new_recovery_codes(db, staff)
    auth.login(staff.email)
    wrong = forms.post(
        "/mijn-gegevens/inloggen-met-code/herstelcodes",
        {"nieuw-proof": "niet mijn wachtwoord"},
        page="/mijn-gegevens/inloggen-met-code",
    )
    assert wrong.status_code == 422
    response = forms.post(
        "/mijn-gegevens/inloggen-met-code/herstelcodes",
        {"nieuw-proof": PASSWORD},
        page="/mijn-gegevens/inloggen-met-code",
    )
    assert response.status_code == 200
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    auth.logout()
    _password_step(forms, staff.email)
    assert forms.post("/login/herstelcode", {"code": old[0]}).status_code == 422
    assert _path(forms.post("/login/herstelcode", {"code": new[0]})) == "/"


def _reset_link(forms, in_app, db, outbox_dir, address) -> str:
    from voorelkaar.notify import dispatch_outbox

    forms.post("/wachtwoord-vergeten", {"email": address})
    with in_app():
        dispatch_outbox(db, utcnow())
    (mail,) = outbox_dir.glob("*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/wachtwoord-herstellen/" in line)
    return link.strip().removeprefix("http://localhost")


def test_the_reset_link_does_not_skip_the_code(staff, client, forms, in_app, db, outbox_dir):
    path = _reset_link(forms, in_app, db, outbox_dir, staff.email)
    new = "mijn nieuwe lange wachtwoord"
    response = forms.post(path, {"password": new, "password_repeat": new})
    assert _path(response) == "/login/code"
    assert not _is_logged_in(client)
    assert _path(client.get(STAFF_PAGE)).startswith("/login")
    response = forms.post("/login/code", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert _path(response) == "/"
    assert client.get(STAFF_PAGE).status_code == 200


def test_the_reset_link_still_logs_in_at_once_without_a_code(
    resident, client, forms, in_app, db, outbox_dir
):
    path = _reset_link(forms, in_app, db, outbox_dir, resident.email)
    new = "mijn nieuwe lange wachtwoord"
    assert _path(forms.post(path, {"password": new, "password_repeat": new})) == "/"
    assert _is_logged_in(client)


def test_a_resident_turns_the_code_on_and_off(resident, client, forms, auth, db, in_app):
    auth.login(resident.email)
    page = client.get("/mijn-gegevens/inloggen-met-code").get_data(as_text=True)
    assert "staat uit" in page
    assert client.get("/mijn-gegevens/inloggen-met-code/instellen").status_code == 200
    with in_app():
        secret = services.secret_of(_reload(db, resident))
    done = forms.post(
        "/mijn-gegevens/inloggen-met-code/instellen", {"code": pyotp.TOTP(secret).now()}
    )
    assert "Inloggen met een code staat nu aan" in done.get_data(as_text=True)
    auth.logout()

    assert _path(_password_step(forms, resident.email)) == "/login/code"
    assert _path(forms.post("/login/code", {"code": _step_code(secret, _next_step())})) == "/"

    manage = "/mijn-gegevens/inloggen-met-code"
    off = "/mijn-gegevens/inloggen-met-code/uitzetten"
    refused = forms.post(off, {"uit-proof": "niet mijn wachtwoord"}, page=manage)
    assert refused.status_code == 422
    assert _reload(db, resident).has_second_factor
    assert _path(forms.post(off, {"uit-proof": PASSWORD}, page=manage)) == manage
    assert not _reload(db, resident).has_second_factor
    assert db.scalar(select(RecoveryCode).where(RecoveryCode.user_id == resident.id)) is None
    auth.logout()
    assert _path(_password_step(forms, resident.email)) == "/"  # the password alone again


def _next_step() -> int:
    # The step after the one the set-up used: a code counts once.
    return int(utcnow().timestamp()) // 30 + 1


def test_a_resident_may_turn_it_off_with_a_code_instead_of_the_password(
    make_user, client, forms, auth, db
):
    user = make_user(Role.VOLUNTEER, email="sanne@example.nl", second_factor=True)
    auth.login(user.email)
    response = forms.post(
        "/mijn-gegevens/inloggen-met-code/uitzetten",
        {"uit-proof": _step_code(TOTP_SECRET, _next_step())},
        page="/mijn-gegevens/inloggen-met-code",
    )
    assert response.status_code == 302
    assert not _reload(db, user).has_second_factor


def test_the_back_office_cannot_go_without_it_only_set_up_a_new_app(staff, client, forms, auth, db):
    auth.login(staff.email)
    page = client.get("/mijn-gegevens/inloggen-met-code").get_data(as_text=True)
    assert "verplicht" in page and "Opnieuw instellen" in page
    response = forms.post(
        "/mijn-gegevens/inloggen-met-code/uitzetten",
        {"uit-proof": PASSWORD},
        page="/mijn-gegevens/inloggen-met-code",
    )
    assert _path(response) == "/mijn-gegevens/inloggen-met-code/instellen"
    assert not _reload(db, staff).has_second_factor
    blocked = client.get(STAFF_PAGE)
    assert _path(blocked) == "/mijn-gegevens/inloggen-met-code/instellen"


def test_turning_it_on_ends_the_other_logins(resident, app, client, forms, auth, db, in_app):
    other = app.test_client()
    from tests.conftest import AuthActions, Forms

    AuthActions(Forms(other)).login(resident.email)
    assert _is_logged_in(other)
    auth.login(resident.email)
    client.get("/mijn-gegevens/inloggen-met-code/instellen")
    with in_app():
        secret = services.secret_of(_reload(db, resident))
    forms.post("/mijn-gegevens/inloggen-met-code/instellen", {"code": pyotp.TOTP(secret).now()})
    assert _is_logged_in(client)
    assert not _is_logged_in(other)


def test_the_secret_is_stored_encrypted_and_reloading_set_up_keeps_it(
    resident, client, auth, db, in_app
):
    auth.login(resident.email)
    first = client.get("/mijn-gegevens/inloggen-met-code/instellen").get_data(as_text=True)
    second = client.get("/mijn-gegevens/inloggen-met-code/instellen").get_data(as_text=True)
    stored = _reload(db, resident).totp_secret
    with in_app():
        secret = services.secret_of(_reload(db, resident))
    assert services.grouped(secret) in first and services.grouped(secret) in second
    assert secret not in stored and len(secret) == 32


def test_without_the_key_the_stored_secret_makes_no_codes(staff, app, db, in_app):
    app.config["SECOND_FACTOR_KEY"] = "een andere sleutel"
    with in_app():
        assert services.secret_of(staff) is None
        assert not services.check_code(db, staff, pyotp.TOTP(TOTP_SECRET).now())


def test_nothing_secret_reaches_the_logs(resident, client, forms, auth, db, in_app, caplog):
    caplog.set_level(logging.DEBUG)
    auth.login(resident.email)
    client.get("/mijn-gegevens/inloggen-met-code/instellen")
    with in_app():
        secret = services.secret_of(_reload(db, resident))
    code = pyotp.TOTP(secret).now()
    done = forms.post("/mijn-gegevens/inloggen-met-code/instellen", {"code": code})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    auth.logout()
    _password_step(forms, resident.email)
    forms.post("/login/herstelcode", {"code": codes[0]})
    logged = caplog.text
    for secret_text in (secret, services.grouped(secret), code, *codes, PASSWORD):
        assert secret_text not in logged


def test_lost_phone_and_codes_an_admin_removes_the_code_from_the_command_line(staff, runner, db):
    result = runner.invoke(args=["reset-second-factor", staff.email])
    assert result.exit_code == 0, result.output
    assert not _reload(db, staff).has_second_factor
    unknown = runner.invoke(args=["reset-second-factor", "niemand@example.nl"])
    assert unknown.exit_code != 0


def test_the_demo_code_command_prints_the_code_of_the_demo_secret(runner):
    from voorelkaar.demo.seed import DEMO_TOTP_SECRET

    result = runner.invoke(args=["demo-code"])
    step = int(utcnow().timestamp()) // 30
    near = {_step_code(DEMO_TOTP_SECRET, s) for s in (step - 1, step, step + 1)}
    assert result.output.strip() in near


def test_the_pages_answer_in_english_too(staff, client, forms):
    client.post("/taal", data={"locale": "en"})  # not logged in yet: no token needed
    _password_step(forms, staff.email)
    html = client.get("/login/code").get_data(as_text=True)
    assert "Code from your app" in html


def test_an_expired_pending_state_of_another_shape_is_just_a_new_login(client):
    with client.session_transaction() as session:
        session["second_factor"] = {"user": "1; drop", "since": "gisteren"}
    assert _path(client.get("/login/code")) == "/login"
    with client.session_transaction() as session:
        session["second_factor"] = ["kapot"]
    assert _path(client.get("/login/herstelcode")) == "/login"


def test_recovery_codes_are_stored_as_digests(staff, db):
    codes = services.new_recovery_codes(db, staff, utcnow() - timedelta(days=1))
    stored = set(db.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10
    assert not stored & set(codes)


def test_someone_logged_in_who_opens_the_code_page_goes_home(resident, client, auth):
    auth.login(resident.email)
    assert _path(client.get("/login/code")) == "/"
    assert _path(client.get("/login/herstelcode")) == "/"

"""Headers, CSRF, error pages, rate limits and roles: safe from the first page."""

import os
import re

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, missing
from voorelkaar.auth.access import role_required, staff_required
from voorelkaar.models import Role


def test_every_page_sends_a_strict_content_security_policy_and_is_kept_only_if_public(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # Public, so kept but asked for again (test_http_caching: personal pages are no-store).
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Strict-Transport-Security" not in response.headers  # development: plain http


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "voorelkaar"
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("templates/**/*.html")
        if "emails" not in path.parts and inline.search(path.read_text())
    ]
    assert offenders == []


def test_session_cookie_is_httponly_and_samesite_lax(forms, resident):
    response = forms.post("/login", {"email": "inwoner@example.nl", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_post_without_csrf_token_is_refused_with_a_friendly_page(client, resident):
    response = client.post("/login", data={"email": "inwoner@example.nl", "password": PASSWORD})
    assert response.status_code == 400
    assert "Het formulier was verlopen" in response.get_data(as_text=True)


def test_logout_by_get_changes_nothing(client, auth, resident):
    auth.login("inwoner@example.nl")
    assert client.get("/uitloggen").status_code == 405
    assert client.get("/wachtwoord-wijzigen").status_code == 200


@pytest.mark.parametrize("status", [400, 403, 404, 429, 500])
def test_error_pages_use_the_site_layout_and_never_show_a_traceback(app, status):
    from flask import abort

    @app.route(f"/test-fout-{status}")
    def fail():
        if status == 500:
            raise RuntimeError("boom with personal data: riek@example.nl")
        abort(status)

    response = app.test_client().get(f"/test-fout-{status}")
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert 'class="site-header' in html and "Traceback" not in html
    assert "riek@example.nl" not in html


def test_an_unexpected_error_has_an_incident_id_on_the_page_and_in_the_log(app, caplog):
    @app.route("/test-incident")
    def crash():
        raise RuntimeError("boom")

    html = app.test_client().get("/test-incident").get_data(as_text=True)
    incident = re.search(r"Foutcode: 500-([0-9a-f]{8})", html).group(1)
    assert f"incident {incident}" in caplog.text


def test_with_the_database_away_every_page_is_a_503_that_says_when_to_try_again(
    app_config, tmp_path, caplog
):
    from voorelkaar import create_app

    # A database that cannot be opened: as a server that is down or restarting.
    app_config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'weg' / 'niet-hier.db'}"
    app = create_app(app_config)
    client = app.test_client()
    for path in ("/hulpvragen", "/vacatures/1"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "60"
        assert "De site is even niet bereikbaar" in html and "Traceback" not in html
        incident = re.search(r"Foutcode: 503-([0-9a-f]{8})", html).group(1)
        assert f"incident {incident}" in caplog.text
    # The API answers the same in JSON (it gave a 500 before).
    response = client.get("/api/v1/requests", headers={"Authorization": "Bearer " + "x" * 40})
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    problem = response.get_json()
    assert problem["code"] == "unavailable" and problem["status"] == 503
    incident = re.search(r"foutcode ([0-9a-f]{8})", problem["detail"]).group(1)
    assert f"incident {incident}" in caplog.text
    app.extensions["voorelkaar.engine"].dispose()


def test_a_nul_in_a_search_is_a_polite_400_not_a_500(client, auth, staff):
    auth.login("coordinator@example.nl")
    for path in (
        "/beheer/gebruikers?q=%00",
        "/hulpvragen?q=a%00b",
        "/hulpvragen?postcode=%01",
        "/hulpvragen?q=ok&q=%00",  # a second value of the same name
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "Er ging iets mis" in response.get_data(as_text=True)


def test_an_unknown_page_says_so_in_dutch(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_unexpected_errors_are_logged_without_query_strings(app, caplog):
    @app.route("/test-crash")
    def crash():
        raise RuntimeError("boom")

    app.test_client().get("/test-crash?token=geheim-token")
    assert "/test-crash" in caplog.text
    assert "geheim-token" not in caplog.text


def test_too_many_failed_logins_for_one_account_are_slowed_down(app_config, resident):
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 10 minutes"
    from tests.conftest import AuthActions, Forms
    from voorelkaar import create_app

    app = create_app(app_config)
    auth = AuthActions(Forms(app.test_client()))
    for _ in range(3):
        assert auth.login("inwoner@example.nl", "fout fout fout fout").status_code == 422
    response = auth.login("inwoner@example.nl", PASSWORD)
    assert response.status_code == 429
    assert "controleren we het wachtwoord een paar minuten niet" in response.get_data(as_text=True)
    # Another account from the same address is not blocked by this one.
    assert auth.login("ander@example.nl", "fout fout fout fout").status_code == 422
    app.extensions["voorelkaar.engine"].dispose()


def test_a_control_character_in_the_email_counts_against_the_same_account(app_config, resident):
    # Issue 13: the limiter's key was the raw field, the lookup the cleaned one.
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 10 minutes"
    from tests.conftest import AuthActions, Forms
    from voorelkaar import create_app

    app = create_app(app_config)
    auth = AuthActions(Forms(app.test_client()))
    for disguise in ("inwo\x01ner@example.nl", "INWONER@example.nl\x7f", " inwoner@example.nl"):
        assert auth.login(disguise, "fout fout fout fout").status_code == 422
    assert auth.login("inwo\x02ner@example.nl", PASSWORD).status_code == 429
    app.extensions["voorelkaar.engine"].dispose()


def test_guessing_does_not_lock_the_owner_out_they_get_a_link_and_are_in(
    app_config, resident, db, outbox_dir
):
    # Issue 13: five wrong guesses by anyone made the owner's right password a 429, renewable
    # forever. Now at most 5 guesses are checked; the owner is told and gets in by email.
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "5 per 10 minutes"
    import email
    import email.policy

    from tests.conftest import AuthActions, Forms
    from voorelkaar import create_app
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.notify import dispatch_outbox

    app = create_app(app_config)
    attacker = AuthActions(Forms(app.test_client()))
    for _ in range(5):
        assert attacker.login("inwoner@example.nl", "fout fout fout fout").status_code == 422
    for guess in ("nog een gok gok", PASSWORD):  # not even the right one is checked now
        response = attacker.login("inwoner@example.nl", guess)
        assert response.status_code == 429
        assert "controleren we het wachtwoord een paar minuten niet" in response.get_data(
            as_text=True
        )
    owner = Forms(app.test_client())
    assert AuthActions(owner).login("inwoner@example.nl", PASSWORD).status_code == 429
    with app.app_context():
        assert dispatch_outbox(get_session(), utcnow()) == 1  # one mail, however many tries
    (mail,) = outbox_dir.glob("*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    assert message["To"] == "inwoner@example.nl"
    assert message["Subject"] == "Iemand probeerde in te loggen met uw e-mailadres"
    body = message.get_body(("plain",)).get_content()
    link = next(line for line in body.splitlines() if "/wachtwoord-herstellen/" in line)
    new = "een nieuwe lange zin als wachtwoord"
    path = link.strip().removeprefix("http://localhost")
    assert owner.post(path, {"password": new, "password_repeat": new}).status_code == 302
    assert "Welkom" in owner.client.get("/").get_data(as_text=True)
    app.extensions["voorelkaar.engine"].dispose()


def test_guessing_at_an_unknown_address_looks_the_same_and_sends_nothing(app_config, db, meppel):
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 10 minutes"
    from tests.conftest import AuthActions, Forms
    from voorelkaar import create_app
    from voorelkaar.models import OutboxMessage

    app = create_app(app_config)
    auth = AuthActions(Forms(app.test_client()))
    for _ in range(2):
        auth.login("niemand@example.nl", "fout fout fout fout")
    response = auth.login("niemand@example.nl", "fout fout fout fout")
    assert response.status_code == 429
    assert "Hoort het account bij u?" in response.get_data(as_text=True)
    assert db.scalar(select(OutboxMessage)) is None
    app.extensions["voorelkaar.engine"].dispose()


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_address_limit_counts_the_client_behind_a_trusted_proxy_only(
    app_config, resident, proxies
):
    app_config["LOGIN_LIMIT_PER_IP"] = "3 per 10 minutes"
    app_config["TRUSTED_PROXIES"] = proxies
    from tests.conftest import AuthActions, Forms
    from voorelkaar import create_app

    app = create_app(app_config)
    for number in range(3):  # three clients, each one guess, all through the same proxy
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{number}"
        AuthActions(Forms(client)).login(f"persoon{number}@example.nl", "fout fout fout fout")
    fourth = app.test_client()
    fourth.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.99"
    status = AuthActions(Forms(fourth)).login("inwoner@example.nl", PASSWORD).status_code
    # Trusting the proxy, each client has its own count; without, the header is ignored
    # (anyone could write it) and all share the proxy's.
    assert status == (302 if proxies else 429)
    app.extensions["voorelkaar.engine"].dispose()


def test_too_many_logins_from_one_address_are_slowed_down(app_config, resident):
    app_config["LOGIN_LIMIT_PER_IP"] = "4 per 10 minutes"
    from tests.conftest import AuthActions, Forms
    from voorelkaar import create_app

    app = create_app(app_config)
    auth = AuthActions(Forms(app.test_client()))
    for number in range(4):
        auth.login(f"persoon{number}@example.nl", "fout fout fout fout")
    assert auth.login("inwoner@example.nl", PASSWORD).status_code == 429
    app.extensions["voorelkaar.engine"].dispose()


def test_login_limits_are_shared_through_redis(app_config, resident):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        missing("TEST_REDIS_URL is not set: no Redis to share rate limits through")
    import redis

    redis.Redis.from_url(url).flushdb()
    app_config["RATELIMIT_STORAGE_URI"] = url
    app_config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 10 minutes"
    from tests.conftest import AuthActions, Forms
    from voorelkaar import create_app

    first, second = create_app(app_config), create_app(app_config)  # two "workers"
    AuthActions(Forms(first.test_client())).login("inwoner@example.nl", "fout fout fout fout")
    AuthActions(Forms(second.test_client())).login("inwoner@example.nl", "fout fout fout fout")
    response = AuthActions(Forms(first.test_client())).login("inwoner@example.nl", PASSWORD)
    assert response.status_code == 429
    keys = [key.decode() for key in redis.Redis.from_url(url).keys("*")]
    assert not any("inwoner" in key for key in keys)  # no email addresses in Redis
    redis.Redis.from_url(url).flushdb()
    for app in (first, second):
        app.extensions["voorelkaar.engine"].dispose()


def test_role_checks_let_only_the_right_people_through(app, auth, client, make_user):
    @app.route("/test-alleen-staf")
    @staff_required
    def staff_only():
        return "staf"

    @app.route("/test-vrijwilliger-of-mantelzorger")
    @role_required(Role.VOLUNTEER, Role.CARER)
    def helpers_only():
        return "helpers"

    assert client.get("/test-alleen-staf").status_code == 302  # to the login page
    make_user(Role.RESIDENT, Role.CARER, email="mz@example.nl")
    auth.login("mz@example.nl")
    assert client.get("/test-alleen-staf").status_code == 403
    assert client.get("/test-vrijwilliger-of-mantelzorger").status_code == 200
    auth.logout()
    make_user(Role.STAFF, email="staf@example.nl")
    auth.login("staf@example.nl")
    assert client.get("/test-alleen-staf").status_code == 200

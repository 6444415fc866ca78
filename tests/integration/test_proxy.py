"""Trusted proxies: the per-address limits count the client behind a trusted proxy, and
nobody can pick their address by writing X-Forwarded-For themselves."""

import pytest
from flask import jsonify, request
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from tests.conftest import PASSWORD, AuthActions, Forms
from voorelkaar import create_app
from voorelkaar.models import AuditEvent

PROXY = "192.0.2.10"  # the load balancer's address, as the app server sees it


@pytest.fixture
def make_app(app_config):
    """create_app with TRUSTED_PROXIES and a small login limit per address."""
    made = []

    def make(proxies: int):
        app_config["TRUSTED_PROXIES"] = proxies
        app_config["LOGIN_LIMIT_PER_IP"] = "3 per 10 minutes"
        app = create_app(app_config)

        @app.route("/test-wie-ben-ik")
        def who_am_i():
            return jsonify(
                address=request.remote_addr,
                limit_key=get_remote_address(),
                scheme=request.scheme,
                host=request.host,
            )

        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["voorelkaar.engine"].dispose()


def behind_proxy(app, forwarded_for: str):
    """A test client whose requests come through the proxy, which forwarded this header."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def guess(client, number: int):
    """One wrong password, each for another account, so only the address limit counts."""
    return AuthActions(Forms(client)).login(f"persoon{number}@example.nl", "fout fout fout fout")


def test_without_trusted_proxies_a_forged_forwarded_header_changes_nothing(make_app):
    app = make_app(0)
    client = app.test_client()
    seen = client.get(
        "/test-wie-ben-ik",
        headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "elders.example",
        },
    ).get_json()
    assert seen == {
        "address": "127.0.0.1",
        "limit_key": "127.0.0.1",
        "scheme": "http",
        "host": "localhost",
    }


def test_without_trusted_proxies_forged_addresses_do_not_dodge_the_login_limit(
    make_app, resident, db
):
    app = make_app(0)
    for number in range(3):
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{number}"
        assert guess(client, number).status_code == 422
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.99"
    assert AuthActions(Forms(client)).login(resident.email, PASSWORD).status_code == 429
    origins = set(db.scalars(select(AuditEvent.origin)))
    assert origins == {"127.0.0.1"}  # the security log, too, has the real peer


def test_behind_one_trusted_proxy_the_client_is_the_address_it_forwarded(make_app):
    app = make_app(1)
    seen = behind_proxy(app, "198.51.100.7").get(
        "/test-wie-ben-ik",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "elders.example"},
    )
    assert seen.get_json() == {
        "address": "198.51.100.7",
        "limit_key": "198.51.100.7",
        "scheme": "https",
        "host": "localhost",  # the proxy passes Host on; X-Forwarded-Host is not trusted
    }


def test_behind_one_trusted_proxy_a_clients_own_forwarded_entry_is_ignored(make_app):
    app = make_app(1)
    # The client wrote "203.0.113.66"; the proxy appended the address it really saw.
    seen = behind_proxy(app, "203.0.113.66, 198.51.100.7").get("/test-wie-ben-ik").get_json()
    assert seen["address"] == seen["limit_key"] == "198.51.100.7"


def test_two_clients_behind_one_proxy_have_a_login_limit_each(make_app, resident):
    app = make_app(1)
    for number in range(3):
        assert guess(behind_proxy(app, "198.51.100.1"), number).status_code == 422
    assert guess(behind_proxy(app, "198.51.100.1"), 3).status_code == 429
    # The other client, through the same proxy, still gets in.
    other = behind_proxy(app, "198.51.100.2")
    assert AuthActions(Forms(other)).login(resident.email, PASSWORD).status_code == 302


def test_a_client_forging_new_forwarded_entries_still_meets_its_own_limit(make_app, resident, db):
    app = make_app(1)
    for number in range(3):
        forged = behind_proxy(app, f"203.0.113.{number}, 198.51.100.3")
        assert guess(forged, number).status_code == 422
    forged = behind_proxy(app, "203.0.113.99, 198.51.100.3")
    assert AuthActions(Forms(forged)).login(resident.email, PASSWORD).status_code == 429
    origins = set(db.scalars(select(AuditEvent.origin)))
    assert origins == {"198.51.100.3"}


def test_a_negative_proxy_count_is_refused(app_config):
    app_config["TRUSTED_PROXIES"] = -1
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app(app_config)

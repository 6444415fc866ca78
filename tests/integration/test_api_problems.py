"""Every error under /api/v1 is a problem details answer (RFC 9457), and every answer there
says its version (NLGov API Design Rules: /core/problem-details, /core/version-header)."""

import pytest
from sqlalchemy.exc import OperationalError

from tests.integration.test_api import ALL_SCOPES, assert_error, bearer, call, invalid_fields
from voorelkaar.api import services, tokens
from voorelkaar.api.openapi import API_VERSION
from voorelkaar.models import Role
from voorelkaar.models.api_token import Scope


@pytest.fixture
def issue(db, admin):
    """A token for user with scopes (all when none given); returns the secret."""

    def make(user, *scopes):
        return tokens.issue_token(
            db, admin, name="zaaksysteem", user=user, scopes=scopes or ALL_SCOPES
        ).secret

    return make


@pytest.fixture
def secret(issue, make_user):
    return issue(make_user(Role.CONSULTANT, Role.STAFF))


def test_success_and_the_document_carry_the_api_version(client, secret):
    for path in ("/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs"):
        assert client.get(path).headers["API-Version"] == API_VERSION
    answer = call(client, "GET", "/api/v1/requests", secret=secret)
    assert answer.status_code == 200 and answer.headers["API-Version"] == API_VERSION
    assert "API-Version" not in client.get("/").headers  # the site itself is not the API


def test_the_document_names_a_semver_version_and_a_contact(client):
    info = client.get("/api/v1/openapi.json").json["info"]
    major, minor, patch = info["version"].split(".")
    assert all(part.isdigit() for part in (major, minor, patch))
    assert {"name", "email", "url"} <= info["contact"].keys()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/api/v1/requests", None, 401, "unauthorized"),
        ("GET", "/api/v1/bestaat-niet", None, 404, "not_found"),
        ("GET", "/api/v1/referrals/999999", None, 404, "not_found"),
        ("DELETE", "/api/v1/requests", None, 405, "method_not_allowed"),
        ("POST", "/api/v1/referrals", {"resident_name": ""}, 422, "validation_failed"),
    ],
)
def test_each_error_is_a_problem_with_a_dutch_detail(
    client, secret, method, path, body, status, code
):
    use = None if status == 401 else secret
    response = call(client, method, path, body, secret=use)
    assert_error(response, status, code)
    assert response.json["type"] == "about:blank"
    assert response.json["instance"] == path
    if status == 422:
        assert {"resident_name", "postcode"} <= invalid_fields(response)
        assert all(param["reason"] for param in response.json["invalid-params"])


def test_a_body_that_is_not_json_is_a_400_problem(client, secret):
    response = client.post(
        "/api/v1/referrals",
        data=b"{niet af",
        headers={**bearer(secret), "Content-Type": "application/json"},
    )
    assert_error(response, 400, "bad_request")


def test_a_token_without_the_scope_gets_a_403_problem(client, issue, make_user):
    only_figures = issue(make_user(Role.STAFF), Scope.READ_FIGURES)
    assert_error(call(client, "GET", "/api/v1/requests", secret=only_figures), 403, "forbidden")


def test_a_body_too_large_is_a_413_problem(app, client, secret):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        "/api/v1/referrals",
        data=b"{" + b" " * 4096 + b"}",
        headers={**bearer(secret), "Content-Type": "application/json"},
    )
    assert_error(response, 413, "too_large")


def test_too_many_calls_are_a_429_problem(app, client, secret):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        call(client, "GET", "/api/v1/requests", secret=secret)
    assert_error(call(client, "GET", "/api/v1/requests", secret=secret), 429, "rate_limited")


def test_a_fault_is_a_500_problem_and_the_database_away_a_503(client, secret, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("stuk")

    monkeypatch.setattr(services, "open_requests", broken)
    assert_error(call(client, "GET", "/api/v1/requests", secret=secret), 500, "server_error")

    def away(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(services, "open_requests", away)
    response = call(client, "GET", "/api/v1/requests", secret=secret)
    assert_error(response, 503, "unavailable")
    assert response.headers["Retry-After"]

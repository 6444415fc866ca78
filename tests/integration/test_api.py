"""The JSON API: tokens, scopes, every endpoint, and the OpenAPI contract (schemathesis)."""

import re
from datetime import datetime, timedelta

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from sqlalchemy import func, select

from voorelkaar.api import tokens
from voorelkaar.api.openapi import API_VERSION, CHANGELOG
from voorelkaar.db import utcnow
from voorelkaar.figures import rollups
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import ApiToken, HelpRequest, PostedFor, Referral, RequestState, Role
from voorelkaar.models.api_token import Scope
from voorelkaar.places.services import neighbourhood_for

ALL_SCOPES = tuple(Scope)

# endpoint -> (method, path, json body, scope)
GUARDED = {
    "figures": ("GET", "/api/v1/figures?from=2026-01&to=2026-03", None, Scope.READ_FIGURES),
    "create_referral": ("POST", "/api/v1/referrals", {}, Scope.CREATE_REFERRALS),
    "referral": ("GET", "/api/v1/referrals/1", None, Scope.CREATE_REFERRALS),
    "list_requests": ("GET", "/api/v1/requests", None, Scope.REQUESTS),
    "create_request": ("POST", "/api/v1/requests", {}, Scope.REQUESTS),
}


def in_days(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def referral_body(**changes) -> dict:
    body = {
        "resident_name": "Riek Jansen",
        "email": "riek@example.nl",
        "postcode": "7941 AB",
        "house_number": "12",
        "category": "boodschappen",
        "title": "Boodschappen doen",
        "description": "Riek zoekt iemand die op dinsdag boodschappen doet.",
        "consent_date": in_days(-1),
    }
    return {**body, **changes}


def request_body(**changes) -> dict:
    body = {
        "resident_name": "Riek Jansen",
        "resident_contact": "0522 123456",
        "consent_date": in_days(-1),
        "category": "boodschappen",
        "title": "Boodschappen doen",
        "description": "Graag hulp bij de boodschappen.",
        "postcode": "7941 AB",
        "house_number": "12",
        "day": in_days(7),
        "start_time": "14:00",
        "end_time": "16:00",
        "skills": ["boodschappen"],
    }
    return {**body, **changes}


@pytest.fixture
def make_token(db, admin):
    """Issue a token for user with scopes; returns the secret."""

    def make(user, *scopes):
        issued = tokens.issue_token(
            db, admin, name="zaaksysteem", user=user, scopes=scopes or ALL_SCOPES
        )
        return issued.secret

    return make


def place_in_wijken(db):
    """make_request leaves the wijk out; the site's service fills it from the postcode."""
    for item in db.scalars(select(HelpRequest)):
        item.neighbourhood = neighbourhood_for(db, item.postcode)
    db.commit()


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def call(client, method, path, body=None, secret=None):
    headers = bearer(secret) if secret else {}
    if body is not None:
        return client.open(path, method=method, json=body, headers=headers)
    return client.open(path, method=method, headers=headers)


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert (problem["status"], problem["code"]) == (status, code)
    assert problem["title"] and problem["detail"] and problem["instance"]
    assert response.headers["API-Version"] == API_VERSION


def invalid_fields(response) -> set[str]:
    """The fields a problem answer names in invalid-params."""
    return {param["name"] for param in response.json["invalid-params"]}


# ---------- Refused: no token, revoked, out of scope ----------


@pytest.mark.parametrize("endpoint", GUARDED)
def test_every_endpoint_refuses_a_call_without_a_token(client, meppel, endpoint):
    method, path, body, _scope = GUARDED[endpoint]
    response = call(client, method, path, body)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("endpoint", GUARDED)
def test_every_endpoint_refuses_an_unknown_token(client, meppel, endpoint):
    method, path, body, _scope = GUARDED[endpoint]
    assert_error(call(client, method, path, body, secret="verzonnen"), 401, "unauthorized")


@pytest.mark.parametrize("endpoint", GUARDED)
def test_every_endpoint_refuses_a_revoked_token(client, db, admin, make_user, make_token, endpoint):
    method, path, body, _scope = GUARDED[endpoint]
    user = make_user(Role.CONSULTANT, Role.STAFF)
    secret = make_token(user)
    token = db.scalar(select(ApiToken))
    assert tokens.revoke_token(db, admin, token)
    assert_error(call(client, method, path, body, secret), 401, "unauthorized")


@pytest.mark.parametrize("endpoint", GUARDED)
def test_every_endpoint_refuses_a_token_without_its_scope(client, make_user, make_token, endpoint):
    method, path, body, scope = GUARDED[endpoint]
    user = make_user(Role.CONSULTANT, Role.STAFF)
    secret = make_token(user, *(s for s in ALL_SCOPES if s != scope))
    assert_error(call(client, method, path, body, secret), 403, "forbidden")


def test_a_token_of_a_blocked_account_is_refused(client, db, make_user, make_token):
    user = make_user(Role.STAFF)
    secret = make_token(user)
    user.blocked_at = utcnow()
    db.commit()
    assert_error(call(client, "GET", "/api/v1/requests", secret=secret), 401, "unauthorized")


# ---------- Tokens ----------


def test_only_a_hash_and_a_prefix_of_a_token_are_stored(db, admin, staff):
    issued = tokens.issue_token(db, admin, name="x", user=staff, scopes=[Scope.REQUESTS])
    stored = db.scalar(select(ApiToken))
    assert issued.secret not in (stored.token_hash, stored.scopes)
    assert stored.token_hash == tokens.hash_token(issued.secret)
    assert issued.secret.startswith(stored.prefix)
    assert stored.scope_set == {"requests:write"}


def test_a_call_notes_when_the_token_was_last_used(client, db, staff, make_token):
    secret = make_token(staff)
    assert db.scalar(select(ApiToken.last_used_at)) is None
    call(client, "GET", "/api/v1/requests", secret=secret)
    db.expire_all()
    assert db.scalar(select(ApiToken.last_used_at)) is not None


def test_calls_are_rate_limited_per_token(app, client, staff, make_user, make_token):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    first, second = make_token(staff), make_token(make_user(Role.STAFF))
    for _ in range(3):
        assert call(client, "GET", "/api/v1/requests", secret=first).status_code == 200
    assert_error(call(client, "GET", "/api/v1/requests", secret=first), 429, "rate_limited")
    assert call(client, "GET", "/api/v1/requests", secret=second).status_code == 200


# ---------- JSON, never HTML ----------


def test_health_needs_no_token(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_unknown_urls_and_methods_under_the_api_answer_json(client):
    assert_error(client.get("/api/v1/bestaat-niet"), 404, "not_found")
    assert_error(client.delete("/api/v1/health"), 405, "method_not_allowed")
    # Outside the API the site keeps its own page.
    assert client.get("/bestaat-niet").mimetype == "text/html"


def test_a_body_that_is_not_json_is_a_400(client, consultant, make_token):
    secret = make_token(consultant)
    response = client.post(
        "/api/v1/referrals", data="geen json", headers=bearer(secret), content_type="text/plain"
    )
    assert_error(response, 400, "bad_request")


# ---------- Figures ----------


@pytest.mark.parametrize("depth", [50_000, 11])
def test_a_deeply_nested_body_is_a_400_not_a_500(client, consultant, make_token, depth):
    secret = make_token(consultant)
    body = "[" * depth + "]" * depth
    response = client.post(
        "/api/v1/referrals",
        data=body,
        headers={**bearer(secret), "Content-Type": "application/json"},
    )
    assert_error(response, 400, "bad_request")


def test_figures_count_requests_per_wijk_and_hide_small_numbers(
    client, db, meppel, resident, make_token, make_user, make_request
):
    for number in range(6):
        make_request(resident, title=f"Vraag {number}", postcode="7941 AB")
    make_request(resident, title="Elders", postcode="7948 AA")
    place_in_wijken(db)
    db.execute(
        HelpRequest.__table__.update()
        .where(HelpRequest.title == "Vraag 0")
        .values(state=RequestState.MATCHED)
    )
    db.commit()
    rollups.refresh(db, utcnow())  # the "cijfers" job: the API reads the figures' rollups
    secret = make_token(make_user(Role.STAFF), Scope.READ_FIGURES)
    month = f"{utcnow():%Y-%m}"
    response = call(client, "GET", f"/api/v1/figures?from={month}&to={month}", secret=secret)
    assert response.status_code == 200, response.json
    figures = response.json
    assert figures["from"] == figures["to"] == month
    assert figures["total"]["posted"] == 7
    posted = {row["wijk"]: row["posted"] for row in figures["wijken"]}
    assert 6 in posted.values()
    assert "< 5" in posted.values()  # the single request elsewhere


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13&to=2026-12", "from"),
        ("from=2026-05&to=2026-01", "to"),
        ("to=2026-01", "from"),
    ],
)
def test_figures_need_a_valid_period(client, staff, make_token, query, field):
    secret = make_token(staff)
    response = call(client, "GET", f"/api/v1/figures?{query}", secret=secret)
    assert_error(response, 422, "validation_failed")
    assert field in invalid_fields(response)


# ---------- Referrals ----------


def test_a_consultant_s_system_refers_a_resident_and_follows_the_status(
    client, db, consultant, make_token
):
    secret = make_token(consultant, Scope.CREATE_REFERRALS)
    response = call(client, "POST", "/api/v1/referrals", referral_body(), secret)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["status"] == "uitgenodigd"
    assert created["request_state"] is None
    assert response.headers["Location"].endswith(f"/api/v1/referrals/{created['id']}")
    referral = db.scalar(select(Referral))
    assert referral.consultant_id == consultant.id
    assert referral.postcode == "7941 AB"

    status = call(client, "GET", f"/api/v1/referrals/{created['id']}", secret=secret)
    assert status.status_code == 200
    assert set(status.json) == {"id", "status", "request_state", "created_at", "expires_at"}
    assert "Riek" not in status.get_data(as_text=True)


def test_only_a_consultant_s_token_may_refer(client, staff, make_token):
    secret = make_token(staff, Scope.CREATE_REFERRALS)
    response = call(client, "POST", "/api/v1/referrals", referral_body(), secret)
    assert_error(response, 403, "forbidden")


def test_another_consultant_s_referral_is_not_found(client, consultant, make_user, make_token):
    mine = make_token(consultant, Scope.CREATE_REFERRALS)
    created = call(client, "POST", "/api/v1/referrals", referral_body(), mine).json
    other = make_token(make_user(Role.CONSULTANT), Scope.CREATE_REFERRALS)
    response = call(client, "GET", f"/api/v1/referrals/{created['id']}", secret=other)
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postcode": "7941 SA"}, "postcode"),
        ({"postcode": 7941}, "postcode"),
        ({"consent_date": in_days(3)}, "consent_date"),
        ({"consent_date": "gisteren"}, "consent_date"),
        ({"category": "bestaat-niet"}, "category"),
        ({"title": ""}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"email": "geen-adres"}, "email"),
        ({"onbekend": 1}, "onbekend"),
    ],
)
def test_a_referral_with_wrong_input_is_a_422_naming_the_field(
    client, consultant, make_token, changes, field
):
    secret = make_token(consultant, Scope.CREATE_REFERRALS)
    response = call(client, "POST", "/api/v1/referrals", referral_body(**changes), secret)
    assert_error(response, 422, "validation_failed")
    assert field in invalid_fields(response)


def test_a_referral_without_required_fields_lists_them(client, consultant, make_token):
    secret = make_token(consultant, Scope.CREATE_REFERRALS)
    response = call(client, "POST", "/api/v1/referrals", {}, secret)
    assert_error(response, 422, "validation_failed")
    assert {"resident_name", "postcode", "consent_date"} <= invalid_fields(response)


# ---------- Requests ----------


def test_open_requests_show_a_coarse_place_and_never_an_address_or_name(
    client, db, meppel, resident, staff, make_token, make_request
):
    make_request(resident, title="Boodschappen", postcode="7941 AB")
    make_request(resident, title="In Nijeveen", postcode="7948 AA")
    place_in_wijken(db)
    secret = make_token(staff, Scope.REQUESTS)
    response = call(client, "GET", "/api/v1/requests", secret=secret)
    assert response.status_code == 200
    titles = {item["title"] for item in response.json["requests"]}
    assert titles == {"Boodschappen", "In Nijeveen"}
    text = response.get_data(as_text=True)
    for private in ("Riek", "7941 AB", "7941AB", "house_number", "description", "Graag hulp"):
        assert private not in text
    item = next(i for i in response.json["requests"] if i["title"] == "Boodschappen")
    assert item["pc4"] == "7941"

    wijk = item["wijk"]
    assert wijk is not None
    by_name = call(client, "GET", f"/api/v1/requests?wijk={wijk['name'].upper()}", secret=secret)
    by_id = call(client, "GET", f"/api/v1/requests?wijk={wijk['id']}", secret=secret)
    assert by_name.json == by_id.json
    assert [i["title"] for i in by_id.json["requests"]] == ["Boodschappen"]


def test_requests_of_an_unknown_wijk_are_a_422(client, meppel, staff, make_token):
    secret = make_token(staff, Scope.REQUESTS)
    response = call(client, "GET", "/api/v1/requests?wijk=Atlantis", secret=secret)
    assert_error(response, 422, "validation_failed")
    assert "wijk" in invalid_fields(response)


def test_staff_s_system_posts_a_request_for_a_resident_through_the_site_s_service(
    client, db, meppel, staff, make_token
):
    secret = make_token(staff, Scope.REQUESTS)
    response = call(client, "POST", "/api/v1/requests", request_body(), secret)
    assert response.status_code == 201, response.json
    item = db.get(HelpRequest, response.json["id"])
    assert item.author_id == staff.id
    assert item.posted_for == PostedFor.RESIDENT
    assert item.resident_name == "Riek Jansen"
    assert item.state == RequestState.PENDING  # moderation is on: staff review it as always
    assert response.json["state"] == "pending"
    assert response.json["pc4"] == "7941"


def test_the_street_may_be_sent_and_may_be_left_out(
    client, db, meppel, staff, consultant, make_token
):
    secret = make_token(staff, Scope.REQUESTS)
    with_street = call(
        client, "POST", "/api/v1/requests", request_body(street="Kerkstraat"), secret
    )
    assert db.get(HelpRequest, with_street.json["id"]).street == "Kerkstraat"
    referrer = make_token(consultant, Scope.CREATE_REFERRALS)
    referral = call(
        client, "POST", "/api/v1/referrals", referral_body(street="Kerkstraat"), referrer
    )
    assert referral.status_code == 201, referral.json
    assert db.get(Referral, referral.json["id"]).street == "Kerkstraat"
    without = call(client, "POST", "/api/v1/requests", request_body(), secret)
    assert without.status_code == 201 and db.get(HelpRequest, without.json["id"]).street is None


def test_a_request_outside_the_municipality_is_taken_as_before_the_site_asked_about_it(
    client, db, meppel, staff, make_token
):
    secret = make_token(staff, Scope.REQUESTS)
    response = call(client, "POST", "/api/v1/requests", request_body(postcode="1012 AB"), secret)
    assert response.status_code == 201, response.json
    assert response.json["pc4"] == "1012" and response.json["wijk"] is None


def test_a_request_for_someone_vulnerable_needs_a_vog(client, db, meppel, staff, make_token):
    secret = make_token(staff, Scope.REQUESTS)
    for flags, expected in [
        ({"vulnerable": True}, (True, True)),
        ({"requires_vog": True}, (False, True)),
        ({"vulnerable": False, "requires_vog": False}, (False, False)),
    ]:
        response = call(client, "POST", "/api/v1/requests", request_body(**flags), secret)
        assert response.status_code == 201, response.json
        item = db.get(HelpRequest, response.json["id"])
        assert (item.vulnerable, item.requires_vog) == expected


def test_a_weekly_request_can_be_posted(client, db, meppel, staff, make_token):
    secret = make_token(staff, Scope.REQUESTS)
    body = request_body(schedule="weekly", weekday=1, until=in_days(60))
    del body["day"]
    response = call(client, "POST", "/api/v1/requests", body, secret)
    assert response.status_code == 201, response.json
    assert db.get(HelpRequest, response.json["id"]).weekday == 1


def test_a_token_works_only_for_someone_of_the_back_office(
    client, db, admin, resident, consultant, make_token
):
    # Issue 13: an admin could issue a requests:write token to a plain resident.
    with pytest.raises(ValueError, match="only staff"):
        tokens.issue_token(db, admin, name="x", user=resident, scopes=[Scope.REQUESTS])
    secret = make_token(consultant, Scope.CREATE_REFERRALS)
    assert call(client, "GET", "/api/v1/referrals/999", secret=secret).status_code == 404
    consultant.roles.clear()  # their work for the municipality ended; the token with it
    db.commit()
    assert_error(call(client, "GET", "/api/v1/referrals/999", secret=secret), 401, "unauthorized")


def test_the_admin_page_explains_why_a_resident_gets_no_token(forms, auth, db, admin, resident):
    auth.login(admin.email)
    response = forms.post(
        "/beheer/api-sleutels",
        {"name": "Proef", "email": resident.email, "scopes": [Scope.REQUESTS.value]},
    )
    assert "Een sleutel werkt alleen namens een medewerker" in response.get_data(as_text=True)
    assert db.scalar(select(func.count(ApiToken.id))) == 0


def test_a_token_stops_working_after_its_last_day(client, db, admin, consultant):
    # Issue 13: tokens never expired.
    today = datetime.now(AMSTERDAM).date()
    with pytest.raises(ValueError, match="within a year"):
        tokens.issue_token(
            db,
            admin,
            name="x",
            user=consultant,
            scopes=[Scope.CREATE_REFERRALS],
            expires_on=today + timedelta(days=400),
        )
    issued = tokens.issue_token(
        db,
        admin,
        name="Zaaksysteem",
        user=consultant,
        scopes=[Scope.CREATE_REFERRALS],
        expires_on=today + timedelta(days=30),
    )
    path = "/api/v1/referrals/999"
    assert call(client, "GET", path, secret=issued.secret).status_code == 404
    with time_machine.travel(utcnow() + timedelta(days=32)):
        assert_error(call(client, "GET", path, secret=issued.secret), 401, "unauthorized")


def test_whom_a_token_acts_for_and_its_maker_are_warned_two_weeks_before(
    app, db, admin, consultant
):
    from voorelkaar.models import OutboxMessage

    today = datetime.now(AMSTERDAM).date()
    issued = tokens.issue_token(
        db,
        admin,
        name="Zaaksysteem",
        user=consultant,
        scopes=[Scope.CREATE_REFERRALS],
        expires_on=today + timedelta(days=20),
    )
    with app.app_context():
        assert tokens.warn_of_expiry(db, utcnow()) == 0  # not yet
        later = utcnow() + timedelta(days=7)
        assert tokens.warn_of_expiry(db, later) == 1
        assert tokens.warn_of_expiry(db, later + timedelta(hours=1)) == 0  # once
    told = {(m.to_address, m.kind) for m in db.scalars(select(OutboxMessage))}
    assert told == {
        (consultant.email, "api_token_expiring"),
        (admin.email, "api_token_expiring"),
    }
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == admin.email))
    assert "Zaaksysteem" in mail.subject and issued.token.prefix in mail.body_text
    assert "/beheer/api-sleutels" in mail.body_text


def test_the_admin_page_asks_until_when_a_token_works(forms, auth, db, admin, consultant):
    auth.login(admin.email)
    page = forms.post(
        "/beheer/api-sleutels",
        {
            "name": "Proef",
            "email": consultant.email,
            "scopes": [Scope.CREATE_REFERRALS.value],
            "expires_on": "1-1-2099",
        },
    ).get_data(as_text=True)
    assert "Een sleutel werkt hoogstens een jaar" in page
    assert db.scalar(select(func.count(ApiToken.id))) == 0


def test_issuing_a_token_twice_from_one_form_makes_one_token(
    forms, auth, client, db, admin, consultant
):
    auth.login(admin.email)
    data = forms.fill(
        "/beheer/api-sleutels",
        {
            "name": "Zaaksysteem",
            "email": consultant.email,
            "scopes": [Scope.READ_FIGURES.value],
            "expires_on": in_days(180),
        },
    )
    first = client.post("/beheer/api-sleutels", data=data)
    assert first.status_code == 200 and "Kopieer de sleutel nu" in first.get_data(as_text=True)
    again = client.post("/beheer/api-sleutels", data=data, follow_redirects=True)
    assert "De sleutel Zaaksysteem was al gemaakt" in again.get_data(as_text=True)
    assert db.scalar(select(func.count(ApiToken.id))) == 1


def test_made_up_tokens_share_one_counter_per_address(app_config, db, consultant):
    # Issue 13: each made-up token had a counter of its own, so no 429 ever came.
    app_config["API_REFUSED_LIMIT_PER_IP"] = "5 per 10 minutes"
    from voorelkaar import create_app

    app = create_app(app_config)
    client = app.test_client()
    for number in range(5):
        response = call(client, "GET", "/api/v1/referrals/1", secret=f"verzonnen-{number}")
        assert response.status_code == 401
    response = call(client, "GET", "/api/v1/referrals/1", secret="nog-een-verzonnen")
    assert response.status_code == 429
    app.extensions["voorelkaar.engine"].dispose()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_time": "13:00"}, "end_time"),
        ({"start_time": "25:00"}, "start_time"),
        ({"day": in_days(-3)}, "day"),
        ({"volunteers_needed": 11}, "volunteers_needed"),
        ({"volunteers_needed": True}, "volunteers_needed"),
        ({"skills": ["x" * 51]}, "skills"),
        ({"schedule": "daily"}, "schedule"),
        ({"schedule": "weekly"}, "weekday"),
        ({"house_number": "geen"}, "house_number"),
        ({"resident_name": None}, "resident_name"),
    ],
)
def test_a_request_with_wrong_input_is_a_422_naming_the_field(
    client, meppel, staff, make_token, changes, field
):
    secret = make_token(staff, Scope.REQUESTS)
    response = call(client, "POST", "/api/v1/requests", request_body(**changes), secret)
    assert_error(response, 422, "validation_failed")
    assert field in invalid_fields(response)


# ---------- The contract ----------


def test_the_openapi_document_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    documented = {
        (method.upper(), "/api/v1" + re.sub(r"\{(\w+_id)\}", r"<int:\1>", path))
        for path, operations in spec["paths"].items()
        for method in operations
    }
    routed = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi", "api.docs")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == documented


def test_the_docs_page_lists_every_endpoint(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for path in ("/health", "/figures", "/referrals", "/referrals/{referral_id}", "/requests"):
        assert f"/api/v1{path}</code>" in page


def test_the_docs_page_lists_the_changes_of_every_version_up_to_this_one(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert CHANGELOG[0][0] == API_VERSION
    assert [version for version, _day, _changes in CHANGELOG] == sorted(
        (version for version, _day, _changes in CHANGELOG),
        key=lambda version: tuple(int(part) for part in version.split(".")),
        reverse=True,
    )
    for version, _day, _changes in CHANGELOG:
        assert f'id="version-{version}"' in page
    assert "<code>requests:write</code>" in page


CONTRACT_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def fuzz(operation, secret: str, max_examples: int):
    """A Hypothesis test that calls operation with generated input and checks each answer."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        database=None,
    )
    def run(case):
        # The WSGI transport hands over the body as sent; a real client unzips it itself.
        headers = {**bearer(secret), "Accept-Encoding": "identity"}
        case.call_and_validate(headers=headers, checks=CONTRACT_CHECKS)

    return run


def test_schemathesis_finds_no_server_error_and_no_response_off_the_schema(
    app, db, meppel, resident, make_user, make_token, make_request
):
    # schemathesis.pytest.from_fixture does not run under pytest 9 (no Function._nodeid),
    # so each operation of the document runs as a Hypothesis test inside this one.
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    make_request(resident, title="Boodschappen", postcode="7941 AB")
    place_in_wijken(db)
    secret = make_token(make_user(Role.CONSULTANT, Role.STAFF))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9  # 6, and the 3 of webhook subscriptions
    failures = []
    for operation in operations:
        try:
            fuzz(operation, secret, max_examples=40)()
        except Exception as error:  # noqa: BLE001 - report every operation, not the first
            failures.append(f"{operation.label}: {error}")
    assert failures == [], "\n\n".join(failures)


def test_a_limit_of_digits_that_are_not_decimal_is_a_422_not_a_500(
    client, meppel, staff, make_token
):
    secret = make_token(staff, Scope.REQUESTS)
    response = call(client, "GET", "/api/v1/requests?limit=²", secret=secret)
    assert_error(response, 422, "validation_failed")
    assert "limit" in invalid_fields(response)


def test_a_wijk_with_a_nul_character_is_a_422_not_a_500(client, meppel, staff, make_token):
    secret = make_token(staff, Scope.REQUESTS)
    response = call(client, "GET", "/api/v1/requests?wijk=Centrum%00", secret=secret)
    assert_error(response, 422, "validation_failed")
    assert "wijk" in invalid_fields(response)

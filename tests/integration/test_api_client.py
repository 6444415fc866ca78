"""A client generated from the served OpenAPI document just works against the running site.

The client comes from `openapi-python-client` (a pinned test dependency) without hand edits. Each
answer must have a status the document declares (the client raises on any other) and must say
exactly what the document says: parsed into the generated model and written back, it is the JSON
the site sent, so a field the document leaves out, a missing one or a wrong type fails the test.
"""

import importlib
import json
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from tests.integration.test_api import place_in_wijken
from voorelkaar.api import tokens
from voorelkaar.db import utcnow
from voorelkaar.figures import rollups
from voorelkaar.models.api_token import Scope

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def generate_client(document: dict, folder: Path):
    """Generate and import a client package from an OpenAPI document; fail on any warning."""
    name = f"voorelkaar_client_{uuid.uuid4().hex[:8]}"
    (folder / "openapi.json").write_text(json.dumps(document))
    (folder / "config.json").write_text(json.dumps({"post_hooks": []}))
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(folder / "openapi.json"),
            "--output-path",
            str(folder / name),
            "--meta",
            "none",
            "--config",
            str(folder / "config.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # A warning means part of the document could not be turned into code.
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


def said_exactly(parsed, response) -> None:
    """The model the client parsed, written back, is the JSON the site sent."""
    assert parsed.to_dict() == json.loads(response.content), "document and answer disagree"


def served_document(base_url: str) -> dict:
    answer = httpx.get(f"{base_url}/api/v1/openapi.json", timeout=10)
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture(autouse=True)
def quiet_client_log(caplog):
    """httpx logs each URL it calls at INFO; that is the client's log, not the site's."""
    caplog.set_level("WARNING", logger="httpx")


@pytest.fixture
def api(live_server, tmp_path):
    """The running site's API through a client generated from what it serves."""
    app, base_url = live_server
    document = served_document(base_url)
    package = generate_client(document, tmp_path)
    modules = {
        name: importlib.import_module(f"{package.__name__}.{name}")
        for name in (
            "api.default.create_referral",
            "api.default.get_referral",
            "api.default.list_requests",
            "api.default.figures",
            "models",
            "errors",
        )
    }

    def connect(secret: str):
        return package.AuthenticatedClient(
            base_url=base_url + document["servers"][0]["url"],
            token=secret,
            raise_on_unexpected_status=True,
        )

    yield modules, connect
    for name in [name for name in sys.modules if name.startswith(package.__name__)]:
        del sys.modules[name]


@pytest.fixture
def token_for(db, admin):
    def issue(user, *scopes):
        return tokens.issue_token(db, admin, name="zaaksysteem", user=user, scopes=scopes).secret

    return issue


def test_the_generated_client_refers_follows_lists_and_reads_figures(
    api, db, meppel, consultant, staff, resident, make_request, token_for
):
    modules, connect = api
    models = modules["models"]

    # A consultant's case system refers a resident and follows the status.
    referrals = connect(token_for(consultant, Scope.CREATE_REFERRALS))
    body = models.ReferralInput(
        resident_name="Riek Jansen",
        email="riek@example.nl",
        postcode="7941 AB",
        house_number="12",
        category="boodschappen",
        title="Boodschappen doen",
        description="Riek zoekt iemand die op dinsdag boodschappen doet.",
        consent_date=date.today() - timedelta(days=1),
    )
    created = modules["api.default.create_referral"].sync_detailed(client=referrals, body=body)
    assert created.status_code == 201
    assert isinstance(created.parsed, models.Referral)
    said_exactly(created.parsed, created)
    assert created.parsed.status == models.ReferralStatus.UITGENODIGD
    assert created.parsed.request_state is None

    status = modules["api.default.get_referral"].sync_detailed(created.parsed.id, client=referrals)
    assert status.status_code == 200
    said_exactly(status.parsed, status)
    assert status.parsed.id == created.parsed.id

    # Refused input comes back as the document's problem, with the field named.
    refused = modules["api.default.create_referral"].sync_detailed(
        client=referrals, body=models.ReferralInput.from_dict({**body.to_dict(), "postcode": "x"})
    )
    assert refused.status_code == 422
    assert isinstance(refused.parsed, models.Problem)
    said_exactly(refused.parsed, refused)
    assert "postcode" in {item.name for item in refused.parsed.invalid_params}

    # The volunteer centre lists the open requests of one wijk.
    make_request(resident, title="Boodschappen", postcode="7941 AB")
    for number in range(5):
        make_request(resident, title=f"In Nijeveen {number}", postcode="7948 AA")
    place_in_wijken(db)
    centre = connect(token_for(staff, Scope.REQUESTS))
    everything = modules["api.default.list_requests"].sync_detailed(client=centre)
    assert everything.status_code == 200
    said_exactly(everything.parsed, everything)
    boodschappen = next(i for i in everything.parsed.requests if i.title == "Boodschappen")
    wijk = boodschappen.wijk
    one_wijk = modules["api.default.list_requests"].sync_detailed(client=centre, wijk=wijk.name)
    said_exactly(one_wijk.parsed, one_wijk)
    assert [item.title for item in one_wijk.parsed.requests] == ["Boodschappen"]

    # The municipality reads its figures.
    rollups.refresh(db, utcnow())
    month = f"{utcnow():%Y-%m}"
    figures = modules["api.default.figures"].sync_detailed(
        client=connect(token_for(staff, Scope.READ_FIGURES)), from_=month, to=month
    )
    assert figures.status_code == 200
    said_exactly(figures.parsed, figures)
    assert figures.parsed.total.posted == 6
    nijeveen = next(row for row in figures.parsed.wijken if row.wijk == "Nijeveen")
    assert nijeveen.posted == 5
    assert next(row for row in figures.parsed.wijken if row.wijk == wijk.name).posted == "< 5"


def test_the_check_fails_when_the_document_and_the_answer_disagree(
    live_server, tmp_path, consultant, token_for
):
    """The same check on a document that forgot a field: the test above cannot pass blindly."""
    app, base_url = live_server
    document = served_document(base_url)
    referral = document["components"]["schemas"]["Referral"]
    referral["properties"].pop("expires_at")
    referral["required"].remove("expires_at")
    package = generate_client(document, tmp_path)
    try:
        create_referral = importlib.import_module(f"{package.__name__}.api.default.create_referral")
        models = importlib.import_module(f"{package.__name__}.models")
        client = package.AuthenticatedClient(
            base_url=base_url + "/api/v1",
            token=token_for(consultant, Scope.CREATE_REFERRALS),
            raise_on_unexpected_status=True,
        )
        answer = create_referral.sync_detailed(
            client=client,
            body=models.ReferralInput(
                resident_name="Riek Jansen",
                email="riek@example.nl",
                postcode="7941 AB",
                house_number="12",
                category="boodschappen",
                title="Boodschappen doen",
                description="Riek zoekt iemand die op dinsdag boodschappen doet.",
                consent_date=date.today() - timedelta(days=1),
            ),
        )
        assert answer.status_code == 201
        with pytest.raises(AssertionError, match="document and answer disagree"):
            said_exactly(answer.parsed, answer)
    finally:
        for name in [name for name in sys.modules if name.startswith(package.__name__)]:
            del sys.modules[name]

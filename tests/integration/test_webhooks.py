"""Webhooks: subscriptions, signed deliveries through an outbox, and no forged requests."""

import contextlib
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from voorelkaar.api import tokens
from voorelkaar.db import utcnow
from voorelkaar.models import (
    Referral,
    ReferralStatus,
    StaffTask,
    TaskKind,
    WebhookDelivery,
)
from voorelkaar.models.api_token import Scope
from voorelkaar.referrals import services as referrals
from voorelkaar.webhooks import deliver_due, signing
from voorelkaar.webhooks.topics import referral_changed


class Receiver:
    """A real HTTP receiver on loopback that can be down, or answer with a status."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.status = 200
        self.port = 0
        self.server = None
        self.up()

    def up(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _headers, body in self.received]


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    with contextlib.suppress(OSError):  # a test may have taken it down already
        running.down()


@pytest.fixture
def app_config(app_config):
    # The tests' own configuration allows plain http to the loopback receiver.
    return {
        **app_config,
        "WEBHOOK_ALLOW_HTTP": True,
        "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"],
        "WEBHOOK_TIMEOUT_SECONDS": 2,
    }


@pytest.fixture
def consultant_secret(db, admin, consultant):
    issued = tokens.issue_token(
        db, admin, name="zaaksysteem", user=consultant, scopes=[Scope.CREATE_REFERRALS]
    )
    return issued.secret


@pytest.fixture
def deliver(app, db):
    """The delivery job at a time the test chooses, as the scheduler runs it (in the app)."""

    def run(now):
        with app.app_context():
            return deliver_due(db, now)

    return run


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def subscribe(client, secret, url, events=("referral.status_changed",)):
    return client.post(
        "/api/v1/subscriptions",
        json={"callback_url": url, "events": list(events)},
        headers=bearer(secret),
    )


def refer(client, secret) -> int:
    body = {
        "resident_name": "Riek Jansen",
        "email": "riek@example.nl",
        "postcode": "7941 AB",
        "house_number": "12",
        "category": "boodschappen",
        "title": "Boodschappen doen",
        "description": "Riek zoekt iemand die op dinsdag boodschappen doet.",
        "consent_date": (utcnow() - timedelta(days=1)).date().isoformat(),
    }
    response = client.post("/api/v1/referrals", json=body, headers=bearer(secret))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["id"]


def test_a_receiver_down_for_an_hour_gets_every_event_in_order_per_referral(
    client, db, consultant, consultant_secret, receiver, deliver
):
    made = subscribe(client, consultant_secret, receiver.url)
    assert made.status_code == 201, made.get_data(as_text=True)
    secret = made.json["secret"]
    receiver.down()
    first, second = refer(client, consultant_secret), refer(client, consultant_secret)
    start = utcnow()
    for status in (ReferralStatus.ACCOUNT, ReferralStatus.POSTED, ReferralStatus.MATCHED):
        for referral_id in (first, second):
            referral_changed(db, db.get(Referral, referral_id), status, at=start)
    db.commit()
    assert referrals.withdraw_referral(db, consultant, db.get(Referral, first), now=start)
    expected = {
        first: ["account gemaakt", "hulpvraag geplaatst", "gematcht", "ingetrokken"],
        second: ["account gemaakt", "hulpvraag geplaatst", "gematcht"],
    }

    for minute in range(0, 61, 5):  # an hour down: nothing arrives, nothing is given up
        assert deliver(start + timedelta(minutes=minute)) == 0
    assert db.scalar(select(StaffTask)) is None

    receiver.up()
    delivered = 0
    for minute in range(61, 400, 5):
        delivered += deliver(start + timedelta(minutes=minute))
    assert delivered == 7
    got: dict[int, list[str]] = {first: [], second: []}
    for headers, body in receiver.received:
        payload = json.loads(body)
        assert headers["Webhook-Id"] == payload["id"]
        stamp = int(headers["Webhook-Signature"].split(",")[0][2:])
        assert signing.verify(secret, body, headers["Webhook-Signature"], now=stamp)
        assert "Riek" not in body.decode() and "7941" not in body.decode()
        got[payload["data"]["referral_id"]].append(payload["data"]["status"])
    assert got == expected
    assert deliver(start + timedelta(days=1)) == 0  # nothing sent twice


def test_a_retried_delivery_carries_the_same_delivery_id(
    client, db, consultant, consultant_secret, receiver, deliver
):
    assert subscribe(client, consultant_secret, receiver.url).status_code == 201
    referral_id = refer(client, consultant_secret)
    start = utcnow()
    referral_changed(db, db.get(Referral, referral_id), ReferralStatus.ACCOUNT, at=start)
    db.commit()
    receiver.status = 500  # received, but the receiver says it failed: sent again
    assert deliver(start) == 0
    receiver.status = 200
    assert deliver(start + timedelta(minutes=1)) == 0  # back-off: not yet
    assert deliver(start + timedelta(minutes=3)) == 1
    ids = [headers["Webhook-Id"] for headers, _body in receiver.received]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert receiver.received[0][1] == receiver.received[1][1]


def test_the_same_change_told_twice_is_queued_once(client, db, consultant_secret, receiver):
    assert subscribe(client, consultant_secret, receiver.url).status_code == 201
    referral = db.get(Referral, refer(client, consultant_secret))
    assert referral_changed(db, referral, ReferralStatus.ACCOUNT) == 1
    assert referral_changed(db, referral, ReferralStatus.ACCOUNT) == 0
    db.commit()


def test_a_delivery_given_up_makes_a_task_for_staff(
    app, client, db, consultant, consultant_secret, receiver, deliver
):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    assert subscribe(client, consultant_secret, receiver.url).status_code == 201
    receiver.down()
    referral_id = refer(client, consultant_secret)
    start = utcnow()
    referral_changed(db, db.get(Referral, referral_id), ReferralStatus.ACCOUNT, at=start)
    db.commit()
    for hour in range(5):
        deliver(start + timedelta(hours=hour))
    delivery = db.scalar(select(WebhookDelivery))
    assert delivery.failed_at is not None and delivery.attempts == 3
    task = db.scalar(select(StaffTask))
    assert task.kind == TaskKind.WEBHOOK_FAILED
    assert task.person_id == consultant.id
    assert "zaaksysteem" in task.detail


def test_the_documented_check_accepts_a_good_signature_and_detects_forgery_and_replay():
    secret, body, sent = "whsec_test", b'{"id":"1","type":"referral.status_changed"}', 1_800_000_000
    header = signing.sign(secret, body, sent)
    assert signing.verify(secret, body, header, now=sent + 10)
    forged = body.replace(b"referral", b"request")
    assert not signing.verify(secret, forged, header, now=sent + 10)
    assert not signing.verify("another secret", body, header, now=sent + 10)
    # The same message sent again an hour later: the signature holds, the time does not.
    assert not signing.verify(secret, body, header, now=sent + 3600)
    assert not signing.verify(secret, body, "t=abc,v1=00", now=sent)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
    ],
)
def test_in_production_settings_an_internal_or_plain_http_callback_is_refused(
    app, client, db, consultant_secret, url
):
    app.config.update(WEBHOOK_ALLOW_HTTP=False, WEBHOOK_ALLOWED_HOSTS=[])
    response = subscribe(client, consultant_secret, url)
    assert response.status_code == 400, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    assert "https://" in text or "intern netwerk" in text
    assert "callback_url" in text
    assert db.scalar(select(WebhookDelivery)) is None


def test_a_callback_no_longer_allowed_at_delivery_is_not_called(
    app, client, db, consultant_secret, receiver, deliver
):
    assert subscribe(client, consultant_secret, receiver.url).status_code == 201
    referral_id = refer(client, consultant_secret)
    referral_changed(db, db.get(Referral, referral_id), ReferralStatus.ACCOUNT)
    db.commit()
    app.config["WEBHOOK_ALLOWED_HOSTS"] = []  # as if the name now resolved to loopback
    assert deliver(utcnow()) == 0
    assert receiver.received == []
    assert "intern netwerk" in db.scalar(select(WebhookDelivery)).last_error


def test_a_delivery_goes_to_the_address_that_was_checked_not_to_a_new_answer_of_dns(
    app, client, db, consultant_secret, receiver, deliver, monkeypatch
):
    """DNS rebinding: a name that is checked, then resolves elsewhere when connecting."""
    answers = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "hooks.example":
            return real(host, port, *args, **kwargs)
        # The first answer (the check) is the receiver; any later one an unroutable address.
        address = "127.0.0.1" if not answers else "10.255.255.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://hooks.example:{receiver.port}/hook"
    assert subscribe(client, consultant_secret, url).status_code == 201
    referral_id = refer(client, consultant_secret)
    referral_changed(db, db.get(Referral, referral_id), ReferralStatus.ACCOUNT)
    db.commit()
    answers.clear()  # the check before delivery is a first answer again
    assert deliver(utcnow()) == 1
    assert answers == ["127.0.0.1"]  # resolved once: for the check, not again to connect
    headers, _body = receiver.received[0]
    assert headers["Host"] == f"hooks.example:{receiver.port}"


def test_a_redirect_is_not_followed(app, client, db, consultant_secret, receiver, deliver):
    receiver.status = 307  # to anywhere: an internal address, say
    assert subscribe(client, consultant_secret, receiver.url).status_code == 201
    referral_changed(db, db.get(Referral, refer(client, consultant_secret)), ReferralStatus.ACCOUNT)
    db.commit()
    assert deliver(utcnow()) == 0
    assert len(receiver.received) == 1
    assert db.scalar(select(WebhookDelivery)).last_error == "HTTP 307"


def test_a_token_lists_and_ends_its_subscriptions_and_never_sees_the_secret_again(
    client, consultant_secret, receiver
):
    made = subscribe(client, consultant_secret, receiver.url).json
    listed = client.get("/api/v1/subscriptions", headers=bearer(consultant_secret)).json
    assert [item["id"] for item in listed["subscriptions"]] == [made["id"]]
    assert "secret" not in listed["subscriptions"][0]
    path = f"/api/v1/subscriptions/{made['id']}"
    assert client.delete(path, headers=bearer(consultant_secret)).status_code == 204
    assert client.delete(path, headers=bearer(consultant_secret)).status_code == 404


def test_a_token_may_not_follow_events_outside_its_scope(client, consultant_secret, receiver):
    response = subscribe(client, consultant_secret, receiver.url, events=["request.matched"])
    assert response.status_code == 422
    assert "request.matched" in response.get_data(as_text=True)


def test_a_confirmed_match_tells_the_request_systems_and_the_referral_s_consultant(
    client,
    db,
    admin,
    staff,
    consultant,
    consultant_secret,
    resident,
    volunteer,
    make_request,
    in_app,
    receiver,
    deliver,
):
    from voorelkaar.matches import services as matches

    staff_secret = tokens.issue_token(
        db, admin, name="vrijwilligerscentrale", user=staff, scopes=[Scope.REQUESTS]
    ).secret
    watched = ("request.matched", "request.closed")
    assert subscribe(client, staff_secret, receiver.url, watched).status_code == 201
    assert subscribe(client, consultant_secret, receiver.url).status_code == 201
    item = make_request(resident, title="Boodschappen", postcode="7941 AB")
    referral = db.get(Referral, refer(client, consultant_secret))
    referral.request_id = item.id  # as post_from_referral leaves it
    db.commit()
    with in_app():
        match = matches.offer_help(db, volunteer, item)
        matches.confirm_match(db, resident, match)
    assert deliver(utcnow()) == 2
    told = {(body["type"], json.dumps(body["data"], sort_keys=True)) for body in receiver.bodies()}
    assert ("request.matched", json.dumps({"request_id": item.id, "state": "matched"})) in told
    statuses = [b["data"].get("status") for b in receiver.bodies()]
    assert "gematcht" in statuses

    # Staff mark the help given: the request is done, and both systems hear of it.
    with in_app():
        matches.complete_match(db, staff, db.merge(match), 2.0)
    assert deliver(utcnow()) == 2
    done = receiver.bodies()[2:]
    closed = {"request_id": item.id, "state": "done"}
    assert {(b["type"], json.dumps(b["data"], sort_keys=True)) for b in done} >= {
        ("request.closed", json.dumps(closed, sort_keys=True))
    }
    assert "afgerond" in [b["data"].get("status") for b in done]


def test_a_requests_token_follows_requests_but_not_referrals(client, db, admin, staff, receiver):
    secret = tokens.issue_token(
        db, admin, name="vrijwilligerscentrale", user=staff, scopes=[Scope.REQUESTS]
    ).secret
    assert subscribe(client, secret, receiver.url, ["request.closed"]).status_code == 201
    refused = subscribe(client, secret, receiver.url, ["referral.status_changed"])
    assert refused.status_code == 422
    assert client.get("/api/v1/subscriptions", headers=bearer(secret)).json["subscriptions"]

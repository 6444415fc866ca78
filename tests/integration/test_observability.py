"""What the hosting party watches: /readyz, the request id, the JSON access log, /metrics."""

import json
import logging
import os
import re
from datetime import timedelta

import pytest

from tests.conftest import PASSWORD, AuthActions, Forms, LogScan, _free_port, missing
from voorelkaar import create_app
from voorelkaar.db import utcnow
from voorelkaar.models import OutboxMessage, StaffTask
from voorelkaar.models.task import TaskKind
from voorelkaar.observability import job_succeeded

BROKEN_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"


class Lines(logging.Handler):
    """The access log lines, as the root logger's handlers write them (redaction included)."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def access_lines():
    from voorelkaar.security import RedactSecrets

    handler = Lines()
    handler.addFilter(RedactSecrets())  # as install_redaction puts it on every handler
    logger = logging.getLogger("voorelkaar.access")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_ready_when_the_database_answers_and_no_redis_is_used(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not used"}


def test_not_ready_while_the_database_is_away():
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": BROKEN_DATABASE})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error", "redis": "not used"}
    app.extensions["voorelkaar.engine"].dispose()


def test_not_ready_while_redis_is_away(app_config, db):
    app_config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{_free_port()}/14"  # nobody there
    app = create_app(app_config)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "error"}
    app.extensions["voorelkaar.engine"].dispose()


def test_ready_with_redis_answering(app_config, db):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        missing("TEST_REDIS_URL is not set: no Redis to check readiness against")
    app_config["RATELIMIT_STORAGE_URI"] = url
    app = create_app(app_config)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    app.extensions["voorelkaar.engine"].dispose()


def test_every_answer_carries_a_request_id_and_a_safe_one_is_kept(client):
    new = client.get("/readyz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", new)
    assert client.get("/readyz").headers["X-Request-ID"] != new
    kept = client.get("/readyz", headers={"X-Request-ID": "haproxy-0a1b2c3d.42"})
    assert kept.headers["X-Request-ID"] == "haproxy-0a1b2c3d.42"
    for unsafe in ("kort", "a" * 65, "inwoner@example.nl1", "abc\u00e9defghij", "a b c d e f g"):
        replaced = client.get("/readyz", headers={"X-Request-ID": unsafe})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])


def test_the_error_page_shows_the_request_id(client):
    response = client.get("/bestaat-niet", headers={"X-Request-ID": "ondersteuning-12345"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "ondersteuning-12345"
    assert "Foutcode: 404 (ondersteuning-12345)" in response.get_data(as_text=True)


def test_one_json_line_per_request_with_the_route_and_the_user_id_only(
    app, client, resident, access_lines
):
    AuthActions(Forms(client)).login(resident.email, PASSWORD)
    access_lines.clear()
    client.get("/?zoek=7941AB&email=inwoner@example.nl", headers={"X-Request-ID": "req-abcdef12"})
    client.get("/wachtwoord-herstellen/geheim-token-1234567890")
    home, secret = (json.loads(line) for line in access_lines)
    assert set(home) == {
        "time",
        "request_id",
        "method",
        "path",
        "status",
        "duration_ms",
        "user_id",
    }
    assert home["request_id"] == "req-abcdef12"
    assert (home["method"], home["path"], home["status"]) == ("GET", "/", 200)
    assert home["user_id"] == resident.id
    assert home["duration_ms"] >= 0
    assert secret["path"].startswith("/wachtwoord-herstellen/")
    assert "geheim-token" not in access_lines[1]
    for line in access_lines:
        for what, pattern in LogScan.FORBIDDEN:
            assert not pattern.search(line), what
        assert resident.name not in line


def test_metrics_are_refused_to_an_unlisted_address_and_a_wrong_token(app_config, db):
    app_config["METRICS_TOKEN"] = "scrape-" + "t" * 30
    app = create_app(app_config)
    outside = app.test_client()
    outside.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    assert outside.get("/metrics").status_code == 404
    wrong = outside.get("/metrics", headers={"Authorization": "Bearer niet-de-sleutel"})
    assert wrong.status_code == 404
    right = outside.get("/metrics", headers={"Authorization": "Bearer scrape-" + "t" * 30})
    assert right.status_code == 200
    app.extensions["voorelkaar.engine"].dispose()


def test_metrics_without_a_token_are_only_for_the_listed_addresses(app_config, db):
    app_config["METRICS_ALLOWED_IPS"] = "192.0.2.7, 192.0.2.8"
    app = create_app(app_config)
    client = app.test_client()
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is no longer listed
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    client.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert client.get("/metrics").status_code == 200
    app.extensions["voorelkaar.engine"].dispose()


def _value(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    match = re.search(r"^" + pattern + "$", text, re.MULTILINE)
    assert match, f"{name} {labels} not in the metrics"
    return float(match.group(1))


def test_metrics_count_requests_and_read_outbox_and_tasks_from_the_database(client, db, meppel):
    def scrape():
        response = client.get("/metrics")
        assert response.status_code == 200
        assert response.content_type.startswith("text/plain")
        return response.get_data(as_text=True)

    client.get("/over-ons")
    before = scrape()
    client.get("/over-ons")
    client.get("/bestaat-niet")
    after = scrape()
    requests = "voorelkaar_http_requests_total"
    assert _value(after, requests, endpoint="pages.about", status="2xx") == (
        _value(before, requests, endpoint="pages.about", status="2xx") + 1
    )
    assert _value(after, requests, endpoint="none", status="4xx") >= 1
    assert (
        _value(
            after,
            "voorelkaar_http_request_duration_seconds_count",
            endpoint="pages.about",
            status="2xx",
        )
        == _value(before, requests, endpoint="pages.about", status="2xx") + 1
    )
    assert _value(after, "voorelkaar_outbox_pending") == 0
    assert _value(after, "voorelkaar_outbox_oldest_due_age_seconds") == 0
    assert _value(after, "voorelkaar_staff_tasks_open") == 0

    now = utcnow()
    for number, waited in enumerate((timedelta(hours=2), timedelta(minutes=5))):
        db.add(
            OutboxMessage(
                idempotency_key=f"metrics-test-{number}",
                message_id=f"<metrics-test-{number}@voorelkaar.test>",
                to_address="iemand@example.nl",
                subject="Test",
                body_text="Test",
                kind="service",
                send_after=now - waited,
            )
        )
    db.add(StaffTask(key="metrics-test-task", kind=TaskKind.MANUAL, detail=""))
    db.add(StaffTask(key="metrics-test-closed", kind=TaskKind.MANUAL, detail="", closed_at=now))
    db.commit()
    job_succeeded("outbox")
    later = scrape()
    assert _value(later, "voorelkaar_outbox_pending") == 2
    assert _value(later, "voorelkaar_outbox_oldest_due_age_seconds") >= 2 * 60 * 60
    assert _value(later, "voorelkaar_staff_tasks_open") == 1
    assert _value(later, "voorelkaar_job_last_success_timestamp_seconds", job="outbox") > 0
    assert "voorelkaar_outbox_last_sent_timestamp_seconds" in later

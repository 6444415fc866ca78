"""What a hosting party watches: readiness, a request id, one JSON log line per request, metrics.

- `/readyz` (readiness; `/healthz` stays the liveness check): 200 while the database and,
  where rate limits are kept in Redis, Redis answer; 503 otherwise, so the load balancer
  sends no visitor to a host that cannot serve them.
- Every request gets an id: the incoming `X-Request-ID` when it looks like one, else a new
  one. It is on `g.request_id`, in the `X-Request-ID` answer header, in the access log line
  and on the error page, so a person who calls can name it.
- The logger "voorelkaar.access" writes one JSON object per request: time, request id,
  method, the route's template (never the path itself, which can hold a token), status,
  duration and the user's id. Nothing else about the person.
- `/metrics` (Prometheus): requests and their latency per endpoint and status class, and,
  read from the database at each scrape, the outbox (depth, age of the oldest due mail, the
  last mail sent) and the open staff tasks; the last successful run per scheduler job where
  the scheduler shares PROMETHEUS_MULTIPROC_DIR with the web server (same host). Only from
  METRICS_ALLOWED_IPS or with `Authorization: Bearer METRICS_TOKEN`; anyone else gets a 404.

Several gunicorn workers: set PROMETHEUS_MULTIPROC_DIR to an empty directory (emptied at
each start) before the workers start; each scrape then adds up every worker's counts.
Without it every worker counts for itself.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from voorelkaar.db import database_is_up, get_engine, utcnow
from voorelkaar.extensions import csrf, limiter

access_log = logging.getLogger("voorelkaar.access")
log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy is taken only when it cannot carry anything into the logs.
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
REDIS_TIMEOUT_SECONDS = 1.0

REQUESTS = Counter(
    "voorelkaar_http_requests_total",
    "Answered requests, by endpoint and status class.",
    ["endpoint", "status"],
)
LATENCY = Histogram(
    "voorelkaar_http_request_duration_seconds",
    "Time to answer a request, by endpoint and status class.",
    ["endpoint", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_LAST_SUCCESS = Gauge(
    "voorelkaar_job_last_success_timestamp_seconds",
    "When each scheduler job last finished without error (Unix time).",
    ["job"],
    multiprocess_mode="max",
)

bp = Blueprint("observability", __name__)


def request_id_from(header: str | None) -> str:
    """The caller's request id if it is safe to log, else a new one."""
    if header and SAFE_REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


def start_request() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def finish_request(response):
    """Header, metrics and the access log line, on the final answer."""
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    endpoint = request.endpoint or "none"
    status_class = f"{response.status_code // 100}xx"
    REQUESTS.labels(endpoint, status_class).inc()
    LATENCY.labels(endpoint, status_class).observe(seconds)
    user = g.get("_login_user")  # as Flask-Login loaded it; never loaded just for the log
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": request_id,
        "method": request.method,
        "path": request.url_rule.rule if request.url_rule is not None else None,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
        "user_id": user.id if user is not None and user.is_authenticated else None,
    }
    access_log.info(json.dumps(line, separators=(",", ":")))
    return response


def redis_url() -> str | None:
    """The Redis that keeps the rate limits, if any."""
    url = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    return url if url.startswith(REDIS_SCHEMES) else None


def redis_is_up(url: str) -> bool:
    """Whether Redis answers a PING within a second."""
    import redis

    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - any failure means "not up"
        return False
    finally:
        client.close()


@bp.route("/readyz")
@csrf.exempt
@limiter.exempt
def readyz():
    """Whether this host can serve visitors now: its database and Redis answer."""
    database = "ok" if database_is_up() else "error"
    url = redis_url()
    redis = ("ok" if redis_is_up(url) else "error") if url else "not used"
    ready = database == "ok" and redis != "error"
    body = jsonify(status="ok" if ready else "error", database=database, redis=redis)
    return body, 200 if ready else 503


def may_see_metrics() -> bool:
    """From a listed address, or with the metrics token."""
    allowed = {
        address.strip()
        for address in (current_app.config.get("METRICS_ALLOWED_IPS") or "").split(",")
        if address.strip()
    }
    if request.remote_addr in allowed:
        return True
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@bp.route("/metrics")
@csrf.exempt
@limiter.exempt
def metrics():
    """The Prometheus metrics, for the listed addresses or the token only."""
    if not may_see_metrics():
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    body = generate_latest(requests) + generate_latest(database)
    return Response(body, content_type=CONTENT_TYPE_LATEST)


class DatabaseCollector:
    """Figures read from the database at scrape time, so every host reports the same."""

    def collect(self):
        from voorelkaar.models import OutboxMessage, StaffTask

        now = utcnow()
        pending = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        with get_engine().connect() as connection:
            depth = connection.scalar(select(func.count()).where(*pending))
            oldest_due = connection.scalar(
                select(func.min(OutboxMessage.send_after)).where(
                    *pending, OutboxMessage.send_after <= now
                )
            )
            last_sent = connection.scalar(select(func.max(OutboxMessage.sent_at)))
            open_tasks = connection.scalar(
                select(func.count()).select_from(StaffTask).where(StaffTask.closed_at.is_(None))
            )
        yield GaugeMetricFamily(
            "voorelkaar_outbox_pending", "Mails in the outbox not yet sent or given up.", depth
        )
        yield GaugeMetricFamily(
            "voorelkaar_outbox_oldest_due_age_seconds",
            "How long the oldest due, unsent mail has waited (0: none waits).",
            _age(now, oldest_due),
        )
        yield GaugeMetricFamily(
            "voorelkaar_outbox_last_sent_timestamp_seconds",
            "When the outbox dispatcher last sent a mail (Unix time; 0: never).",
            _timestamp(last_sent),
        )
        yield GaugeMetricFamily(
            "voorelkaar_staff_tasks_open", "Staff tasks not yet closed.", open_tasks
        )


def _as_utc(moment: datetime) -> datetime:
    # SQLite forgets the zone in an aggregate; every stored time is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _age(now: datetime, moment: datetime | None) -> float:
    return max(0.0, (now - _as_utc(moment)).total_seconds()) if moment else 0.0


def _timestamp(moment: datetime | None) -> float:
    return _as_utc(moment).timestamp() if moment else 0.0


def job_succeeded(name: str) -> None:
    """Note a job's successful run (seen by /metrics through PROMETHEUS_MULTIPROC_DIR)."""
    JOB_LAST_SUCCESS.labels(name).set(time.time())


def init_app(app: Flask) -> None:
    """Request ids, the access log, /readyz and /metrics.

    Registered before voorelkaar.http: Flask runs after_request functions in reverse, so
    the log line and the metrics see the status that is really sent (a 304, say).
    """
    app.before_request(start_request)
    app.after_request(finish_request)
    app.register_blueprint(bp)

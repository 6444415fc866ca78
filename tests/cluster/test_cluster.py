"""The site as a hosting party runs it, under load, while hosts and the database fail.

HAProxy before two gunicorn web hosts, two schedulers, PostgreSQL, Redis and an SMTP
sink, each web and scheduler host in its own network namespace. During a bounded load:
kill -9 of one web host, a PostgreSQL restart, kill -9 of one scheduler. Then: every
acknowledged write is in the database once, 5xx only while PostgreSQL was away, a session
outlives its host, the login limit is shared and counted per real client, and every due
mail went out once (at most one twice, from the killed scheduler's batch).

Run with `make cluster-test` (as root; `.ci/run` does). Not part of `make test`.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from tests.cluster.cluster import (
    CLIENT_ADDRESSES,
    HEALTH_PATH,
    METRICS_TOKEN,
    PG_BIN,
    WEB_PORT,
    Cluster,
)
from tests.cluster.load import MARKER, Browser, Load, tokens
from tests.conftest import LogScan
from voorelkaar.demo.seed import DEMO_ACCOUNTS
from voorelkaar.help_requests.forms import VOG_NO

ON_CI = os.environ.get("CI", "").lower() == "true"
LOAD_SECONDS = float(os.environ.get("CLUSTER_LOAD_SECONDS", "60"))
# When each fault happens, as a share of the load's time.
KILL_WEB_AT, RESTART_DB_AT, KILL_SCHEDULER_AT = 0.2, 0.4, 0.5
# After PostgreSQL is back, HAProxy takes a host back at its next health check (every
# 250 ms while the host is out); a request that started before that may still get a 503.
HEALTH_GRACE = 1.0
CLAIM_SECONDS = 300  # OUTBOX_CLAIM_SECONDS: how long a claimed batch is held
VOLUNTEERS = [f"vrijwilliger{n:02d}@demo.voorelkaar.nl" for n in range(3, 7)]
KEEPER = "vrijwilliger08@demo.voorelkaar.nl"
CARER = "mantelzorger@demo.voorelkaar.nl"
RESIDENT = "inwoner@demo.voorelkaar.nl"


def _needs() -> str | None:
    if os.geteuid() != 0:
        return "the cluster test makes network namespaces: run it as root"
    for tool in ("ip", "haproxy", "redis-server", "runuser"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server programs in {PG_BIN}"
    return None


@pytest.fixture(scope="module")
def cluster():
    reason = _needs()
    if reason:
        if ON_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    built = Cluster()
    try:
        built.build_network()
        built.start_postgres()
        built.start_redis()
        built.smtp.start()
        built.flask("db", "upgrade")
        built.flask("seed-demo")
        for host in ("web1", "web2"):
            built.start_web(host)
        built.start_scheduler("sched1", beside="web2")  # one machine: web2 and sched1
        built.start_scheduler("sched2")
        built.start_haproxy()
        _wait_until_served(built)
        yield built
    finally:
        built.close()


def _wait_until_served(cluster: Cluster) -> None:
    """Both web hosts pass HAProxy's health check: the front page comes from each."""
    browser = Browser(cluster.lb_address, CLIENT_ADDRESSES[0], [], threading.Lock())
    seen = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and seen != {"web1", "web2"}:
        status, headers, _ = browser.get("/")
        if status == 200:
            seen.add(headers.get("x-served-by"))
        time.sleep(0.2)
    if seen != {"web1", "web2"}:
        checks = {host: browser_status(cluster, host) for host in ("web1", "web2")}
        pytest.fail(f"HAProxy serves from {seen or 'no host'}; {HEALTH_PATH} answers {checks}")


def browser_status(cluster: Cluster, host: str, path: str = HEALTH_PATH) -> int:
    """What a web host itself answers on path, asked from the host side."""
    try:
        with urllib.request.urlopen(  # noqa: S310 - a test host's own address
            f"http://{cluster.address(host)}:{WEB_PORT}{path}", timeout=5
        ) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@pytest.mark.timeout(900)
def test_the_cluster_survives_its_faults(cluster):
    began = time.monotonic()
    engine = create_engine(
        cluster.database_url.replace("postgresql://", "postgresql+psycopg://"), pool_pre_ping=True
    )
    try:
        _run(cluster, engine, began)
    finally:
        engine.dispose()


def _run(cluster: Cluster, engine, began: float) -> None:
    from voorelkaar.models import (
        Category,
        HelpRequest,
        Match,
        MatchMessage,
        MatchState,
        Offer,
        OutboxMessage,
        User,
    )

    with Session(engine) as db:
        category = db.scalar(select(Category.slug).order_by(Category.id))
        walk = db.execute(
            select(Match.id, Match.request_id)
            .join(HelpRequest, HelpRequest.id == Match.request_id)
            .join(User, User.id == HelpRequest.author_id)
            .where(User.email == CARER, Match.state == MatchState.CONFIRMED)
        ).first()
    assert walk, "the demo has no confirmed match of the carer to send messages on"

    limits = _login_limit(cluster)
    metrics_before = _metrics(cluster, "web2")

    # A volunteer logged in on web1, who will find web1 gone.
    keeper = Browser(cluster.lb_address, CLIENT_ADDRESSES[0], [], threading.Lock())
    assert keeper.login(KEEPER) == 302
    for _ in range(10):
        status, headers, _ = keeper.get("/mijn-aanbod")
        assert status == 200
        if headers.get("x-served-by") == "web1":
            break
    assert headers.get("x-served-by") == "web1"

    load = Load(
        cluster.lb_address,
        CLIENT_ADDRESSES[:2],
        offer_category=category,
        message_match=tuple(walk),
        request_form={
            "posted_for": "self",
            "category": category,
            "schedule": "weekly",
            "weekday": "1",
            "start_time": "14:00",
            "end_time": "16:00",
            "postcode": "7941 BK",
            "house_number": "12",
            "street": "Kerkstraat",
            "until": (date.today() + timedelta(days=60)).strftime("%d-%m-%Y"),
            "volunteers_needed": "1",
            "vog": VOG_NO,
        },
    )
    load.start(VOLUNTEERS, CARER, RESIDENT)
    start = time.monotonic()
    faults: dict[str, float] = {}

    _sleep_until(start + LOAD_SECONDS * KILL_WEB_AT)
    faults["web1 killed"] = time.monotonic()
    cluster.kill("web1")
    kept_status, kept_headers, _ = keeper.get("/mijn-aanbod")  # login required: 302 if lost
    kept_by = kept_headers.get("x-served-by")
    session_kept = kept_status == 200 and kept_by == "web2"

    _sleep_until(start + LOAD_SECONDS * RESTART_DB_AT)
    db_down, db_back = cluster.restart_postgres()

    _sleep_until(start + LOAD_SECONDS * KILL_SCHEDULER_AT)
    # The scheduler that is handing a mail to the SMTP server (each dispatches every 30 s)
    # is killed then, so that the mail it never heard accepted is sent again by the other.
    schedulers = {host: cluster.address(host) for host in ("sched1", "sched2")}
    sending = cluster.smtp.wait_for_sender(schedulers, timeout=35)
    killed = sending or "sched1"
    faults["scheduler killed"] = time.monotonic()
    scheduler_killed_at = datetime.now(UTC)
    cluster.kill(killed)

    # The load goes on for a while after the last fault.
    _sleep_until(max(start + LOAD_SECONDS, faults["scheduler killed"] + 15))
    load.join()
    load_end = time.monotonic()

    # The killed scheduler's batch stays claimed for OUTBOX_CLAIM_SECONDS; the test moves
    # those rows' clock forward instead of waiting five minutes, once the living scheduler
    # has finished a batch it may have claimed before the kill.
    cluster.smtp.wait_until_quiet()
    with Session(engine) as db:
        orphaned = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.claimed_until.is_not(None),
                OutboxMessage.claimed_until
                <= scheduler_killed_at + timedelta(seconds=CLAIM_SECONDS + 1),
            )
            .values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
        ).rowcount
        db.commit()
    due, drained = _drain_outbox(engine, OutboxMessage)

    with Session(engine) as db:
        sent = list(
            db.scalars(select(OutboxMessage.message_id).where(OutboxMessage.sent_at.is_not(None)))
        )
        found = Counter()
        for column in (Offer.title, MatchMessage.body, HelpRequest.title):
            for text in db.scalars(select(column).where(column.like("%CL%"))):
                found.update(MARKER.findall(text))
        total_rows = db.scalar(select(func.count(Offer.id)))

    leaks, log_lines = _scan_logs(cluster)
    metrics_after = _metrics(cluster, "web2")
    metrics_refused = browser_status(cluster, "web2", "/metrics")

    # -- figures -----------------------------------------------------------------------
    hits = load.hits
    duration = load_end - start
    window = (db_down, db_back + HEALTH_GRACE)
    errors = [h for h in hits if h.status >= 500 or h.status == 0]
    in_window = [h for h in errors if h.start <= window[1] and h.end >= window[0]]
    # A host killed while its answer is already on the way cuts that answer off: HAProxy
    # cannot send it again. That is no 5xx, and happens only at the kill itself.
    killed_web = faults["web1 killed"]
    cut_off = [
        h for h in errors
        if h.status == 0 and h not in in_window and h.start <= killed_web <= h.end + 0.5
    ]  # fmt: skip
    outside = [h for h in errors if h not in in_window and h not in cut_off]
    acknowledged = [w for w in load.writes if w.acknowledged]
    missing = [w for w in acknowledged if found[w.marker] != 1]
    twice = [m for m, n in found.items() if n > 1]
    received = Counter(cluster.smtp.message_ids)
    sent_ids = {m.strip("<> ") for m in sent}
    not_received = [m for m in sent_ids if m not in received]
    duplicates = {m: n for m, n in received.items() if n > 1}
    per_host = Counter(h.served_by for h in hits if h.status and h.status < 500)
    lines = [
        "== cluster test figures",
        f"requests: {len(hits)} in {duration:.1f} s ({len(hits) / duration:.1f} req/s); "
        f"answered by web1 {per_host['web1']}, web2 {per_host['web2']}",
        f"statuses: {dict(sorted(Counter(h.status for h in hits).items()))}",
        f"faults (s after load start): web1 kill -9 {faults['web1 killed'] - start:.1f}, "
        f"PostgreSQL restart {db_down - start:.1f}–{db_back - start:.1f} "
        f"({db_back - db_down:.1f} s), {killed} kill -9 {faults['scheduler killed'] - start:.1f}",
        f"5xx/no answer: {len(errors)}; inside the PostgreSQL window (+{HEALTH_GRACE:.0f} s "
        f"health grace) {len(in_window)}, answers cut off by the web1 kill {len(cut_off)}, "
        f"other {len(outside)}",
        f"5xx around the web1 kill (±5 s): "
        f"{sum(1 for h in errors if abs(h.start - faults['web1 killed']) < 5)}; around the "
        f"scheduler kill (±5 s): "
        f"{sum(1 for h in errors if abs(h.start - faults['scheduler killed']) < 5)}; "
        f"after PostgreSQL was back: {sum(1 for h in errors if h.start > db_back)} (all within "
        f"{max((h.start - db_back for h in errors if h.start > db_back), default=0):.2f} s)",
        f"writes: {len(load.writes)} tried, {len(acknowledged)} acknowledged, "
        f"{sum(1 for w in acknowledged if found[w.marker] == 1)} found exactly once, "
        f"{len(missing)} missing or doubled; by kind "
        f"{dict(Counter(w.kind for w in acknowledged))}; retried after 5xx "
        f"{sum(1 for w in load.writes if len(w.statuses) > 1)}",
        f"login limit: {limits['failures']} failed logins from one client spread over "
        f"{sorted(limits['hosts'])}, then {limits['blocked']}; with a forged X-Forwarded-For "
        f"{limits['forged']}; another client: {limits['other']}",
        f"session of a user served by web1, after web1 died: {kept_status} from {kept_by}",
        f"mails: {due} due, {len(sent_ids)} sent by the outbox, {len(cluster.smtp.message_ids)} "
        f"received ({len(received)} distinct), {len(duplicates)} Message-IDs twice, "
        f"{orphaned} orphaned claims released, outbox drained: {drained}; {killed} killed "
        f"{'while sending' if sending else 'between batches'}; taken per scheduler "
        f"{ {h: cluster.smtp.senders[a] for h, a in schedulers.items()} }",
        f"/metrics of web2: requests counted {metrics_before.get(REQUESTS_TOTAL, 0):.0f} before "
        f"the load, {metrics_after.get(REQUESTS_TOTAL, 0):.0f} after; without the token "
        f"{metrics_refused}; X-Request-ID on answers: {bool(kept_headers.get('x-request-id'))}",
        f"log lines of the web hosts and schedulers: {log_lines}, with personal data or "
        f"secrets: {len(leaks)}",
        f"offers in the database: {total_rows}; whole test {time.monotonic() - began:.0f} s",
    ]
    print("\n".join(lines))
    if outside:
        print(
            "5xx outside the window:",
            [(round(h.start - start, 1), h.what, h.status, h.served_by) for h in outside[:20]],
        )

    assert not load.login_failures, f"could not log in: {load.login_failures}"
    kinds = Counter(w.kind for w in acknowledged)
    assert all(kinds[k] >= 5 for k in ("offer", "message", "request")), f"too few writes: {kinds}"
    assert not missing, f"acknowledged writes not found exactly once: {missing[:5]}"
    assert not twice, f"writes stored twice: {twice[:5]}"
    assert not outside, "5xx outside the PostgreSQL restart window"
    assert session_kept, "the session did not survive the loss of its web host"
    assert limits["hosts"] == {"web1", "web2"}
    assert limits["blocked"] == 429, "the login limit did not hold across both web hosts"
    assert limits["forged"] == 429, "a forged X-Forwarded-For got round the login limit"
    assert limits["other"] != 429, "the login limit counted the proxy, not the client"
    assert drained, "due mail was still unsent after the load"
    assert not not_received, f"sent mails the SMTP sink never got: {not_received[:5]}"
    assert sum(n - 1 for n in duplicates.values()) <= 1, f"mail sent twice: {duplicates}"
    assert metrics_refused == 404, "/metrics answered a scrape without the token"
    missing_metrics = [name for name in METRICS if name not in metrics_after]
    assert not missing_metrics, f"metrics missing from /metrics: {missing_metrics}"
    assert metrics_after[REQUESTS_TOTAL] > metrics_before.get(REQUESTS_TOTAL, 0)
    assert metrics_after[JOB_RUN] > metrics_before.get(JOB_RUN, 0), "no job ran during the load"
    assert kept_headers.get("x-request-id"), "no X-Request-ID on the answer"
    assert not leaks, "personal data or secrets in the hosts' logs:\n" + "\n".join(leaks[:10])


REQUESTS_TOTAL = "voorelkaar_http_requests_total"
JOB_RUN = "voorelkaar_job_last_success_timestamp_seconds"
# What a hosting party watches. The last run per scheduler job shows on web2 because sched1
# shares its PROMETHEUS_MULTIPROC_DIR, as a scheduler on the same machine would.
METRICS = (
    REQUESTS_TOTAL,
    JOB_RUN,
    "voorelkaar_http_request_duration_seconds_count",
    "voorelkaar_outbox_pending",
    "voorelkaar_outbox_oldest_due_age_seconds",
    "voorelkaar_staff_tasks_open",
)


def _metrics(cluster: Cluster, host: str) -> dict[str, float]:
    """A web host's /metrics, scraped with the token: each metric's values added up."""
    request = urllib.request.Request(  # noqa: S310 - a test host's own address
        f"http://{cluster.address(host)}:{WEB_PORT}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            text = response.read().decode()
    except OSError:  # HTTPError too: no /metrics (yet) counts as none
        return {}
    values: Counter[str] = Counter()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name = line.split("{", 1)[0].split(" ", 1)[0]
            values[name] += float(line.rsplit(" ", 1)[1])
    return dict(values)


def _scan_logs(cluster: Cluster) -> tuple[list[str], int]:
    """What the suite's log scan forbids, and the demo's names, looked for in every line
    the hosts wrote (the load logs in as demo people)."""
    names = re.compile("|".join(re.escape(account.name) for account in DEMO_ACCOUNTS))
    forbidden = (*LogScan.FORBIDDEN, ("a demo person's name", names))
    leaks, lines = [], 0
    for path in sorted(cluster.logs.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            lines += 1
            leaks += [f"{what}: {path.name}: {line[:200]}" for what, pattern in
                      forbidden if pattern.search(line)]  # fmt: skip
    return leaks, lines


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def _login_limit(cluster: Cluster) -> dict:
    """20 failed logins from one client, over both hosts; the 21st is refused, others not."""
    flooder = Browser(cluster.lb_address, CLIENT_ADDRESSES[2], [], threading.Lock())
    hosts = set()
    for n in range(20):
        status, headers, html = flooder.get("/login")
        assert status == 200
        hosts.add(headers.get("x-served-by"))
        status, headers, _ = flooder.request(
            "POST", "/login", "login", {**tokens(html, "/login"),
            "email": f"niemand{n}@example.org", "password": "fout-wachtwoord-123"},
        )  # fmt: skip
        assert status in (200, 422), f"failed login {n + 1} answered {status}"
        hosts.add(headers.get("x-served-by"))
    status, _, html = flooder.get("/login")
    blocked, _, _ = flooder.request(
        "POST", "/login", "login",
        {**tokens(html, "/login"), "email": "niemand@example.org", "password": "nog-eens-fout-1"},
    )  # fmt: skip
    # A forged X-Forwarded-For does not make a new client: HAProxy appends the real address
    # and TRUSTED_PROXIES=1 takes only that one.
    status, _, html = flooder.get("/login")
    forged, _, _ = flooder.request(
        "POST", "/login", "login",
        {**tokens(html, "/login"), "email": "niemand@example.org", "password": "nog-eens-fout-2"},
        **{"X-Forwarded-For": "203.0.113.9"},
    )  # fmt: skip
    other = Browser(cluster.lb_address, CLIENT_ADDRESSES[3], [], threading.Lock())
    status, _, html = other.get("/login")
    answer, _, _ = other.request(
        "POST", "/login", "login",
        {**tokens(html, "/login"), "email": "iemand@example.org", "password": "fout-wachtwoord-9"},
    )  # fmt: skip
    return {"failures": 20, "hosts": hosts, "blocked": blocked, "forged": forged, "other": answer}


def _drain_outbox(engine, OutboxMessage) -> tuple[int, bool]:  # noqa: N803 - a model class
    """Wait (at most 90 s) until no due mail is left unsent; (due, drained)."""
    deadline = time.monotonic() + 90
    with Session(engine) as db:
        now = datetime.now(UTC)
        due = db.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.send_after <= now, OutboxMessage.failed_at.is_(None)
            )
        )
        while time.monotonic() < deadline:
            waiting = db.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.failed_at.is_(None),
                    OutboxMessage.send_after <= now,
                )
            )
            db.rollback()
            if not waiting:
                return due, True
            time.sleep(2)
    return due, False

"""Email delivery under faults: a mail server that goes away, a killed dispatcher, two at once.

The SMTP server is a real aiosmtpd server in the test process; dispatchers run as separate
processes where a process is what fails (SIGKILL) or what competes (two at once).
"""

import asyncio
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as time_of_day
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from voorelkaar.db import utcnow
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import Checkin, OutboxMessage, StaffTask, TaskKind
from voorelkaar.notify import dispatch_outbox, enqueue_email
from voorelkaar.notify.outbox import LOSSES_PER_ATTEMPT, MAX_ATTEMPTS, give_up_expired

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).parent / "flask"

# A dispatcher process: pass after pass until nothing is left to send (or it gives up).
DISPATCHER = """
import sys, time
from sqlalchemy import func, select
from voorelkaar import create_app
from voorelkaar.db import get_session, utcnow
from voorelkaar.models import OutboxMessage
from voorelkaar.notify import dispatch_outbox

app = create_app({"OUTBOX_CLAIM_SECONDS": int(sys.argv[1])})
deadline = time.monotonic() + 45
with app.app_context():
    db = get_session()
    while time.monotonic() < deadline:
        dispatch_outbox(db, utcnow())
        if not db.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))):
            sys.exit(0)
        db.rollback()
        time.sleep(0.2)
sys.exit("the outbox still holds unsent messages")
"""


class Sink:
    """An aiosmtpd handler that keeps each Message-ID it accepts, and can misbehave on cue."""

    def __init__(self):
        self.message_ids: list[str] = []
        self.arrived = threading.Condition()
        self.delay = 0.0  # seconds per message, so a process can be caught half-way
        self.hold_at: int | None = None  # this message is taken in, but its reply waits
        self.release = threading.Event()
        self.refuse_after: int | None = None  # then answer 421: the server is going down
        self.meet: int = 0  # hold the first message until this many connections sent one
        self.refuse: set[str] = set()  # addresses answered with "550 no such user"
        self.drop: set[str] = set()  # addresses answered with 421, which ends the connection
        self._sessions: set[int] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user"
        if address in self.drop:
            return "421 4.3.2 Service shutting down"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self._sessions.add(id(session))
        waited = 0.0
        while len(self._sessions) < self.meet and waited < 20:
            await asyncio.sleep(0.02)
            waited += 0.02
        if self.refuse_after is not None and len(self.message_ids) >= self.refuse_after:
            return "421 4.3.2 Service shutting down"
        if self.delay:
            await asyncio.sleep(self.delay)
        headers = BytesHeaderParser(policy=default_policy).parsebytes(envelope.content)
        with self.arrived:
            self.message_ids.append(headers["Message-ID"])
            count = len(self.message_ids)
            self.arrived.notify_all()
        if count == self.hold_at:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30.0) -> int:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.message_ids) >= count, timeout=timeout)
            return len(self.message_ids)


class Server:
    """An SMTP server on a fixed port that can be started, stopped and started again."""

    def __init__(self, sink: Sink):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.sink = sink
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def sink():
    return Sink()


@pytest.fixture
def server(sink, app_config):
    """A mail server that is not running yet; the app's mail goes to it."""
    server = Server(sink)
    app_config["MAIL_URL"] = server.url
    yield server
    sink.release.set()
    server.stop()


@pytest.fixture
def running(server):
    server.start()
    return server


def queue(app, db, user, count: int, key: str = "fault") -> list[str]:
    """Queue count emails for user; returns the Message-IDs of all queued emails."""
    with app.test_request_context():
        for number in range(count):
            enqueue_email(
                db,
                key=f"{key}:{number}",
                user=user,
                template="password_reset",
                kind="password_reset",
                link=f"http://localhost/x/{number}",
                minutes=60,
            )
        db.commit()
    return list(db.scalars(select(OutboxMessage.message_id)))


def process_env(app_config) -> dict:
    return os.environ | {
        "DATABASE_URL": app_config["DATABASE_URL"],
        "MAIL_URL": app_config["MAIL_URL"],
        "SECRET_KEY": app_config["SECRET_KEY"],
        "PYTHONUNBUFFERED": "1",
    }


def start_dispatcher(app_config, claim_seconds: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", DISPATCHER, str(claim_seconds)],
        cwd=ROOT,
        env=process_env(app_config),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def unsent(db) -> int:
    db.rollback()  # read what the other processes committed
    return db.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))


def test_mail_waits_while_the_server_is_down_and_all_of_it_arrives_once_when_it_is_back(
    server, sink, app, db, resident
):
    message_ids = queue(app, db, resident, 120)
    now = utcnow()
    with app.app_context():
        # An hour without a mail server, a pass every 30 seconds: nothing sent, nothing lost.
        for _ in range(120):
            assert dispatch_outbox(db, now) == 0
            now += timedelta(seconds=30)
        assert unsent(db) == 120
        assert db.scalar(select(func.count()).where(OutboxMessage.failed_at.is_not(None))) == 0

        # It comes back, takes 30 messages and goes down again in the middle of a batch.
        server.start()
        sink.refuse_after = 30
        sent = 0
        for _ in range(20):
            sent += dispatch_outbox(db, now)
            now += timedelta(seconds=30)
        assert sent == len(sink.message_ids) == 30

        # Back for good: every message arrives in time, and a pass after that sends nothing.
        sink.refuse_after = None
        for _ in range(6 * 120):  # at most six hours
            sent += dispatch_outbox(db, now)
            now += timedelta(seconds=30)
            if not unsent(db):
                break
        assert dispatch_outbox(db, now + timedelta(days=1)) == 0
    assert sent == 120
    assert sorted(sink.message_ids) == sorted(message_ids)  # each exactly once
    assert db.scalar(select(func.count()).select_from(StaffTask)) == 0


def test_an_address_the_server_refuses_fails_alone_and_the_batch_goes_on(
    running, sink, app, db, resident, volunteer
):
    queue(app, db, resident, 5, key="before")
    queue(app, db, volunteer, 1)
    queue(app, db, resident, 5, key="after")
    sink.refuse.add(volunteer.email)
    now = utcnow()
    with app.app_context():
        assert dispatch_outbox(db, now) == 10
    refused = db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == volunteer.email))
    db.refresh(refused)
    assert refused.sent_at is None and refused.attempts == 1 and refused.send_after > now
    assert refused.last_error == "MailError"  # not a lost connection: the others went on
    assert len(sink.message_ids) == 10


def failed(db) -> int:
    return db.scalar(select(func.count()).where(OutboxMessage.failed_at.is_not(None)))


def tasks(db) -> list[StaffTask]:
    return list(db.scalars(select(StaffTask).order_by(StaffTask.id)))


def test_a_mail_server_down_for_ten_hours_fails_no_email_and_all_arrive_once_when_back(
    server, sink, app, db, resident, caplog
):
    message_ids = queue(app, db, resident, 40)  # one batch: every pass tries each of them
    now = utcnow()
    with app.app_context(), caplog.at_level(logging.WARNING, logger="voorelkaar.notify.outbox"):
        for _ in range(20):  # ten hours, a pass every half hour
            assert dispatch_outbox(db, now) == 0
            now += timedelta(minutes=30)
        assert unsent(db) == 40
        assert failed(db) == 0 and tasks(db) == []
        assert db.scalar(select(func.max(OutboxMessage.attempts))) == 0
        warnings = [r for r in caplog.records if r.name == "voorelkaar.notify.outbox"]
        assert len(warnings) == 20  # a line a pass, not one per waiting email

        server.start()
        assert dispatch_outbox(db, now) == 40  # all of it in the first pass
        assert dispatch_outbox(db, now + timedelta(days=1)) == 0
    assert sorted(sink.message_ids) == sorted(message_ids)  # each exactly once
    assert failed(db) == 0 and tasks(db) == []


def test_email_the_server_cannot_take_within_its_lifetime_is_given_up_with_one_task_each(
    server, sink, app, db, resident, volunteer
):
    queue(app, db, resident, 3)
    start = utcnow()
    with time_machine.travel(start + timedelta(days=1), tick=False):
        queue(app, db, volunteer, 1, key="later")  # queued a day into the outage
    lifetime = timedelta(hours=app.config["OUTBOX_GIVE_UP_AFTER_HOURS"])
    now = start
    with app.app_context():
        while now < start + lifetime:  # a pass every half hour
            dispatch_outbox(db, now)
            now += timedelta(minutes=30)
        assert failed(db) == 0 and tasks(db) == []

        for _ in range(24):  # the lifetime of the first three is over; twelve hours more
            dispatch_outbox(db, now)
            now += timedelta(minutes=30)
        assert failed(db) == 3
        given_up = tasks(db)
        assert [task.kind for task in given_up] == [TaskKind.MAIL_FAILED] * 3
        assert {task.person_id for task in given_up} == {resident.id}
        assert len({task.key for task in given_up}) == 3

        server.start()  # back: the one queued later still arrives
        assert dispatch_outbox(db, now) == 1
    (later,) = db.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_not(None)))
    assert later.to_address == volunteer.email and later.attempts == 0
    assert sink.message_ids == [later.message_id]
    assert len(tasks(db)) == 3


def test_all_mail_queued_before_a_long_outage_is_given_up_at_its_lifetime_and_none_sent_late(
    server, sink, app, db, resident, volunteer, caplog
):
    queue(app, db, resident, 200)  # four batches: every pass of the outage claims the first
    start = utcnow()
    with time_machine.travel(start + timedelta(hours=79), tick=False):
        queue(app, db, volunteer, 1, key="later")  # an hour before the server returns
    lifetime = timedelta(hours=app.config["OUTBOX_GIVE_UP_AFTER_HOURS"])
    now = start
    with app.app_context(), caplog.at_level(logging.WARNING, logger="voorelkaar.notify.outbox"):
        while now < start + lifetime:  # a pass every half hour
            dispatch_outbox(db, now)
            now += timedelta(minutes=30)
        db.rollback()
        assert failed(db) == 0 and tasks(db) == []

        dispatch_outbox(db, now)  # the first pass past their lifetime gives up all of them
        db.rollback()
        assert failed(db) == 200
        assert len({task.key for task in tasks(db)}) == 200
        given_up = [r.getMessage() for r in caplog.records if "given up" in r.getMessage()]
        assert given_up == ["outbox: 200 messages given up, unsent past their lifetime"]

        while now < start + timedelta(hours=80):
            dispatch_outbox(db, now)
            now += timedelta(minutes=30)
        server.start()  # back after 80 hours: only the one queued an hour ago goes out
        assert dispatch_outbox(db, now) == 1
    (later,) = db.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_not(None)))
    assert later.to_address == volunteer.email
    assert sink.message_ids == [later.message_id]
    assert len(tasks(db)) == 200
    assert {task.kind for task in tasks(db)} == {TaskKind.MAIL_FAILED}


def test_mail_past_its_lifetime_when_the_dispatcher_itself_returns_is_given_up_unsent(
    running, sink, app, db, resident
):
    # The scheduler was down for more than the lifetime, the mail server was not: the mail
    # is as stale as after an outage of the server (a reminder for a day already past).
    start = utcnow()
    with time_machine.travel(start - timedelta(hours=73), tick=False):
        queue(app, db, resident, 1, key="stale")
    queue(app, db, resident, 1, key="fresh")
    with app.app_context():
        assert dispatch_outbox(db, utcnow()) == 1
    stale = db.scalar(select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None)))
    assert stale.idempotency_key == "stale:0" and stale.attempts == 0
    assert sink.message_ids == list(
        db.scalars(select(OutboxMessage.message_id).where(OutboxMessage.sent_at.is_not(None)))
    )
    (task,) = tasks(db)
    assert task.kind == TaskKind.MAIL_FAILED and task.person_id == resident.id


def test_two_dispatchers_giving_up_expired_mail_at_once_give_up_each_once_with_one_task(
    app, db, resident
):
    queue(app, db, resident, 300)
    now = utcnow() + timedelta(hours=app.config["OUTBOX_GIVE_UP_AFTER_HOURS"])
    together = threading.Barrier(2)
    counts: list[int] = []

    def dispatcher():
        from sqlalchemy.orm import Session

        with app.app_context(), Session(app.extensions["voorelkaar.engine"]) as session:
            together.wait(timeout=10)
            counts.append(give_up_expired(session, now))

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    print(f"\ntwo dispatchers at once gave up {' + '.join(map(str, counts))} of 300")
    assert len(counts) == 2 and sum(counts) == 300  # both finished, each message given up once
    assert failed(db) == 300
    assert len({task.key for task in tasks(db)}) == len(tasks(db)) == 300


def test_an_address_the_server_refuses_fails_after_max_attempts_and_an_outage_between_does_not_count(
    server, sink, app, db, volunteer
):
    queue(app, db, volunteer, 1, key="refused")
    sink.refuse.add(volunteer.email)
    refused = db.scalar(select(OutboxMessage))
    now = utcnow()

    def refuse_again():
        db.refresh(refused)
        assert dispatch_outbox(db, max(now, refused.send_after)) == 0
        db.refresh(refused)
        return max(now, refused.send_after)

    with app.app_context():
        server.start()
        for _ in range(MAX_ATTEMPTS // 2):
            now = refuse_again()
        assert refused.attempts == MAX_ATTEMPTS // 2 and refused.failed_at is None

        server.stop()  # ten hours without a mail server, a pass every half hour
        for _ in range(20):
            dispatch_outbox(db, now)
            now += timedelta(minutes=30)
        db.refresh(refused)
        assert refused.attempts == MAX_ATTEMPTS // 2 and refused.failed_at is None

        server.start()
        for _ in range(MAX_ATTEMPTS - MAX_ATTEMPTS // 2):
            now = refuse_again()
    assert refused.failed_at is not None and refused.attempts == MAX_ATTEMPTS
    assert refused.last_error == "MailError"
    (task,) = tasks(db)
    assert task.kind == TaskKind.MAIL_FAILED and task.person_id == volunteer.id
    assert sink.message_ids == []


def test_an_email_the_server_drops_the_connection_on_steps_aside_and_the_rest_goes_on(
    running, sink, app, db, resident, volunteer
):
    queue(app, db, volunteer, 1, key="dropped")
    message_ids = queue(app, db, resident, 10)
    sink.drop.add(volunteer.email)
    now = utcnow()
    with app.app_context():
        assert dispatch_outbox(db, now) == 0  # first in line, it ends the connection
        assert dispatch_outbox(db, now + timedelta(seconds=30)) == 10  # the rest, without it
        dropped = db.scalar(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
        db.refresh(dropped)
        assert dropped.to_address == volunteer.email
        assert dropped.attempts == 0 and dropped.failed_at is None
        assert dropped.send_after >= now + timedelta(minutes=1)
        assert dropped.last_error == "ConnectionLost"

        sink.drop.clear()
        assert dispatch_outbox(db, dropped.send_after) == 1
    assert sorted(sink.message_ids) == sorted(message_ids)  # each exactly once
    assert tasks(db) == []


def test_an_email_the_server_drops_the_connection_on_every_time_fails_after_max_attempts(
    running, sink, app, db, volunteer, caplog
):
    queue(app, db, volunteer, 1, key="dropped")
    sink.drop.add(volunteer.email)
    dropped = db.scalar(select(OutboxMessage))
    now = start = utcnow()
    passes = 0
    with app.app_context(), caplog.at_level(logging.WARNING, logger="voorelkaar.notify.outbox"):
        while dropped.failed_at is None and passes < 100:
            assert dispatch_outbox(db, now) == 0
            passes += 1
            db.refresh(dropped)
            if passes == LOSSES_PER_ATTEMPT - 1:
                assert dropped.attempts == 0
                assert dropped.last_error == f"ConnectionLost ({passes} in a row)"
            if passes == LOSSES_PER_ATTEMPT:  # the third loss in a row is an attempt
                assert dropped.attempts == 1 and dropped.failed_at is None
            now = max(now, dropped.send_after)
    assert passes == MAX_ATTEMPTS * LOSSES_PER_ATTEMPT
    assert dropped.attempts == MAX_ATTEMPTS
    assert now - start < timedelta(hours=app.config["OUTBOX_GIVE_UP_AFTER_HOURS"])
    (task,) = tasks(db)
    assert task.kind == TaskKind.MAIL_FAILED and task.person_id == volunteer.id
    # The server was reached every time: never reported as out of reach.
    assert not [r for r in caplog.records if "out of reach" in r.getMessage()]
    assert sink.message_ids == []


@pytest.mark.parametrize("moment", ["reply-in-flight", "any-moment"])
def test_a_dispatcher_killed_half_way_loses_nothing_and_repeats_at_most_one_email(
    moment, running, sink, app, app_config, db, resident
):
    message_ids = queue(app, db, resident, 200)
    sink.delay = 0.005
    if moment == "reply-in-flight":
        # The worst moment: the server has the 100th email, the dispatcher not yet its "250".
        sink.hold_at = 100
    first = start_dispatcher(app_config, claim_seconds=2)
    try:
        assert sink.wait_for(100) >= 100, first.stdout.read() if first.poll() is not None else ""
        if moment == "any-moment":
            time.sleep(random.uniform(0, 2 * sink.delay))
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    at_kill = len(sink.message_ids)
    assert at_kill < 200, "the dispatcher was not caught half-way"
    sink.release.set()

    # Started again, it sends the rest, and the killed one's batch once its claim runs out.
    second = start_dispatcher(app_config, claim_seconds=2)
    output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output
    assert unsent(db) == 0

    received = Counter(sink.message_ids)
    twice = [message_id for message_id, times in received.items() if times > 1]
    print(
        f"\nSIGKILL ({moment}) after {at_kill} of 200 emails: {sum(received.values())} received,"
        f" {len(received)} different, {len(twice)} twice: {twice}"
    )
    assert set(received) == set(message_ids)
    assert max(received.values()) <= 2 and len(twice) <= 1
    if moment == "reply-in-flight":
        # Exactly that email came twice, with the same Message-ID both times.
        assert twice == [sink.message_ids[99]]


def test_a_claim_takes_one_batch_however_many_are_due(app, db, resident):
    from voorelkaar.notify.outbox import claim_due

    queue(app, db, resident, 120)
    with app.app_context():
        assert len(claim_due(db, utcnow(), limit=50)) == 50
        assert len(claim_due(db, utcnow(), limit=50)) == 50
        assert len(claim_due(db, utcnow(), limit=50)) == 20


def test_two_send_due_processes_at_once_deliver_500_queued_emails_exactly_once(
    running, sink, app, app_config, db, resident
):
    message_ids = queue(app, db, resident, 500)
    sink.meet = 2  # the first email waits until the other process is sending too
    command = [str(FLASK), "--app", "wsgi", "send-due"]
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=process_env(app_config),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, out + err
    counts = [count_of("outbox", out) for out, _err in outputs]
    print(f"\ntwo send-due processes sent {counts[0]} + {counts[1]} of 500")
    assert all(counts) and sum(counts) == 500  # both worked, and together sent each once
    assert len(sink.message_ids) == 500
    assert sorted(sink.message_ids) == sorted(message_ids)
    assert unsent(db) == 0


# A scheduler process: every job at a given moment, once the test says go (so that two of
# them start at the same time), and every job again a moment later, as the next tick would.
# The second tick sends what the first queued: mail queued during a pass is due from the
# clock's time of queueing, a little after the `now` that pass was given.
SCHEDULER_TICKS = """
import sys, time
from datetime import datetime
from pathlib import Path
from voorelkaar import create_app
from voorelkaar.db import get_session, utcnow
from voorelkaar.jobs import run_due_jobs

app = create_app()
now, go = datetime.fromisoformat(sys.argv[1]), Path(sys.argv[2])
with app.app_context():
    db = get_session()
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.01)
    first = run_due_jobs(db, now)
    second = run_due_jobs(db, max(now, utcnow()))
    for (job, did), (_job, then_did) in zip(first, second):
        print(f"{job.name}: {did} {then_did}")
"""


def add_carers_due(db, count: int, day) -> None:
    """count carers whose check-in is due on day, inserted in bulk."""
    from sqlalchemy import insert

    from voorelkaar.geo import lat_band
    from voorelkaar.models import CarerProfile, User, UserRole

    ids = list(
        db.scalars(
            insert(User).returning(User.id),
            [
                {
                    "email": f"mantelzorger{n}@example.nl",
                    "name": f"Mantelzorger {n}",
                    "password_hash": "x",
                    "postcode": "7941 AB",
                    "house_number": "1",
                    "pc4": "7941",
                    "lat": 52.69,
                    "lat_band": lat_band(52.69),
                    "lon": 6.19,
                }
                for n in range(count)
            ],
        )
    )
    db.execute(insert(UserRole), [{"user_id": i, "role": "carer"} for i in ids])
    db.execute(insert(CarerProfile), [{"user_id": i, "next_checkin_on": day} for i in ids])
    db.commit()


def test_two_scheduler_processes_at_once_send_500_due_check_ins_exactly_once(
    database_url, running, sink, app, app_config, db, tmp_path
):
    if not database_url.startswith("postgresql"):
        pytest.skip("two schedulers at once are tested in the PostgreSQL run of the suite")
    # A moment when check-ins go out (from 09:00 in Meppel) and the new mail is already due.
    now = max(
        utcnow(), datetime.combine(utcnow().astimezone(AMSTERDAM), time_of_day(10), AMSTERDAM)
    )
    add_carers_due(db, 500, now.astimezone(AMSTERDAM).date())
    sink.meet = 2  # the first email waits until the other process is sending too
    go = tmp_path / "go"
    schedulers = [
        subprocess.Popen(
            [sys.executable, "-c", SCHEDULER_TICKS, now.isoformat(), str(go)],
            cwd=ROOT,
            env=process_env(app_config),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for scheduler in schedulers:
        assert scheduler.stdout.readline().strip() == "ready", scheduler.stderr.read()
    go.touch()
    outputs = [scheduler.communicate(timeout=120) for scheduler in schedulers]
    for scheduler, (out, err) in zip(schedulers, outputs, strict=True):
        assert scheduler.returncode == 0, out + err
        assert ": -1" not in out, out + err  # no job failed
    queued = [counts_of("checkins", out) for out, _err in outputs]
    sent = [sum(counts_of("outbox", out)) for out, _err in outputs]
    print(f"\ntwo schedulers: check-ins queued {queued}, emails sent {sent}")

    assert sum(first for first, _again in queued) == 500
    assert all(again == 0 for _first, again in queued)  # the next tick asks nobody again
    assert sum(sent) == 500 and all(sent)
    assert len(sink.message_ids) == 500  # exactly 500 at the SMTP server
    assert len(set(sink.message_ids)) == 500
    db.rollback()
    assert db.scalar(select(func.count(func.distinct(Checkin.carer_id)))) == 500
    assert db.scalar(select(func.count()).select_from(Checkin)) == 500
    assert sorted(sink.message_ids) == sorted(db.scalars(select(OutboxMessage.message_id)))


def count_of(job: str, output: str) -> int:
    """What a send-due run says job did."""
    (line,) = [line for line in output.splitlines() if line.startswith(f"{job}:")]
    return int(line.split()[1])


def counts_of(job: str, output: str) -> tuple[int, int]:
    """What job did in each of the two ticks of a scheduler process."""
    (line,) = [line for line in output.splitlines() if line.startswith(f"{job}:")]
    first, then = line.split()[1:3]
    return int(first), int(then)

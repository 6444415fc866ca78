"""Email delivery: due carer check-ins through the real job, outbox and dispatcher.

Not a test: run it by hand and read the ratio.

    python -m bench.notify [--count 10000] [--repeat 3] [--pg postgresql://postgres@127.0.0.1/test]

Each round fills a fresh database with COUNT carers whose check-in is due, then times
`run_checkins` (queue every check-in email in the outbox) and `dispatch_outbox` (send them
all to a local aiosmtpd sink, one SMTP connection per batch). The reference sends the same
COUNT messages, rendered to bytes beforehand, with plain `smtplib` over one connection to
the same sink. The sink runs in its own process, so it does not compete with either side
for the interpreter; it counts what it accepts, and each round checks that all arrived.
"""

import argparse
import multiprocessing
import smtplib
import socket
import statistics
import time
from datetime import UTC, datetime
from datetime import time as clock
from email.utils import parseaddr

from sqlalchemy import create_engine, insert, text

from bench.common import batches, keep_statistics, scratch_database


def serve(port: int, accepted, ready, stop) -> None:
    """The SMTP sink (in its own process): accept everything, count it, keep nothing."""
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            with accepted.get_lock():
                accepted.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.accepted = context.Value("l", 0)
        self._stop = context.Event()
        ready = context.Event()
        self.process = context.Process(
            target=serve, args=(self.port, self.accepted, ready, self._stop), daemon=True
        )
        self.process.start()
        if not ready.wait(30):
            raise RuntimeError("the SMTP sink did not start")

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def take(self) -> int:
        """How many messages arrived since the last take."""
        with self.accepted.get_lock():
            count, self.accepted.value = self.accepted.value, 0
        return count

    def close(self) -> None:
        self._stop.set()
        self.process.join(10)


def fill(url: str, count: int, today) -> None:
    """count carers, each with a check-in due today."""
    from voorelkaar.geo import lat_band
    from voorelkaar.models import CarerProfile, User, UserRole

    engine = create_engine(url)
    with engine.begin() as connection:
        for ids in batches(count, 5_000):
            connection.execute(
                insert(User),
                [
                    {
                        "id": i,
                        "email": f"mantelzorger{i}@bench.nl",
                        "name": f"Mantelzorger {i}",
                        "password_hash": "x",
                        "postcode": "7941 AB",
                        "house_number": "1",
                        "pc4": "7941",
                        "lat": 52.69,
                        "lat_band": lat_band(52.69),
                        "lon": 6.19,
                        "locale": "en" if i % 10 == 0 else "nl",
                    }
                    for i in ids
                ],
            )
            connection.execute(insert(UserRole), [{"user_id": i, "role": "carer"} for i in ids])
            connection.execute(
                insert(CarerProfile),
                [{"user_id": i, "cadence_weeks": 4, "next_checkin_on": today} for i in ids],
            )
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('users_id_seq', :n)"), {"n": count})
    engine.dispose()
    keep_statistics(url)


def pipeline(url: str, sink: Sink, count: int) -> tuple[float, float, list[tuple]]:
    """Seconds for the job and for the dispatcher; and the messages as the reference sends them."""
    from alembic import command
    from sqlalchemy import func, select

    from voorelkaar import create_app
    from voorelkaar.carers.jobs import run_checkins
    from voorelkaar.db import alembic_config, get_session, utcnow
    from voorelkaar.i18n import AMSTERDAM
    from voorelkaar.models import OutboxMessage
    from voorelkaar.notify import dispatch_outbox
    from voorelkaar.notify.backends import CRLF, build_message

    command.upgrade(alembic_config(url), "head")
    # 10:00 in Meppel today: check-ins go out from 09:00, whatever the time of the run.
    now = datetime.combine(datetime.now(AMSTERDAM).date(), clock(10), AMSTERDAM).astimezone(UTC)
    fill(url, count, now.astimezone(AMSTERDAM).date())
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "MAIL_URL": sink.url, "LOG_LEVEL": "WARNING"}
    )
    with app.app_context():
        db = get_session()
        sink.take()
        begin = time.perf_counter()
        queued = run_checkins(db, now)
        queued_at = time.perf_counter()
        sent = dispatch_outbox(db, utcnow())
        done = time.perf_counter()
        arrived = sink.take()
        unsent = db.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))
        if not queued == sent == arrived == count or unsent:
            raise RuntimeError(
                f"{count} due, {queued} queued, {sent} sent, {arrived} arrived, {unsent} unsent"
            )
        sender = app.config["MAIL_FROM"]
        envelope = parseaddr(sender)[1]
        messages = [
            (envelope, row.to_address, build_message(row, sender).as_bytes(policy=CRLF))
            for row in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]
    app.extensions["voorelkaar.engine"].dispose()
    return queued_at - begin, done - queued_at, messages


def raw_smtplib(sink: Sink, messages: list[tuple]) -> float:
    """Seconds to send pre-rendered messages with plain smtplib over one connection."""
    sink.take()
    begin = time.perf_counter()
    connection = smtplib.SMTP("127.0.0.1", sink.port)
    for sender, recipient, data in messages:
        connection.sendmail(sender, [recipient], data)
    connection.quit()
    seconds = time.perf_counter() - begin
    if (arrived := sink.take()) != len(messages):
        raise RuntimeError(f"smtplib: {arrived} of {len(messages)} arrived")
    return seconds


def measure(backend: str, args, sink: Sink) -> None:
    totals, jobs, dispatches, raws = [], [], [], []
    for round_number in range(1, args.repeat + 1):
        with scratch_database(backend, args.pg) as url:
            job, dispatch, messages = pipeline(url, sink, args.count)
        raw = raw_smtplib(sink, messages)
        jobs.append(job)
        dispatches.append(dispatch)
        totals.append(job + dispatch)
        raws.append(raw)
        print(
            f"{backend:10} round {round_number}: job {job:6.2f} s + dispatcher {dispatch:6.2f} s"
            f" = {job + dispatch:6.2f} s; smtplib {raw:6.2f} s"
        )
    total, raw = statistics.median(totals), statistics.median(raws)
    print(
        f"{backend:10} median of {args.repeat}, {args.count:,} emails:"
        f" job {statistics.median(jobs):.2f} s, dispatcher {statistics.median(dispatches):.2f} s,"
        f" together {total:.2f} s ({args.count / total:,.0f} emails/s);"
        f" raw smtplib {raw:.2f} s ({args.count / raw:,.0f} emails/s)"
    )
    print(f"{backend:10} ratio (job + outbox + dispatcher) / raw smtplib: {total / raw:.2f}x")
    dispatch = statistics.median(dispatches)
    print(f"{backend:10} ratio dispatcher alone / raw smtplib: {dispatch / raw:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", help="a PostgreSQL server URL where databases may be created")
    parser.add_argument("--only-pg", action="store_true", help="skip the SQLite measurement")
    args = parser.parse_args()
    backends = ([] if args.only_pg else ["sqlite"]) + (["postgresql"] if args.pg else [])
    sink = Sink()
    try:
        for backend in backends:
            measure(backend, args, sink)
    finally:
        sink.close()


if __name__ == "__main__":
    main()

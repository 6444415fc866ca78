"""The figures for a year, live from the raw rows and from the rollups, with N requests stored.

Fills a fresh database with N requests spread over 2025 (with matches, check-ins, staff
tasks and referrals in proportion), runs ANALYZE, builds the rollups (`figures rebuild`,
timed), then times what /cijfers computes for the whole year, per month and per wijk
(every figure and the key numbers of the year and of the year before): live from the raw
rows and from the rollups, median of --repeat runs, on SQLite and (with --pg URL, a server
where databases may be created) PostgreSQL. Prints medians and growth between sizes.

    python -m bench.figures --sizes 10000 100000 [--pg postgresql://postgres@127.0.0.1/postgres]
        [--mode both|live|rollups] [--pg-only-sizes 1000000]
"""

import argparse
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, insert, select, text

from bench.common import batches, keep_statistics, scratch_database

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
SECONDS_IN_YEAR = 365 * 24 * 3600
WIJKEN = 20
BATCH = 20_000


def moment(rng: random.Random) -> datetime:
    return YEAR_START + timedelta(seconds=rng.randrange(SECONDS_IN_YEAR))


def _places(connection) -> list[int]:
    from voorelkaar.models import Municipality, Neighbourhood

    connection.execute(insert(Municipality), [{"id": 1, "name": "Bank", "slug": "bank"}])
    connection.execute(
        insert(Neighbourhood),
        [
            {"id": i, "municipality_id": 1, "name": f"Wijk {i}", "slug": f"wijk-{i}"}
            for i in range(1, WIJKEN + 1)
        ],
    )
    return list(range(1, WIJKEN + 1))


def _users(connection, count: int, rng: random.Random) -> None:
    from voorelkaar.geo import lat_band
    from voorelkaar.models import User

    now = datetime(2024, 12, 1, tzinfo=UTC)
    for ids in batches(count, BATCH):
        connection.execute(
            insert(User),
            [
                {
                    "id": i,
                    "email": f"u{i}@bench.nl",
                    "name": "U",
                    "password_hash": "x",
                    "postcode": "7941 AB",
                    "house_number": "1",
                    "pc4": "7941",
                    "lat": 52.69,
                    "lat_band": lat_band(52.69),
                    "lon": 6.19,
                    "neighbourhood_id": rng.randint(1, WIJKEN),
                    "municipality_id": 1,
                    "locale": "nl",
                    "created_at": now,
                    "password_changed_at": now,
                }
                for i in ids
            ],
        )


def fill(url: str, size: int, rng: random.Random) -> None:
    """size requests over 2025; about 60% matched, and the rest in proportion."""
    from voorelkaar.models import Checkin, HelpRequest, Match, Referral, StaffTask

    engine = create_engine(url)
    users = max(2_000, size // 20)
    states = ["open"] * 2 + ["matched"] * 3 + ["done"] * 3 + ["expired"] * 2
    posted_for = ["self"] * 7 + ["cared_for"] * 2 + ["resident"]
    with engine.begin() as connection:
        categories = list(connection.scalars(text("SELECT id FROM categories")))
        _places(connection)
        _users(connection, users, rng)
        for ids in batches(size, BATCH):
            requests, matches = [], []
            for i in ids:
                published = moment(rng)
                state = rng.choice(states)
                requests.append(
                    {
                        "id": i,
                        "author_id": rng.randint(1, users),
                        "category_id": rng.choice(categories),
                        "state": state,
                        "title": "t",
                        "description": "d",
                        "skills": "",
                        "posted_for": rng.choice(posted_for),
                        "postcode": "7941 AB",
                        "house_number": "1",
                        "pc4": "7941",
                        "lat": 52.69,
                        "lon": 6.19,
                        "neighbourhood_id": rng.randint(1, WIJKEN),
                        "municipality_id": 1,
                        "created_at": published,
                        "updated_at": published,
                        "published_at": published,
                    }
                )
                if state in ("matched", "done"):
                    confirmed = published + timedelta(hours=rng.randint(1, 24 * 20))
                    done = state == "done"
                    matches.append(
                        {
                            "request_id": i,
                            "volunteer_id": rng.randint(1, users),
                            "state": "done" if done else "confirmed",
                            "created_at": confirmed,
                            "confirmed_at": confirmed,
                            "ended_at": confirmed + timedelta(days=7) if done else None,
                            "hours": rng.choice((1.0, 2.0, 3.5)) if done else None,
                        }
                    )
            connection.execute(insert(HelpRequest), requests)
            if matches:
                connection.execute(insert(Match), matches)
        for ids in batches(size // 10, BATCH):
            connection.execute(
                insert(Checkin),
                [
                    {
                        "carer_id": i % users + 1,
                        "due_on": date(2025, 1, 1) + timedelta(days=i // users),
                        "sent_at": moment(rng),
                        "answer": rng.choice(("goed", "gaat", "zwaar", None)),
                    }
                    for i in ids
                ],
            )
        for ids in batches(size // 20, BATCH):
            connection.execute(
                insert(StaffTask),
                [
                    {
                        "key": f"bench:{i}",
                        "municipality_id": 1,
                        "kind": rng.choice(("request_unmatched", "checkin_heavy", "mail_failed")),
                        "person_id": rng.randint(1, users),
                        "request_id": rng.randint(1, size),
                        "detail": "",
                        "created_at": (closed := moment(rng)),
                        "closed_at": closed if rng.random() < 0.8 else None,
                    }
                    for i in ids
                ],
            )
            connection.execute(
                insert(Referral),
                [
                    {
                        "resident_name": "R",
                        "municipality_id": 1,
                        "postcode": "7941 AB",
                        "house_number": "1",
                        "consent_date": date(2025, 1, 1),
                        "category_id": rng.choice(categories),
                        "title": "t",
                        "description": "d",
                        "wanted_when": "",
                        "code": f"B{i:011d}",
                        "created_at": (made := moment(rng)),
                        "expires_at": made + timedelta(days=30),
                        "request_id": rng.randint(1, size) if rng.random() < 0.5 else None,
                    }
                    for i in ids
                ],
            )
    engine.dispose()
    keep_statistics(url)


def _page_work(db, source, filters) -> None:
    """What the /cijfers view computes: every figure and the key numbers (this period, the one before)."""
    from voorelkaar.figures import services

    source.compute_all(db, filters)
    source.key_totals(db, filters)
    source.key_totals(db, services.previous_period(filters))


def measure(url: str, size: int, repeat: int, modes: list[str]) -> dict[tuple[str, str], float]:
    """Median seconds for the figures of 2025, per month and per wijk, for each mode."""
    from alembic import command

    from voorelkaar import create_app
    from voorelkaar.db import alembic_config, get_session
    from voorelkaar.figures import rollups, services
    from voorelkaar.models import FigureStale, HelpRequest

    command.upgrade(alembic_config(url), "head")
    begin = time.perf_counter()
    fill(url, size, random.Random(size))  # noqa: S311 - synthetic data
    print(f"  filled {size:,} requests in {time.perf_counter() - begin:.0f} s", flush=True)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40})
    medians = {}
    sources = {"live": services, "rollups": rollups}
    now = datetime(2026, 1, 15, tzinfo=UTC)
    with app.app_context():
        db = get_session()
        assert db.scalar(select(HelpRequest.id).order_by(HelpRequest.id.desc()).limit(1)) == size
        begin = time.perf_counter()
        rows = rollups.rebuild(db, now)
        print(f"  rebuilt rollups ({rows:,} rows) in {time.perf_counter() - begin:.1f} s")
        keep_statistics(url)
        # One changed month, as the job sees it after a match is confirmed.
        db.execute(insert(FigureStale).values(month=date(2025, 6, 1), municipality_id=1))
        db.commit()
        begin = time.perf_counter()
        rollups.refresh(db, now)
        print(f"  refreshed one changed month in {time.perf_counter() - begin:.2f} s")
        for mode, by in [(m, b) for m in modes for b in (services.BY_MONTH, services.BY_WIJK)]:
            filters = services.Filters(
                date(2025, 1, 1), date(2025, 12, 1), by=by, municipality_ids=frozenset({1})
            )
            times = []
            for _ in range(repeat):
                begin = time.perf_counter()
                _page_work(db, sources[mode], filters)
                times.append(time.perf_counter() - begin)
                db.rollback()
            medians[(mode, by)] = statistics.median(times)
    app.extensions["voorelkaar.engine"].dispose()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--pg-only-sizes", type=int, nargs="*", default=[])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mode", choices=("both", "live", "rollups"), default="both")
    parser.add_argument("--pg", help="a PostgreSQL server URL where databases may be created")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    modes = ["live", "rollups"] if args.mode == "both" else [args.mode]
    backends = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if args.pg else [])
    for backend in backends:
        medians = {}
        sizes = args.sizes + (args.pg_only_sizes if backend == "postgresql" else [])
        for size in sizes:
            with scratch_database(backend, args.pg) as url:
                medians[size] = measure(url, size, args.repeat, modes)
            for (mode, by), seconds in medians[size].items():
                print(
                    f"{backend:10} {size:>9,} requests, {mode:7} per {by:6}: "
                    f"median {seconds * 1000:8.1f} ms",
                    flush=True,
                )
        ordered = sorted(medians)
        for small, large in zip(ordered, ordered[1:], strict=False):
            for key in medians[small]:
                growth = medians[large][key] / medians[small][key]
                print(
                    f"{backend:10} growth {small:,} -> {large:,}, {key[0]} per {key[1]}: {growth:.2f}x"
                )
        if len(ordered) > 2:
            for key in medians[ordered[0]]:
                growth = medians[ordered[-1]][key] / medians[ordered[0]][key]
                print(
                    f"{backend:10} growth {ordered[0]:,} -> {ordered[-1]:,}, "
                    f"{key[0]} per {key[1]}: {growth:.2f}x"
                )


if __name__ == "__main__":
    main()

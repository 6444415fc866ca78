"""The figures for a year, computed in SQL, with N help requests stored.

Fills a fresh database with N requests spread over 2025 (with matches, check-ins, staff
tasks and referrals in proportion), runs ANALYZE, then times computing every figure for
the whole year, per month and per wijk (median of --repeat runs), on SQLite and (with
--pg URL, a server where databases may be created) PostgreSQL. Prints medians and growth.

    python -m bench.figures --sizes 100000 1000000 [--pg postgresql://postgres@127.0.0.1/postgres]
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


def measure(url: str, size: int, repeat: int) -> dict[str, float]:
    """Median seconds to compute all figures for 2025, per month and per wijk."""
    from alembic import command

    from voorelkaar import create_app
    from voorelkaar.db import alembic_config, get_session
    from voorelkaar.figures import services
    from voorelkaar.models import HelpRequest

    command.upgrade(alembic_config(url), "head")
    begin = time.perf_counter()
    fill(url, size, random.Random(size))  # noqa: S311 - synthetic data
    print(f"  filled {size:,} requests in {time.perf_counter() - begin:.0f} s", flush=True)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40})
    medians = {}
    with app.app_context():
        db = get_session()
        assert db.scalar(select(HelpRequest.id).order_by(HelpRequest.id.desc()).limit(1)) == size
        for by in (services.BY_MONTH, services.BY_WIJK):
            filters = services.Filters(
                date(2025, 1, 1), date(2025, 12, 1), by=by, municipality_ids=frozenset({1})
            )
            times = []
            for _ in range(repeat):
                begin = time.perf_counter()
                services.compute_all(db, filters)
                times.append(time.perf_counter() - begin)
                db.rollback()
            medians[by] = statistics.median(times)
    app.extensions["voorelkaar.engine"].dispose()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", help="a PostgreSQL server URL where databases may be created")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    for backend in backends:
        medians = {}
        for size in args.sizes:
            with scratch_database(backend, args.pg) as url:
                medians[size] = measure(url, size, args.repeat)
            for by, seconds in medians[size].items():
                print(f"{backend:10} {size:>9,} requests, per {by:6}: median {seconds:7.2f} s")
        sizes = sorted(medians)
        for small, large in zip(sizes, sizes[1:], strict=False):
            for by in medians[small]:
                growth = medians[large][by] / medians[small][by]
                print(f"{backend:10} growth {small:,} -> {large:,}, per {by}: {growth:.2f}x")


if __name__ == "__main__":
    main()

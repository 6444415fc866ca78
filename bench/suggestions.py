"""The service path of matching: suggest volunteers for one request with N volunteers stored.

Prints the median time of `suggest_volunteers` (five places, each `--repeat` times) at
each size and how it grows,
on SQLite and (with --pg URL, a server where databases may be created) PostgreSQL.

    python -m bench.suggestions --sizes 100000 1000000 [--pg postgresql://postgres@127.0.0.1/test]
"""

import argparse
import random
import statistics
import time
from datetime import UTC, datetime
from datetime import time as clock

from sqlalchemy import create_engine, insert

from bench.common import batches, keep_statistics, scratch_database

LAT, LON = (50.75, 53.55), (3.35, 7.2)
SKILLS = (
    "boodschappen",
    "wandelen",
    "auto rijden",
    "klussen",
    "tuinieren",
    "computer",
    "gezelschap",
)


# Parts of the day volunteers pick on the availability page: morning, afternoon, evening.
PARTS = ((clock(9), clock(12)), (clock(12), clock(18)), (clock(18), clock(21)))


def week(rng: random.Random) -> list[tuple[int, clock, clock]]:
    """A few weekly slots; about one volunteer in four is flexible (no slots)."""
    chosen = rng.sample(
        [(day, part) for day in range(7) for part in range(3)], rng.choice((0, 2, 3, 5))
    )
    return [(day, *PARTS[part]) for day, part in chosen]


def fill(url: str, size: int, rng: random.Random) -> None:
    from voorelkaar.geo import lat_band
    from voorelkaar.models import User, UserRole, VolunteerSlot

    engine = create_engine(url)
    with engine.begin() as connection:
        for ids in batches(size, 20_000):
            connection.execute(
                insert(User),
                [
                    {
                        "id": i,
                        "email": f"v{i}@bench.nl",
                        "name": "V",
                        "password_hash": "x",
                        "postcode": "7941 AB",
                        "house_number": "1",
                        "pc4": "7941",
                        "lat": (lat := rng.uniform(*LAT)),
                        "lat_band": lat_band(lat),
                        "lon": rng.uniform(*LON),
                        "locale": "nl",
                        "skills": ", ".join(rng.sample(SKILLS, 2)),
                        "intro": "",
                        "available": True,
                        "travel_km": rng.choice((2.0, 5.0, 10.0, 25.0)),
                    }
                    for i in ids
                ],
            )
            connection.execute(insert(UserRole), [{"user_id": i, "role": "volunteer"} for i in ids])
            slots = [
                {"user_id": i, "weekday": day, "start_time": start, "end_time": end}
                for i in ids
                for day, start, end in week(rng)
            ]
            connection.execute(insert(VolunteerSlot), slots)
    engine.dispose()
    keep_statistics(url)


def measure(url: str, size: int, repeat: int) -> float:
    from alembic import command

    from voorelkaar import create_app
    from voorelkaar.db import alembic_config, get_session
    from voorelkaar.matches.services import suggest_volunteers
    from voorelkaar.models import HelpRequest

    command.upgrade(alembic_config(url), "head")
    fill(url, size, random.Random(size))  # noqa: S311 - synthetic data
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40})
    with app.app_context():
        db = get_session()
        # Requests in Meppel and in a few other places, the same places at every size.
        where = random.Random(7)  # noqa: S311 - synthetic data
        places = [(52.69, 6.19)] + [
            (where.uniform(51.5, 53.0), where.uniform(4.5, 6.8)) for _ in range(4)
        ]
        requests = [
            HelpRequest(
                author_id=1,
                category_id=1,
                title="t",
                description="d",
                skills="boodschappen",
                postcode="7941 AB",
                house_number="1",
                pc4="7941",
                lat=lat,
                lon=lon,
                # A Tuesday, 14:00-16:00 in the Netherlands.
                starts_at=datetime(2026, 12, 1, 13, tzinfo=UTC),
                ends_at=datetime(2026, 12, 1, 15, tzinfo=UTC),
            )
            for lat, lon in places
        ]
        db.add_all(requests)
        db.commit()
        times = []
        for _ in range(repeat):
            for request in requests:
                begin = time.perf_counter()
                suggest_volunteers(db, request)
                times.append(time.perf_counter() - begin)
                db.expire_all()
    app.extensions["voorelkaar.engine"].dispose()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", help="a PostgreSQL server URL where databases may be created")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    for backend in backends:
        medians = {}
        for size in args.sizes:
            with scratch_database(backend, args.pg) as url:
                medians[size] = measure(url, size, args.repeat)
            print(f"{backend:10} {size:>9,} volunteers: median {medians[size] * 1000:8.1f} ms")
        sizes = sorted(medians)
        for small, large in zip(sizes, sizes[1:], strict=False):
            print(
                f"{backend:10} growth {small:,} -> {large:,}: {medians[large] / medians[small]:.2f}x"
            )


if __name__ == "__main__":
    main()

"""Hulpvragen bij mij in de buurt: the page's service, timed in-process as requests grow.

A volunteer in Meppel (10 km reach, two skills, two afternoons a week) asks for the open
requests near them. About 2.5% of the requests are open, the rest matched, done,
expired or withdrawn, posted by 10,000 askers. Requests sit on PC4 centroids, as the
site stores them:

- `--spread meppel` (default, as issue 16 measured): on the areas within 15 km of
  Meppel, so nearly every open request is within the volunteer's reach;
- `--spread country`: on all 4,086 areas of the country, as bench/browse.py does.

Prints the median of `requests_near` (each `--repeat` times in a fresh session) per size
and the growth from the smallest size to each larger one. With `--old`, the old way
(every open request in the travel box read in full, rank() once per request) is timed
too, and both lists are compared.

    python -m bench.nearby --sizes 10000 100000 1000000 [--pg postgresql://postgres@127.0.0.1/postgres]
"""

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from bench.common import batches, keep_statistics, scratch_database

MEPPEL = (52.6958, 6.1944)
ASKERS = 10_000
VOLUNTEER_ID = ASKERS + 1
OPEN_SHARE = 0.025
CLOSED = ("matched", "done", "expired", "cancelled")
SKILLS = ("boodschappen", "wandelen", "auto rijden", "klussen", "tuinieren", "computer", "")


def areas_of(spread: str):
    from voorelkaar import geo
    from voorelkaar.geo.postcodes import lookup_pc4

    areas = [area for pc4 in range(1000, 10_000) if (area := lookup_pc4(str(pc4)))]
    if spread == "meppel":
        areas = [a for a in areas if geo.distance_km(*MEPPEL, a.lat, a.lon) <= 15]
    return areas


def fill(url: str, size: int, spread: str, rng: random.Random) -> None:
    from voorelkaar.geo import lat_band
    from voorelkaar.models import HelpRequest, User, UserRole, VolunteerSlot

    areas = areas_of(spread)
    now = datetime.now(UTC)
    engine = create_engine(url)
    person = {
        "name": "A",
        "password_hash": "x",
        "postcode": "7941 AB",
        "house_number": "1",
        "pc4": "7941",
        "lat": MEPPEL[0],
        "lat_band": lat_band(MEPPEL[0]),
        "lon": MEPPEL[1],
        "locale": "nl",
        "intro": "",
        "available": True,
    }
    with engine.begin() as connection:
        connection.execute(
            insert(User),
            [
                {**person, "id": i, "email": f"a{i}@bench.nl", "skills": "", "travel_km": 5.0}
                for i in range(1, ASKERS + 1)
            ]
            + [
                {
                    **person,
                    "id": VOLUNTEER_ID,
                    "email": "v@bench.nl",
                    "skills": "boodschappen, wandelen",
                    "travel_km": 10.0,
                }
            ],
        )
        connection.execute(insert(UserRole), [{"user_id": VOLUNTEER_ID, "role": "volunteer"}])
        connection.execute(
            insert(VolunteerSlot),
            [
                {
                    "user_id": VOLUNTEER_ID,
                    "weekday": day,
                    "start_time": clock(12),
                    "end_time": clock(18),
                }
                for day in (1, 3)
            ],
        )
        for ids in batches(size, 20_000):
            connection.execute(insert(HelpRequest), [request_row(i, rng, areas, now) for i in ids])
    engine.dispose()
    keep_statistics(url)


def request_row(i: int, rng: random.Random, areas, now: datetime) -> dict:
    from voorelkaar.i18n import AMSTERDAM

    area = rng.choice(areas)
    weekly = rng.random() < 0.3
    hour = rng.choice((9, 14))
    # Morning, afternoon or evening in Meppel, whatever the hour the bench runs at.
    day = now.astimezone(AMSTERDAM).date() + timedelta(days=1 + rng.randrange(28))
    start = datetime.combine(day, clock(rng.choice((9, 14, 19))), AMSTERDAM)
    return {
        "id": i,
        "author_id": rng.randint(1, ASKERS),
        "category_id": 1,
        "state": "open" if rng.random() < OPEN_SHARE else rng.choice(CLOSED),
        "title": "Hulp gevraagd",
        "description": "Graag hulp.",
        "skills": ", ".join(s for s in rng.sample(SKILLS, rng.choice((1, 2))) if s),
        "postcode": f"{area.pc4} AB",
        "house_number": "1",
        "pc4": area.pc4,
        "lat": area.lat,
        "lon": area.lon,
        "schedule": "weekly" if weekly else "once",
        "weekday": rng.randrange(7) if weekly else None,
        "start_time": clock(hour) if weekly else None,
        "end_time": clock(hour + rng.choice((1, 2))) if weekly else None,
        "until": (now + timedelta(days=90)).date() if weekly else None,
        "starts_at": None if weekly else start,
        "ends_at": None if weekly else start + timedelta(hours=rng.choice((1, 2, 3))),
        "requires_vog": rng.random() < 0.1,
        "created_at": now,
        "updated_at": now,
        "published_at": now - timedelta(minutes=rng.randrange(100_000)),
    }


def as_before(db, volunteer):
    """The old requests_near: every open request in the travel box in full, rank() for each."""
    from voorelkaar import geo
    from voorelkaar.help_requests.services import publicly_visible
    from voorelkaar.matches.services import _today, candidate_of, need_of
    from voorelkaar.matching import rank
    from voorelkaar.models import HelpRequest

    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(
        volunteer.lat, volunteer.lon, volunteer.travel_km
    )
    requests = db.scalars(
        publicly_visible().where(
            HelpRequest.author_id != volunteer.id,
            HelpRequest.lat.between(min_lat, max_lat),
            HelpRequest.lon.between(min_lon, max_lon),
        )
    ).all()
    me = candidate_of(volunteer, _today())
    found = []
    for request in requests:
        result = rank(need_of(request), [me], limit=1)
        if result:
            found.append((request.id, result[0]))
    found.sort(key=lambda pair: (-pair[1].score, pair[1].distance_km, pair[0]))
    return found[:50]


def timed(engine, find, repeat: int):
    """The median time of find(db, volunteer) in a fresh session, and what it found."""
    from voorelkaar.models import User

    times = []
    for _ in range(repeat):
        with Session(engine) as db:
            volunteer = db.get(User, VOLUNTEER_ID)  # loaded before, as the page's user is
            begin = time.perf_counter()
            found = find(db, volunteer)
            times.append(time.perf_counter() - begin)
    return statistics.median(times), found


def measure(url: str, size: int, spread: str, repeat: int, old: bool):
    from alembic import command

    from voorelkaar import create_app
    from voorelkaar.db import alembic_config
    from voorelkaar.volunteers.nearby import nearest_open, requests_near

    command.upgrade(alembic_config(url), "head")
    fill(url, size, spread, random.Random(size))  # noqa: S311 - synthetic data
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40})
    engine = app.extensions["voorelkaar.engine"]
    with app.app_context():
        new, found = timed(
            engine, lambda db, v: [(n.request.id, n.ranked) for n in requests_near(db, v)], repeat
        )
        _, rows = timed(engine, lambda db, v: nearest_open(db, v), 1)
        before = None
        if old:
            before, reference = timed(engine, as_before, max(1, repeat // 3))
            if found != reference:
                shared = len({i for i, _ in found} & {i for i, _ in reference})
                print(f"  note: {shared} of {len(found)} shown are the old list's", flush=True)
    engine.dispose()
    return new, before, len(rows), len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--spread", choices=("meppel", "country"), default="meppel")
    parser.add_argument("--old", action="store_true", help="time the old way too, and compare")
    parser.add_argument("--pg", help="a PostgreSQL server URL where databases may be created")
    parser.add_argument("--only-pg", action="store_true", help="skip SQLite")
    args = parser.parse_args()
    backends = ([] if args.only_pg else ["sqlite"]) + (["postgresql"] if args.pg else [])
    for backend in backends:
        first = None
        for size in args.sizes:
            begin = time.perf_counter()
            with scratch_database(backend, args.pg) as url:
                new, old, read, shown = measure(url, size, args.spread, args.repeat, args.old)
            first = first or new
            was = f"  old {old * 1000:8.1f} ms ({old / new:5.1f}x)" if old else ""
            print(
                f"{backend:10} {size:>9,} requests ({args.spread}): read {read:4} "
                f"shown {shown:2}  new {new * 1000:7.1f} ms{was}  "
                f"growth {new / first:4.2f}x  (run {time.perf_counter() - begin:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()

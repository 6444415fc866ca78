"""Browsing open help requests: one page, paged in SQL, against reading them all as before.

Requests sit on the real PC4 centroids (all 4,086 areas) all over the country, posted by
half as many askers; the viewer is in Meppel. Page 3 of three kinds of list is timed, each
`--repeat` times in a fresh session:

- nieuwste: no place known, newest first;
- dichtbij: nearest first, no limit (every request is ordered by distance);
- binnen 10 km: nearest first within 10 km.

The old approach is written out here as the reference (without the category, wijk and
text filters, which the benchmark does not use): read every matching request, work out
distances in Python, sort, slice. Both must give the same page, which is checked at
every size.

    python -m bench.browse --sizes 10000 100000 [--pg postgresql://postgres@127.0.0.1/postgres]
"""

import argparse
import random
import statistics
import time
from datetime import timedelta

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from bench.common import batches, keep_statistics, scratch_database

MEPPEL = (52.6958, 6.1944)
PAGE = 3


def kinds_of_page():
    from voorelkaar.posts import Filters

    near = {"near_lat": MEPPEL[0], "near_lon": MEPPEL[1]}
    return {
        "nieuwste": Filters(),
        "dichtbij": Filters(**near),
        "binnen 10 km": Filters(**near, within_km=10),
    }


def fill(url: str, size: int, rng: random.Random) -> None:
    from voorelkaar.db import utcnow
    from voorelkaar.geo import lat_band
    from voorelkaar.geo.postcodes import lookup_pc4
    from voorelkaar.models import HelpRequest, User

    areas = [area for pc4 in range(1000, 10_000) if (area := lookup_pc4(str(pc4)))]
    now = utcnow()
    authors = size // 2  # most askers have one or two open requests
    engine = create_engine(url)
    with engine.begin() as connection:
        for ids in batches(authors, 20_000):
            connection.execute(
                insert(User),
                [
                    {
                        "id": i,
                        "email": f"a{i}@bench.nl",
                        "name": "A",
                        "password_hash": "x",
                        "postcode": "7941 AB",
                        "house_number": "1",
                        "pc4": "7941",
                        "lat": MEPPEL[0],
                        "lat_band": lat_band(MEPPEL[0]),
                        "lon": MEPPEL[1],
                        "locale": "nl",
                        "skills": "",
                        "intro": "",
                        "available": True,
                        "travel_km": 5.0,
                    }
                    for i in ids
                ],
            )
        for ids in batches(size, 20_000):
            rows = []
            for i in ids:
                area = rng.choice(areas)
                rows.append(
                    {
                        "id": i,
                        "author_id": rng.randint(1, authors),
                        "category_id": 1,
                        "state": "open",
                        "title": "Hulp gevraagd",
                        "description": "Graag hulp.",
                        "skills": "boodschappen",
                        "postcode": f"{area.pc4} AB",
                        "house_number": "1",
                        "pc4": area.pc4,
                        "lat": area.lat,
                        "lon": area.lon,
                        "created_at": now,
                        "updated_at": now,
                        "published_at": now - timedelta(minutes=rng.randrange(100_000)),
                    }
                )
            connection.execute(insert(HelpRequest), rows)
    engine.dispose()
    keep_statistics(url)


def browse_as_before(db, query, filters, page):
    """The old browse_posts: every matching post read, then distance, sort and slice in Python."""
    from voorelkaar import geo
    from voorelkaar.posts import PAGE_SIZE, Listed, Page

    model = query.column_descriptions[0]["entity"]
    near = filters.near_lat is not None and filters.near_lon is not None
    if near and filters.within_km:
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(
            filters.near_lat, filters.near_lon, filters.within_km
        )
        query = query.where(model.lat.between(min_lat, max_lat))
        query = query.where(model.lon.between(min_lon, max_lon))
    rows = db.scalars(query.order_by(model.published_at.desc(), model.id.desc())).all()
    listed = [
        Listed(
            post,
            geo.distance_km(filters.near_lat, filters.near_lon, post.lat, post.lon)
            if near
            else None,
        )
        for post in rows
    ]
    if near:
        if filters.within_km:
            listed = [item for item in listed if item.distance_km <= filters.within_km]
        listed.sort(key=lambda item: (round(item.distance_km, 1), -item.post.id))
    start = (page - 1) * PAGE_SIZE
    return Page(listed[start : start + PAGE_SIZE], page, len(listed))


def timed(engine, browse, filters, repeat):
    """The median time of browse(db, filters) in a fresh session, and its last page."""
    times = []
    for _ in range(repeat):
        with Session(engine) as db:
            begin = time.perf_counter()
            page = browse(db, filters)
            times.append(time.perf_counter() - begin)
            shown = ([(item.post.id, item.distance_km) for item in page.items], page.total)
    return statistics.median(times), shown


def measure(url: str, size: int, repeat: int) -> dict[str, tuple[float, float]]:
    from alembic import command

    from voorelkaar import create_app
    from voorelkaar.db import alembic_config
    from voorelkaar.help_requests.services import publicly_visible
    from voorelkaar.posts import browse_posts

    command.upgrade(alembic_config(url), "head")
    fill(url, size, random.Random(size))  # noqa: S311 - synthetic data
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40})
    engine = app.extensions["voorelkaar.engine"]
    medians = {}
    with app.app_context():
        for kind, filters in kinds_of_page().items():
            old, before = timed(
                engine,
                lambda db, f: browse_as_before(db, publicly_visible(), f, PAGE),
                filters,
                repeat,
            )
            new, after = timed(
                engine, lambda db, f: browse_posts(db, publicly_visible(), f, PAGE), filters, repeat
            )
            if before != after:
                raise SystemExit(f"{kind}: the pages differ at {size:,} requests")
            medians[kind] = (old, new)
    engine.dispose()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg", help="a PostgreSQL server URL where databases may be created")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    for backend in backends:
        for size in args.sizes:
            with scratch_database(backend, args.pg) as url:
                medians = measure(url, size, args.repeat)
            for kind, (old, new) in medians.items():
                print(
                    f"{backend:10} {size:>9,} requests  {kind:13} page {PAGE}: "
                    f"old {old * 1000:8.1f} ms  new {new * 1000:7.1f} ms  {old / new:6.1f}x faster"
                )


if __name__ == "__main__":
    main()

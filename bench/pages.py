"""The site's heavy pages measured from outside, under gunicorn, against two reference pages.

One run: a scratch database gets the Meppel demo (`flask --app wsgi seed-demo`) plus
generated people (--users, half of them volunteers) and help requests (--size, about 2.5%
open, the rest matched, done, expired or cancelled over two years; a third of them near
Meppel, the rest all over the country), with a staff task per open request older than a
week and closed tasks besides. Then two gunicorns start with the same settings
(gunicorn.conf.py, WEB_CONCURRENCY=2, production configuration): the site, and
bench/reference_app.py with `/hello` (bare Flask) and the "ORM page" (one row by primary
key through the ORM, rendered with Jinja).

The volunteer and the coordinator of the demo log in over HTTP, as a browser does (the
coordinator with the demo's second factor); their session cookies go with every request
of their pages. Each page gets --requests requests from --clients threads, each thread
with its own keep-alive connection (http.client; gunicorn's sync workers close after
each response, so the thread reconnects), in --rounds rounds over all pages; the best
round of each page counts. Printed: req/s, p50, p99 and the throughput as a share of
the ORM page's; non-200 answers are counted.

    python -m bench.pages --pg postgresql://postgres@127.0.0.1/postgres [--size 20000]
    python -m bench.pages --size 10000            # SQLite
"""

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, func, insert, select

from bench.common import batches, keep_statistics, scratch_database

ROOT = Path(__file__).resolve().parents[1]
NEAR_MEPPEL = ("77", "79", "80", "83", "84")  # PC4 regions within some 40 km of Meppel
CLOSED_STATES = ("matched", "done", "expired", "cancelled")
BATCH = 10_000
SECRET_KEY = "bench-" + "p" * 40


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    who: str | None  # "volunteer", "coordinator" or None (anonymous)
    server: str = "site"  # or "reference"


# ---------------------------------------------------------------------------------------
# Data


def prepare(url: str, users: int, size: int, rng: random.Random) -> None:
    """Migrate, load the demo, add generated people, requests, matches and tasks."""
    from alembic import command

    from voorelkaar.db import alembic_config

    command.upgrade(alembic_config(url), "head")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "PYTHONPATH": str(ROOT)}
    subprocess.run(  # noqa: S603 - the site's own CLI
        [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    fill(url, users, size, rng)
    # What the scheduler's "cijfers" job keeps in production: /cijfers reads only these.
    subprocess.run(  # noqa: S603 - the site's own CLI
        [sys.executable, "-m", "flask", "--app", "wsgi", "figures", "rebuild"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    keep_statistics(url)


def _places(connection):
    """PC4 areas (near Meppel and all), and for a PC4 its (wijk, municipality) if any."""
    from voorelkaar.geo.postcodes import lookup_pc4
    from voorelkaar.models import Municipality, Neighbourhood, NeighbourhoodArea

    areas = [area for pc4 in range(1000, 10_000) if (area := lookup_pc4(str(pc4)))]
    near = [area for area in areas if area.pc4[:2] in NEAR_MEPPEL]
    rows = connection.execute(
        select(NeighbourhoodArea.pc4, Neighbourhood.id, Neighbourhood.municipality_id)
        .join(Neighbourhood, Neighbourhood.id == NeighbourhoodArea.neighbourhood_id)
        .where(NeighbourhoodArea.pc6_from.is_(None))
    ).all()
    wijken = {pc4: (wijk, town) for pc4, wijk, town in rows}
    meppel = connection.scalar(select(Municipality.id).where(Municipality.slug == "meppel"))
    return areas, near, wijken, meppel


def fill(url: str, users: int, size: int, rng: random.Random) -> None:
    from voorelkaar.geo import lat_band
    from voorelkaar.models import Category, HelpRequest, Match, StaffTask, User, UserRole

    now = datetime.now(UTC)
    engine = create_engine(url)
    with engine.begin() as connection:
        areas, near, wijken, meppel = _places(connection)
        user_base = connection.scalar(select(func.max(User.id)))
        request_base = connection.scalar(select(func.max(HelpRequest.id))) or 0
        categories = list(connection.scalars(select(Category.id)))

        def place():
            area = rng.choice(near if rng.random() < 1 / 3 else areas)
            wijk, town = wijken.get(area.pc4, (None, meppel))
            return area, wijk, town

        people = {}
        for ids in batches(users, BATCH):
            rows = []
            for i in ids:
                area, wijk, town = place()
                people[user_base + i] = town
                rows.append(
                    {
                        "id": user_base + i,
                        "email": f"u{i}@bench.voorelkaar.nl",
                        "name": f"Bewoner {i}",
                        "password_hash": "x",
                        "postcode": f"{area.pc4} AB",
                        "house_number": str(i % 90 + 1),
                        "pc4": area.pc4,
                        "lat": area.lat,
                        "lon": area.lon,
                        "lat_band": lat_band(area.lat),
                        "neighbourhood_id": wijk,
                        "municipality_id": town,
                        "locale": "nl",
                        "skills": rng.choice(("boodschappen", "wandelen", "klussen", "")),
                        "intro": "",
                        "available": True,
                        "travel_km": rng.choice((3.0, 5.0, 10.0, 25.0)),
                        "created_at": now - timedelta(days=rng.randrange(800)),
                    }
                )
            connection.execute(insert(User), rows)
            connection.execute(
                insert(UserRole),
                [
                    {"user_id": row["id"], "role": "volunteer" if row["id"] % 2 else "resident"}
                    for row in rows
                ],
            )
        volunteers = [id_ for id_ in people if id_ % 2]
        for ids in batches(size, BATCH):
            requests, matches, tasks = [], [], []
            for i in ids:
                id_ = request_base + i
                area, wijk, town = place()
                is_open = rng.random() < 0.025
                published = now - timedelta(
                    minutes=rng.randrange(60 * 24 * (30 if is_open else 730))
                )
                starts = (
                    now + timedelta(hours=rng.randrange(24, 24 * 30))
                    if is_open
                    else published + timedelta(days=rng.randrange(1, 20))
                )
                state = "open" if is_open else rng.choice(CLOSED_STATES)
                requests.append(
                    {
                        "id": id_,
                        "author_id": user_base + rng.randint(1, users),
                        "category_id": rng.choice(categories),
                        "state": state,
                        "title": f"Hulp gevraagd {i}",
                        "description": "Graag hulp, een uurtje.",
                        "skills": rng.choice(("boodschappen", "wandelen", "klussen", "")),
                        "postcode": f"{area.pc4} AB",
                        "house_number": "1",
                        "pc4": area.pc4,
                        "lat": area.lat,
                        "lon": area.lon,
                        "neighbourhood_id": wijk,
                        "municipality_id": town,
                        "schedule": "once",
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=2),
                        "created_at": published,
                        "updated_at": published,
                        "published_at": published,
                    }
                )
                if state in ("matched", "done"):
                    confirmed = published + timedelta(hours=rng.randrange(1, 24 * 14))
                    matches.append(
                        {
                            "request_id": id_,
                            "volunteer_id": rng.choice(volunteers),
                            "state": "confirmed" if state == "matched" else "done",
                            "created_at": confirmed - timedelta(hours=1),
                            "offered_at": confirmed - timedelta(hours=1),
                            "confirmed_at": confirmed,
                        }
                    )
                if (is_open and published < now - timedelta(days=7)) or rng.random() < 0.02:
                    tasks.append(
                        {
                            "key": f"bench:{id_}",
                            "kind": "request_unmatched",
                            "request_id": id_,
                            "municipality_id": town,
                            "detail": "",
                            "created_at": published + timedelta(days=7),
                            "closed_at": None if is_open else published + timedelta(days=9),
                            "closed_reason": None if is_open else "Vanzelf gesloten.",
                        }
                    )
            connection.execute(insert(HelpRequest), requests)
            if matches:
                connection.execute(insert(Match), matches)
            if tasks:
                connection.execute(insert(StaffTask), tasks)
    engine.dispose()


def request_with_suggestions(url: str) -> int:
    """An open demo request in Meppel: the coordinator sees suggested volunteers on it."""
    from voorelkaar.models import HelpRequest, User

    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.scalar(
            select(HelpRequest.id)
            .join(User, User.id == HelpRequest.author_id)
            .where(HelpRequest.state == "open", User.email.like("%@demo.voorelkaar.nl"))
            .order_by(HelpRequest.id)
            .limit(1)
        )
    engine.dispose()
    return found


# ---------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(app: str, url: str, folder: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn -c gunicorn.conf.py app with 2 sync workers on a free port, production-like."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "VOORELKAAR_ENV": "production",
        "MAIL_URL": f"file://{folder / 'mail'}",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(folder / f"{app.split(':')[0]}-access.log"),
        "GUNICORN_ERROR_LOG": str(folder / f"{app.split(':')[0]}-error.log"),
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, our own arguments
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn {app} stopped while starting; see {folder}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn {app} did not start within a minute")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


# ---------------------------------------------------------------------------------------
# A browser, just enough to log in


class Browser:
    """Cookies (name=value, attributes ignored: the site marks them Secure) and redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None):
        for _ in range(10):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            headers = {"Cookie": self.cookie_header()} if self.cookies else {}
            body = None
            if form is not None:
                body = urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            connection.close()
            if response.status not in (301, 302, 303):
                return response.status, path, text
            path = urlsplit(response.getheader("Location")).path or "/"
            method, form = "GET", None
        raise SystemExit("too many redirects while logging in")

    def post_form(self, path: str, fields: dict):
        """GET path, then POST its form with the CSRF token it carries, plus fields."""
        _status, _path, page = self.request("GET", path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        return self.request("POST", path, {"csrf_token": token.group(1), **fields})


def log_in(port: int, email: str) -> str:
    """Log a demo account in over HTTP; returns its Cookie header."""
    import pyotp

    from voorelkaar.demo.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET

    browser = Browser(port)
    status, where, _page = browser.post_form("/login", {"email": email, "password": DEMO_PASSWORD})
    if where == "/login/code":
        status, where, _page = browser.post_form(
            "/login/code", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()}
        )
    if status != 200 or where.startswith("/login"):
        raise SystemExit(f"could not log in as {email} (ended on {where}, {status})")
    return browser.cookie_header()


# ---------------------------------------------------------------------------------------
# Load


@dataclass(frozen=True)
class Result:
    per_second: float
    p50_ms: float
    p99_ms: float
    failed: int


def load(port: int, path: str, cookie: str | None, total: int, clients: int) -> Result:
    """total GETs of path from clients threads, each with its own connection."""
    headers = {"Cookie": cookie} if cookie else {}
    times: list[float] = []
    failed = [0]
    lock = threading.Lock()
    share = [total // clients + (1 if n < total % clients else 0) for n in range(clients)]

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], 0
        for _ in range(count):
            begin = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - begin)
            bad += response.status != 200
            if response.will_close:
                connection.close()  # http.client opens a new one on the next request
        connection.close()
        with lock:
            times.extend(mine)
            failed[0] += bad

    for _ in range(min(10, total)):  # warm: imports, caches, connection pools
        client(1)
    times.clear()
    failed[0] = 0
    threads = [threading.Thread(target=client, args=(count,)) for count in share]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    times.sort()
    return Result(
        per_second=len(times) / elapsed,
        p50_ms=statistics.median(times) * 1000,
        p99_ms=times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
        failed=failed[0],
    )


def pages(request_id: int) -> list[Page]:
    return [
        Page("/hello (bare Flask)", "/hello", None, "reference"),
        Page("ORM page (1 row, Jinja)", f"/orm/{request_id}", None, "reference"),
        Page("home (anonymous)", "/", None),
        Page("/hulpvragen nearest first (volunteer)", "/hulpvragen", "volunteer"),
        Page("/bij-mij-in-de-buurt (volunteer)", "/bij-mij-in-de-buurt", "volunteer"),
        Page(
            "request page + suggestions (coordinator)", f"/hulpvragen/{request_id}", "coordinator"
        ),
        Page("/taken (coordinator)", "/taken", "coordinator"),
        Page("/cijfers (coordinator)", "/cijfers", "coordinator"),
    ]


def run(url: str, args) -> None:
    rng = random.Random(args.size)  # noqa: S311 - synthetic data
    begin = time.perf_counter()
    prepare(url, args.users, args.size, rng)
    print(f"# data ready in {time.perf_counter() - begin:.0f} s", flush=True)
    request_id = request_with_suggestions(url)
    with tempfile.TemporaryDirectory() as folder:
        site, site_port = start_gunicorn("wsgi:app", url, Path(folder))
        reference, reference_port = start_gunicorn("bench.reference_app:app", url, Path(folder))
        try:
            cookies = {
                "volunteer": log_in(site_port, "vrijwilliger@demo.voorelkaar.nl"),
                "coordinator": log_in(site_port, "coordinator@demo.voorelkaar.nl"),
            }
            results: dict[str, Result] = {}
            # Rounds over all pages, each page's best round kept: on a shared machine a
            # burst of someone else's work then lowers one round, not one page's figure.
            for _round in range(args.rounds):
                for page in pages(request_id):
                    port = reference_port if page.server == "reference" else site_port
                    cookie = cookies.get(page.who) if page.who else None
                    result = load(port, page.path, cookie, args.requests, args.clients)
                    best = results.get(page.label)
                    if best is None or result.per_second > best.per_second:
                        results[page.label] = result
        finally:
            stop(site)
            stop(reference)
    report(url, args, results)


def report(url: str, args, results: dict[str, Result]) -> None:
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    orm = results["ORM page (1 row, Jinja)"].per_second
    print(
        f"\n{backend}, {args.size:,} requests, {args.users:,} generated people + demo; "
        f"gunicorn 2 sync workers; {args.requests} requests per page from {args.clients} clients, "
        f"best of {args.rounds} rounds\n"
    )
    print("| page | req/s | p50 ms | p99 ms | ÷ ORM page | non-200 |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, result in results.items():
        print(
            f"| {label} | {result.per_second:,.0f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} "
            f"| {result.per_second / orm:.2f} | {result.failed} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=int, default=20_000, help="help requests (10000, 100000, 1000000)"
    )
    parser.add_argument("--users", type=int, default=10_000, help="generated people")
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all pages; best kept")
    parser.add_argument("--pg", help="a PostgreSQL server URL where databases may be created")
    args = parser.parse_args()
    backend = "postgresql" if args.pg else "sqlite"
    with scratch_database(backend, args.pg) as url:
        run(url, args)


if __name__ == "__main__":
    main()

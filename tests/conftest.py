"""Fixtures shared by the integration and end-to-end tests.

The suite runs on SQLite by default. With VOORELKAAR_TEST_BACKEND=postgres it
runs on a fresh database created on the server of TEST_DATABASE_URL.
"""

import logging
import os
import re
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from voorelkaar import create_app
from voorelkaar.db import Base, alembic_config
from voorelkaar.models import Role

ON_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "een lange zin als wachtwoord"
# The app secret of every test user with a second factor (all back-office ones, unless a
# test says otherwise): tests compute the code a phone would show.
TOTP_SECRET = "JBSWY3DPEHPK3PXPVOORELKAARTESTQQ"


class LogScan(logging.Handler):
    """Every log line of the whole run, as the site's log handlers would write it."""

    # What no log line may hold: addresses, postcodes, passwords, secret links, notes.
    FORBIDDEN = (
        ("an email address", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")),
        ("a postcode", re.compile(r"\b[1-9]\d{3} ?[A-Z]{2}\b")),
        ("a password", re.compile(re.escape(PASSWORD) + "|wachtwoord=|password=")),
        (
            "a secret link",
            re.compile(
                r"/(wachtwoord-herstellen|antwoord|uitnodiging|afmelden|verwijzing|bevestigen)"
                r"/(?!\[verborgen\])[^\s/?\"]+"
            ),
        ),
        ("a query string", re.compile(r"\?(?!\[verborgen\])[\w-]+=")),
        ("a note", re.compile(r"dementie|Notitie over", re.IGNORECASE)),
    )

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.found: list[str] = []
        self.lines = 0

    # The test's own SMTP server (aiosmtpd) stands for the mail provider, outside the site.
    OUTSIDE = ("mail.log",)

    def emit(self, record: logging.LogRecord) -> None:
        if record.name in self.OUTSIDE:
            return
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - a bad record is not this check's business
            return
        self.lines += 1
        for what, pattern in self.FORBIDDEN:
            if pattern.search(line):
                self.found.append(f"{what}: {record.name}: {line[:300]}")


@pytest.fixture(autouse=True, scope="session")
def log_scan():
    """No token, password, email address, postcode or note in any log line of the run.

    The handler sits on the root logger before any app is made, so the app's one
    redaction filter (voorelkaar.security.install_redaction) is put on it as on any
    handler in production; what passes that filter is what a log system would get.
    """
    scan = LogScan()
    root = logging.getLogger()
    level = root.level
    root.addHandler(scan)
    root.setLevel(logging.INFO)
    yield scan
    root.removeHandler(scan)
    root.setLevel(level)
    assert not scan.found, "personal data or secrets in the log:\n" + "\n".join(
        sorted(set(scan.found))[:30]
    )


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Argon2 with small parameters: the suite hashes hundreds of passwords.

    Production keeps argon2-cffi's defaults; tests/unit/test_passwords.py checks those.
    """
    from argon2 import PasswordHasher

    from voorelkaar.auth import passwords

    strong = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = strong


def missing(reason: str):
    """Skip for a missing service locally, but fail on CI, where it must be there."""
    if ON_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


def postgres_server_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def backend() -> str:
    return os.environ.get("VOORELKAAR_TEST_BACKEND", "sqlite")


class PostgresDatabases:
    """Creates throw-away databases on the PostgreSQL server of TEST_DATABASE_URL."""

    def __init__(self, server_url: str):
        self.server_url = make_url(server_url)
        self.admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []

    def create(self) -> str:
        name = f"voorelkaar_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres():
    """A factory of empty PostgreSQL databases (needs TEST_DATABASE_URL)."""
    url = postgres_server_url()
    if not url:
        missing("TEST_DATABASE_URL is not set: no PostgreSQL server to test against")
    databases = PostgresDatabases(url)
    try:
        with databases.admin.connect():
            pass
    except Exception as error:  # noqa: BLE001
        missing(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {error}")
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, request):
    """One migrated database for the whole run, on the chosen backend."""
    if backend() == "postgres":
        url = request.getfixturevalue("postgres").create()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    from alembic import command

    command.upgrade(alembic_config(url), "head")
    return url


# Filled by the migrations themselves; tests must leave them as they are.
REFERENCE_TABLES = {"categories"}


def _empty_all_tables(url: str) -> None:
    engine = create_engine(url)
    tables = [t for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            # The audit table refuses TRUNCATE (append-only); replica mode skips its trigger.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def app_config(database_url, tmp_path):
    """Settings for a test app; tests may change them before `app` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-" + "x" * 40,
        "DATABASE_URL": database_url,
        "MAIL_URL": f"file://{tmp_path / 'mail'}",
        "BASE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    app.extensions["voorelkaar.engine"].dispose()
    _empty_all_tables(app_config["DATABASE_URL"])


@pytest.fixture
def live_server(app_config):
    """The app served over real HTTP on a free port on 127.0.0.1."""
    app = create_app(app_config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["voorelkaar.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A database session of the test's own, outside any request.

    No app context stays pushed: requests made by the test client must get a
    fresh `g` (and CSRF token, and session) each, as in a real browser.
    """
    from sqlalchemy.orm import Session

    with Session(app.extensions["voorelkaar.engine"]) as session:
        yield session


@pytest.fixture
def in_app(app):
    """Run a block inside an app context: `with in_app(): ...`."""
    return app.app_context


@pytest.fixture
def meppel(db):
    """The municipality of Meppel with its demo wijken."""
    from voorelkaar.demo.seed import _seed_places

    _seed_places(db)
    db.commit()
    from sqlalchemy import select

    from voorelkaar.models import Municipality

    return db.scalar(select(Municipality).where(Municipality.slug == "meppel"))


@pytest.fixture
def westerveld(meppel, db):
    """The second municipality (Havelte 7971, Dwingeloo 7991), seeded with Meppel."""
    from sqlalchemy import select

    from voorelkaar.models import Municipality

    return db.scalar(select(Municipality).where(Municipality.slug == "westerveld"))


def fresh_code(app, email: str) -> str:
    """The code a phone would show now for email's account (its secret read back).

    A code is accepted once, and tests log in more often than once per 30 seconds: the step
    last used is forgotten first. (Tests of that refusal compute codes themselves.)
    """
    import pyotp
    from sqlalchemy import func, select, update
    from sqlalchemy.orm import Session

    from voorelkaar.models import User
    from voorelkaar.second_factor.services import secret_of

    with Session(app.extensions["voorelkaar.engine"]) as db, app.app_context():
        db.execute(
            update(User).where(func.lower(User.email) == email.lower()).values(totp_last_step=None)
        )
        db.commit()
        secret = secret_of(db.scalar(select(User).where(func.lower(User.email) == email.lower())))
    return pyotp.TOTP(secret).now()


@pytest.fixture
def make_user(app, db, meppel):
    """Create a user with roles; returns the User (password: PASSWORD).

    Back-office users (staff, consultants, admins) have the second factor on, with app
    secret TOTP_SECRET, as they must; second_factor=False makes one who has yet to set it
    up, second_factor=True gives it to anyone.
    """
    from voorelkaar.auth.access import in_back_office
    from voorelkaar.auth.services import NewAccount, register_user
    from voorelkaar.second_factor.services import enrol

    counter = iter(range(1, 10_000))

    def make(
        *roles: Role,
        email=None,
        name="Test Persoon",
        postcode="7941 AB",
        password=PASSWORD,
        second_factor=None,
    ):
        account = NewAccount(
            name=name,
            email=email or f"persoon{next(counter)}@example.nl",
            password=password,
            postcode=postcode,
            house_number="1",
            phone=None,
            roles=roles or (Role.RESIDENT,),
        )
        user = register_user(db, account)
        if second_factor if second_factor is not None else in_back_office(user):
            with app.app_context():
                enrol(user, TOTP_SECRET)
            db.commit()
        return user

    return make


@pytest.fixture
def make_request(db):
    """An open request at postcode, on the next weekday at 14:00-16:00."""
    from datetime import datetime, time, timedelta

    from tests.integration.test_help_requests import next_weekday
    from voorelkaar import geo
    from voorelkaar.i18n import AMSTERDAM
    from voorelkaar.models import HelpRequest
    from voorelkaar.moderation.services import publish_post

    def make(author, *, title, postcode, skills="", weekday=1, requires_vog=False):
        area = geo.locate(postcode)
        day = next_weekday(weekday)
        start = datetime.combine(day, time(14), AMSTERDAM)
        item = HelpRequest(
            author=author,
            category_id=1,
            title=title,
            description="Graag hulp.",
            skills=skills,
            postcode=postcode,
            house_number="1",
            pc4=area.pc4,
            lat=area.lat,
            lon=area.lon,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            requires_vog=requires_vog,
        )
        publish_post(item)
        db.add(item)
        db.commit()
        return item

    return make


@pytest.fixture
def resident(make_user):
    return make_user(Role.RESIDENT, email="inwoner@example.nl", name="Riek Jansen")


@pytest.fixture
def volunteer(make_user):
    return make_user(Role.VOLUNTEER, email="vrijwilliger@example.nl", name="Sanne de Vries")


@pytest.fixture
def carer(make_user):
    return make_user(Role.CARER, email="mantelzorger@example.nl", name="Henk Bakker")


@pytest.fixture
def staff(make_user):
    return make_user(Role.STAFF, email="coordinator@example.nl", name="Fatima El Amrani")


@pytest.fixture
def consultant(make_user):
    return make_user(Role.CONSULTANT, email="consulent@example.nl", name="Joost Mulder")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="beheer@example.nl", name="Beheer")


CSRF_FIELD = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


FORM_TOKEN_FIELD = re.compile(
    r'name="((?:[\w-]+-)?form_token)" type="hidden" value="([^"]+)"'
    r'|name="((?:[\w-]+-)?form_token)" value="([^"]+)"'
)


def form_token_from(html: str, action: str) -> dict:
    """The one-time token of the form on the page that posts to action, as {name: value}."""
    for form in html.split("<form")[1:]:
        start, _, rest = form.partition(">")
        target = re.search(r'action="([^"]*)"', start)
        if (target.group(1) if target else action) != action:
            continue
        found = FORM_TOKEN_FIELD.search(rest.split("</form>")[0])
        if found:
            return {found.group(1) or found.group(3): found.group(2) or found.group(4)}
    return {}


class Forms:
    """Submit forms as a browser does: fetch the page, take its CSRF and form token, post."""

    def __init__(self, client):
        self.client = client

    def post(self, url: str, data: dict, *, page: str | None = None, **kwargs):
        return self.client.post(url, data=self.fill(url, data, page=page), **kwargs)

    def fill(self, url: str, data: dict, *, page: str | None = None) -> dict:
        """What the browser would send: data, with the page's CSRF token and form token."""
        html = self.client.get(page or url).get_data(as_text=True)
        return {"csrf_token": csrf_token_from(html), **form_token_from(html, url), **data}


@pytest.fixture
def forms(client):
    return Forms(client)


class AuthActions:
    def __init__(self, forms: Forms):
        self.forms = forms

    def login(self, email: str, password: str = PASSWORD):
        """Log in; with the code from the test app when the account asks for one."""
        response = self.forms.post("/login", {"email": email, "password": password})
        if response.status_code == 302 and urlsplit(response.location).path == "/login/code":
            code = fresh_code(self.forms.client.application, email)
            response = self.forms.post("/login/code", {"code": code})
        return response

    def logout(self):
        """Log out from a page with a form: once the login has ended, the home page has none."""
        home = self.forms.client.get("/").get_data(as_text=True)
        return self.forms.post("/uitloggen", {}, page="/" if CSRF_FIELD.search(home) else "/login")


@pytest.fixture
def auth(forms):
    return AuthActions(forms)


@pytest.fixture
def outbox_dir(app_config) -> Path:
    return Path(app_config["MAIL_URL"].removeprefix("file://"))


class SMTPInbox:
    """Messages received by a real SMTP server (aiosmtpd) on 127.0.0.1."""

    def __init__(self):
        import threading

        self.messages = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        from email import message_from_bytes, policy

        with self._arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0):
        """Block until count messages have arrived; return them."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server; yields (inbox, MAIL_URL)."""
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server, app_config):
    """Point the app's mail at the test SMTP server; yields its inbox."""
    inbox, url = smtp_server
    app_config["MAIL_URL"] = url
    return inbox

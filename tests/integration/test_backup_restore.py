"""The backup and restore drill (issue 17, item 5), on PostgreSQL as in production.

`pg_dump` while the site serves under gunicorn; the dump restored into a new database;
the site and every scheduler job started on the restored copy. The smoke journey then
passes there, and no mail that was sent before the dump is sent again.
"""

import shutil
import subprocess
import threading
import urllib.request

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.conftest import AuthActions, Forms, backend
from tests.integration.test_help_requests import request_data
from tests.integration.test_production_server import start_gunicorn
from voorelkaar import create_app
from voorelkaar.db import alembic_config, get_session, utcnow
from voorelkaar.demo.seed import DEMO_PASSWORD
from voorelkaar.jobs.registry import run_due_jobs
from voorelkaar.models import HelpRequest, OutboxMessage, User
from voorelkaar.notify import dispatch_outbox, enqueue_email

pytestmark = pytest.mark.skipif(
    backend() != "postgres", reason="the drill is PostgreSQL's (pg_dump); run once, there"
)


def _libpq(url: str) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _site(url: str, mail_url: str):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-" + "b" * 40,
            "DATABASE_URL": url,
            "MAIL_URL": mail_url,
            "BASE_URL": "http://localhost",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def _visit_while(done: threading.Event, base: str, answers: list[int]) -> None:
    """A visitor who keeps reading public pages while the dump runs."""
    while not done.is_set():
        for path in ("/", "/hulpvragen", "/vacatures"):
            try:
                with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310 - our gunicorn on loopback
                    answers.append(response.status)
            except OSError:
                answers.append(0)


def test_a_dump_taken_while_serving_restores_into_a_site_that_works_and_sends_nothing_twice(
    postgres, smtp_server, tmp_path
):
    from alembic import command

    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    inbox, mail_url = smtp_server
    live = postgres.create()
    command.upgrade(alembic_config(live), "head")
    site = _site(live, mail_url)
    assert site.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0

    # Mail that went out before the backup: each is in the dump as sent.
    with site.app_context():
        db = get_session()
        for person in db.scalars(select(User).where(User.email.is_not(None)).limit(3)):
            enqueue_email(
                db,
                key=f"drill:{person.id}",
                user=person,
                template="report_handled",
                kind="moderation",
            )
        db.commit()
        dispatch_outbox(db, utcnow())
        sent_before = set(
            db.scalars(select(OutboxMessage.message_id).where(OutboxMessage.sent_at.is_not(None)))
        )
    assert sent_before
    received_before = len(inbox.wait_for(len(sent_before)))
    site.extensions["voorelkaar.engine"].dispose()

    # The dump, while gunicorn serves the live database and someone browses it.
    server, base, _log = start_gunicorn(live, tmp_path, workers=2)
    done, answers = threading.Event(), []
    visitor = threading.Thread(target=_visit_while, args=(done, base, answers))
    visitor.start()
    dump = tmp_path / "voorelkaar.dump"
    try:
        subprocess.run(
            ["pg_dump", "--format=custom", "--file", str(dump), _libpq(live)],
            check=True,
            capture_output=True,
        )
    finally:
        done.set()
        visitor.join(timeout=30)
        server.terminate()
        server.wait(timeout=30)
    assert answers and set(answers) == {200}, "the site served every page during the dump"

    # Restored into a new database, as README "Running in production" says.
    restored = postgres.create()
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq(restored), str(dump)],
        check=True,
        capture_output=True,
    )
    copy = _site(restored, mail_url)
    runner = copy.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # nothing to do: at head
    assert runner.invoke(args=["end-all-sessions"]).exit_code == 0

    # The scheduler on the copy: every job once, an hour later; nothing sent is sent again.
    with copy.app_context():
        run_due_jobs(get_session(), utcnow())
    resent = [m["Message-ID"] for m in inbox.messages[received_before:]]
    assert not set(resent) & sent_before

    # The smoke journey on the restored site: log in, browse, ask for help.
    client = copy.test_client()
    auth = AuthActions(Forms(client))
    assert auth.login("inwoner@demo.voorelkaar.nl", DEMO_PASSWORD).status_code == 302
    assert client.get("/hulpvragen").status_code == 200
    title = "Boodschappen na de terugzetoefening"
    posted = auth.forms.post("/hulpvragen/nieuw", request_data(title=title))
    assert posted.status_code == 302
    assert title in client.get(posted.location).get_data(as_text=True)
    with copy.app_context():
        assert get_session().scalar(select(HelpRequest).where(HelpRequest.title == title))
    copy.extensions["voorelkaar.engine"].dispose()

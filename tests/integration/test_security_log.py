"""The security log (NEN 7513): every login, logout, password step, refused page and
opened record leaves one row saying who, whose data, from where, when and how it ended;
the rows cannot be changed, and a changed row shows."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import PASSWORD
from voorelkaar import audit
from voorelkaar.account.services import delete_account
from voorelkaar.db import utcnow
from voorelkaar.models import AuditEvent, AuditNote, OutboxMessage, Role
from voorelkaar.security import RedactSecrets

NEW_PASSWORD = "Lange-Wandeling-Langs-De-Vaart-42"


def events(db, action=None):
    db.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.scalars(query).all()


def only(db, action):
    found = events(db, action)
    assert len(found) == 1, [(e.action, e.person_id) for e in events(db)]
    return found[0]


def test_a_login_that_works_and_one_that_fails_are_both_logged(auth, db, resident):
    assert auth.login("inwoner@example.nl", "verkeerd wachtwoord").status_code == 422
    failed = only(db, audit.LOGIN_FAILED)
    assert (failed.actor_id, failed.person_id, failed.result) == (None, resident.id, "failed")
    assert failed.origin == "127.0.0.1"

    assert auth.login("inwoner@example.nl").status_code == 302
    ok = only(db, audit.LOGIN_OK)
    assert (ok.actor_id, ok.person_id, ok.result, ok.origin) == (
        resident.id,
        resident.id,
        "ok",
        "127.0.0.1",
    )
    assert ok.created_at.tzinfo is not None  # UTC, aware

    auth.logout()
    assert only(db, audit.LOGOUT).actor_id == resident.id


def test_what_a_request_writes_is_sealed_into_the_chain_at_once(auth, db, resident):
    auth.login("inwoner@example.nl")
    auth.logout()
    rows = events(db)
    assert [e.action for e in rows] == [audit.LOGIN_OK, audit.LOGOUT]
    assert [e.seal_no for e in rows] == [1, 2]
    assert rows[1].prev_hash == rows[0].row_hash
    assert audit.verify_chain(db) == audit.ChainCheck(checked=2, broken=[])


def test_a_failed_login_for_an_unknown_address_names_nobody_and_stores_no_address(auth, db):
    auth.login("niemand@example.nl", "wat dan ook")
    failed = only(db, audit.LOGIN_FAILED)
    assert failed.person_id is None and failed.actor_id is None
    stored = " ".join(str(v) for v in db.execute(select(AuditEvent.__table__)).one())
    assert "niemand" not in stored and "example.nl" not in stored


def test_a_blocked_account_and_a_guarded_login_are_logged_as_refused(
    auth, db, app, resident, staff
):
    from voorelkaar.moderation.services import block_user

    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 10 minutes"
    for _ in range(3):
        auth.login("inwoner@example.nl", "fout")
    guarded = only(db, audit.LOGIN_GUARDED)
    assert (guarded.person_id, guarded.result) == (resident.id, "refused")

    block_user(db, staff, resident, "Reclame.")
    db.commit()
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "50 per 10 minutes"
    auth.login("inwoner@example.nl")
    refused = [e for e in events(db, audit.LOGIN_FAILED) if e.result == "refused"]
    assert refused and refused[0].person_id == resident.id


def test_password_change_and_reset_are_logged(auth, forms, db, resident):
    auth.login("inwoner@example.nl")
    response = forms.post(
        "/wachtwoord-wijzigen",
        {
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    changed = only(db, audit.PASSWORD_CHANGED)
    assert (changed.actor_id, changed.person_id) == (resident.id, resident.id)
    auth.logout()

    forms.post("/wachtwoord-vergeten", {"email": "inwoner@example.nl"})
    assert only(db, audit.PASSWORD_RESET_ASKED).person_id == resident.id
    body = db.scalar(select(OutboxMessage.body_text).where(OutboxMessage.kind == "password_reset"))
    link = body.split("http://localhost", 1)[1].split()[0]
    response = forms.post(
        link,
        {
            "password": "Nog-Een-Heel-Ander-Wachtwoord-7",
            "password_repeat": "Nog-Een-Heel-Ander-Wachtwoord-7",
        },
    )
    assert response.status_code == 302
    assert only(db, audit.PASSWORD_RESET).person_id == resident.id


def test_a_refused_page_is_logged_with_who_asked_and_which_page(auth, client, db, volunteer):
    auth.login("vrijwilliger@example.nl")
    assert client.get("/beheer/gebruikers?q=x").status_code == 403
    denied = only(db, audit.ACCESS_DENIED)
    assert (denied.actor_id, denied.result) == (volunteer.id, "refused")
    assert denied.reason == "GET /beheer/gebruikers"  # the path, never the query


def test_opening_an_account_page_in_the_back_office_leaves_a_row(auth, client, db, staff, resident):
    auth.login("coordinator@example.nl")
    assert client.get(f"/beheer/gebruikers/{resident.id}").status_code == 200
    viewed = only(db, "users.viewed")
    assert (viewed.actor_id, viewed.person_id, viewed.subject_id) == (
        staff.id,
        resident.id,
        resident.id,
    )


def test_an_erased_staff_member_stays_in_the_log_by_number(
    auth, client, db, make_user, resident, in_app
):
    leaving = make_user(Role.STAFF, email="vertrekt@example.nl", name="Vera Vertrek")
    auth.login("vertrekt@example.nl")
    client.get(f"/beheer/gebruikers/{resident.id}")
    auth.logout()
    with in_app():
        delete_account(db, leaving, PASSWORD)
    viewed = only(db, "users.viewed")
    assert viewed.actor_id == leaving.id  # not blanked: the account's number is its pseudonym
    assert viewed.actor.name != "Vera Vertrek"
    assert audit.verify_chain(db).intact


def test_typed_reasons_live_beside_the_log_where_erasure_reaches_them(db, in_app, staff, resident):
    with in_app():
        event = audit.record(db, staff, "users.blocked", resident, "Riek Jansen stuurde reclame")
        db.commit()
    assert db.get(AuditNote, event.id).text == "Riek Jansen stuurde reclame"
    assert event.reason == "Riek Jansen stuurde reclame"


def test_the_chain_shows_a_changed_row(db, in_app, staff, resident, app):
    with in_app():
        for action in ("a.one", "a.two", "a.three"):
            audit.record(db, staff, action, resident)
        db.commit()
        assert audit.seal(db) == 3
        assert audit.verify_chain(db).intact
        second = events(db, "a.two")[0]
        _tamper(db, app, update(AuditEvent).where(AuditEvent.id == second.id).values(actor_id=999))
        assert audit.verify_chain(db).broken == [second.id]


def _tamper(db, app, statement):
    """Change a row as someone with the database's keys would: past the trigger."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL session_replication_role = replica"))
    db.execute(statement)
    db.commit()


def test_the_log_verification_command(runner, db, in_app, staff):
    with in_app():
        audit.record(db, staff, "a.one")
        db.commit()
        audit.seal(db)
    result = runner.invoke(args=["logboek", "controleren"])
    assert result.exit_code == 0 and "Logboek in orde: 1 regels" in result.output


def _an_old_row_and_a_new_one(db, app, in_app, staff, days: int) -> tuple[int, int]:
    """Two rows; the first made days ago (as a backup from then would hold it)."""
    with in_app():
        old = audit.record(db, staff, "a.old")
        new = audit.record(db, staff, "a.new")
        db.commit()
        old_id, new_id = old.id, new.id
    _tamper(
        db,
        app,
        update(AuditEvent)
        .where(AuditEvent.id == old_id)
        .values(created_at=utcnow() - timedelta(days=days)),
    )
    return old_id, new_id


def test_old_rows_go_after_the_retention_period(db, in_app, app, staff):
    app.config["SECURITY_LOG_RETENTION_DAYS"] = 200
    _old_id, new_id = _an_old_row_and_a_new_one(db, app, in_app, staff, 201)
    with in_app():
        assert audit.forget_old_events(db, utcnow()) == 1
    assert [e.id for e in events(db)] == [new_id]


def test_retention_is_never_shorter_than_the_floor(app, in_app):
    app.config["SECURITY_LOG_RETENTION_DAYS"] = 7
    with in_app():
        assert audit.retention_days() == audit.MINIMUM_RETENTION_DAYS


@pytest.fixture
def postgres_only(db):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; the PostgreSQL run of the suite tests it")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'iets anders'",
        "UPDATE audit_events SET action = 'iets anders' WHERE seal_no IS NULL",
        "UPDATE audit_events SET row_hash = 'ander', seal_no = 99 WHERE seal_no IS NOT NULL",
        "UPDATE audit_events SET seal_no = 7, row_hash = 'x', actor_id = 999 WHERE seal_no IS NULL",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events CASCADE",
    ],
)
def test_the_application_connection_cannot_change_or_remove_log_rows(
    postgres_only, app, in_app, db, staff, statement
):
    with in_app():
        audit.record(db, staff, "a.one", staff)
        db.commit()
        audit.seal(db)
        audit.record(db, staff, "a.one", staff)  # and one not sealed yet
        db.commit()
    engine = app.extensions["voorelkaar.engine"]  # the application's own connection
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    assert [e.action for e in events(db)] == ["a.one", "a.one"]


def test_the_trigger_lets_only_rows_past_the_floor_go(postgres_only, app, in_app, db, staff):
    days = audit.MINIMUM_RETENTION_DAYS + 1
    old_id, young_id = _an_old_row_and_a_new_one(db, app, in_app, staff, days)
    engine = app.extensions["voorelkaar.engine"]
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": old_id})
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": young_id})
    assert [e.id for e in events(db)] == [young_id]


def _log_line(msg, args):
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, msg, args, None)
    RedactSecrets().filter(record)
    return record.getMessage()


def test_every_log_line_loses_its_tokens_also_in_gunicorns_access_log():
    # Werkzeug's style: positional arguments.
    line = _log_line('"%s" %s', ("GET /wachtwoord-herstellen/eyJ1IjoxfQ.abc.def HTTP/1.1", 200))
    assert "eyJ1" not in line and "/wachtwoord-herstellen/[verborgen]" in line
    # Gunicorn's style: named atoms.
    atoms = {
        "r": "GET /verwijzing/ABCD2345/hulpvraag?x=1 HTTP/1.1",
        "s": "200",
        "U": "/antwoord/t0k3n",
    }
    line = _log_line("%(r)s %(s)s %(U)s", atoms)
    assert "ABCD2345" not in line and "t0k3n" not in line and "x=1" not in line


def test_the_root_handlers_redact_what_any_logger_writes(app, log_scan):
    root = logging.getLogger()
    assert log_scan in root.handlers  # the suite-wide scan sees every line of the run
    assert all(
        any(isinstance(f, RedactSecrets) for f in handler.filters) for handler in root.handlers
    )
    lines, found = log_scan.lines, len(log_scan.found)
    logging.getLogger("voorelkaar.elders").warning(
        "opened /wachtwoord-herstellen/eyJ1IjoxMiwicCI6ImFiYyJ9.geheim and /verwijzing/ABCD2345"
    )
    assert log_scan.lines == lines + 1 and len(log_scan.found) == found


def test_admins_read_the_security_log_and_staff_only_the_work_trail(
    auth, client, db, resident, staff, admin
):
    auth.login("inwoner@example.nl", "fout")
    auth.login("coordinator@example.nl")
    client.get(f"/beheer/gebruikers/{resident.id}")
    trail = client.get("/beheer/logboek").get_data(as_text=True)
    assert "login" not in trail and "users.viewed" not in trail
    assert client.get("/beheer/beveiligingslog").status_code == 403
    auth.logout()

    auth.login("beheer@example.nl")
    page = client.get("/beheer/beveiligingslog").get_data(as_text=True)
    assert "inloggen mislukt" in page and "accountgegevens bekeken" in page
    assert "pagina geweigerd" in page and "127.0.0.1" in page
    about_riek = client.get(
        "/beheer/beveiligingslog", query_string={"account": str(resident.id)}
    ).get_data(as_text=True)
    rows = about_riek.split("<tbody>")[1]
    assert "inloggen mislukt" in rows and "pagina geweigerd" not in rows
    odd = client.get("/beheer/beveiligingslog", query_string={"account": "9" * 40, "voor": "x"})
    assert odd.status_code == 200
    assert "Dit is geen accountnummer" in odd.get_data(as_text=True)
    only_logins = client.get(
        "/beheer/beveiligingslog", query_string={"soort": "login.ok"}
    ).get_data(as_text=True)
    assert "inloggen mislukt" not in only_logins.split("<tbody>")[1]


def test_a_traceback_loses_the_personal_data_its_exception_carried(app, log_scan):
    found = len(log_scan.found)
    try:
        raise ValueError("geen geldig adres: riek@example.nl, 7941 AB 12, 06 12345678")
    except ValueError:
        logging.getLogger("voorelkaar.elders").exception("het ging mis")
    assert len(log_scan.found) == found
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "x", (), None)
    try:
        raise ValueError("riek@example.nl")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactSecrets().filter(record)
    assert "riek@" not in record.exc_text and "[e-mailadres]" in record.exc_text

"""Migrations and demo data, on SQLite and on a real PostgreSQL server."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text

from tests.conftest import backend
from voorelkaar import create_app
from voorelkaar.db import Base, alembic_config, utcnow
from voorelkaar.models import Role, User


def _schema_drift(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, Base.metadata)
    engine.dispose()
    return drift


def test_the_migrations_build_exactly_the_models(database_url):
    assert _schema_drift(database_url) == []


def test_migrations_go_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"
    command.upgrade(alembic_config(url), "head")
    command.downgrade(alembic_config(url), "base")
    command.upgrade(alembic_config(url), "head")
    assert _schema_drift(url) == []


def _cli_app(url: str, tmp_path):
    return create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "s" * 40, "MAIL_URL": f"file://{tmp_path}"}
    )


def _upgrade_and_seed_twice(url: str, tmp_path):
    app = _cli_app(url, tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    app.extensions["voorelkaar.engine"].dispose()
    return first, second


def _count_users(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(User))
    engine.dispose()
    return count


def test_seed_demo_twice_on_sqlite_adds_nothing_the_second_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    first, second = _upgrade_and_seed_twice(url, tmp_path)
    assert first.exit_code == 0, first.output
    assert "inwoner@demo.voorelkaar.nl" in first.output
    assert "Demodata: 0 nieuwe rijen" in second.output
    assert _count_users(url) == 11 + 44  # Meppel 7 + 40, Westerveld 4 + 4


@pytest.mark.postgres
def test_upgrade_and_seed_demo_twice_on_an_empty_postgres_database(postgres, tmp_path):
    url = postgres.create()
    first, second = _upgrade_and_seed_twice(url, tmp_path)
    assert first.exit_code == 0, first.output
    assert "Demodata: 0 nieuwe rijen" in second.output, second.output
    assert _count_users(url) == 55  # 47 in Meppel, 8 in Westerveld
    assert _schema_drift(url) == []


def test_every_demo_account_logs_in_and_sees_a_home_page_for_its_role(tmp_path):
    from tests.conftest import AuthActions, Forms
    from voorelkaar.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    _upgrade_and_seed_twice(url, tmp_path)
    app = _cli_app(url, tmp_path)
    headings = {
        Role.RESIDENT: "Hulp vragen",
        Role.VOLUNTEER: "Helpen als vrijwilliger",
        Role.CARER: "Voor mantelzorgers",
        Role.ORGANISATION: "Voor organisaties",
        Role.STAFF: "Coördinatie",
        Role.CONSULTANT: "Voor Wmo-consulenten",
        Role.ADMIN: "Beheer",
    }
    for account in DEMO_ACCOUNTS:
        client = app.test_client()
        auth = AuthActions(Forms(client))
        assert auth.login(account.email, DEMO_PASSWORD).status_code == 302, account.email
        html = client.get("/").get_data(as_text=True)
        for role in account.roles:
            assert headings[role] in html, (account.email, role)
    app.extensions["voorelkaar.engine"].dispose()


@pytest.fixture
def empty_database(request, tmp_path):
    """An empty database on the backend of this run."""
    if backend() == "postgres":
        return request.getfixturevalue("postgres").create()
    return f"sqlite:///{tmp_path / 'empty.sqlite'}"


def test_migration_0013_drops_the_copied_notes_of_checkin_tasks_only(empty_database):
    url = empty_database
    command.upgrade(alembic_config(url), "0012")
    copied = 'Antwoord "zwaar" op de vraag van 1 mei 2026.\nDe mantelzorger schreef: geheim'
    engine = create_engine(url)
    with engine.begin() as connection:
        for key, kind, detail in (
            ("zwaar", "checkin_heavy", copied),
            ("stil", "checkin_silent", "Geen antwoord op de vraag van 1 mei 2026."),
            ("mail", "mail_failed", "Onderwerp\nmet een tweede regel"),
        ):
            connection.execute(
                text(
                    "INSERT INTO staff_tasks (key, kind, detail, created_at)"
                    " VALUES (:key, :kind, :detail, CURRENT_TIMESTAMP)"
                ),
                {"key": key, "kind": kind, "detail": detail},
            )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        details = dict(connection.execute(text("SELECT key, detail FROM staff_tasks")).all())
    engine.dispose()
    assert details == {
        "zwaar": 'Antwoord "zwaar" op de vraag van 1 mei 2026.',
        "stil": "Geen antwoord op de vraag van 1 mei 2026.",
        "mail": "Onderwerp\nmet een tweede regel",
    }


def _insert_user(connection, email: str) -> None:
    """A users row as the schema of the moment has it: every required column filled."""
    from sqlalchemy import Boolean, DateTime, Float, Integer, MetaData, Table

    users = Table("users", MetaData(), autoload_with=connection)
    filled = {Boolean: False, DateTime: utcnow(), Float: 52.7, Integer: 1}
    row = {
        column.name: next((v for t, v in filled.items() if isinstance(column.type, t)), "x")
        for column in users.columns
        if not column.nullable and not column.primary_key
    }
    connection.execute(users.insert().values(**{**row, "email": email}))


def test_migration_0022_confirms_who_had_an_account_and_going_back_locks_who_had_not(
    empty_database,
):
    url = empty_database
    command.upgrade(alembic_config(url), "0019")
    engine = create_engine(url)
    with engine.begin() as connection:
        _insert_user(connection, "al-lang@example.nl")
    command.upgrade(alembic_config(url), "head")
    with engine.begin() as connection:
        confirmed = connection.execute(
            text("SELECT email_confirmed_at, created_at FROM users")
        ).one()
        assert confirmed[0] is not None and confirmed[0] == confirmed[1]
        _insert_user(connection, "wacht@example.nl")  # email_confirmed_at stays empty
    command.downgrade(alembic_config(url), "0019")
    with engine.connect() as connection:
        hashes = dict(connection.execute(text("SELECT email, password_hash FROM users")).all())
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    assert hashes == {"al-lang@example.nl": "x", "wacht@example.nl": "!onbevestigd"}

"""The database: one engine per app, one session per app context, and the model Base."""

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import AppGroup
from sqlalchemy import DateTime, MetaData, create_engine, event, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from voorelkaar.config import database_url

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def claim(db: Session, model, row_id: int, *conditions, **values) -> bool:
    """Set values on one row if conditions still hold; return whether this session won it.

    One conditional UPDATE: when two processes race, PostgreSQL makes the second wait and
    re-checks its conditions, so exactly one of them sees its row change. On a lost claim
    the caller rolls back and moves on.
    """
    result = db.execute(
        update(model)
        .where(model.id == row_id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use an aware datetime in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        # SQLite forgets the zone; PostgreSQL keeps it.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for url, with SQLite made to enforce foreign keys."""
    # hide_parameters: logged SQL errors must not carry personal data.
    kwargs = {"echo": echo, "hide_parameters": True}
    if url.startswith("postgresql"):
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Write-ahead log: the site and the scheduler read while the other writes, and a
    # commit is one append instead of a rollback journal and two syncs (the dispatcher
    # commits once per email). With synchronous=NORMAL a crashed process loses nothing;
    # only a power cut may undo the last commits. In-memory databases keep their mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine() -> Engine:
    """The engine of the current app."""
    return current_app.extensions["voorelkaar.engine"]


def get_session() -> Session:
    """The session of the current app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["voorelkaar.sessionmaker"]()
    return g.db_session


def close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def database_is_up() -> bool:
    """Whether the database answers a trivial query."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not up"
        return False
    return True


def init_app(app: Flask) -> None:
    """Create the engine and session factory, and the `db` commands."""
    url = database_url(app.config, app.instance_path)
    app.config["SQLALCHEMY_URL"] = url
    engine = make_engine(url, echo=app.config.get("SQL_ECHO", False))
    app.extensions["voorelkaar.engine"] = engine
    app.extensions["voorelkaar.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)
    app.cli.add_command(db_command)


@click.group("db", cls=AppGroup)
def db_command():
    """Database migrations (Alembic)."""


def alembic_config(url: str):
    """An Alembic configuration for the repository's migrations/ and url."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def _alembic_config():
    return alembic_config(current_app.config["SQLALCHEMY_URL"])


@db_command.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision):
    """Bring the database schema up to REVISION (default: the newest)."""
    from alembic import command

    command.upgrade(_alembic_config(), revision)
    click.echo(f"Database bijgewerkt tot {revision}.")


@db_command.command("downgrade")
@click.argument("revision", default="-1")
def downgrade(revision):
    """Take the database schema back to REVISION (default: one step)."""
    from alembic import command

    command.downgrade(_alembic_config(), revision)


@db_command.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def revision(message, autogenerate):
    """Write a new migration, compared against the models by default."""
    from alembic import command

    command.revision(_alembic_config(), message=message, autogenerate=autogenerate)


@db_command.command("current")
def current():
    """Show the revision the database is at."""
    from alembic import command

    command.current(_alembic_config())

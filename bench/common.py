"""What the database benchmarks share: a scratch database per run, batches, statistics."""

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(backend: str, pg_server: str | None = None) -> Iterator[str]:
    """The URL of an empty database, dropped afterwards: a SQLite file in a temporary
    folder, or a new database on pg_server (a PostgreSQL URL where databases may be made)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        return
    url = make_url(pg_server.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def batches(total: int, size: int) -> Iterator[range]:
    """The ids 1..total in ranges of at most size."""
    for start in range(1, total + 1, size):
        yield range(start, min(start + size, total + 1))


def keep_statistics(url: str) -> None:
    """What autovacuum (off on some test servers) does in production after a bulk load:
    planner statistics, and on PostgreSQL the visibility map that index-only scans need."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    engine.dispose()

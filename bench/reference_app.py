"""The two reference pages bench/pages.py measures the site against, under the same gunicorn.

- `/hello`: bare Flask, no database, no template: what a request costs at all;
- `/orm/<id>`: one help request read by primary key with the SQLAlchemy ORM (a session per
  request, as the site has) and rendered with a small Jinja template: the "ORM page".

    DATABASE_URL=... gunicorn -c gunicorn.conf.py bench.reference_app:app
"""

import os

from flask import Flask, abort, g, render_template
from jinja2 import DictLoader
from sqlalchemy import String, Text, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROW_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{{ row.title }}</title></head>
<body><main><h1>{{ row.title }}</h1><p>{{ row.description }}</p></main></body></html>
"""


class Base(DeclarativeBase):
    pass


class Row(Base):
    """A help request as the reference page reads it: its own mapping, nothing of the site."""

    __tablename__ = "help_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)


def database_url() -> str:
    url = os.environ["DATABASE_URL"]
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


app = Flask(__name__)
app.jinja_loader = DictLoader({"row.html": ROW_PAGE})
engine = create_engine(database_url(), pool_pre_ping=True)


@app.teardown_request
def _close(_error=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@app.route("/hello")
def hello():
    """No database, no template."""
    return "Hello"


@app.route("/orm/<int:row_id>")
def orm(row_id):
    """One row by primary key, through the ORM, rendered with Jinja."""
    g.db = Session(engine)
    row = g.db.get(Row, row_id) or abort(404)
    return render_template("row.html", row=row)

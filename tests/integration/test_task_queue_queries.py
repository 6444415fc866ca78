"""The staff queue reads a fixed number of rows per page, whatever the queue holds,
and pages by cursor: every task once, also when one arrives between two pages."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import render_template_string
from sqlalchemy import event

from voorelkaar.db import utcnow
from voorelkaar.models import TaskKind
from voorelkaar.tasks import services
from voorelkaar.tasks.services import PAGE_SIZE


@pytest.fixture
def fill_queue(db, staff, make_user, make_request, resident):
    """Open n tasks of mixed kinds, one minute apart (a request, a person, one held)."""
    counter = iter(range(1, 100_000))
    request = make_request(resident, title="Boodschappen doen", postcode="7941 AB")

    def fill(n, *, start=None):
        start = start or utcnow() - timedelta(days=30)
        made = []
        for i in range(n):
            number = next(counter)
            fields = {"request": request} if i % 3 == 0 else {"person": resident}
            kind = TaskKind.REQUEST_UNMATCHED if i % 3 == 0 else TaskKind.MAIL_FAILED
            task = services.open_task(db, key=f"test:{number}", kind=kind, **fields)
            task.created_at = start + timedelta(minutes=i)
            if i % 4 == 0:
                task.claimed_by_id = staff.id
            made.append(task)
        db.commit()
        return [task.id for task in made]

    return fill


@contextmanager
def statements(app):
    """Count the SQL statements sent while the block runs."""
    engine = app.extensions["voorelkaar.engine"]
    sent = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def ids_on(html: str) -> list[int]:
    return [int(id_) for id_ in re.findall(r'href="/taken/(\d+)"', html)]


def next_link(html: str) -> str | None:
    found = re.search(r'href="([^"]+)" rel="next"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_a_page_of_the_queue_costs_the_same_statements_with_10_or_60_tasks(
    app, auth, client, fill_queue
):
    auth.login("coordinator@example.nl")
    fill_queue(10)
    client.get("/taken")  # warm: the first request of an app reads its settings once
    with statements(app) as small:
        html = client.get("/taken").get_data(as_text=True)
    assert len(ids_on(html)) == 10
    fill_queue(50)
    with statements(app) as large:
        html = client.get("/taken").get_data(as_text=True)
    assert len(ids_on(html)) == PAGE_SIZE
    assert len(large) == len(small), "\n\n".join(large)
    with statements(app) as second:
        html = client.get(next_link(html)).get_data(as_text=True)
    assert len(ids_on(html)) == 10
    assert len(second) == len(small)


def test_the_queue_page_reads_tasks_in_one_query_without_eager_loads(app, auth, client, fill_queue):
    auth.login("coordinator@example.nl")
    fill_queue(60)
    with statements(app) as sent:
        client.get("/taken?toon=open")
    about_tasks = [sql for sql in sent if "FROM staff_tasks" in sql]
    # One for the page, one for the counts: no query per row, no cascade of joins.
    assert len(about_tasks) == 2, "\n\n".join(about_tasks)
    page = next(sql for sql in about_tasks if "LIMIT" in sql)
    assert page.count("JOIN") <= 7


def test_paging_by_cursor_shows_every_task_once_also_when_one_arrives_meanwhile(
    auth, client, fill_queue
):
    auth.login("coordinator@example.nl")
    made = fill_queue(2 * PAGE_SIZE + 5)
    seen, url, pages = [], "/taken", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += ids_on(html)
        pages += 1
        if pages == 1:
            # A task older than all others arrives: page one would now end one earlier,
            # and an OFFSET would show the last task of page one again on page two.
            made += fill_queue(1, start=utcnow() - timedelta(days=60))
        url = next_link(html)
    assert pages == 3
    assert len(seen) == len(set(seen))
    assert set(made) - set(seen) == {made[-1]}  # only the newcomer, sorted before page 2


def test_the_previous_link_goes_back_to_the_same_tasks(auth, client, fill_queue):
    auth.login("coordinator@example.nl")
    fill_queue(PAGE_SIZE + 3)
    first = client.get("/taken?volgorde=nieuwste").get_data(as_text=True)
    assert "Pagina 1 van 2" in first and 'rel="prev"' not in first
    second = client.get(next_link(first)).get_data(as_text=True)
    assert "Pagina 2 van 2" in second and next_link(second) is None
    back = re.search(r'href="([^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    assert "volgorde=nieuwste" in back
    again = client.get(back).get_data(as_text=True)
    assert ids_on(again) == ids_on(first)
    assert "Pagina 1 van 2" in again


def test_a_cursor_that_makes_no_sense_shows_the_first_page(auth, client, fill_queue):
    auth.login("coordinator@example.nl")
    fill_queue(3)
    for cursor in ("raar", "2026-13-01~x", "~", "9999-01-01T00:00:00+00:00~1"):
        response = client.get("/taken", query_string={"na": cursor})
        assert response.status_code == 200
        assert len(ids_on(response.get_data(as_text=True))) == 3


def test_a_row_shows_who_holds_it_and_what_it_is_about(auth, client, fill_queue):
    auth.login("coordinator@example.nl")
    fill_queue(2)
    html = client.get("/taken").get_data(as_text=True)
    assert "Boodschappen doen" in html and "Riek Jansen" in html
    assert "Fatima El Amrani (u)" in html and "nog niemand" in html


def page_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="pager[^>]*>(.*?)</nav>', html, re.S).group(1)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize("number", [1, 2, 50, 99, 100])
def test_a_list_of_100_pages_links_a_handful_of_pages(app, number):
    page = type("Page", (), {"number": number, "pages": 100})
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "_pager.html" import pager %}{{ pager(page, "help_requests.browse", {}) }}',
            page=page,
        )
    links = page_links(html)
    assert len(links) <= 9
    assert 'aria-label="Paginering"' in html
    assert f'<a aria-current="page" href="/hulpvragen?pagina={number}">{number}</a>' in html
    numbers = [int(link) for link in links if link.isdigit()]
    assert len(numbers) == 5 and number in numbers
    assert ("Eerste" in links) == (number > 1) and ("Laatste" in links) == (number < 100)


def test_the_help_requests_pager_keeps_the_filters(app):
    page = type("Page", (), {"number": 3, "pages": 4})
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "_pager.html" import pager %}{{ pager(page, "help_requests.browse", args) }}',
            page=page,
            args={"q": "hond"},
        )
    assert "/hulpvragen?pagina=4&amp;q=hond" in html and page_links(html)[-1] == "Laatste"

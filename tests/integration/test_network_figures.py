"""The own network in the figures: help from the own network next to help from volunteers,
and the network check, from a known seed, with small numbers hidden."""

import csv
import io

import pytest
from sqlalchemy import select

from tests.integration.test_figures import FIRST, QUERY, SECOND, html_table, on
from voorelkaar.db import utcnow
from voorelkaar.figures import rollups
from voorelkaar.models import (
    HelpRequest,
    Match,
    MatchState,
    Neighbourhood,
    NetworkCheck,
    RequestState,
    Role,
)

WHY = "minder dan 5, niet getoond om mensen te beschermen"


@pytest.fixture
def seeded(db, meppel, make_user):
    """Centrum, first month: 6 requests helped by the own network, 2 by volunteers, 1 open.
    Haveltermade, second month: 1 helped by the own network. Checks: 6 firsts in the first
    month; in the second, 5 redone with fewer gaps and 1 with as many."""
    wijken = {n.name: n for n in db.scalars(select(Neighbourhood))}
    centrum, havelte = wijken["Centrum"], wijken["Haveltermade"]
    asker = make_user(Role.RESIDENT, email="vrager@example.nl")
    helper = make_user(Role.VOLUNTEER, email="helper@example.nl")

    def request(wijk, month, *, via_circle=None, asked_circle=True):
        item = HelpRequest(
            author_id=asker.id,
            category_id=1,
            title="Hulp",
            description="Graag hulp.",
            postcode="7941 AB",
            house_number="1",
            pc4="7941",
            lat=52.69,
            lon=6.19,
            neighbourhood_id=wijk.id,
            state=RequestState.MATCHED if via_circle is not None else RequestState.CIRCLE,
            asked_circle=asked_circle,
            created_at=on(month, 9),
        )
        db.add(item)
        db.flush()
        if via_circle is not None:
            db.add(
                Match(
                    request_id=item.id,
                    volunteer_id=helper.id,
                    state=MatchState.CONFIRMED,
                    via_circle=via_circle,
                    confirmed_at=on(month, 12),
                )
            )

    for _ in range(6):
        request(centrum, FIRST, via_circle=True)
    for _ in range(2):
        request(centrum, FIRST, via_circle=False, asked_circle=False)
    request(centrum, FIRST)  # still waiting in the circle: not helped (yet)
    request(havelte, SECOND, via_circle=True)

    people = [make_user(Role.RESIDENT, email=f"check{i}@example.nl") for i in range(6)]
    for index, person in enumerate(people):
        db.add(
            NetworkCheck(
                owner_id=person.id,
                municipality_id=person.municipality_id,
                answers={},
                finished_at=on(FIRST, 10 + index),
                gaps=4,
            )
        )
        db.add(
            NetworkCheck(
                owner_id=person.id,
                municipality_id=person.municipality_id,
                answers={},
                finished_at=on(SECOND, 10 + index),
                gaps=2 if index < 5 else 4,
            )
        )
    db.commit()
    rollups.refresh(db, utcnow())


def test_help_from_the_own_network_is_counted_next_to_volunteers_with_small_numbers_hidden(
    client, auth, staff, seeded
):
    auth.login(staff.email)
    page = client.get("/cijfers", query_string={**QUERY, "per": "wijk"}).get_data(as_text=True)
    rows = {row[0]: row[1:] for row in html_table(page, "eigen-netwerk")}
    assert rows["Centrum"] == ["6", "< 5", "75%", "8"]
    assert rows["Haveltermade"] == ["< 5", "0", "te weinig", "< 5"]
    assert rows["Totaal"] == ["7", "< 5", "78%", "9"]
    csv_text = (
        client.get("/cijfers/eigen-netwerk.csv", query_string={**QUERY, "per": "wijk"})
        .get_data(as_text=True)
        .lstrip("\ufeff")
    )
    written = {row[0]: row[1:] for row in csv.reader(io.StringIO(csv_text), delimiter=";")}
    assert written["Centrum"] == ["6", "", "75", "8", WHY]
    assert "< 5" not in csv_text


def test_the_network_check_counts_first_checks_and_how_the_gaps_changed(
    client, auth, staff, seeded
):
    auth.login(staff.email)
    page = client.get("/cijfers", query_string=QUERY).get_data(as_text=True)
    rows = {row[0]: row[1:] for row in html_table(page, "netwerkcheck")}
    months = list(rows)
    first, second = rows[months[1]], rows[months[2]]
    assert first == ["6", "0", "0", "0", "6"]
    assert second == ["0", "5", "< 5", "0", "6"]
    assert rows["Totaal"] == ["6", "5", "< 5", "0", "12"]
    assert FIRST < SECOND

"""Tasks that follow the case, in a real browser: forty tasks on a compact list, a task
page with follow-up and hand-over, and a task made by hand on a person's page."""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.test_help_request_flow import log_in
from voorelkaar.db import utcnow
from voorelkaar.models import Role, TaskKind
from voorelkaar.tasks.services import local_today, open_task

pytestmark = pytest.mark.e2e

# Where the screenshot of the forty tasks goes, for a person to look at.
SHOTS = Path(os.environ.get("TASK_SHOTS") or Path(tempfile.gettempdir()) / "shots-tasks")
KINDS = (
    TaskKind.REQUEST_UNMATCHED,
    TaskKind.MATCH_CANCELLED,
    TaskKind.OFFER_UNANSWERED,
    TaskKind.MATCH_FAILED,
)


@pytest.fixture
def forty(db, make_user, make_request):
    """A coordinator, a colleague and forty open tasks about ten requests of ten people."""
    staff = make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    colleague = make_user(Role.STAFF, email="kees@example.nl", name="Kees de Boer")
    people = [
        make_user(Role.RESIDENT, email=f"bewoner{n}@example.nl", name=f"Bewoner Nummer {n}")
        for n in range(10)
    ]
    requests = [
        make_request(person, title=f"Boodschappen doen op dinsdag, week {n}", postcode="7941 AB")
        for n, person in enumerate(people)
    ]
    for n in range(40):
        task = open_task(
            db,
            key=f"seed:{n}",
            kind=KINDS[n % len(KINDS)],
            person=people[n % 10],
            request=requests[n % 10],
        )
        task.created_at = utcnow() - timedelta(days=n % 9)
        if n % 3 == 0:
            task.follow_up_on = local_today() + timedelta(days=n % 5)
        if n % 4 == 0:
            task.claimed_by_id, task.claimed_at = colleague.id, utcnow()
    db.commit()
    return staff, people[0]


def test_forty_tasks_fit_three_screens_and_every_task_page_passes_axe(visit, forty):
    page = visit.page
    _staff, person = forty
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(visit, "staf@example.nl")
    visit.goto("/taken")
    assert "40 open taken" in page.content()
    height = page.evaluate("document.documentElement.scrollHeight")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "tasks-40.png"), full_page=True)
    assert height <= 2400, f"the list of 40 tasks is {height} px tall"
    first_row = page.locator("table.worklist tbody tr").first.bounding_box()
    assert first_row["y"] < 800  # the rows start on the first screen
    assert page.locator("table.worklist tbody tr").count() == 40

    page.set_viewport_size({"width": 320, "height": 640})
    visit.assert_accessible()
    page.set_viewport_size({"width": 1280, "height": 800})

    with page.expect_navigation():
        page.locator("table.worklist tbody tr th a").first.click()
    visit.assert_accessible()
    assert "Opvolgen op" in page.content()
    page.get_by_label("Opvolgen op").fill((local_today() + timedelta(days=2)).isoformat())
    visit.submit("Datum opslaan")
    assert "Opvolgen op" in page.content()
    page.set_viewport_size({"width": 320, "height": 640})
    visit.assert_accessible()
    page.set_viewport_size({"width": 1280, "height": 800})

    visit.goto(f"/mensen/{person.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Taak maken").click()
    visit.assert_accessible()
    page.set_viewport_size({"width": 320, "height": 640})
    visit.assert_accessible()
    visit.submit("Taak opslaan")
    assert "Schrijf kort wat er moet gebeuren" in page.content()
    page.get_by_label("Wat moet er gebeuren?").fill("Terugbellen over de boodschappen")
    page.get_by_label("Wie pakt het op? (niet verplicht)").select_option(label="Kees de Boer")
    visit.submit("Taak opslaan")
    assert "De taak staat in de takenlijst." in page.content()
    assert "Terugbellen over de boodschappen" in page.content()
    page.set_viewport_size({"width": 1280, "height": 800})
    visit.assert_accessible()

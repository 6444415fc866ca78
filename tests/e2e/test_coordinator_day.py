"""A coordinator's day in a real browser: Today lists each kind of waiting work, each is
handled from there in a few clicks, and afterwards nothing waits. The clicks per kind
are counted (the goal: at most 3 from the Today page)."""

import re

import pytest

from tests.e2e.test_vacancy_flow import log_in
from tests.integration.test_today import waiting  # noqa: F401  (the seeded situation)
from voorelkaar.tasks.services import local_today

pytestmark = pytest.mark.e2e

CLICKS = {}


class Day:
    """Counts the clicks a coordinator makes from the Today page for one kind of work."""

    def __init__(self, visit):
        self.visit = visit
        self.kind = None

    def start(self, kind: str):
        self.kind = kind
        CLICKS[kind] = 0
        self.visit.goto("/vandaag")

    def follow(self, name):
        CLICKS[self.kind] += 1
        with self.visit.page.expect_navigation():
            self.visit.page.get_by_role("main").get_by_role("link", name=name).first.click()
        self.visit.assert_accessible()

    def press(self, name):
        CLICKS[self.kind] += 1
        with self.visit.page.expect_navigation():
            self.visit.page.get_by_role("button", name=name).first.click()
        self.visit.assert_accessible()


def test_a_coordinator_handles_each_kind_of_waiting_work_from_today(
    visit,
    waiting,  # noqa: F811
    staff,
):
    page = visit.page
    log_in(visit, staff.email)
    day = Day(visit)
    visit.goto("/vandaag")
    assert "Er wachten 8 dingen op een mens." in page.content()
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        visit.goto("/vandaag")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    day.start("bericht beoordelen")
    day.follow("Wacht op beoordeling")
    day.press(re.compile(r"^Goedkeuren\s*:\s*Wacht op beoordeling$"))

    day.start("melding afhandelen")
    day.follow(re.compile(r"^Melding \d+$"))
    page.get_by_label("Wat heeft u gedaan?").fill("Gebeld met de melder: niets aan de hand.")
    day.press("Afhandelen")

    day.start("mijn taak opvolgen")
    day.follow("Taak van een collega")
    page.get_by_label("Wat heeft u gedaan?").fill("Riek teruggebeld.")
    day.press("Opslaan en afsluiten")

    day.start("taak van niemand")
    day.follow("E-mail kwam niet aan")
    day.press("Taak oppakken")
    page.get_by_label("Wat heeft u gedaan?").fill("Nieuw adres gevraagd en ingevuld.")
    day.press("Opslaan en afsluiten")

    day.start("hulpvraag zonder vrijwilliger")
    day.follow("Niemand pakte dit op")
    page.once("dialog", lambda dialog: dialog.accept())
    day.press("Hulpvraag intrekken")

    day.start("verwijzing die verloopt")
    day.follow("Jan Kok")
    day.press(re.compile(r"^(Uitnodiging opnieuw sturen|Nieuwe code maken)$"))

    day.start("VOG die verloopt")
    day.follow("Sem Hoekstra")
    page.get_by_label("VOG geldig tot en met").fill(
        local_today().replace(year=local_today().year + 3).isoformat()
    )
    day.press("Opslaan")

    day.start("organisatie goedkeuren")
    day.follow("Buurthuis De Plataan")
    day.press(re.compile(r"^Goedkeuren\s*:\s*Buurthuis De Plataan$"))

    visit.goto("/vandaag")
    assert "Er wacht nu niets op u." in page.content(), page.inner_text("main")
    print("clicks per kind of work from Today:", CLICKS)
    assert all(count <= 3 for count in CLICKS.values()), CLICKS

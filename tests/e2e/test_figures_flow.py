"""The figures page in a real browser: axe, a table for every chart, and 400% zoom."""

import pytest

from tests.e2e.test_help_request_flow import log_in
from tests.integration.test_figures import QUERY, seeded, wijken  # noqa: F401 - fixtures
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e

# Everything wider than the window, other than what sits in a table's own scroll box.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.body.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .filter(el => !el.closest('.table-scroll'))
    .map(el => el.tagName + '.' + el.className);
}"""

CHARTS_WITHOUT_TABLE = """() => [...document.querySelectorAll('figure.chart')]
  .filter(figure => !figure.closest('section').querySelector('table caption'))
  .map(figure => figure.querySelector('figcaption').textContent)"""


@pytest.fixture
def coordinator(make_user, seeded):  # noqa: F811 - the fixture imported above
    return make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")


def test_staff_see_charts_each_with_its_table_and_the_page_passes_axe(visit, coordinator):
    page = visit.page
    log_in(visit, "staf@example.nl")
    page.get_by_role("link", name="Cijfers per wijk").click()
    visit.assert_accessible()
    query = "&".join(f"{key}={value}" for key, value in QUERY.items())
    visit.goto(f"/cijfers?{query}")
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 6
    assert page.evaluate(CHARTS_WITHOUT_TABLE) == []
    for index in range(charts.count()):
        assert charts.nth(index).get_attribute("aria-labelledby")

    page.get_by_label("Wijk", exact=True).first.check()
    visit.submit("Cijfers tonen")
    assert page.get_by_role("row", name="Centrum 6 < 5 0 < 5 9").count() == 1


def test_at_400_percent_zoom_only_wide_tables_scroll_sideways(visit, coordinator):
    page = visit.page
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(visit, "staf@example.nl")
    query = "&".join(f"{key}={value}" for key, value in {**QUERY, "per": "wijk"}.items())
    visit.goto(f"/cijfers?{query}")
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

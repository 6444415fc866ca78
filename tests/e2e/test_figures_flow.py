"""The figures page in a real browser: axe, a table for every chart, and 400% zoom."""

import pytest
from sqlalchemy import select

from tests.e2e.conftest import Checked
from tests.e2e.test_help_request_flow import log_in
from tests.integration.test_figures import QUERY, seeded, wijken  # noqa: F401 - fixtures
from voorelkaar.db import utcnow
from voorelkaar.figures import rollups
from voorelkaar.models import HelpRequest, Match, Neighbourhood, RequestState, Role

pytestmark = pytest.mark.e2e

# Everything wider than the window, other than what sits in a table's own scroll box.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.body.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .filter(el => !el.closest('.table-scroll'))
    .map(el => el.tagName + '.' + el.className);
}"""

# Every text in a chart: whether it lies wholly inside its chart, and its height in css px.
CHART_TEXT = """() => [...document.querySelectorAll('svg.chart__svg')].flatMap(svg => {
  const chart = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].map(text => {
    const box = text.getBoundingClientRect();
    const inside = box.left >= chart.left - 0.5 && box.right <= chart.right + 0.5
      && box.top >= chart.top - 0.5 && box.bottom <= chart.bottom + 0.5;
    return {text: text.textContent, inside, height: box.height};
  });
})"""

# Pairs of texts, or a text and a bar, that cover each other in a chart.
OVERLAPPING = """() => [...document.querySelectorAll('svg.chart__svg')].flatMap(svg => {
  const shapes = [...svg.querySelectorAll('text, rect')]
    .map(el => ({el, box: el.getBoundingClientRect()}));
  const covered = [];
  shapes.forEach((a, i) => shapes.slice(i + 1).forEach(b => {
    if (a.el.tagName === 'rect' && b.el.tagName === 'rect') return;
    const across = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
    const down = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
    if (across > 0.5 && down > 0.5) covered.push(a.el.textContent + ' / ' + b.el.textContent);
  }));
  return covered;
})"""

# Body text is 16 css px; chart text may be smaller, not less than this.
MIN_TEXT_PX = 12

CHARTS_WITHOUT_TABLE = """() => [...document.querySelectorAll('figure.chart')]
  .filter(figure => !figure.closest('.figure-section').querySelector('table caption'))
  .map(figure => figure.querySelector('figcaption').textContent)"""


@pytest.fixture
def coordinator(make_user, seeded):  # noqa: F811 - the fixture imported above
    return make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")


@pytest.fixture
def long_name_and_many_hours(db, seeded, wijken):  # noqa: F811 - the fixtures imported above
    """A wijk whose name takes two lines; Centrum's five volunteers gave 12,345.5 hours."""
    centrum = wijken["Centrum"]
    wijk = Neighbourhood(
        municipality_id=centrum.municipality_id,
        name="Binnenstad-Oost en de Oude Stad aan het Water",
        slug="binnenstad-oost",
    )
    db.add(wijk)
    db.flush()
    expired = db.scalar(select(HelpRequest).where(HelpRequest.state == RequestState.EXPIRED))
    expired.neighbourhood_id = wijk.id
    done = db.scalars(
        select(Match).join(HelpRequest).where(HelpRequest.neighbourhood_id == centrum.id)
    ).all()
    assert len(done) == 5
    for match in done:
        match.hours = 2469.1
    db.commit()
    rollups.refresh(db, utcnow())  # the "cijfers" job: the page reads rollups


# Each figure is folded in a <details>; a reader opens them all (the first is open).
OPEN_ALL = "() => document.querySelectorAll('details.figure-section').forEach(d => d.open = true)"


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

    page.get_by_text("Andere maanden, wijk of categorie kiezen").click()  # the folded filters
    page.get_by_label("Wijk", exact=True).first.check()
    visit.submit("Cijfers tonen")
    assert page.get_by_role("row", name="Centrum 6 < 5 0 < 5 9").count() == 1


@pytest.fixture
def zoomed(browser, live_server):
    """A 1280 x 1024 screen at 400% zoom: 320 x 256 css px, 4 screen pixels to the css px."""
    app, base_url = live_server
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 320, "height": 256}, device_scale_factor=4
    )
    yield Checked(context.new_page(), base_url, app)
    context.close()


def test_at_400_percent_zoom_the_figures_reflow_and_chart_text_stays_whole(
    zoomed, coordinator, long_name_and_many_hours
):
    page = zoomed.page
    log_in(zoomed, "staf@example.nl")
    query = "&".join(f"{key}={value}" for key, value in {**QUERY, "per": "wijk"}.items())
    zoomed.goto(f"/cijfers?{query}")
    page.evaluate(OPEN_ALL)
    zoomed.assert_accessible()
    assert page.evaluate("window.devicePixelRatio") == 4
    # Reflow (WCAG 1.4.10): only the wide tables scroll sideways, in their own box.
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    texts = page.evaluate(CHART_TEXT)
    assert texts, "the charts have labels and numbers"
    for text in texts:
        assert text["inside"], f"{text['text']!r} is cut off at the chart's edge"
        assert text["height"] >= MIN_TEXT_PX, f"{text['text']!r} is too small to read"
    assert page.evaluate(OVERLAPPING) == []
    # A name longer than a line wraps; a large number fits after the longest bar.
    assert "Binnenstad-Oost en de Oude Stad" in " ".join(text["text"] for text in texts)
    assert any(text["text"] == "12345,5" for text in texts)


def test_a_screen_reader_hears_each_chart_named_and_then_its_table(visit, coordinator):
    log_in(visit, "staf@example.nl")
    query = "&".join(f"{key}={value}" for key, value in {**QUERY, "per": "wijk"}.items())
    visit.goto(f"/cijfers?{query}")
    visit.page.evaluate(OPEN_ALL)
    sections = visit.page.locator("details.figure-section")
    assert sections.count() >= 6
    for index in range(sections.count()):
        tree = sections.nth(index).aria_snapshot()
        chart, table = tree.find('img "Grafiek: '), tree.find("- table ")
        assert 0 < chart < table, tree
        assert "- columnheader " in tree[table:] and "- rowheader " in tree[table:], tree
        # The colour key is not read out; the table's headings name the same series.
        assert "- list" not in tree[:table], tree


@pytest.fixture
def policy_officer(make_user, seeded):  # noqa: F811 - the fixture imported above
    return make_user(Role.POLICY, email="beleid@example.nl", name="Bea Beleid")


@pytest.mark.parametrize("width", [320, 1280])
def test_a_policy_officer_reads_the_figures_at_320_and_1280_and_axe_finds_nothing(
    browser, live_server, policy_officer, width
):
    app, base_url = live_server
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 800})
    visit = Checked(context.new_page(), base_url, app)
    page = visit.page
    log_in(visit, "beleid@example.nl")
    query = "&".join(f"{key}={value}" for key, value in {**QUERY, "per": "wijk"}.items())
    visit.goto(f"/cijfers?{query}")
    # The key numbers first: the first screen answers "how are we doing".
    first = page.locator(".key-figures__item").first.bounding_box()
    assert first is not None and first["y"] < 800
    folded = page.evaluate("document.documentElement.scrollHeight")
    page.evaluate(OPEN_ALL)
    visit.assert_accessible()
    assert page.evaluate(OVERFLOWING) == []
    # A hidden small number is drawn, hatched, and says so: not a missing bar.
    small = page.locator("rect.chart__bar--small")
    assert small.count() > 0 and small.first.bounding_box()["width"] > 0
    assert page.locator("svg text", has_text="minder dan 5").count() == small.count()
    # Folded, the page is a fraction of what it is with every figure open.
    assert folded < page.evaluate("document.documentElement.scrollHeight") / 2
    # The CSV is theirs too; the back office is not.
    assert page.request.get(f"{base_url}/cijfers/hulpvragen.csv").status == 200
    assert page.request.get(f"{base_url}/taken", max_redirects=0).status in (403, 404)
    context.close()

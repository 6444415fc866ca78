"""The work lists in a real browser: searched, read at 1280 and 320 px, exported; axe on each."""

import os
from datetime import timedelta

import pytest

from tests.e2e.test_help_request_flow import log_in
from voorelkaar.db import utcnow
from voorelkaar.models import Match, MatchState, PostedFor, Referral, RequestState, Role

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 320)
LISTS = (
    "/overzicht/hulpvragen",
    "/overzicht/mensen",
    "/overzicht/verwijzingen",
    "/beheer/gebruikers?q=Hoekstra",
)
SHOTS = os.environ.get("WORKLIST_SCREENSHOTS")  # a folder to keep screenshots in, if set


@pytest.fixture
def office(db, make_user, make_request):
    """A coordinator, a consultant, look-alike volunteers, and requests in several states."""
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    consultant = make_user(Role.CONSULTANT, email="consulent@example.nl", name="Joost Mulder")
    helpers = []
    for number, postcode in enumerate(("7941 AB", "7942 CD", "7943 EF"), 1):
        helper = make_user(
            Role.VOLUNTEER, email=f"sem{number}@example.nl", name="Sem Hoekstra", postcode=postcode
        )
        helper.phone = f"+3161234567{number}"
        helpers.append(helper)
    asker = make_user(Role.RESIDENT, Role.CARER, email="kok@example.nl", name="Annie Kok")
    for number in range(55):
        make_request(asker, title=f"Boodschappen halen week {number}", postcode="7941 AB")
    matched = make_request(asker, title="Wandelen met mijn man", postcode="7942 CD")
    matched.state = RequestState.MATCHED
    matched.posted_for, matched.for_first_name = PostedFor.CARED_FOR, "Gerrit"
    db.add(Match(request_id=matched.id, volunteer_id=helpers[0].id, state=MatchState.CONFIRMED))
    db.add(
        Referral(
            consultant_id=consultant.id,
            resident_name="Mevrouw Veenstra",
            postcode="7941 AB",
            house_number="1",
            consent_date=utcnow().date(),
            category_id=1,
            title="Hulp bij de boodschappen",
            description="Zij kan niet meer tillen.",
            code="VEENSTRA",
            expires_at=utcnow() + timedelta(days=30),
        )
    )
    db.commit()


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url}: the page is {width}px wide at {viewport}px"


def _one_line_rows(page):
    """At 1280 px every row of the table is one line of text."""
    heights = page.eval_on_selector_all(
        "table.worklist tbody tr", "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('table.worklist td')).lineHeight)"
    )
    assert heights and max(heights) < 2 * line, (page.url, max(heights), line)


def test_each_list_passes_axe_and_reads_at_1280_and_320_px(visit, office):
    page = visit.page
    log_in(visit, "staf@example.nl")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in LISTS:
            visit.goto(path)
            _no_sideways_scroll(page)
            if width == 1280:
                _one_line_rows(page)
            if SHOTS:
                name = path.strip("/").replace("/", "-").replace("?", "-")
                page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def test_staff_find_a_request_by_surname_and_a_person_by_phone_and_download_the_list(visit, office):
    page = visit.page
    log_in(visit, "staf@example.nl")
    visit.goto("/overzicht/hulpvragen")
    assert "56 hulpvragen gevonden" in page.content()
    page.get_by_role("link", name="Volgende").first.click()
    visit.assert_accessible()
    assert "Pagina 2 van 2" in page.content()

    page.get_by_role("searchbox", name="Zoeken").fill("kok")
    page.get_by_label("Status").select_option(label="er is een vrijwilliger")
    visit.submit("Zoeken")
    assert "1 hulpvraag gevonden" in page.content()
    assert "Gerrit" in page.content()  # for whom
    page.get_by_role("link", name="Sem Hoekstra").click()
    visit.assert_accessible()
    assert "/mensen/" in page.url

    visit.goto("/overzicht/mensen")
    page.get_by_role("searchbox", name="Zoeken").fill("06 12345672")
    visit.submit("Zoeken")
    assert "1 persoon gevonden" in page.content()
    assert "sem2@example.nl" in page.content()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download als CSV").click()
    download = download_info.value
    assert download.suggested_filename == "mensen.csv"
    with open(download.path(), encoding="utf-8-sig") as exported:
        lines = exported.read().splitlines()
    assert len(lines) == 2 and "sem2@example.nl" in lines[1]


def test_a_consultant_reads_their_referrals_on_a_phone(visit, office):
    page = visit.page
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(visit, "consulent@example.nl")
    visit.goto("/overzicht/verwijzingen")
    _no_sideways_scroll(page)
    assert "Mevrouw Veenstra" in page.content()
    status = page.get_by_text("Status: uitgenodigd")
    assert status.count() == 0 or status.first.is_visible()
    cell = page.locator("td[data-label='Status']").first
    box = cell.bounding_box()
    assert box["x"] + box["width"] <= 375, "the status is off-screen"
    page.get_by_role("link", name="Mevrouw Veenstra").click()
    visit.assert_accessible()

"""The policy officer's read-only figures role, and what the reworked /cijfers and its CSV show.

A policy officer of a municipality sees its figures and their CSV files, and nothing else of
the back office (issue 15, item 10).
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, Forms, csrf_token_from
from tests.integration.test_access import ACCESS, ENDS_SESSION, LOGIN, world  # noqa: F401
from tests.integration.test_figures import FIRST, SECOND, html_table, on
from voorelkaar.db import utcnow
from voorelkaar.figures import rollups
from voorelkaar.figures.forms import month_choices
from voorelkaar.models import (
    HelpRequest,
    Municipality,
    Neighbourhood,
    Referral,
    Role,
)
from voorelkaar.moderation.services import publish_post
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.tenancy import served_ids

REFUSED = (403, 404)
BACK_OFFICE = ("staff", "consultant", "admin")
WHY = "minder dan 5, niet getoond om mensen te beschermen"


@pytest.fixture
def policy(make_user):
    return make_user(Role.POLICY, email="beleid@example.nl", name="Bea Beleid")


def _back_office_endpoints():
    """The routes a resident is refused and someone of the back office is let in to."""
    for endpoint, (method, path, expected) in ACCESS.items():
        if endpoint in ENDS_SESSION:
            continue
        residents_refused = expected["resident"] in REFUSED or expected["resident"] == LOGIN
        for_back_office = any(expected[role] not in (*REFUSED, LOGIN) for role in BACK_OFFICE)
        if residents_refused and for_back_office:
            yield endpoint, method, path


def test_a_policy_officer_opens_the_figures_and_csv_and_no_other_back_office_page(
    app,
    world,  # noqa: F811 - the fixture imported above
    policy,
):
    _people, ids = world
    client = app.test_client()
    assert AuthActions(Forms(client)).login(policy.email).status_code == 302
    walked = []
    for endpoint, method, path in _back_office_endpoints():
        url = path.format(**ids)
        if method == "GET":
            response = client.get(url)
        else:
            token = csrf_token_from(client.get("/").get_data(as_text=True))
            response = client.post(url, data={"csrf_token": token})
        if endpoint.startswith("figures."):
            assert response.status_code == 200, (endpoint, response.status_code)
        else:
            assert response.status_code in REFUSED, (endpoint, response.status_code)
        walked.append(endpoint)
    assert {"figures.index", "figures.download"} <= set(walked)
    # Person pages, tasks, moderation and referrals are among what was refused.
    for part in ("people.", "tasks.", "moderation.", "referrals."):
        assert any(e.startswith(part) for e in walked if not e.startswith("figures.")), part
    csv_response = client.get("/cijfers/hulpvragen.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"


def test_an_admin_grants_the_figures_role_with_the_municipality_it_belongs_to(
    app, db, admin, make_user, auth, forms
):
    officer = make_user(Role.RESIDENT, email="ambtenaar@example.nl")
    auth.login(admin.email)
    page = forms.client.get(f"/beheer/gebruikers/{officer.id}/rollen").get_data(as_text=True)
    assert "Beleidsmedewerker (alleen cijfers)" in page
    response = forms.post(
        f"/beheer/gebruikers/{officer.id}/rollen",
        {"roles": ["policy"]},
        page=f"/beheer/gebruikers/{officer.id}/rollen",
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(type(officer), officer.id).role_set == {Role.POLICY}
    meppel = db.scalar(select(Municipality.id).where(Municipality.slug == "meppel"))
    assert served_ids(db, db.get(type(officer), officer.id)) == {meppel}


@pytest.fixture
def requests_in_two_months(db, make_user, meppel):
    """7 requests in the month before last, 12 last month, all in Centrum (7941 AB)."""
    asker = make_user(Role.RESIDENT, email="vrager@example.nl")
    months = month_choices(utcnow().date())
    before, last = months[2], months[1]
    for month, count in ((before, 7), (last, 12)):
        for index in range(count):
            item = HelpRequest(
                author_id=asker.id,
                category_id=1,
                title=f"Hulp {index}",
                description="Graag hulp.",
                postcode="7941 AB",
                house_number="1",
                pc4="7941",
                lat=52.69,
                lon=6.19,
                neighbourhood=neighbourhood_for(db, "7941 AB"),
            )
            publish_post(item)
            item.published_at = on(month, 3)
            item.created_at = on(month, 3)
            db.add(item)
    db.commit()
    rollups.refresh(db, utcnow())  # the "cijfers" job: the page reads rollups
    return last


def key_numbers(page: str) -> dict[str, tuple[str, str]]:
    """{label: (value, change)} of the key numbers on top of the page."""
    found = {}
    for item in re.findall(r'<li class="key-figures__item">(.*?)</li>', page, re.S):
        value = re.search(r'key-figures__value">([^<]*)<', item).group(1)
        label = re.search(r'key-figures__label">([^<]*)<', item).group(1)
        change = re.search(r'key-figures__change">([^<]*)<', item)
        found[label] = (value, change.group(1) if change else "")
    return found


def test_the_key_numbers_say_the_change_against_the_month_before(
    client, requests_in_two_months, policy, auth
):
    last = requests_in_two_months.strftime("%Y-%m")
    auth.login(policy.email)
    page = client.get("/cijfers", query_string={"van": last, "tot": last}).get_data(as_text=True)
    numbers = key_numbers(page)
    assert numbers["Hulpvragen geplaatst"] == ("12", "+5 ten opzichte van de maand ervoor")
    # Nobody took them yet, in either month: no change.
    assert numbers["Hulpvragen met een vrijwilliger"] == ("0", "gelijk aan de maand ervoor")
    # The key numbers come before the filters and the long tables.
    assert page.index("key-figures") < page.index('aria-label="Cijfers kiezen"')


def test_every_wijk_is_listed_also_those_without_requests(
    client, requests_in_two_months, policy, auth, db
):
    auth.login(policy.email)
    page = client.get("/cijfers", query_string={"per": "wijk"}).get_data(as_text=True)
    rows = {row[0]: row[-1] for row in html_table(page, "hulpvragen")[1:]}
    meppel = db.scalar(select(Municipality.id).where(Municipality.slug == "meppel"))
    names = set(
        db.scalars(select(Neighbourhood.name).where(Neighbourhood.municipality_id == meppel))
    )
    assert set(rows) == names | {"Totaal"} and len(names) > 2
    assert rows["Centrum"] == "19" and rows["Totaal"] == "19"
    assert all(rows[name] == "0" for name in names - {"Centrum"})


def test_a_referral_without_a_request_counts_in_its_postcodes_wijk(
    client, db, consultant, policy, auth
):
    for index in range(6):
        db.add(
            Referral(
                consultant_id=consultant.id,
                resident_name="Inwoner",
                postcode="7941 AB",
                house_number="2",
                consent_date=FIRST,
                category_id=1,
                title="Boodschappen",
                description="Hulp bij boodschappen.",
                code=f"WIJKPC{index:02d}",
                created_at=on(FIRST, 2),
                expires_at=utcnow() + timedelta(days=10),
            )
        )
    db.commit()
    rollups.refresh(db, utcnow())
    auth.login(policy.email)
    query = {"van": FIRST.strftime("%Y-%m"), "tot": SECOND.strftime("%Y-%m"), "per": "wijk"}
    page = client.get("/cijfers", query_string=query).get_data(as_text=True)
    rows = {row[0]: row[1:] for row in html_table(page, "verwijzingen")[1:]}
    assert "Wijk onbekend" not in rows
    assert rows["Centrum"][0] == "6" and rows["Centrum"][-1] == "6"


def test_the_csv_has_plain_numbers_and_says_why_a_cell_is_empty(
    client, db, requests_in_two_months, policy, auth, make_user
):
    # Two more in Haveltermade (7943): a count of 2, hidden.
    asker = make_user(Role.RESIDENT, email="havelte@example.nl", postcode="7943 AA")
    for index in range(2):
        item = HelpRequest(
            author_id=asker.id,
            category_id=1,
            title=f"Havelte {index}",
            description="Graag hulp.",
            postcode="7943 AA",
            house_number="1",
            pc4="7943",
            lat=52.7,
            lon=6.2,
            neighbourhood=neighbourhood_for(db, "7943 AA"),
        )
        publish_post(item)
        db.add(item)
    db.commit()
    rollups.refresh(db, utcnow())
    auth.login(policy.email)
    response = client.get("/cijfers/matches.csv", query_string={"per": "wijk"})
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # UTF-8 with BOM, for Excel
    text = raw.decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][-1] == "Toelichting" and "Deel met vrijwilliger (procent)" in rows[0]
    for row in rows[1:]:
        for cell in row[1:-1]:
            assert cell == "" or re.fullmatch(r"\d+(,\d)?", cell), row
        assert row[-1] in ("", WHY), row
    by_wijk = {row[0]: row for row in rows[1:]}
    assert by_wijk["Haveltermade"][1] == "" and by_wijk["Haveltermade"][-1] == WHY
    assert by_wijk["Centrum"][1] == "19"
    for word in ("< 5", "te weinig", "%"):
        assert word not in text

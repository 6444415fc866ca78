"""Municipalities as tenants, for the API and the figures: with objects in Meppel and in
Westerveld, a token or a login of one sees nothing of the other, on every /api/v1 route
and every figures route (walked from the url_map: a route without a check here fails).

A regional admin (serving both through MunicipalityStaff rows) sees each of theirs and a
total across them; small numbers stay hidden per cell, also per municipality and in CSV.
"""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from tests.integration.test_api import ALL_SCOPES, bearer, referral_body, request_body
from voorelkaar.api import tokens
from voorelkaar.db import utcnow
from voorelkaar.figures import rollups
from voorelkaar.models import HelpRequest, Municipality, Neighbourhood, PostedFor, Referral, Role
from voorelkaar.moderation.services import publish_post
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.tenancy import set_served

TOWNS = ("meppel", "westerveld")
# Where each town's residents live; Havelte and Dwingeloo are Westerveld's wijken.
HOME = {"meppel": "7941 AB", "westerveld": "7971 AB"}
OTHER = {"meppel": "westerveld", "westerveld": "meppel"}
WIJKEN = {"meppel": {"Centrum"}, "westerveld": {"Havelte", "Dwingeloo"}}
# Requests posted this month: Meppel 6 in Centrum; Westerveld 5 in Havelte, 2 in Dwingeloo.
POSTED = {"meppel": [("7941 AB", 6)], "westerveld": [("7971 AB", 5), ("7991 AB", 2)]}
TOTAL = {"meppel": 6, "westerveld": 7}


def month() -> str:
    from voorelkaar.db import utcnow

    return utcnow().strftime("%Y-%m")


@pytest.fixture
def world(db, meppel, westerveld, make_user, admin):
    """Per town: a resident with open requests, a consultant with a referral, staff, and
    tokens (every scope) for the consultant and the staff member."""
    towns = {"meppel": meppel, "westerveld": westerveld}
    world = {"towns": towns}
    for slug in TOWNS:
        home = HOME[slug]
        resident = make_user(Role.RESIDENT, email=f"inwoner-{slug}@example.nl", postcode=home)
        consultant = make_user(Role.CONSULTANT, email=f"consulent-{slug}@example.nl", postcode=home)
        staff = make_user(Role.STAFF, email=f"coordinator-{slug}@example.nl", postcode=home)
        requests = []
        for postcode, count in POSTED[slug]:
            for index in range(count):
                item = HelpRequest(
                    author=resident,
                    category_id=1,
                    title=f"Hulpvraag {slug} {index}",
                    description="Graag hulp.",
                    postcode=postcode,
                    house_number="1",
                    pc4=postcode[:4],
                    lat=52.7,
                    lon=6.2,
                    neighbourhood=neighbourhood_for(db, postcode),
                )
                publish_post(item)
                db.add(item)
                requests.append(item)
        db.commit()
        referral = Referral(
            consultant_id=consultant.id,
            resident_name="Inwoner",
            postcode=home,
            house_number="2",
            consent_date=requests[0].created_at.date(),
            category_id=1,
            title=f"Verwijzing {slug}",
            description="Hulp bij boodschappen.",
            code=f"CODE{slug[:4].upper()}",
            created_at=requests[0].created_at,
            expires_at=requests[0].created_at.replace(year=requests[0].created_at.year + 1),
        )
        db.add(referral)
        db.commit()
        assert {item.municipality_id for item in requests} == {towns[slug].id}
        assert referral.municipality_id == towns[slug].id
        world[slug] = {
            "town": towns[slug],
            "resident": resident,
            "consultant": consultant,
            "staff": staff,
            "requests": requests,
            "referral": referral,
            "consultant_token": tokens.issue_token(
                db, admin, name=f"zaak-{slug}", user=consultant, scopes=ALL_SCOPES
            ).secret,
            "staff_token": tokens.issue_token(
                db, admin, name=f"staf-{slug}", user=staff, scopes=ALL_SCOPES
            ).secret,
        }
    rollups.refresh(db, utcnow())  # the "cijfers" job: pages and the API read rollups
    return world


@pytest.fixture
def regional(db, make_user, world):
    """An admin of the region: works for Meppel and Westerveld (MunicipalityStaff rows)."""
    admin = make_user(Role.ADMIN, email="regio@example.nl", postcode="7941 AB")
    set_served(db, admin, [town.id for town in world["towns"].values()])
    db.commit()
    return admin


def titles(response) -> set[str]:
    return {item["title"] for item in response.json["requests"]}


def count_of(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


# ---------- one check per route: what `me` sees holds nothing of `other` ----------


def check_health(client, db, world, me, other):
    response = client.get("/api/v1/health", headers=bearer(world[me]["staff_token"]))
    assert response.status_code == 200 and response.json == {"status": "ok"}


def check_openapi(client, db, world, me, other):
    text = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert "Hulpvraag" not in text and "Verwijzing " not in text  # no data, only the contract


def check_docs(client, db, world, me, other):
    text = client.get("/api/v1/docs").get_data(as_text=True)
    assert "Hulpvraag" not in text and "Verwijzing " not in text  # no data, only the contract


def check_figures_api(client, db, world, me, other):
    query = f"?from={month()}&to={month()}"
    for token in ("staff_token", "consultant_token"):
        response = client.get("/api/v1/figures" + query, headers=bearer(world[me][token]))
        assert response.status_code == 200, response.get_data(as_text=True)
        named = {row["wijk"] for row in response.json["wijken"] if row["posted"] != 0}
        assert named == WIJKEN[me], named  # no wijk of the other, and no town in the names
        assert response.json["total"]["posted"] == TOTAL[me]
        assert "gemeenten" not in response.json  # one municipality: nothing to compare


def check_list_requests(client, db, world, me, other):
    headers = bearer(world[me]["staff_token"])
    response = client.get("/api/v1/requests?limit=200", headers=headers)
    assert response.status_code == 200
    assert titles(response) == {item.title for item in world[me]["requests"]}
    # A wijk of the other municipality is not one this token knows, by id or by name.
    theirs = neighbourhood_for(db, HOME[other])
    for text in (str(theirs.id), theirs.name, theirs.slug):
        refused = client.get(f"/api/v1/requests?wijk={text}", headers=headers)
        assert refused.status_code == 422, (text, refused.get_data(as_text=True))


def check_referral(client, db, world, me, other):
    headers = bearer(world[me]["consultant_token"])
    own = client.get(f"/api/v1/referrals/{world[me]['referral'].id}", headers=headers)
    assert own.status_code == 200
    theirs = client.get(f"/api/v1/referrals/{world[other]['referral'].id}", headers=headers)
    assert theirs.status_code == 404
    assert theirs.json["code"] == "not_found"


def check_create_referral(client, db, world, me, other):
    headers = bearer(world[me]["consultant_token"])
    before = count_of(db, Referral)
    refused = client.post(
        "/api/v1/referrals", json=referral_body(postcode=HOME[other]), headers=headers
    )
    assert refused.status_code == 403, refused.get_data(as_text=True)
    message = refused.json["detail"]
    assert world[other]["town"].name in message and "verwijzen" in message
    assert count_of(db, Referral) == before
    made = client.post("/api/v1/referrals", json=referral_body(postcode=HOME[me]), headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert db.get(Referral, made.json["id"]).municipality_id == world[me]["town"].id


def check_create_request(client, db, world, me, other):
    headers = bearer(world[me]["staff_token"])
    before = count_of(db, HelpRequest)
    refused = client.post(
        "/api/v1/requests", json=request_body(postcode=HOME[other]), headers=headers
    )
    assert refused.status_code == 403, refused.get_data(as_text=True)
    assert world[other]["town"].name in refused.json["detail"]
    assert count_of(db, HelpRequest) == before
    made = client.post("/api/v1/requests", json=request_body(postcode=HOME[me]), headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert db.get(HelpRequest, made.json["id"]).municipality_id == world[me]["town"].id


def _subscriptions(client, world, town):
    """The other municipality's consultant system subscribes; returns (headers, id)."""
    client.application.config.update(WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"])
    headers = bearer(world[town]["consultant_token"])
    made = client.post(
        "/api/v1/subscriptions",
        json={"callback_url": "http://127.0.0.1:9/hook", "events": ["referral.status_changed"]},
        headers=headers,
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    return headers, made.json["id"]


def check_subscriptions_index(client, db, world, me, other):
    _theirs_headers, theirs = _subscriptions(client, world, other)
    mine = client.get("/api/v1/subscriptions", headers=bearer(world[me]["consultant_token"]))
    assert mine.status_code == 200
    assert theirs not in {item["id"] for item in mine.json["subscriptions"]}


def check_subscriptions_create(client, db, world, me, other):
    _headers, made = _subscriptions(client, world, me)
    listed = client.get("/api/v1/subscriptions", headers=bearer(world[me]["consultant_token"]))
    assert made in {item["id"] for item in listed.json["subscriptions"]}


def check_subscriptions_delete(client, db, world, me, other):
    theirs_headers, theirs = _subscriptions(client, world, other)
    path = f"/api/v1/subscriptions/{theirs}"
    refused = client.delete(path, headers=bearer(world[me]["consultant_token"]))
    assert refused.status_code == 404 and refused.json["code"] == "not_found"
    assert client.delete(path, headers=theirs_headers).status_code == 204


def table_rows(page: str, slug: str) -> list[list[str]]:
    from tests.integration.test_figures import html_table

    return html_table(page, slug)


def main_of(page: str) -> str:
    """The page's own content: header and footer carry the site's face (issue 14 item 2)."""
    return page[page.index("<main") : page.index("</main>")]


def own_wijken(db, world, me) -> set[str]:
    """The names of every wijk of one's own municipality."""
    town = world[me]["town"].id
    return set(db.scalars(select(Neighbourhood.name).where(Neighbourhood.municipality_id == town)))


def check_figures_page(client, db, world, me, other, auth):
    auth.login(world[me]["staff"].email)
    page = client.get("/cijfers?per=wijk").get_data(as_text=True)
    rows = {row[0]: row[1:] for row in table_rows(page, "hulpvragen")[1:]}
    # Every wijk of one's own municipality, those without requests too (issue 15), and
    # "Centrum", not "Centrum (Meppel)".
    assert WIJKEN[me] <= set(rows) - {"Totaal"} == own_wijken(db, world, me)
    assert rows["Totaal"][-1] == str(TOTAL[me])
    assert world[other]["town"].name not in main_of(page)
    # No municipality to choose or compare with only one.
    assert 'name="gemeente"' not in page and 'value="gemeente"' not in page
    # A forged municipality of the other is ignored (there is no such filter for one
    # municipality); a forged wijk or split is refused; only one's own figures are shown.
    forged_wijk = neighbourhood_for(db, HOME[other])
    for query, refusal in (
        ({"gemeente": world[other]["town"].id}, None),
        ({"wijk": forged_wijk.id}, "Kies een wijk uit de lijst."),
        ({"per": "gemeente"}, "Kies waarop u de cijfers wilt verdelen."),
    ):
        response = client.get("/cijfers", query_string=query)
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert refusal is None or refusal in text, query
        assert table_rows(text, "hulpvragen")[-1][-1] == str(TOTAL[me]), query
        assert world[other]["town"].name not in main_of(text), query
    auth.logout()


def check_figures_csv(client, db, world, me, other, auth):
    auth.login(world[me]["staff"].email)
    response = client.get(
        "/cijfers/hulpvragen.csv",
        query_string={"per": "wijk", "gemeente": world[other]["town"].id},
    )
    assert response.status_code == 200
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert {row[0] for row in rows[1:]} == own_wijken(db, world, me) | {"Totaal"}
    assert rows[-1][-2] == str(TOTAL[me])  # the last column says why a cell is empty
    assert world[other]["town"].name not in response.get_data(as_text=True)
    auth.logout()


CHECKS = {
    "api.health": check_health,
    "api.openapi": check_openapi,
    "api.docs": check_docs,
    "api.figures": check_figures_api,
    "api.list_requests": check_list_requests,
    "api.referral": check_referral,
    "api.create_referral": check_create_referral,
    "api.create_request": check_create_request,
    "api.subscriptions.index": check_subscriptions_index,
    "api.subscriptions.create": check_subscriptions_create,
    "api.subscriptions.delete": check_subscriptions_delete,
    "figures.index": check_figures_page,
    "figures.download": check_figures_csv,
}
WITH_LOGIN = {"figures.index", "figures.download"}


def scoped_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1") or rule.endpoint.startswith("figures.")
    }


def test_every_api_and_figures_route_has_a_tenancy_check(app):
    endpoints = scoped_endpoints(app)
    missing = endpoints - CHECKS.keys()
    assert not missing, f"API or figures routes without a tenancy check: {sorted(missing)}"
    assert not CHECKS.keys() - endpoints, "checks for routes that no longer exist"


@pytest.mark.parametrize("me", TOWNS)
def test_a_viewer_of_one_municipality_sees_nothing_of_the_other(app, client, db, world, auth, me):
    walked = []
    for endpoint in sorted(scoped_endpoints(app)):
        check = CHECKS[endpoint]
        extra = {"auth": auth} if endpoint in WITH_LOGIN else {}
        check(client, db, world, me, OTHER[me], **extra)
        walked.append(endpoint)
    assert set(walked) == CHECKS.keys()


# ---------- a regional admin: each municipality and a total across them ----------


def test_a_regional_admin_sees_each_municipality_and_the_total(client, db, world, regional, auth):
    auth.login(regional.email)
    page = client.get("/cijfers?per=gemeente").get_data(as_text=True)
    assert 'name="gemeente"' in page  # serving two: a municipality to choose
    rows = {row[0]: row[1:] for row in table_rows(page, "hulpvragen")[1:]}
    # self, by a carer, by staff or a consultant, after a referral, total
    assert rows == {
        "Meppel": ["6", "0", "0", "0", "6"],
        "Westerveld": ["7", "0", "0", "0", "7"],
        "Totaal": ["13", "0", "0", "0", "13"],
    }
    # Per wijk: the town beside each name, and Dwingeloo's 2 hidden in its own cell.
    per_wijk = client.get("/cijfers?per=wijk").get_data(as_text=True)
    wijken = {row[0]: row[-1] for row in table_rows(per_wijk, "hulpvragen")[1:]}
    # Every wijk of both is listed; those without requests as 0 (issue 15).
    assert {name: n for name, n in wijken.items() if n != "0"} == {
        "Centrum (Meppel)": "6",
        "Havelte (Westerveld)": "5",
        "Dwingeloo (Westerveld)": "< 5",
        "Totaal": "13",
    }
    # One municipality chosen: only its figures, and its wijken without the town.
    chosen = client.get(
        "/cijfers", query_string={"per": "wijk", "gemeente": world["westerveld"]["town"].id}
    ).get_data(as_text=True)
    rows = {row[0]: row[-1] for row in table_rows(chosen, "hulpvragen")[1:]}
    assert {name: n for name, n in rows.items() if n != "0"} == {
        "Havelte": "5",
        "Dwingeloo": "< 5",
        "Totaal": "7",
    }
    assert set(rows) - {"Totaal"} == own_wijken(db, world, "westerveld")
    # A municipality they do not work for is not offered, and a forged one is refused.
    wolden = Municipality(name="De Wolden", slug="de-wolden")
    db.add(wolden)
    db.commit()
    assert "De Wolden" not in main_of(client.get("/cijfers").get_data(as_text=True))
    forged = client.get("/cijfers", query_string={"per": "gemeente", "gemeente": wolden.id})
    text = forged.get_data(as_text=True)
    assert "Kies een gemeente uit de lijst." in text
    rows = {row[0]: row[-1] for row in table_rows(text, "hulpvragen")[1:]}
    assert rows == {"Meppel": "6", "Westerveld": "7", "Totaal": "13"}


def test_the_csv_per_municipality_hides_small_numbers_per_cell(
    client, db, world, regional, auth, make_user
):
    # Two requests posted for a Westerveld resident by staff: a cell of 2 in that row.
    staff = world["westerveld"]["staff"]
    for index in range(2):
        item = HelpRequest(
            author=staff,
            category_id=1,
            title=f"Namens {index}",
            description="Graag hulp.",
            postcode="7971 AB",
            house_number="3",
            pc4="7971",
            lat=52.7,
            lon=6.2,
            posted_for=PostedFor.RESIDENT,
            neighbourhood=neighbourhood_for(db, "7971 AB"),
        )
        publish_post(item)
        db.add(item)
    db.commit()
    rollups.refresh(db, utcnow())  # the months these changed
    auth.login(regional.email)
    response = client.get("/cijfers/hulpvragen.csv", query_string={"per": "gemeente"})
    assert response.status_code == 200
    assert "per-gemeente" in response.headers["Content-Disposition"]
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    # Plain numbers (issue 15): a hidden cell is empty, and the last column says why.
    why = "minder dan 5, niet getoond om mensen te beschermen"
    assert rows[1:] == [
        ["Meppel", "6", "0", "0", "0", "6", ""],
        ["Westerveld", "7", "0", "", "0", "9", why],
        ["Totaal", "13", "0", "", "0", "15", why],
    ]
    assert not re.search(r";[1-4](;|$)", response.get_data(as_text=True), re.M)
    assert "< 5" not in response.get_data(as_text=True)


def test_the_api_gives_a_regional_token_each_municipality_and_the_total(
    client, db, world, regional, admin
):
    secret = tokens.issue_token(db, admin, name="regio", user=regional, scopes=ALL_SCOPES).secret
    response = client.get(f"/api/v1/figures?from={month()}&to={month()}", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json["gemeenten"] == [
        {"gemeente": "Meppel", "posted": 6, "matched": 0},
        {"gemeente": "Westerveld", "posted": 7, "matched": 0},
    ]
    assert response.json["total"]["posted"] == 13
    wijken = {row["wijk"]: row["posted"] for row in response.json["wijken"]}
    assert wijken["Dwingeloo (Westerveld)"] == "< 5"
    listed = client.get("/api/v1/requests?limit=200", headers=bearer(secret))
    assert len(listed.json["requests"]) == 13


def test_a_consultant_serving_both_refers_into_either_and_the_referral_is_the_resident_s(
    client, db, world, make_user, admin
):
    consultant = make_user(Role.CONSULTANT, email="regio-consulent@example.nl", postcode="7941 AB")
    set_served(db, consultant, [town.id for town in world["towns"].values()])
    db.commit()
    secret = tokens.issue_token(db, admin, name="regio", user=consultant, scopes=ALL_SCOPES).secret
    made = client.post(
        "/api/v1/referrals", json=referral_body(postcode="7991 AB"), headers=bearer(secret)
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    # Dwingeloo lies in Westerveld: the referral is Westerveld's, though the consultant
    # lives in Meppel; Westerveld's consultant does not see it, the one who made it does.
    assert db.get(Referral, made.json["id"]).municipality_id == world["westerveld"]["town"].id
    path = f"/api/v1/referrals/{made.json['id']}"
    assert client.get(path, headers=bearer(secret)).status_code == 200
    other = bearer(world["westerveld"]["consultant_token"])
    assert client.get(path, headers=other).status_code == 404


def test_the_api_offers_only_the_categories_of_the_municipality(client, db, world, admin):
    """A category Westerveld does not offer is refused there, and still taken in Meppel."""
    from voorelkaar.models import Category, MunicipalityCategory

    shopping = db.scalar(select(Category).where(Category.slug == "boodschappen"))
    other = db.scalar(select(Category).where(Category.id != shopping.id).order_by(Category.id))
    db.add(
        MunicipalityCategory(municipality_id=world["westerveld"]["town"].id, category_id=other.id)
    )
    db.commit()
    refused = client.post(
        "/api/v1/referrals",
        json=referral_body(postcode=HOME["westerveld"]),
        headers=bearer(world["westerveld"]["consultant_token"]),
    )
    assert refused.status_code == 422
    assert "category" in refused.get_data(as_text=True)
    taken = client.post(
        "/api/v1/referrals",
        json=referral_body(postcode=HOME["meppel"]),
        headers=bearer(world["meppel"]["consultant_token"]),
    )
    assert taken.status_code == 201

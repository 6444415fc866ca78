"""Before a match, nobody but the asker and staff sees an address, phone or email."""

import pytest

from tests.conftest import AuthActions, Forms
from voorelkaar.db import utcnow
from voorelkaar.models import HelpRequest, Offer, PostedFor, Role
from voorelkaar.moderation.services import publish_post

SECRETS = (
    "Wilhelminapark",
    "7941 BK",
    "7941BK",
    "12B",
    "+31612345678",
    "0612345678",
    "612345678",
    "riek.secret@example.nl",
    "Jansen",
)


@pytest.fixture
def asker_with_open_request(db, make_user):
    asker = make_user(
        Role.RESIDENT, email="riek.secret@example.nl", name="Riek Jansen", postcode="7941 BK"
    )
    asker.phone = "+31612345678"
    asker.house_number = "12B"
    item = HelpRequest(
        author=asker,
        category_id=1,
        title="Boodschappen",
        description="Graag hulp met boodschappen.",
        postcode="7941 BK",
        house_number="12B",
        pc4="7941",
        lat=asker.lat,
        lon=asker.lon,
        neighbourhood_id=asker.neighbourhood_id,
        posted_for=PostedFor.RESIDENT,
        resident_name="Wilhelminapark Bewoner",
        resident_contact="0612345678",
        starts_at=utcnow(),
        ends_at=utcnow(),
    )
    publish_post(item)
    db.add(item)
    db.commit()
    return asker, item


def _pages(item, asker, offer_id):
    return [
        "/",
        "/hulpvragen",
        "/hulpvragen?q=boodschappen",
        "/hulpvragen?postcode=7942+JD&afstand=5",
        f"/hulpvragen/{item.id}",
        f"/profiel/{asker.id}",
        f"/melden/hulpvraag/{item.id}",
        "/hulpaanbod",
        f"/hulpaanbod/{offer_id}",
        "/vacatures",
    ]


@pytest.mark.parametrize("who", ["anonymous", "volunteer", "neighbour"])
def test_no_address_phone_or_email_reaches_anyone_but_the_asker(
    app, db, make_user, asker_with_open_request, who
):
    asker, item = asker_with_open_request
    client = app.test_client()
    if who != "anonymous":
        role = Role.VOLUNTEER if who == "volunteer" else Role.RESIDENT
        make_user(role, email=f"{who}@example.nl", postcode="7942 JD")
        AuthActions(Forms(client)).login(f"{who}@example.nl")
    offer = Offer(
        author=asker,
        category_id=1,
        title="Ik help graag",
        description="Boodschappen doen",
        pc4=asker.pc4,
        lat=asker.lat,
        lon=asker.lon,
    )
    publish_post(offer)
    db.add(offer)
    db.commit()
    for path in _pages(item, asker, offer.id):
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 302), path
        for secret in SECRETS:
            assert secret not in body, (who, path, secret)
    client.get("/healthz")


def test_the_asker_and_staff_do_see_the_details(app, make_user, asker_with_open_request):
    asker, item = asker_with_open_request
    make_user(Role.STAFF, email="staf@example.nl")
    for email in ("riek.secret@example.nl", "staf@example.nl"):
        client = app.test_client()
        AuthActions(Forms(client)).login(email)
        body = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
        assert "7941 BK" in body and "12B" in body

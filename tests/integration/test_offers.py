"""Volunteers offering help, staff reviewing it, and residents replying."""

import pytest
from sqlalchemy import select

from voorelkaar.audit import ACCESS_EVENTS
from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    Category,
    Neighbourhood,
    Offer,
    OfferReply,
    OutboxMessage,
    RequestState,
    Role,
)
from voorelkaar.offers import services

OFFER = {
    "category": "wandelen",
    "title": "Ik wandel graag met ouderen",
    "description": "Elke dinsdag loop ik een rondje door het park. Loopt u mee?",
    "skills": "wandelen, geduld",
    "when_text": "dinsdagmiddag",
}


@pytest.fixture
def post_offer(forms, auth, volunteer):
    def post(email="vrijwilliger@example.nl", **changes):
        auth.login(email)
        data = {k: v for k, v in {**OFFER, **changes}.items() if v is not None}
        return forms.post("/hulpaanbod/nieuw", data)

    return post


@pytest.fixture
def make_offer(db):
    """An offer stored directly, open unless told otherwise."""

    def make(author, title="Ik wandel graag met ouderen", state=RequestState.OPEN, **changes):
        offer = Offer(
            author=author,
            category=db.scalar(select(Category).where(Category.slug == "wandelen")),
            state=state,
            title=title,
            description="Loopt u mee?",
            pc4=author.pc4,
            lat=author.lat,
            lon=author.lon,
            neighbourhood_id=author.neighbourhood_id,
            published_at=utcnow() if state == RequestState.OPEN else None,
            **changes,
        )
        db.add(offer)
        db.commit()
        return offer

    return make


def test_a_volunteer_offers_help_from_their_own_area_and_it_waits_for_review(
    post_offer, db, volunteer
):
    response = post_offer()
    assert response.status_code == 302
    offer = db.scalar(select(Offer))
    assert offer.state == RequestState.PENDING
    assert (offer.pc4, offer.neighbourhood.name) == ("7941", "Centrum")
    assert offer.skills == "wandelen, geduld"
    assert offer.when_text == "dinsdagmiddag"
    assert db.scalars(
        select(AuditEvent.action).where(AuditEvent.action.not_in(ACCESS_EVENTS))
    ).all() == ["offers.submitted"]


def test_staff_approves_and_anyone_finds_the_offer_without_the_volunteers_details(
    post_offer, forms, auth, client, db, staff
):
    post_offer()
    offer = db.scalar(select(Offer))
    assert "Ik wandel graag" not in client.get("/hulpaanbod").get_data(as_text=True)
    auth.logout()
    auth.login("coordinator@example.nl")
    assert "Ik wandel graag" in client.get("/beheer/te-beoordelen").get_data(as_text=True)
    forms.post(
        f"/beheer/te-beoordelen/aanbod/{offer.id}/goedkeuren", {}, page="/beheer/te-beoordelen"
    )
    db.refresh(offer)
    assert offer.state == RequestState.OPEN
    auth.logout()
    html = client.get("/hulpaanbod").get_data(as_text=True)
    assert "Ik wandel graag met ouderen" in html and "Centrum" in html
    for private in ("Sanne", "de Vries", "7941 AB", "vrijwilliger@example.nl"):
        assert private not in html
    assert client.get(f"/hulpaanbod/{offer.id}").status_code == 302  # details need an account


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "x" * 5000}, "title", "hoogstens 100 tekens"),
        ({"title": ""}, "title", "korte titel"),
        ({"category": "skydiven"}, "category", "uit de lijst"),
        ({"description": ""}, "description", "wat u graag doet"),
        ({"skills": ",".join(f"ding{n}" for n in range(12))}, "skills", "hoogstens 10"),
        ({"when_text": "x" * 201}, "when_text", "hoogstens 200"),
    ],
)
def test_bad_offer_input_is_explained_beside_the_field_and_nothing_is_saved(
    post_offer, db, changes, field, message
):
    response = post_offer(**{"description": "Zoë d'Hondt wandelt graag", **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    start = html.index(f'id="{field}-error"')
    assert message in html[start : start + 400]
    if field != "description":
        assert "Zoë d&#39;Hondt wandelt graag" in html  # what was typed is kept
    assert db.scalar(select(Offer)) is None


def test_only_volunteers_can_offer_help(auth, client, resident):
    auth.login("inwoner@example.nl")
    assert client.get("/hulpaanbod/nieuw").status_code == 403


def test_another_volunteer_cannot_see_change_or_close_an_offer_by_its_id(
    make_offer, forms, auth, client, db, volunteer, make_user
):
    pending = make_offer(volunteer, state=RequestState.PENDING)
    open_offer = make_offer(volunteer, title="Open aanbod")
    make_user(Role.VOLUNTEER, email="ander@example.nl")
    auth.login("ander@example.nl")
    assert client.get(f"/hulpaanbod/{pending.id}").status_code == 404
    assert client.get(f"/hulpaanbod/{open_offer.id}").status_code == 200
    assert client.get(f"/hulpaanbod/{open_offer.id}/bewerken").status_code == 404
    assert forms.post(f"/hulpaanbod/{open_offer.id}/stoppen", {}, page="/").status_code == 404
    db.refresh(open_offer)
    assert open_offer.state == RequestState.OPEN


def test_a_resident_replies_and_the_volunteer_gets_an_email_and_reads_it(
    make_offer, forms, auth, client, db, volunteer, resident, make_user
):
    offer = make_offer(volunteer)
    auth.login("inwoner@example.nl")
    message = "Ik zoek iemand om mee te wandelen op dinsdag. Groet, Riek"
    response = forms.post(f"/hulpaanbod/{offer.id}/reageren", {"message": message})
    assert response.status_code == 302
    reply = db.scalar(select(OfferReply))
    assert (reply.author_id, reply.message) == (resident.id, message)
    mail = db.scalar(select(OutboxMessage))
    assert mail.to_address == "vrijwilliger@example.nl"
    assert mail.subject == "Een bericht over uw hulpaanbod"
    assert message in mail.body_text and "Riek stuurde" in mail.body_text
    assert f"http://localhost/hulpaanbod/{offer.id}" in mail.body_text
    assert "inwoner@example.nl" not in mail.body_text
    assert message in client.get(f"/hulpaanbod/{offer.id}").get_data(as_text=True)

    auth.logout()
    make_user(Role.RESIDENT, email="buur@example.nl")
    auth.login("buur@example.nl")
    assert message not in client.get(f"/hulpaanbod/{offer.id}").get_data(as_text=True)

    auth.logout()
    auth.login("vrijwilliger@example.nl")
    html = client.get(f"/hulpaanbod/{offer.id}").get_data(as_text=True)
    assert message in html and "Riek" in html
    assert "inwoner@example.nl" not in html and "7941 AB" not in html


def test_an_empty_reply_is_explained_and_nothing_is_sent(
    make_offer, forms, auth, db, volunteer, resident
):
    offer = make_offer(volunteer)
    auth.login("inwoner@example.nl")
    response = forms.post(f"/hulpaanbod/{offer.id}/reageren", {"message": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Schrijf een kort bericht" in html[html.index('id="message-error"') :][:300]
    assert db.scalar(select(OfferReply)) is None
    assert db.scalar(select(OutboxMessage)) is None


def test_volunteers_cannot_reply_to_offers(make_offer, forms, auth, volunteer, make_user):
    offer = make_offer(volunteer)
    make_user(Role.VOLUNTEER, email="ander@example.nl")
    auth.login("ander@example.nl")
    response = forms.post(
        f"/hulpaanbod/{offer.id}/reageren", {"message": "Hoi"}, page=f"/hulpaanbod/{offer.id}"
    )
    assert response.status_code == 403


def test_nobody_replies_to_their_own_or_a_closed_offer(
    app, make_offer, db, volunteer, resident, staff
):
    closed = make_offer(volunteer, state=RequestState.CANCELLED)
    own = make_offer(resident)
    with app.test_request_context():
        for sender, offer in ((resident, closed), (resident, own), (staff, closed)):
            with pytest.raises(services.NotAllowed):
                services.reply_to_offer(db, sender, offer, "Hallo")
    assert db.scalar(select(OfferReply)) is None


def test_a_blocked_volunteers_offers_disappear(make_offer, auth, client, db, volunteer, resident):
    offer = make_offer(volunteer)
    assert "Ik wandel graag" in client.get("/hulpaanbod").get_data(as_text=True)
    volunteer.blocked_at = utcnow()
    db.commit()
    assert "Ik wandel graag" not in client.get("/hulpaanbod").get_data(as_text=True)
    auth.login("inwoner@example.nl")
    assert client.get(f"/hulpaanbod/{offer.id}").status_code == 404


def test_the_list_filters_on_wijk_category_text_and_distance(
    make_offer, client, db, volunteer, make_user
):
    far = make_user(Role.VOLUNTEER, email="nijeveen@example.nl", postcode="7948 AA")
    make_offer(volunteer, title="Wandelen in het centrum")
    make_offer(far, title="Klussen in Nijeveen", skills="klussen")
    centrum = db.scalar(select(Neighbourhood).where(Neighbourhood.slug == "centrum"))

    def titles(query):
        html = client.get(f"/hulpaanbod?{query}").get_data(as_text=True)
        return {t for t in ("Wandelen in het centrum", "Klussen in Nijeveen") if t in html}

    assert titles("") == {"Wandelen in het centrum", "Klussen in Nijeveen"}
    assert titles(f"wijk={centrum.id}") == {"Wandelen in het centrum"}
    assert titles("q=KLUSSEN") == {"Klussen in Nijeveen"}
    assert titles("categorie=boodschappen") == set()
    assert titles("postcode=7941+AB&afstand=2") == {"Wandelen in het centrum"}
    html = client.get("/hulpaanbod?postcode=1005+AB").get_data(as_text=True)
    assert 'id="postcode-error"' in html


def test_the_volunteer_closes_an_offer_and_it_leaves_the_list(
    make_offer, forms, auth, client, db, volunteer
):
    offer = make_offer(volunteer)
    auth.login("vrijwilliger@example.nl")
    assert "Ik wandel graag" in client.get("/mijn-aanbod").get_data(as_text=True)
    response = forms.post(f"/hulpaanbod/{offer.id}/stoppen", {}, page=f"/hulpaanbod/{offer.id}")
    assert response.status_code == 302
    db.refresh(offer)
    assert offer.state == RequestState.CANCELLED
    assert "Ik wandel graag" not in client.get("/hulpaanbod").get_data(as_text=True)
    assert db.scalars(
        select(AuditEvent.action).where(AuditEvent.action.not_in(ACCESS_EVENTS))
    ).all() == ["offers.closed"]


def test_a_changed_open_offer_is_reviewed_again_but_staff_edits_are_not(
    make_offer, forms, auth, db, volunteer, staff
):
    offer = make_offer(volunteer)
    auth.login("coordinator@example.nl")
    forms.post(f"/hulpaanbod/{offer.id}/bewerken", {**OFFER, "title": "Door de coördinator"})
    db.refresh(offer)
    assert (offer.title, offer.state) == ("Door de coördinator", RequestState.OPEN)
    auth.logout()
    auth.login("vrijwilliger@example.nl")
    page = f"/hulpaanbod/{offer.id}/bewerken"
    assert "Door de coördinator" in forms.client.get(page).get_data(as_text=True)
    forms.post(page, {**OFFER, "title": "Zoë d'Hondt <script>alert(1)</script>"})
    db.refresh(offer)
    assert offer.state == RequestState.PENDING
    assert offer.title == "Zoë d'Hondt <script>alert(1)</script>"
    html = forms.client.get(f"/hulpaanbod/{offer.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.not_in(ACCESS_EVENTS))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["offers.edited", "offers.submitted"]

"""Lists of posts are paged by the database, in the order and with the totals they always had."""

import math
import random
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar import geo, posts
from voorelkaar.db import utcnow
from voorelkaar.help_requests.services import browse_requests
from voorelkaar.models import (
    Category,
    HelpRequest,
    Offer,
    Organisation,
    OrganisationMember,
    RequestState,
    Role,
    Vacancy,
)
from voorelkaar.offers.services import browse_offers
from voorelkaar.organisations.services import browse_vacancies
from voorelkaar.posts import PAGE_SIZE, Filters

MEPPEL = (52.6958, 6.1944)


def north_of(place, km):
    """A point km due north of place, as near to exactly km away as floats get."""
    lat, lon = place
    return lat + math.degrees(km / geo.EARTH_RADIUS_KM), lon


# The PC4 areas of 7900-7999 (Meppel, Hoogeveen, Zwartewaterland...), and places right on
# the edges that matter: 3 km and the halves between tenths of a km.
PLACES = [(area.lat, area.lon) for n in range(7900, 8000) if (area := geo.lookup_pc4(str(n)))] + [
    north_of(MEPPEL, km) for km in (0.05, 1.05, 1.15, 2.95, 3.0, 3.0000001)
]
CROWDED = north_of(MEPPEL, 2.0)


@pytest.fixture
def around_meppel(db, make_user):
    """About 200 open requests around Meppel, most on the same places as others (so
    distances tie), more than two pages of them 2 km north, and a few closed or from a
    blocked asker, which no list may show. Returns the open ones of unblocked askers."""
    rng = random.Random(20260101)  # noqa: S311 - test data
    asker, blocked = make_user(Role.RESIDENT), make_user(Role.RESIDENT)
    blocked.blocked_at = utcnow()
    published = utcnow()
    requests = []
    for number in range(220):
        lat, lon = CROWDED if number % 4 == 0 else rng.choice(PLACES)
        requests.append(
            HelpRequest(
                author=blocked if number % 40 == 13 else asker,
                category_id=rng.choice((1, 2)),
                title=f"Hulpvraag {number}",
                description="Graag hulp.",
                postcode="7941 AB",
                house_number="1",
                pc4="7941",
                lat=lat,
                lon=lon,
                state=RequestState.DONE if number % 40 == 7 else RequestState.OPEN,
                # Whole hours apart, so several at once: their order is by id.
                published_at=published - timedelta(hours=rng.randrange(30)),
            )
        )
    db.add_all(requests)
    db.commit()
    return [r for r in requests if r.state == RequestState.OPEN and r.author is asker]


def every_page(db, filters):
    """The posts of every page in turn with their distances, and the totals pages gave."""
    first = browse_requests(db, filters, 1)
    pages = [first] + [browse_requests(db, filters, n) for n in range(2, first.pages + 1)]
    assert all(len(page.items) == PAGE_SIZE for page in pages[:-1])
    listed = [(item.post.id, item.distance_km) for page in pages for item in page.items]
    return listed, {page.total for page in pages}


def as_before(db, requests, filters):
    """What the list showed when browsing read every post and sorted them in Python."""
    if filters.category:
        category = db.scalar(select(Category.id).where(Category.slug == filters.category))
        requests = [r for r in requests if r.category_id == category]
    if filters.text:
        requests = [r for r in requests if filters.text in r.title.lower()]
    if filters.near_lat is None:
        newest = sorted(requests, key=lambda r: (r.published_at, r.id), reverse=True)
        return [(r.id, None) for r in newest]
    listed = [
        (r.id, geo.distance_km(filters.near_lat, filters.near_lon, r.lat, r.lon)) for r in requests
    ]
    if filters.within_km:
        listed = [(id_, km) for id_, km in listed if km <= filters.within_km]
    return sorted(listed, key=lambda item: (round(item[1], 1), -item[0]))


NEAR = {"near_lat": MEPPEL[0], "near_lon": MEPPEL[1]}
WAYS_TO_BROWSE = {
    "newest first": Filters(),
    "newest first in a category": Filters(category="wandelen"),
    "nearest first": Filters(**NEAR),
    "within 3 km": Filters(**NEAR, within_km=3),
    "within 10 km": Filters(**NEAR, within_km=10),
    "up to the crowded place": Filters(**NEAR, within_km=geo.distance_km(*MEPPEL, *CROWDED)),
    "within 25 km by text": Filters(near_lat=52.72, near_lon=6.3, within_km=25, text="vraag 1"),
    "nearest first in a category": Filters(**NEAR, category="wandelen"),
}


@pytest.mark.parametrize("filters", WAYS_TO_BROWSE.values(), ids=WAYS_TO_BROWSE.keys())
def test_the_pages_together_are_the_whole_list_in_the_order_it_always_had(
    db, around_meppel, filters
):
    expected = as_before(db, around_meppel, filters)
    assert len(expected) > 2 * PAGE_SIZE  # or the test would prove little
    listed, totals = every_page(db, filters)
    assert listed == expected
    assert totals == {len(expected)}


@pytest.mark.parametrize("filters", WAYS_TO_BROWSE.values(), ids=WAYS_TO_BROWSE.keys())
def test_a_page_past_the_end_is_empty_but_knows_the_total(db, around_meppel, filters):
    first = browse_requests(db, filters, 1)
    beyond = browse_requests(db, filters, first.pages + 1)
    assert (beyond.items, beyond.total, beyond.number) == ([], first.total, first.pages + 1)


def test_nothing_near_gives_one_empty_page(db, around_meppel):
    page = browse_requests(db, Filters(near_lat=51.44, near_lon=5.47, within_km=5), 1)
    assert (page.items, page.total, page.pages) == ([], 0, 1)


@pytest.mark.parametrize("filters", WAYS_TO_BROWSE.values(), ids=WAYS_TO_BROWSE.keys())
def test_a_page_reads_only_its_own_posts(db, around_meppel, filters):
    db.expunge_all()
    page = browse_requests(db, filters, 3)
    read = [item for item in db.identity_map.values() if isinstance(item, HelpRequest)]
    assert len(read) == len(page.items) == PAGE_SIZE


def test_offers_and_vacancies_are_listed_nearest_first_too(db, make_user):
    volunteer = make_user(Role.VOLUNTEER)
    member = make_user(Role.ORGANISATION)
    verified, unverified = (
        Organisation(name="Zorgcentrum", verified_at=utcnow()),
        Organisation(name="Nog niet nagekeken"),
    )
    for organisation in (verified, unverified):
        organisation.members = [OrganisationMember(user=member)]
    shared = {"description": "Graag.", "state": RequestState.OPEN, "pc4": "7941"}
    for km, title in ((4.0, "Ver"), (0.5, "Dichtbij"), (2.0, "Midden")):
        lat, lon = north_of(MEPPEL, km)
        published = {"lat": lat, "lon": lon, "published_at": utcnow(), **shared}
        db.add(Offer(author=volunteer, category_id=2, title=title, **published))
        for organisation in (verified, unverified):
            db.add(
                Vacancy(
                    organisation=organisation, author=member, title=title, hours="1", **published
                )
            )
    db.commit()
    near = Filters(**NEAR, within_km=3)
    for browse in (browse_offers, browse_vacancies):
        page = browse(db, near, 1)
        assert [(item.post.title, round(item.distance_km, 1)) for item in page.items] == [
            ("Dichtbij", 0.5),
            ("Midden", 2.0),
        ]
        assert page.total == 2


FAR_PAST_THE_END = "99999999999999999999"  # more than any database integer holds


@pytest.fixture
def one_of_each(db, make_user, make_request):
    """One public help request, offer and vacancy, all in Meppel."""
    asker, volunteer = make_user(Role.RESIDENT), make_user(Role.VOLUNTEER)
    member = make_user(Role.ORGANISATION)
    make_request(asker, title="Boodschappen doen", postcode="7941 AB")
    organisation = Organisation(name="Zorgcentrum", verified_at=utcnow())
    organisation.members = [OrganisationMember(user=member)]
    shared = {"description": "Graag.", "state": RequestState.OPEN, "pc4": "7941"}
    shared |= {"lat": MEPPEL[0], "lon": MEPPEL[1], "published_at": utcnow()}
    db.add(Offer(author=volunteer, category_id=2, title="Ik kook graag", **shared))
    db.add(Vacancy(organisation=organisation, author=member, title="Rijder", hours="1", **shared))
    db.commit()


@pytest.mark.parametrize(
    ("url", "found", "empty"),
    [
        ("/hulpvragen", "1 hulpvraag gevonden", "Er zijn nu geen hulpvragen die passen."),
        ("/hulpaanbod", "1 aanbod gevonden", "Er is nu geen hulpaanbod dat past."),
        ("/vacatures", "1 vacature gevonden", "Er zijn nu geen vacatures die passen."),
    ],
)
@pytest.mark.parametrize("near", ["", "&postcode=7941+AB"], ids=["newest first", "nearest first"])
def test_a_page_number_far_past_the_end_shows_an_empty_page_not_an_error(
    client, one_of_each, url, found, empty, near
):
    result = client.get(f"{url}?pagina={FAR_PAST_THE_END}{near}")
    assert result.status_code == 200
    html = result.get_data(as_text=True)
    assert found in html and empty in html
    assert client.get(f"{url}?pagina=2{near}").status_code == 200


@pytest.mark.parametrize("filters", WAYS_TO_BROWSE.values(), ids=WAYS_TO_BROWSE.keys())
def test_a_page_far_past_the_end_is_empty_and_reads_no_posts(db, around_meppel, filters):
    first = browse_requests(db, filters, 1)
    db.expunge_all()
    beyond = browse_requests(db, filters, int(FAR_PAST_THE_END))
    assert (beyond.items, beyond.total) == ([], first.total)
    assert not [item for item in db.identity_map.values() if isinstance(item, HelpRequest)]


def test_a_post_matched_while_its_page_is_read_is_left_out_not_an_error(
    app, db, around_meppel, monkeypatch
):
    """Between reading a page's ids and its posts, another request takes one post."""
    ids_by_ring = posts._ids_by_ring
    taken = []

    def then_one_is_matched(*args, **kwargs):
        ids = ids_by_ring(*args, **kwargs)
        with Session(app.extensions["voorelkaar.engine"]) as other:
            other.get(HelpRequest, ids[3]).state = RequestState.MATCHED
            other.commit()
        taken.append(ids[3])
        return ids

    monkeypatch.setattr(posts, "_ids_by_ring", then_one_is_matched)
    page = browse_requests(db, WAYS_TO_BROWSE["nearest first"], 2)
    listed = [item.post.id for item in page.items]
    assert taken and taken[0] not in listed
    assert len(listed) == PAGE_SIZE - 1

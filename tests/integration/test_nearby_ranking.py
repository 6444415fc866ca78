"""The nearby list reads a bounded set in SQL and ranks in one pass: the list must not change."""

import random
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from voorelkaar import geo
from voorelkaar.help_requests.services import publicly_visible
from voorelkaar.matches import services
from voorelkaar.matching import rank
from voorelkaar.models import HelpRequest, Role, ScheduleKind, User, VolunteerSlot
from voorelkaar.moderation.services import publish_post
from voorelkaar.volunteers import nearby

SKILLS = ("boodschappen", "wandelen", "auto rijden", "klussen", "tuinieren", "computer", "")
POSTCODES = ("7941 AB", "7942 JD", "7943 AC", "7944 AA", "7948 AA", "7961 AA", "8331 AA")


def scatter(db, asker, count, seed):
    """Open requests around Meppel: once or weekly, some with a VOG, some far away."""
    rng = random.Random(seed)  # noqa: S311 - test data
    for i in range(count):
        area = geo.locate(rng.choice(POSTCODES))
        start = datetime(2026, 12, 7, rng.choice((9, 14, 19)), tzinfo=UTC) + timedelta(
            days=rng.randrange(14)
        )
        weekly = rng.random() < 0.3
        item = HelpRequest(
            author=asker,
            category_id=1,
            title=f"Hulpvraag {i}",
            description="Graag hulp.",
            skills=", ".join(rng.sample(SKILLS, rng.choice((0, 1, 2)))).strip(", "),
            postcode=area.pc4 + " AB",
            house_number="1",
            pc4=area.pc4,
            lat=area.lat + rng.uniform(-0.02, 0.02),
            lon=area.lon + rng.uniform(-0.03, 0.03),
            schedule=ScheduleKind.WEEKLY if weekly else ScheduleKind.ONCE,
            weekday=rng.randrange(7) if weekly else None,
            start_time=time(14) if weekly else None,
            end_time=time(16) if weekly else None,
            starts_at=None if weekly else start,
            ends_at=None if weekly else start + timedelta(hours=rng.choice((1, 2, 3))),
            requires_vog=rng.random() < 0.15,
        )
        publish_post(item)
        db.add(item)
    db.commit()


def as_before(db, volunteer, limit):
    """The reference: every open request in the travel box, rank() once for each."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(
        volunteer.lat, volunteer.lon, volunteer.travel_km
    )
    requests = db.scalars(
        publicly_visible().where(
            HelpRequest.author_id != volunteer.id,
            HelpRequest.lat.between(min_lat, max_lat),
            HelpRequest.lon.between(min_lon, max_lon),
        )
    ).all()
    me = services.candidate_of(volunteer, services._today())
    found = []
    for request in requests:
        result = rank(services.need_of(request), [me], limit=1)
        if result:
            found.append((request.id, result[0]))
    found.sort(key=lambda pair: (-pair[1].score, pair[1].distance_km, pair[0]))
    return found[:limit]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_bounded_list_is_the_list_of_ranking_every_request_one_by_one(db, make_user, seed):
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    scatter(db, asker, 250, seed)
    rng = random.Random(seed)  # noqa: S311 - test data
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", postcode="7942 JD")
    volunteer.skills = ", ".join(rng.sample(SKILLS, 2))
    for day in rng.sample(range(7), rng.choice((0, 2, 4))):
        volunteer.slots.append(VolunteerSlot(weekday=day, start_time=time(13), end_time=time(18)))
    db.commit()
    for travel_km, vog in ((2.0, None), (10.0, datetime(2030, 1, 1).date()), (25.0, None)):
        volunteer.travel_km, volunteer.vog_valid_until = travel_km, vog
        db.commit()
        me = db.scalar(select(User).where(User.id == volunteer.id))
        found = [(n.request.id, n.ranked) for n in nearby.requests_near(db, me)]
        assert found == as_before(db, me, 50)
        assert found, "the seeded set leaves something to compare"


def test_with_more_requests_near_than_it_reads_the_nearest_are_ranked(db, make_user, monkeypatch):
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    scatter(db, asker, 120, 4)
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", postcode="7942 JD")
    volunteer.travel_km = 25.0
    db.commit()
    monkeypatch.setattr(nearby, "NEARBY_CANDIDATES", 40)
    read = nearby.nearest_open(db, volunteer)
    assert len(read) == 40
    farthest = max(geo.distance_km(volunteer.lat, volunteer.lon, r.lat, r.lon) for r in read)
    others = db.scalars(
        select(HelpRequest).where(HelpRequest.id.not_in([r.id for r in read]))
    ).all()
    # The flat estimate orders as the great circle does, to well within 1%.
    assert all(
        geo.distance_km(volunteer.lat, volunteer.lon, o.lat, o.lon) >= farthest * 0.99
        for o in others
    )
    assert len(nearby.requests_near(db, volunteer, limit=10)) == 10

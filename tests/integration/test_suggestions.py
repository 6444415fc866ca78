"""Suggestions read volunteers in growing circles and stop early; the list must not change."""

import random
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from voorelkaar.matches import services
from voorelkaar.matching import rank
from voorelkaar.models import Role, User, UserRole, VolunteerSlot

SKILLS = ("boodschappen", "wandelen", "auto rijden", "klussen", "tuinieren", "computer", "")


def scatter(db, count, seed):
    """Volunteers around Meppel, some far, some paused, some with slots or a VOG."""
    rng = random.Random(seed)  # noqa: S311 - test data
    for i in range(count):
        spread = rng.choice((0.02, 0.1, 0.4))
        user = User(
            email=f"v{seed}-{i}@example.nl",
            name=f"Vrijwilliger {i}",
            password_hash="x",
            postcode="7941 AB",
            house_number="1",
            pc4="7941",
            lat=52.69 + rng.uniform(-spread, spread),
            lon=6.19 + rng.uniform(-spread, spread) * 1.6,
            skills=", ".join(rng.sample(SKILLS, 2)),
            available=rng.random() > 0.1,
            travel_km=rng.choice((1.0, 2.0, 5.0, 10.0, 25.0)),
            vog_valid_until=date.today() + timedelta(days=rng.choice((-5, 300))),
        )
        user.roles.append(UserRole(role=rng.choice((Role.VOLUNTEER,) * 9 + (Role.RESIDENT,))))
        for weekday in rng.sample(range(7), rng.choice((0, 1, 3))):
            start = rng.choice((9, 13, 19))
            user.slots.append(
                VolunteerSlot(weekday=weekday, start_time=time(start), end_time=time(start + 3))
            )
        db.add(user)
    db.commit()


def everyone_in_reach(db, request, limit):
    """The reference: every volunteer in the database ranked at once, without any prefilter."""
    today = services._today()
    volunteers = db.scalars(
        select(User)
        .join(UserRole)
        .where(
            UserRole.role == Role.VOLUNTEER, User.available.is_(True), User.id != request.author_id
        )
    ).all()
    return rank(
        services.need_of(request),
        [services.candidate_of(v, today) for v in volunteers],
        limit=limit,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_early_stop_gives_the_same_list_as_ranking_everyone(
    db, in_app, make_user, make_request, seed
):
    scatter(db, 300, seed)
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    requests = [
        make_request(asker, title="Boodschappen", postcode="7941 AB", skills="boodschappen"),
        make_request(asker, title="Zonder wensen", postcode="7943 AC"),
        make_request(
            asker, title="Met VOG", postcode="7942 JD", skills="wandelen", requires_vog=True
        ),
        make_request(
            asker,
            title="Op het platteland",
            postcode="7961 AA",
            skills="klussen, computer",
            weekday=5,
        ),
    ]
    with in_app():
        for request in requests:
            for limit in (1, 5, 10, 40):
                found = services.suggest_volunteers(db, request, limit=limit)
                expected = everyone_in_reach(db, request, limit)
                assert [s.ranked for s in found] == expected, (request.title, limit)
                assert [s.volunteer.id for s in found] == [r.candidate_id for r in expected]


def test_a_request_far_from_everyone_gets_no_suggestions(db, in_app, make_user, make_request):
    scatter(db, 50, 4)
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    request = make_request(asker, title="Op Texel", postcode="1791 AA")
    with in_app():
        assert services.suggest_volunteers(db, request) == []

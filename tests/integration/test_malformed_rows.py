"""A malformed row written past the forms is skipped and logged, and no page fails on it."""

import logging
from datetime import date, time, timedelta

import pytest
from sqlalchemy import insert, select

from voorelkaar import geo
from voorelkaar.db import utcnow
from voorelkaar.models import HelpRequest, Match, MatchState, Role, User, VolunteerSlot


def insert_request(db, author, municipality, title, **when):
    """An open request in 7941, inserted as SQL so no form or model check sees it."""
    area, now = geo.locate("7941 AB"), utcnow()
    return db.execute(
        insert(HelpRequest.__table__)
        .values(
            author_id=author.id,
            category_id=1,
            state="open",
            title=title,
            description="Graag hulp.",
            skills="boodschappen",
            posted_for="self",
            postcode="7941 AB",
            house_number="1",
            pc4=area.pc4,
            lat=area.lat,
            lon=area.lon,
            municipality_id=municipality.id,
            volunteers_needed=1,
            confirmed_count=0,
            vulnerable=False,
            requires_vog=False,
            resident_shares_contact=False,
            created_at=now,
            updated_at=now,
            published_at=now,
            **when,
        )
        .returning(HelpRequest.__table__.c.id)
    ).scalar_one()


@pytest.fixture
def malformed(db, meppel, make_user, make_request):
    """Two requests whose time ends before it starts, one sound one, and a volunteer
    with a slot that ends before it starts, all in Meppel."""
    asker = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    odd = make_user(Role.VOLUNTEER, email="odd@example.nl", name="Otto Dijk")
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    sound = make_request(
        asker, title="Boodschappen doen", postcode="7941 AB", skills="boodschappen"
    )
    now = utcnow()
    weekly = insert_request(
        db,
        asker,
        meppel,
        "Elke week, achterstevoren",
        schedule="weekly",
        weekday=1,
        start_time=time(16),
        end_time=time(14),
        until=date.today() + timedelta(days=60),
    )
    once = insert_request(
        db,
        asker,
        meppel,
        "Eenmalig, achterstevoren",
        schedule="once",
        starts_at=now + timedelta(days=3, hours=2),
        ends_at=now + timedelta(days=3),
    )
    db.execute(
        insert(VolunteerSlot.__table__).values(
            user_id=odd.id, weekday=1, start_time=time(18), end_time=time(9)
        )
    )
    # The volunteer offered help on the weekly one, so it shows on pages about her offers.
    db.execute(
        insert(Match.__table__).values(
            request_id=weekly,
            volunteer_id=volunteer.id,
            state=MatchState.OFFERED.value,
            offered_at=now,
            created_at=now,
        )
    )
    db.commit()
    return {"sound": sound.id, "weekly": weekly, "once": once, "odd": odd.id}


PAGES = {
    "sanne@example.nl": ["/", "/hulpvragen", "/bij-mij-in-de-buurt", "/mijn-inzet"],
    "riek@example.nl": ["/", "/hulpvragen", "/mijn-hulpvragen"],
    "staf@example.nl": ["/", "/hulpvragen", "/overzicht/hulpvragen", "/taken", "/cijfers"],
}


@pytest.mark.parametrize("email", sorted(PAGES))
def test_every_page_opens_with_a_malformed_request_in_the_database(auth, client, malformed, email):
    auth.login(email)
    requests = (malformed[kind] for kind in ("sound", "weekly", "once"))
    for page in [*PAGES[email], *(f"/hulpvragen/{id_}" for id_ in requests)]:
        status = client.get(page).status_code
        assert status == 200, f"{page} as {email}: {status}"


def test_nearby_skips_the_malformed_request_logs_its_id_and_shows_the_rest(
    auth, client, malformed, caplog
):
    auth.login("sanne@example.nl")
    with caplog.at_level(logging.WARNING):
        html = client.get("/bij-mij-in-de-buurt").get_data(as_text=True)
    assert "Boodschappen doen" in html
    assert "Elke week, achterstevoren" not in html
    skipped = [r for r in caplog.records if r.name.startswith("voorelkaar")]
    assert any(str(malformed["weekly"]) in r.getMessage() for r in skipped)
    # The request's id, nothing about the people in it.
    assert not any("Riek" in r.getMessage() or "@" in r.getMessage() for r in skipped)


def test_staff_still_get_suggestions_without_the_volunteer_whose_week_is_malformed(
    auth, client, db, malformed, caplog
):
    auth.login("staf@example.nl")
    with caplog.at_level(logging.WARNING):
        html = client.get(f"/hulpvragen/{malformed['sound']}").get_data(as_text=True)
    assert "Sanne de Vries" in html
    assert "Otto Dijk" not in html
    assert any(str(malformed["odd"]) in r.getMessage() for r in caplog.records)
    odd = db.scalar(select(User).where(User.id == malformed["odd"]))
    assert not any(odd.name in r.getMessage() for r in caplog.records)

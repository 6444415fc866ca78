"""The staff's Today page: each kind of waiting work is listed, one click from acting,
and leaves the page when it is handled; another municipality's work never shows."""

from datetime import timedelta

import pytest

from voorelkaar.db import utcnow
from voorelkaar.models import (
    HelpRequest,
    Organisation,
    OrganisationMember,
    Referral,
    Report,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
)
from voorelkaar.tasks.services import local_today


@pytest.fixture
def waiting(db, make_user, make_request, staff):
    """One of each kind of waiting work in Meppel."""
    resident = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    volunteer = make_user(Role.VOLUNTEER, email="sem@example.nl", name="Sem Hoekstra")
    volunteer.vog_valid_until = local_today() + timedelta(days=10)
    pending = make_request(resident, title="Wacht op beoordeling", postcode="7941 AB")
    pending.state, pending.published_at = RequestState.PENDING, None
    stale = make_request(resident, title="Niemand pakte dit op", postcode="7941 AB")
    stale.published_at = utcnow() - timedelta(days=9)
    db.flush()
    db.add_all(
        [
            Report(
                reporter_id=volunteer.id,
                subject_type="help_requests",
                subject_id=stale.id,
                reason="Vreemd",
            ),
            StaffTask(key="today:1", kind=TaskKind.MAIL_FAILED, person=resident, detail="Mail"),
            StaffTask(
                key="today:2",
                kind=TaskKind.MANUAL,
                title="Bel Riek terug",
                person=resident,
                claimed_by_id=staff.id,
                claimed_at=utcnow(),
                follow_up_on=local_today(),
            ),
            StaffTask(
                key="today:3",
                kind=TaskKind.MANUAL,
                title="Later",
                person=resident,
                follow_up_on=local_today() + timedelta(days=5),
            ),
            Referral(
                consultant_id=make_user(Role.CONSULTANT, email="wmo@example.nl").id,
                resident_name="Jan Kok",
                postcode="7941 AB",
                house_number="4",
                consent_date=local_today(),
                category_id=1,
                title="Boodschappen",
                description="Hulp bij boodschappen",
                code="TODAY001",
                expires_at=utcnow() + timedelta(days=3),
            ),
        ]
    )
    organisation = Organisation(name="Buurthuis De Plataan")
    organisation.members.append(OrganisationMember(user=resident))
    db.add(organisation)
    db.commit()
    return {"pending": pending, "stale": stale, "volunteer": volunteer}


def page_of(client, auth, person) -> str:
    auth.login(person.email)
    text = client.get("/vandaag").get_data(as_text=True)
    auth.logout()
    return text


def test_today_lists_each_kind_of_waiting_work_with_a_link_to_act(client, auth, waiting, staff):
    page = page_of(client, auth, staff)
    for text in (
        "Wacht op beoordeling",  # a post to review
        "Melding ",  # a report
        "E-mail kwam niet aan",  # an unclaimed task
        "Bel Riek terug",  # my follow-up, due today
        "Niemand pakte dit op",  # a request nobody took
        "Jan Kok",  # a referral about to expire
        "Sem Hoekstra",  # a VOG about to end
        "Buurthuis De Plataan",  # an organisation to approve
    ):
        assert text in page, text
    assert "Later" not in page  # a follow-up date in the future waits until that day
    assert f'href="/hulpvragen/{waiting["stale"].id}"' in page
    assert f'href="/beheer/gebruikers/{waiting["volunteer"].id}/vog"' in page


def test_handled_work_leaves_the_page_until_nothing_waits(client, auth, db, waiting, staff):
    from sqlalchemy import select, update

    db.execute(update(HelpRequest).values(state=RequestState.CANCELLED))
    db.execute(update(Report).values(handled_at=utcnow()))
    db.execute(update(StaffTask).values(closed_at=utcnow()))
    db.execute(update(Referral).values(withdrawn_at=utcnow()))
    waiting["volunteer"].vog_valid_until = local_today() + timedelta(days=400)
    for organisation in db.scalars(select(Organisation)):
        organisation.verified_at, organisation.verified_by_id = utcnow(), staff.id
    db.commit()
    assert "Er wacht nu niets op u." in page_of(client, auth, staff)


def test_another_municipality_s_staff_see_none_of_it(client, auth, make_user, waiting, westerveld):
    other = make_user(Role.STAFF, email="staf@westerveld.example.nl", postcode="7971 AB")
    page = page_of(client, auth, other)
    assert "Er wacht nu niets op u." in page
    for text in ("Wacht op beoordeling", "Niemand pakte dit op", "Jan Kok", "Sem Hoekstra"):
        assert text not in page


def test_a_task_handed_over_shows_on_the_colleague_s_today(client, auth, db, make_user, staff):
    colleague = make_user(Role.STAFF, email="collega@example.nl", name="Anna de Vries")
    resident = make_user(Role.RESIDENT, email="riek@example.nl")
    db.add(
        StaffTask(
            key="today:handed",
            kind=TaskKind.MANUAL,
            title="Overgedragen taak",
            person=resident,
            claimed_by_id=colleague.id,
            claimed_at=utcnow(),
        )
    )
    db.commit()
    assert "Overgedragen taak" in page_of(client, auth, colleague)
    assert "Overgedragen taak" not in page_of(client, auth, staff)

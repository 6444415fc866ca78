"""Tasks that follow the case: they close themselves when their subject resolves, name it,
take a follow-up date, go to a colleague, and can be made by hand on a person."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from
from voorelkaar.carers import services as carers
from voorelkaar.db import utcnow
from voorelkaar.help_requests import services as requests
from voorelkaar.help_requests.jobs import chase_open_requests
from voorelkaar.matches import services as matches
from voorelkaar.models import (
    AuditEvent,
    Checkin,
    CheckinAnswer,
    HelpRequest,
    Referral,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
)
from voorelkaar.referrals import services as referrals
from voorelkaar.tasks.services import local_today, open_task


@pytest.fixture
def sanne(make_user):
    return make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")


@pytest.fixture
def piet(make_user):
    return make_user(Role.VOLUNTEER, email="piet@example.nl", name="Piet Kok")


@pytest.fixture
def colleague(make_user):
    return make_user(Role.STAFF, email="collega@example.nl", name="Kees de Boer")


@pytest.fixture
def boodschappen(make_request, resident):
    return make_request(resident, title="Boodschappen doen", postcode="7941 BK")


@pytest.fixture
def tuin(make_request, resident):
    return make_request(resident, title="Tuin opruimen", postcode="7941 BK")


def task(db, kind, key, **subjects) -> StaffTask:
    made = open_task(db, key=key, kind=kind, **subjects)
    db.commit()
    return made


def fresh(db, item: StaffTask) -> StaffTask:
    db.expire_all()
    return db.get(StaffTask, item.id)


def closed_itself(db, item: StaffTask, words: str) -> bool:
    item = fresh(db, item)
    return (
        item.closed_at is not None
        and item.closed_by_id is None
        and item.closed_reason is not None
        and item.closed_reason.startswith("Vanzelf gesloten")
        and words in item.closed_reason
    )


def is_open(db, item: StaffTask) -> bool:
    return fresh(db, item).closed_at is None


# Each kind closes itself when its subject resolves ---------------------------------------


def test_nobody_found_task_closes_when_a_volunteer_is_confirmed_and_not_for_another_request(
    db, in_app, resident, staff, sanne, boodschappen, tuin
):
    mine = task(db, TaskKind.REQUEST_UNMATCHED, "u1", person=resident, request=boodschappen)
    other = task(db, TaskKind.REQUEST_UNMATCHED, "u2", person=resident, request=tuin)
    with in_app():
        match = matches.offer_help(db, sanne, boodschappen)
        assert is_open(db, mine)  # an offer alone resolves nothing
        matches.confirm_match(db, staff, match)
    assert closed_itself(db, mine, "vrijwilliger bevestigd")
    assert is_open(db, other)


def test_request_tasks_close_when_the_request_is_withdrawn(
    db, in_app, resident, boodschappen, tuin
):
    unmatched = task(db, TaskKind.REQUEST_UNMATCHED, "u1", person=resident, request=boodschappen)
    cancelled = task(db, TaskKind.MATCH_CANCELLED, "c1", person=resident, request=boodschappen)
    other = task(db, TaskKind.REQUEST_UNMATCHED, "u2", person=resident, request=tuin)
    with in_app():
        requests.cancel_request(db, resident, boodschappen)
    assert closed_itself(db, unmatched, "ingetrokken")
    assert closed_itself(db, cancelled, "ingetrokken")
    assert is_open(db, other)


def test_nobody_found_task_closes_when_the_request_expires(
    db, in_app, resident, boodschappen, tuin
):
    now = utcnow()
    boodschappen.published_at = now - timedelta(days=31)
    boodschappen.still_needed_asked_at = now - timedelta(days=17)
    tuin.published_at = now - timedelta(days=8)
    db.commit()
    mine = task(
        db, TaskKind.REQUEST_UNMATCHED, f"unmatched:{boodschappen.id}", request=boodschappen
    )
    with in_app():
        from voorelkaar.db import get_session

        chase_open_requests(get_session(), now)
    assert db.get(HelpRequest, boodschappen.id).state == RequestState.EXPIRED
    assert closed_itself(db, mine, "verlopen")
    other = db.scalar(select(StaffTask).where(StaffTask.request_id == tuin.id))
    assert other is not None and other.closed_at is None  # made by the same run, still open


def test_failed_help_task_closes_when_staff_mark_the_request_done(
    db, in_app, resident, staff, sanne, boodschappen
):
    with in_app():
        match = matches.offer_help(db, sanne, boodschappen)
        matches.confirm_match(db, staff, match)
    failed = task(
        db, TaskKind.MATCH_FAILED, "f1", person=resident, match=match, request=boodschappen
    )
    with in_app():
        matches.complete_match(db, staff, match, 2.0)
    assert closed_itself(db, failed, "afgerond")


def test_failed_or_cancelled_help_closes_when_a_new_volunteer_is_confirmed(
    db, in_app, resident, staff, sanne, piet, boodschappen, tuin
):
    with in_app():
        first = matches.offer_help(db, sanne, boodschappen)
        matches.confirm_match(db, staff, first)
        matches.cancel_match(db, sanne, first, "Ik ben ziek.")
    cancelled = task(db, TaskKind.MATCH_CANCELLED, "c1", match=first, request=boodschappen)
    failed = task(db, TaskKind.MATCH_FAILED, "f1", match=first, request=boodschappen)
    elsewhere = task(db, TaskKind.MATCH_CANCELLED, "c2", request=tuin)
    with in_app():
        second = matches.offer_help(db, piet, boodschappen)
        assert is_open(db, cancelled)
        matches.confirm_match(db, staff, second)
    assert closed_itself(db, cancelled, "vrijwilliger bevestigd")
    assert closed_itself(db, failed, "vrijwilliger bevestigd")
    assert is_open(db, elsewhere)


def test_unanswered_offer_task_closes_when_that_offer_is_answered_not_another(
    db, in_app, resident, staff, sanne, piet, boodschappen
):
    boodschappen.volunteers_needed = 2
    db.commit()
    with in_app():
        hers = matches.offer_help(db, sanne, boodschappen)
        his = matches.offer_help(db, piet, boodschappen)
    her_task = task(db, TaskKind.OFFER_UNANSWERED, "o1", match=hers, request=boodschappen)
    his_task = task(db, TaskKind.OFFER_UNANSWERED, "o2", match=his, request=boodschappen)
    with in_app():
        matches.decline_offer(db, resident, hers)
    assert closed_itself(db, her_task, "aanbod is beantwoord")
    assert is_open(db, his_task)
    with in_app():
        matches.confirm_match(db, resident, his)
    assert closed_itself(db, his_task, "beantwoord")


def test_unanswered_offer_task_closes_when_the_volunteer_withdraws_the_offer(
    db, in_app, resident, sanne, boodschappen
):
    with in_app():
        offer = matches.offer_help(db, sanne, boodschappen)
    waiting = task(db, TaskKind.OFFER_UNANSWERED, "o1", match=offer, request=boodschappen)
    with in_app():
        matches.cancel_match(db, sanne, offer, "Toch geen tijd.")
    assert closed_itself(db, waiting, "trok het aanbod in")


def checkin_of(db, carer, days_ago: int) -> Checkin:
    sent = utcnow() - timedelta(days=days_ago)
    checkin = Checkin(carer_id=carer.id, due_on=sent.date(), sent_at=sent)
    db.add(checkin)
    db.commit()
    return checkin


@pytest.mark.parametrize("kind", [TaskKind.CHECKIN_HEAVY, TaskKind.CHECKIN_SILENT])
@pytest.mark.parametrize(
    ("answer", "closes"),
    [(CheckinAnswer.GOOD, True), (CheckinAnswer.COPING, True), (CheckinAnswer.HEAVY, False)],
)
def test_checkin_task_closes_when_a_later_checkin_is_answered_well(
    db, in_app, carer, make_user, kind, answer, closes
):
    other_carer = make_user(Role.CARER, email="ander@example.nl", name="Ans Smit")
    earlier, later = checkin_of(db, carer, 28), checkin_of(db, carer, 1)
    theirs = checkin_of(db, other_carer, 28)
    mine = task(db, kind, "k1", person=carer, checkin=earlier)
    not_mine = task(db, kind, "k2", person=other_carer, checkin=theirs)
    with in_app():
        carers.answer_checkin(db, later, carer, answer, "", utcnow())
    if closes:
        assert closed_itself(db, mine, "antwoordde later")
    else:
        assert is_open(db, mine)
    assert is_open(db, not_mine)


@pytest.fixture
def referral(db, in_app, consultant):
    details = referrals.ReferralDetails(
        resident_name="Riek Jansen",
        email="riek@example.nl",
        phone="06 12345678",
        postcode="7941 BK",
        house_number="12",
        consent_date=date.today(),
        category_id=1,
        title="Boodschappen doen",
        description="Mevrouw zoekt hulp bij de boodschappen.",
        wanted_when="dinsdagmiddag",
    )
    with in_app():
        from voorelkaar.db import get_session

        session = get_session()
        made = referrals.create_referral(session, session.merge(consultant), details)
        referral_id = made.id
    return db.get(Referral, referral_id)


def test_referral_task_closes_when_the_resident_accepts_and_not_for_another_referral(
    db, in_app, referral, resident, consultant
):
    mine = task(db, TaskKind.REFERRAL_EXPIRED, "r1", referral=referral)
    call = task(db, TaskKind.CALL_PERSON, "r2", referral=referral)  # made for a person: stays
    with in_app():
        referrals.accept_as(db, referral, resident)
    assert closed_itself(db, mine, "reageerde op de uitnodiging")
    assert is_open(db, call)
    assert fresh(db, mine).municipality_id == referral.municipality_id


def test_manual_and_mail_tasks_do_not_close_themselves(
    db, in_app, resident, staff, sanne, boodschappen
):
    kept = [
        task(db, kind, f"m{n}", person=resident, request=boodschappen)
        for n, kind in enumerate((TaskKind.MAIL_FAILED, TaskKind.CALL_PERSON, TaskKind.MANUAL))
    ]
    with in_app():
        match = matches.offer_help(db, sanne, boodschappen)
        matches.confirm_match(db, staff, match)
        requests.cancel_request(db, resident, boodschappen)
    assert all(is_open(db, item) for item in kept)


# Every task names its subject --------------------------------------------------------------


def test_no_task_page_says_we_do_not_know_for_whom(
    db, in_app, auth, client, staff, resident, carer, sanne, boodschappen, referral, consultant
):
    with in_app():
        match = matches.offer_help(db, sanne, boodschappen)
    checkin = checkin_of(db, carer, 3)
    withdrawn = task(db, TaskKind.REFERRAL_EXPIRED, "w", referral=referral)
    made = {
        TaskKind.REQUEST_UNMATCHED: task(db, TaskKind.REQUEST_UNMATCHED, "a", request=boodschappen),
        TaskKind.MATCH_FAILED: task(db, TaskKind.MATCH_FAILED, "b", match=match),
        TaskKind.CHECKIN_HEAVY: task(db, TaskKind.CHECKIN_HEAVY, "c", checkin=checkin),
        TaskKind.CHECKIN_SILENT: task(db, TaskKind.CHECKIN_SILENT, "d", person=carer),
        TaskKind.MAIL_FAILED: task(db, TaskKind.MAIL_FAILED, "e", detail="Herinnering"),
        TaskKind.WEBHOOK_FAILED: task(
            db, TaskKind.WEBHOOK_FAILED, "webhook-given-up", detail="Zaaksysteem"
        ),
        TaskKind.MATCH_CANCELLED: task(db, TaskKind.MATCH_CANCELLED, "g", match=match),
        TaskKind.OFFER_UNANSWERED: task(db, TaskKind.OFFER_UNANSWERED, "h", match=match),
        TaskKind.CALL_PERSON: task(db, TaskKind.CALL_PERSON, "i", person=resident, detail="Bel"),
        TaskKind.CIRCLE_STUCK: task(
            db, TaskKind.CIRCLE_STUCK, "j", person=resident, request=boodschappen
        ),
        TaskKind.NETWORK_COACH: task(
            db, TaskKind.NETWORK_COACH, "k", person=resident, detail="Toestemming gegeven"
        ),
    }
    auth.login(staff.email)
    other = _second_referral(db, in_app, consultant)
    made[TaskKind.REFERRAL_EXPIRED] = task(db, TaskKind.REFERRAL_EXPIRED, "f", referral=other)
    response = client.post(
        f"/mensen/{resident.id}/taak",
        data=_manual(client, resident, title="Terugbellen over de tuin"),
    )
    assert response.status_code == 302
    made[TaskKind.MANUAL] = db.scalar(select(StaffTask).where(StaffTask.kind == TaskKind.MANUAL))
    with in_app():
        referrals.withdraw_referral(db, consultant, referral)
    assert set(made) == set(TaskKind)

    pages = {
        kind: client.get(f"/taken/{item.id}").get_data(as_text=True) for kind, item in made.items()
    }
    pages["withdrawn"] = client.get(f"/taken/{withdrawn.id}").get_data(as_text=True)
    pages["list"] = client.get("/taken").get_data(as_text=True)
    pages["closed"] = client.get("/taken?toon=afgesloten").get_data(as_text=True)
    for name, page in pages.items():
        assert "weten we niet" not in page, name
    assert "Ans de Wit" in pages[TaskKind.REFERRAL_EXPIRED]
    assert "06 87654321" in pages[TaskKind.REFERRAL_EXPIRED]
    assert "ingetrokken verwijzing" in pages["withdrawn"]
    assert "Riek Jansen" not in pages["withdrawn"]
    assert f"/hulpvragen/{boodschappen.id}" in pages[TaskKind.REQUEST_UNMATCHED]
    assert "Terugbellen over de tuin" in pages[TaskKind.MANUAL]
    assert (
        "mantelzorger@example.nl" in pages[TaskKind.CHECKIN_HEAVY]
    )  # the carer, from the check-in
    assert "account van deze persoon is verwijderd" in pages[TaskKind.MAIL_FAILED]
    assert "account van deze persoon is verwijderd" not in pages[TaskKind.MATCH_FAILED]
    assert "Vanzelf gesloten: de inwoner trok de toestemming in." in pages["withdrawn"]
    assert "Vanzelf gesloten: de inwoner trok de toestemming in." in pages["closed"]
    listed = pages["list"]
    assert "Ans de Wit" in listed and f"/hulpvragen/{boodschappen.id}" in listed
    assert "Terugbellen over de tuin" in listed and f"/mensen/{resident.id}" in listed


def _second_referral(db, in_app, consultant) -> Referral:
    details = referrals.ReferralDetails(
        resident_name="Ans de Wit",
        email=None,
        phone="06 87654321",
        postcode="7941 BK",
        house_number="3",
        consent_date=date.today(),
        category_id=1,
        title="Vervoer",
        description="Naar de huisarts.",
        wanted_when="",
    )
    with in_app():
        from voorelkaar.db import get_session

        session = get_session()
        made = referrals.create_referral(session, session.merge(consultant), details)
        referral_id = made.id
    return db.get(Referral, referral_id)


# Follow-up, hand-over and tasks made by hand -----------------------------------------------


def _manual(client, person, **data) -> dict:
    html = client.get(f"/mensen/{person.id}/taak").get_data(as_text=True)
    token = html.split('name="form_token" type="hidden" value="')[1].split('"')[0]
    return {"csrf_token": csrf_token_from(html), "form_token": token, "note": "", **data}


def test_a_follow_up_date_in_the_past_is_refused_politely_and_today_is_kept(
    db, auth, client, staff, resident
):
    item = task(db, TaskKind.REQUEST_UNMATCHED, "x", person=resident)
    auth.login(staff.email)
    page = client.get(f"/taken/{item.id}").get_data(as_text=True)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    refused = client.post(
        f"/taken/{item.id}/opvolgen",
        data={"csrf_token": csrf_token_from(page), "follow_up_on": yesterday},
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Kies een datum vanaf vandaag" in text and yesterday in text
    assert fresh(db, item).follow_up_on is None
    wrong = client.post(
        f"/taken/{item.id}/opvolgen",
        data={"csrf_token": csrf_token_from(page), "follow_up_on": "31-2-2027"},
    )
    assert wrong.status_code == 200 and "Vul een datum in zoals" in wrong.get_data(as_text=True)

    today = local_today().isoformat()
    done = client.post(
        f"/taken/{item.id}/opvolgen",
        data={"csrf_token": csrf_token_from(page), "follow_up_on": today},
    )
    assert done.status_code == 302
    assert fresh(db, item).follow_up_on == local_today()
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "staff_tasks.follow_up"))
    assert "Opvolgen op" in client.get("/taken").get_data(as_text=True)


def test_a_task_goes_only_to_a_colleague_of_the_same_municipality(
    db, auth, client, make_user, westerveld, staff, colleague, resident
):
    elsewhere = make_user(
        Role.STAFF, email="havelte@example.nl", name="Hans Havelte", postcode="7971 AB"
    )
    assert elsewhere.municipality_id == westerveld.id
    item = task(db, TaskKind.REQUEST_UNMATCHED, "x", person=resident)
    auth.login(staff.email)
    page = client.get(f"/taken/{item.id}").get_data(as_text=True)
    assert "Kees de Boer" in page and "Hans Havelte" not in page
    refused = client.post(
        f"/taken/{item.id}/overdragen",
        data={"csrf_token": csrf_token_from(page), "colleague": str(elsewhere.id)},
    )
    assert refused.status_code == 200
    assert "Kies een collega uit de lijst" in refused.get_data(as_text=True)
    assert fresh(db, item).claimed_by_id is None

    handed = client.post(
        f"/taken/{item.id}/overdragen",
        data={"csrf_token": csrf_token_from(page), "colleague": str(colleague.id)},
    )
    assert handed.status_code == 302
    assert fresh(db, item).claimed_by_id == colleague.id
    row = db.scalar(select(AuditEvent).where(AuditEvent.action == "staff_tasks.handed_over"))
    assert row.actor_id == staff.id and row.reason == f"aan gebruiker #{colleague.id}"

    auth.logout()
    auth.login(colleague.email)
    mine = client.get("/taken?toon=mijn").get_data(as_text=True)
    assert "Mijn taken (1)" in mine and "1 open taak van u" in mine


def test_a_task_made_by_hand_is_made_once_however_often_it_is_sent(
    db, auth, client, staff, colleague, resident
):
    auth.login(staff.email)
    person_page = client.get(f"/mensen/{resident.id}").get_data(as_text=True)
    assert f"/mensen/{resident.id}/taak" in person_page and "Taak maken" in person_page
    data = _manual(
        client,
        resident,
        title="Terugbellen",
        note="Vraag naar de boodschappen.",
        follow_up_on=(local_today() + timedelta(days=3)).isoformat(),
        colleague=str(colleague.id),
    )
    first = client.post(f"/mensen/{resident.id}/taak", data=data)
    again = client.post(f"/mensen/{resident.id}/taak", data=data)
    assert first.status_code == again.status_code == 302
    assert first.location == again.location
    (made,) = db.scalars(select(StaffTask).where(StaffTask.kind == TaskKind.MANUAL)).all()
    assert made.title == "Terugbellen" and made.person_id == resident.id
    assert made.claimed_by_id == colleague.id
    assert made.municipality_id == resident.municipality_id
    assert made.follow_up_on == local_today() + timedelta(days=3)
    assert "Terugbellen" in client.get(f"/mensen/{resident.id}").get_data(as_text=True)


def test_a_task_made_by_hand_without_a_title_or_with_a_past_date_keeps_what_was_typed(
    db, auth, client, staff, resident
):
    auth.login(staff.email)
    past = (local_today() - timedelta(days=2)).isoformat()
    response = client.post(
        f"/mensen/{resident.id}/taak",
        data=_manual(client, resident, title="", note="Bel na drieën", follow_up_on=past),
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Schrijf kort wat er moet gebeuren" in text and "Kies een datum vanaf vandaag" in text
    assert "Bel na drieën" in text
    assert db.scalar(select(StaffTask)) is None


def test_staff_of_another_municipality_cannot_make_a_task_on_a_person(
    db, auth, client, make_user, westerveld, resident
):
    elsewhere = make_user(Role.STAFF, email="havelte@example.nl", postcode="7971 AB")
    auth.login(elsewhere.email)
    assert client.get(f"/mensen/{resident.id}/taak").status_code == 404

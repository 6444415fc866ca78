"""The staff queue: tasks made once per cause, claimed by one person, closed with an outcome."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from voorelkaar.audit import ACCESS_EVENTS
from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    Checkin,
    CheckinAnswer,
    Match,
    Role,
    StaffTask,
    TaskKind,
    User,
)
from voorelkaar.tasks import services


@pytest.fixture
def make_task(db):
    """Open a task as a job would; returns it, committed."""
    counter = iter(range(1, 10_000))

    def make(kind=TaskKind.REQUEST_UNMATCHED, *, key=None, created_at=None, **fields):
        task = services.open_task(db, key=key or f"test:{next(counter)}", kind=kind, **fields)
        if created_at is not None:
            task.created_at = created_at
        db.commit()
        return task

    return make


@pytest.fixture
def colleague(make_user):
    return make_user(Role.STAFF, email="collega@example.nl", name="Kees de Boer")


def audit_actions(db) -> list[str]:
    """What staff did to tasks; looking at a person's record is counted apart."""
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action != "records.viewed", AuditEvent.action.not_in(ACCESS_EVENTS))
            .order_by(AuditEvent.id)
        )
    )


def test_opening_a_task_about_someone_writes_who_looked_and_why(
    auth, client, db, staff, resident, make_task
):
    task = make_task(person=resident)
    auth.login(staff.email)
    assert client.get(f"/taken/{task.id}").status_code == 200
    (event,) = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.not_in(ACCESS_EVENTS))
        .where(AuditEvent.action == "records.viewed")
    ).all()
    assert event.actor_id == staff.id and event.subject_id == task.person_id
    assert event.reason == f"taak {task.id}"


def test_a_job_that_runs_twice_opens_one_task(db, carer):
    first = services.open_task(
        db, key="checkin-heavy:1", kind=TaskKind.CHECKIN_HEAVY, person=carer, detail="Zwaar"
    )
    db.commit()
    again = services.open_task(db, key="checkin-heavy:1", kind=TaskKind.CHECKIN_HEAVY, person=carer)
    db.commit()
    assert first is not None and again is None
    assert db.scalars(select(StaffTask)).all() == [first]


def test_of_two_staff_claiming_at_once_exactly_one_gets_the_task(
    app, db, staff, colleague, make_task
):
    task = make_task()
    engine = app.extensions["voorelkaar.engine"]
    with Session(engine) as mine, Session(engine) as theirs:
        # Both pages were loaded while the task was still free.
        my_task, their_task = mine.get(StaffTask, task.id), theirs.get(StaffTask, task.id)
        me, them = mine.get(User, staff.id), theirs.get(User, colleague.id)
        assert services.claim_task(mine, me, my_task) is True
        with pytest.raises(services.ClaimedByOther) as refused:
            services.claim_task(theirs, them, their_task)
        assert refused.value.holder.id == staff.id
    db.expire_all()
    assert db.get(StaffTask, task.id).claimed_by_id == staff.id
    assert audit_actions(db) == ["staff_tasks.claimed"]


@pytest.mark.postgres
def test_ten_staff_pressing_claim_together_give_one_holder(database_url, db, make_user, make_task):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is tested in the PostgreSQL run of the suite")
    task = make_task()
    people = [make_user(Role.STAFF, email=f"staf{n}@example.nl") for n in range(10)]
    engine = create_engine(database_url, pool_size=12, max_overflow=0)
    start = threading.Barrier(len(people))
    outcomes = []

    def press(user_id):
        with Session(engine) as session:
            user, item = session.get(User, user_id), session.get(StaffTask, task.id)
            start.wait()
            try:
                services.claim_task(session, user, item)
                outcomes.append("claimed")
            except services.ClaimedByOther:
                outcomes.append("refused")

    threads = [threading.Thread(target=press, args=(person.id,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert sorted(outcomes) == ["claimed"] + ["refused"] * 9
    assert audit_actions(db) == ["staff_tasks.claimed"]


def test_claiming_a_colleagues_task_is_refused_politely_until_they_let_go(
    db, forms, auth, client, staff, colleague, make_task
):
    task = make_task()
    services.claim_task(db, colleague, task)
    auth.login("coordinator@example.nl")
    response = forms.post(f"/taken/{task.id}/oppakken", {}, follow_redirects=True)
    assert "al opgepakt door Kees de Boer" in response.get_data(as_text=True)
    response = forms.post(f"/taken/{task.id}/loslaten", {}, follow_redirects=True)
    assert "al opgepakt door Kees de Boer" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(StaffTask, task.id).claimed_by_id == colleague.id

    services.release_task(db, colleague, task)
    response = forms.post(f"/taken/{task.id}/oppakken", {}, follow_redirects=True)
    assert "U heeft deze taak opgepakt." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(StaffTask, task.id).claimed_by_id == staff.id


def test_an_admin_may_free_a_task_held_by_an_absent_colleague(db, admin, colleague, make_task):
    task = make_task()
    services.claim_task(db, colleague, task)
    services.release_task(db, admin, task)
    assert task.claimed_by_id is None
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action.not_in(ACCESS_EVENTS)).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["staff_tasks.claimed", "staff_tasks.released"]
    assert events[1].actor_id == admin.id
    assert events[1].reason == f"opgepakt door gebruiker #{colleague.id}"


def test_closing_needs_what_was_done_and_keeps_what_was_typed(
    db, forms, auth, client, staff, make_task
):
    task = make_task()
    auth.login("coordinator@example.nl")
    response = forms.post(f"/taken/{task.id}/afsluiten", {"outcome": "   "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Schrijf kort wat u heeft gedaan." in html
    assert "<title>Fout: " in html

    too_long = "Gebeld. " * 300
    response = forms.post(f"/taken/{task.id}/afsluiten", {"outcome": too_long})
    html = response.get_data(as_text=True)
    assert "hoogstens 2000 tekens" in html
    assert "Gebeld. Gebeld." in html
    db.expire_all()
    assert db.get(StaffTask, task.id).closed_at is None

    with pytest.raises(services.InvalidOutcome):
        services.close_task(db, staff, task, "")
    assert audit_actions(db) == []


def test_staff_claim_record_what_they_did_and_close_and_each_step_is_logged(
    db, forms, auth, client, staff, resident, make_request, make_task
):
    item = make_request(resident, title="Boodschappen doen", postcode="7941 AB")
    task = make_task(person=resident, request=item, detail="7 dagen open")
    auth.login("coordinator@example.nl")
    html = client.get("/taken").get_data(as_text=True)
    assert "Hulpvraag 7 dagen zonder vrijwilliger" in html and "Riek Jansen" in html
    assert "nog niemand" in html

    assert forms.post(f"/taken/{task.id}/oppakken", {}).status_code == 302
    assert forms.post(f"/taken/{task.id}/loslaten", {}).status_code == 302
    assert forms.post(f"/taken/{task.id}/oppakken", {}).status_code == 302
    html = client.get("/taken?toon=mijn").get_data(as_text=True)
    assert "1 open taak van u" in html
    response = forms.post(
        f"/taken/{task.id}/afsluiten", {"outcome": "Gebeld; buurvrouw doet het nu."}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/taken")

    db.expire_all()
    task = db.get(StaffTask, task.id)
    assert task.outcome == "Gebeld; buurvrouw doet het nu."
    assert task.closed_by_id == staff.id and task.closed_at is not None
    assert audit_actions(db) == [
        "staff_tasks.claimed",
        "staff_tasks.released",
        "staff_tasks.claimed",
        "staff_tasks.closed",
    ]
    # What staff wrote may be about someone's health: the append-only log does not copy it.
    assert all(
        e.reason is None
        for e in db.scalars(select(AuditEvent).where(AuditEvent.action.not_in(ACCESS_EVENTS)))
    )
    assert "Er zijn nu geen open taken." in client.get("/taken").get_data(as_text=True)
    html = client.get("/taken?toon=afgesloten").get_data(as_text=True)
    assert "1 afgesloten taak" in html and "Fatima El Amrani" in html
    html = client.get(f"/taken/{task.id}").get_data(as_text=True)
    assert "Gebeld; buurvrouw doet het nu." in html and "Opslaan en afsluiten" not in html

    response = forms.post(f"/taken/{task.id}/oppakken", {}, follow_redirects=True)
    assert "Deze taak is al afgesloten." in response.get_data(as_text=True)
    assert len(audit_actions(db)) == 4


def test_closing_a_free_task_takes_it_on_the_way(db, staff, make_task):
    task = make_task()
    services.close_task(db, staff, task, "  Opgelost.  ")
    assert task.claimed_by_id == staff.id and task.claimed_at is not None
    assert task.outcome == "Opgelost."


def test_the_queue_shows_the_oldest_open_task_first_and_can_turn_around(
    db, auth, client, staff, make_user, make_task
):
    now = utcnow()
    for days, name in ((2, "Bert Bos"), (9, "Aaltje Aarts"), (1, "Cor Claassen")):
        make_task(person=make_user(name=name), created_at=now - timedelta(days=days))
    auth.login("coordinator@example.nl")

    def order(url):
        html = client.get(url).get_data(as_text=True)
        return sorted(("Aaltje", "Bert", "Cor"), key=lambda name: html.index(name))

    assert order("/taken") == ["Aaltje", "Bert", "Cor"]
    assert order("/taken?volgorde=nieuwste") == ["Cor", "Bert", "Aaltje"]


def test_a_made_up_filter_gives_a_polite_message_and_the_open_tasks(auth, client, staff, make_task):
    make_task()
    auth.login("coordinator@example.nl")
    response = client.get("/taken?toon=alles&volgorde=raar&pagina=x")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies welke taken u wilt zien" in html and "Kies een volgorde" in html
    assert "1 open taak" in html
    assert client.get("/taken?pagina=999").status_code == 200


def test_a_checkin_task_shows_the_carers_contact_and_whole_history(
    db, auth, client, staff, carer, make_task
):
    carer.phone = "0522 123456"
    earlier = Checkin(
        carer=carer,
        due_on=date(2026, 1, 5),
        answer=CheckinAnswer.COPING,
        answered_at=utcnow(),
        note="Het gaat net.",
    )
    heavy = Checkin(
        carer=carer,
        due_on=date(2026, 2, 2),
        answer=CheckinAnswer.HEAVY,
        answered_at=utcnow(),
        note="Ik slaap slecht.",
    )
    silent = Checkin(carer=carer, due_on=date(2026, 3, 2), reminded_at=utcnow())
    db.add_all([earlier, heavy, silent])
    db.commit()
    task = make_task(TaskKind.CHECKIN_HEAVY, person=carer, checkin=heavy)
    auth.login("coordinator@example.nl")
    html = client.get(f"/taken/{task.id}").get_data(as_text=True)
    assert "Mantelzorger heeft het zwaar" in html
    assert "mantelzorger@example.nl" in html and "0522 123456" in html
    for text in ("het gaat", "Het gaat net.", "zwaar", "Ik slaap slecht.", "geen antwoord"):
        assert text in html
    assert "over deze check-in gaat de taak" in html


def test_a_checkin_task_still_shows_the_answers_before_it_after_many_later_ones(
    db, auth, client, staff, carer, make_task
):
    asked = [date(2026, 1, 5) + timedelta(weeks=2 * n) for n in range(12)]
    checkins = [
        Checkin(carer=carer, due_on=day, sent_at=utcnow() - timedelta(weeks=30 - 2 * n))
        for n, day in enumerate(asked)
    ]
    checkins[0].answer, checkins[0].note = CheckinAnswer.GOOD, "Eerste keer."
    checkins[1].answer, checkins[1].note = CheckinAnswer.HEAVY, "Te veel."
    db.add_all(checkins)
    db.commit()
    task = make_task(TaskKind.CHECKIN_HEAVY, person=carer, checkin=checkins[1])
    auth.login("coordinator@example.nl")
    html = client.get(f"/taken/{task.id}").get_data(as_text=True)
    assert "De mantelzorger schreef: Te veel." in html
    assert "Eerdere antwoorden:" in html and ": Goed (&#34;Eerste keer.&#34;)" in html
    assert "Dit was de eerste vraag." not in html


def test_a_checkin_task_whose_checkin_is_gone_shows_no_text_kept_from_it(
    db, auth, client, staff, make_task
):
    # Tasks made before check-in tasks were read from the check-in kept a copy of the note.
    task = make_task(TaskKind.CHECKIN_HEAVY, detail="De mantelzorger schreef: Ik ben op.")
    auth.login("coordinator@example.nl")
    html = client.get(f"/taken/{task.id}").get_data(as_text=True)
    assert "Mantelzorger heeft het zwaar" in html
    assert "Ik ben op." not in html and "Toelichting" not in html


def test_staff_see_the_queue_and_its_size_on_their_home_page(auth, client, staff, make_task):
    make_task()
    make_task(TaskKind.MAIL_FAILED)
    auth.login("coordinator@example.nl")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/taken">Takenlijst (2 open)</a>' in html


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.VOLUNTEER, Role.CARER, Role.CONSULTANT])
def test_only_staff_see_or_touch_the_queue(db, forms, auth, client, make_user, make_task, role):
    task = make_task()
    anonymous = client.get("/taken")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    make_user(role, email="iemand@example.nl")
    auth.login("iemand@example.nl")
    assert client.get("/taken").status_code == 403
    assert client.get(f"/taken/{task.id}").status_code == 403
    for action in ("oppakken", "loslaten", "afsluiten"):
        response = forms.post(f"/taken/{task.id}/{action}", {"outcome": "x"}, page="/")
        assert response.status_code == 403
    assert "Takenlijst" not in client.get("/").get_data(as_text=True)
    db.expire_all()
    assert db.get(StaffTask, task.id).claimed_by_id is None
    assert audit_actions(db) == []


def test_a_task_that_does_not_exist_is_not_found(auth, client, forms, staff):
    auth.login("coordinator@example.nl")
    assert client.get("/taken/999").status_code == 404
    assert forms.post("/taken/999/oppakken", {}, page="/").status_code == 404


def test_services_refuse_someone_who_is_not_staff(db, resident, make_task):
    task = make_task()
    with pytest.raises(services.NotStaff):
        services.claim_task(db, resident, task)


def test_every_kind_of_task_opens_with_who_to_contact(
    db, auth, client, staff, resident, volunteer, carer, make_request, make_task
):
    item = make_request(resident, title="Samen wandelen", postcode="7941 AB")
    match = Match(request_id=item.id, volunteer_id=volunteer.id, end_reason="Niet gekomen.")
    checkin = Checkin(carer=carer, due_on=date(2026, 3, 2), reminded_at=utcnow())
    db.add_all([match, checkin])
    db.commit()
    tasks = {
        TaskKind.REQUEST_UNMATCHED: make_task(person=resident, request=item),
        TaskKind.MATCH_FAILED: make_task(
            TaskKind.MATCH_FAILED, person=volunteer, match=match, request=item, detail="Nee."
        ),
        TaskKind.CHECKIN_SILENT: make_task(
            TaskKind.CHECKIN_SILENT, person=carer, checkin=checkin, detail="Regel 1\nRegel 2"
        ),
        TaskKind.MAIL_FAILED: make_task(TaskKind.MAIL_FAILED, detail="Herinnering"),
    }
    auth.login("coordinator@example.nl")
    pages = {
        kind: client.get(f"/taken/{task.id}").get_data(as_text=True) for kind, task in tasks.items()
    }
    assert "inwoner@example.nl" in pages[TaskKind.REQUEST_UNMATCHED]
    failed = pages[TaskKind.MATCH_FAILED]
    assert failed.count("vrijwilliger@example.nl") == 2  # the link and its text, once
    assert failed.count("inwoner@example.nl") == 2
    assert "Niet gekomen." in failed and f"/hulpvragen/{item.id}" in failed
    assert "Mantelzorger geeft geen antwoord" in pages[TaskKind.CHECKIN_SILENT]
    assert "herinnering gestuurd" in pages[TaskKind.CHECKIN_SILENT]
    assert "account van deze persoon is verwijderd" in pages[TaskKind.MAIL_FAILED]
    assert "weten we niet" not in pages[TaskKind.MAIL_FAILED]

"""Carer support: the care situation, a health note only with consent, and the staff side."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, Forms
from voorelkaar.carers import services as carers
from voorelkaar.carers.forms import HEALTH_CONSENT_WORDING
from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    CarerProfile,
    Checkin,
    CheckinAnswer,
    ContactKind,
    ContactNote,
    Match,
    MatchState,
    Neighbourhood,
    Referral,
    TaskKind,
)
from voorelkaar.people import services as people
from voorelkaar.tasks.services import open_task

NOTE = "Mijn man heeft dementie. Ik heb zelf last van mijn rug."


def profile_row(db, carer) -> CarerProfile | None:
    db.expire_all()
    return db.get(CarerProfile, carer.id)


@pytest.fixture
def carer_with_note(db, carer):
    """A carer who wrote a health note, with consent."""
    profile = carers.profile_for(db, carer, utcnow())
    carers.save_health_note(
        db, profile, NOTE, consent=True, consent_text="Ik geef toestemming.", now=utcnow()
    )
    return carer


def viewed_rows(db) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent).where(AuditEvent.action == "records.viewed").order_by(AuditEvent.id)
        )
    )


def login_as(app, email):
    client = app.test_client()
    forms = Forms(client)
    assert AuthActions(forms).login(email).status_code == 302
    return client, forms


# The carer's own side.


def test_a_carer_records_for_whom_they_care_and_sees_it_on_their_page(db, auth, forms, carer):
    auth.login("mantelzorger@example.nl")
    response = forms.post(
        "/mantelzorg/zorgsituatie",
        {
            "cared_for_name": "Anna",
            "relation": "mijn vrouw",
            "care_tasks": "Koken en mee naar de dokter.",
            "care_hours_per_week": "20",
        },
    )
    assert response.status_code == 302
    profile = profile_row(db, carer)
    assert (profile.cared_for_name, profile.relation, profile.care_hours_per_week) == (
        "Anna",
        "mijn vrouw",
        20,
    )
    assert profile.care_tasks == "Koken en mee naar de dokter."
    html = forms.client.get("/mantelzorg").get_data(as_text=True)
    assert "Anna (mijn vrouw)" in html and "Koken en mee naar de dokter." in html


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("200", "Vul een aantal uren in van 0 tot en met 168."),
        ("-1", "Vul een aantal uren in van 0 tot en met 168."),
        ("veel", "Vul een heel getal in, zoals 10."),
    ],
)
def test_hours_a_week_outside_0_to_168_get_a_clear_message(db, auth, forms, carer, hours, message):
    auth.login("mantelzorger@example.nl")
    response = forms.post(
        "/mantelzorg/zorgsituatie", {"cared_for_name": "Anna", "care_hours_per_week": hours}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert f'value="{hours}"' in html  # what was typed stays
    assert profile_row(db, carer).cared_for_name is None


def test_the_service_refuses_impossible_hours(db, carer):
    profile = carers.profile_for(db, carer, utcnow())
    with pytest.raises(carers.CareError):
        carers.save_care_situation(
            db, profile, cared_for_name="Anna", relation=None, care_tasks=None, hours_per_week=169
        )


def test_a_health_note_without_the_consent_box_is_refused_and_keeps_what_was_typed(
    db, auth, forms, carer
):
    auth.login("mantelzorger@example.nl")
    page = forms.client.get("/mantelzorg/zorgsituatie").get_data(as_text=True)
    assert 'name="consent"' in page and "checked" not in page  # unticked by default
    response = forms.post("/mantelzorg/gezondheid", {"health_note": NOTE})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Zet een vinkje bij de toestemming." in html
    assert NOTE in html
    profile = profile_row(db, carer)
    assert profile.health_note is None and profile.health_consent_at is None
    with pytest.raises(carers.ConsentMissing):
        carers.save_health_note(db, profile, NOTE, consent=False, consent_text="x", now=utcnow())
    assert profile_row(db, carer).health_note is None


def test_a_health_note_with_consent_is_stored_with_the_exact_wording_and_date(
    app, db, auth, forms, carer
):
    auth.login("mantelzorger@example.nl")
    before = utcnow()
    response = forms.post("/mantelzorg/gezondheid", {"health_note": NOTE, "consent": "y"})
    assert response.status_code == 302
    profile = profile_row(db, carer)
    assert profile.health_note == NOTE
    assert before <= profile.health_consent_at <= utcnow()
    with app.test_request_context():
        wording = str(HEALTH_CONSENT_WORDING)
    assert profile.health_consent_text == wording
    html = forms.client.get("/mantelzorg/zorgsituatie").get_data(as_text=True)
    assert wording in html and NOTE in html


def test_withdrawing_consent_deletes_the_note_in_the_database(db, auth, forms, carer_with_note):
    assert profile_row(db, carer_with_note).health_note == NOTE
    auth.login("mantelzorger@example.nl")
    response = forms.post("/mantelzorg/gezondheid/intrekken", {}, page="/mantelzorg/zorgsituatie")
    assert response.status_code == 302
    row = db.execute(
        select(
            CarerProfile.health_note,
            CarerProfile.health_consent_at,
            CarerProfile.health_consent_text,
        ).where(CarerProfile.user_id == carer_with_note.id)
    ).one()
    assert tuple(row) == (None, None, None)
    html = forms.client.get("/mantelzorg/zorgsituatie").get_data(as_text=True)
    assert NOTE not in html


# Who sees a health note.


def test_a_volunteer_never_sees_a_carers_health_note(
    app, db, carer_with_note, volunteer, make_request
):
    item = make_request(carer_with_note, title="Wandelen met Anna", postcode="7941 AB")
    db.add(
        Match(
            request_id=item.id,
            volunteer_id=volunteer.id,
            state=MatchState.CONFIRMED,
            confirmed_at=utcnow(),
        )
    )
    checkin = Checkin(carer=carer_with_note, due_on=date(2026, 2, 2), answer=CheckinAnswer.HEAVY)
    db.add(checkin)
    db.flush()
    task = open_task(db, key="t:1", kind=TaskKind.CHECKIN_HEAVY, person=carer_with_note)
    db.commit()
    client, _ = login_as(app, "vrijwilliger@example.nl")
    carer_id = carer_with_note.id
    pages = {
        "/": 200,
        "/hulpvragen": 200,
        f"/hulpvragen/{item.id}": 200,
        "/mijn-inzet": 200,
        "/bij-mij-in-de-buurt": 200,
        f"/profiel/{carer_id}": 200,
        "/mantelzorg": 403,
        "/mantelzorg/zorgsituatie": 403,
        f"/mensen/{carer_id}": 403,
        "/taken": 403,
        f"/taken/{task.id}": 403,
        f"/beheer/gebruikers/{carer_id}": 403,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert "dementie" not in response.get_data(as_text=True), url
    assert viewed_rows(db) == []


def test_a_consultant_cannot_open_a_person_page_nor_see_health_notes(
    app, db, carer_with_note, consultant
):
    client, forms = login_as(app, "consulent@example.nl")
    for url in (f"/mensen/{carer_with_note.id}", "/taken", "/mantelzorg/zorgsituatie"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "dementie" not in response.get_data(as_text=True)
    response = forms.post(
        f"/mensen/{carer_with_note.id}/contact", {"kind": "telefoon", "body": "x"}, page="/"
    )
    assert response.status_code == 403
    assert viewed_rows(db) == []
    assert db.scalars(select(ContactNote)).all() == []


def test_staff_see_the_health_note_only_while_consent_stands(
    app, db, staff, carer_with_note, forms
):
    client, _ = login_as(app, "coordinator@example.nl")
    assert NOTE in client.get(f"/mensen/{carer_with_note.id}").get_data(as_text=True)
    # A note left behind without consent (say, by a hand-made change) is not shown.
    profile = profile_row(db, carer_with_note)
    profile.health_consent_at = None
    db.commit()
    assert NOTE not in client.get(f"/mensen/{carer_with_note.id}").get_data(as_text=True)


# The staff page per person.


def test_staff_see_a_persons_whole_story_on_one_page(
    app, db, staff, carer, volunteer, resident, make_request
):
    carer.phone = "0522 123456"
    asked = make_request(carer, title="Wandelen met Anna", postcode="7941 AB")
    helped = make_request(resident, title="Boodschappen voor Riek", postcode="7941 AB")
    db.add_all(
        [
            Match(request_id=asked.id, volunteer_id=volunteer.id),
            Match(request_id=helped.id, volunteer_id=carer.id),
            Checkin(
                carer=carer,
                due_on=date(2026, 2, 2),
                answer=CheckinAnswer.HEAVY,
                answered_at=utcnow(),
                note="Ik slaap slecht.",
            ),
            Referral(
                consultant_id=None,
                resident_name="Henk Bakker",
                postcode="7941 AB",
                house_number="1",
                consent_date=date(2026, 1, 5),
                category_id=1,
                title="Hulp bij de tuin",
                description="De tuin",
                code="ABCD1234",
                expires_at=utcnow() + timedelta(days=30),
                account_id=carer.id,
            ),
        ]
    )
    db.flush()
    open_task(db, key="t:open", kind=TaskKind.CHECKIN_HEAVY, person=carer)
    closed = open_task(db, key="t:closed", kind=TaskKind.MAIL_FAILED, person=carer)
    closed.closed_at, closed.outcome = utcnow(), "Adres verbeterd."
    db.commit()
    profile = carers.profile_for(db, carer, utcnow())
    carers.save_care_situation(
        db,
        profile,
        cared_for_name="Anna",
        relation="mijn vrouw",
        care_tasks="Koken",
        hours_per_week=20,
    )

    client, _ = login_as(app, "coordinator@example.nl")
    html = client.get(f"/mensen/{carer.id}").get_data(as_text=True)
    for text in (
        "mantelzorger@example.nl",
        "0522 123456",
        "Centrum",
        "Mantelzorger",
        "Wandelen met Anna",
        "Boodschappen voor Riek",
        "Sanne de Vries",
        "Anna (mijn vrouw)",
        "Ik slaap slecht.",
        "Hulp bij de tuin",
        "Mantelzorger heeft het zwaar",
        "Adres verbeterd.",
        "Nog geen contact opgeschreven.",
    ):
        assert text in html, text
    assert "Notitie over gezondheid" not in html  # none was given


def test_every_staff_view_of_a_person_page_leaves_exactly_one_audit_row(
    app, db, staff, carer, resident
):
    task = open_task(db, key="t:1", kind=TaskKind.CHECKIN_HEAVY, person=carer)
    other = open_task(db, key="t:2", kind=TaskKind.REQUEST_UNMATCHED, person=resident)
    db.commit()
    client, _ = login_as(app, "coordinator@example.nl")
    visits = [
        ("", "personenpagina"),
        (f"?waarom=taak-{task.id}", f"taak {task.id}"),
        (f"?waarom=taak-{other.id}", "personenpagina"),  # a task about someone else
        ("?waarom=<script>", "personenpagina"),
    ]
    for count, (query, reason) in enumerate(visits, start=1):
        assert client.get(f"/mensen/{carer.id}{query}").status_code == 200
        rows = viewed_rows(db)
        assert len(rows) == count
        row = rows[-1]
        assert (row.actor_id, row.subject_type, row.subject_id) == (staff.id, "users", carer.id)
        assert row.reason == reason
    assert client.get("/mensen/99999").status_code == 404
    assert len(viewed_rows(db)) == len(visits)


def test_admins_read_the_views_in_the_log(app, db, staff, admin, carer):
    client, _ = login_as(app, "coordinator@example.nl")
    client.get(f"/mensen/{carer.id}")
    client, _ = login_as(app, "beheer@example.nl")
    html = client.get("/beheer/logboek").get_data(as_text=True)
    said = re.sub(r"<[^>]+>", "", html)
    assert "Fatima El Amrani bekeek de gegevens van Henk Bakker" in said
    assert "personenpagina" in said
    assert f'<a href="/mensen/{carer.id}">Henk Bakker</a>' in html


def test_staff_add_a_contact_note_from_a_task_and_see_it_there_and_on_the_person_page(
    app, db, staff, carer
):
    task = open_task(db, key="t:1", kind=TaskKind.CHECKIN_HEAVY, person=carer)
    db.commit()
    client, forms = login_as(app, "coordinator@example.nl")
    page = client.get(f"/taken/{task.id}").get_data(as_text=True)
    assert f'href="/mensen/{carer.id}?waarom=taak-{task.id}"' in page
    response = forms.post(
        f"/mensen/{carer.id}/contact",
        {"kind": "telefoon", "body": "Henk gebeld. Respijtzorg besproken.", "task": task.id},
        page=f"/taken/{task.id}",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/taken/{task.id}#contact")
    db.expire_all()
    note = db.scalar(select(ContactNote))
    assert (note.person_id, note.author_id, note.task_id) == (carer.id, staff.id, task.id)
    assert note.kind == ContactKind.PHONE and note.body == "Henk gebeld. Respijtzorg besproken."
    assert "Telefoongesprek" in client.get(f"/taken/{task.id}").get_data(as_text=True)
    assert "Respijtzorg besproken." in client.get(f"/mensen/{carer.id}").get_data(as_text=True)
    added = db.scalar(select(AuditEvent).where(AuditEvent.action == "contact_notes.added"))
    assert added.subject_id == note.id and added.reason is None  # the log does not copy it


def test_a_contact_note_needs_a_kind_and_at_most_2000_characters(app, db, staff, carer):
    client, forms = login_as(app, "coordinator@example.nl")
    url = f"/mensen/{carer.id}/contact"
    html = forms.post(url, {"kind": "brief", "body": "  "}, page="/").get_data(as_text=True)
    assert "Kies wat voor contact het was." in html and "Schrijf kort wat er besproken is." in html
    long = "Gebeld. " * 300
    html = forms.post(url, {"kind": "huisbezoek", "body": long}, page="/").get_data(as_text=True)
    assert "hoogstens 2000 tekens" in html and "Gebeld. Gebeld." in html
    assert db.scalars(select(ContactNote)).all() == []
    with pytest.raises(people.InvalidContactNote):
        people.add_contact_note(db, staff, carer, ContactKind.OTHER, "")
    response = forms.post(url, {"kind": "huisbezoek", "body": "Op bezoek geweest."}, page="/")
    assert response.headers["Location"].endswith(f"/mensen/{carer.id}#contact")
    assert db.scalar(select(ContactNote.task_id)) is None


def test_only_staff_add_contact_notes(db, carer, volunteer):
    with pytest.raises(people.NotStaff):
        people.add_contact_note(db, volunteer, carer, ContactKind.PHONE, "Hallo")
    with pytest.raises(people.NotStaff):
        people.view_record(db, volunteer, carer, "personenpagina")


# The queue's filters.


@pytest.fixture
def spread(db, make_user):
    """Tasks of several kinds and ages, for people in two wijken."""
    now = utcnow()
    centrum = make_user(name="Cor Centrum", postcode="7941 AB")
    havelte = make_user(name="Hanna Haveltermade", postcode="7943 AB")
    tasks = {}
    for key, kind, person, days in (
        ("new", TaskKind.CHECKIN_HEAVY, centrum, 0),
        ("two", TaskKind.REQUEST_UNMATCHED, havelte, 2),
        ("eight", TaskKind.CHECKIN_SILENT, havelte, 8),
    ):
        task = open_task(db, key=key, kind=kind, person=person)
        task.created_at = now - timedelta(days=days, minutes=1)
        tasks[key] = task
    db.commit()
    wijk = db.scalar(select(Neighbourhood.id).where(Neighbourhood.name == "Haveltermade"))
    return tasks, wijk


def shown(html: str) -> set[str]:
    return {name for name in ("Cor Centrum", "Hanna Haveltermade") if name in html}


def test_staff_filter_the_queue_by_kind_wijk_and_age(app, db, staff, spread):
    tasks, wijk = spread
    client, _ = login_as(app, "coordinator@example.nl")
    html = client.get("/taken").get_data(as_text=True)
    assert "3 open taken" in html and "Haveltermade" in html
    html = client.get("/taken?soort=checkin_heavy").get_data(as_text=True)
    assert "1 open taak" in html and shown(html) == {"Cor Centrum"}
    html = client.get(f"/taken?wijk={wijk}").get_data(as_text=True)
    assert "2 open taken" in html and shown(html) == {"Hanna Haveltermade"}
    assert "2 open taken" in client.get("/taken?ouder=1").get_data(as_text=True)
    assert "1 open taak" in client.get("/taken?ouder=7").get_data(as_text=True)
    html = client.get(f"/taken?wijk={wijk}&ouder=3&soort=checkin_silent").get_data(as_text=True)
    assert "1 open taak" in html
    assert "0 open taken" in client.get("/taken?ouder=7&soort=checkin_heavy").get_data(as_text=True)


def test_filters_work_with_the_closed_and_mine_views(app, db, staff, spread):
    tasks, wijk = spread
    tasks["eight"].closed_at = utcnow()
    tasks["two"].claimed_by_id = staff.id
    db.commit()
    client, _ = login_as(app, "coordinator@example.nl")
    html = client.get(f"/taken?toon=afgesloten&wijk={wijk}").get_data(as_text=True)
    assert "1 afgesloten taak" in html
    html = client.get("/taken?toon=afgesloten&soort=checkin_heavy").get_data(as_text=True)
    assert "0 afgesloten taken" in html
    html = client.get(f"/taken?toon=mijn&wijk={wijk}&ouder=1").get_data(as_text=True)
    assert "1 open taak van u" in html


def test_made_up_filters_get_a_polite_message_and_filter_nothing(app, db, staff, spread):
    client, _ = login_as(app, "coordinator@example.nl")
    response = client.get("/taken?soort=alles&wijk=999&ouder=30")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies een soort taak uit de lijst." in html
    assert "Kies een wijk uit de lijst." in html
    assert "Kies hoe oud de taken zijn" in html
    assert "3 open taken" in html

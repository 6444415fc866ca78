"""Roles are yours to add and stop: from Mijn gegevens, and from a page for another role."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, Forms
from tests.integration.test_access import offer_of
from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    CarerProfile,
    Match,
    MatchState,
    PostedFor,
    RequestState,
    Role,
    User,
    UserRole,
)


def roles_of(db, user) -> set[Role]:
    db.expire_all()
    return {Role(r) for r in db.scalars(select(UserRole.role).where(UserRole.user_id == user.id))}


def audit(db, action) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def login_as(app, email):
    client = app.test_client()
    forms = Forms(client)
    assert AuthActions(forms).login(email).status_code == 302
    return client, forms


def page(response) -> str:
    return response.get_data(as_text=True)


# Adding a role.


def test_a_resident_becomes_a_volunteer_with_what_they_do_their_week_and_reach(
    db, auth, forms, resident
):
    auth.login("inwoner@example.nl")
    response = forms.post(
        "/profiel/rol/vrijwilliger",
        {
            "skills": "Boodschappen, wandelen",
            "intro": "Ik heb een auto.",
            "d1_middag": "y",
            "d2_middag": "y",
            "travel_km": "10",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert roles_of(db, resident) == {Role.RESIDENT, Role.VOLUNTEER}
    user = db.get(User, resident.id)
    assert (user.skills, user.intro, user.travel_km, user.available) == (
        "boodschappen, wandelen",
        "Ik heb een auto.",
        10.0,
        True,
    )
    assert [(s.weekday, s.start_time.hour, s.end_time.hour) for s in user.slots] == [
        (1, 12, 18),
        (2, 12, 18),
    ]
    (event,) = audit(db, "users.role_added")
    assert (event.actor_id, event.subject_id, event.reason) == (
        resident.id,
        resident.id,
        "volunteer",
    )
    assert "U bent vrijwilliger." in page(forms.client.get("/"))


def test_a_volunteer_form_with_a_mistake_keeps_what_was_typed_and_adds_no_role(
    db, auth, forms, resident
):
    auth.login("inwoner@example.nl")
    response = forms.post(
        "/profiel/rol/vrijwilliger",
        {"skills": "wandelen, " + "x" * 60, "intro": "Ik heb een auto.", "travel_km": "5"},
    )
    assert response.status_code == 200
    html = page(response)
    assert "Houd elk woord kort" in html
    assert "Ik heb een auto." in html
    assert roles_of(db, resident) == {Role.RESIDENT}
    assert audit(db, "users.role_added") == []


def test_a_resident_becomes_a_carer_with_their_care_situation(db, auth, forms, resident):
    auth.login("inwoner@example.nl")
    response = forms.post(
        "/profiel/rol/mantelzorger?next=/mantelzorg",
        {"cared_for_name": "Anna", "relation": "mijn vrouw", "care_hours_per_week": "20"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/mantelzorg"
    assert roles_of(db, resident) == {Role.RESIDENT, Role.CARER}
    profile = db.get(CarerProfile, resident.id)
    assert (profile.cared_for_name, profile.relation, profile.care_hours_per_week) == (
        "Anna",
        "mijn vrouw",
        20,
    )
    assert forms.client.get("/mantelzorg").status_code == 200


def test_hours_out_of_range_are_refused_politely_and_no_role_is_added(db, auth, forms, resident):
    auth.login("inwoner@example.nl")
    response = forms.post(
        "/profiel/rol/mantelzorger", {"cared_for_name": "Anna", "care_hours_per_week": "200"}
    )
    assert response.status_code == 200
    assert "Een week heeft 168 uur." in page(response)
    assert 'value="Anna"' in page(response)
    assert roles_of(db, resident) == {Role.RESIDENT}
    assert db.get(CarerProfile, resident.id) is None


def test_a_volunteer_who_also_wants_help_adds_the_resident_role_in_one_click(
    db, auth, forms, volunteer
):
    auth.login("vrijwilliger@example.nl")
    assert "Ik wil hulp vragen" in page(forms.client.get("/profiel/rol/inwoner"))
    response = forms.post("/profiel/rol/inwoner?next=/hulpvragen/nieuw", {})
    assert response.headers["Location"] == "/hulpvragen/nieuw"
    assert roles_of(db, volunteer) == {Role.VOLUNTEER, Role.RESIDENT}


def test_adding_a_role_twice_changes_nothing_and_goes_on(db, auth, forms, volunteer):
    auth.login("vrijwilliger@example.nl")
    response = forms.client.get("/profiel/rol/vrijwilliger?next=/bij-mij-in-de-buurt")
    assert response.headers["Location"] == "/bij-mij-in-de-buurt"
    assert roles_of(db, volunteer) == {Role.VOLUNTEER}


def test_next_must_stay_on_this_site(db, auth, forms, resident):
    auth.login("inwoner@example.nl")
    response = forms.post("/profiel/rol/vrijwilliger?next=//evil.example/x", {"travel_km": "5"})
    assert response.headers["Location"] == "/"


def test_staff_organisation_consultant_and_admin_roles_are_never_self_granted(
    db, auth, forms, resident
):
    auth.login("inwoner@example.nl")
    for slug in ("staff", "coordinator", "beheerder", "admin", "organisatie", "consulent"):
        assert forms.client.get(f"/profiel/rol/{slug}").status_code == 404
        assert forms.post(f"/profiel/rol/{slug}", {}, page="/").status_code == 404
    assert roles_of(db, resident) == {Role.RESIDENT}


def test_a_returning_carer_finds_their_care_situation_filled_in(db, auth, forms, make_user):
    person = make_user(Role.RESIDENT, Role.CARER, email="terug@example.nl")
    auth.login("terug@example.nl")
    forms.post("/mantelzorg/zorgsituatie", {"cared_for_name": "Anna", "relation": "mijn vrouw"})
    assert forms.post("/profiel/rol/mantelzorger/stoppen", {}).status_code == 302
    assert 'value="Anna"' in page(forms.client.get("/profiel/rol/mantelzorger"))
    assert roles_of(db, person) == {Role.RESIDENT}


# Stopping a role.


def test_the_profile_offers_each_role_one_may_add_and_stop(db, auth, forms, make_user):
    make_user(Role.VOLUNTEER, Role.STAFF, email="beide@example.nl")
    auth.login("beide@example.nl")
    html = page(forms.client.get("/profiel"))
    assert 'href="/profiel/rol/vrijwilliger/stoppen"' in html
    assert 'href="/profiel/rol/inwoner"' in html
    assert 'href="/profiel/rol/mantelzorger"' in html
    assert "Van de beheerder heeft u ook: Coördinator." in html


def test_a_volunteer_stops_after_reading_what_it_means(db, auth, forms, make_user):
    person = make_user(Role.RESIDENT, Role.VOLUNTEER, email="stop@example.nl")
    auth.login("stop@example.nl")
    html = page(forms.client.get("/profiel/rol/vrijwilliger/stoppen"))
    assert "U ziet geen hulpvragen bij u in de buurt meer" in html
    assert "Ja, ik stop" in html
    response = forms.post("/profiel/rol/vrijwilliger/stoppen", {})
    assert response.headers["Location"] == "/profiel"
    assert roles_of(db, person) == {Role.RESIDENT}
    (event,) = audit(db, "users.role_stopped")
    assert (event.actor_id, event.reason) == (person.id, "volunteer")
    assert forms.client.get("/bij-mij-in-de-buurt").status_code == 403


def test_a_volunteer_with_an_open_offer_is_asked_to_close_it_first(db, auth, forms, make_user):
    person = make_user(Role.RESIDENT, Role.VOLUNTEER, email="aanbod@example.nl")
    offer = offer_of(person)
    db.add(offer)
    db.commit()
    auth.login("aanbod@example.nl")
    html = page(forms.client.get("/profiel/rol/vrijwilliger/stoppen"))
    assert "U kunt nog niet stoppen" in html
    assert f'href="/hulpaanbod/{offer.id}"' in html
    assert "Ja, ik stop" not in html
    assert forms.post("/profiel/rol/vrijwilliger/stoppen", {}, page="/").status_code == 409
    assert roles_of(db, person) == {Role.RESIDENT, Role.VOLUNTEER}
    offer.state = RequestState.DONE
    db.commit()
    assert forms.post("/profiel/rol/vrijwilliger/stoppen", {}, page="/").status_code == 302
    assert roles_of(db, person) == {Role.RESIDENT}


def test_a_volunteer_with_a_confirmed_appointment_sees_it_and_keeps_the_role(
    db, auth, forms, make_user, make_request, resident
):
    person = make_user(Role.RESIDENT, Role.VOLUNTEER, email="afspraak@example.nl")
    item = make_request(resident, title="Boodschappen doen", postcode="7941 AB")
    item.state = RequestState.MATCHED
    db.add(Match(request=item, volunteer=person, state=MatchState.CONFIRMED, confirmed_at=utcnow()))
    db.commit()
    auth.login("afspraak@example.nl")
    html = page(forms.client.get("/profiel/rol/vrijwilliger/stoppen"))
    assert "U heeft een afspraak voor" in html
    assert f'href="/hulpvragen/{item.id}"' in html
    assert forms.post("/profiel/rol/vrijwilliger/stoppen", {}, page="/").status_code == 409
    assert Role.VOLUNTEER in roles_of(db, person)


def test_a_resident_with_an_open_request_withdraws_it_first(
    db, auth, forms, make_user, make_request
):
    person = make_user(Role.RESIDENT, Role.VOLUNTEER, email="vraag@example.nl")
    item = make_request(person, title="Hulp bij de tuin", postcode="7941 AB")
    auth.login("vraag@example.nl")
    html = page(forms.client.get("/profiel/rol/inwoner/stoppen"))
    assert f'href="/hulpvragen/{item.id}"' in html
    assert forms.post("/profiel/rol/inwoner/stoppen", {}, page="/").status_code == 409
    item.state = RequestState.CANCELLED
    db.commit()
    assert forms.post("/profiel/rol/inwoner/stoppen", {}, page="/").status_code == 302
    assert roles_of(db, person) == {Role.VOLUNTEER}


def test_a_carer_with_an_open_request_for_their_naaste_keeps_the_role(
    db, auth, forms, make_user, make_request
):
    person = make_user(Role.RESIDENT, Role.CARER, email="naaste@example.nl")
    item = make_request(person, title="Wandelen met Anna", postcode="7941 AB")
    item.posted_for, item.for_first_name = PostedFor.CARED_FOR, "Anna"
    db.commit()
    auth.login("naaste@example.nl")
    assert forms.post("/profiel/rol/mantelzorger/stoppen", {}, page="/").status_code == 409
    # Their own request is no reason to keep the carer role.
    assert forms.post("/profiel/rol/inwoner/stoppen", {}, page="/").status_code == 302
    assert roles_of(db, person) == {Role.CARER}


def test_the_only_role_cannot_be_stopped_and_the_page_says_what_to_do(db, auth, forms, volunteer):
    auth.login("vrijwilliger@example.nl")
    html = page(forms.client.get("/profiel/rol/vrijwilliger/stoppen"))
    assert "Dit is nu uw enige rol" in html
    assert 'href="/mijn-gegevens/verwijderen"' in html
    assert forms.post("/profiel/rol/vrijwilliger/stoppen", {}, page="/").status_code == 409
    assert roles_of(db, volunteer) == {Role.VOLUNTEER}


def test_a_carer_who_stops_loses_the_health_note_and_the_checkins(db, auth, forms, make_user):
    from voorelkaar.carers import services as carers
    from voorelkaar.carers.jobs import run_checkins

    person = make_user(Role.RESIDENT, Role.CARER, email="stopzorg@example.nl")
    profile = carers.profile_for(db, person, utcnow())
    carers.save_care_situation(
        db, profile, cared_for_name="Anna", relation=None, care_tasks=None, hours_per_week=None
    )
    carers.save_health_note(
        db, profile, "Dementie.", consent=True, consent_text="Ja.", now=utcnow()
    )
    profile.next_checkin_on = utcnow().date()
    db.commit()
    auth.login("stopzorg@example.nl")
    assert "notitie over gezondheid wissen wij" in page(
        forms.client.get("/profiel/rol/mantelzorger/stoppen")
    )
    assert forms.post("/profiel/rol/mantelzorger/stoppen", {}, page="/").status_code == 302
    db.expire_all()
    profile = db.get(CarerProfile, person.id)
    assert (profile.health_note, profile.health_consent_at, profile.cared_for_name) == (
        None,
        None,
        "Anna",
    )
    assert run_checkins(db, utcnow()) == 0


def test_someone_without_any_role_is_shown_where_to_choose(db, auth, make_user, admin):
    from voorelkaar.admin.services import set_roles

    person = make_user(Role.RESIDENT, email="geen@example.nl")
    set_roles(db, admin, person, set())
    client, _forms = login_as(auth.forms.client.application, "geen@example.nl")
    html = page(client.get("/"))
    assert "U heeft nog niet gekozen wat u hier wilt doen" in html
    assert 'href="/profiel#rollen"' in html


# A page for another role.


def test_a_resident_on_a_volunteer_page_is_offered_the_role_and_comes_back(
    db, auth, forms, resident
):
    auth.login("inwoner@example.nl")
    response = forms.client.get("/bij-mij-in-de-buurt")
    assert response.status_code == 403
    html = page(response)
    assert "Deze pagina is voor:" in html
    assert "vrijwilligers" in html
    assert 'href="/profiel/rol/vrijwilliger?next=/bij-mij-in-de-buurt"' in html
    response = forms.post(
        "/profiel/rol/vrijwilliger?next=/bij-mij-in-de-buurt",
        {"travel_km": "5"},
    )
    assert response.headers["Location"] == "/bij-mij-in-de-buurt"
    assert forms.client.get("/bij-mij-in-de-buurt").status_code == 200


def test_a_staff_page_says_who_gives_that_role_and_offers_no_button(db, auth, forms, resident):
    auth.login("inwoner@example.nl")
    response = forms.client.get("/taken")
    assert response.status_code == 403
    html = page(response)
    assert "coördinatoren van het welzijnswerk" in html
    assert "Vraag de beheerder" in html
    assert "/profiel/rol/" not in html


def test_an_organisation_page_says_how_an_organisation_gets_an_account(db, auth, forms, resident):
    auth.login("inwoner@example.nl")
    html = page(forms.client.get("/mijn-organisatie"))
    assert "Meld uw organisatie aan." in html and 'href="/organisatie-aanmelden"' in html


def test_a_refused_form_offers_the_role_and_returns_to_the_page_it_was_on(
    db, auth, forms, resident, make_user, make_request
):
    asker = make_user(Role.RESIDENT, email="vrager@example.nl")
    item = make_request(asker, title="Boodschappen", postcode="7941 AB")
    auth.login("inwoner@example.nl")
    response = forms.post(
        f"/hulpvragen/{item.id}/ik-help",
        {},
        page=f"/hulpvragen/{item.id}",
        headers={"Referer": f"http://localhost/hulpvragen/{item.id}"},
    )
    assert response.status_code == 403
    assert f'href="/profiel/rol/vrijwilliger?next=/hulpvragen/{item.id}"' in page(response)


def test_anonymous_visitors_still_go_to_the_login_page(client):
    response = client.get("/bij-mij-in-de-buurt")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# The carer's "Hulp vragen voor mijn naaste".


def test_the_carers_link_opens_the_form_for_their_naaste_with_the_name_filled_in(
    db, auth, forms, carer
):
    auth.login("mantelzorger@example.nl")
    forms.post("/mantelzorg/zorgsituatie", {"cared_for_name": "Anna"})
    home = page(forms.client.get("/"))
    assert 'href="/hulpvragen/nieuw?voor=naaste"' in home
    html = page(forms.client.get("/hulpvragen/nieuw?voor=naaste"))
    assert checked_posted_for(html) == "cared_for"
    assert re.search(r'<input[^>]*id="for_first_name"[^>]*value="Anna"', html)


def test_without_a_care_situation_the_naaste_is_chosen_and_the_name_left_empty(
    db, auth, forms, carer
):
    auth.login("mantelzorger@example.nl")
    html = page(forms.client.get("/hulpvragen/nieuw?voor=naaste"))
    assert checked_posted_for(html) == "cared_for"


def test_voor_naaste_means_nothing_to_someone_who_is_not_a_carer(db, auth, forms, resident):
    auth.login("inwoner@example.nl")
    html = page(forms.client.get("/hulpvragen/nieuw?voor=naaste"))
    assert 'name="posted_for" value="self"' in html
    assert "cared_for" not in html


def checked_posted_for(html: str) -> str | None:
    for tag in re.findall(r"<input[^>]*name=\"posted_for\"[^>]*>", html):
        if "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


# Two tabs at once (the row lock is PostgreSQL's).


def _at_once(app, user_id, *actions):
    """Run each action(session, user) in its own thread and session, started together."""
    import threading

    from sqlalchemy.orm import Session

    start = threading.Barrier(len(actions))
    results, errors = [], []

    def run(action):
        try:
            with Session(app.extensions["voorelkaar.engine"]) as session:
                user = session.get(User, user_id)
                session.commit()  # each starts from a fresh transaction, as a request does
                start.wait()
                results.append(action(session, user))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.postgres
def test_stopping_both_roles_in_two_tabs_at_once_leaves_one(app, database_url, db, make_user):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is tested in the PostgreSQL run of the suite")
    from voorelkaar.profiles.services import LastRole, stop_role

    for n in range(10):
        person = make_user(Role.RESIDENT, Role.VOLUNTEER, email=f"twee{n}@example.nl")

        def stopping(role):
            def action(session, user):
                try:
                    return stop_role(session, user, role)
                except LastRole:
                    session.rollback()
                    return "last"

            return action

        results, errors = _at_once(
            app, person.id, stopping(Role.RESIDENT), stopping(Role.VOLUNTEER)
        )
        assert errors == []
        assert sorted(map(str, results)) == ["True", "last"]
        assert len(roles_of(db, person)) == 1


@pytest.mark.postgres
def test_adding_a_role_in_two_tabs_at_once_adds_it_once(app, database_url, db, make_user):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is tested in the PostgreSQL run of the suite")
    from voorelkaar.profiles.services import add_role

    person = make_user(Role.RESIDENT, email="dubbel@example.nl")

    def adding(session, user):
        return add_role(session, user, Role.VOLUNTEER)

    results, errors = _at_once(app, person.id, adding, adding)
    assert errors == []
    assert sorted(results) == [False, True]
    assert roles_of(db, person) == {Role.RESIDENT, Role.VOLUNTEER}
    assert len(audit(db, "users.role_added")) == 1

"""Your own network first: members, invitations, the circle asked first, then the wijk."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, Forms
from tests.integration.test_help_requests import request_data
from voorelkaar.db import utcnow
from voorelkaar.models import (
    CircleAnswer,
    HelpRequest,
    Match,
    NetworkCheck,
    NetworkMember,
    OutboxMessage,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
)
from voorelkaar.network import services
from voorelkaar.network.check import AREA_KEYS


class Person:
    """A person with a browser of their own, logged in."""

    def __init__(self, app, user):
        self.user = user
        self.client = app.test_client()
        self.forms = Forms(self.client)
        assert AuthActions(self.forms).login(user.email).status_code == 302

    def get(self, path):
        return self.client.get(path)

    def text(self, path):
        return self.client.get(path).get_data(as_text=True)

    def post(self, path, data=None, page=None):
        return self.forms.post(path, data or {}, page=page)


def link_in(db, address: str, pattern: str) -> str:
    """The path of the newest mailed link to address that matches pattern."""
    message = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no mail to {address}"
    found = re.search(r"http://localhost(/\S*" + pattern + r"\S*)", message.body_text)
    assert found, message.body_text
    return found.group(1)


def member_data(first_name, categories=("boodschappen",), closeness="1", email=""):
    return {
        "first_name": first_name,
        "relation": "familie",
        "closeness": closeness,
        "reach": "",
        "email": email,
        "categories": list(categories),
    }


@pytest.fixture
def riek(app, make_user):
    return Person(app, make_user(Role.RESIDENT, name="Riek Jansen", email="riek@example.nl"))


@pytest.fixture
def joined_jan(app, db, riek, make_user):
    """Jan is in Riek's network for boodschappen and joined with his own account."""
    jan = make_user(Role.RESIDENT, name="Jan Jansen", email="jan@example.nl")
    data = member_data("Jan", email="jan@example.nl")
    assert riek.post("/mijn-netwerk/persoon-toevoegen", data).status_code == 302
    member = db.scalar(select(NetworkMember).where(NetworkMember.first_name == "Jan"))
    assert (
        riek.post(f"/mijn-netwerk/persoon/{member.id}/uitnodigen", page="/mijn-netwerk").status_code
        == 302
    )
    invitation = link_in(db, "jan@example.nl", "uitnodiging")
    person = Person(app, jan)
    assert "Riek" in person.text(invitation)
    assert person.post(invitation, page=invitation).status_code == 302
    db.expire_all()
    assert db.get(NetworkMember, member.id).member_user_id == jan.id
    return person


def test_a_resident_maps_people_and_sees_them_as_circles_with_a_table(riek, db):
    for name, closeness in (("Jan", "1"), ("Els", "1"), ("Piet", "2"), ("Fatima", "2")):
        assert (
            riek.post(
                "/mijn-netwerk/persoon-toevoegen", member_data(name, closeness=closeness)
            ).status_code
            == 302
        )
    page = riek.text("/mijn-netwerk")
    assert page.count("<svg") == 1 and 'role="img"' in page and "<desc" in page
    for name in ("Jan", "Els", "Piet", "Fatima"):
        assert f'<th scope="row">{name}</th>' in page
    assert "2 mensen dichtbij" in page


def test_the_same_person_added_twice_by_a_double_click_is_added_once(riek, db):
    data = riek.forms.fill("/mijn-netwerk/persoon-toevoegen", member_data("Jan"))
    riek.client.post("/mijn-netwerk/persoon-toevoegen", data=data)
    riek.client.post("/mijn-netwerk/persoon-toevoegen", data=data)
    assert len(db.scalars(select(NetworkMember)).all()) == 1


def test_a_member_without_a_name_keeps_what_was_typed_and_says_why(riek, db):
    response = riek.post(
        "/mijn-netwerk/persoon-toevoegen",
        member_data("", closeness="2") | {"reach": "woont naast mij"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul een voornaam in." in page and "woont naast mij" in page
    assert db.scalar(select(NetworkMember)) is None


def test_the_check_shows_gaps_and_the_change_the_next_time(riek, db):
    riek.post("/mijn-netwerk/persoon-toevoegen", member_data("Jan", categories=("vervoer",)))
    jan = db.scalar(select(NetworkMember))
    riek.post("/mijn-netwerk/check/beginnen", page="/mijn-netwerk/check")
    for key in AREA_KEYS:
        chosen = [str(jan.id)] if key not in ("vervoer", "klussen") else []
        assert riek.post(f"/mijn-netwerk/check/{key}", {"who": chosen}).status_code == 302
    page = riek.text("/mijn-netwerk/check/uitslag")
    assert "Bij 2 onderwerpen is nog niemand" in page
    assert "Vraag het eens aan Jan" in page  # Jan can help with vervoer, but was not ticked
    assert db.scalar(select(NetworkCheck)).gaps == 2

    riek.post("/mijn-netwerk/check/beginnen", page="/mijn-netwerk/check")
    for key in AREA_KEYS:
        riek.post(f"/mijn-netwerk/check/{key}", {"who": [str(jan.id)] if key != "klussen" else []})
    page = riek.text("/mijn-netwerk/check/uitslag")
    assert "Bij 1 onderwerp is nog niemand" in page
    assert "waren het er 2. Dat is nu minder." in page


def test_someone_else_s_member_cannot_be_ticked_in_a_check(riek, db, app, make_user):
    other = Person(app, make_user(Role.RESIDENT, email="ander@example.nl"))
    other.post("/mijn-netwerk/persoon-toevoegen", member_data("Geheim"))
    secret = db.scalar(select(NetworkMember))
    riek.post("/mijn-netwerk/check/beginnen", page="/mijn-netwerk/check")
    riek.post(f"/mijn-netwerk/check/{AREA_KEYS[0]}", {"who": [str(secret.id)]})
    assert db.scalar(select(NetworkCheck)).answers[AREA_KEYS[0]] == []
    assert riek.get(f"/mijn-netwerk/persoon/{secret.id}").status_code == 404


def test_the_coach_is_asked_only_with_consent(riek, db):
    riek.post("/mijn-netwerk/check/beginnen", page="/mijn-netwerk/check")
    for key in AREA_KEYS:
        riek.post(f"/mijn-netwerk/check/{key}", {})
    riek.post("/mijn-netwerk/coach", {}, page="/mijn-netwerk/check/uitslag")
    assert db.scalar(select(StaffTask)) is None
    riek.post("/mijn-netwerk/coach", {"consent": "y"}, page="/mijn-netwerk/check/uitslag")
    task = db.scalar(select(StaffTask))
    assert task.kind == TaskKind.NETWORK_COACH and task.person_id == riek.user.id


def test_a_request_goes_to_the_circle_first_and_a_member_says_yes_from_the_mail(
    riek, joined_jan, db, make_user, app
):
    response = riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk", wait_days="2"))
    assert response.status_code == 302
    item = db.scalar(select(HelpRequest))
    assert item.state == RequestState.CIRCLE and item.asked_circle
    # Volunteers of the wijk do not see it.
    volunteer = Person(app, make_user(Role.VOLUNTEER, email="vrijwilliger@example.nl"))
    assert volunteer.get(f"/hulpvragen/{item.id}").status_code == 404
    assert item.title not in volunteer.text("/hulpvragen")
    assert item.title not in volunteer.text("/bij-mij-in-de-buurt")
    # Jan answers yes from the mail.
    link = link_in(db, "jan@example.nl", "antwoord")
    page = joined_jan.text(link + "?antwoord=ja" if "?" not in link else link)
    assert item.title in page
    assert joined_jan.post(link, {"antwoord": "ja"}, page=link).status_code == 302
    db.expire_all()
    match = db.scalar(select(Match))
    assert match.via_circle and match.volunteer_id == joined_jan.user.id
    assert db.get(HelpRequest, item.id).state == RequestState.MATCHED
    assert "riek@example.nl" in {m.to_address for m in db.scalars(select(OutboxMessage))}
    # Jan now sees the appointment; a second click changes nothing.
    assert joined_jan.get(f"/hulpvragen/{item.id}").status_code == 200
    joined_jan.post(link, {"antwoord": "ja"}, page=link)
    assert len(db.scalars(select(Match)).all()) == 1


def test_nobody_in_the_circle_says_yes_so_the_asker_lets_it_go_to_the_wijk(
    riek, joined_jan, db, in_app, make_user, app
):
    riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk", wait_days="1"))
    item = db.scalar(select(HelpRequest))
    with in_app():
        assert services.circle_due(db, utcnow()) == 0
        assert services.circle_due(db, utcnow() + timedelta(days=1, hours=1)) == 1
        assert services.circle_due(db, utcnow() + timedelta(days=1, hours=2)) == 0  # once
    link = link_in(db, "riek@example.nl", "antwoord")
    assert riek.post(link, {"antwoord": "ja"}, page=link).status_code == 302
    db.expire_all()
    released = db.get(HelpRequest, item.id)
    assert released.state in (RequestState.OPEN, RequestState.PENDING)
    # Jan's old link now says the question moved on.
    jan_link = link_in(db, "jan@example.nl", "antwoord")
    joined_jan.post(jan_link, {"antwoord": "ja"}, page=jan_link)
    assert db.scalar(select(Match)) is None


def test_staff_get_a_task_when_a_circle_request_stays_stuck(riek, joined_jan, db, in_app):
    riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk", wait_days="1"))
    with in_app():
        services.circle_due(db, utcnow() + timedelta(days=1, hours=1))
        services.circle_due(db, utcnow() + timedelta(days=4))
        services.circle_due(db, utcnow() + timedelta(days=5))
    tasks = db.scalars(select(StaffTask).where(StaffTask.kind == TaskKind.CIRCLE_STUCK)).all()
    assert len(tasks) == 1


def test_all_members_saying_no_asks_the_asker_at_once(riek, joined_jan, db):
    riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk"))
    link = link_in(db, "jan@example.nl", "antwoord")
    joined_jan.post(link, {"antwoord": "nee"}, page=link)
    db.expire_all()
    assert db.scalar(select(CircleAnswer)).answer == "nee"
    assert db.scalar(select(HelpRequest)).circle_released_asked_at is not None


def test_a_request_in_a_category_nobody_in_the_circle_helps_with_goes_to_the_wijk(
    riek, joined_jan, db
):
    riek.post("/hulpvragen/nieuw", request_data(category="klussen", ask_first="netwerk"))
    item = db.scalar(select(HelpRequest))
    assert item.state != RequestState.CIRCLE and not item.asked_circle


def test_a_member_sees_only_the_requests_of_their_own_circles(riek, joined_jan, db, app, make_user):
    riek.post(
        "/hulpvragen/nieuw", request_data(title="Boodschappen voor Riek", ask_first="netwerk")
    )
    stranger = Person(app, make_user(Role.RESIDENT, email="buur@example.nl"))
    assert "Boodschappen voor Riek" in joined_jan.text("/mijn-netwerk/kringen")
    assert "Boodschappen voor Riek" not in stranger.text("/mijn-netwerk/kringen")
    # A member never sees the resident's list of members.
    overview = joined_jan.text("/mijn-netwerk")
    assert "Jan" not in overview.split("Netwerken waar u in zit")[0].split("Mijn netwerk</h1>")[1]


def test_either_side_can_end_the_link(riek, joined_jan, db):
    member = db.scalar(select(NetworkMember))
    joined_jan.post(f"/mijn-netwerk/kringen/{member.id}/verlaten", page="/mijn-netwerk/kringen")
    db.expire_all()
    assert db.get(NetworkMember, member.id).member_user_id is None
    assert db.get(NetworkMember, member.id).first_name == "Jan"  # Riek keeps her record
    riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk"))
    assert db.scalar(select(HelpRequest)).state != RequestState.CIRCLE


def test_a_printed_code_lets_someone_join(riek, db, app, make_user):
    riek.post("/mijn-netwerk/persoon-toevoegen", member_data("Els"))
    member = db.scalar(select(NetworkMember))
    riek.post(f"/mijn-netwerk/persoon/{member.id}/code", page="/mijn-netwerk")
    db.expire_all()
    code = db.get(NetworkMember, member.id).invite_code
    assert code in riek.text(f"/mijn-netwerk/persoon/{member.id}/code")
    els = Person(app, make_user(Role.RESIDENT, email="els@example.nl"))
    wrong = els.post("/mijn-netwerk/meedoen", {"code": "AAAA-AAAA"})
    assert "Deze code kennen we niet" in wrong.get_data(as_text=True)
    shown = els.post("/mijn-netwerk/meedoen", {"code": code.lower().replace("-", " ")})
    assert "Ja, ik doe mee" in shown.get_data(as_text=True)
    els.post(
        "/mijn-netwerk/meedoen", {"code": code, "bevestig": "ja"}, page="/mijn-netwerk/meedoen"
    )
    db.expire_all()
    assert db.get(NetworkMember, member.id).member_user_id == els.user.id


def test_the_asker_sees_volunteers_from_their_own_circle_first_and_staff_do_not(
    riek, db, app, make_user, staff, meppel
):
    meppel.moderation = False
    # Jan volunteers too, and lives far off: without his circle he would not be first.
    jan = make_user(
        Role.RESIDENT, Role.VOLUNTEER, name="Jan Jansen", email="jan@example.nl", postcode="7948 AA"
    )
    make_user(Role.VOLUNTEER, name="Sanne de Vries", email="sanne@example.nl", postcode="7941 BK")
    riek.post("/mijn-netwerk/persoon-toevoegen", member_data("Jan", categories=("vervoer",)))
    member = db.scalar(select(NetworkMember))
    member.member_user_id = jan.id
    db.commit()
    riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk"))  # nobody for boodschappen
    item = db.scalar(select(HelpRequest))
    assert item.state == RequestState.OPEN
    page = riek.text(f"/hulpvragen/{item.id}")
    suggested = page.split("Vrijwilligers die goed passen")[1]
    assert suggested.index("Jan") < suggested.index("Sanne")
    assert "uit uw eigen netwerk" in suggested
    staff_page = Person(app, staff).text(f"/hulpvragen/{item.id}")
    assert "uit uw eigen netwerk" not in staff_page


def test_staff_of_another_municipality_cannot_send_a_circle_request_on(
    riek, joined_jan, db, app, make_user, westerveld
):
    riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk"))
    item = db.scalar(select(HelpRequest))
    other = Person(app, make_user(Role.STAFF, email="staf@westerveld.nl", postcode="7971 AA"))
    response = other.post(f"/mijn-netwerk/hulpvraag/{item.id}/naar-de-wijk", page="/")
    assert response.status_code == 404
    assert other.get(f"/hulpvragen/{item.id}").status_code == 404
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.CIRCLE


def test_the_resident_s_download_holds_the_network_and_the_member_s_only_whose_circle(
    riek, joined_jan, db
):
    resident_data = riek.get("/mijn-gegevens/download").get_json()["tabellen"]
    (jan_row,) = resident_data["network_members"]
    assert jan_row["first_name"] == "Jan" and jan_row["email"] == "jan@example.nl"
    member_data_ = joined_jan.get("/mijn-gegevens/download").get_json()["tabellen"]
    (circle,) = member_data_["network_members"]
    assert circle["in_network_of"] == "Riek" and "email" not in circle


def test_deleting_either_side_removes_the_link(riek, joined_jan, db, app, make_user):
    from tests.conftest import PASSWORD

    member = db.scalar(select(NetworkMember))
    joined_jan.post("/mijn-gegevens/verwijderen", {"password": PASSWORD})
    db.expire_all()
    kept = db.get(NetworkMember, member.id)
    assert kept.member_user_id is None and "Jan" not in kept.first_name
    riek.post("/mijn-netwerk/check/beginnen", page="/mijn-netwerk/check")
    riek.post("/mijn-gegevens/verwijderen", {"password": PASSWORD})
    db.expire_all()
    assert db.scalars(select(NetworkMember)).all() == []
    assert db.scalars(select(NetworkCheck)).all() == []


def test_staff_see_a_network_only_with_a_reason_that_is_logged(riek, joined_jan, db, app, staff):
    from voorelkaar.models import AuditEvent

    coordinator = Person(app, staff)
    path = f"/mensen/{riek.user.id}/netwerk"
    assert '<th scope="row">Jan</th>' not in coordinator.text(path)
    refused = coordinator.post(path, {"reason": "  "})
    assert "Schrijf kort op waarom" in refused.get_data(as_text=True)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "network.viewed")) is None
    shown = coordinator.post(path, {"reason": "Gesprek als netwerkcoach, met toestemming"})
    assert '<th scope="row">Jan</th>' in shown.get_data(as_text=True)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "network.viewed"))
    assert event.actor_id == staff.id and event.subject_id == riek.user.id
    # No circle member's name on the request page for staff: only how many were asked.
    riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk"))
    item = db.scalar(select(HelpRequest))
    page = coordinator.text(f"/hulpvragen/{item.id}")
    assert "Gevraagd aan 1 persoon uit het eigen netwerk." in page and "Jan:" not in page
    assert "Jan: nog geen antwoord" in riek.text(f"/hulpvragen/{item.id}")


def test_the_overview_asks_the_member_and_later_the_asker_what_waits_on_them(
    riek, joined_jan, db, in_app
):
    riek.post("/hulpvragen/nieuw", request_data(ask_first="netwerk", wait_days="1"))
    item = db.scalar(select(HelpRequest))
    waiting = joined_jan.text("/").split('id="actie-nodig"')[1]
    assert "Riek vraagt u om hulp" in waiting and "Antwoord geven" in waiting
    assert "Niemand uit uw netwerk" not in riek.text("/")
    with in_app():
        services.circle_due(db, utcnow() + timedelta(days=2))
    home = riek.text("/").split('id="actie-nodig"')[1]
    assert "Niemand uit uw netwerk kon helpen" in home
    response = riek.post(f"/mijn-netwerk/hulpvraag/{item.id}/naar-de-wijk", page="/")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(HelpRequest, item.id).state in (RequestState.OPEN, RequestState.PENDING)
    assert "Niemand uit uw netwerk kon helpen" not in riek.text("/")
    assert "Riek vraagt u om hulp" not in joined_jan.text("/")


def test_a_network_coach_fills_in_a_person_with_the_resident_s_consent(riek, db, app, staff):
    from voorelkaar.models import AuditEvent

    coordinator = Person(app, staff)
    path = f"/mensen/{riek.user.id}/netwerk/toevoegen"
    page = f"/mensen/{riek.user.id}/netwerk"
    without = coordinator.post(path, member_data("Kees"), page=page)
    assert without.status_code == 422
    assert "zonder toestemming kan het niet" in without.get_data(as_text=True)
    assert db.scalar(select(NetworkMember)) is None
    coordinator.post(path, member_data("Kees") | {"consent": "y"}, page=page)
    member = db.scalar(select(NetworkMember))
    assert member.owner_id == riek.user.id and member.first_name == "Kees"
    added = db.scalar(select(AuditEvent).where(AuditEvent.action == "network.added"))
    assert added.actor_id == staff.id
    assert '<th scope="row">Kees</th>' in riek.text("/mijn-netwerk")


@pytest.mark.parametrize(
    "roles",
    [
        (Role.RESIDENT,),
        (Role.VOLUNTEER,),
        (Role.CARER,),
        (Role.ORGANISATION,),
        (Role.CONSULTANT,),
        (Role.RESIDENT, Role.VOLUNTEER),
    ],
    ids=lambda roles: "+".join(role.value for role in roles),
)
def test_a_circle_only_request_is_nowhere_for_anyone_outside_the_circle(
    riek, joined_jan, db, app, make_user, roles
):
    riek.post(
        "/hulpvragen/nieuw", request_data(title="Alleen voor mijn kring", ask_first="netwerk")
    )
    item = db.scalar(select(HelpRequest))
    assert item.state == RequestState.CIRCLE
    outsider = Person(app, make_user(*roles, email="buiten@example.nl", postcode="7941 BK"))
    for path in (
        "/",
        "/hulpvragen",
        "/bij-mij-in-de-buurt",
        "/mijn-netwerk",
        "/mijn-netwerk/kringen",
    ):
        page = outsider.get(path)
        assert "Alleen voor mijn kring" not in page.get_data(as_text=True), (roles, path)
    assert outsider.get(f"/hulpvragen/{item.id}").status_code == 404

"""Volunteers see the requests that suit them; askers and staff see who suits a request."""

from datetime import time, timedelta

from sqlalchemy import select

from voorelkaar.db import utcnow
from voorelkaar.models import AuditEvent, Role


def set_week(forms, parts, travel_km="5"):
    data = {f"d{day}_{part}": "y" for day, part in parts}
    return forms.post("/beschikbaarheid", {**data, "travel_km": travel_km, "available": "y"})


def test_a_volunteer_in_7942_sees_a_7943_shopping_request_first_with_reasons(
    forms, auth, client, db, make_user, make_request
):
    asker = make_user(Role.RESIDENT, email="riek@example.nl", postcode="7943 AC")
    make_request(asker, title="Tuin wieden", postcode="7944 AA", skills="tuinieren")
    make_request(asker, title="Op vrijdag", postcode="7942 JD", skills="boodschappen", weekday=4)
    make_request(asker, title="Boodschappen doen", postcode="7943 AC", skills="boodschappen")
    make_request(asker, title="In Amsterdam", postcode="1012 AB", skills="boodschappen")
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", postcode="7942 JD")
    volunteer.skills = "boodschapen, wandelen"
    db.commit()
    auth.login("sanne@example.nl")
    assert set_week(forms, {(1, "middag"), (3, "ochtend")}).status_code == 302
    html = client.get("/bij-mij-in-de-buurt").get_data(as_text=True)
    assert html.index("Boodschappen doen") < html.index("Tuin wieden")
    assert "In Amsterdam" not in html  # too far
    assert "Op vrijdag" not in html  # not when I can
    assert "km van de hulpvraag" in html and "dinsdagmiddag beschikbaar" in html
    assert "kan boodschappen doen" in html or "ervaring met boodschappen" in html


def test_a_paused_volunteer_is_not_suggested(forms, auth, client, db, make_user, make_request):
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    item = make_request(asker, title="Boodschappen", postcode="7941 AB")
    make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries", postcode="7941 AB")
    auth.login("riek@example.nl")
    assert "Sanne" in client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    auth.logout()
    auth.login("sanne@example.nl")
    forms.post("/beschikbaarheid", {"travel_km": "5"})  # "available" unticked: paused
    auth.logout()
    auth.login("riek@example.nl")
    assert "Sanne" not in client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)


def test_the_asker_sees_first_names_and_staff_full_names(auth, client, make_user, make_request):
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    item = make_request(asker, title="Boodschappen", postcode="7941 AB")
    make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries", postcode="7942 JD")
    make_user(Role.STAFF, email="staf@example.nl")
    auth.login("riek@example.nl")
    html = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "Sanne" in html and "de Vries" not in html and "km van de hulpvraag" in html
    auth.logout()
    auth.login("staf@example.nl")
    assert "Sanne de Vries" in client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)


def test_a_vog_request_reaches_only_volunteers_whose_vog_staff_recorded(
    forms, auth, client, db, make_user, make_request
):
    asker = make_user(Role.RESIDENT, email="riek@example.nl")
    make_request(asker, title="Wandelen met Gerrit", postcode="7941 AB", requires_vog=True)
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", postcode="7941 AB")
    make_user(Role.STAFF, email="staf@example.nl")
    auth.login("sanne@example.nl")
    assert "Wandelen met Gerrit" not in client.get("/bij-mij-in-de-buurt").get_data(as_text=True)
    auth.logout()
    auth.login("staf@example.nl")
    until = (utcnow().date() + timedelta(days=365)).isoformat()
    assert (
        forms.post(f"/beheer/gebruikers/{volunteer.id}/vog", {"valid_until": until}).status_code
        == 302
    )
    auth.logout()
    auth.login("sanne@example.nl")
    html = client.get("/bij-mij-in-de-buurt").get_data(as_text=True)
    assert "Wandelen met Gerrit" in html and "heeft een VOG" in html
    assert "users.vog_recorded" in db.scalars(select(AuditEvent.action)).all()


def test_an_expired_vog_date_is_refused(forms, auth, db, make_user):
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    make_user(Role.STAFF, email="staf@example.nl")
    auth.login("staf@example.nl")
    html = forms.post(
        f"/beheer/gebruikers/{volunteer.id}/vog", {"valid_until": "2020-01-01"}
    ).get_data(as_text=True)
    assert "al geweest" in html
    db.refresh(volunteer)
    assert volunteer.vog_valid_until is None


def test_the_week_is_stored_as_merged_slots_and_shown_again(forms, auth, client, db, make_user):
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl")
    auth.login("sanne@example.nl")
    set_week(forms, {(1, "ochtend"), (1, "middag"), (5, "avond")}, travel_km="10")
    db.refresh(volunteer)
    assert [(s.weekday, s.start_time, s.end_time) for s in volunteer.slots] == [
        (1, time(8), time(12 + 6)),
        (5, time(18), time(22)),
    ]
    assert volunteer.travel_km == 10
    html = client.get("/beschikbaarheid").get_data(as_text=True)
    assert html.count("checked") == 4  # three parts and "available"


def test_an_unknown_distance_is_refused(forms, auth, db, make_user):
    make_user(Role.VOLUNTEER, email="sanne@example.nl")
    auth.login("sanne@example.nl")
    html = forms.post("/beschikbaarheid", {"travel_km": "9999"}).get_data(as_text=True)
    assert "Kies een afstand uit de lijst." in html

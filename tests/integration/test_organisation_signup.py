"""Organisations sign up themselves; a coordinator of their municipality approves or
turns the application down, and the contact person hears of it by mail."""

import re

import pytest
from sqlalchemy import func, select

from voorelkaar.models import AuditEvent, Organisation, OutboxMessage, Role
from voorelkaar.organisations import services

APPLICATION = {
    "name": "Buurthuis De Plataan",
    "description": "Een buurthuis in Oosterboer.",
    "phone": "0522 123 456",
}


@pytest.fixture
def applicant(make_user):
    """Someone with an ordinary account, who will be the organisation's contact person."""
    return make_user(Role.RESIDENT, email="petra@example.nl", name="Petra Jansen")


def apply(forms, auth, applicant, data=APPLICATION):
    auth.login(applicant.email)
    response = forms.post("/organisatie-aanmelden", data)
    auth.logout()
    return response


def reject_data(forms, organisation_id: int, reason: str) -> dict:
    """The rejection form of one application: its fields carry the application's prefix."""
    filled = forms.fill("/beheer/organisaties", {}, page="/beheer/organisaties")
    prefix = f"afwijzen-{organisation_id}-"
    return {prefix + "csrf_token": filled["csrf_token"], prefix + "reason": reason}


def test_anyone_with_an_account_applies_once_however_often_the_form_is_sent(
    forms, auth, client, db, applicant
):
    auth.login(applicant.email)
    data = forms.fill("/organisatie-aanmelden", APPLICATION)
    first = client.post("/organisatie-aanmelden", data=data)
    again = client.post("/organisatie-aanmelden", data=data)  # Back, and send again
    assert first.status_code == again.status_code == 302
    assert db.scalar(select(func.count(Organisation.id))) == 1
    organisation = db.scalar(select(Organisation))
    assert organisation.verified_at is None
    db.refresh(applicant)
    assert not applicant.has_role(Role.ORGANISATION)  # not before a coordinator approves
    assert "U krijgt een e-mail zodra" in client.get("/").get_data(as_text=True)


def test_an_application_without_a_name_keeps_what_was_typed(forms, auth, db, applicant):
    auth.login(applicant.email)
    response = forms.post("/organisatie-aanmelden", {"name": " ", "description": "Een club"})
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    assert "Vul de naam van uw organisatie in." in text and "Een club" in text
    assert db.scalar(select(func.count(Organisation.id))) == 0


def test_approval_gives_the_role_and_mails_the_contact_person_by_name(
    forms, auth, client, db, applicant, staff
):
    apply(forms, auth, applicant)
    organisation = db.scalar(select(Organisation))
    assert [item.id for item in services.waiting_applications(db, staff)] == [organisation.id]
    auth.login(staff.email)
    assert "Buurthuis De Plataan" in client.get("/beheer/organisaties").get_data(as_text=True)
    forms.post(
        f"/beheer/organisaties/{organisation.id}/goedkeuren", {}, page="/beheer/organisaties"
    )
    db.expire_all()
    assert applicant.has_role(Role.ORGANISATION)
    assert services.waiting_applications(db, staff) == []
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "organisation_approved"))
    assert mail.to_address == "petra@example.nl"
    assert "Beste Petra Jansen," in mail.body_text and "Buurthuis De Plataan" in mail.body_text
    auth.logout()
    auth.login(applicant.email)
    assert client.get("/vacatures/nieuw").status_code == 200  # may post vacancies now


def test_a_rejection_needs_a_reason_which_the_applicant_receives(
    forms, auth, client, db, applicant, staff
):
    apply(forms, auth, applicant)
    organisation = db.scalar(select(Organisation))
    auth.login(staff.email)
    url = f"/beheer/organisaties/{organisation.id}/afwijzen"
    refused = client.post(url, data=reject_data(forms, organisation.id, " "))
    assert refused.status_code == 422
    assert "Schrijf waarom u de aanmelding afwijst." in refused.get_data(as_text=True)
    reason = "We vinden de organisatie niet in het Handelsregister."
    assert client.post(url, data=reject_data(forms, organisation.id, reason)).status_code == 302
    assert db.scalar(select(func.count(Organisation.id))) == 0
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "organisation_rejected"))
    assert mail.to_address == "petra@example.nl" and reason in mail.body_text
    assert "Beste Petra Jansen," in mail.body_text
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "organisations.rejected"))
    db.refresh(applicant)
    assert not applicant.has_role(Role.ORGANISATION)


def test_the_verification_page_has_a_rejection_form_per_application_with_its_own_ids(
    forms, auth, client, db, make_user, staff
):
    for index, name in enumerate(("Buurthuis A", "Buurthuis B")):
        person = make_user(Role.RESIDENT, email=f"aanvrager{index}@example.nl")
        apply(forms, auth, person, {**APPLICATION, "name": name, "description": ""})
    auth.login(staff.email)
    page = client.get("/beheer/organisaties").get_data(as_text=True)
    ids = re.findall(r'id="(afwijzen-\d+-reason)"', page)
    assert len(ids) == 2 and len(set(ids)) == 2


def test_another_municipality_s_staff_cannot_approve_or_reject(
    forms, auth, client, db, applicant, make_user, westerveld
):
    apply(forms, auth, applicant)
    organisation = db.scalar(select(Organisation))
    other = make_user(Role.STAFF, email="coordinator@westerveld.example.nl", postcode="7971 AB")
    auth.login(other.email)
    assert "Buurthuis De Plataan" not in client.get("/beheer/organisaties").get_data(as_text=True)
    for action in ("goedkeuren", "afwijzen"):
        data = {**forms.fill("/", {}, page="/"), **reject_data(forms, organisation.id, "Nee")}
        response = client.post(f"/beheer/organisaties/{organisation.id}/{action}", data=data)
        assert response.status_code == 404
    db.refresh(applicant)
    assert not applicant.has_role(Role.ORGANISATION)

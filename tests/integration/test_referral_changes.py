"""A referral corrected, sent again and withdrawn: by its consultant or the municipality's staff."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from tests.integration.test_referrals import referral_data
from voorelkaar.db import utcnow
from voorelkaar.help_requests.forms import today
from voorelkaar.models import (
    AuditEvent,
    AuditNote,
    OutboxMessage,
    Referral,
    ReferralStatus,
    ReplacedCode,
    Role,
    StaffTask,
    TaskKind,
)
from voorelkaar.referrals import services
from voorelkaar.referrals.jobs import expire_referrals
from voorelkaar.tenancy import set_served


@pytest.fixture
def refer(forms, auth, db):
    """A referral made through the form by consultant (who stays logged in); the Referral."""

    def make(consultant, **changes):
        auth.login(consultant.email)
        response = forms.post("/verwijzingen/nieuw", referral_data(**changes))
        assert response.status_code == 302, response.get_data(as_text=True)
        referral_id = int(response.headers["Location"].rsplit("/", 1)[-1])
        return db.get(Referral, referral_id)

    return make


def _fresh(db, referral):
    db.expire_all()
    return db.get(Referral, referral.id)


def _resend(client, referral):
    """Press "Uitnodiging opnieuw sturen" on the referral's page."""
    html = client.get(f"/verwijzingen/{referral.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "replacing": referral.code}
    return client.post(f"/verwijzingen/{referral.id}/opnieuw-sturen", data=data), data


def _withdraw(forms, referral):
    url = f"/verwijzingen/{referral.id}/intrekken"
    return forms.post(url, {})


def _audit(db, action, referral):
    return db.scalars(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.subject_id == referral.id)
    ).all()


def _invitation_mails(db, referral):
    return db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.idempotency_key.startswith(f"referral-invitation:{referral.id}"))
        .order_by(OutboxMessage.id)
    ).all()


# ---------- Edit ----------


def test_a_consultant_corrects_a_typo_in_the_email_and_the_log_names_the_field_not_the_value(
    refer, forms, client, consultant, db
):
    referral = refer(consultant, email="riek@exmaple.nl")
    url = f"/verwijzingen/{referral.id}/wijzigen"
    form = client.get(url).get_data(as_text=True)
    assert 'value="riek@exmaple.nl"' in form and "Mevrouw kan slecht lopen" in form
    response = forms.post(url, referral_data(email="riek@example.nl", phone="0612345678"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "stuur de uitnodiging opnieuw" in page
    referral = _fresh(db, referral)
    assert referral.email == "riek@example.nl" and referral.phone == "+31612345678"
    (row,) = _audit(db, "referrals.edited", referral)
    assert row.actor_id == consultant.id
    note = db.scalar(select(AuditNote.text).where(AuditNote.event_id == row.id))
    assert note == "e-mailadres, telefoon"
    assert "example" not in note and "0612" not in note


def test_an_edit_with_a_wrong_value_says_what_to_fix_and_keeps_what_was_typed(
    refer, forms, client, consultant, db
):
    referral = refer(consultant)
    url = f"/verwijzingen/{referral.id}/wijzigen"
    response = forms.post(url, referral_data(resident_name="Riek Janssen", email="riek@"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul een e-mailadres in zoals naam@voorbeeld.nl." in html
    assert 'value="Riek Janssen"' in html
    assert _fresh(db, referral).resident_name == "Riek Jansen"


def test_an_accepted_referral_can_no_longer_be_edited_or_sent_again(
    refer, forms, client, consultant, resident, db
):
    referral = refer(consultant)
    referral.account_id = resident.id
    db.commit()
    url = f"/verwijzingen/{referral.id}/wijzigen"
    assert client.get(url).status_code == 302
    forms.post(
        url, referral_data(resident_name="Iemand Anders"), page=f"/verwijzingen/{referral.id}"
    )
    assert _fresh(db, referral).resident_name == "Riek Jansen"
    page = client.get(f"/verwijzingen/{referral.id}").get_data(as_text=True)
    assert "Uitnodiging opnieuw sturen" not in page and "Verwijzing wijzigen" not in page


# ---------- Send again ----------


def test_sending_again_gives_a_new_code_and_the_old_link_says_it_was_replaced(
    refer, client, consultant, db, meppel
):
    meppel.org_phone = "0522 123 456"
    db.commit()
    referral = refer(consultant)
    old_code = referral.code
    (first,) = _invitation_mails(db, referral)
    first.sent_at = utcnow()  # the mail with the typo went out
    db.commit()
    response, _ = _resend(client, referral)
    assert response.status_code == 302
    referral = _fresh(db, referral)
    assert referral.code != old_code
    first, second = _invitation_mails(db, referral)
    assert f"/verwijzing/{old_code}" in first.body_text
    assert f"/verwijzing/{referral.code}" in second.body_text
    assert db.get(ReplacedCode, old_code).referral_id == referral.id
    assert len(_audit(db, "referrals.resent", referral)) == 1

    old = client.get(f"/verwijzing/{old_code}")
    assert old.status_code == 410
    text = old.get_data(as_text=True)
    assert "Er is een nieuwe uitnodiging" in text and "0522 123 456" in text
    assert "Riek" not in text
    assert client.get(f"/verwijzing/{referral.code}").status_code == 200


def test_a_double_click_on_send_again_sends_one_new_invitation(refer, client, consultant, db):
    referral = refer(consultant)
    response, data = _resend(client, referral)
    again = client.post(f"/verwijzingen/{referral.id}/opnieuw-sturen", data=data)
    assert response.status_code == again.status_code == 302
    (mail,) = _invitation_mails(db, referral)
    assert f"/verwijzing/{_fresh(db, referral).code}" in mail.body_text
    assert db.scalar(select(func.count()).select_from(ReplacedCode)) == 1
    assert "al verstuurd" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_sending_again_revives_an_expired_invitation_and_closes_its_task(
    refer, client, consultant, db, in_app
):
    referral = refer(consultant)
    referral.expires_at = utcnow() - timedelta(days=1)
    db.commit()
    with in_app():
        from voorelkaar.db import get_session

        assert expire_referrals(get_session(), utcnow()) == 1
    _resend(client, _fresh(db, referral))
    referral = _fresh(db, referral)
    assert referral.expired_at is None and referral.expires_at > utcnow() + timedelta(days=29)
    assert services.status_of(referral) == ReferralStatus.INVITED
    task = db.scalar(select(StaffTask).where(StaffTask.referral_id == referral.id))
    assert task.closed_at is not None and "opnieuw gestuurd" in task.closed_reason


def test_an_unsent_invitation_with_the_old_link_is_not_sent_after_all(
    refer, client, consultant, db
):
    referral = refer(consultant)
    _resend(client, referral)
    (mail,) = _invitation_mails(db, referral)
    assert _fresh(db, referral).code in mail.body_text
    assert f"referral-invitation:{referral.id}:" in mail.idempotency_key


# ---------- Withdraw ----------


def test_withdrawing_asks_first_on_a_page_of_its_own(refer, client, consultant, db):
    referral = refer(consultant)
    page = client.get(f"/verwijzingen/{referral.id}/intrekken")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ja, verwijzing intrekken" in text and "niet ongedaan maken" in text
    assert _fresh(db, referral).withdrawn_at is None


def test_withdrawn_consent_erases_the_person_keeps_the_fact_and_stops_the_link(
    refer, forms, client, consultant, db, in_app
):
    referral = refer(consultant, phone="0612345678", street="Kerkstraat")
    code = referral.code
    referral.expires_at = utcnow() - timedelta(days=1)
    db.commit()
    with in_app():
        from voorelkaar.db import get_session

        expire_referrals(get_session(), utcnow())
    assert db.scalar(select(StaffTask.closed_at)) is None
    db.add(
        StaffTask(
            key="handmatig",
            kind=TaskKind.CALL_PERSON,
            referral_id=referral.id,
            detail="Bel Riek Jansen",
        )
    )
    db.commit()

    response = _withdraw(forms, referral)
    assert response.status_code == 302
    referral = _fresh(db, referral)
    assert referral.withdrawn_at is not None
    assert services.status_of(referral) == ReferralStatus.WITHDRAWN
    for field in (
        "resident_name",
        "email",
        "phone",
        "house_number",
        "street",
        "title",
        "description",
        "wanted_when",
    ):
        assert not getattr(referral, field), field
    # The fact stays: who referred, when, what kind of help, in which area, with consent.
    assert referral.created_at and referral.consultant_id == consultant.id
    assert referral.category_id and referral.postcode == "7941 BK"
    assert referral.consent_date == today()

    tasks = db.scalars(select(StaffTask).where(StaffTask.referral_id == referral.id)).all()
    assert len(tasks) == 2
    assert all(task.closed_at is not None and "toestemming" in task.closed_reason for task in tasks)
    assert all("Riek" not in task.detail and "Boodschappen" not in task.detail for task in tasks)
    (row,) = _audit(db, "referrals.withdrawn", referral)
    assert row.actor_id == consultant.id

    link = client.get(f"/verwijzing/{code}")
    assert link.status_code == 410
    assert "Deze uitnodiging werkt niet meer" in link.get_data(as_text=True)
    listing = client.get("/verwijzingen").get_data(as_text=True)
    assert "Riek" not in listing and "ingetrokken" in listing
    detail = client.get(f"/verwijzingen/{referral.id}").get_data(as_text=True)
    assert "Riek" not in detail and "612345678" not in detail and "Ingetrokken op" in detail
    assert client.get(f"/verwijzingen/{referral.id}/brief").status_code == 302


def test_a_withdrawn_referral_sends_nothing_more_and_the_expiry_job_skips_it(
    refer, forms, client, consultant, db, in_app
):
    referral = refer(consultant)
    _withdraw(forms, referral)
    assert _invitation_mails(db, referral) == []  # the unsent invitation went with it
    referral = _fresh(db, referral)
    referral.expires_at = utcnow() - timedelta(days=1)
    db.commit()
    with in_app():
        from voorelkaar.db import get_session

        assert expire_referrals(get_session(), utcnow()) == 0
    assert db.scalar(select(func.count(StaffTask.id))) == 0
    data = {"csrf_token": "x", "replacing": referral.code}
    client.post(f"/verwijzingen/{referral.id}/opnieuw-sturen", data=data)
    assert _invitation_mails(db, referral) == []


def test_a_replaced_code_of_a_withdrawn_referral_also_says_it_stopped(
    refer, forms, client, consultant, db
):
    referral = refer(consultant)
    old = referral.code
    _resend(client, referral)
    _withdraw(forms, _fresh(db, referral))
    text = client.get(f"/verwijzing/{old}").get_data(as_text=True)
    assert "Deze uitnodiging werkt niet meer" in text


def test_a_withdrawn_referral_still_counts_in_the_consultants_list(
    refer, forms, client, consultant, db
):
    referral = refer(consultant)
    _withdraw(forms, referral)
    assert db.scalar(select(func.count(Referral.id))) == 1
    assert db.scalar(select(Referral.withdrawn_at)) is not None


# ---------- Who may ----------


def test_another_consultant_cannot_edit_resend_or_withdraw_my_referral(
    refer, make_user, auth, forms, client, consultant, db
):
    referral = refer(consultant)
    auth.logout()
    other = make_user(Role.CONSULTANT, email="ander@example.nl")
    auth.login(other.email)
    base = f"/verwijzingen/{referral.id}"
    assert client.get(f"{base}/wijzigen").status_code == 404
    assert client.get(f"{base}/intrekken").status_code == 404
    token = csrf_token_from(client.get("/verwijzingen").get_data(as_text=True))
    assert client.post(f"{base}/intrekken", data={"csrf_token": token}).status_code == 404
    resend = client.post(
        f"{base}/opnieuw-sturen", data={"csrf_token": token, "replacing": referral.code}
    )
    assert resend.status_code == 404
    assert _fresh(db, referral).withdrawn_at is None
    assert _fresh(db, referral).code == referral.code


def test_the_municipalitys_staff_may_withdraw_a_consultants_referral(
    refer, auth, forms, client, consultant, staff, db
):
    referral = refer(consultant)
    auth.logout()
    auth.login(staff.email)
    assert _withdraw(forms, referral).status_code == 302
    assert _fresh(db, referral).withdrawn_at is not None


def test_staff_and_consultants_of_another_municipality_get_404(
    refer, make_user, auth, forms, client, consultant, db, westerveld
):
    referral = refer(consultant)
    auth.logout()
    base = f"/verwijzingen/{referral.id}"
    for role in (Role.STAFF, Role.CONSULTANT):
        outsider = make_user(role, email=f"{role.value}@westerveld.nl", postcode="7971 AB")
        set_served(db, outsider, [westerveld.id])
        db.commit()
        auth.login(outsider.email)
        for path in ("wijzigen", "intrekken"):
            assert client.get(f"{base}/{path}").status_code == 404, (role, path)
        token = csrf_token_from(client.get("/").get_data(as_text=True))
        for path in ("intrekken", "opnieuw-sturen"):
            response = client.post(
                f"{base}/{path}", data={"csrf_token": token, "replacing": referral.code}
            )
            assert response.status_code == 404, (role, path)
        auth.logout()
    referral = _fresh(db, referral)
    assert referral.withdrawn_at is None and referral.resident_name == "Riek Jansen"


# ---------- Consent dates ----------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1-1-1900", "De datum van toestemming kan niet vóór 1 januari 2020 liggen."),
        ("2019-12-31", "De datum van toestemming kan niet vóór 1 januari 2020 liggen."),
        (
            (today() + timedelta(days=1)).isoformat(),
            "De datum van toestemming kan niet in de toekomst liggen.",
        ),
        ("31-02-2024", "Vul een datum in zoals 1-12-2026."),
    ],
)
def test_a_consent_date_that_cannot_be_is_refused_and_kept_as_typed(
    forms, auth, client, consultant, db, typed, message
):
    auth.login(consultant.email)
    response = forms.post("/verwijzingen/nieuw", referral_data(consent_date=typed))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert f'value="{typed}"' in html
    assert db.scalar(select(func.count(Referral.id))) == 0


def test_the_first_possible_consent_date_and_today_are_accepted(forms, auth, consultant, db):
    auth.login(consultant.email)
    for typed in ("1-1-2020", today().isoformat()):
        response = forms.post("/verwijzingen/nieuw", referral_data(consent_date=typed))
        assert response.status_code == 302
    dates = set(db.scalars(select(Referral.consent_date)))
    assert dates == {date(2020, 1, 1), today()}


def test_an_edit_and_a_request_on_someones_behalf_refuse_1900_too(
    refer, forms, client, consultant, staff, auth, db
):
    from tests.integration.test_help_requests import request_data

    referral = refer(consultant)
    response = forms.post(
        f"/verwijzingen/{referral.id}/wijzigen", referral_data(consent_date="1-1-1900")
    )
    assert "kan niet vóór 1 januari 2020 liggen" in response.get_data(as_text=True)
    assert _fresh(db, referral).consent_date == today()
    auth.logout()
    auth.login(staff.email)
    data = request_data(
        posted_for="resident",
        resident_name="Riek Jansen",
        resident_contact="0612345678",
        consent_date="1-1-1900",
    )
    response = forms.post("/hulpvragen/nieuw", data)
    assert response.status_code == 200
    assert "kan niet vóór 1 januari 2020 liggen" in response.get_data(as_text=True)


def test_the_earliest_consent_date_comes_from_the_configuration(
    app_config, app, forms, auth, make_user
):
    app.config["EARLIEST_CONSENT_DATE"] = "2024-06-01"
    consultant = make_user(Role.CONSULTANT, email="c@example.nl")
    auth.login(consultant.email)
    response = forms.post("/verwijzingen/nieuw", referral_data(consent_date="31-5-2024"))
    assert "kan niet vóór 1 juni 2024 liggen" in response.get_data(as_text=True)


# ---------- At the same moment ----------


def _first_on_update(engine, action):
    """Run action in a session of its own just before the first UPDATE of referrals."""
    went = []

    def other_first(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE REFERRALS") and not went:
            went.append(True)
            action()

    return went, other_first


@pytest.mark.postgres
def test_two_colleagues_sending_again_at_once_send_one_new_invitation(
    database_url, app, refer, client, consultant, staff, db, in_app
):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is tested in the PostgreSQL run of the suite")
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from voorelkaar.db import get_session

    referral = refer(consultant)
    old = referral.code
    engine = app.extensions["voorelkaar.engine"]

    def colleague():
        with Session(engine) as other, app.test_request_context():
            item = other.get(Referral, referral.id)
            assert services.resend_invitation(other, other.merge(staff), item, old)

    went, hook = _first_on_update(engine, colleague)
    event.listen(engine, "before_cursor_execute", hook)
    try:
        with app.test_request_context():
            session = get_session()
            item = session.get(Referral, referral.id)
            assert not services.resend_invitation(session, session.merge(consultant), item, old)
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    assert went
    (mail,) = _invitation_mails(db, referral)
    assert _fresh(db, referral).code in mail.body_text
    assert db.scalar(select(func.count()).select_from(ReplacedCode)) == 1


def test_a_resident_accepting_while_consent_is_withdrawn_gets_no_account_linked(
    app, refer, consultant, resident, db
):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from voorelkaar.db import get_session

    referral = refer(consultant)
    engine = app.extensions["voorelkaar.engine"]

    def consultant_withdraws():
        with Session(engine) as other, app.test_request_context():
            item = other.get(Referral, referral.id)
            assert services.withdraw_referral(other, other.merge(consultant), item)

    went, hook = _first_on_update(engine, consultant_withdraws)
    event.listen(engine, "before_cursor_execute", hook)
    try:
        with app.test_request_context():
            session = get_session()
            item = session.get(Referral, referral.id)
            with pytest.raises(services.AlreadyAccepted):
                services.accept_as(session, item, session.merge(resident))
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    assert went
    referral = _fresh(db, referral)
    assert referral.withdrawn_at is not None and referral.account_id is None

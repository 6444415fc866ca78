"""Wmo referrals: a consultant refers, the resident accepts, and the consultant sees the outcome."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.integration.test_help_requests import next_weekday, request_data
from voorelkaar.db import utcnow
from voorelkaar.help_requests.forms import today
from voorelkaar.models import (
    AuditEvent,
    HelpRequest,
    OutboxMessage,
    PostedFor,
    Referral,
    ReferralStatus,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
    User,
)
from voorelkaar.referrals import services
from voorelkaar.referrals.jobs import expire_referrals


def referral_data(**changes):
    data = {
        "resident_name": "Riek Jansen",
        "email": "riek@example.nl",
        "phone": "",
        "postcode": "7941 BK",
        "house_number": "12",
        "category": "boodschappen",
        "title": "Boodschappen doen",
        "description": "Mevrouw kan slecht lopen en zoekt hulp bij de boodschappen.",
        "wanted_when": "dinsdagmiddag",
        "consent_date": today().isoformat(),
    }
    data.update(changes)
    return data


@pytest.fixture
def refer(db, in_app):
    """Create a referral through the service; returns the Referral."""

    def make(consultant, *, email="riek@example.nl", now=None, **changes):
        details = services.ReferralDetails(
            resident_name=changes.pop("resident_name", "Riek Jansen"),
            email=email,
            phone=changes.pop("phone", None),
            postcode="7941 BK",
            house_number="12",
            consent_date=today(),
            category_id=1,
            title=changes.pop("title", "Boodschappen doen"),
            description="Mevrouw zoekt hulp bij de boodschappen.",
            wanted_when="dinsdagmiddag",
        )
        with in_app():
            from voorelkaar.db import get_session

            session = get_session()
            referral = services.create_referral(
                session, session.merge(consultant), details, now=now
            )
            referral_id = referral.id
        return db.get(Referral, referral_id)

    return make


def _fresh(db, referral):
    db.expire_all()
    return db.get(Referral, referral.id)


# ---------- Creating a referral ----------


def test_a_consultant_refers_a_resident_and_the_invitation_is_queued(forms, auth, consultant, db):
    auth.login(consultant.email)
    response = forms.post("/verwijzingen/nieuw", referral_data())
    assert response.status_code == 302
    referral = db.scalar(select(Referral))
    assert referral.consultant_id == consultant.id
    assert referral.postcode == "7941 BK" and referral.house_number == "12"
    assert len(referral.code) == 8 and not set(referral.code) & set("0O1IL")
    assert referral.expires_at - referral.created_at == timedelta(days=30)
    mail = db.scalar(select(OutboxMessage))
    assert mail.to_address == "riek@example.nl" and mail.user_id is None
    assert f"/verwijzing/{referral.code}" in mail.body_text
    assert response.headers["Location"].endswith(f"/verwijzingen/{referral.id}")


def test_a_referral_without_email_or_phone_is_saved_for_a_letter(forms, auth, consultant, db):
    auth.login(consultant.email)
    response = forms.post("/verwijzingen/nieuw", referral_data(email=""))
    assert response.status_code == 302
    assert db.scalar(select(Referral.email)) is None
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent_date": ""}, "Vul in wanneer de inwoner toestemming gaf."),
        (
            {"consent_date": (today() + timedelta(days=1)).isoformat()},
            "De datum van toestemming kan niet in de toekomst liggen.",
        ),
        ({"postcode": "7941"}, "Vul een postcode in zoals 7941 AB"),
        ({"house_number": "twaalf"}, "Vul het huisnummer in, bijvoorbeeld 12 of 12a."),
        ({"email": "riek@"}, "Vul een e-mailadres in zoals naam@voorbeeld.nl."),
        ({"phone": "12"}, "Vul een geldig telefoonnummer in"),
        ({"resident_name": "   "}, "Vul de naam van de inwoner in."),
        ({"category": "bestaat-niet"}, "Kies een soort hulp uit de lijst."),
    ],
)
def test_a_wrong_referral_says_what_to_fix_and_keeps_what_was_typed(
    forms, auth, consultant, db, changes, message
):
    auth.login(consultant.email)
    response = forms.post("/verwijzingen/nieuw", referral_data(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "Mevrouw kan slecht lopen en zoekt hulp bij de boodschappen." in html
    assert 'value="dinsdagmiddag"' in html
    assert db.scalar(select(func.count(Referral.id))) == 0


def test_only_consultants_refer(forms, auth, resident, staff, client):
    for person in (resident, staff):
        auth.login(person.email)
        assert client.get("/verwijzingen/nieuw").status_code == 403
        auth.logout()


# ---------- What the consultant sees ----------


def test_a_consultant_cannot_open_another_consultants_referral(
    make_user, refer, auth, client, consultant
):
    other = make_user(Role.CONSULTANT, email="ander@example.nl", name="Anna Andere")
    theirs = refer(other, resident_name="Piet Puk")
    mine = refer(consultant, resident_name="Riek Jansen")
    auth.login(consultant.email)
    assert client.get(f"/verwijzingen/{theirs.id}").status_code == 404
    assert client.get(f"/verwijzingen/{theirs.id}/brief").status_code == 404
    assert client.get(f"/verwijzingen/{mine.id}").status_code == 200
    listing = client.get("/verwijzingen").get_data(as_text=True)
    assert "Riek Jansen" in listing and "Piet Puk" not in listing


def test_staff_see_every_referral(make_user, refer, auth, client, consultant, staff):
    other = make_user(Role.CONSULTANT, email="ander@example.nl")
    theirs = refer(other, resident_name="Piet Puk")
    refer(consultant, resident_name="Riek Jansen")
    auth.login(staff.email)
    listing = client.get("/verwijzingen").get_data(as_text=True)
    assert "Riek Jansen" in listing and "Piet Puk" in listing
    assert client.get(f"/verwijzingen/{theirs.id}").status_code == 200


def test_every_view_of_a_referral_leaves_an_audit_row(refer, auth, client, consultant, staff, db):
    referral = refer(consultant)
    auth.login(consultant.email)
    client.get(f"/verwijzingen/{referral.id}")
    client.get(f"/verwijzingen/{referral.id}")
    client.get(f"/verwijzingen/{referral.id}/brief")
    auth.logout()
    auth.login(staff.email)
    client.get(f"/verwijzingen/{referral.id}")
    rows = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "referrals.viewed", AuditEvent.subject_id == referral.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [row.actor_id for row in rows] == [consultant.id] * 3 + [staff.id]
    assert all(row.subject_type == "referrals" and row.reason for row in rows)


def test_after_a_match_the_consultant_sees_gematcht_but_not_who_or_what_was_said(
    app, refer, db, in_app, auth, client, consultant, volunteer, resident
):
    from voorelkaar.db import get_session
    from voorelkaar.matches.services import confirm_match, offer_help, send_message

    referral = refer(consultant)
    help_request = _accept_and_post(db, in_app, referral, resident)
    with app.test_request_context():  # a message's email links to the request
        session = get_session()
        item = session.get(HelpRequest, help_request.id)
        match = offer_help(session, session.merge(volunteer), item)
        confirm_match(session, session.merge(resident), match)
        send_message(session, session.merge(volunteer), match, "Ik kom dinsdag om twee uur.")
    auth.login(consultant.email)
    for url in ("/verwijzingen", f"/verwijzingen/{referral.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "gematcht" in html
        assert volunteer.name not in html and "Sanne" not in html
        assert volunteer.email not in html
        assert "Ik kom dinsdag om twee uur." not in html


# ---------- The resident's side ----------


def test_a_code_typed_from_the_letter_opens_the_invitation(refer, client, consultant):
    referral = refer(consultant, email=None)
    typed = f" {referral.code[:4].lower()}-{referral.code[4:]} "
    response = client.get("/verwijzing", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verwijzing/{referral.code}")
    page = client.get(f"/verwijzing/{referral.code}").get_data(as_text=True)
    assert "Vul eerst uw postcode en huisnummer in" in page


def test_a_code_alone_shows_nothing_of_the_person(refer, forms, client, consultant):
    referral = refer(consultant, phone="0612345678")
    url = f"/verwijzing/{referral.code}"
    page = client.get(url).get_data(as_text=True)
    for personal in ("Riek", "riek@example.nl", "0612345678", "7941 BK", "Boodschappen doen"):
        assert personal not in page
    wrong = forms.post(f"{url}/controle", {"postcode": "7941 BK", "house_number": "14"}, page=url)
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert "horen niet bij de code" in text and "Riek" not in text
    right = forms.post(f"{url}/controle", {"postcode": "7941bk", "house_number": " 12 "}, page=url)
    assert right.status_code == 302 and right.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert 'value="Riek Jansen"' in page and 'value="riek@example.nl"' in page


def test_a_wrong_or_short_code_gets_a_polite_answer(client):
    response = client.get("/verwijzing", query_string={"code": "ABC"})
    assert response.status_code == 200
    assert "Een code heeft 8 letters en cijfers." in response.get_data(as_text=True)
    response = client.get("/verwijzing/ABCDEFGH")
    assert response.status_code == 404
    assert "Deze code kennen wij niet" in response.get_data(as_text=True)


def test_an_invitation_older_than_30_days_is_expired(refer, client, consultant):
    referral = refer(consultant, now=utcnow() - timedelta(days=31))
    response = client.get(f"/verwijzing/{referral.code}")
    assert response.status_code == 410
    assert "Deze uitnodiging is verlopen" in response.get_data(as_text=True)


def test_the_resident_makes_an_account_and_posts_the_prefilled_request(
    refer, forms, client, consultant, db
):
    referral = refer(consultant)
    url = f"/verwijzing/{referral.code}"
    forms.post(f"{url}/controle", {"postcode": "7941 BK", "house_number": "12"}, page=url)
    refused = forms.post(url, _account_data(agree=""))
    assert "Vink het vakje aan om verder te gaan." in refused.get_data(as_text=True)
    response = forms.post(url, _account_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url}/hulpvraag")
    user = db.scalar(select(User).where(User.email == "riek@example.nl"))
    assert user.has_role(Role.RESIDENT) and user.postcode == "7941 BK"
    assert _fresh(db, referral).account_id == user.id

    form = client.get(f"{url}/hulpvraag").get_data(as_text=True)
    assert 'value="Boodschappen doen"' in form
    assert "Mevrouw zoekt hulp bij de boodschappen." in form
    assert "dinsdagmiddag" in form
    data = request_data(
        title="Boodschappen doen",
        description="Mevrouw zoekt hulp bij de boodschappen.",
        skills="",
    )
    posted = forms.post(f"{url}/hulpvraag", data)
    assert posted.status_code == 302
    referral = _fresh(db, referral)
    item = db.get(HelpRequest, referral.request_id)
    assert item.author_id == user.id and item.posted_for == PostedFor.SELF
    assert services.status_of(referral) == ReferralStatus.POSTED
    # Following the link again leads to the request, not to a second one.
    assert client.get(url).headers["Location"].endswith(f"/hulpvragen/{item.id}")


def test_nobody_else_can_post_a_residents_referral_request(
    refer, forms, auth, client, consultant, resident, db
):
    referral = refer(consultant)
    forms.post(f"/verwijzing/{referral.code}", _account_data())
    auth.logout()
    auth.login(resident.email)
    assert client.get(f"/verwijzing/{referral.code}/hulpvraag").status_code == 404


def test_staff_post_the_request_for_a_resident_without_an_account(
    refer, forms, auth, client, consultant, staff, db
):
    referral = refer(consultant, email=None, phone="+31612345678")
    auth.login(staff.email)
    page = client.get(f"/verwijzingen/{referral.id}/plaatsen").get_data(as_text=True)
    assert 'value="Riek Jansen"' in page and 'value="+31612345678"' in page
    data = request_data(
        posted_for="resident",
        resident_name="Riek Jansen",
        resident_contact="+31612345678",
        consent_date=today().isoformat(),
        skills="",
    )
    response = forms.post(f"/verwijzingen/{referral.id}/plaatsen", data)
    assert response.status_code == 302
    referral = _fresh(db, referral)
    item = db.get(HelpRequest, referral.request_id)
    assert item.author_id == staff.id and item.posted_for == PostedFor.RESIDENT
    assert item.resident_name == "Riek Jansen"
    assert services.status_of(referral) == ReferralStatus.POSTED
    # The letter's code now says the request is already there.
    assert "al geplaatst" in client.get(f"/verwijzing/{referral.code}").get_data(as_text=True)


@pytest.mark.postgres
def test_staff_posting_a_referral_twice_at_once_leave_one_request_not_a_stray_second(
    database_url, app, refer, consultant, staff, db, in_app
):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is tested in the PostgreSQL run of the suite")
    from datetime import time

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from voorelkaar.db import get_session
    from voorelkaar.help_requests.forms import _utc

    referral = refer(consultant, email=None)
    engine = app.extensions["voorelkaar.engine"]
    other_went_first = []

    def details_of(item):
        details = services.request_details(item, on_behalf=True)
        day = next_weekday(1)
        details.starts_at, details.ends_at = _utc(day, time(14)), _utc(day, time(16))
        return details

    def other_staff_member_first(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE REFERRALS") and not other_went_first:
            other_went_first.append(True)
            with Session(engine) as other:
                item = other.get(Referral, referral.id)
                services.post_from_referral(other, other.merge(staff), item, details_of(item))

    event.listen(engine, "before_cursor_execute", other_staff_member_first)
    try:
        with in_app():
            session = get_session()
            item = session.get(Referral, referral.id)
            with pytest.raises(services.AlreadyAccepted):
                services.post_from_referral(session, session.merge(staff), item, details_of(item))
    finally:
        event.remove(engine, "before_cursor_execute", other_staff_member_first)
    assert other_went_first
    assert db.scalar(select(func.count()).select_from(HelpRequest)) == 1
    assert _fresh(db, referral).request_id == db.scalar(select(HelpRequest.id))


def test_a_consultant_cannot_post_for_the_resident_from_the_referral(
    refer, auth, client, consultant
):
    referral = refer(consultant, email=None)
    auth.login(consultant.email)
    assert client.get(f"/verwijzingen/{referral.id}/plaatsen").status_code == 403


# ---------- Expiry ----------


def test_the_job_expires_unanswered_invitations_once_with_a_staff_task(
    refer, db, in_app, consultant, resident
):
    old = refer(consultant, now=utcnow() - timedelta(days=31), title="Oud")
    answered = refer(consultant, now=utcnow() - timedelta(days=31), title="Beantwoord")
    answered.account_id = resident.id
    db.commit()
    fresh = refer(consultant, title="Nieuw")
    with in_app():
        from voorelkaar.db import get_session

        assert expire_referrals(get_session(), utcnow()) == 1
        assert expire_referrals(get_session(), utcnow()) == 0
    db.expire_all()
    assert db.get(Referral, old.id).expired_at is not None
    assert db.get(Referral, answered.id).expired_at is None
    assert db.get(Referral, fresh.id).expired_at is None
    (task,) = db.scalars(select(StaffTask)).all()
    assert task.kind == TaskKind.REFERRAL_EXPIRED
    assert task.key == f"referral-expired:{old.id}" and task.referral_id == old.id
    assert services.status_of(db.get(Referral, old.id)) == ReferralStatus.EXPIRED


# ---------- Status ----------


def _account_data(**changes):
    data = {
        "name": "Riek Jansen",
        "email": "riek@example.nl",
        "password": "een lange zin als wachtwoord",
        "password_repeat": "een lange zin als wachtwoord",
        "postcode": "7941 BK",
        "house_number": "12",
        "phone": "",
        "agree": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v}


def _accept_and_post(db, in_app, referral, user) -> HelpRequest:
    """The resident takes the invitation with an account they have, and posts; it is approved."""
    from voorelkaar.db import get_session
    from voorelkaar.help_requests.forms import _utc
    from voorelkaar.moderation.services import publish_post

    with in_app():
        session = get_session()
        item = session.get(Referral, referral.id)
        me = session.merge(user)
        services.accept_as(session, item, me)
        details = services.request_details(item, on_behalf=False)
        day = next_weekday(1)
        from datetime import time

        details.starts_at, details.ends_at = _utc(day, time(14)), _utc(day, time(16))
        help_request = services.post_from_referral(session, me, item, details)
        publish_post(help_request)
        session.commit()
        request_id = help_request.id
    db.expire_all()
    return db.get(HelpRequest, request_id)


def test_the_status_follows_the_referral_through_every_step(
    refer, db, in_app, consultant, resident, volunteer, staff
):
    from voorelkaar.db import get_session
    from voorelkaar.matches.services import complete_match, confirm_match, offer_help

    referral = refer(consultant)
    assert services.status_of(referral) == ReferralStatus.INVITED
    with in_app():
        session = get_session()
        services.accept_as(session, session.get(Referral, referral.id), session.merge(resident))
    assert services.status_of(_fresh(db, referral)) == ReferralStatus.ACCOUNT

    # Posting goes on from the account made above.
    with in_app():
        from datetime import time

        from voorelkaar.help_requests.forms import _utc
        from voorelkaar.moderation.services import publish_post

        session = get_session()
        item = session.get(Referral, referral.id)
        details = services.request_details(item, on_behalf=False)
        day = next_weekday(1)
        details.starts_at, details.ends_at = _utc(day, time(14)), _utc(day, time(16))
        help_request = services.post_from_referral(session, session.merge(resident), item, details)
        assert help_request.state == RequestState.PENDING
        assert services.status_of(item) == ReferralStatus.POSTED
        publish_post(help_request)
        session.commit()
        match = offer_help(session, session.merge(volunteer), help_request)
        assert services.status_of(item) == ReferralStatus.POSTED
        confirm_match(session, session.merge(resident), match)
        session.refresh(item)
        assert services.status_of(item) == ReferralStatus.MATCHED
        complete_match(session, session.merge(staff), match, hours=2)
        session.refresh(item)
        session.refresh(help_request)
        assert services.status_of(item) == ReferralStatus.DONE


def test_a_referral_past_its_date_reads_verlopen_even_before_the_job_ran(refer, consultant):
    referral = refer(consultant, now=utcnow() - timedelta(days=31))
    assert services.status_of(referral) == ReferralStatus.EXPIRED

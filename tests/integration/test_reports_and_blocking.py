"""Reporting misuse, handling it, and blocking an account."""

from sqlalchemy import select

from voorelkaar.db import utcnow
from voorelkaar.models import AuditEvent, HelpRequest, Report, RequestState, Role
from voorelkaar.moderation.services import publish_post


def open_request(db, make_user, email="schrijver@example.nl"):
    from voorelkaar.help_requests.forms import RequestForm  # noqa: F401 - import check

    author = make_user(Role.RESIDENT, email=email, name="Sjaak Schrijver")
    item = HelpRequest(
        author=author,
        category_id=1,
        title="Wie helpt met de tuin?",
        description="Onkruid wieden.",
        postcode="7941 AB",
        house_number="1",
        pc4="7941",
        lat=52.69,
        lon=6.19,
        starts_at=utcnow(),
        ends_at=utcnow(),
    )
    publish_post(item)
    db.add(item)
    db.commit()
    return author, item


def test_a_volunteer_reports_a_post_and_staff_blocks_its_author(
    forms, auth, client, db, make_user, volunteer, staff, in_app
):
    author, item = open_request(db, make_user)
    auth.login("vrijwilliger@example.nl")
    url = f"/melden/hulpvraag/{item.id}"
    assert forms.post(url, {"reason": "Dit is reclame."}).status_code == 302
    report = db.scalar(select(Report))
    assert report.reason == "Dit is reclame."
    auth.logout()

    auth.login("coordinator@example.nl")
    assert "Dit is reclame." in client.get("/beheer/meldingen").get_data(as_text=True)
    response = forms.post(
        f"/beheer/meldingen/{report.id}",
        {"outcome": "Reclame; schrijver geblokkeerd.", "block_author": "y"},
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Report, report.id).handled_at is not None
    assert author.blocked_at is not None
    auth.logout()
    assert "Wie helpt met de tuin?" not in client.get("/hulpvragen").get_data(as_text=True)
    actions = set(db.scalars(select(AuditEvent.action)))
    assert {"reports.handled", "users.blocked"} <= actions
    from voorelkaar.models import OutboxMessage

    assert db.scalar(select(OutboxMessage.kind)) == "moderation"


def test_an_unblocked_authors_posts_show_again(forms, auth, client, db, make_user, staff):
    author, item = open_request(db, make_user)
    auth.login("coordinator@example.nl")
    forms.post(f"/beheer/gebruikers/{author.id}", {"reason": "Spam"})
    db.expire_all()
    assert db.get(type(author), author.id).blocked_at is not None
    assert "Wie helpt met de tuin?" not in client.get("/hulpvragen").get_data(as_text=True)
    forms.post(f"/beheer/gebruikers/{author.id}", {"reason": "Was een vergissing"})
    db.expire_all()
    assert db.get(type(author), author.id).blocked_at is None
    assert "Wie helpt met de tuin?" in client.get("/hulpvragen").get_data(as_text=True)


def test_hiding_a_reported_post_takes_it_offline(
    forms, auth, client, db, make_user, volunteer, staff
):
    _, item = open_request(db, make_user)
    auth.login("vrijwilliger@example.nl")
    forms.post(f"/melden/hulpvraag/{item.id}", {"reason": "Niet netjes."})
    auth.logout()
    auth.login("coordinator@example.nl")
    report = db.scalar(select(Report))
    forms.post(
        f"/beheer/meldingen/{report.id}",
        {"outcome": "Verborgen.", "hide_post": "y", "hide_reason": "Dit hoort hier niet."},
    )
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.CANCELLED


def test_a_report_without_a_reason_is_refused_politely(forms, auth, db, make_user, volunteer):
    _, item = open_request(db, make_user)
    auth.login("vrijwilliger@example.nl")
    html = forms.post(f"/melden/hulpvraag/{item.id}", {"reason": ""}).get_data(as_text=True)
    assert "Schrijf kort wat er mis is." in html
    assert db.scalar(select(Report)) is None


def test_a_profile_shows_no_contact_details_to_others(auth, client, db, make_user, volunteer):
    other = make_user(Role.RESIDENT, email="buur@example.nl", name="Bea Buur")
    other.phone = "+31612345678"
    db.commit()
    auth.login("vrijwilliger@example.nl")
    html = client.get(f"/profiel/{other.id}").get_data(as_text=True)
    assert "Bea" in html
    for secret in ("Buur", "buur@example.nl", "612345678", "7941 AB"):
        assert secret not in html


def test_a_volunteer_updates_their_profile(forms, auth, db, volunteer):
    auth.login("vrijwilliger@example.nl")
    response = forms.post(
        "/profiel",
        {
            "name": "Sanne de Vries",
            "phone": "0612345678",
            "postcode": "7942 JD",
            "house_number": "4",
            "intro": "Ik wandel graag.",
            "skills": "Wandelen, boodschappen",
            "available": "y",
        },
    )
    assert response.status_code == 302
    db.refresh(volunteer)
    assert volunteer.skills == "wandelen, boodschappen"
    assert volunteer.pc4 == "7942" and volunteer.phone == "+31612345678"


def test_bad_profile_input_keeps_what_was_typed(forms, auth, db, volunteer):
    auth.login("vrijwilliger@example.nl")
    html = forms.post(
        "/profiel", {"name": "Sanne", "postcode": "7941 SA", "house_number": "4", "intro": "Hallo"}
    ).get_data(as_text=True)
    assert "Deze postcode bestaat niet" in html and "Hallo" in html
    db.refresh(volunteer)
    assert volunteer.name == "Sanne de Vries"


def test_a_post_that_is_not_online_cannot_be_seen_through_the_report_page(
    forms, auth, client, db, make_user, volunteer
):
    # Issue 13: the report page showed the title of a pending or refused post to anyone.
    author, item = open_request(db, make_user)
    for state in (RequestState.PENDING, RequestState.REJECTED):
        item.state = state
        db.commit()
        auth.login("vrijwilliger@example.nl")
        response = client.get(f"/melden/hulpvraag/{item.id}")
        assert response.status_code == 404
        assert "Wie helpt met de tuin?" not in response.get_data(as_text=True)
        assert (
            forms.post(f"/melden/hulpvraag/{item.id}", {"reason": "x"}, page="/").status_code == 404
        )
        auth.logout()
        auth.login("schrijver@example.nl")  # the author still sees their own post
        assert client.get(f"/melden/hulpvraag/{item.id}").status_code == 200
        auth.logout()
    assert db.scalar(select(Report)) is None


def test_a_coordinator_cannot_block_an_admin_or_a_colleague(
    forms, auth, client, db, make_user, staff, admin
):
    # Issue 13: a coordinator could block the administrator and lock them out.
    colleague = make_user(Role.STAFF, email="collega@example.nl")
    consultant = make_user(Role.CONSULTANT, email="consulent2@example.nl")
    resident = make_user(Role.RESIDENT, email="gewoon@example.nl")
    auth.login("coordinator@example.nl")
    for account in (admin, colleague, consultant):
        page = client.get(f"/beheer/gebruikers/{account.id}").get_data(as_text=True)
        assert "Alleen een beheerder kan het blokkeren" in page
        forms.post(
            f"/beheer/gebruikers/{account.id}",
            {"reason": "Zomaar"},
            page=f"/beheer/gebruikers/{account.id}",
        )
        db.refresh(account)
        assert account.blocked_at is None
    forms.post(f"/beheer/gebruikers/{resident.id}", {"reason": "Reclame"})
    db.refresh(resident)
    assert resident.blocked_at is not None
    auth.logout()

    auth.login(admin.email)
    forms.post(f"/beheer/gebruikers/{colleague.id}", {"reason": "Vertrokken"})
    db.refresh(colleague)
    assert colleague.blocked_at is not None  # an admin may
    page = client.get(f"/beheer/gebruikers/{admin.id}").get_data(as_text=True)
    assert "eigen account niet blokkeren" in page


def test_nobody_blocks_the_last_admin(db, make_user, admin):
    from voorelkaar.moderation.services import may_block

    second = make_user(Role.ADMIN, email="beheer2@example.nl")
    assert may_block(db, second, admin)
    second.blocked_at = utcnow()  # the other admin is blocked already
    db.commit()
    assert not may_block(db, second, admin)


def test_the_rank_rule_holds_for_recording_a_vog(forms, auth, client, db, make_user, staff, admin):
    colleague = make_user(Role.STAFF, email="collega@example.nl", name="Cor Collega")
    helper = make_user(Role.VOLUNTEER, email="helper@example.nl", name="Hanna Helper")
    auth.login("coordinator@example.nl")
    for account, refusal in (
        (colleague, "Alleen een beheerder kan de VOG ervan vastleggen."),
        (admin, "Alleen een beheerder kan de VOG ervan vastleggen."),
        (staff, "U kunt uw eigen VOG niet vastleggen."),
    ):
        url = f"/beheer/gebruikers/{account.id}/vog"
        page = client.get(url)
        assert page.status_code == 200 and refusal in page.get_data(as_text=True)
        assert "VOG vastleggen" not in client.get(f"/beheer/gebruikers/{account.id}").get_data(
            as_text=True
        )
        token = forms.fill(f"/beheer/gebruikers/{helper.id}/vog", {"valid_until": "2030-01-01"})
        assert client.post(url, data=token).status_code == 403
        db.expire_all()
        assert db.get(type(account), account.id).vog_valid_until is None
    url = f"/beheer/gebruikers/{helper.id}/vog"
    assert forms.post(url, {"valid_until": "2030-01-01"}).status_code == 302
    auth.logout()

    auth.login("beheer@example.nl")
    url = f"/beheer/gebruikers/{colleague.id}/vog"
    assert forms.post(url, {"valid_until": "2030-01-01"}).status_code == 302
    db.expire_all()
    assert str(db.get(type(colleague), colleague.id).vog_valid_until) == "2030-01-01"


def test_each_reporter_hears_once_when_a_post_reported_several_times_is_handled(
    forms, auth, client, db, make_user, volunteer, staff
):
    from sqlalchemy import func

    from voorelkaar.models import OutboxMessage

    _, item = open_request(db, make_user)
    other = make_user(Role.VOLUNTEER, email="ander@example.nl")
    for email in ("vrijwilliger@example.nl", "vrijwilliger@example.nl", other.email):
        auth.login(email)
        forms.post(f"/melden/hulpvraag/{item.id}", {"reason": "Niet netjes."})
        auth.logout()
    assert db.scalar(select(func.count(Report.id))) >= 2
    auth.login("coordinator@example.nl")
    first = db.scalar(select(Report).order_by(Report.id))
    forms.post(f"/beheer/meldingen/{first.id}", {"outcome": "Bekeken, niets aan de hand."})
    db.expire_all()
    assert db.scalar(select(func.count(Report.id)).where(Report.handled_at.is_(None))) == 0
    mails = db.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.kind == "moderation")
    ).all()
    assert sorted(mails) == ["ander@example.nl", "vrijwilliger@example.nl"]

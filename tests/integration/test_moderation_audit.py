"""Moderation and the audit log (issue 15, item 7): a hidden post's author is told why,
a reporter hears once per report, and the log reads as Dutch sentences, filtered and paged."""

from sqlalchemy import func, select

from tests.integration.test_reports_and_blocking import open_request
from voorelkaar.models import HelpRequest, OutboxMessage, Report, RequestState, Role, StaffTask


def report_it(forms, auth, item, email="vrijwilliger@example.nl", reason="Niet netjes."):
    auth.login(email)
    forms.post(f"/melden/hulpvraag/{item.id}", {"reason": reason})
    auth.logout()


def handle(forms, auth, report_id, **data):
    auth.login("coordinator@example.nl")
    response = forms.post(f"/beheer/meldingen/{report_id}", {"outcome": "Bekeken.", **data})
    auth.logout()
    return response


def mails(db, to=None, subject=None):
    query = select(OutboxMessage)
    if to:
        query = query.where(OutboxMessage.to_address == to)
    if subject:
        query = query.where(OutboxMessage.subject == subject)
    return db.scalars(query).all()


# ---------- Hiding a reported post ----------


def test_hiding_a_reported_request_mails_the_author_the_reason_and_their_pages_say_so(
    forms, auth, client, db, make_user, volunteer, staff
):
    author, item = open_request(db, make_user)
    report_it(forms, auth, item)
    report = db.scalar(select(Report))
    handle(forms, auth, report.id, hide_post="y", hide_reason="Er staat een telefoonnummer in.")
    db.expire_all()
    hidden = db.get(HelpRequest, item.id)
    assert hidden.state == RequestState.CANCELLED and hidden.hidden_at is not None
    (mail,) = mails(db, to=author.email, subject="Uw bericht is verborgen")
    assert "Er staat een telefoonnummer in." in mail.body_text
    assert "Wie helpt met de tuin?" in mail.body_text
    # The reporter's name is not in the author's mail.
    assert "Sanne" not in mail.body_text

    auth.login(author.email)
    label = "verborgen door de moderatie: Er staat een telefoonnummer in."
    detail = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    mine = client.get("/mijn-hulpvragen").get_data(as_text=True)
    for html in (detail, mine):
        assert label in html
        assert "ingetrokken" not in html


def test_an_author_who_withdrew_their_request_still_reads_ingetrokken(
    forms, auth, client, db, make_user
):
    author, item = open_request(db, make_user)
    auth.login(author.email)
    forms.post(f"/hulpvragen/{item.id}/intrekken", {})
    html = client.get("/mijn-hulpvragen").get_data(as_text=True)
    assert "ingetrokken" in html and "verborgen" not in html


def test_hiding_without_a_reason_for_the_author_is_refused_politely_and_keeps_the_text(
    forms, auth, db, make_user, volunteer, staff
):
    _, item = open_request(db, make_user)
    report_it(forms, auth, item)
    report = db.scalar(select(Report))
    auth.login("coordinator@example.nl")
    html = forms.post(
        f"/beheer/meldingen/{report.id}",
        {"outcome": "Dit was reclame, ik verberg het.", "hide_post": "y", "hide_reason": " "},
    ).get_data(as_text=True)
    assert "Schrijf waarom u het bericht verbergt." in html
    assert "Dit was reclame, ik verberg het." in html
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.OPEN
    assert db.get(Report, report.id).handled_at is None


def test_an_author_without_email_gets_a_call_task_with_the_reason(
    forms, auth, db, make_user, volunteer, staff
):
    author, item = open_request(db, make_user)
    author.email = None
    db.commit()
    report_it(forms, auth, item)
    handle(forms, auth, db.scalar(select(Report)).id, hide_post="y", hide_reason="Reclame.")
    tasks = db.scalars(select(StaffTask).where(StaffTask.person_id == author.id)).all()
    assert any(
        "Uw bericht is verborgen" in task.detail and "Reclame." in task.detail for task in tasks
    )


# ---------- One mail per report ----------


def test_the_reporter_gets_exactly_one_mail_per_report(
    forms, auth, client, db, make_user, volunteer, staff
):
    _, item = open_request(db, make_user)
    report_it(forms, auth, item)
    report = db.scalar(select(Report))
    handle(forms, auth, report.id, hide_post="y", hide_reason="Reclame.")
    # Pressing "Afhandelen" again (a second tab, the back button) sends nothing more.
    handle(forms, auth, report.id)
    rows = mails(db, to=volunteer.email)
    assert [row.subject for row in rows] == ["Uw melding is bekeken"]
    assert (
        db.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.idempotency_key.like(f"report-handled:{report.id}:%")
            )
        )
        == 1
    )


def test_two_reports_by_one_person_about_one_post_bring_one_mail(
    forms, auth, db, make_user, volunteer, staff
):
    _, item = open_request(db, make_user)
    report_it(forms, auth, item, reason="Reclame.")
    report_it(forms, auth, item, reason="Nog steeds reclame.")
    assert db.scalar(select(func.count(Report.id))) == 2
    handle(forms, auth, db.scalar(select(Report).order_by(Report.id.desc())).id)
    assert len(mails(db, to=volunteer.email, subject="Uw melding is bekeken")) == 1
    assert db.scalar(select(func.count(Report.id)).where(Report.handled_at.is_(None))) == 0

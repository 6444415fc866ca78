"""Moderation and the audit log (issue 15, item 7): a hidden post's author is told why,
a reporter hears once per report, and the log reads as Dutch sentences, filtered and paged."""

import contextlib
import re
from datetime import UTC, datetime
from html import unescape

from sqlalchemy import func, select

from tests.integration.audit_codes import action_codes
from tests.integration.test_reports_and_blocking import open_request
from voorelkaar.audit import record
from voorelkaar.models import (
    HelpRequest,
    Match,
    MatchState,
    OutboxMessage,
    Report,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
)
from voorelkaar.moderation.sentences import KINDS, SENTENCES
from voorelkaar.tasks.services import open_task


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


def test_hiding_a_request_tells_its_volunteers_and_closes_its_tasks(
    forms, auth, db, make_user, volunteer, staff
):
    author, item = open_request(db, make_user)
    match = Match(request=item, volunteer=volunteer, state=MatchState.OFFERED)
    db.add(match)
    waiting = open_task(db, key="test-unmatched", kind=TaskKind.REQUEST_UNMATCHED, request=item)
    db.commit()
    reporter = make_user(Role.VOLUNTEER, email="melder@example.nl")
    report_it(forms, auth, item, email=reporter.email)
    report = db.scalar(select(Report))
    handle(forms, auth, report.id, hide_post="y", hide_reason="Er staat een telefoonnummer in.")
    db.expire_all()
    assert db.get(Match, match.id).state == MatchState.DECLINED
    (told,) = mails(db, to=volunteer.email)
    assert "staat niet meer online" in told.body_text and "telefoonnummer" not in told.body_text
    task = db.get(StaffTask, waiting.id)
    assert task.closed_at is not None and "offline gehaald" in task.closed_reason


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


# ---------- The audit log in sentences ----------


def words(html: str) -> str:
    """The page as a reader hears it: no tags, entities read, spaces folded."""
    text = re.sub(r"<[^>]+>", "", html)
    return re.sub(r"\s+", " ", unescape(text))


def lines_on(html: str) -> int:
    return html.count('class="audit-log__line"')


def test_every_action_code_written_anywhere_has_a_dutch_sentence():
    codes = action_codes()
    # The walk finds what it should (a walk that finds nothing would pass anything).
    for known in ("people.contact_edited", "referrals.withdrawn", "help_requests.hidden"):
        assert known in codes
    assert len(codes) > 80
    missing = {code: where for code, where in codes.items() if code not in SENTENCES}
    assert not missing, f"give these action codes a sentence in moderation/sentences.py: {missing}"
    assert all(SENTENCES[code].kind in KINDS for code in codes)


def test_staff_read_who_did_what_as_sentences_with_links(
    forms, auth, client, db, make_user, resident, staff
):
    author, item = open_request(db, make_user)
    item.state = RequestState.PENDING
    db.commit()
    auth.login("coordinator@example.nl")
    forms.post(f"/beheer/te-beoordelen/hulpvraag/{item.id}/goedkeuren", {})
    client.get(f"/mensen/{resident.id}")
    with client.application.test_request_context():
        record(db, staff, "people.contact_edited", resident, "gewijzigd: telefoon, postcode")
        db.commit()
    html = client.get("/beheer/logboek").get_data(as_text=True)
    text = words(html)
    assert "Fatima El Amrani keurde de hulpvraag ‘Wie helpt met de tuin?’ goed." in text
    assert "Fatima El Amrani bekeek de gegevens van Riek Jansen." in text
    assert (
        "Fatima El Amrani wijzigde de contactgegevens van Riek Jansen (telefoon, postcode)." in text
    )
    assert f'<a href="/hulpvragen/{item.id}">Wie helpt met de tuin?</a>' in html
    assert f'<a href="/mensen/{resident.id}">Riek Jansen</a>' in html
    assert f'<a href="/mensen/{staff.id}">Fatima El Amrani</a>' in html
    for code in ("help_requests.approved", "records.viewed", "people.contact_edited"):
        assert code not in html


def test_an_action_without_a_sentence_reads_safely_and_a_title_is_never_markup(
    client, auth, db, make_user, staff
):
    _, item = open_request(db, make_user)
    item.title = "<b>Tuin</b>"
    record(db, staff, "iets.nieuws", item)
    db.commit()
    auth.login("coordinator@example.nl")
    response = client.get("/beheer/logboek")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fatima El Amrani deed iets met de hulpvraag ‘" in words(html)
    assert "(iets.nieuws)" in html
    assert "<b>Tuin</b>" not in html and "&lt;b&gt;Tuin&lt;/b&gt;" in html


def test_the_log_filters_on_who_what_whose_and_period(
    auth, client, db, make_user, resident, staff, monkeypatch
):
    colleague = make_user(Role.STAFF, email="collega@example.nl", name="Anna de Vries")
    other = make_user(Role.RESIDENT, email="jan@example.nl", name="Jan Kok")
    record(db, staff, "records.viewed", resident, "personenpagina")
    record(db, colleague, "records.viewed", other, "personenpagina")
    # Rows are never changed afterwards (on PostgreSQL a trigger refuses it): written in January.
    with monkeypatch.context() as january:
        january.setattr("voorelkaar.audit.utcnow", lambda: datetime(2026, 1, 15, 12, tzinfo=UTC))
        record(db, colleague, "users.blocked", other, "Spam")
    db.commit()
    auth.login("coordinator@example.nl")

    def shown(**query):
        return words(client.get("/beheer/logboek", query_string=query).get_data(as_text=True))

    by_anna = shown(wie="anna vries")
    assert "Anna de Vries bekeek de gegevens van Jan Kok." in by_anna
    assert "Fatima El Amrani bekeek" not in by_anna
    viewed = shown(wat="gegevens-bekeken")
    assert "bekeek de gegevens van Jan Kok" in viewed and "blokkeerde" not in viewed
    about_jan = shown(over="Kok")
    assert "Jan Kok" in about_jan and "Riek Jansen" not in about_jan
    january = shown(van="1-1-2026", tot="31-1-2026")
    assert "Anna de Vries blokkeerde het account van Jan Kok." in january
    assert "bekeek" not in january
    assert "1 gebeurtenis" in january


def test_a_wrong_period_is_refused_politely_in_dutch_and_what_was_typed_stays(
    auth, client, db, staff
):
    auth.login("coordinator@example.nl")
    html = client.get(
        "/beheer/logboek", query_string={"van": "31-02-2026", "wie": "Anna"}
    ).get_data(as_text=True)
    assert "Vul de begindatum in zoals 1-12-2026." in html
    assert 'value="31-02-2026"' in html and 'value="Anna"' in html
    html = client.get(
        "/beheer/logboek", query_string={"van": "10-12-2026", "tot": "1-12-2026"}
    ).get_data(as_text=True)
    assert "De einddatum ligt vóór de begindatum." in html
    assert 'value="1-12-2026"' in html
    html = client.get("/beheer/logboek", query_string={"wat": "alles-wissen"}).get_data(
        as_text=True
    )
    assert "Kies uit de lijst wat er gebeurde." in html


def test_the_log_pages_through_every_event_fifty_at_a_time(auth, client, db, resident, staff):
    for _ in range(120):
        record(db, staff, "records.viewed", resident, "personenpagina")
    db.commit()
    auth.login("coordinator@example.nl")
    first = client.get("/beheer/logboek").get_data(as_text=True)
    assert "120 gebeurtenissen" in first and "Pagina 1 van 3" in first
    assert lines_on(first) == 50
    assert 'href="/beheer/logboek?pagina=3">Laatste' in first
    assert 'href="/beheer/logboek?pagina=2" rel="next"' in first
    last = client.get("/beheer/logboek", query_string={"pagina": 3}).get_data(as_text=True)
    assert lines_on(last) == 20 and "Pagina 3 van 3" in last
    assert 'href="/beheer/logboek?pagina=1">Eerste' in last
    kept = client.get(
        "/beheer/logboek", query_string={"wat": "gegevens-bekeken", "pagina": 2}
    ).get_data(as_text=True)
    assert (
        "pagina=3&amp;wat=gegevens-bekeken" in kept or "wat=gegevens-bekeken&amp;pagina=3" in kept
    )


def test_westervelds_audit_rows_are_invisible_to_meppel(
    auth, client, db, make_user, westerveld, staff
):
    havelte = make_user(
        Role.RESIDENT, email="zwaluw@example.nl", name="Zwaluw Havelte", postcode="7971 AB"
    )
    their_staff = make_user(
        Role.STAFF, email="staf@westerveld.example", name="Wim Westerveld", postcode="7971 AB"
    )
    assert havelte.municipality_id == westerveld.id
    record(db, their_staff, "records.viewed", havelte, "personenpagina")
    record(db, their_staff, "people.contact_edited", havelte, "gewijzigd: telefoon")
    db.commit()
    auth.login("coordinator@example.nl")
    for query in ({}, {"over": "Zwaluw"}, {"wie": "Wim"}):
        html = client.get("/beheer/logboek", query_string=query).get_data(as_text=True)
        assert "Zwaluw Havelte" not in html
        assert "Wim Westerveld" not in html
        assert lines_on(html) == 0
    auth.logout()
    auth.login("staf@westerveld.example")
    html = client.get("/beheer/logboek").get_data(as_text=True)
    assert "Wim Westerveld bekeek de gegevens van Zwaluw Havelte." in words(html)


def test_two_coordinators_handling_one_report_at_once_send_one_mail(
    app, forms, auth, db, make_user, volunteer, staff
):
    from sqlalchemy.orm import Session

    from voorelkaar.moderation.services import ModerationError
    from voorelkaar.reports.services import handle_report

    _, item = open_request(db, make_user)
    report_it(forms, auth, item)
    report_id = db.scalar(select(Report.id))
    engine = app.extensions["voorelkaar.engine"]
    with app.test_request_context(), Session(engine) as first, Session(engine) as second:
        # Both opened the report while it was still open.
        mine, theirs = first.get(Report, report_id), second.get(Report, report_id)
        me, colleague = first.get(type(staff), staff.id), second.get(type(staff), staff.id)
        handle_report(second, colleague, theirs, "Bekeken.")
        with contextlib.suppress(ModerationError):
            handle_report(first, me, mine, "Ook bekeken.")
    assert len(mails(db, to=volunteer.email, subject="Uw melding is bekeken")) == 1

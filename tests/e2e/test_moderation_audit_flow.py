"""Handling a report by hiding the post, and reading the audit log, in a real browser:
the author's mail (through the real SMTP server) carries the reason, their page says it
was hidden, and both staff pages pass axe at 320 and 1280 px wide."""

import os
import re
from pathlib import Path

import pytest

from tests.e2e.test_help_request_flow import log_in, log_out
from tests.integration.test_reports_and_blocking import open_request
from voorelkaar.audit import record
from voorelkaar.models import Role

pytestmark = pytest.mark.e2e

WIDTHS = (320, 1280)
REASON = "Er staat een telefoonnummer in de tekst. Plaats de hulpvraag opnieuw zonder nummer."


def at_both_widths(visit):
    """Check the current page with axe at a phone's and a desktop's width; no side scroll."""
    page = visit.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        visit.assert_accessible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{page.url} scrolls sideways at {width} px"
        if os.environ.get("AUDIT_SHOTS"):  # to look at: AUDIT_SHOTS=/some/folder
            name = re.sub(r"\W+", "-", page.url.split("/", 3)[-1])[:60]
            page.screenshot(path=str(Path(os.environ["AUDIT_SHOTS"]) / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_hidden_post_tells_its_author_why_and_the_log_says_who_did_it(
    smtp, visit, make_user, live_server, db
):
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.notify import dispatch_outbox

    app, _ = live_server
    author, _item = open_request(db, make_user)
    make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    page = visit.page
    log_in(visit, "sanne@example.nl")
    visit.goto("/hulpvragen")
    page.get_by_role("link", name="Wie helpt met de tuin?").click()
    page.get_by_role("link", name="Meld misbruik").click()
    page.get_by_label("Wat is er mis?").fill("Er staat een telefoonnummer in.")
    visit.submit("Melding versturen")
    log_out(visit)

    log_in(visit, "staf@example.nl")
    visit.goto("/beheer/meldingen")
    page.get_by_role("link", name=re.compile("Melding over.*Wie helpt met de tuin")).click()
    at_both_widths(visit)
    page.get_by_label("Wat heeft u gedaan?").fill("Telefoonnummer in de tekst.")
    page.get_by_label("Het bericht verbergen").check()
    visit.submit("Afhandelen")
    # Forgot the reason for the author: a polite message, and what was typed stays.
    assert "Schrijf waarom u het bericht verbergt." in page.content()
    assert page.get_by_label("Wat heeft u gedaan?").input_value() == "Telefoonnummer in de tekst."
    at_both_widths(visit)
    page.get_by_label("Waarom verbergt u het bericht?").fill(REASON)
    visit.submit("Afhandelen")
    assert "het bericht is verborgen" in page.content()

    visit.goto("/beheer/logboek")
    at_both_widths(visit)
    log = page.locator(".audit-log").inner_text()
    assert "Fatima El Amrani verborg de hulpvraag ‘Wie helpt met de tuin?’ na een melding" in log
    assert "Fatima El Amrani handelde een melding af" in log
    page.get_by_label("Wat").select_option(label="Meldingen, verbergen en blokkeren")
    page.get_by_label("Vanaf").fill("31-02-2026")
    visit.submit("Zoeken")
    assert "Vul de begindatum in zoals 1-12-2026." in page.content()
    assert page.get_by_label("Vanaf").input_value() == "31-02-2026"
    at_both_widths(visit)
    page.get_by_label("Vanaf").fill("")
    visit.submit("Zoeken")
    log = page.locator(".audit-log").inner_text()
    assert "verborg de hulpvraag" in log and "keurde" not in log
    log_out(visit)

    with app.app_context():
        dispatch_outbox(get_session(), utcnow())
    messages = smtp.wait_for(2)
    to_author = [m for m in messages if m["To"] == author.email]
    to_reporter = [m for m in messages if m["To"] == "sanne@example.nl"]
    assert len(to_reporter) == 1 and to_reporter[0]["Subject"] == "Uw melding is bekeken"
    (mail,) = to_author
    assert mail["Subject"] == "Uw bericht is verborgen"
    assert REASON in mail.get_body(("plain",)).get_content()

    log_in(visit, author.email)
    visit.goto("/mijn-hulpvragen")
    assert f"verborgen door de moderatie: {REASON}" in page.content()
    assert "ingetrokken" not in page.content()


def test_the_audit_log_pages_without_overflow_on_a_phone(visit, make_user, db):
    staff = make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    person = make_user(
        Role.RESIDENT, email="jan@example.nl", name="Jan Kok-Van Der Langenaamsveldhuizen"
    )
    for _ in range(60):
        record(db, staff, "people.contact_edited", person, "gewijzigd: telefoon, postcode")
    db.commit()
    page = visit.page
    log_in(visit, "staf@example.nl")
    visit.goto("/beheer/logboek")
    at_both_widths(visit)
    assert "60 gebeurtenissen" in page.content()
    assert page.locator(".audit-log__line").count() == 50
    page.get_by_role("link", name="Laatste").click()
    at_both_widths(visit)
    assert page.locator(".audit-log__line").count() == 10

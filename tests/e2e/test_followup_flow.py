"""An emailed question answered in the browser, and optional mail switched off, with axe."""

import re
from datetime import timedelta

import pytest

from tests.e2e.test_help_request_flow import log_in
from voorelkaar.models import Match, Role

pytestmark = pytest.mark.e2e


def test_is_het_gelukt_by_email_then_unsubscribe_then_settings(
    smtp, visit, live_server, make_user, make_request, db
):
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.matches import services
    from voorelkaar.matches.jobs import send_followups
    from voorelkaar.notify import dispatch_outbox

    app, _ = live_server
    asker = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen")
    item = make_request(asker, title="Boodschappen doen", postcode="7941 AB")
    volunteer = make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    with app.app_context():
        session = get_session()
        match = services.offer_help(session, session.merge(volunteer), session.merge(item))
        services.confirm_match(session, session.merge(asker), match)
        # As if the appointment was yesterday.
        match.followup_after = utcnow() - timedelta(minutes=1)
        session.commit()
        assert send_followups(session, utcnow()) == 2
        dispatch_outbox(session, utcnow())
    # The offer and the confirmation were told by email too; then the two questions.
    messages = smtp.wait_for(4)
    to_volunteer = next(
        m for m in messages if m["To"] == "sanne@example.nl" and "gelukt" in m["Subject"]
    )
    text = to_volunteer.get_body(("plain",)).get_content()
    yes_link = next(line for line in text.splitlines() if "antwoord=ja" in line).strip()

    page = visit.page
    page.goto(yes_link)  # no login: the page shows the chosen answer and one button
    visit.assert_accessible()
    assert page.get_by_label("Ja, het is gelukt").is_checked()
    page.get_by_label("Wilt u er iets over vertellen? (mag leeg blijven)").fill("Het was gezellig.")
    visit.submit("Antwoord versturen")
    assert "Fijn dat het gelukt is" in page.content()
    db.expire_all()
    assert db.get(Match, match.id).volunteer_answer == "ja"

    # A long header may be folded; the link is what stands between < and >.
    unsubscribe = re.search(r"<([^>]+)>", to_volunteer["List-Unsubscribe"]).group(1)
    page.goto(unsubscribe)
    visit.assert_accessible()
    visit.submit("Ja, afmelden")
    assert "U bent afgemeld" in page.content()

    log_in(visit, "sanne@example.nl")
    visit.goto("/instellingen/e-mail")
    assert not page.get_by_label("Vragen na afloop", exact=False).is_checked()
    page.get_by_label("Een wekelijks overzicht", exact=False).check()
    visit.submit("Bewaren")
    assert page.get_by_label("Een wekelijks overzicht", exact=False).is_checked()

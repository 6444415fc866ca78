"""Nobody is left waiting: each step of a match, in a real browser, told by real email.

Each test takes one event from both sides: the person it concerns gets exactly one email
(delivered to a real SMTP server), its link answers the question without logging in where
there is a question, and the other side's overview shows what happened. axe checks every
page on the way.
"""

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from tests.e2e.test_help_request_flow import log_in, log_out
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import (
    HelpRequest,
    Match,
    MatchState,
    OutboxMessage,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
)

pytestmark = pytest.mark.e2e


class Mailbox:
    """The SMTP sink, read as a person would: what arrived for me since I last looked."""

    def __init__(self, app, smtp):
        self.app, self.smtp, self.read = app, smtp, 0

    def deliver(self):
        """Run the dispatcher once, as the scheduler would."""
        from voorelkaar.db import get_session, utcnow
        from voorelkaar.notify import dispatch_outbox

        with self.app.app_context():
            dispatch_outbox(get_session(), utcnow())

    def new(self, expected: int) -> list:
        """Deliver, and return the emails that arrived since the last look (exactly expected)."""
        self.deliver()
        messages = self.smtp.wait_for(self.read + expected)
        arrived = messages[self.read :]
        assert len(arrived) == expected, [(m["To"], m["Subject"]) for m in arrived]
        self.read = len(messages)
        return arrived

    def one_for(self, address: str):
        (message,) = self.new(1)
        assert message["To"] == address, (message["To"], message["Subject"])
        return message


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def link_after(message, label: str) -> str:
    found = re.search(re.escape(label) + r":?\r?\n(http\S+)", text_of(message))
    assert found, f"no link after {label!r}"
    return found.group(1)


def section(page, heading_id: str) -> str:
    return page.locator(f"section:has(#{heading_id})").inner_text()


@pytest.fixture
def mailbox(smtp, live_server):
    app, _ = live_server
    return Mailbox(app, smtp)


@pytest.fixture
def people(make_user, db):
    riek = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen", postcode="7941 BK")
    riek.phone = "+31612345678"
    db.commit()
    return {
        "riek": riek,
        "sanne": make_user(
            Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries", postcode="7941 BK"
        ),
        "piet": make_user(
            Role.VOLUNTEER, email="piet@example.nl", name="Piet Smit", postcode="7941 BK"
        ),
        "staff": make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani"),
    }


@pytest.fixture
def item(people, make_request, db):
    request = make_request(people["riek"], title="Boodschappen doen", postcode="7941 BK")
    request.street = "Kerkstraat"
    db.commit()
    return request


def in_site(app, step):
    """Do a step through the services, as another person did it meanwhile."""
    from voorelkaar.db import get_session

    with app.app_context():
        db = get_session()
        return step(db)


def test_an_offer_reaches_the_asker_whose_email_link_confirms_it_without_logging_in(
    mailbox, visit, live_server, people, item, db
):
    page = visit.page
    log_in(visit, "sanne@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    visit.submit("Ik help")
    assert "De vrager krijgt uw aanbod per e-mail" in page.content()
    log_out(visit)

    offer = mailbox.one_for("riek@example.nl")
    assert offer["Subject"] == "Sanne wil u helpen: Boodschappen doen"
    page.goto(link_after(offer, "Ja, Sanne mag helpen"))  # not logged in
    visit.assert_accessible()
    assert page.get_by_label("Ja, Sanne mag helpen").is_checked()
    visit.submit("Antwoord versturen")
    assert "Fijn! Sanne helpt u." in page.content()

    confirmation = mailbox.one_for("sanne@example.nl")
    assert confirmation["Subject"] == "Het gaat door: Boodschappen doen"
    body = text_of(confirmation)
    assert "Kerkstraat 1, 7941 BK" in body and "+31612345678" in body
    (ics,) = list(confirmation.iter_attachments())
    assert ics.get_filename() == "afspraak.ics"

    page.goto(link_after(offer, "Ja, Sanne mag helpen"))  # the same link again
    assert "al beantwoord" in page.content()
    log_in(visit, "sanne@example.nl")
    assert "Het gaat door: u helpt bij" in section(page, "nieuw")
    log_out(visit)
    log_in(visit, "riek@example.nl")
    assert "Er wacht nu niets op u." in section(page, "actie-nodig")
    visit.goto("/mijn-hulpvragen")
    assert "Sanne helpt. Dat is afgesproken." in page.content()


def _confirmed(app, people, item, db, *, starts_in=None) -> int:
    from voorelkaar.matches import services

    if starts_in is not None:
        request = db.get(HelpRequest, item.id)
        request.starts_at = datetime.now(AMSTERDAM) + starts_in
        request.ends_at = request.starts_at + timedelta(hours=2)
        db.commit()

    def confirm(session):
        match = services.offer_help(session, session.merge(people["sanne"]), session.merge(item))
        services.confirm_match(session, session.merge(people["riek"]), match)
        return match.id

    match_id = in_site(app, confirm)
    db.execute(delete(OutboxMessage))  # told already; this test is about what comes next
    db.commit()
    return match_id


def test_a_volunteer_who_falls_ill_the_day_before_is_heard_by_the_asker_and_by_staff(
    mailbox, visit, live_server, people, item, db
):
    app, _ = live_server
    _confirmed(app, people, item, db, starts_in=timedelta(hours=26))
    page = visit.page
    log_in(visit, "sanne@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    page.get_by_text("Gaat het niet door?", exact=True).click()
    page.get_by_label("Waarom gaat het niet door?").fill("Ik ben ziek, sorry")
    visit.submit("Afzeggen")
    assert "Afgezegd. De vrager krijgt uw bericht." in page.content()
    log_out(visit)

    cancelled = mailbox.one_for("riek@example.nl")
    assert cancelled["Subject"] == "Afgezegd: Boodschappen doen"
    assert 'Sanne schreef: "Ik ben ziek, sorry"' in text_of(cancelled)
    (task,) = db.scalars(select(StaffTask)).all()
    assert task.kind == TaskKind.MATCH_CANCELLED

    log_in(visit, "riek@example.nl")
    news = section(page, "nieuw")
    assert "Sanne kan niet komen" in news and "Ik ben ziek, sorry" in news
    log_out(visit)
    log_in(visit, "staf@example.nl")
    assert "Er wacht 1 taak op iemand die hem oppakt." in section(page, "actie-nodig")


def test_an_asker_who_no_longer_needs_help_cancels_and_withdraws_in_one_step(
    mailbox, visit, live_server, people, item, db
):
    app, _ = live_server
    _confirmed(app, people, item, db)
    page = visit.page
    log_in(visit, "riek@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    page.get_by_text("Gaat het niet door?", exact=True).click()
    page.get_by_label("Waarom gaat het niet door?").fill("Mijn dochter doet het al")
    page.get_by_label("Ik heb geen hulp meer nodig: trek de hulpvraag in").check()
    visit.submit("Afzeggen")
    assert "de hulpvraag is ingetrokken" in page.content()
    log_out(visit)

    message = mailbox.one_for("sanne@example.nl")
    assert "U hoeft niet te komen." in text_of(message)
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.CANCELLED
    log_in(visit, "sanne@example.nl")
    assert "Mijn dochter doet het al" in section(page, "nieuw")


def test_an_invitation_answered_from_the_email_reaches_whoever_invited(
    mailbox, visit, live_server, people, item, db
):
    page = visit.page
    log_in(visit, "staf@example.nl")
    visit.goto(f"/hulpvragen/{item.id}")
    for name in ("Sanne", "Piet"):
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile(f"Uitnodigen.*{name}")).click()
        visit.assert_accessible()
    # Asked already: not offered to invite again.
    assert page.get_by_role("button", name=re.compile("Uitnodigen")).count() == 0
    log_out(visit)
    invitations = {m["To"]: m for m in mailbox.new(2)}

    page.goto(link_after(invitations["sanne@example.nl"], "Ja, ik help graag"))
    visit.assert_accessible()
    visit.submit("Antwoord versturen")
    told = {m["To"]: m for m in mailbox.new(2)}
    assert told["staf@example.nl"]["Subject"] == "Sanne wil helpen: Boodschappen doen"
    assert told["riek@example.nl"]["Subject"] == "Sanne wil u helpen: Boodschappen doen"

    page.goto(link_after(invitations["piet@example.nl"], "Nee, deze keer niet"))
    visit.submit("Antwoord versturen")
    declined = mailbox.one_for("staf@example.nl")
    assert declined["Subject"] == "Piet kan niet helpen: Boodschappen doen"

    log_in(visit, "staf@example.nl")
    news = section(page, "nieuw")
    assert "Sanne wil helpen" in news and "Piet kan niet helpen" in news
    log_out(visit)
    log_in(visit, "riek@example.nl")
    assert "Sanne wil helpen bij" in section(page, "actie-nodig")


def test_a_yes_on_the_overview_fills_the_request_and_a_withdrawal_tells_the_helper(
    mailbox, visit, live_server, people, item, db
):
    app, _ = live_server
    from voorelkaar.matches import services

    for name in ("sanne", "piet"):
        in_site(app, lambda s, n=name: services.offer_help(s, s.merge(people[n]), s.merge(item)))
    mailbox.new(2)  # the two offers, to Riek
    page = visit.page
    log_in(visit, "riek@example.nl")
    waiting = section(page, "actie-nodig")
    assert "Sanne wil helpen" in waiting and "Piet wil helpen" in waiting
    visit.submit("Ja, Sanne mag helpen")  # from the overview, in one step
    assert "Piet wil helpen" not in section(page, "actie-nodig")

    told = {m["To"]: m for m in mailbox.new(2)}
    assert told["sanne@example.nl"]["Subject"] == "Het gaat door: Boodschappen doen"
    assert told["piet@example.nl"]["Subject"] == "Er is al iemand gevonden: Boodschappen doen"

    visit.goto(f"/hulpvragen/{item.id}")
    visit.submit("Hulpvraag intrekken")
    withdrawn = mailbox.one_for("sanne@example.nl")
    assert withdrawn["Subject"] == "Niet meer nodig: Boodschappen doen"
    log_out(visit)
    log_in(visit, "piet@example.nl")
    assert "is al iemand anders gevonden" in section(page, "nieuw")


def test_an_offer_left_for_three_days_reminds_the_asker_whose_no_link_thanks_the_volunteer(
    mailbox, visit, live_server, people, item, db
):
    app, _ = live_server
    from voorelkaar.db import utcnow
    from voorelkaar.matches import services
    from voorelkaar.matches.jobs import chase_offers

    in_site(app, lambda s: services.offer_help(s, s.merge(people["sanne"]), s.merge(item)))
    mailbox.one_for("riek@example.nl")
    match = db.scalar(select(Match))
    match.offered_at = utcnow() - timedelta(days=3, minutes=1)
    db.commit()
    assert in_site(app, lambda s: chase_offers(s, utcnow())) == 1
    reminder = mailbox.one_for("riek@example.nl")
    assert reminder["Subject"] == "Sanne wacht op uw antwoord: Boodschappen doen"

    page = visit.page
    page.goto(link_after(reminder, "Nee, liever niet"))
    visit.assert_accessible()
    visit.submit("Antwoord versturen")
    thanks = mailbox.one_for("sanne@example.nl")
    assert thanks["Subject"] == "Deze keer niet: Boodschappen doen"
    db.refresh(match)
    assert match.state == MatchState.DECLINED
    log_in(visit, "sanne@example.nl")
    assert "gaat het deze keer niet door" in section(page, "nieuw")


def test_an_offer_unanswered_for_a_week_is_a_staff_task_and_an_expiry_tells_both_sides(
    mailbox, visit, live_server, people, item, db
):
    app, _ = live_server
    from voorelkaar.db import utcnow
    from voorelkaar.help_requests.jobs import chase_open_requests
    from voorelkaar.matches import services
    from voorelkaar.matches.jobs import chase_offers

    in_site(app, lambda s: services.offer_help(s, s.merge(people["sanne"]), s.merge(item)))
    mailbox.one_for("riek@example.nl")
    match = db.scalar(select(Match))
    match.offered_at = utcnow() - timedelta(days=7, minutes=1)
    match.offer_reminded_at = utcnow() - timedelta(days=4)  # reminded already, in vain
    db.commit()
    assert in_site(app, lambda s: chase_offers(s, utcnow())) == 1
    (task,) = db.scalars(select(StaffTask)).all()
    assert task.kind == TaskKind.OFFER_UNANSWERED and task.person_id == people["riek"].id
    page = visit.page
    log_in(visit, "staf@example.nl")
    assert "Er wacht 1 taak op iemand die hem oppakt." in section(page, "actie-nodig")
    log_out(visit)

    # Nobody answered "nog nodig?" either: after 30 quiet days the request expires.
    request = db.get(HelpRequest, item.id)
    request.published_at = utcnow() - timedelta(days=31)
    request.still_needed_asked_at = utcnow() - timedelta(days=17)
    db.commit()
    in_site(app, lambda s: chase_open_requests(s, utcnow()))
    told = {m["To"]: m for m in mailbox.new(2)}
    assert told["riek@example.nl"]["Subject"] == "Uw hulpvraag is van de site gehaald: " + (
        "Boodschappen doen"
    )
    assert told["sanne@example.nl"]["Subject"] == "Verlopen: Boodschappen doen"
    db.refresh(match)
    assert match.state != MatchState.OFFERED
    log_in(visit, "sanne@example.nl")
    assert "is verlopen. U hoeft niets te doen." in section(page, "nieuw")
    log_out(visit)
    log_in(visit, "riek@example.nl")
    assert "Sanne wil helpen" not in section(page, "actie-nodig")


def test_the_overview_with_three_waiting_actions_reads_well_on_a_phone(
    visit, live_server, people, item, db, tmp_path
):
    app, _ = live_server
    from voorelkaar.db import utcnow
    from voorelkaar.matches import services

    in_site(app, lambda s: services.offer_help(s, s.merge(people["sanne"]), s.merge(item)))
    # A question "nog nodig?" and a follow-up "Is het gelukt?", both waiting on Riek.
    other = db.get(HelpRequest, item.id)
    asked = HelpRequest(
        **{
            column: getattr(other, column)
            for column in ("author_id", "category_id", "description", "postcode", "house_number")
        },
        title="Ritje naar de huisarts",
        pc4=other.pc4,
        lat=other.lat,
        lon=other.lon,
        starts_at=other.starts_at,
        ends_at=other.ends_at,
        state=RequestState.OPEN,
        published_at=utcnow() - timedelta(days=15),
        still_needed_asked_at=utcnow() - timedelta(days=1),
    )
    helped = HelpRequest(
        **{c: getattr(asked, c) for c in ("author_id", "category_id", "description", "postcode")},
        house_number="1",
        title="Lamp ophangen",
        pc4=other.pc4,
        lat=other.lat,
        lon=other.lon,
        starts_at=datetime.combine(utcnow().date() - timedelta(days=2), time(10), AMSTERDAM),
        ends_at=datetime.combine(utcnow().date() - timedelta(days=2), time(11), AMSTERDAM),
        state=RequestState.MATCHED,
        published_at=utcnow() - timedelta(days=5),
        confirmed_count=1,
    )
    db.add_all([asked, helped])
    db.flush()
    db.add(
        Match(
            request_id=helped.id,
            volunteer_id=people["piet"].id,
            state=MatchState.CONFIRMED,
            confirmed_at=utcnow() - timedelta(days=4),
            followup_sent_at=utcnow() - timedelta(hours=20),
        )
    )
    db.commit()

    page = visit.page
    log_in(visit, "riek@example.nl")
    waiting = section(page, "actie-nodig")
    assert "Er wachten 3 dingen op u." in waiting
    for expected in ("Sanne wil helpen", "nog nodig?", "Is het gelukt?"):
        assert expected in waiting
    for width, height in ((375, 812), (320, 640), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        visit.assert_accessible()
        # Nothing wider than the screen: only tables may scroll, in their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 375, "height": 812})
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "overzicht-375.png"), full_page=True)
    # Keyboard: the first button of "Actie nodig" is reached by Tab, before the cards.
    page.keyboard.press("Tab")
    for _ in range(40):
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused.startswith("Ja, Sanne mag helpen"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the answer button is not reachable by keyboard")


def test_the_pages_of_the_loop_pass_axe_on_a_phone_and_on_a_wide_screen(
    visit, live_server, people, item, db, make_request
):
    app, _ = live_server
    from voorelkaar.answers.services import answer_link
    from voorelkaar.matches import services

    other = make_request(people["riek"], title="Wandelen", postcode="7941 BK")
    in_site(app, lambda s: services.offer_help(s, s.merge(people["sanne"]), s.merge(item)))
    in_site(
        app,
        lambda s: services.invite_volunteer(
            s, s.merge(people["riek"]), s.merge(other), s.merge(people["sanne"])
        ),
    )
    match = db.scalar(select(Match).where(Match.request_id == item.id))
    with app.app_context():
        offer_link = answer_link("aanbod", match.id, people["riek"], "ja")
    page = visit.page

    def check_both_widths(path=None):
        if path:
            visit.goto(path)
        for width, height in ((320, 640), (1280, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
            visit.assert_accessible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path

    check_both_widths(offer_link.removeprefix(visit.base_url))  # the offer's answer page
    log_in(visit, "riek@example.nl")
    check_both_widths(f"/hulpvragen/{item.id}")  # the offer, with its yes and no
    check_both_widths("/mijn-hulpvragen")
    log_out(visit)
    log_in(visit, "sanne@example.nl")
    check_both_widths()  # the overview with an invitation
    check_both_widths(f"/hulpvragen/{other.id}")  # the invitation on the request page
    check_both_widths(f"/hulpvragen/{item.id}")  # my offer, and how to withdraw it
    page.set_viewport_size({"width": 1280, "height": 900})
    visit.goto("/beschikbaarheid")
    page.get_by_label("Ik ben beschikbaar", exact=False).uncheck()
    page.get_by_label("Pauze tot en met (mag leeg blijven)").fill("2020-01-01")
    visit.submit("Opslaan")
    assert "Deze datum is al geweest" in page.content()
    check_both_widths()  # the form with its error
    in_site(
        app, lambda s: services.confirm_match(s, s.merge(people["riek"]), s.get(Match, match.id))
    )
    check_both_widths(f"/hulpvragen/{item.id}")  # confirmed: details, messages, cancel
    log_out(visit)
    log_in(visit, "riek@example.nl")
    check_both_widths(f"/hulpvragen/{item.id}")  # the asker's cancel form with its two choices

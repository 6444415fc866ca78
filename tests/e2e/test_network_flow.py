"""Own network first, in a real browser with a real SMTP server: Riek maps four people, does
the network check (keyboard only, no JavaScript), invites two, one joins; a request goes to
her circle first and Jan says yes from the mail; the next nobody takes, Riek lets it go to
the wijk, and a volunteer helps."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, fresh_code
from tests.e2e.test_help_request_flow import fill_request, log_in, log_out
from tests.e2e.test_match_loop import Mailbox, link_after, text_of
from tests.integration.test_help_requests import next_weekday
from voorelkaar.models import HelpRequest, Match, RequestState, Role

pytestmark = pytest.mark.e2e

WIDTHS = (375, 1280)
PEOPLE = (
    # first name, relation label, close?, email, categories
    ("Jan", "Familie", True, "jan@example.nl", ("Boodschappen",)),
    ("Els", "Vriend of vriendin", True, "els@example.nl", ("Boodschappen", "Gezelschap")),
    ("Piet", "Buren", False, "", ("Klussen",)),
    ("Fatima", "Van een club, kerk of vereniging", False, "", ("Gezelschap",)),
)


def shoot(page, name: str) -> None:
    """Screenshots at a phone's and a desktop's width, when NETWORK_SHOTS names a folder."""
    folder = os.environ.get("NETWORK_SHOTS")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide at {width}"
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def mailbox(smtp, live_server):
    app, _ = live_server
    return Mailbox(app, smtp)


def add_person(visit, name, relation, close, email, categories):
    page = visit.page
    visit.goto("/mijn-netwerk/persoon-toevoegen")
    page.get_by_label("Voornaam").fill(name)
    page.get_by_label(relation, exact=True).check()
    page.get_by_label("Dichtbij" if close else "Verder weg", exact=False).first.check()
    for category in categories:
        page.get_by_label(category, exact=True).check()
    if email:
        page.get_by_label("E-mailadres (mag leeg blijven)").fill(email)
    visit.submit("Toevoegen")
    assert f"{name} staat nu in uw netwerk." in page.content()


def post_request(visit, title):
    page = visit.page
    visit.goto("/hulpvragen/nieuw")
    fill_request(
        page, category="boodschappen", title=title, description="Wie haalt mijn boodschappen?"
    )
    page.get_by_label("Datum").fill(next_weekday(1).isoformat())
    # The default for someone with a circle: the own network first, for 2 days.
    assert page.get_by_label(re.compile("^Eerst mijn eigen netwerk")).is_checked()
    visit.submit("Hulpvraag plaatsen")


def do_the_check_by_keyboard_without_javascript(browser, live_server, email, ticks):
    """The check in a browser without JavaScript, with Tab, Space and Enter only.

    (axe-core needs JavaScript: the same pages are checked with it in the main journey.)
    """
    app, base_url = live_server
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()

    def press_enter_on(locator):
        locator.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")

    page.goto(base_url + "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    press_enter_on(page.get_by_role("button", name="Inloggen", exact=True))
    if page.url.endswith("/login/code"):
        page.get_by_label("Code uit uw app").fill(fresh_code(app, email))
        press_enter_on(page.get_by_role("button", name="Inloggen", exact=True))
    page.goto(base_url + "/mijn-netwerk/check")
    press_enter_on(page.get_by_role("button", name="Beginnen"))
    for number, area_names in enumerate(ticks, start=1):
        assert f"Vraag {number} van {len(ticks)}" in page.content()
        for name in area_names:
            page.get_by_label(name, exact=True).focus()
            page.keyboard.press("Space")
            assert page.get_by_label(name, exact=True).is_checked()
        press_enter_on(page.locator("form.form button[type=submit]"))
    content = page.content()
    context.close()
    return content


def test_own_network_first_then_the_wijk(
    mailbox, visit, browser, live_server, make_user, db, meppel
):
    # mailbox first: it points the app's mail at the SMTP server before the app is built.
    app, _ = live_server
    meppel.moderation = False  # posts go online at once: the wijk step is the asker's yes
    db.commit()
    riek = make_user(Role.RESIDENT, email="riek@example.nl", name="Riek Jansen", postcode="7941 BK")
    make_user(Role.RESIDENT, email="jan@example.nl", name="Jan Jansen", postcode="7942 AB")
    make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries", postcode="7941 BK")
    page = visit.page

    # 1. Riek maps four people: circles with a table beside them.
    log_in(visit, "riek@example.nl")
    for person in PEOPLE:
        add_person(visit, *person)
    visit.goto("/mijn-netwerk")
    assert page.locator("svg[role=img] title").text_content() == "Uw netwerk als cirkels"
    rows = page.locator("table tbody th[scope=row]").all_inner_texts()
    assert sorted(rows) == ["Els", "Fatima", "Jan", "Piet"]
    shoot(page, "mijn-netwerk")
    visit.submit("Uitnodiging op papier (Piet)")  # a code to hand Piet, on a printable page
    code = page.locator(".invitation-slip__code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    # 2. The check, keyboard only and without JavaScript: two gaps (vervoer, klussen).
    ticks = (
        ("Jan", "Els"),  # ziek
        ("Jan",),  # boodschappen
        (),  # vervoer
        (),  # klussen
        ("Els",),  # papieren
        ("Els", "Fatima"),  # praten
    )
    result = do_the_check_by_keyboard_without_javascript(
        browser, live_server, "riek@example.nl", ticks
    )
    assert "Bij 2 onderwerpen is nog niemand die u kunt vragen." in result
    assert "Vraag het eens aan Piet" in result  # Piet can do klussen
    visit.goto("/mijn-netwerk/check/uitslag")  # the same pages, now with axe-core
    shoot(page, "check-uitslag")
    visit.goto("/mijn-netwerk/check")
    visit.submit("De check opnieuw doen")
    assert "Vraag 1 van 6" in page.content()
    shoot(page, "check-vraag")

    # 3. Jan and Els are invited by email; Jan joins.
    visit.goto("/mijn-netwerk")
    for name in ("Jan", "Els"):
        visit.submit(f"Uitnodigen per e-mail ({name})")
    invitations = {m["To"]: m for m in mailbox.new(2)}
    assert set(invitations) == {"jan@example.nl", "els@example.nl"}
    assert invitations["jan@example.nl"]["Subject"] == (
        "Riek nodigt u uit voor haar of zijn netwerk"
    )
    log_out(visit)
    link = re.search(
        r"http\S+/mijn-netwerk/uitnodiging/\S+", text_of(invitations["jan@example.nl"])
    )
    page.goto(link.group(0))
    visit.assert_accessible()
    page.locator("main").get_by_role("link", name="Inloggen").click()
    page.wait_for_load_state("load")
    page.get_by_label("E-mailadres").fill("jan@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    visit.submit("Inloggen")
    assert "Uitnodiging van Riek" in page.content()
    visit.submit("Ja, ik doe mee")
    assert "U zit nu in het netwerk van Riek" in page.content()
    visit.goto("/mijn-netwerk/meedoen")  # a mistyped code is explained, and kept
    page.get_by_label("Code").fill("ABCD-EFGH")
    visit.submit("Verder")
    assert "Deze code kennen we niet" in page.content()
    assert page.get_by_label("Code").input_value() == "ABCD-EFGH"
    visit.goto("/mijn-netwerk/kringen")
    shoot(page, "kringen")
    assert mailbox.one_for("riek@example.nl")["Subject"] == "Jan doet mee in uw netwerk"
    log_out(visit)

    # 4. A request goes to the circle first; Jan says yes from the mail link.
    log_in(visit, "riek@example.nl")
    post_request(visit, "Boodschappen voor Riek")
    assert "ging eerst naar uw eigen netwerk: Jan" in page.content()
    shoot(page, "hulpvraag-in-netwerk")
    log_out(visit)
    asked = mailbox.one_for("jan@example.nl")
    assert asked["Subject"] == "Riek vraagt u om hulp: Boodschappen voor Riek"
    page.goto(link_after(asked, "Ja, ik help"))
    visit.assert_accessible()
    assert page.get_by_label("Ja, ik help").is_checked()
    visit.submit("Antwoord versturen")
    assert "Riek weet nu dat u helpt" in page.content()
    first = db.scalar(select(HelpRequest).where(HelpRequest.title == "Boodschappen voor Riek"))
    db.refresh(first)
    assert first.state == RequestState.MATCHED
    confirmed = {m["To"]: m["Subject"] for m in mailbox.new(2)}
    assert set(confirmed) == {"jan@example.nl", "riek@example.nl"}

    # 5. Another request nobody in the circle takes: after the wait Riek says it may go on.
    log_in(visit, "riek@example.nl")
    post_request(visit, "Nog eens boodschappen")
    log_out(visit)
    assert mailbox.one_for("jan@example.nl")  # asked, and Jan does not answer
    second = db.scalar(select(HelpRequest).where(HelpRequest.title == "Nog eens boodschappen"))
    from voorelkaar.db import get_session, utcnow
    from voorelkaar.network.services import circle_due

    with app.app_context():
        assert circle_due(get_session(), utcnow() + timedelta(days=3)) == 1
    question = mailbox.one_for("riek@example.nl")
    assert question["Subject"] == "Mag uw hulpvraag naar vrijwilligers in de wijk?"
    page.goto(link_after(question, "Ja, vraag het aan vrijwilligers in de wijk"))
    visit.assert_accessible()
    visit.submit("Antwoord versturen")
    assert "gaat nu naar vrijwilligers bij u in de buurt" in page.content()
    db.refresh(second)
    assert second.state == RequestState.OPEN

    # 6. A volunteer of the wijk now sees it and helps; Riek says yes.
    log_in(visit, "sanne@example.nl")
    visit.goto(f"/hulpvragen/{second.id}")
    visit.submit("Ik help")
    log_out(visit)
    offer = mailbox.one_for("riek@example.nl")
    page.goto(link_after(offer, "Ja, Sanne mag helpen"))
    visit.assert_accessible()
    visit.submit("Antwoord versturen")
    db.expire_all()
    helped = db.scalars(select(Match).where(Match.request_id == second.id)).one()
    assert helped.state.value == "confirmed" and not helped.via_circle
    assert db.get(HelpRequest, second.id).state == RequestState.MATCHED
    assert riek.id == second.author_id

    # 7. A coordinator sees Riek's network only with a reason (which is logged).
    make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")
    log_in(visit, "staf@example.nl")
    visit.goto(f"/mensen/{riek.id}/netwerk")
    page.get_by_label("Waarom bekijkt u het netwerk?").fill("Gesprek als netwerkcoach")
    visit.submit("Netwerk bekijken")
    assert sorted(page.locator("table tbody th[scope=row]").all_inner_texts()) == [
        "Els",
        "Fatima",
        "Jan",
        "Piet",
    ]
    shoot(page, "netwerk-coordinator")

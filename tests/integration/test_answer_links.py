"""Answer links whose question was already answered: a kind page that changes nothing.

A second click on a link in the email says the question was answered. Only the link's own
user, logged in, sees what they answered and when, with a link onward: whoever else holds
the link (a forwarded mail, a mail scanner, a housemate) does not. Forged and expired links
keep the old page.
"""

import html as markup
import re
from datetime import date, timedelta

import time_machine
from sqlalchemy import func, select

from tests.conftest import PASSWORD, AuthActions, Forms, csrf_token_from
from tests.integration.test_scheduled_jobs import a_request, confirmed, local
from voorelkaar.answers.services import answer_link
from voorelkaar.help_requests.jobs import chase_open_requests
from voorelkaar.matches.jobs import send_followups
from voorelkaar.models import (
    AuditEvent,
    Checkin,
    CheckinAnswer,
    HelpRequest,
    Match,
    MatchState,
    RequestState,
    Role,
    StaffTask,
)

ANSWERED = "U heeft deze vraag al beantwoord"
# What anyone else who opens the link is told: no answer, no date, no name.
ANSWERED_BY_SOMEONE = "Deze vraag is al beantwoord"
INVALID = "Deze link werkt niet meer"


def browser_of(app, user):
    """A browser of the user's own, logged in as them (a login lasts 12 hours)."""
    browser = app.test_client()
    assert AuthActions(Forms(browser)).login(user.email).status_code == 302
    return browser


def path_of(in_app, name: str, subject, user, choice: str) -> str:
    """The path of the answer link made now for user about subject, with choice chosen."""
    with in_app():
        return answer_link(name, subject.id, user, choice).removeprefix("http://localhost")


def answer(client, path: str, choice: str, note: str = ""):
    """Open the link and press the button, as a person does; returns the POST's response."""
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="antwoord"' in html
    token = csrf_token_from(html)
    return client.post(path, data={"csrf_token": token, "antwoord": choice, "note": note})


def asks(client, path: str) -> bool:
    """Whether the link still shows its question with the button."""
    html = client.get(path).get_data(as_text=True)
    return 'name="antwoord"' in html and ANSWERED not in html


def open_again(client, path: str, choice: str) -> list[str]:
    """Open the link and send it again; both must show the answered page, without a button."""
    shown = client.get(path)
    token = csrf_token_from(shown.get_data(as_text=True))  # every page has one, in its header
    sent = client.post(path, data={"csrf_token": token, "antwoord": choice, "note": "Toch anders."})
    pages = []
    for response in (shown, sent):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert ANSWERED in html and INVALID not in html
        assert 'name="antwoord"' not in html and "Antwoord versturen" not in html
        pages.append(html)
    return pages


def followup_answers(db) -> int:
    return db.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action.like("matches.followup.%"))
    )


def tasks(db) -> int:
    return db.scalar(select(func.count(StaffTask.id)))


# The check-in: "Hoe gaat het met u?" --------------------------------------------------------


def a_checkin(db, carer) -> Checkin:
    checkin = Checkin(carer_id=carer.id, due_on=date(2026, 12, 3), sent_at=local(2026, 12, 3, 9))
    db.add(checkin)
    db.commit()
    return checkin


def stored(db, checkin: Checkin) -> tuple:
    db.expire_all()
    row = db.get(Checkin, checkin.id)
    return row.answer, row.note, row.answered_at, row.escalated_at


def test_a_second_click_on_a_checkin_link_shows_the_first_answer_and_changes_nothing(
    app, client, db, in_app, carer, make_user
):
    checkin = a_checkin(db, carer)
    with time_machine.travel(local(2026, 12, 3, 10), tick=False):
        heavy, good = (path_of(in_app, "checkin", checkin, carer, a) for a in ("zwaar", "goed"))
        assert answer(client, heavy, "zwaar", "Ik slaap slecht.").status_code == 302
    first = stored(db, checkin)
    assert first[0] == CheckinAnswer.HEAVY and tasks(db) == 1

    # Two days later, the same link again, or the other answer in the same email.
    with time_machine.travel(local(2026, 12, 5, 20), tick=False):
        own = browser_of(app, carer)
        for path, choice in ((heavy, "zwaar"), (good, "goed")):
            for html in open_again(own, path, choice):
                assert "Op donderdag 3 december 2026 antwoordde u: <strong>Zwaar</strong>" in html
                assert 'href="/mantelzorg"' in html and "Bekijk al uw antwoorden" in html
                # The note was written for the staff, not for whoever holds the link.
                assert "Ik slaap slecht." not in html
        # A link about this check-in made out to someone else never shows the carer's answer.
        other = make_user(Role.CARER, email="ander@example.nl")
        html = client.get(path_of(in_app, "checkin", checkin, other, "goed")).get_data(as_text=True)
        assert ANSWERED not in html and "antwoordde u" not in html
    assert stored(db, checkin) == first and tasks(db) == 1


def test_only_a_genuine_fresh_link_to_an_answered_checkin_gets_the_kind_page(
    client, db, in_app, carer
):
    checkin = a_checkin(db, carer)
    with time_machine.travel(local(2026, 12, 3, 10), tick=False):
        path = path_of(in_app, "checkin", checkin, carer, "goed")
        answer(client, path, "goed")
        assert ANSWERED_BY_SOMEONE in client.get(path).get_data(as_text=True)
        token = path.split("/")[2].split("?")[0]
        forged = path.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
        checked = [client.get(forged)]
    with time_machine.travel(local(2026, 12, 3, 10) + timedelta(days=30, seconds=1), tick=False):
        checked.append(client.get(path))
    for response in checked:
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert INVALID in html and "al beantwoord" not in html and "antwoordde u" not in html
    assert stored(db, checkin)[0] == CheckinAnswer.GOOD


def tells_nothing(html: str) -> bool:
    """Whether an answered page keeps the carer's answer, its date and their name to itself."""
    shown = html.lower()
    return not any(
        secret in shown
        for secret in ("zwaar", "december", "antwoordde", "henk", "bakker", "ik slaap slecht")
    )


def test_whoever_holds_an_answered_checkin_link_sees_only_that_it_was_answered(
    app, client, db, in_app, carer
):
    checkin = a_checkin(db, carer)
    with time_machine.travel(local(2026, 12, 3, 10), tick=False):
        heavy, good = (path_of(in_app, "checkin", checkin, carer, a) for a in ("zwaar", "goed"))
        answer(client, heavy, "zwaar", "Ik slaap slecht.")

    # A forwarded mail, a mail scanner, a housemate: not logged in.
    with time_machine.travel(local(2026, 12, 5, 20), tick=False):
        shown = client.get(good)
        # The page has no form left; a token of this browser's session, as an old tab has.
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        sent = client.post(good, data={"csrf_token": token, "antwoord": "goed", "note": "Hoi"})
        for response in (shown, sent):
            html = response.get_data(as_text=True)
            assert response.status_code == 200 and ANSWERED_BY_SOMEONE in html
            assert ANSWERED not in html and 'name="antwoord"' not in html
            assert "Log dan in. Dan ziet u uw antwoord." in html
            assert tells_nothing(html)
    assert stored(db, checkin)[:2] == (CheckinAnswer.HEAVY, "Ik slaap slecht.")


def test_the_carer_logs_in_from_an_answered_checkin_link_and_then_sees_their_answer(
    app, client, db, in_app, carer
):
    checkin = a_checkin(db, carer)
    with time_machine.travel(local(2026, 12, 3, 10), tick=False):
        heavy, good = (path_of(in_app, "checkin", checkin, carer, a) for a in ("zwaar", "goed"))
        answer(client, heavy, "zwaar")
    with time_machine.travel(local(2026, 12, 5, 20), tick=False):
        html = client.get(good).get_data(as_text=True)
        login = markup.unescape(re.search(r'<a href="(/login\?next=[^"]+)"', html).group(1))
        response = Forms(client).post(login, {"email": carer.email, "password": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == good
        html = client.get(good).get_data(as_text=True)
    assert "Op donderdag 3 december 2026 antwoordde u: <strong>Zwaar</strong>" in html
    assert 'href="/mantelzorg"' in html


def test_someone_else_logged_in_sees_only_that_a_checkin_link_was_answered(
    app, client, db, in_app, carer, make_user
):
    checkin = a_checkin(db, carer)
    with time_machine.travel(local(2026, 12, 3, 10), tick=False):
        heavy, good = (path_of(in_app, "checkin", checkin, carer, a) for a in ("zwaar", "goed"))
        answer(client, heavy, "zwaar", "Ik slaap slecht.")
    housemate = make_user(Role.CARER, email="huisgenoot@example.nl", name="Joke Smit")
    with time_machine.travel(local(2026, 12, 5, 20), tick=False):
        response = browser_of(app, housemate).get(good)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and ANSWERED_BY_SOMEONE in html and ANSWERED not in html
    assert "Log dan uit en log in met uw eigen account." in html
    assert tells_nothing(html) and "/login?next=" not in html


# "Is het gelukt?" -------------------------------------------------------------------------


def followup_links(db, in_app, match, person, at) -> dict[str, str]:
    """Send the round of "Is het gelukt?" at a moment; returns person's links by answer."""
    with time_machine.travel(at, tick=False), in_app():
        send_followups(db, at)
    with time_machine.travel(at, tick=False):
        return {a: path_of(in_app, "gelukt", match, person, a) for a in ("ja", "nee", "nog-niet")}


def test_a_second_click_on_is_het_gelukt_shows_the_first_answer_and_changes_nothing(
    app, client, db, in_app, resident, volunteer
):
    item = a_request(db, resident)
    match = confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    links = followup_links(db, in_app, match, volunteer, local(2026, 12, 2, 10))
    asker_links = followup_links(db, in_app, match, resident, local(2026, 12, 2, 10))
    with time_machine.travel(local(2026, 12, 2, 11), tick=False):
        assert answer(client, links["ja"], "ja").status_code == 302

    with time_machine.travel(local(2026, 12, 4, 9), tick=False):
        own = browser_of(app, volunteer)
        for choice in ("ja", "nee"):
            for html in open_again(own, links[choice], choice):
                assert (
                    "Op woensdag 2 december 2026 antwoordde u: <strong>Ja, het is gelukt</strong>"
                    in html
                )
                assert f'href="/hulpvragen/{item.id}"' in html and "Naar de hulpvraag" in html
        # The volunteer's answer is theirs: the asker is still asked.
        assert asks(client, asker_links["nee"])
    db.expire_all()
    match = db.get(Match, match.id)
    assert match.volunteer_answer == "ja" and match.state == MatchState.DONE
    assert followup_answers(db) == 1 and tasks(db) == 0  # a second "nee" would open a task


def test_nog_niet_leaves_is_het_gelukt_open_and_a_new_round_asks_again(
    app, client, db, in_app, resident, volunteer
):
    item = a_request(db, resident)
    match = confirmed(db, in_app, resident, volunteer, item, local(2026, 11, 27, 12))
    asker_first = followup_links(db, in_app, match, resident, local(2026, 12, 2, 10))
    volunteer_first = followup_links(db, in_app, match, volunteer, local(2026, 12, 2, 10))
    with time_machine.travel(local(2026, 12, 2, 11), tick=False):
        answer(client, asker_first["nee"], "nee", "Er kwam niemand.")
        html = open_again(browser_of(app, resident), asker_first["nee"], "nee")[0]
        assert "antwoordde u: <strong>Nee, het is niet gelukt</strong>" in html
    with time_machine.travel(local(2026, 12, 2, 12), tick=False):
        answer(client, volunteer_first["nog-niet"], "nog-niet")
        assert asks(client, volunteer_first["ja"])  # "nog niet" is not the end of it
    assert tasks(db) == 1

    # A week later both are asked again; the asker's "nee" was about the first round.
    asker_second = followup_links(db, in_app, match, resident, local(2026, 12, 9, 12))
    with time_machine.travel(local(2026, 12, 9, 13), tick=False):
        assert asks(client, asker_first["ja"]) and asks(client, asker_second["ja"])
        answer(client, asker_second["ja"], "ja")
        own = browser_of(app, resident)
        for path in (asker_second["ja"], asker_first["ja"]):
            html = open_again(own, path, "nee")[0]
            assert (
                "Op woensdag 9 december 2026 antwoordde u: <strong>Ja, het is gelukt</strong>"
                in html
            )
    db.expire_all()
    assert db.get(Match, match.id).asker_answer == "ja" and tasks(db) == 1


# "Is uw hulpvraag nog nodig?" -----------------------------------------------------------------

PUBLISHED = local(2026, 11, 1, 12)


def still_needed_links(db, in_app, item, resident, at) -> dict[str, str]:
    """Ask "nog nodig?" at a moment, as the job does; returns the asker's links by answer."""
    with time_machine.travel(at, tick=False), in_app():
        chase_open_requests(db, at)
    with time_machine.travel(at, tick=False):
        return {a: path_of(in_app, "nog-nodig", item, resident, a) for a in ("ja", "nee")}


def test_a_second_click_on_still_needed_ja_shows_the_answer_and_changes_nothing(
    app, client, db, in_app, resident
):
    item = a_request(db, resident, published=PUBLISHED)
    asked = PUBLISHED + timedelta(days=14)
    links = still_needed_links(db, in_app, item, resident, asked)
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        assert answer(client, links["ja"], "ja").status_code == 302
    db.expire_all()
    renewed = db.get(HelpRequest, item.id).still_needed_at

    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        own = browser_of(app, resident)
        for choice in ("ja", "nee"):
            for html in open_again(own, links[choice], choice):
                assert (
                    "Op maandag 16 november 2026 antwoordde u: "
                    "<strong>Ja, ik zoek nog steeds hulp</strong>" in html
                )
                assert f'href="/hulpvragen/{item.id}"' in html
    db.expire_all()
    request = db.get(HelpRequest, item.id)
    assert request.state == RequestState.OPEN and request.still_needed_at == renewed

    with time_machine.travel(asked + timedelta(days=30, seconds=1), tick=False):
        response = client.get(links["ja"])
    assert response.status_code == 400 and INVALID in response.get_data(as_text=True)


def test_a_second_click_after_still_needed_nee_says_it_was_answered(
    app, client, db, in_app, resident
):
    item = a_request(db, resident, published=PUBLISHED)
    links = still_needed_links(db, in_app, item, resident, PUBLISHED + timedelta(days=14))
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        answer(client, links["nee"], "nee")
    with time_machine.travel(local(2026, 11, 17, 10), tick=False):
        for html in open_again(browser_of(app, resident), links["ja"], "ja"):
            assert "antwoordde u: <strong>Nee, het is niet meer nodig</strong>" in html
    db.expire_all()
    assert db.get(HelpRequest, item.id).state == RequestState.CANCELLED


def test_an_older_still_needed_link_answers_the_newer_question(app, client, db, in_app, resident):
    item = a_request(db, resident, published=PUBLISHED)
    first = still_needed_links(db, in_app, item, resident, PUBLISHED + timedelta(days=14))
    with time_machine.travel(PUBLISHED + timedelta(days=15), tick=False):
        answer(client, first["ja"], "ja")
    # Asked again 14 days after the "ja"; the first email's link still works then.
    still_needed_links(db, in_app, item, resident, PUBLISHED + timedelta(days=29))
    with time_machine.travel(PUBLISHED + timedelta(days=30), tick=False):
        assert asks(client, first["ja"])
        answer(client, first["ja"], "ja")
        open_again(browser_of(app, resident), first["ja"], "ja")
    db.expire_all()
    assert db.get(HelpRequest, item.id).still_needed_at == PUBLISHED + timedelta(days=30)

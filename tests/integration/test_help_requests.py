"""Asking for help, reviewing it, and finding it in the list."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from voorelkaar.audit import ACCESS_EVENTS
from voorelkaar.help_requests.forms import today
from voorelkaar.models import AuditEvent, HelpRequest, RequestState, Role


def next_weekday(weekday: int):
    day = today() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def request_data(**changes):
    data = {
        "posted_for": "self",
        "category": "boodschappen",
        "title": "Boodschappen bij de Jumbo",
        "description": "Ik kan slecht lopen. Wie haalt mijn boodschappen?",
        "skills": "boodschappen, fietsen",
        "schedule": "once",
        "day": next_weekday(1).isoformat(),
        "weekday": "1",
        "until": "",
        "start_time": "14:00",
        "end_time": "16:00",
        "postcode": "7941 BK",
        "house_number": "12",
        "street": "Kerkstraat",
        "volunteers_needed": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def post_request(forms, auth):
    def post(email="inwoner@example.nl", **changes):
        auth.login(email)
        return forms.post("/hulpvragen/nieuw", request_data(**changes))

    return post


def test_a_resident_posts_a_request_that_waits_for_review(post_request, db, resident):
    response = post_request()
    assert response.status_code == 302
    item = db.scalar(select(HelpRequest))
    assert item.state == RequestState.PENDING
    assert item.starts_at.hour == 13  # 14:00 in Amsterdam in winter is 13:00 UTC
    assert item.skill_list == ["boodschappen", "fietsen"]
    assert item.neighbourhood.name == "Centrum"


def test_the_street_is_kept_with_the_request_and_filled_in_the_next_time(
    post_request, client, db, resident
):
    # The address the resident gave when registering: the street is new to their profile.
    assert post_request(postcode="7941 AB", house_number="1").status_code == 302
    item = db.scalar(select(HelpRequest))
    assert (item.street, item.house_number, item.postcode) == ("Kerkstraat", "1", "7941 AB")
    db.refresh(resident)
    assert resident.street == "Kerkstraat"
    assert 'value="Kerkstraat"' in client.get("/hulpvragen/nieuw").get_data(as_text=True)


def test_a_street_for_another_address_is_not_taken_for_ones_own(post_request, db, resident):
    assert post_request(postcode="7941 BK", house_number="12").status_code == 302
    db.refresh(resident)
    assert resident.street is None


def test_staff_approves_and_the_request_appears_in_the_list(
    post_request, forms, auth, client, db, resident, staff
):
    post_request()
    item = db.scalar(select(HelpRequest))
    assert "Boodschappen bij de Jumbo" not in client.get("/hulpvragen").get_data(as_text=True)
    auth.logout()
    auth.login("coordinator@example.nl")
    assert "Boodschappen bij de Jumbo" in client.get("/beheer/te-beoordelen").get_data(as_text=True)
    response = forms.post(
        f"/beheer/te-beoordelen/hulpvraag/{item.id}/goedkeuren", {}, page="/beheer/te-beoordelen"
    )
    assert response.status_code == 302
    db.refresh(item)
    assert item.state == RequestState.OPEN
    auth.logout()
    html = client.get("/hulpvragen").get_data(as_text=True)
    assert "Boodschappen bij de Jumbo" in html
    assert "7941 BK" not in html and "Riek" not in html
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.not_in(ACCESS_EVENTS))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["help_requests.submitted", "help_requests.approved"]


def test_a_rejected_author_gets_the_reason_by_email(
    smtp, app, post_request, forms, auth, db, resident, staff, in_app
):
    from voorelkaar.db import utcnow
    from voorelkaar.notify import dispatch_outbox

    post_request()
    item = db.scalar(select(HelpRequest))
    auth.logout()
    auth.login("coordinator@example.nl")
    reason = "Zet uw telefoonnummer niet in de beschrijving, dan plaatsen we hem."
    response = forms.post(f"/beheer/te-beoordelen/hulpvraag/{item.id}/afwijzen", {"reason": reason})
    assert response.status_code == 302
    with in_app():
        dispatch_outbox(db, utcnow())
    (message,) = smtp.wait_for(1)
    assert message["To"] == "inwoner@example.nl"
    assert reason in message.get_body(("plain",)).get_content()
    db.refresh(item)
    assert item.state == RequestState.REJECTED


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"day": "2020-01-01"}, "day", "al geweest"),
        ({"end_time": "13:00"}, "end_time", "later zijn dan de begintijd"),
        ({"volunteers_needed": "0"}, "volunteers_needed", "1 tot 10"),
        ({"title": "x" * 5000}, "title", "hoogstens 100 tekens"),
        ({"category": "skydiven"}, "category", "uit de lijst"),
        ({"schedule": "weekly", "until": ""}, "until", "tot wanneer"),
        ({"postcode": "1005 AB"}, "postcode", "kennen wij niet"),
        ({"posted_for": "resident"}, "posted_for", "Kies voor wie"),
        ({"street": "   "}, "street", "Vul de straat in"),
    ],
)
def test_bad_request_input_is_explained_and_nothing_is_saved(
    post_request, db, resident, changes, field, message
):
    response = post_request(**changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    start = html.index(f'id="{field}-error"')
    assert message in html[start : start + 400]
    assert "Ik kan slecht lopen" in html  # what was typed is kept
    assert db.scalar(select(HelpRequest)) is None


@pytest.mark.parametrize("weekday", [None, ""], ids=["left-out", "empty"])
def test_a_weekly_request_without_a_weekday_asks_for_one_and_keeps_the_rest(
    post_request, db, resident, weekday
):
    until = (today() + timedelta(days=90)).isoformat()
    response = post_request(schedule="weekly", day="", weekday=weekday, until=until)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    start = html.index('id="weekday-error"')
    assert "Kies een dag van de week." in html[start : start + 400]
    assert "Ik kan slecht lopen" in html and until in html  # what was typed is kept
    assert db.scalar(select(HelpRequest)) is None


def test_a_carer_posts_a_weekly_walk_for_their_partner(post_request, db, make_user, meppel):
    make_user(Role.CARER, email="mz@example.nl")
    response = post_request(
        email="mz@example.nl",
        posted_for="cared_for",
        for_first_name="Gerrit",
        category="wandelen",
        title="Wandelen met Gerrit",
        schedule="weekly",
        weekday="2",
        until=(today() + timedelta(days=90)).isoformat(),
        day="",
        vog="vulnerable",
    )
    assert response.status_code == 302
    item = db.scalar(select(HelpRequest))
    assert item.for_first_name == "Gerrit" and item.weekday == 2
    assert item.requires_vog  # vulnerable means a VOG is needed


def test_another_user_cannot_see_or_change_a_request_by_its_id(
    post_request, forms, auth, client, db, resident, make_user
):
    post_request()
    item = db.scalar(select(HelpRequest))
    auth.logout()
    make_user(Role.RESIDENT, email="buur@example.nl")
    auth.login("buur@example.nl")
    assert client.get(f"/hulpvragen/{item.id}").status_code == 404  # pending: not public
    assert client.get(f"/hulpvragen/{item.id}/bewerken").status_code == 404
    response = forms.post(f"/hulpvragen/{item.id}/intrekken", {}, page="/mijn-hulpvragen")
    assert response.status_code == 404
    db.refresh(item)
    assert item.state == RequestState.PENDING


def test_names_round_trip_and_script_is_shown_as_text(post_request, client, db, resident):
    post_request(title="Zoë d'Hondt <script>alert(1)</script>", description="javascript:alert(1)")
    item = db.scalar(select(HelpRequest))
    assert item.title == "Zoë d'Hondt <script>alert(1)</script>"
    html = client.get(f"/hulpvragen/{item.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "Zoë d&#39;Hondt &lt;script&gt;" in html


def test_a_title_of_only_spaces_counts_as_empty(post_request, db, resident):
    html = post_request(title="     ").get_data(as_text=True)
    assert "Geef uw hulpvraag een korte titel." in html
    assert db.scalar(select(HelpRequest)) is None


REVIEW_NOTICE = "Na het opslaan kijkt een coördinator eerst opnieuw naar uw hulpvraag."


@pytest.mark.parametrize(
    ("editor", "state", "moderation", "reviewed"),
    [
        ("inwoner@example.nl", RequestState.OPEN, True, True),
        ("inwoner@example.nl", RequestState.REJECTED, True, True),
        ("inwoner@example.nl", RequestState.OPEN, False, False),
        ("inwoner@example.nl", RequestState.PENDING, True, False),
        ("coordinator@example.nl", RequestState.OPEN, True, False),
    ],
    ids=["open", "rejected", "no-moderation", "pending", "staff"],
)
def test_the_edit_form_says_a_change_goes_back_for_review_exactly_when_it_does(
    forms,
    auth,
    client,
    db,
    meppel,
    resident,
    staff,
    make_request,
    editor,
    state,
    moderation,
    reviewed,
):
    item = make_request(resident, title="Boodschappen", postcode="7941 BK")
    item.state = state
    meppel.moderation = moderation
    db.commit()
    auth.login(editor)
    page = f"/hulpvragen/{item.id}/bewerken"
    assert (REVIEW_NOTICE in client.get(page).get_data(as_text=True)) is reviewed
    response = forms.post(page, request_data(title="Boodschappen bij de Jumbo"))
    assert response.status_code == 302
    db.refresh(item)
    assert item.title == "Boodschappen bij de Jumbo"
    assert (item.state == RequestState.PENDING) is (reviewed or state == RequestState.PENDING)


VOG_QUESTION = "Moet de vrijwilliger een VOG hebben?"


@pytest.mark.parametrize(
    ("answer", "vulnerable", "requires_vog"),
    [("no", False, False), ("yes", False, True), ("vulnerable", True, True)],
)
def test_one_vog_question_sets_both_what_the_volunteer_needs_and_who_is_helped(
    post_request, db, resident, answer, vulnerable, requires_vog
):
    response = post_request(vog=answer)
    assert response.status_code == 302
    item = db.scalar(select(HelpRequest))
    assert (item.vulnerable, item.requires_vog) == (vulnerable, requires_vog)


def test_the_form_asks_about_the_vog_once_and_says_which_part_of_wanneer_is_which(
    auth, client, resident
):
    auth.login("inwoner@example.nl")
    html = client.get("/hulpvragen/nieuw").get_data(as_text=True)
    assert VOG_QUESTION in html
    assert "De vrijwilliger moet een VOG hebben" not in html  # the second box is gone
    assert re.search(r'<input[^>]*checked[^>]*value="no"', html)  # "Nee" until chosen
    assert "Alleen bij 'Eén keer': de datum" in html
    assert "Alleen bij 'Elke week': de dag en tot wanneer" in html


@pytest.mark.parametrize(
    ("vulnerable", "requires_vog", "answer"),
    [(False, False, "no"), (False, True, "yes"), (True, True, "vulnerable")],
)
def test_editing_a_stored_request_fills_in_its_vog_answer(
    auth, client, db, resident, make_request, vulnerable, requires_vog, answer
):
    item = make_request(resident, title="Wandelen", postcode="7941 BK")
    item.vulnerable, item.requires_vog = vulnerable, requires_vog
    db.commit()
    auth.login("inwoner@example.nl")
    html = client.get(f"/hulpvragen/{item.id}/bewerken").get_data(as_text=True)
    checked = re.findall(r'<input[^>]*checked[^>]*name="vog"[^>]*value="(\w+)"', html)
    assert checked == [answer]

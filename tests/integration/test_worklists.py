"""The work lists (/overzicht/...): staff find every request and person of their municipality,
page through them with a count, and download what they see; a consultant sees their referrals."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    AuditNote,
    HelpRequest,
    Match,
    MatchState,
    PostedFor,
    Referral,
    RequestState,
    Role,
)
from voorelkaar.moderation.services import publish_post

PEOPLE = "/overzicht/mensen"
REQUESTS = "/overzicht/hulpvragen"
REFERRALS = "/overzicht/verwijzingen"


def _request(db, author, title, state=RequestState.OPEN, postcode="7941 AB", **extra):
    item = HelpRequest(
        author=author,
        category_id=1,
        title=title,
        description="Graag hulp.",
        postcode=postcode,
        house_number="1",
        pc4=postcode[:4],
        lat=52.69,
        lon=6.19,
        starts_at=utcnow(),
        ends_at=utcnow(),
        **extra,
    )
    if state == RequestState.OPEN:
        publish_post(item)
    item.state = state
    db.add(item)
    db.commit()
    return item


def _referral(db, consultant, name, code, postcode="7941 AB", **extra):
    referral = Referral(
        consultant_id=consultant.id,
        resident_name=name,
        postcode=postcode,
        house_number="1",
        consent_date=utcnow().date(),
        category_id=1,
        title="Boodschappen",
        description="Hulp bij de boodschappen",
        code=code,
        **{"expires_at": utcnow() + timedelta(days=30), **extra},
    )
    db.add(referral)
    db.commit()
    return referral


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode()), "no BOM: Excel would garble the accents"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def logged_in_staff(auth, staff):
    auth.login(staff.email)
    return staff


@pytest.fixture
def hoekstras(db, make_user):
    """Three people called Sem Hoekstra, told apart by postcode, phone and email."""
    people = []
    for number, (postcode, phone) in enumerate(
        (("7941 AB", "+31612345678"), ("7942 CD", "+31687654321"), ("7943 EF", None)), 1
    ):
        person = make_user(
            Role.VOLUNTEER, email=f"sem{number}@example.nl", name="Sem Hoekstra", postcode=postcode
        )
        person.phone = phone
        people.append(person)
    db.commit()
    return people


@pytest.mark.parametrize(
    "typed", ["06 12345678", "+31612345678", "0612345678", "06-12345678", "+31 6 1234 5678"]
)
def test_staff_find_a_person_by_phone_however_it_is_typed(
    client, logged_in_staff, hoekstras, typed
):
    page = _text(client.get(PEOPLE, query_string={"q": typed}))
    assert "1 persoon gevonden" in page
    assert "sem1@example.nl" in page and "sem2@example.nl" not in page
    assert "06 12345678" in page  # the phone shown as people write it


@pytest.mark.parametrize("typed", ["7942 CD", "7942cd", "7942CD", " 7942 cd "])
def test_staff_find_a_person_by_postcode_with_or_without_space(
    client, logged_in_staff, hoekstras, typed
):
    page = _text(client.get(PEOPLE, query_string={"q": typed}))
    assert "sem2@example.nl" in page
    assert "sem1@example.nl" not in page and "sem3@example.nl" not in page


def test_staff_find_everyone_of_a_four_digit_postcode(client, logged_in_staff, hoekstras):
    page = _text(client.get(PEOPLE, query_string={"q": "7943"}))
    assert "sem3@example.nl" in page and "sem1@example.nl" not in page


def test_staff_find_a_person_by_email_and_by_surname(client, logged_in_staff, hoekstras):
    by_email = _text(client.get(PEOPLE, query_string={"q": "SEM2@example"}))
    assert "1 persoon gevonden" in by_email and "sem2@example.nl" in by_email
    by_surname = _text(client.get(PEOPLE, query_string={"q": "hoekstra"}))
    assert "3 mensen gevonden" in by_surname


def test_look_alike_names_are_told_apart_and_each_links_to_the_person_page(
    client, logged_in_staff, hoekstras
):
    page = _text(client.get(PEOPLE, query_string={"q": "Sem Hoekstra"}))
    for person in hoekstras:
        assert f'href="/mensen/{person.id}"' in page
        assert person.postcode in page and person.email in page
    assert "Vrijwilliger" in page  # the role in Dutch
    assert "Centrum" in page or "Haveltermade" in page  # the wijk


def test_the_people_list_filters_on_role(client, logged_in_staff, hoekstras, resident):
    page = _text(client.get(PEOPLE, query_string={"rol": "resident"}))
    assert "Riek Jansen" in page and "Sem Hoekstra" not in page


def test_a_request_is_found_by_the_askers_surname_in_every_state(
    client, db, logged_in_staff, make_user
):
    asker = make_user(Role.RESIDENT, email="kok@example.nl", name="Annie Kok")
    other = make_user(Role.RESIDENT, email="smit@example.nl", name="Piet Smit")
    for state in RequestState:
        _request(db, asker, f"Vraag {state.value}", state)
        _request(db, other, f"Andere {state.value}", state)
    everything = _text(client.get(REQUESTS, query_string={"q": "kok"}))
    assert f"{len(RequestState)} hulpvragen gevonden" in everything
    for state in RequestState:
        page = _text(client.get(REQUESTS, query_string={"q": "Kok", "status": state.value}))
        assert "1 hulpvraag gevonden" in page, state
        assert f"Vraag {state.value}" in page and "Andere" not in page


def test_a_request_for_a_resident_is_found_by_the_residents_surname(
    client, db, logged_in_staff, staff, make_user
):
    _request(
        db,
        staff,
        "Ramen lappen",
        posted_for=PostedFor.RESIDENT,
        resident_name="Mevrouw Mulder",
        consent_date=utcnow().date(),
    )
    page = _text(client.get(REQUESTS, query_string={"q": "mulder"}))
    assert "1 hulpvraag gevonden" in page
    assert "Mevrouw Mulder" in page and "Ramen lappen" in page
    assert f'href="/mensen/{staff.id}"' in page  # who asked links to the person page


def test_the_request_list_shows_the_confirmed_volunteer_and_how_long_it_waits(
    client, db, logged_in_staff, resident, volunteer
):
    matched = _request(db, resident, "Vraag met helper", RequestState.MATCHED)
    db.add(Match(request_id=matched.id, volunteer_id=volunteer.id, state=MatchState.CONFIRMED))
    waiting = _request(db, resident, "Vraag die wacht", RequestState.OPEN)
    waiting.published_at = utcnow() - timedelta(days=9)
    db.commit()
    page = _text(client.get(REQUESTS))
    assert f'href="/mensen/{volunteer.id}"' in page and "Sanne de Vries" in page
    assert "9 dagen" in page
    assert "er is een vrijwilliger" in page  # the state in Dutch
    # Longest waiting first.
    assert page.index("Vraag die wacht") < page.index("Vraag met helper")


def test_lists_page_past_50_and_say_how_many(client, db, logged_in_staff, resident, make_user):
    for number in range(123):
        _request(db, resident, f"Klus {number:03d}")
    first = _text(client.get(REQUESTS))
    assert "123 hulpvragen gevonden" in first
    assert first.count("<tr>") == 51  # the header and 50 rows
    assert "Pagina 1 van 3" in first and "Laatste" in first
    last = _text(client.get(REQUESTS, query_string={"pagina": 3}))
    assert last.count("<tr>") == 24
    for number in range(55):
        make_user(Role.VOLUNTEER, name=f"Vrijwilliger {number:02d}")
    people = _text(client.get(PEOPLE, query_string={"rol": "volunteer"}))
    assert "55 mensen gevonden" in people
    second = _text(client.get(PEOPLE, query_string={"rol": "volunteer", "pagina": 2}))
    assert second.count("<tr>") == 6
    assert "Vrijwilliger 54" in second


def test_page_links_do_not_list_every_page(client, db, logged_in_staff, make_user):
    for number in range(12 * 50 + 1):
        db.add(_bare_person(number))
    db.commit()
    page = _text(client.get(PEOPLE, query_string={"pagina": 7}))
    assert "Pagina 7 van 13" in page
    assert 'pagina=13"' in page and 'pagina=1"' in page  # last and first
    assert 'pagina=3"' not in page and 'pagina=11"' not in page


def _bare_person(number):
    from voorelkaar.models import User, UserRole

    person = User(
        email=f"bulk{number}@example.nl",
        name=f"Bulk Persoon {number:04d}",
        password_hash="x",
        postcode="7941 AB",
        house_number="1",
        pc4="7941",
        lat=52.69,
        lon=6.19,
        roles=[UserRole(role=Role.VOLUNTEER)],
    )
    return person


def test_staff_of_one_municipality_never_see_anothers_rows_in_lists_or_csv(
    app, db, client, auth, make_user, westerveld
):
    meppel_staff = make_user(Role.STAFF, email="staf@meppel.example", name="Staf Meppel")
    havelte = make_user(
        Role.RESIDENT, email="zwaluw@example.nl", name="Zwaluw Havelte", postcode="7971 AB"
    )
    havelte.phone = "+31611111111"
    db.commit()
    assert havelte.municipality_id == westerveld.id
    _request(db, havelte, "Zwaluw vraag", postcode="7971 AB")
    consultant = make_user(Role.CONSULTANT, email="cons@havelte.example", postcode="7971 AB")
    _referral(db, consultant, "Zwaluw Riet", "ZWALUW01", postcode="7971 AB")
    auth.login(meppel_staff.email)
    for url in (PEOPLE, REQUESTS, REFERRALS, "/beheer/gebruikers"):
        for query in ({}, {"q": "zwaluw"}, {"q": "7971 AB"}, {"q": "06 11111111"}):
            assert "Zwaluw" not in _text(client.get(url, query_string=query)), (url, query)
    for url in (PEOPLE, REQUESTS, REFERRALS):
        download = client.get(f"{url}.csv")
        assert download.status_code == 200
        assert "Zwaluw" not in download.get_data(as_text=True), url


def test_a_csv_export_is_the_whole_filtered_list_as_an_attachment_with_an_audit_row(
    client, db, logged_in_staff, staff, resident, make_user
):
    for number in range(60):
        _request(db, resident, f"Klus {number:02d}")
    _request(db, resident, "Iets anders", RequestState.PENDING)
    download = client.get(REQUESTS + ".csv", query_string={"status": "open", "pagina": 1})
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Content-Type"].startswith("text/csv")
    rows = _rows(download)
    assert rows[0][:3] == ["Nummer", "Titel", "Gevraagd door"]
    assert len(rows) == 61  # all pages, not just the first 50; the pending one filtered out
    assert {row[6] for row in rows[1:]} == {"online, zoekt een vrijwilliger"}
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "worklists.exported")).all()
    assert len(events) == 1 and events[0].actor_id == staff.id
    note = db.scalar(select(AuditNote.text).where(AuditNote.event_id == events[0].id))
    assert "lijst=hulpvragen" in note and "status=open" in note and "rijen=60" in note


def test_the_csv_search_text_is_not_written_into_the_audit_trail(
    client, db, logged_in_staff, hoekstras
):
    download = client.get(PEOPLE + ".csv", query_string={"q": "Hoekstra"})
    assert len(_rows(download)) == 4
    note = db.scalar(
        select(AuditNote.text).join(AuditEvent).where(AuditEvent.action == "worklists.exported")
    )
    assert "Hoekstra" not in note and "zoekterm=ja" in note and "rijen=3" in note


def test_a_name_that_looks_like_a_formula_is_text_in_the_spreadsheet(
    client, db, logged_in_staff, make_user
):
    make_user(Role.RESIDENT, email="formule@example.nl", name='=HYPERLINK("x")')
    make_user(Role.RESIDENT, email="plus@example.nl", name="+31 Jansen")
    rows = _rows(client.get(PEOPLE + ".csv", query_string={"rol": "resident"}))
    names = {row[1] for row in rows[1:]}
    assert '\'=HYPERLINK("x")' in names and "'+31 Jansen" in names


def test_a_consultant_sees_only_their_own_referrals_and_not_the_other_lists(
    client, db, auth, consultant, make_user, staff
):
    colleague = make_user(Role.CONSULTANT, email="collega@example.nl", name="Collega")
    _referral(db, consultant, "Mijn Inwoner", "MIJNCODE")
    _referral(db, colleague, "Andere Inwoner", "ANDERCOD")
    auth.login(consultant.email)
    page = _text(client.get(REFERRALS))
    assert "Mijn Inwoner" in page and "Andere Inwoner" not in page
    assert "1 verwijzing gevonden" in page
    assert "uitgenodigd" in page  # the status in Dutch
    rows = _rows(client.get(REFERRALS + ".csv"))
    assert [row[1] for row in rows[1:]] == ["Mijn Inwoner"]
    assert client.get(REQUESTS).status_code == 403
    assert client.get(PEOPLE).status_code == 403
    assert client.get(PEOPLE + ".csv").status_code == 403


def test_staff_filter_referrals_by_status(client, db, logged_in_staff, consultant):
    _referral(db, consultant, "Nog Uitgenodigd", "OPENCODE")
    _referral(
        db,
        consultant,
        "Al Verlopen",
        "OUDECODE",
        expired_at=utcnow() - timedelta(days=1),
    )
    expired = _text(client.get(REFERRALS, query_string={"status": "expired"}))
    assert "Al Verlopen" in expired and "Nog Uitgenodigd" not in expired
    invited = _text(client.get(REFERRALS, query_string={"status": "invited"}))
    assert "Nog Uitgenodigd" in invited and "Al Verlopen" not in invited


def test_a_filter_not_in_the_list_gets_a_polite_message_and_keeps_the_search(
    client, logged_in_staff, hoekstras
):
    page = _text(client.get(REQUESTS, query_string={"status": "kapot", "q": "Kok"}))
    assert "Kies een status uit de lijst." in page
    assert 'value="Kok"' in page
    assert client.get(REQUESTS + ".csv", query_string={"status": "kapot"}).status_code == 302
    page = _text(client.get(PEOPLE, query_string={"wijk": "999999"}))
    assert "Kies een wijk uit de lijst." in page
    assert _text(client.get(PEOPLE, query_string={"pagina": "abc"}))


def test_the_old_user_search_finds_by_phone_and_postcode_and_links_to_the_person(
    client, logged_in_staff, hoekstras
):
    page = _text(client.get("/beheer/gebruikers", query_string={"q": "06 87654321"}))
    assert "1 gebruiker gevonden" in page
    assert f'href="/mensen/{hoekstras[1].id}"' in page
    page = _text(client.get("/beheer/gebruikers", query_string={"q": "7943EF"}))
    assert "sem3@example.nl" in page


def test_a_page_of_requests_is_read_in_a_fixed_number_of_queries(
    app, client, db, logged_in_staff, resident, volunteer
):
    """No query per row: a page of 50 takes as many queries as a page of 2."""
    from voorelkaar.db import get_engine

    def queries_for_page():
        seen = []

        def count(*_args):
            seen.append(1)

        with app.app_context():
            engine = get_engine()
        event.listen(engine, "before_cursor_execute", count)
        try:
            _text(client.get(REQUESTS))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    for number in range(2):
        item = _request(db, resident, f"Klein {number}", RequestState.MATCHED)
        db.add(Match(request_id=item.id, volunteer_id=volunteer.id, state=MatchState.CONFIRMED))
    db.commit()
    few = queries_for_page()
    for number in range(48):
        item = _request(db, resident, f"Groot {number}", RequestState.MATCHED)
        db.add(Match(request_id=item.id, volunteer_id=volunteer.id, state=MatchState.CONFIRMED))
    db.commit()
    assert queries_for_page() == few


def test_each_referral_status_filter_finds_exactly_the_referrals_in_that_status(
    client, db, logged_in_staff, consultant, resident
):
    """The list's status filter (worked out in SQL) agrees with the status on the page."""
    from voorelkaar.models import ReferralStatus
    from voorelkaar.referrals.services import status_of

    def posted(state, code):
        item = _request(db, resident, f"Vraag {code}", state)
        return _referral(db, consultant, f"Inwoner {code}", code, request_id=item.id)

    made = {
        ReferralStatus.INVITED: _referral(db, consultant, "Inwoner UITNODI", "UITNODI"),
        ReferralStatus.EXPIRED: _referral(
            db,
            consultant,
            "Inwoner VERLOPEN",
            "VERLOPEN",
            expires_at=utcnow() - timedelta(days=1),
        ),
        ReferralStatus.ACCOUNT: _referral(
            db, consultant, "Inwoner ACCOUNT", "ACCOUNT", account_id=resident.id
        ),
        ReferralStatus.POSTED: posted(RequestState.OPEN, "GEPLAATS"),
        ReferralStatus.MATCHED: posted(RequestState.MATCHED, "GEMATCHT"),
        ReferralStatus.DONE: posted(RequestState.DONE, "AFGEROND"),
    }
    for status, referral in made.items():
        db.refresh(referral)
        assert status_of(referral) == status
        page = _text(client.get(REFERRALS, query_string={"status": status.name.lower()}))
        assert "1 verwijzing gevonden" in page, status
        assert referral.resident_name in page


def test_the_request_list_filters_on_wijk_and_category_and_sorts_by_wijk(
    client, db, logged_in_staff, make_user, meppel
):
    from voorelkaar.models import Neighbourhood

    centrum = make_user(Role.RESIDENT, email="c@example.nl", name="In Centrum", postcode="7941 AB")
    other = make_user(Role.RESIDENT, email="o@example.nl", name="Elders", postcode="7943 EF")
    first = _request(db, centrum, "Vraag in het centrum")
    first.neighbourhood_id = centrum.neighbourhood_id
    second = _request(db, other, "Vraag elders", postcode="7943 EF")
    second.neighbourhood_id, second.category_id = other.neighbourhood_id, 2
    db.commit()
    wijk = db.get(Neighbourhood, centrum.neighbourhood_id)
    page = _text(client.get(REQUESTS, query_string={"wijk": str(wijk.id)}))
    assert "Vraag in het centrum" in page and "Vraag elders" not in page
    page = _text(client.get(REQUESTS, query_string={"soort": "2"}))
    assert "Vraag elders" in page and "Vraag in het centrum" not in page
    page = _text(client.get(REQUESTS, query_string={"volgorde": "wijk"}))
    names = sorted([wijk.name, db.get(Neighbourhood, other.neighbourhood_id).name])
    first_shown = "Vraag in het centrum" if names[0] == wijk.name else "Vraag elders"
    assert page.index(first_shown) < page.index(
        "Vraag elders" if first_shown == "Vraag in het centrum" else "Vraag in het centrum"
    )

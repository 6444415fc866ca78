"""Organisations: verified by staff, posting vacancies, and answering volunteers."""

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests.conftest import AuthActions, Forms, csrf_token_from
from voorelkaar.audit import ACCESS_EVENTS
from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    Neighbourhood,
    Organisation,
    OrganisationMember,
    OutboxMessage,
    RequestState,
    Role,
    User,
    Vacancy,
    VacancyResponse,
)
from voorelkaar.organisations import services

VACANCY = {
    "title": "Wandelmaatje voor bewoners",
    "description": "Loopt u een uurtje mee met een bewoner?",
    "hours": "2 uur per week",
    "skills": "wandelen, geduld",
    "postcode": "7941 BK",
    "house_number": "12",
}


@pytest.fixture
def member(make_user):
    return make_user(Role.ORGANISATION, email="organisatie@example.nl", name="Ans Kok")


@pytest.fixture
def make_organisation(db):
    def make(*members, name="Zorgcentrum De Schiphorst", verified=True):
        organisation = Organisation(name=name, verified_at=utcnow() if verified else None)
        organisation.members = [OrganisationMember(user=user) for user in members]
        db.add(organisation)
        db.commit()
        return organisation

    return make


@pytest.fixture
def make_vacancy(db):
    """A vacancy stored directly, open unless told otherwise."""

    def make(organisation, title="Wandelmaatje voor bewoners", state=RequestState.OPEN, pc4="7941"):
        author = organisation.members[0].user
        vacancy = Vacancy(
            organisation=organisation,
            author=author,
            state=state,
            title=title,
            description="Loopt u mee?",
            hours="2 uur per week",
            pc4=pc4,
            lat=author.lat,
            lon=author.lon,
            neighbourhood=db.scalar(select(Neighbourhood).where(Neighbourhood.slug == "centrum")),
            published_at=utcnow() if state == RequestState.OPEN else None,
        )
        db.add(vacancy)
        db.commit()
        return vacancy

    return make


@pytest.fixture
def post_vacancy(forms, auth, member):
    def post(organisation, **changes):
        auth.login("organisatie@example.nl")
        data = {"organisation": str(organisation.id), **VACANCY, **changes}
        return forms.post("/vacatures/nieuw", {k: v for k, v in data.items() if v is not None})

    return post


def test_an_organisation_account_signs_up_its_organisation_unverified(forms, auth, db, member):
    auth.login("organisatie@example.nl")
    response = forms.post(
        "/organisatie-aanmelden",
        {"name": "Buurthuis De Plataan", "description": "Een buurthuis.", "phone": "0522 123 456"},
    )
    assert response.status_code == 302
    organisation = db.scalar(select(Organisation))
    assert organisation.name == "Buurthuis De Plataan"
    assert organisation.verified_at is None
    assert [m.user_id for m in organisation.members] == [member.id]
    assert db.scalars(
        select(AuditEvent.action).where(AuditEvent.action.not_in(ACCESS_EVENTS))
    ).all() == ["organisations.registered"]


def test_without_an_organisation_posting_a_vacancy_starts_with_signing_up(auth, client, member):
    auth.login("organisatie@example.nl")
    response = client.get("/vacatures/nieuw")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organisatie-aanmelden")


def test_a_member_posts_a_vacancy_that_staff_approve_and_volunteers_find_by_wijk(
    post_vacancy, make_organisation, forms, auth, client, db, member, staff
):
    organisation = make_organisation(member)
    response = post_vacancy(organisation)
    assert response.status_code == 302
    vacancy = db.scalar(select(Vacancy))
    assert vacancy.state == RequestState.PENDING
    assert (vacancy.pc4, vacancy.neighbourhood.name) == ("7941", "Centrum")
    assert vacancy.author_id == member.id
    assert "Wandelmaatje" not in client.get("/vacatures").get_data(as_text=True)
    auth.logout()
    auth.login("coordinator@example.nl")
    forms.post(
        f"/beheer/te-beoordelen/vacature/{vacancy.id}/goedkeuren",
        {},
        page="/beheer/te-beoordelen",
    )
    db.refresh(vacancy)
    assert vacancy.state == RequestState.OPEN
    auth.logout()
    html = client.get("/vacatures").get_data(as_text=True)
    assert "Wandelmaatje voor bewoners" in html and "Centrum" in html
    assert "7941 BK" not in html and "Ans" not in html
    assert client.get(f"/vacatures/{vacancy.id}").status_code == 200
    nijeveen = db.scalar(select(Neighbourhood).where(Neighbourhood.slug == "nijeveen"))
    assert "Wandelmaatje" not in client.get(f"/vacatures?wijk={nijeveen.id}").get_data(as_text=True)
    assert "Wandelmaatje" in client.get("/vacatures?q=wandel").get_data(as_text=True)


def test_an_unverified_organisations_vacancy_is_not_public_until_staff_verify_it(
    make_organisation, make_vacancy, forms, auth, client, db, member, volunteer, staff
):
    organisation = make_organisation(member, verified=False)
    vacancy = make_vacancy(organisation)
    assert "Wandelmaatje" not in client.get("/vacatures").get_data(as_text=True)
    assert client.get(f"/vacatures/{vacancy.id}").status_code == 404
    auth.login("organisatie@example.nl")
    assert client.get(f"/vacatures/{vacancy.id}").status_code == 200  # members see it
    auth.logout()

    auth.login("coordinator@example.nl")
    assert "Zorgcentrum De Schiphorst" in client.get("/beheer/organisaties").get_data(as_text=True)
    assert client.get(f"/beheer/organisaties/{organisation.id}/goedkeuren").status_code == 405
    forms.post(f"/beheer/organisaties/{organisation.id}/goedkeuren", {}, page="/")
    db.refresh(organisation)
    assert organisation.verified_at is not None and organisation.verified_by_id == staff.id
    assert "Wandelmaatje" in client.get("/vacatures").get_data(as_text=True)

    forms.post(f"/beheer/organisaties/{organisation.id}/intrekken", {}, page="/")
    db.refresh(organisation)
    assert organisation.verified_at is None
    assert "Wandelmaatje" not in client.get("/vacatures").get_data(as_text=True)
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.not_in(ACCESS_EVENTS))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["organisations.verified", "organisations.unverified"]


def test_only_staff_verify_organisations(make_organisation, forms, auth, client, db, member):
    organisation = make_organisation(member, verified=False)
    auth.login("organisatie@example.nl")
    assert client.get("/beheer/organisaties").status_code == 403
    response = forms.post(f"/beheer/organisaties/{organisation.id}/goedkeuren", {}, page="/")
    assert response.status_code == 403
    db.refresh(organisation)
    assert organisation.verified_at is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "x" * 5000}, "title", "hoogstens 100 tekens"),
        ({"hours": "   "}, "hours", "hoeveel tijd"),
        ({"postcode": "1005 AB"}, "postcode", "kennen wij niet"),
        ({"postcode": ""}, "postcode", "Vul de postcode in"),
        ({"house_number": "twaalf"}, "house_number", "huisnummer"),
        ({"skills": ",".join(f"ding{n}" for n in range(12))}, "skills", "hoogstens 10"),
    ],
)
def test_bad_vacancy_input_is_explained_beside_the_field_and_nothing_is_saved(
    post_vacancy, make_organisation, db, member, changes, field, message
):
    organisation = make_organisation(member)
    response = post_vacancy(
        organisation, **{"description": "Zoë d'Hondt zoekt een maatje", **changes}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    start = html.index(f'id="{field}-error"')
    assert message in html[start : start + 400]
    assert "Zoë d&#39;Hondt zoekt een maatje" in html  # what was typed is kept
    assert db.scalar(select(Vacancy)) is None


def test_a_member_cannot_post_for_an_organisation_they_are_not_part_of(
    post_vacancy, make_organisation, make_user, db, member
):
    make_organisation(member)
    other = make_organisation(make_user(Role.ORGANISATION), name="Andere stichting")
    response = post_vacancy(other)
    assert response.status_code == 200
    assert "Kies de organisatie" in response.get_data(as_text=True)
    assert db.scalar(select(Vacancy)) is None


def test_another_organisation_cannot_change_a_vacancy_or_answer_its_responses_by_id(
    make_organisation, make_vacancy, make_user, forms, auth, client, db, member, volunteer
):
    vacancy = make_vacancy(make_organisation(member))
    pending = make_vacancy(vacancy.organisation, title="Wacht", state=RequestState.PENDING)
    response = VacancyResponse(vacancy=vacancy, volunteer=volunteer, message="Ik help graag")
    db.add(response)
    db.commit()
    make_organisation(make_user(Role.ORGANISATION, email="ander@example.nl"), name="Ander")
    auth.login("ander@example.nl")
    assert client.get(f"/vacatures/{pending.id}").status_code == 404
    assert client.get(f"/vacatures/{vacancy.id}/bewerken").status_code == 404
    assert "Ik help graag" not in client.get("/mijn-organisatie").get_data(as_text=True)
    url = f"/mijn-organisatie/reacties/{response.id}/antwoorden"
    answer = {f"antwoord{response.id}-answer": "Gekaapt"}
    assert forms.post(url, answer, page="/mijn-organisatie").status_code == 404
    db.refresh(response)
    assert response.answer is None


def test_a_volunteer_responds_and_every_member_gets_an_email(
    make_organisation, make_vacancy, make_user, forms, auth, client, db, member, volunteer
):
    colleague = make_user(Role.ORGANISATION, email="collega@example.nl", name="Bram Kok")
    vacancy = make_vacancy(make_organisation(member, colleague))
    auth.login("vrijwilliger@example.nl")
    message = "Ik wandel graag en heb op dinsdag tijd."
    result = forms.post(f"/vacatures/{vacancy.id}/reageren", {"message": message})
    assert result.status_code == 302
    response = db.scalar(select(VacancyResponse))
    assert (response.volunteer_id, response.message) == (volunteer.id, message)
    mails = db.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert [m.to_address for m in mails] == ["collega@example.nl", "organisatie@example.nl"]
    assert all(m.subject == "Nieuwe reactie op uw vacature" for m in mails)
    assert message in mails[0].body_text and "Sanne reageerde" in mails[0].body_text
    assert "vrijwilliger@example.nl" not in mails[0].body_text

    again = forms.post(f"/vacatures/{vacancy.id}/reageren", {"message": "Nog een keer"})
    assert again.status_code == 302
    assert len(db.scalars(select(VacancyResponse)).all()) == 1
    assert message in client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)

    auth.logout()
    auth.login("organisatie@example.nl")
    html = client.get("/mijn-organisatie").get_data(as_text=True)
    assert message in html and "Sanne" in html
    assert "vrijwilliger@example.nl" not in html and "de Vries" not in html


def test_the_organisation_answers_and_the_volunteer_gets_it_by_email_and_on_the_page(
    make_organisation, make_vacancy, forms, auth, client, db, member, volunteer
):
    vacancy = make_vacancy(make_organisation(member))
    response = VacancyResponse(vacancy=vacancy, volunteer=volunteer, message="Ik help graag")
    db.add(response)
    db.commit()
    auth.login("organisatie@example.nl")
    url = f"/mijn-organisatie/reacties/{response.id}/antwoorden"
    field = f"antwoord{response.id}-answer"
    empty = forms.post(url, {field: " "}, page="/mijn-organisatie")
    assert empty.status_code == 200
    html = empty.get_data(as_text=True)
    assert "Schrijf een antwoord" in html[html.index(f'id="{field}-error"') :][:300]
    assert db.scalar(select(OutboxMessage)) is None

    answer = "Fijn! Bel ons op 0522 123456, dan spreken we af."
    assert forms.post(url, {field: answer}, page="/mijn-organisatie").status_code == 302
    db.refresh(response)
    assert response.answer == answer and response.answered_at is not None
    mail = db.scalar(select(OutboxMessage))
    assert mail.to_address == "vrijwilliger@example.nl"
    assert answer in mail.body_text and f"/vacatures/{vacancy.id}" in mail.body_text
    auth.logout()
    auth.login("vrijwilliger@example.nl")
    assert answer in client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)


def test_an_empty_response_is_explained_and_nothing_is_sent(
    make_organisation, make_vacancy, forms, auth, db, member, volunteer
):
    vacancy = make_vacancy(make_organisation(member))
    auth.login("vrijwilliger@example.nl")
    result = forms.post(f"/vacatures/{vacancy.id}/reageren", {"message": "x" * 1001})
    html = result.get_data(as_text=True)
    assert result.status_code == 200
    assert "hoogstens 1000" in html[html.index('id="message-error"') :][:300]
    assert db.scalar(select(VacancyResponse)) is None
    assert db.scalar(select(OutboxMessage)) is None


def test_only_volunteers_respond(
    make_organisation, make_vacancy, forms, auth, db, member, resident
):
    vacancy = make_vacancy(make_organisation(member))
    auth.login("inwoner@example.nl")
    result = forms.post(f"/vacatures/{vacancy.id}/reageren", {"message": "Hoi"}, page="/")
    assert result.status_code == 403
    assert db.scalar(select(VacancyResponse)) is None


def test_nobody_responds_to_a_vacancy_that_is_not_public(
    app, make_organisation, make_vacancy, db, member, volunteer
):
    hidden = make_vacancy(make_organisation(member, verified=False))
    pending = make_vacancy(make_organisation(member, name="Ander"), state=RequestState.PENDING)
    with app.test_request_context():
        for vacancy in (hidden, pending):
            with pytest.raises(services.NotAllowed):
                services.respond(db, volunteer, vacancy, "Hallo")


def test_a_blocked_authors_vacancies_disappear(make_organisation, make_vacancy, client, db, member):
    vacancy = make_vacancy(make_organisation(member))
    assert "Wandelmaatje" in client.get("/vacatures").get_data(as_text=True)
    member.blocked_at = utcnow()
    db.commit()
    assert "Wandelmaatje" not in client.get("/vacatures").get_data(as_text=True)
    assert client.get(f"/vacatures/{vacancy.id}").status_code == 404


def test_editing_keeps_the_place_unless_a_new_one_is_given(
    make_organisation, make_vacancy, forms, auth, db, member
):
    vacancy = make_vacancy(make_organisation(member))
    auth.login("organisatie@example.nl")
    page = f"/vacatures/{vacancy.id}/bewerken"
    edit = {**VACANCY, "title": "Nieuwe titel", "postcode": "", "house_number": ""}
    assert forms.post(page, edit).status_code == 302
    db.refresh(vacancy)
    assert (vacancy.title, vacancy.pc4, vacancy.state) == (
        "Nieuwe titel",
        "7941",
        RequestState.PENDING,
    )
    assert forms.post(page, {**edit, "postcode": "7948 AA", "house_number": "3"}).status_code == 302
    db.refresh(vacancy)
    assert (vacancy.pc4, vacancy.neighbourhood.name) == ("7948", "Nijeveen")


# Closing a vacancy: filled ("vervuld") or no longer needed ("niet meer nodig").


def close(forms, vacancy, reason="vervuld", *, page=None, **extra):
    """Post the close form as the page shows it: the vacancy page, or Mijn organisatie."""
    data = {f"sluiten{vacancy.id}-reden": reason, **extra} if reason else dict(extra)
    return forms.post(
        f"/vacatures/{vacancy.id}/sluiten", data, page=page or f"/vacatures/{vacancy.id}"
    )


def respond_to(db, vacancy, volunteer, *, answered=False):
    response = VacancyResponse(
        vacancy=vacancy,
        volunteer=volunteer,
        message=f"{volunteer.first_name} helpt graag",
        answer="Welkom!" if answered else None,
        answered_at=utcnow() if answered else None,
    )
    db.add(response)
    db.commit()
    return response


def test_a_member_closes_a_filled_vacancy_it_leaves_the_list_and_its_page_says_it_is_closed(
    make_organisation, make_vacancy, forms, auth, client, db, member
):
    vacancy = make_vacancy(make_organisation(member))
    auth.login("organisatie@example.nl")
    page = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "Waarom sluit u de vacature?" in page

    result = close(forms, vacancy, "vervuld")
    assert result.status_code == 302
    assert result.headers["Location"] == f"/vacatures/{vacancy.id}"
    db.refresh(vacancy)
    assert vacancy.state == RequestState.DONE
    event = db.scalar(
        select(AuditEvent)
        .where(AuditEvent.action.not_in(ACCESS_EVENTS))
        .where(AuditEvent.action == "vacancies.closed")
    )
    assert (event.actor_id, event.subject_id) == (member.id, vacancy.id)
    html = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    # The flash: the page stays, so it is not "offline", only off the list.
    assert "De vacature is gesloten. Hij staat niet meer in de lijst met vacatures." in html
    assert "genoeg vrijwilligers gevonden" in html
    assert "Waarom sluit u de vacature?" not in html

    auth.logout()
    assert "Wandelmaatje" not in client.get("/vacatures").get_data(as_text=True)
    public = client.get(f"/vacatures/{vacancy.id}")
    assert public.status_code == 200
    html = public.get_data(as_text=True)
    assert "Deze vacature is gesloten." in html and "U kunt niet meer reageren." in html
    assert "Log in als vrijwilliger om te reageren" not in html


def test_a_member_closes_a_vacancy_from_mijn_organisatie_and_the_responses_stay(
    make_organisation, make_vacancy, forms, auth, client, db, member, volunteer
):
    organisation = make_organisation(member)
    vacancy = make_vacancy(organisation)
    other = make_vacancy(organisation, title="Chauffeur voor uitjes")
    response = respond_to(db, vacancy, volunteer)
    auth.login("organisatie@example.nl")
    result = close(
        forms,
        vacancy,
        "niet-meer-nodig",
        page="/mijn-organisatie",
        **{f"sluiten{vacancy.id}-terug": "mijn-organisatie"},
    )
    assert result.status_code == 302
    assert result.headers["Location"] == "/mijn-organisatie"
    db.refresh(vacancy)
    db.refresh(other)
    assert (vacancy.state, other.state) == (RequestState.CANCELLED, RequestState.OPEN)

    html = client.get("/mijn-organisatie").get_data(as_text=True)
    assert "gesloten, niet meer nodig" in html
    assert "Sanne helpt graag" in html  # the response stays, and can still be answered
    assert f"/mijn-organisatie/reacties/{response.id}/antwoorden" in html
    assert f"/vacatures/{vacancy.id}/sluiten" not in html
    assert f"/vacatures/{other.id}/sluiten" in html
    page = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "zoekt geen vrijwilligers meer" in page


def test_on_mijn_organisatie_each_close_question_names_its_vacancy_for_screen_readers(
    make_organisation, make_vacancy, auth, client, member
):
    organisation = make_organisation(member)
    make_vacancy(organisation)
    make_vacancy(organisation, title="Koffie & <b>gezelligheid</b>")
    auth.login("organisatie@example.nl")
    html = client.get("/mijn-organisatie").get_data(as_text=True)
    question = '<legend class="field__label">Waarom sluit u de vacature? '
    assert html.count(question) == 2
    for title in ("Wandelmaatje voor bewoners", "Koffie &amp; &lt;b&gt;gezelligheid&lt;/b&gt;"):
        assert f'{question}<span class="visually-hidden">{title}</span></legend>' in html


def test_closing_without_a_reason_is_explained_on_the_same_page_and_changes_nothing(
    make_organisation, make_vacancy, forms, auth, db, member
):
    vacancy = make_vacancy(make_organisation(member))
    auth.login("organisatie@example.nl")
    field = f"sluiten{vacancy.id}-reden"
    for page, extra, heading in (
        (f"/vacatures/{vacancy.id}", {}, "<h1>Wandelmaatje voor bewoners</h1>"),
        (
            "/mijn-organisatie",
            {f"sluiten{vacancy.id}-terug": "mijn-organisatie"},
            "<h1>Mijn organisatie</h1>",
        ),
    ):
        result = close(forms, vacancy, None, page=page, **extra)
        assert result.status_code == 200
        html = result.get_data(as_text=True)
        assert heading in html  # shown again on the page it was sent from
        assert "Kies of de vacature vervuld is" in html[html.index(f'id="{field}-error"') :][:300]
        assert f'href="#{field}"' in html  # the error summary leads to the question
        bogus = close(forms, vacancy, "weg", page=page, **extra)
        assert bogus.status_code == 200
    db.refresh(vacancy)
    assert vacancy.state == RequestState.OPEN
    assert db.scalar(select(AuditEvent).where(AuditEvent.action.not_in(ACCESS_EVENTS))) is None


def test_only_members_and_staff_close_a_vacancy_others_get_not_found(
    make_organisation, make_vacancy, make_user, forms, auth, client, db, member, volunteer, staff
):
    vacancy = make_vacancy(make_organisation(member))
    make_organisation(make_user(Role.ORGANISATION, email="ander@example.nl"), name="Ander")
    refused = close(forms, vacancy, page="/login")  # not logged in: a token from a form page
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    for email in ("ander@example.nl", "vrijwilliger@example.nl"):
        auth.login(email)
        assert "Waarom sluit u de vacature?" not in client.get(f"/vacatures/{vacancy.id}").get_data(
            as_text=True
        )
        assert close(forms, vacancy, page="/").status_code == 404
        auth.logout()
    db.refresh(vacancy)
    assert vacancy.state == RequestState.OPEN

    auth.login("coordinator@example.nl")  # staff may act on every vacancy
    assert close(forms, vacancy, "niet-meer-nodig").status_code == 302
    db.refresh(vacancy)
    assert vacancy.state == RequestState.CANCELLED
    event = db.scalar(select(AuditEvent).where(AuditEvent.action.not_in(ACCESS_EVENTS)))
    assert (event.action, event.actor_id) == ("vacancies.closed", staff.id)


def test_closing_twice_is_harmless_and_sends_nothing_twice(
    app, make_organisation, make_vacancy, forms, auth, client, db, member, volunteer
):
    vacancy = make_vacancy(make_organisation(member))
    respond_to(db, vacancy, volunteer)
    auth.login("organisatie@example.nl")
    page = f"/vacatures/{vacancy.id}"
    stale = client.get(page).get_data(as_text=True)  # the form, still on screen
    assert close(forms, vacancy, "vervuld").status_code == 302
    again = client.post(
        f"/vacatures/{vacancy.id}/sluiten",
        data={
            "csrf_token": csrf_token_from(stale),
            f"sluiten{vacancy.id}-reden": "niet-meer-nodig",
        },
    )
    assert again.status_code == 302
    assert "Deze vacature is al gesloten." in client.get(page).get_data(as_text=True)
    db.refresh(vacancy)
    assert vacancy.state == RequestState.DONE  # the first reason stays
    assert (
        len(db.scalars(select(AuditEvent).where(AuditEvent.action.not_in(ACCESS_EVENTS))).all())
        == 1
    )
    assert len(db.scalars(select(OutboxMessage)).all()) == 1
    with app.test_request_context():
        assert services.close_vacancy(db, member, vacancy, RequestState.CANCELLED) is False
    assert len(db.scalars(select(OutboxMessage)).all()) == 1


def test_a_pending_vacancy_cannot_be_closed(
    make_organisation, make_vacancy, forms, auth, client, db, member
):
    vacancy = make_vacancy(make_organisation(member), state=RequestState.PENDING)
    auth.login("organisatie@example.nl")
    assert "Waarom sluit u de vacature?" not in client.get(f"/vacatures/{vacancy.id}").get_data(
        as_text=True
    )
    assert close(forms, vacancy).status_code == 302
    html = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "Alleen een vacature die online staat, kunt u sluiten." in html
    db.refresh(vacancy)
    assert vacancy.state == RequestState.PENDING


def test_responding_to_a_closed_vacancy_is_refused_politely_and_nothing_is_written(
    app, make_organisation, make_vacancy, forms, auth, client, db, member, volunteer
):
    vacancy = make_vacancy(make_organisation(member))
    auth.login("vrijwilliger@example.nl")
    page = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "Reactie sturen" in page  # the volunteer reads the vacancy, still open

    organisation_browser = app.test_client()
    AuthActions(Forms(organisation_browser)).login("organisatie@example.nl")
    assert close(Forms(organisation_browser), vacancy).status_code == 302

    result = client.post(
        f"/vacatures/{vacancy.id}/reageren",
        data={"csrf_token": csrf_token_from(page), "message": "Ik help graag"},
    )
    assert result.status_code == 302
    assert result.headers["Location"] == f"/vacatures/{vacancy.id}"
    html = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "Deze vacature is gesloten. U kunt niet meer reageren." in html
    assert "Reactie sturen" not in html
    assert db.scalar(select(VacancyResponse)) is None
    assert db.scalar(select(OutboxMessage)) is None
    db.refresh(vacancy)
    with app.test_request_context(), pytest.raises(services.VacancyClosed):
        services.respond(db, volunteer, vacancy, "Ik help graag")
    assert db.scalar(select(VacancyResponse)) is None


def test_a_vacancy_closed_while_the_volunteer_sends_a_response_refuses_it_and_writes_nothing(
    app, make_organisation, make_vacancy, auth, client, db, member, volunteer
):
    """The member closes the vacancy while the response is on its way, before it is written."""
    vacancy = make_vacancy(make_organisation(member))
    auth.login("vrijwilliger@example.nl")
    page = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    engine = app.extensions["voorelkaar.engine"]
    closed = []
    # The form's token is claimed first: from then on this transaction holds SQLite's write lock.
    first_writes = ("INSERT INTO FORM_TOKENS", "UPDATE VACANCIES", "INSERT INTO VACANCY_RESPONSES")

    def close_it_first(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(first_writes) and not closed:
            closed.append(statement)
            with Session(engine) as organisation_browser:
                actor = organisation_browser.get(User, member.id)
                item = organisation_browser.get(Vacancy, vacancy.id)
                services.close_vacancy(organisation_browser, actor, item, RequestState.DONE)

    event.listen(engine, "before_cursor_execute", close_it_first)
    try:
        result = client.post(
            f"/vacatures/{vacancy.id}/reageren",
            data={"csrf_token": csrf_token_from(page), "message": "Ik help graag"},
        )
    finally:
        event.remove(engine, "before_cursor_execute", close_it_first)
    assert closed  # the vacancy was closed in between
    assert result.status_code == 302
    html = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "Deze vacature is gesloten. U kunt niet meer reageren." in html
    assert db.scalar(select(VacancyResponse)) is None
    assert db.scalar(select(OutboxMessage)) is None  # no mail about a response to members
    db.refresh(vacancy)
    assert vacancy.state == RequestState.DONE


def test_one_volunteer_responding_from_two_tabs_at_once_leaves_one_response(
    app, make_organisation, make_vacancy, db, member, volunteer
):
    """The other tab's response is written just before this one takes hold of the vacancy."""
    vacancy = make_vacancy(make_organisation(member))
    engine = app.extensions["voorelkaar.engine"]
    other_tab_first = []

    def respond_in(session):
        services.respond(
            session, session.get(User, volunteer.id), session.get(Vacancy, vacancy.id), "Ik help"
        )

    def other_tab(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE VACANCIES") and not other_tab_first:
            other_tab_first.append(statement)
            with Session(engine) as session:
                respond_in(session)

    event.listen(engine, "before_cursor_execute", other_tab)
    try:
        with (
            app.test_request_context(),
            Session(engine) as session,
            pytest.raises(services.AlreadyResponded),
        ):
            respond_in(session)
    finally:
        event.remove(engine, "before_cursor_execute", other_tab)
    assert other_tab_first
    assert len(db.scalars(select(VacancyResponse)).all()) == 1


def test_a_response_does_not_count_as_a_change_to_the_vacancy(
    make_organisation, make_vacancy, forms, auth, db, member, volunteer
):
    vacancy = make_vacancy(make_organisation(member))
    edited = vacancy.updated_at
    auth.login("vrijwilliger@example.nl")
    result = forms.post(f"/vacatures/{vacancy.id}/reageren", {"message": "Ik help"})
    assert result.status_code == 302
    assert db.scalar(select(VacancyResponse)) is not None
    db.refresh(vacancy)
    assert (vacancy.state, vacancy.updated_at) == (RequestState.OPEN, edited)


def test_volunteers_still_waiting_for_an_answer_get_an_email_in_their_language(
    make_organisation, make_vacancy, make_user, forms, auth, client, db, member, volunteer
):
    vacancy = make_vacancy(make_organisation(member))
    english = make_user(Role.VOLUNTEER, email="volunteer@example.nl", name="Tom Smith")
    english.locale = "en"
    answered = make_user(Role.VOLUNTEER, email="beantwoord@example.nl", name="Piet Dijk")
    blocked = make_user(Role.VOLUNTEER, email="geblokkeerd@example.nl", name="Kees Blok")
    for person in (volunteer, english, blocked):
        respond_to(db, vacancy, person)
    respond_to(db, vacancy, answered, answered=True)
    blocked.blocked_at = utcnow()
    db.commit()

    auth.login("organisatie@example.nl")
    assert close(forms, vacancy, "vervuld").status_code == 302
    mails = db.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert [m.to_address for m in mails] == ["volunteer@example.nl", "vrijwilliger@example.nl"]
    assert {m.kind for m in mails} == {"vacancy_closed"}
    dutch = mails[1]
    assert dutch.subject == "Vacature gesloten: Wandelmaatje voor bewoners"
    assert "Beste Sanne" in dutch.body_text
    assert "Zorgcentrum De Schiphorst" in dutch.body_text and "Deze vacature is nu gesloten" in (
        dutch.body_text
    )
    assert "genoeg vrijwilligers gevonden" in dutch.body_text
    assert "http://localhost/vacatures" in dutch.body_text
    assert '<html lang="nl">' in dutch.body_html and "http://localhost/vacatures" in dutch.body_html
    assert "Dear Tom" in mails[0].body_text and '<html lang="en">' in mails[0].body_html

    # Responses already received stay: on Mijn organisatie, and for the volunteer.
    assert "Piet helpt graag" in client.get("/mijn-organisatie").get_data(as_text=True)
    auth.logout()
    auth.login("vrijwilliger@example.nl")
    html = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "Deze vacature is gesloten." in html and "Sanne helpt graag" in html


def test_a_vacancy_staff_hid_after_a_report_stays_hidden_unlike_a_closed_one(
    make_organisation, make_vacancy, forms, auth, client, db, member
):
    organisation = make_organisation(member)
    hidden = make_vacancy(organisation, title="Verborgen", state=RequestState.CANCELLED)
    closed = make_vacancy(organisation)
    auth.login("organisatie@example.nl")
    assert close(forms, closed, "niet-meer-nodig").status_code == 302
    html = client.get("/mijn-organisatie").get_data(as_text=True)
    assert "gesloten, niet meer nodig" in html and "ingetrokken" in html
    assert "Deze vacature is gesloten." not in client.get(f"/vacatures/{hidden.id}").get_data(
        as_text=True
    )
    auth.logout()
    assert client.get(f"/vacatures/{hidden.id}").status_code == 404
    assert client.get(f"/vacatures/{closed.id}").status_code == 200
    organisation.verified_at = None  # no longer trusted: no public page, closed or not
    db.commit()
    assert client.get(f"/vacatures/{closed.id}").status_code == 404


def test_a_vacancy_outside_the_municipality_is_asked_about_too(
    post_vacancy, make_organisation, member, db, forms
):
    from voorelkaar.models import Vacancy

    organisation = make_organisation(member)
    response = post_vacancy(organisation, postcode="1012 AB")
    html = response.get_data(as_text=True)
    assert (
        "Deze postcode ligt niet in de gemeente Meppel. Klopt de postcode?" in html
        and 'value="1012 AB"' in html
        and "Wandelmaatje" in html
    )
    assert db.scalar(select(Vacancy.id)) is None
    data = {**VACANCY, "organisation": str(organisation.id), "postcode": "1012 AB"}
    response = forms.post("/vacatures/nieuw", {**data, "outside_municipality": "y"})
    assert response.status_code == 302
    assert db.scalar(select(Vacancy.pc4)) == "1012"


# Responses with stages, and what a volunteer needs to know of a vacancy


def _stage(forms, response, step: str):
    return forms.post(
        f"/mijn-organisatie/reacties/{response.id}/stap", {"stap": step}, page="/mijn-organisatie"
    )


def test_a_vacancy_says_vog_places_start_and_mails_go_to_its_contact_person(
    post_vacancy, make_organisation, make_user, forms, auth, client, db, member, staff, volunteer
):
    colleague = make_user(Role.ORGANISATION, email="collega@example.nl", name="Bram Kok")
    organisation = make_organisation(member, colleague)
    past = post_vacancy(organisation, start_date="1-1-2020", places="3")
    assert "Deze datum is al voorbij." in past.get_data(as_text=True)
    assert 'value="3"' in past.get_data(as_text=True)  # what was typed stays
    assert db.scalar(select(Vacancy)) is None
    auth.logout()
    result = post_vacancy(
        organisation, start_date="1-2-2099", places="2", requires_vog="y", contact=str(colleague.id)
    )
    assert result.status_code == 302
    vacancy = db.scalar(select(Vacancy))
    assert (vacancy.places, vacancy.requires_vog, vacancy.contact_id) == (2, True, colleague.id)
    assert str(vacancy.start_date) == "2099-02-01"
    vacancy.state, vacancy.published_at = RequestState.OPEN, utcnow()
    db.commit()
    auth.logout()
    auth.login(volunteer.email)
    page = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "2 vrijwilligers gezocht" in page and "1 februari 2099" in page
    assert "De organisatie helpt u die aan te vragen" in page
    assert forms.post(f"/vacatures/{vacancy.id}/reageren", {"message": "Graag!"}).status_code == 302
    mails = db.scalars(select(OutboxMessage)).all()
    assert [m.to_address for m in mails] == ["collega@example.nl"]  # the contact person only


def test_a_contact_person_from_outside_the_organisation_is_refused(
    post_vacancy, make_organisation, make_user, db, member
):
    stranger = make_user(Role.ORGANISATION, email="ander@example.nl")
    result = post_vacancy(make_organisation(member), contact=str(stranger.id))
    assert "Kies wie de contactpersoon is." in result.get_data(as_text=True)
    assert db.scalar(select(Vacancy)) is None


def test_inviting_for_a_talk_shares_both_sides_contact_and_mails_the_volunteer_once(
    make_organisation, make_vacancy, forms, auth, client, db, member, volunteer
):
    member.phone = "+31612345678"
    volunteer.phone = "+31687654321"
    vacancy = make_vacancy(make_organisation(member))
    response = VacancyResponse(vacancy=vacancy, volunteer=volunteer, message="Ik help graag")
    db.add(response)
    db.commit()
    auth.login(member.email)
    before = client.get("/mijn-organisatie").get_data(as_text=True)
    assert "Nieuw" in before and volunteer.email not in before and "+31687654321" not in before
    assert "Uitnodigen voor een gesprek" in before

    assert _stage(forms, response, "talking").status_code == 302
    again = _stage(forms, response, "talking")  # a second click, or Back and send again
    assert again.status_code == 302
    mails = db.scalars(select(OutboxMessage)).all()
    assert [m.to_address for m in mails] == [volunteer.email]
    assert mails[0].subject == "Een organisatie wil kennismaken"
    assert "Ans Kok" in mails[0].body_text and member.email in mails[0].body_text
    assert "+31612345678" in mails[0].body_text
    after = client.get("/mijn-organisatie").get_data(as_text=True)
    assert "In gesprek" in after and volunteer.email in after and "+31687654321" in after
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "vacancy_responses.talking"))

    auth.logout()
    auth.login(volunteer.email)
    page = client.get(f"/vacatures/{vacancy.id}").get_data(as_text=True)
    assert "In gesprek" in page and member.email in page and "Neem contact op met Ans Kok" in page


def test_accepting_fills_places_and_declining_says_so_kindly(
    make_organisation, make_vacancy, make_user, forms, auth, client, db, member, volunteer
):
    other = make_user(Role.VOLUNTEER, email="piet@example.nl", name="Piet Bos")
    vacancy = make_vacancy(make_organisation(member))
    vacancy.places = 1
    first = VacancyResponse(vacancy=vacancy, volunteer=volunteer, message="Ik help graag")
    second = VacancyResponse(vacancy=vacancy, volunteer=other, message="Ik ook")
    db.add_all([first, second])
    db.commit()
    auth.login(member.email)
    accepted = _stage(forms, first, "accepted")
    assert accepted.status_code == 302
    html = client.get(accepted.location).get_data(as_text=True)
    assert "Alle plekken zijn nu gevuld." in html and "1 van 1 plekken gevuld" in html
    assert _stage(forms, second, "declined").status_code == 302
    assert _stage(forms, second, "talking").status_code == 302  # no way back from declined
    db.refresh(second)
    assert second.stage.value == "declined"
    mails = {m.to_address: m for m in db.scalars(select(OutboxMessage))}
    assert mails[volunteer.email].subject == "U bent aangenomen als vrijwilliger"
    assert "gekozen voor iemand anders" in mails["piet@example.nl"].body_text
    assert "Ans Kok" not in mails["piet@example.nl"].body_text  # no contact for a refusal
    assert len(mails) == 2

    # Closing the vacancy mails nobody whose response was decided.
    assert close(forms, vacancy, "vervuld").status_code == 302
    assert db.scalar(select(func.count(OutboxMessage.id))) == 2


def test_an_unknown_step_or_someone_elses_response_changes_nothing(
    make_organisation, make_vacancy, make_user, forms, auth, db, member, volunteer
):
    vacancy = make_vacancy(make_organisation(member))
    response = VacancyResponse(vacancy=vacancy, volunteer=volunteer, message="Ik help graag")
    db.add(response)
    db.commit()
    auth.login(member.email)
    assert "Kies wat u wilt doen" in _stage(forms, response, "gezellig").get_data(as_text=True)
    outsider = make_user(Role.ORGANISATION, email="ander@example.nl")
    make_organisation(outsider, name="Ander")
    auth.logout()
    auth.login(outsider.email)
    assert _stage(forms, response, "accepted").status_code == 404
    db.refresh(response)
    assert response.stage.value == "new" and db.scalar(select(OutboxMessage)) is None


def test_an_organisation_applies_with_kvk_number_phone_and_address_the_coordinator_sees(
    forms, auth, client, db, make_user, staff
):
    applicant = make_user(Role.RESIDENT, email="petra@example.nl", name="Petra Jansen")
    auth.login(applicant.email)
    data = {"name": "Buurthuis De Plataan", "kvk_number": "1234", "phone": "12"}
    bad = forms.post("/organisatie-aanmelden", data).get_data(as_text=True)
    assert "Een KvK-nummer heeft 8 cijfers" in bad and "Vul een geldig telefoonnummer in" in bad
    assert "Buurthuis De Plataan" in bad and db.scalar(select(Organisation)) is None
    good = {**data, "kvk_number": "1234 5678", "phone": "0522123456", "postcode": "7941bk"}
    assert "Vul het huisnummer in" in forms.post("/organisatie-aanmelden", good).get_data(
        as_text=True
    )
    good["house_number"] = "12"
    assert forms.post("/organisatie-aanmelden", good).status_code == 302
    organisation = db.scalar(select(Organisation))
    assert (organisation.kvk_number, organisation.phone) == ("12345678", "0522 123 456")
    assert (organisation.postcode, organisation.house_number) == ("7941 BK", "12")
    auth.logout()
    auth.login(staff.email)
    page = client.get("/beheer/organisaties").get_data(as_text=True)
    assert "12345678" in page and "0522 123 456" in page and "7941 BK 12" in page

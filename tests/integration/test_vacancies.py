"""Organisations: verified by staff, posting vacancies, and answering volunteers."""

import pytest
from sqlalchemy import select

from voorelkaar.db import utcnow
from voorelkaar.models import (
    AuditEvent,
    Neighbourhood,
    Organisation,
    OrganisationMember,
    OutboxMessage,
    RequestState,
    Role,
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
        "/organisatie-aanmelden", {"name": "Buurthuis De Plataan", "description": "Een buurthuis."}
    )
    assert response.status_code == 302
    organisation = db.scalar(select(Organisation))
    assert organisation.name == "Buurthuis De Plataan"
    assert organisation.verified_at is None
    assert [m.user_id for m in organisation.members] == [member.id]
    assert db.scalars(select(AuditEvent.action)).all() == ["organisations.registered"]


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
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
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

"""Nothing twice: a form that creates something creates it once, however often it is sent.

CREATING_FORMS are all of them; the browser tests (tests/e2e/test_nothing_twice_flow.py)
send the same forms twice at once and with Back.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token_from, form_token_from
from tests.integration.test_help_requests import request_data
from tests.integration.test_offers import OFFER
from tests.integration.test_referrals import referral_data
from tests.integration.test_vacancies import VACANCY
from voorelkaar.db import utcnow
from voorelkaar.help_requests.forms import today
from voorelkaar.idempotency import KEEP, RESUBMIT_WINDOW, forget_old_tokens
from voorelkaar.models import (
    Category,
    ContactNote,
    FormToken,
    HelpRequest,
    Match,
    MatchMessage,
    MatchState,
    Offer,
    OfferReply,
    Organisation,
    OrganisationMember,
    OutboxMessage,
    Referral,
    Report,
    RequestState,
    Role,
    Vacancy,
    VacancyResponse,
)


@dataclass(frozen=True)
class CreatingForm:
    """A form that creates something: who sends it, from which page, and what it makes."""

    email: str
    page: str
    data: dict
    rows: Callable[[Session], int]  # how many of what it makes exist
    action: str | None = None  # where it posts, when not to its own page

    @property
    def target(self) -> str:
        return self.action or self.page

    def body(self, html: str) -> dict:
        """What a browser sends after rendering html: the tokens of the page and the data."""
        return {
            "csrf_token": csrf_token_from(html),
            **form_token_from(html, self.target),
            **self.data,
        }


def _count(model, *where) -> Callable[[Session], int]:
    return lambda db: db.scalar(select(func.count()).select_from(model).where(*where))


def _mails(kind: str) -> Callable[[Session], int]:
    return _count(OutboxMessage, OutboxMessage.kind == kind)


def creating_forms(db, make_user, make_request) -> dict[str, CreatingForm]:
    """Everyone and everything the creating forms need, and the forms by name."""
    resident = make_user(Role.RESIDENT, email="inwoner@example.nl", name="Riek Jansen")
    volunteer = make_user(Role.VOLUNTEER, email="vrijwilliger@example.nl", name="Sanne de Vries")
    invitee = make_user(Role.VOLUNTEER, email="invitee@example.nl", name="Kees Smit")
    make_user(Role.STAFF, email="coordinator@example.nl", name="Fatima El Amrani")
    consultant = make_user(Role.CONSULTANT, email="consulent@example.nl", name="Joost Mulder")
    member = make_user(Role.ORGANISATION, email="organisatie@example.nl", name="Ans Kok")
    referred = make_user(Role.RESIDENT, email="verwezen@example.nl", name="Bep Visser")

    open_request = make_request(resident, title="Wandelen in het park", postcode="7941 AB")
    matched = make_request(resident, title="Boodschappen", postcode="7941 AB")
    match = Match(request_id=matched.id, volunteer_id=volunteer.id, state=MatchState.CONFIRMED)
    matched.state, matched.confirmed_count = RequestState.MATCHED, 1
    offer = Offer(
        author=volunteer,
        category=db.scalar(select(Category).where(Category.slug == "wandelen")),
        state=RequestState.OPEN,
        title="Ik wandel graag",
        description="Loopt u mee?",
        pc4=volunteer.pc4,
        lat=volunteer.lat,
        lon=volunteer.lon,
        published_at=utcnow(),
    )
    organisation = Organisation(name="De Schiphorst", verified_at=utcnow())
    organisation.members = [OrganisationMember(user=member)]
    vacancy = Vacancy(
        organisation=organisation,
        author=member,
        state=RequestState.OPEN,
        title="Wandelmaatje",
        description="Loopt u mee?",
        hours="2 uur per week",
        pc4=member.pc4,
        lat=member.lat,
        lon=member.lon,
        published_at=utcnow(),
    )
    response = VacancyResponse(vacancy=vacancy, volunteer=invitee, message="Ik help graag.")
    referral = dict(
        consultant_id=consultant.id,
        postcode="7941 BK",
        house_number="12",
        consent_date=today(),
        category_id=1,
        title="Boodschappen doen",
        description="Zoekt hulp bij de boodschappen.",
        expires_at=utcnow() + timedelta(days=30),
    )
    for_resident = Referral(resident_name="Riek Jansen", code="AAAA2222", **referral)
    accepted = Referral(
        resident_name="Bep Visser", code="BBBB3333", account_id=referred.id, **referral
    )
    db.add_all([match, offer, organisation, vacancy, response, for_resident, accepted])
    db.commit()

    at_request = f"/hulpvragen/{open_request.id}"
    return {
        "hulpvraag": CreatingForm(
            "inwoner@example.nl",
            "/hulpvragen/nieuw",
            request_data(title="Boodschappen bij de Jumbo"),
            _count(HelpRequest),
        ),
        "aanbod": CreatingForm(
            "vrijwilliger@example.nl",
            "/hulpaanbod/nieuw",
            OFFER,
            _count(Offer),
        ),
        "bericht-op-aanbod": CreatingForm(
            "inwoner@example.nl",
            f"/hulpaanbod/{offer.id}",
            {"message": "Ik wandel graag met u mee."},
            _count(OfferReply),
            action=f"/hulpaanbod/{offer.id}/reageren",
        ),
        "vacature": CreatingForm(
            "organisatie@example.nl",
            "/vacatures/nieuw",
            {"organisation": str(organisation.id), **VACANCY},
            _count(Vacancy),
        ),
        "reactie-op-vacature": CreatingForm(
            "vrijwilliger@example.nl",
            f"/vacatures/{vacancy.id}",
            {"message": "Ik wandel graag mee."},
            _count(VacancyResponse),
            action=f"/vacatures/{vacancy.id}/reageren",
        ),
        "antwoord-aan-vrijwilliger": CreatingForm(
            "organisatie@example.nl",
            "/mijn-organisatie",
            {f"antwoord{response.id}-answer": "Welkom! Bel ons maar."},
            _mails("vacancy_answer"),
            action=f"/mijn-organisatie/reacties/{response.id}/antwoorden",
        ),
        "organisatie": CreatingForm(
            "organisatie@example.nl",
            "/organisatie-aanmelden",
            {"name": "Buurthuis De Plataan", "description": "Koffie", "phone": "0522 123 456"},
            _count(Organisation),
        ),
        "uitnodiging": CreatingForm(
            "coordinator@example.nl",
            at_request,
            {},
            _mails("volunteer_invited"),
            action=f"{at_request}/uitnodigen/{invitee.id}",
        ),
        "bericht-in-afspraak": CreatingForm(
            "vrijwilliger@example.nl",
            f"/hulpvragen/{matched.id}",
            {"body": "Ik kom dinsdag om 14:00."},
            _count(MatchMessage),
            action=f"/aanmeldingen/{match.id}/berichten",
        ),
        "verwijzing": CreatingForm(
            "consulent@example.nl",
            "/verwijzingen/nieuw",
            referral_data(email=""),
            _count(Referral),
        ),
        "hulpvraag-voor-inwoner": CreatingForm(
            "coordinator@example.nl",
            f"/verwijzingen/{for_resident.id}/plaatsen",
            request_data(
                posted_for="resident",
                resident_name="Riek Jansen",
                consent_date=today().isoformat(),
                title="Boodschappen doen",
            ),
            _count(HelpRequest),
        ),
        "hulpvraag-uit-verwijzing": CreatingForm(
            "verwezen@example.nl",
            "/verwijzing/BBBB3333/hulpvraag",
            request_data(title="Boodschappen doen"),
            _count(HelpRequest),
        ),
        "melding": CreatingForm(
            "inwoner@example.nl",
            f"/melden/aanbod/{offer.id}",
            {"reason": "Dit aanbod vraagt om geld."},
            _count(Report),
        ),
        "contact": CreatingForm(
            "coordinator@example.nl",
            f"/mensen/{resident.id}",
            {"kind": "telefoon", "body": "Gebeld over de boodschappen."},
            _count(ContactNote),
            action=f"/mensen/{resident.id}/contact",
        ),
    }


@pytest.fixture
def forms_that_create(db, make_user, make_request):
    return creating_forms(db, make_user, make_request)


NAMES = (
    "hulpvraag",
    "aanbod",
    "bericht-op-aanbod",
    "vacature",
    "reactie-op-vacature",
    "antwoord-aan-vrijwilliger",
    "organisatie",
    "uitnodiging",
    "bericht-in-afspraak",
    "verwijzing",
    "hulpvraag-voor-inwoner",
    "hulpvraag-uit-verwijzing",
    "melding",
    "contact",
)


def test_every_form_that_creates_something_is_here(forms_that_create):
    assert set(forms_that_create) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_replayed_post_creates_nothing_twice_and_lands_on_the_first_result(
    name, forms_that_create, auth, client, db
):
    form = forms_that_create[name]
    auth.login(form.email)
    html = client.get(form.page).get_data(as_text=True)
    body = form.body(html)
    assert "form_token" in "".join(body), "the form carries no one-time token"
    before = form.rows(db)

    first = client.post(form.target, data=body)
    second = client.post(form.target, data=body)

    assert first.status_code == 302, first.get_data(as_text=True)
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert form.rows(db) == before + 1
    assert db.scalar(select(func.count()).select_from(FormToken)) == 1


@pytest.fixture
def help_request_form(forms_that_create, auth, client):
    """The resident on the request form; returns a function that sends it (to_body edits it)."""
    form = forms_that_create["hulpvraag"]
    auth.login(form.email)

    def send(to_body=lambda body: body, **changes):
        html = client.get(form.page).get_data(as_text=True)
        body = to_body({**form.body(html), **changes})
        return client.post(form.page, data=body)

    return send


def _requests(db) -> list[HelpRequest]:
    return list(db.scalars(select(HelpRequest).where(HelpRequest.title.like("%Jumbo%"))))


def test_sent_again_after_back_with_a_fresh_token_the_same_request_lands_on_the_first(
    help_request_form, db
):
    first = help_request_form()
    again = help_request_form()  # the page came back with a new token, the same text
    assert again.headers["Location"] == first.headers["Location"]
    assert len(_requests(db)) == 1


def test_a_changed_form_after_back_is_a_new_request(help_request_form, db):
    first = help_request_form()
    other = help_request_form(title="Boodschappen bij de Jumbo, ook brood")
    assert other.headers["Location"] != first.headers["Location"]
    assert len(_requests(db)) == 2


def test_the_same_request_long_after_the_first_is_a_new_one(help_request_form, db):
    help_request_form()
    with time_machine.travel(utcnow() + RESUBMIT_WINDOW + timedelta(minutes=1)):
        help_request_form()
    assert len(_requests(db)) == 2


def test_a_post_without_a_token_still_works_and_is_not_created_twice(help_request_form, db):
    without_token = help_request_form(lambda body: {**body, "form_token": ""})
    assert without_token.status_code == 302
    again = help_request_form(lambda body: {k: v for k, v in body.items() if k != "form_token"})
    assert again.headers["Location"] == without_token.headers["Location"]
    assert len(_requests(db)) == 1


def test_another_persons_token_reveals_nothing_of_theirs(
    forms_that_create, auth, client, app, db, make_user
):
    form = forms_that_create["hulpvraag"]
    auth.login(form.email)
    html = client.get(form.page).get_data(as_text=True)
    body = form.body(html)
    first = client.post(form.page, data=body)

    make_user(Role.RESIDENT, email="buurvrouw@example.nl", name="Jet de Boer")
    neighbour = app.test_client()
    from tests.conftest import AuthActions, Forms

    AuthActions(Forms(neighbour)).login("buurvrouw@example.nl")
    their_page = neighbour.get(form.page).get_data(as_text=True)
    stolen = {**body, "csrf_token": csrf_token_from(their_page), "title": "Hulp bij de tuin"}
    second = neighbour.post(form.page, data=stolen)

    assert second.status_code == 302
    assert second.headers["Location"] != first.headers["Location"]
    theirs = db.scalar(select(HelpRequest).where(HelpRequest.title == "Hulp bij de tuin"))
    assert theirs.author.email == "buurvrouw@example.nl"


def test_a_form_with_errors_keeps_its_token_and_claims_nothing(help_request_form, client, db):
    page = help_request_form(title="")
    assert page.status_code == 200
    assert "Geef uw hulpvraag een korte titel." in page.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(FormToken)) == 0


def test_a_refused_response_claims_nothing_so_it_can_be_sent_once_it_may(
    forms_that_create, auth, client, db
):
    form = forms_that_create["reactie-op-vacature"]
    vacancy = db.scalar(select(Vacancy))
    auth.login(form.email)
    body = form.body(client.get(form.page).get_data(as_text=True))
    db.add(
        VacancyResponse(
            vacancy=vacancy, volunteer=db.scalar(select(Match)).volunteer, message="Eerder."
        )
    )
    db.commit()
    refused = client.post(form.target, data=body)
    assert "U heeft al gereageerd" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(FormToken)) == 0


def test_old_tokens_are_forgotten(help_request_form, db):
    help_request_form()
    assert forget_old_tokens(db, utcnow() + KEEP - timedelta(hours=1)) == 0
    assert forget_old_tokens(db, utcnow() + KEEP + timedelta(hours=1)) == 1
    assert db.scalar(select(func.count()).select_from(FormToken)) == 0


def test_a_token_is_only_kept_with_what_it_made(app, db, make_user):
    """A claimed token that a commit finds without its row is let go, not kept pointing nowhere."""
    from voorelkaar.db import get_session
    from voorelkaar.idempotency import already_created, new_token

    person = make_user(Role.RESIDENT)
    form = {"form_token": new_token(), "title": "Iets"}
    with app.test_request_context("/hulpvragen/nieuw", method="POST", data=form):
        session = get_session()
        assert already_created(session, session.merge(person), HelpRequest) is None
        session.commit()  # the step made nothing, but something else was saved
    assert db.scalar(select(func.count()).select_from(FormToken)) == 0

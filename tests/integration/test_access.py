"""Every route, for every role and for anonymous visitors: who gets what.

A route that is not in ACCESS fails the test, so a new page cannot be added
without deciding who may open it.
"""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, Forms, csrf_token_from
from voorelkaar.db import utcnow
from voorelkaar.models import (
    HelpRequest,
    Match,
    Municipality,
    Neighbourhood,
    Offer,
    Organisation,
    OrganisationMember,
    Referral,
    Report,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
    Vacancy,
    VacancyResponse,
)
from voorelkaar.models.user import SELF_CHOSEN_ROLES
from voorelkaar.moderation.services import publish_post
from voorelkaar.profiles.services import ROLE_SLUGS, ROLE_WORDS

ROLES = (
    "anonymous",
    "resident",
    "volunteer",
    "carer",
    "organisation",
    "staff",
    "consultant",
    "admin",
)
LOGIN = "login"  # a redirect to the login page


def everyone(code=200):
    return dict.fromkeys(ROLES, code)


def logged_in(code=200):
    return {**everyone(code), "anonymous": LOGIN}


def only(*roles, code=200, others=403):
    return {**logged_in(others), **dict.fromkeys(roles, code)}


STAFF = ("staff", "admin")
ASKERS = ("resident", "carer", "staff", "consultant", "admin")

# endpoint -> (method, path template, expected per role)
ACCESS = {
    "pages.home": ("GET", "/", everyone()),
    "pages.about": ("GET", "/over-ons", everyone()),
    "pages.privacy": ("GET", "/privacy", everyone()),
    "pages.accessibility": ("GET", "/toegankelijkheid", everyone()),
    "pages.healthz": ("GET", "/healthz", everyone()),
    "observability.readyz": ("GET", "/readyz", everyone()),
    # From the test client's own address (127.0.0.1, in METRICS_ALLOWED_IPS): the scrape.
    "observability.metrics": ("GET", "/metrics", everyone()),
    "pages.choose_municipality": ("GET", "/gemeente", everyone()),
    "pages.set_language": ("POST", "/taal", everyone(302)),
    "pages.notice_seen": ("POST", "/meldingen/1/gezien", logged_in(302)),
    "pages.notices_seen": ("POST", "/meldingen/gezien", logged_in(302)),
    "auth.register": ("GET", "/registreren", {**everyone(302), "anonymous": 200}),
    "auth.check_email": ("GET", "/registreren/kijk-in-uw-email", everyone(302)),
    "auth.resend": ("GET", "/registreren/opnieuw-sturen", everyone()),
    "auth.confirm_email": ("GET", "/registreren/bevestigen/ongeldig", everyone(400)),
    "auth.login": ("GET", "/login", {**everyone(302), "anonymous": 200}),
    "auth.logout": ("POST", "/uitloggen", everyone(302)),
    "auth.change_password": ("GET", "/wachtwoord-wijzigen", logged_in()),
    "auth.forgot_password": ("GET", "/wachtwoord-vergeten", everyone()),
    "auth.reset_password": ("GET", "/wachtwoord-herstellen/ongeldig", everyone(400)),
    "help_requests.browse": ("GET", "/hulpvragen", everyone()),
    "help_requests.create": ("GET", "/hulpvragen/nieuw", only(*ASKERS)),
    "help_requests.detail": ("GET", "/hulpvragen/{open_id}", logged_in()),
    "help_requests.edit": (
        "GET",
        "/hulpvragen/{open_id}/bewerken",
        only("resident", *STAFF, others=404),
    ),
    "help_requests.cancel": (
        "POST",
        "/hulpvragen/{cancel_id}/intrekken",
        only("resident", *STAFF, code=302, others=404),
    ),
    "help_requests.mine": ("GET", "/mijn-hulpvragen", logged_in()),
    "moderation.queue": ("GET", "/beheer/te-beoordelen", only(*STAFF)),
    "moderation.approve": (
        "POST",
        "/beheer/te-beoordelen/hulpvraag/{approve_id}/goedkeuren",
        only(*STAFF, code=302),
    ),
    "moderation.reject": (
        "GET",
        "/beheer/te-beoordelen/hulpvraag/{pending_id}/afwijzen",
        only(*STAFF),
    ),
    "moderation.audit": ("GET", "/beheer/logboek", only(*STAFF)),
    "moderation.users": ("GET", "/beheer/gebruikers", only(*STAFF)),
    "moderation.user": ("GET", "/beheer/gebruikers/{author_id}", only(*STAFF)),
    "profiles.edit": ("GET", "/profiel", logged_in()),
    "profiles.show": ("GET", "/profiel/{author_id}", logged_in()),
    # Who holds the role already goes on to where they were going; the others are asked.
    "profiles.add_role": ("GET", "/profiel/rol/vrijwilliger", {**logged_in(), "volunteer": 302}),
    "profiles.stop_role": (
        "GET",
        "/profiel/rol/vrijwilliger/stoppen",
        {**logged_in(302), "volunteer": 200},
    ),
    "reports.create": ("GET", "/melden/hulpvraag/{open_id}", logged_in()),
    "reports.queue": ("GET", "/beheer/meldingen", only(*STAFF)),
    "reports.handle": ("GET", "/beheer/meldingen/{report_id}", only(*STAFF)),
    "admin.categories": ("GET", "/beheer/categorieen", only("admin")),
    "admin.category": ("GET", "/beheer/categorieen/1", only("admin")),
    "admin.settings": ("GET", "/beheer/instellingen", only("admin")),
    "admin.roles": ("GET", "/beheer/gebruikers/{author_id}/rollen", only("admin")),
    "admin.security_log": ("GET", "/beheer/beveiligingslog", only("admin")),
    # A municipality's own settings (voorelkaar/municipalities): its admins only; the
    # admins of another municipality get 404 (test_municipality_settings.py).
    "municipalities.index": ("GET", "/beheer/gemeente", only("admin", code=302)),
    "municipalities.edit": ("GET", "/beheer/gemeente/meppel", only("admin")),
    # Without a file the settings page is shown again with its message.
    "municipalities.upload_logo": ("POST", "/beheer/gemeente/meppel/logo", only("admin")),
    "municipalities.remove_logo": (
        "POST",
        "/beheer/gemeente/meppel/logo/weghalen",
        only("admin", code=302),
    ),
    # Everyone may see a logo; Meppel has none here.
    "municipalities.logo": ("GET", "/gemeente/meppel/logo", everyone(404)),
    "municipalities.wijken": ("GET", "/beheer/gemeente/meppel/wijken", only("admin")),
    "municipalities.upload_wijken": ("POST", "/beheer/gemeente/meppel/wijken/csv", only("admin")),
    "municipalities.wijk": ("GET", "/beheer/gemeente/meppel/wijken/{wijk_id}", only("admin")),
    "municipalities.delete_wijk": (
        "POST",
        "/beheer/gemeente/meppel/wijken/999999/verwijderen",
        only("admin", code=404),
    ),
    "municipalities.categories": ("GET", "/beheer/gemeente/meppel/soorten-hulp", only("admin")),
    "volunteers.availability": ("GET", "/beschikbaarheid", only("volunteer")),
    "volunteers.nearby": ("GET", "/bij-mij-in-de-buurt", only("volunteer")),
    "volunteers.resume": (
        "POST",
        "/beschikbaarheid/weer-beschikbaar",
        only("volunteer", code=302),
    ),
    "volunteers.vog": ("GET", "/beheer/gebruikers/{author_id}/vog", only(*STAFF)),
    "matches.offer": ("POST", "/hulpvragen/{open_id}/ik-help", only("volunteer", code=302)),
    "matches.confirm": (
        "POST",
        "/aanmeldingen/{match_id}/bevestigen",
        only("resident", *STAFF, code=302, others=404),
    ),
    "matches.decline": (
        "POST",
        "/aanmeldingen/{match_id}/afwijzen",
        only("resident", *STAFF, code=302, others=404),
    ),
    "matches.answer_invitation": (
        "POST",
        "/aanmeldingen/{match_id}/uitnodiging",
        only("volunteer", code=302),
    ),
    "matches.cancel": (
        "POST",
        "/aanmeldingen/{match_id}/annuleren",
        only("resident", "volunteer", *STAFF, code=302, others=404),
    ),
    "matches.complete": (
        "POST",
        "/aanmeldingen/{match_id}/afronden",
        only(*STAFF, code=302, others=404),
    ),
    "matches.mine": ("GET", "/mijn-inzet", only("volunteer")),
    "matches.invite": (
        "POST",
        "/hulpvragen/{open_id}/uitnodigen/{volunteer_id}",
        only("resident", *STAFF, code=302, others=404),
    ),
    "matches.invitation": ("GET", "/uitnodiging/ongeldig", everyone(400)),
    "matches.message": (
        "POST",
        "/aanmeldingen/{match_id}/berichten",
        only("resident", "volunteer", code=302, others=404),
    ),
    # Answer and unsubscribe links carry a signed token; a made-up one is refused.
    "answers.answer": ("GET", "/antwoord/ongeldig?antwoord=ja", everyone(400)),
    "answers.done": ("GET", "/antwoord/verstuurd", everyone()),
    "mail.unsubscribe": ("GET", "/afmelden/ongeldig", everyone(400)),
    "mail.preferences": ("GET", "/instellingen/e-mail", logged_in()),
    "figures.index": ("GET", "/cijfers", only(*STAFF)),
    "figures.download": ("GET", "/cijfers/hulpvragen.csv", only(*STAFF)),
    # The JSON API answers 401 JSON to every cookie session: it only knows bearer tokens
    # (tokens, scopes and revocation are tested in test_api.py).
    "api.health": ("GET", "/api/v1/health", everyone()),
    "api.openapi": ("GET", "/api/v1/openapi.json", everyone()),
    "api.docs": ("GET", "/api/v1/docs", everyone()),
    "api.figures": ("GET", "/api/v1/figures?from=2026-01&to=2026-02", everyone(401)),
    "api.create_referral": ("POST", "/api/v1/referrals", everyone(401)),
    "api.referral": ("GET", "/api/v1/referrals/{referral_id}", everyone(401)),
    "api.list_requests": ("GET", "/api/v1/requests", everyone(401)),
    "api.create_request": ("POST", "/api/v1/requests", everyone(401)),
    "api.subscriptions.index": ("GET", "/api/v1/subscriptions", everyone(401)),
    "api.subscriptions.create": ("POST", "/api/v1/subscriptions", everyone(401)),
    "api.subscriptions.delete": ("DELETE", "/api/v1/subscriptions/1", everyone(401)),
    "api_tokens.index": ("GET", "/beheer/api-sleutels", only("admin")),
    # No token 999999: an admin gets 404, the rest never get that far.
    "api_tokens.revoke": ("POST", "/beheer/api-sleutels/999999/intrekken", only("admin", code=404)),
    # Only halfway through logging in; everyone else is sent back to the login page.
    "second_factor.code": ("GET", "/login/code", everyone(302)),
    "second_factor.recovery": ("GET", "/login/herstelcode", everyone(302)),
    "second_factor.manage": ("GET", "/mijn-gegevens/inloggen-met-code", logged_in()),
    # The back office has it set up already (the fixtures do): to the page above.
    "second_factor.setup": (
        "GET",
        "/mijn-gegevens/inloggen-met-code/instellen",
        {**logged_in(), **dict.fromkeys(("staff", "consultant", "admin"), 302)},
    ),
    # Without the second factor there is nothing to renew or turn off: back to the page.
    "second_factor.new_codes": (
        "POST",
        "/mijn-gegevens/inloggen-met-code/herstelcodes",
        {**logged_in(302), **dict.fromkeys(("staff", "consultant", "admin"), 422)},
    ),
    "second_factor.turn_off": (
        "POST",
        "/mijn-gegevens/inloggen-met-code/uitzetten",
        {**logged_in(302), **dict.fromkeys(("staff", "consultant", "admin"), 422)},
    ),
    "network.overview": ("GET", "/mijn-netwerk", logged_in()),
    "network.add": ("GET", "/mijn-netwerk/persoon-toevoegen", logged_in()),
    # Someone else's (or no) member: the same 404 for everyone.
    "network.edit": ("GET", "/mijn-netwerk/persoon/999999", logged_in(404)),
    "network.remove": ("POST", "/mijn-netwerk/persoon/999999/weghalen", logged_in(404)),
    "network.unlink": ("POST", "/mijn-netwerk/persoon/999999/ontkoppelen", logged_in(404)),
    "network.invite": ("POST", "/mijn-netwerk/persoon/999999/uitnodigen", logged_in(404)),
    "network.code": ("GET", "/mijn-netwerk/persoon/999999/code", logged_in(404)),
    "network.invitation": ("GET", "/mijn-netwerk/uitnodiging/onbekend", everyone(404)),
    "network.join_by_code": ("GET", "/mijn-netwerk/meedoen", logged_in()),
    "network.circles": ("GET", "/mijn-netwerk/kringen", logged_in()),
    "network.leave": ("POST", "/mijn-netwerk/kringen/999999/verlaten", logged_in(404)),
    # Only its asker and staff; the open request is not in a circle, so nothing changes.
    "network.release": (
        "POST",
        "/mijn-netwerk/hulpvraag/{open_id}/naar-de-wijk",
        {**logged_in(404), "resident": 302, "staff": 302, "admin": 302},
    ),
    "network.check_start": ("GET", "/mijn-netwerk/check", logged_in()),
    "network.check_begin": ("POST", "/mijn-netwerk/check/beginnen", logged_in(302)),
    "network.check_area": ("GET", "/mijn-netwerk/check/onbekend", logged_in(404)),
    "network.check_result": ("GET", "/mijn-netwerk/check/uitslag", logged_in(302)),
    "network.coach": ("POST", "/mijn-netwerk/coach", logged_in(302)),
    "account.overview": ("GET", "/mijn-gegevens", logged_in()),
    "account.download": ("GET", "/mijn-gegevens/download", logged_in()),
    "account.delete": ("GET", "/mijn-gegevens/verwijderen", logged_in()),
    "referrals.index": ("GET", "/verwijzingen", only("consultant", *STAFF)),
    "referrals.create": ("GET", "/verwijzingen/nieuw", only("consultant")),
    # Another consultant's referral is 404 for a consultant: tested in test_referrals.py.
    "referrals.detail": ("GET", "/verwijzingen/{referral_id}", only("consultant", *STAFF)),
    "referrals.letter": ("GET", "/verwijzingen/{referral_id}/brief", only("consultant", *STAFF)),
    "referrals.edit": ("GET", "/verwijzingen/{referral_id}/wijzigen", only("consultant", *STAFF)),
    "referrals.withdraw": (
        "GET",
        "/verwijzingen/{referral_id}/intrekken",
        only("consultant", *STAFF),
    ),
    # Without the code the page showed, nothing is sent; back to the referral.
    "referrals.resend": (
        "POST",
        "/verwijzingen/{referral_id}/opnieuw-sturen",
        only("consultant", *STAFF, code=302),
    ),
    "referrals.post_for_resident": (
        "GET",
        "/verwijzingen/{referral_id}/plaatsen",
        only(*STAFF),
    ),
    # The resident's side: the code is the key; a made-up code is a polite 404.
    "referrals.enter_code": ("GET", "/verwijzing", everyone()),
    "referrals.invitation": ("GET", "/verwijzing/{referral_code}", everyone()),
    "referrals.check": ("POST", "/verwijzing/{referral_code}/controle", everyone(422)),
    "referrals.accept": ("POST", "/verwijzing/{accept_code}/koppelen", logged_in(302)),
    "referrals.resident_request": (
        "GET",
        "/verwijzing/{accepted_code}/hulpvraag",
        only("resident", others=404),
    ),
    # Carer support (voorelkaar/carers) and the staff per-person page (voorelkaar/people).
    "carers.situation": ("GET", "/mantelzorg/zorgsituatie", only("carer")),
    # A POST without a note or consent shows the form again with its messages.
    "carers.health_note": ("POST", "/mantelzorg/gezondheid", only("carer")),
    "carers.withdraw_consent": (
        "POST",
        "/mantelzorg/gezondheid/intrekken",
        only("carer", code=302),
    ),
    "people.person": ("GET", "/mensen/{author_id}", only(*STAFF)),
    # Without kind and text the person page is shown again with its messages.
    "people.add_contact": ("POST", "/mensen/{author_id}/contact", only(*STAFF)),
    "people.edit_contact": ("GET", "/mensen/{author_id}/gegevens", only(*STAFF)),
    "people.network": ("GET", "/mensen/{author_id}/netwerk", only(*STAFF)),
    "people.add_to_network": (
        "POST",
        "/mensen/{author_id}/netwerk/toevoegen",
        only(*STAFF, code=422),
    ),
    "people.new": ("GET", "/mensen/nieuw", only(*STAFF)),
    # The work lists (voorelkaar/worklists): a consultant has only the referrals list.
    "worklists.requests": ("GET", "/overzicht/hulpvragen", only(*STAFF)),
    "worklists.requests_csv": ("GET", "/overzicht/hulpvragen.csv", only(*STAFF)),
    "worklists.people": ("GET", "/overzicht/mensen", only(*STAFF)),
    "worklists.people_csv": ("GET", "/overzicht/mensen.csv", only(*STAFF)),
    "worklists.referrals": ("GET", "/overzicht/verwijzingen", only("consultant", *STAFF)),
    "worklists.referrals_csv": (
        "GET",
        "/overzicht/verwijzingen.csv",
        only("consultant", *STAFF),
    ),
    "tasks.queue": ("GET", "/taken", only(*STAFF)),
    "today.index": ("GET", "/vandaag", only(*STAFF)),
    # Without a name and phone the intake form is shown again with its messages.
    "intake.new": ("POST", "/telefoon/nieuw", only(*STAFF)),
    "intake.letter": ("GET", "/telefoon/brief/{call_task_id}", only(*STAFF)),
    "tasks.detail": ("GET", "/taken/{task_id}", only(*STAFF)),
    "tasks.claim": ("POST", "/taken/{task_id}/oppakken", only(*STAFF, code=302)),
    "tasks.release": ("POST", "/taken/{task_id}/loslaten", only(*STAFF, code=302)),
    "tasks.close": ("POST", "/taken/{task_id}/afsluiten", only(*STAFF)),
    # Without a date the follow-up date is cleared; without a colleague the page says choose one.
    "tasks.follow_up": ("POST", "/taken/{task_id}/opvolgen", only(*STAFF, code=302)),
    "tasks.hand_over": ("POST", "/taken/{task_id}/overdragen", only(*STAFF)),
    "tasks.new_for_person": ("GET", "/mensen/{author_id}/taak", only(*STAFF)),
    "carers.overview": ("GET", "/mantelzorg", only("carer")),
    "carers.cadence": ("POST", "/mantelzorg/hoe-vaak", only("carer")),
    "carers.pause": ("POST", "/mantelzorg/pauzeren", only("carer", code=302)),
    "carers.resume": ("POST", "/mantelzorg/hervatten", only("carer", code=302)),
    "carers.answer": ("POST", "/mantelzorg/antwoord", only("carer", code=302)),
    "offers.browse": ("GET", "/hulpaanbod", everyone()),
    "offers.create": ("GET", "/hulpaanbod/nieuw", only("volunteer")),
    "offers.detail": ("GET", "/hulpaanbod/{offer_id}", logged_in()),
    "offers.edit": (
        "GET",
        "/hulpaanbod/{offer_id}/bewerken",
        only("volunteer", *STAFF, others=404),
    ),
    "offers.close": (
        "POST",
        "/hulpaanbod/{close_offer_id}/stoppen",
        only("volunteer", *STAFF, code=302, others=404),
    ),
    "offers.reply": ("POST", "/hulpaanbod/{offer_id}/reageren", only("resident", "carer", *STAFF)),
    "offers.mine": ("GET", "/mijn-aanbod", logged_in()),
    "organisations.vacancies": ("GET", "/vacatures", everyone()),
    "organisations.vacancy": ("GET", "/vacatures/{vacancy_id}", everyone()),
    "organisations.create_vacancy": ("GET", "/vacatures/nieuw", only("organisation")),
    "organisations.edit_vacancy": (
        "GET",
        "/vacatures/{vacancy_id}/bewerken",
        only("organisation", *STAFF, others=404),
    ),
    "organisations.respond": ("POST", "/vacatures/{vacancy_id}/reageren", only("volunteer")),
    # Without a reason the close form is shown again with its message: nothing is closed.
    "organisations.close_vacancy": (
        "POST",
        "/vacatures/{vacancy_id}/sluiten",
        only("organisation", *STAFF, others=404),
    ),
    "organisations.dashboard": ("GET", "/mijn-organisatie", only("organisation")),
    "organisations.answer": (
        "POST",
        "/mijn-organisatie/reacties/{response_id}/antwoorden",
        only("organisation"),
    ),
    # An unknown step is answered on the dashboard with its message (422).
    "organisations.move": (
        "POST",
        "/mijn-organisatie/reacties/{response_id}/stap",
        only("organisation", code=422),
    ),
    # Anyone with an account may apply for their organisation; a coordinator approves it.
    "organisations.register": ("GET", "/organisatie-aanmelden", logged_in()),
    # Without a reason the page is shown again with its message.
    "organisations.reject": (
        "POST",
        "/beheer/organisaties/{other_org_id}/afwijzen",
        only(*STAFF, code=422),
    ),
    "organisations.verification": ("GET", "/beheer/organisaties", only(*STAFF)),
    "organisations.verify": (
        "POST",
        "/beheer/organisaties/{other_org_id}/goedkeuren",
        only(*STAFF, code=302),
    ),
    "organisations.unverify": (
        "POST",
        "/beheer/organisaties/{other_org_id}/intrekken",
        only(*STAFF, code=302),
    ),
}


ENDS_SESSION = {"auth.logout"}


def test_every_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = endpoints - ACCESS.keys()
    assert not missing, f"routes without an access rule in this test: {sorted(missing)}"
    assert not ACCESS.keys() - endpoints, "rules for routes that no longer exist"


def offer_of(volunteer):
    offer = Offer(
        author=volunteer,
        category_id=1,
        title="Ik wandel graag",
        description="Met ouderen",
        pc4=volunteer.pc4,
        lat=volunteer.lat,
        lon=volunteer.lon,
    )
    publish_post(offer)
    return offer


@pytest.fixture
def world(db, make_user):
    """One person per role (the resident owns two requests) and a report."""
    people = {
        "resident": make_user(Role.RESIDENT, email="resident@example.nl"),
        "volunteer": make_user(Role.VOLUNTEER, email="volunteer@example.nl"),
        "carer": make_user(Role.CARER, email="carer@example.nl"),
        "organisation": make_user(Role.ORGANISATION, email="organisation@example.nl"),
        "staff": make_user(Role.STAFF, email="staff@example.nl"),
        "consultant": make_user(Role.CONSULTANT, email="consultant@example.nl"),
        "admin": make_user(Role.ADMIN, email="admin@example.nl"),
    }
    author = people["resident"]

    def new_request(title):
        item = HelpRequest(
            author=author,
            category_id=1,
            title=title,
            description="Beschrijving",
            postcode="7941 AB",
            house_number="1",
            pc4="7941",
            lat=52.69,
            lon=6.19,
            starts_at=utcnow(),
            ends_at=utcnow(),
        )
        db.add(item)
        return item

    open_item = new_request("Open")
    publish_post(open_item)
    pending = new_request("Wacht")
    # Routes that change state get a request of their own.
    to_cancel, to_approve = new_request("Intrekken"), new_request("Goedkeuren")
    for item in (pending, to_cancel, to_approve):
        item.state = RequestState.PENDING
    db.flush()
    offers = [offer_of(people["volunteer"]) for _ in range(2)]
    organisation = Organisation(name="Zorgcentrum", verified_at=utcnow())
    other = Organisation(name="Sportclub")
    organisation.members.append(OrganisationMember(user=people["organisation"]))
    vacancy = Vacancy(
        organisation=organisation,
        author=people["organisation"],
        title="Gastvrouw",
        description="Koffie schenken",
        hours="2 uur per week",
        pc4="7941",
        lat=52.69,
        lon=6.19,
    )
    publish_post(vacancy)
    db.add_all([*offers, organisation, other, vacancy])
    db.flush()
    response = VacancyResponse(vacancy=vacancy, volunteer=people["volunteer"], message="Ik help")
    match = Match(request_id=open_item.id, volunteer_id=people["volunteer"].id)
    db.add_all([response, match])
    referrals = [
        Referral(
            consultant_id=people["consultant"].id,
            resident_name="Riek Jansen",
            postcode="7941 AB",
            house_number="1",
            consent_date=utcnow().date(),
            category_id=1,
            title="Boodschappen",
            description="Hulp bij de boodschappen",
            code=code,
            expires_at=utcnow() + timedelta(days=30),
        )
        for code in ("AAAABBBB", "CCCCDDDD", "EEEEFFFF")
    ]
    referrals[2].account_id = author.id  # the resident took this invitation
    db.add_all(referrals)
    db.flush()
    task = StaffTask(
        key="access:1", kind=TaskKind.REQUEST_UNMATCHED, person=author, request=open_item
    )
    db.add(task)
    call_task = StaffTask(
        key="access:2", kind=TaskKind.CALL_PERSON, person=author, detail="Onderwerp\n\nTekst"
    )
    db.add(call_task)
    report = Report(
        reporter_id=people["volunteer"].id,
        subject_type="help_requests",
        subject_id=open_item.id,
        reason="x",
    )
    db.add(report)
    db.commit()
    ids = {
        "open_id": open_item.id,
        "pending_id": pending.id,
        "cancel_id": to_cancel.id,
        "approve_id": to_approve.id,
        "author_id": author.id,
        "report_id": report.id,
        "offer_id": offers[0].id,
        "close_offer_id": offers[1].id,
        "vacancy_id": vacancy.id,
        "response_id": response.id,
        "other_org_id": other.id,
        "match_id": match.id,
        "volunteer_id": people["volunteer"].id,
        "task_id": task.id,
        "call_task_id": call_task.id,
        "referral_id": referrals[0].id,
        "referral_code": "AAAABBBB",
        "accept_code": "CCCCDDDD",
        "accepted_code": "EEEEFFFF",
        "wijk_id": db.scalar(
            select(Neighbourhood.id)
            .join(Municipality)
            .where(Municipality.slug == "meppel")
            .order_by(Neighbourhood.id)
        ),
    }
    return people, ids


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_on_every_route(app, world, role):
    people, ids = world

    def logged_in_client():
        client = app.test_client()
        if role != "anonymous":
            assert AuthActions(Forms(client)).login(people[role].email).status_code == 302
        return client

    shared = logged_in_client()
    for endpoint, (method, path, expected) in ACCESS.items():
        # Logging out ends the shared session, so it gets a browser of its own.
        client = logged_in_client() if endpoint in ENDS_SESSION else shared
        url = path.format(**ids)
        if method == "GET":
            response = client.get(url)
        elif method == "DELETE":  # only the API deletes: a token, no form
            response = client.delete(url)
        else:
            # A page with a form: the home page has none for a visitor who is not logged in.
            page = "/login" if role == "anonymous" else "/"
            token = csrf_token_from(client.get(page).get_data(as_text=True))
            response = client.post(url, data={"csrf_token": token})
        want = expected[role]
        if want == LOGIN:
            assert response.status_code == 302, (endpoint, role, response.status_code)
            assert "/login" in response.headers["Location"], (endpoint, role)
        else:
            assert response.status_code == want, (endpoint, role, response.status_code)


def test_nobody_else_can_change_or_withdraw_a_request_by_guessing_its_id(app, world, db):
    people, ids = world
    for role in ("volunteer", "carer", "organisation", "consultant"):
        client = app.test_client()
        forms = Forms(client)
        AuthActions(forms).login(people[role].email)
        assert client.get(f"/hulpvragen/{ids['pending_id']}").status_code == 404
        assert client.get(f"/hulpvragen/{ids['open_id']}/bewerken").status_code == 404
        assert (
            forms.post(f"/hulpvragen/{ids['open_id']}/intrekken", {}, page="/").status_code == 404
        )
        assert (
            forms.post(
                f"/hulpvragen/{ids['open_id']}/bewerken", {"title": "Gekaapt"}, page="/"
            ).status_code
            == 404
        )
    assert db.scalar(select(HelpRequest.title).where(HelpRequest.id == ids["open_id"])) == "Open"


ADD_ROLE_LINK = re.compile(r'href="(/profiel/rol/[^"]+)"')


def add_role_links(page: str) -> set[tuple[str, str]]:
    """(slug, next) of every link on page that adds a role."""
    links = set()
    for href in ADD_ROLE_LINK.findall(page):
        parts = urlsplit(html.unescape(href))
        links.add((parts.path.rsplit("/", 1)[1], parse_qs(parts.query)["next"][0]))
    return links


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_a_refused_page_says_whom_it_is_for_and_offers_the_roles_one_may_add(app, world, role):
    people, ids = world
    client = app.test_client()
    AuthActions(Forms(client)).login(people[role].email)
    refused = []
    for rule in app.url_map.iter_rules():
        method, path, _expected = ACCESS.get(rule.endpoint, ("", "", {}))
        if method != "GET":
            continue
        url = path.format(**ids)
        response = client.get(url)
        if response.status_code != 403:
            continue
        refused.append(rule.endpoint)
        page = response.get_data(as_text=True)
        # A refusal that does not say for whom the page is, is a bare 403.
        needed = getattr(app.view_functions[rule.endpoint], "roles", None)
        assert needed, (rule.endpoint, role, "refused without naming the roles")
        assert "Deze pagina is voor:" in page, (rule.endpoint, role)
        for each in needed:
            assert str(ROLE_WORDS[each].who) in page, (rule.endpoint, role, each)
        addable = {ROLE_SLUGS[each] for each in needed if each in SELF_CHOSEN_ROLES}
        assert add_role_links(page) == {(slug, url) for slug in addable}, (rule.endpoint, role)
        if Role.ORGANISATION in needed:  # an organisation applies on a page of its own
            assert 'href="/organisatie-aanmelden"' in page, (rule.endpoint, role)
        elif not addable:
            assert "Vraag de" in page, (rule.endpoint, role, "no way in explained")
    assert refused, f"{role} is refused nowhere: the walk tested nothing"

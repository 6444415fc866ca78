"""Every back-office page, with two municipalities on one installation: staff, consultants
and admins of Meppel see nothing of Westerveld, and the other way round; a regional admin
sees both.

Every route of the site is decided here: a back-office route in TENANCY (what the other
municipality's staff get), or a route in NOT_SCOPED with the reason it shows no other
municipality's people. A new route in neither fails the test, so a new page cannot skip
the decision. (/cijfers and /api/v1 are scoped and tested by their own helper: EXCLUDED.)
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions, Forms, csrf_token_from
from voorelkaar.api.tokens import issue_token
from voorelkaar.audit import record
from voorelkaar.db import utcnow
from voorelkaar.models import (
    ApiToken,
    AuditEvent,
    Checkin,
    CheckinAnswer,
    HelpRequest,
    Match,
    MatchState,
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
)
from voorelkaar.models.api_token import Scope
from voorelkaar.moderation.services import publish_post
from voorelkaar.tenancy import set_served

# A word in every name and title of a town's people and posts: a page of the other
# municipality's back office that shows it, leaks.
TOWNS = {
    "meppel": {"tag": "Kraanvogel", "postcode": "7941 AB", "pc4": "7941", "at": (52.69, 6.19)},
    "westerveld": {"tag": "Zwaluw", "postcode": "7971 AB", "pc4": "7971", "at": (52.77, 6.24)},
}
BACK_OFFICE = ("staff", "consultant", "admin")
NOT_FOUND = 404

# endpoint -> (method, path of an object of the town, roles for whom it is a page of theirs)
# A list page has no {...} in its path: it must not show the other town's tag.
# A page of one object answers 404 to the other town's back office (its roles), and
# is opened (anything but 404) by the town's own.
TENANCY = {
    "moderation.queue": ("GET", "/beheer/te-beoordelen", ("staff", "admin")),
    "moderation.approve": (
        "POST",
        "/beheer/te-beoordelen/hulpvraag/{approve_id}/goedkeuren",
        ("staff", "admin"),
    ),
    "moderation.reject": (
        "GET",
        "/beheer/te-beoordelen/hulpvraag/{pending_id}/afwijzen",
        ("staff", "admin"),
    ),
    "moderation.audit": ("GET", "/beheer/logboek", ("staff", "admin")),
    "moderation.users": ("GET", "/beheer/gebruikers", ("staff", "admin")),
    "moderation.user": ("GET", "/beheer/gebruikers/{resident_id}", ("staff", "admin")),
    "reports.queue": ("GET", "/beheer/meldingen", ("staff", "admin")),
    "reports.handle": ("GET", "/beheer/meldingen/{report_id}", ("staff", "admin")),
    "admin.roles": ("GET", "/beheer/gebruikers/{resident_id}/rollen", ("admin",)),
    "admin.security_log": ("GET", "/beheer/beveiligingslog", ("admin",)),
    "volunteers.vog": ("GET", "/beheer/gebruikers/{volunteer_id}/vog", ("staff", "admin")),
    "people.person": ("GET", "/mensen/{resident_id}", ("staff", "admin")),
    "people.add_contact": ("POST", "/mensen/{resident_id}/contact", ("staff", "admin")),
    "people.edit_contact": ("GET", "/mensen/{resident_id}/gegevens", ("staff", "admin")),
    "people.network": ("GET", "/mensen/{resident_id}/netwerk", ("staff", "admin")),
    "people.add_to_network": (
        "POST",
        "/mensen/{resident_id}/netwerk/toevoegen",
        ("staff", "admin"),
    ),
    "worklists.requests": ("GET", "/overzicht/hulpvragen", ("staff", "admin")),
    "worklists.requests_csv": ("GET", "/overzicht/hulpvragen.csv", ("staff", "admin")),
    "worklists.people": ("GET", "/overzicht/mensen", ("staff", "admin")),
    "worklists.people_csv": ("GET", "/overzicht/mensen.csv", ("staff", "admin")),
    "worklists.referrals": ("GET", "/overzicht/verwijzingen", BACK_OFFICE),
    "worklists.referrals_csv": ("GET", "/overzicht/verwijzingen.csv", BACK_OFFICE),
    "tasks.queue": ("GET", "/taken", ("staff", "admin")),
    "today.index": ("GET", "/vandaag", ("staff", "admin")),
    "tasks.detail": ("GET", "/taken/{task_id}", ("staff", "admin")),
    "tasks.claim": ("POST", "/taken/{task_id}/oppakken", ("staff", "admin")),
    "tasks.release": ("POST", "/taken/{task_id}/loslaten", ("staff", "admin")),
    "tasks.close": ("POST", "/taken/{task_id}/afsluiten", ("staff", "admin")),
    "tasks.follow_up": ("POST", "/taken/{task_id}/opvolgen", ("staff", "admin")),
    "tasks.hand_over": ("POST", "/taken/{task_id}/overdragen", ("staff", "admin")),
    "tasks.new_for_person": ("GET", "/mensen/{resident_id}/taak", ("staff", "admin")),
    "intake.letter": ("GET", "/telefoon/brief/{call_task_id}", ("staff", "admin")),
    "referrals.index": ("GET", "/verwijzingen", BACK_OFFICE),
    "referrals.detail": ("GET", "/verwijzingen/{referral_id}", BACK_OFFICE),
    "referrals.letter": ("GET", "/verwijzingen/{referral_id}/brief", BACK_OFFICE),
    "referrals.edit": ("GET", "/verwijzingen/{referral_id}/wijzigen", BACK_OFFICE),
    "referrals.withdraw": ("GET", "/verwijzingen/{referral_id}/intrekken", BACK_OFFICE),
    "referrals.resend": ("POST", "/verwijzingen/{referral_id}/opnieuw-sturen", BACK_OFFICE),
    "referrals.post_for_resident": (
        "GET",
        "/verwijzingen/{referral_id}/plaatsen",
        ("staff", "admin"),
    ),
    "api_tokens.index": ("GET", "/beheer/api-sleutels", ("admin",)),
    "municipalities.edit": ("GET", "/beheer/gemeente/{slug}", ("admin",)),
    "municipalities.upload_logo": ("POST", "/beheer/gemeente/{slug}/logo", ("admin",)),
    "municipalities.remove_logo": ("POST", "/beheer/gemeente/{slug}/logo/weghalen", ("admin",)),
    "municipalities.wijken": ("GET", "/beheer/gemeente/{slug}/wijken", ("admin",)),
    "municipalities.upload_wijken": ("POST", "/beheer/gemeente/{slug}/wijken/csv", ("admin",)),
    "municipalities.wijk": ("GET", "/beheer/gemeente/{slug}/wijken/{wijk_id}", ("admin",)),
    "municipalities.delete_wijk": (
        "POST",
        "/beheer/gemeente/{slug}/wijken/{wijk_id}/verwijderen",
        ("admin",),
    ),
    "municipalities.categories": ("GET", "/beheer/gemeente/{slug}/soorten-hulp", ("admin",)),
    "api_tokens.revoke": ("POST", "/beheer/api-sleutels/{token_id}/intrekken", ("admin",)),
    "organisations.verification": ("GET", "/beheer/organisaties", ("staff", "admin")),
    "organisations.verify": (
        "POST",
        "/beheer/organisaties/{organisation_id}/goedkeuren",
        ("staff", "admin"),
    ),
    "organisations.unverify": (
        "POST",
        "/beheer/organisaties/{organisation_id}/intrekken",
        ("staff", "admin"),
    ),
    "organisations.reject": (
        "POST",
        "/beheer/organisaties/{organisation_id}/afwijzen",
        ("staff", "admin"),
    ),
    # Pages of posts that their staff handle: to another town's staff a post is like
    # anyone's (a pending one is not there, an open one cannot be changed).
    "help_requests.detail": ("GET", "/hulpvragen/{pending_id}", ("staff", "admin")),
    "help_requests.edit": ("GET", "/hulpvragen/{open_id}/bewerken", ("staff", "admin")),
    "help_requests.cancel": ("POST", "/hulpvragen/{cancel_id}/intrekken", ("staff", "admin")),
    "matches.invite": (
        "POST",
        "/hulpvragen/{open_id}/uitnodigen/{volunteer_id}",
        ("staff", "admin"),
    ),
    "matches.confirm": ("POST", "/aanmeldingen/{match_id}/bevestigen", ("staff", "admin")),
    "matches.decline": ("POST", "/aanmeldingen/{match_id}/afwijzen", ("staff", "admin")),
    "matches.cancel": ("POST", "/aanmeldingen/{match_id}/annuleren", ("staff", "admin")),
    "matches.complete": ("POST", "/aanmeldingen/{match_id}/afronden", ("staff", "admin")),
    "offers.edit": ("GET", "/hulpaanbod/{offer_id}/bewerken", ("staff", "admin")),
    "offers.close": ("POST", "/hulpaanbod/{offer_id}/stoppen", ("staff", "admin")),
    "organisations.edit_vacancy": (
        "GET",
        "/vacatures/{vacancy_id}/bewerken",
        ("staff", "admin"),
    ),
    "organisations.close_vacancy": (
        "POST",
        "/vacatures/{vacancy_id}/sluiten",
        ("staff", "admin"),
    ),
}

# Lists in which the town's own back office (and the regional admin) must find the
# town's tag: proof that the walk looks at pages with something on them.
SHOWS_OWN = (
    "moderation.queue",
    "moderation.audit",
    "moderation.users",
    "reports.queue",
    "tasks.queue",
    "today.index",
    "referrals.index",
    "worklists.requests",
    "worklists.requests_csv",
    "worklists.people",
    "worklists.people_csv",
    "worklists.referrals",
    "worklists.referrals_csv",
    "api_tokens.index",
    "organisations.verification",
    "admin.security_log",
)

EXCLUDED = {
    "figures.index": "figures per municipality: scoped and tested by the figures+API helper",
    "figures.download": "figures per municipality: scoped and tested by the figures+API helper",
}
API_PREFIX = "api."  # /api/v1: scoped and tested by the figures+API helper

# Routes that show no other municipality's people, by why.
NOT_SCOPED = {
    # Public, or for anyone logged in: shows what every visitor may see.
    **dict.fromkeys(
        (
            "pages.home",
            "pages.about",
            "pages.privacy",
            "pages.accessibility",
            "pages.healthz",
            "observability.readyz",
            "observability.metrics",
            "pages.set_language",
            "pages.notice_seen",
            "pages.notices_seen",
            "help_requests.browse",
            "help_requests.mine",
            "offers.browse",
            "offers.detail",
            "offers.reply",
            "offers.mine",
            "organisations.vacancies",
            "organisations.vacancy",
            "profiles.show",
            "reports.create",
            "answers.answer",
            "answers.done",
            "mail.unsubscribe",
            "mail.preferences",
        ),
        "public or for anyone logged in: the same for the back office as for everyone",
    ),
    # One's own account, session and roles.
    **dict.fromkeys(
        (
            "auth.register",
            "auth.check_email",
            "auth.resend",
            "auth.confirm_email",
            "auth.login",
            "auth.logout",
            "auth.change_password",
            "auth.forgot_password",
            "auth.reset_password",
            "second_factor.code",
            "second_factor.recovery",
            "second_factor.manage",
            "second_factor.setup",
            "second_factor.new_codes",
            "second_factor.turn_off",
            "account.overview",
            "account.download",
            "account.delete",
            "profiles.edit",
            "profiles.add_role",
            "profiles.stop_role",
        ),
        "one's own account: nobody else's data",
    ),
    # Roles the back office does not hold, on their own things.
    **dict.fromkeys(
        (
            "volunteers.availability",
            "volunteers.nearby",
            "volunteers.resume",
            "matches.offer",
            "matches.answer_invitation",
            "matches.mine",
            "matches.message",
            "matches.invitation",
            "carers.situation",
            "carers.health_note",
            "carers.withdraw_consent",
            "carers.overview",
            "carers.cadence",
            "carers.pause",
            "carers.resume",
            "carers.answer",
            "organisations.create_vacancy",
            "organisations.respond",
            "organisations.dashboard",
            "organisations.answer",
            "organisations.move",
            "organisations.register",
            "offers.create",
            "referrals.enter_code",
            "referrals.invitation",
            "referrals.check",
            "referrals.accept",
            "referrals.resident_request",
        ),
        "a resident's, volunteer's, carer's or organisation's own things",
    ),
    # One's own network, and the circles one joined.
    **dict.fromkeys(
        (
            "network.overview",
            "network.add",
            "network.edit",
            "network.remove",
            "network.unlink",
            "network.invite",
            "network.code",
            "network.invitation",
            "network.join_by_code",
            "network.circles",
            "network.leave",
            "network.check_start",
            "network.check_begin",
            "network.check_area",
            "network.check_result",
            "network.coach",
        ),
        "one's own network: its members are the resident's record, nobody else's",
    ),
    "network.release": "the asker's own request, or staff of its municipality (staff_of); "
    "another municipality's staff get 404 (test_network)",
    # Forms that create something new, and the site's shared lists.
    **dict.fromkeys(
        ("help_requests.create", "referrals.create"),
        "an empty form for a new post or referral: it shows nobody",
    ),
    **dict.fromkeys(
        ("admin.categories", "admin.category"),
        "the categories are the installation's, shared by every municipality",
    ),
    "admin.settings": "the visitor's municipality: 404 unless served, tested below",
    "municipalities.index": "lists only the municipalities the admin serves "
    "(test_municipality_settings)",
    "municipalities.logo": "public: the logo every visitor of that municipality sees",
    "pages.choose_municipality": "public: a visitor chooses which municipality they see",
    "people.new": "a form; a person known in another municipality is not named (test_person_record)",
    "intake.new": "a form; a caller known in another municipality is not named (test_phone_intake)",
}


def test_every_route_is_decided_for_two_municipalities(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    decided = TENANCY.keys() | NOT_SCOPED.keys() | EXCLUDED.keys()
    undecided = {e for e in endpoints - decided if not e.startswith(API_PREFIX)}
    assert not undecided, f"routes not decided for municipalities: {sorted(undecided)}"
    assert not decided - endpoints, "decisions for routes that no longer exist"
    assert not TENANCY.keys() & NOT_SCOPED.keys()


def _town(db, make_user, slug, other_volunteer=None):
    """One of everything in a town, each named with the town's tag."""
    town = TOWNS[slug]
    tag, postcode, pc4 = town["tag"], town["postcode"], town["pc4"]
    lat, lon = town["at"]

    def person(role, first):
        return make_user(
            role,
            email=f"{first.lower()}.{slug}@example.nl",
            name=f"{first} {tag}",
            postcode=postcode,
        )

    people = {
        "resident": person(Role.RESIDENT, "Riek"),
        "volunteer": person(Role.VOLUNTEER, "Sanne"),
        "carer": person(Role.CARER, "Henk"),
        "organisation": person(Role.ORGANISATION, "Olga"),
        "staff": person(Role.STAFF, "Fatima"),
        "consultant": person(Role.CONSULTANT, "Joost"),
        "admin": person(Role.ADMIN, "Bea"),
    }
    resident = people["resident"]

    def new_request(title, state=RequestState.PENDING):
        item = HelpRequest(
            author=resident,
            category_id=1,
            title=f"{title} {tag}",
            description="Beschrijving",
            postcode=postcode,
            house_number="1",
            pc4=pc4,
            lat=lat,
            lon=lon,
            starts_at=utcnow(),
            ends_at=utcnow(),
        )
        item.state = state
        db.add(item)
        return item

    open_item = new_request("Open")
    publish_post(open_item)
    pending, to_cancel, to_approve = (
        new_request("Wacht"),
        new_request("Intrekken"),
        new_request("Goedkeuren"),
    )
    offer = Offer(
        author=people["volunteer"],
        category_id=1,
        title=f"Ik wandel {tag}",
        description="Met ouderen",
        pc4=pc4,
        lat=lat,
        lon=lon,
    )
    offer.state = RequestState.PENDING  # waits for this town's review
    organisation = Organisation(name=f"Zorgcentrum {tag}", verified_at=utcnow())
    organisation.members.append(OrganisationMember(user=people["organisation"]))
    vacancy = Vacancy(
        organisation=organisation,
        author=people["organisation"],
        title=f"Gastvrouw {tag}",
        description="Koffie schenken",
        hours="2 uur per week",
        pc4=pc4,
        lat=lat,
        lon=lon,
    )
    publish_post(vacancy)
    db.add_all([offer, organisation, vacancy])
    db.flush()
    match = Match(request_id=open_item.id, volunteer_id=people["volunteer"].id)
    referral = Referral(
        consultant_id=people["consultant"].id,
        resident_name=f"Riet {tag}",
        postcode=postcode,
        house_number="1",
        consent_date=utcnow().date(),
        category_id=1,
        title=f"Boodschappen {tag}",
        description="Hulp bij de boodschappen",
        code=f"{slug[:4].upper()}CODE",
        expires_at=utcnow() + timedelta(days=30),
    )
    checkin = Checkin(
        carer_id=people["carer"].id,
        due_on=utcnow().date(),
        answered_at=utcnow(),
        answer=CheckinAnswer.HEAVY,
        note=f"Zwaar {tag}",
    )
    db.add_all([match, referral, checkin])
    db.flush()
    task = StaffTask(
        key=f"tenancy:{slug}", kind=TaskKind.REQUEST_UNMATCHED, person=resident, request=open_item
    )
    checkin_task = StaffTask(
        key=f"tenancy-checkin:{slug}",
        kind=TaskKind.CHECKIN_HEAVY,
        person=people["carer"],
        checkin=checkin,
    )
    call_task = StaffTask(
        key=f"tenancy-call:{slug}",
        kind=TaskKind.CALL_PERSON,
        person=resident,
        detail=f"Bel {tag}\n\nSanne komt dinsdag.",
    )
    report = Report(
        reporter_id=people["volunteer"].id,
        subject_type="help_requests",
        subject_id=open_item.id,
        reason=f"Melding {tag}",
    )
    db.add_all([task, checkin_task, call_task, report])
    record(db, people["staff"], "help_requests.edited", open_item, f"Nagekeken {tag}")
    record(db, people["staff"], "users.viewed", resident, f"Bekeken {tag}")
    db.commit()
    token = issue_token(
        db,
        people["admin"],
        name=f"Koppeling {tag}",
        user=people["consultant"],
        scopes=[Scope.CREATE_REFERRALS],
    ).token
    ids = {
        "open_id": open_item.id,
        "pending_id": pending.id,
        "cancel_id": to_cancel.id,
        "approve_id": to_approve.id,
        "resident_id": resident.id,
        "volunteer_id": people["volunteer"].id,
        "report_id": report.id,
        "offer_id": offer.id,
        "vacancy_id": vacancy.id,
        "organisation_id": organisation.id,
        "match_id": match.id,
        "task_id": task.id,
        "checkin_task_id": checkin_task.id,
        "call_task_id": call_task.id,
        "referral_id": referral.id,
        "token_id": token.id,
        "slug": slug,
        "wijk_id": db.scalar(
            select(Neighbourhood.id)
            .join(Municipality)
            .where(Municipality.slug == slug)
            .order_by(Neighbourhood.id)
        ),
    }
    return people, ids


@pytest.fixture
def two_towns(app, db, make_user, meppel, westerveld):
    """Meppel and Westerveld with one of everything each, and a regional admin of both."""
    with app.app_context():
        towns = {slug: _town(db, make_user, slug) for slug in TOWNS}
        regional = make_user(
            Role.ADMIN,
            Role.STAFF,
            email="regio@example.nl",
            name="Regio Beheer",
            postcode="7941 AB",
        )
        set_served(db, regional, [meppel.id, westerveld.id])
        db.commit()
    return towns, regional


def _client(app, email):
    client = app.test_client()
    assert AuthActions(Forms(client)).login(email).status_code == 302, email
    return client


def _open(client, method, url):
    if method == "GET":
        return client.get(url)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def _other(slug):
    return next(other for other in TOWNS if other != slug)


@pytest.mark.parametrize("slug", list(TOWNS))
@pytest.mark.parametrize("role", BACK_OFFICE)
def test_the_back_office_of_one_municipality_sees_nothing_of_the_other(
    app, db, two_towns, slug, role
):
    towns, _regional = two_towns
    people, ids = towns[slug]
    other = _other(slug)
    _other_people, other_ids = towns[other]
    own_tag, other_tag = TOWNS[slug]["tag"], TOWNS[other]["tag"]
    client = _client(app, people[role].email)
    for endpoint, (method, path, roles) in TENANCY.items():
        if role not in roles:
            continue
        if "{" not in path:
            page = _open(client, method, path)
            text = page.get_data(as_text=True)
            assert page.status_code == 200, (endpoint, role, page.status_code)
            assert other_tag not in text, (endpoint, slug, role, "shows the other town")
            if endpoint in SHOWS_OWN:
                assert own_tag in text, (endpoint, slug, role, "shows nothing of its own")
            continue
        theirs = _open(client, method, path.format(**other_ids))
        assert theirs.status_code == NOT_FOUND, (endpoint, slug, role, theirs.status_code)
        if method == "GET":
            mine = client.get(path.format(**ids))
            assert mine.status_code != NOT_FOUND, (endpoint, slug, role)
            assert other_tag not in mine.get_data(as_text=True), (endpoint, slug, role)
    # The pages that the walk above cannot reach by a table row.
    for url in (f"/taken/{other_ids['checkin_task_id']}", f"/mensen/{other_ids['volunteer_id']}"):
        if role in ("staff", "admin"):
            assert client.get(url).status_code == NOT_FOUND, (url, slug, role)
    # Nothing of the other town changed by all those POSTs.
    db.expire_all()
    assert db.get(HelpRequest, other_ids["approve_id"]).state == RequestState.PENDING
    assert db.get(HelpRequest, other_ids["cancel_id"]).state == RequestState.PENDING
    assert db.get(StaffTask, other_ids["task_id"]).claimed_by_id is None
    assert db.get(Match, other_ids["match_id"]).state == MatchState.OFFERED
    assert db.get(Organisation, other_ids["organisation_id"]).verified_at is not None
    assert db.get(Neighbourhood, other_ids["wijk_id"]) is not None


def test_a_regional_admin_sees_both_municipalities(app, two_towns):
    towns, regional = two_towns
    client = _client(app, regional.email)
    for endpoint, (method, path, roles) in TENANCY.items():
        if "admin" not in roles or method != "GET":
            continue
        if "{" not in path:
            text = client.get(path).get_data(as_text=True)
            if endpoint in SHOWS_OWN:
                for town in TOWNS.values():
                    assert town["tag"] in text, (endpoint, town["tag"])
            continue
        for _people, ids in towns.values():
            assert client.get(path.format(**ids)).status_code != NOT_FOUND, endpoint


def test_a_volunteer_across_the_border_is_handled_by_the_askers_staff(app, db, two_towns):
    """A Meppel volunteer helping in Havelte shows in Westerveld's view of the request;
    Meppel's staff cannot confirm that match."""
    towns, _regional = two_towns
    meppel_people, _ = towns["meppel"]
    westerveld_people, westerveld_ids = towns["westerveld"]
    helper = meppel_people["volunteer"]
    match = Match(request_id=westerveld_ids["open_id"], volunteer_id=helper.id)
    db.add(match)
    db.commit()
    page = _client(app, westerveld_people["staff"].email).get(
        f"/hulpvragen/{westerveld_ids['open_id']}"
    )
    assert helper.name in page.get_data(as_text=True)
    meppel_staff = _client(app, meppel_people["staff"].email)
    assert _open(meppel_staff, "POST", f"/aanmeldingen/{match.id}/bevestigen").status_code == 404
    westerveld_staff = _client(app, westerveld_people["staff"].email)
    response = _open(westerveld_staff, "POST", f"/aanmeldingen/{match.id}/bevestigen")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Match, match.id).state == MatchState.CONFIRMED


def test_municipality_settings_are_only_for_its_own_admins(app, two_towns):
    towns, regional = two_towns
    meppel_admin = _client(app, towns["meppel"][0]["admin"].email)
    assert meppel_admin.get("/beheer/instellingen").status_code == 200
    with meppel_admin.session_transaction() as session:
        session["gemeente"] = "westerveld"
    assert meppel_admin.get("/beheer/instellingen").status_code == 404
    regional_admin = _client(app, regional.email)
    with regional_admin.session_transaction() as session:
        session["gemeente"] = "westerveld"
    assert regional_admin.get("/beheer/instellingen").status_code == 200


def test_an_admin_says_which_municipalities_a_staff_member_works_for(
    app, db, two_towns, meppel, westerveld
):
    towns, regional = two_towns
    staff = towns["meppel"][0]["staff"]
    client = _client(app, regional.email)
    forms = Forms(client)
    page = client.get(f"/beheer/gebruikers/{staff.id}/rollen").get_data(as_text=True)
    assert "Westerveld" in page
    response = forms.post(
        f"/beheer/gebruikers/{staff.id}/rollen",
        {"roles": ["staff"], "municipalities": [str(meppel.id), str(westerveld.id)]},
        page=f"/beheer/gebruikers/{staff.id}/rollen",
    )
    assert response.status_code == 302
    # Now the Meppel coordinator opens a Westerveld person's page.
    westerveld_resident = towns["westerveld"][1]["resident_id"]
    assert _client(app, staff.email).get(f"/mensen/{westerveld_resident}").status_code == 200
    db.expire_all()
    assert db.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "users.municipalities_changed", AuditEvent.person_id == staff.id
        )
    )
    # An admin of Meppel alone has no choice to make, and cannot reach Westerveld's staff.
    meppel_admin = _client(app, towns["meppel"][0]["admin"].email)
    own_page = meppel_admin.get(f"/beheer/gebruikers/{staff.id}/rollen").get_data(as_text=True)
    assert "Werkt voor de gemeenten" not in own_page
    westerveld_staff = towns["westerveld"][0]["staff"]
    assert meppel_admin.get(f"/beheer/gebruikers/{westerveld_staff.id}/rollen").status_code == 404


def test_a_request_posted_for_a_resident_belongs_to_the_residents_municipality(
    app, db, two_towns, westerveld
):
    """A Meppel coordinator takes a call from Havelte and posts for the caller: the request
    is Westerveld's, and Westerveld's staff handle it."""
    from tests.integration.test_help_requests import request_data

    towns, _regional = two_towns
    forms = Forms(_client(app, towns["meppel"][0]["staff"].email))
    data = request_data(
        posted_for="resident",
        title="Ramen lappen in Havelte",
        postcode="7971 BK",
        resident_name="Mevrouw Kok",
        resident_contact="0521 123456",
        consent_date=utcnow().date().isoformat(),
        outside_municipality="y",
    )
    response = forms.post("/hulpvragen/nieuw", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 302, page[page.find("<main") :][:3000]
    item = db.scalar(select(HelpRequest).where(HelpRequest.title == "Ramen lappen in Havelte"))
    assert item.municipality_id == westerveld.id
    westerveld_staff = _client(app, towns["westerveld"][0]["staff"].email)
    assert "Ramen lappen in Havelte" in westerveld_staff.get("/beheer/te-beoordelen").get_data(
        as_text=True
    )


def test_an_admin_issues_api_tokens_only_for_the_back_office_of_their_municipalities(
    app, db, two_towns
):
    towns, regional = two_towns
    westerveld_consultant = towns["westerveld"][0]["consultant"]
    data = {
        "name": "Proef",
        "email": westerveld_consultant.email,
        "scopes": ["referrals:write"],
        "expires_on": (utcnow() + timedelta(days=30)).date().isoformat(),
    }
    meppel_admin = Forms(_client(app, towns["meppel"][0]["admin"].email))
    page = meppel_admin.post("/beheer/api-sleutels", data).get_data(as_text=True)
    assert "Er is geen account met dit e-mailadres." in page
    assert db.scalar(select(ApiToken.id).where(ApiToken.name == "Proef")) is None
    response = Forms(_client(app, regional.email)).post("/beheer/api-sleutels", data)
    assert response.status_code == 200
    assert db.scalar(select(ApiToken.id).where(ApiToken.name == "Proef")) is not None

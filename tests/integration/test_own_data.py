"""Own your data: the download holds every row about you; deleting leaves nothing of you.

The tables with personal data are derived from the models: users, and every table with
a column pointing to users. A new such table or column fails these tests until the
export (voorelkaar/account/export.py) covers it.
"""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from sqlalchemy import Enum, String, event, select
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD, TOTP_SECRET
from voorelkaar.account.export import SECTIONS, export_data
from voorelkaar.account.jobs import apply_retention
from voorelkaar.account.services import ANONYMOUS_NAME, LastAdmin, delete_account
from voorelkaar.audit import record
from voorelkaar.db import Base
from voorelkaar.models import (
    ApiToken,
    AuditEvent,
    CarerProfile,
    Checkin,
    CheckinAnswer,
    ContactKind,
    ContactNote,
    FormToken,
    HelpRequest,
    KeptForm,
    Match,
    MatchMessage,
    MatchState,
    MunicipalityStaff,
    NetworkCheck,
    NetworkMember,
    Notice,
    Offer,
    OfferReply,
    Organisation,
    OrganisationMember,
    OutboxMessage,
    PostedFor,
    Referral,
    Report,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
    User,
    UserSession,
    Vacancy,
    VacancyResponse,
    VolunteerSlot,
)
from voorelkaar.second_factor.services import new_recovery_codes, use_recovery_code

NAME = "Riek Jansen"
FIRST_NAME = "Riek"
EMAIL = "riek@example.nl"
PHONE = "+31612345678"
POSTCODE = "7943 XQ"  # nobody else in these tests lives here
HOUSE_NUMBER = "12A"
STREET = "Zuiderboslaan"


def user_fk_columns() -> dict[str, list[str]]:
    """Every table with personal data, and its columns that point to users."""
    found = {"users": []}
    for table in Base.metadata.sorted_tables:
        columns = [
            column.name
            for column in table.columns
            if any(fk.column.table.name == "users" for fk in column.foreign_keys)
        ]
        if columns:
            found[table.name] = columns
    return found


def text_values(db):
    """(table, column, value) for every text value in the database."""
    for table in Base.metadata.sorted_tables:
        columns = [
            c for c in table.columns if isinstance(c.type, String) and not isinstance(c.type, Enum)
        ]
        if not columns:
            continue
        for row in db.execute(select(*columns)).all():
            for column, value in zip(columns, row, strict=True):
                if value:
                    yield table.name, column.name, value


@pytest.fixture
def riek(db, make_user):
    user = make_user(
        Role.RESIDENT,
        Role.VOLUNTEER,
        Role.CARER,
        Role.STAFF,
        Role.CONSULTANT,
        Role.ORGANISATION,
        email=EMAIL,
        name=NAME,
        postcode=POSTCODE,
    )
    user.phone = PHONE
    user.house_number = HOUSE_NUMBER
    user.street = STREET
    db.add(MunicipalityStaff(user_id=user.id, municipality_id=user.municipality_id))
    db.commit()
    return user


def _request(author, *, title, state=RequestState.OPEN, postcode="7941 AB", house="1"):
    start = datetime.now(UTC) + timedelta(days=3)
    return HelpRequest(
        author=author,
        category_id=1,
        title=title,
        description=f"Graag hulp. Bel {author.name}.",
        postcode=postcode,
        house_number=house,
        street=author.street,
        pc4=postcode[:4],
        lat=52.7,
        lon=6.2,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        state=state,
        published_at=datetime.now(UTC),
    )


@pytest.fixture
def world(db, riek, make_user):
    """Riek in every table that can point to her, with Sanne and Henk on the other side."""
    sanne = make_user(Role.VOLUNTEER, email="sanne@example.nl", name="Sanne de Vries")
    henk = make_user(Role.RESIDENT, Role.VOLUNTEER, email="henk@example.nl", name="Henk Bakker")
    staff = make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani")

    open_request = _request(riek, title="Boodschappen voor Riek", postcode=POSTCODE, house="12A")
    done_request = _request(
        riek, title="Wandelen", state=RequestState.DONE, postcode=POSTCODE, house="12A"
    )
    henks_request = _request(henk, title="Tuin van Henk", state=RequestState.MATCHED)
    henks_request.confirmed_count = 1
    # Staff posted one for Riek from her person page: her record is on it.
    for_riek = _request(staff, title="Voor Riek geplaatst", postcode=POSTCODE, house="12A")
    for_riek.posted_for, for_riek.resident, for_riek.resident_name = (
        PostedFor.RESIDENT,
        riek,
        riek.name,
    )
    for_riek.description = "Graag hulp bij de boodschappen."
    db.add_all([open_request, done_request, henks_request, for_riek])
    db.flush()
    offered = Match(request_id=open_request.id, volunteer_id=sanne.id, state=MatchState.OFFERED)
    done = Match(
        request_id=done_request.id, volunteer_id=sanne.id, state=MatchState.DONE, hours=2.0
    )
    helping = Match(
        request_id=henks_request.id,
        volunteer_id=riek.id,
        state=MatchState.CONFIRMED,
        note=f"Riek neemt gereedschap mee, {PHONE}",
    )
    # Riek asked Sanne to help Henk (as if she were staff).
    invited = Match(
        request_id=henks_request.id,
        volunteer_id=sanne.id,
        state=MatchState.INVITED,
        invited_by_id=riek.id,
    )
    db.add_all([offered, done, helping, invited])
    db.flush()
    db.add_all(
        [
            Notice(
                key="n:1",
                user_id=riek.id,
                kind="match_confirmed",
                actor_id=henk.id,
                request_id=henks_request.id,
                match_id=helping.id,
            ),
            Notice(
                key="n:2",
                user_id=sanne.id,
                kind="offer_refused",
                actor_id=riek.id,
                request_id=open_request.id,
                match_id=offered.id,
            ),
        ]
    )
    db.add_all(
        [
            MatchMessage(match_id=helping.id, sender_id=riek.id, body=f"Bel me op {PHONE}."),
            MatchMessage(match_id=helping.id, sender_id=henk.id, body="Dag Riek, tot dinsdag!"),
            MatchMessage(match_id=done.id, sender_id=sanne.id, body="Het was gezellig, Riek."),
        ]
    )
    my_offer = Offer(
        author=riek,
        category_id=1,
        title="Ik wandel graag",
        description=f"Groet, {NAME}",
        pc4="7943",
        lat=52.7,
        lon=6.2,
        state=RequestState.OPEN,
    )
    henks_offer = Offer(
        author=henk,
        category_id=1,
        title="Klusjes",
        description="Ik klus.",
        pc4="7941",
        lat=52.7,
        lon=6.2,
        state=RequestState.OPEN,
    )
    db.add_all([my_offer, henks_offer])
    db.flush()
    db.add_all(
        [
            OfferReply(offer_id=henks_offer.id, author_id=riek.id, message=f"Mail {EMAIL}"),
            OfferReply(offer_id=my_offer.id, author_id=henk.id, message="Leuk, Riek!"),
        ]
    )
    organisation = Organisation(name="Zorgcentrum De Schutse", verified_by_id=riek.id)
    db.add(organisation)
    db.flush()
    db.add(OrganisationMember(organisation_id=organisation.id, user_id=riek.id))
    vacancy = Vacancy(
        organisation_id=organisation.id,
        author_id=riek.id,
        contact_id=riek.id,
        title="Gastvrouw",
        description="Koffie schenken.",
        hours="2 uur per week",
        pc4="7941",
        lat=52.7,
        lon=6.2,
    )
    db.add(vacancy)
    db.flush()
    db.add(VacancyResponse(vacancy_id=vacancy.id, volunteer_id=riek.id, message=f"Ik ben {NAME}"))
    db.add_all(
        [
            Report(reporter_id=riek.id, subject_type="users", subject_id=henk.id, reason="Raar."),
            Report(
                reporter_id=henk.id,
                subject_type="users",
                subject_id=riek.id,
                reason=f"{NAME} reageert niet",
                handled_by_id=riek.id,
                handled_at=datetime.now(UTC),
            ),
            AuditEvent(actor_id=riek.id, action="test.done", subject_type="users", subject_id=1),
            OutboxMessage(
                idempotency_key="test:1",
                message_id="<test-1@voorelkaar.nl>",
                user_id=riek.id,
                to_address=EMAIL,
                subject="Welkom",
                body_text=f"Beste {FIRST_NAME}, welkom.",
                kind="test",
            ),
            OutboxMessage(
                idempotency_key="test:2",
                message_id="<test-2@voorelkaar.nl>",
                user_id=henk.id,
                to_address="henk@example.nl",
                subject="Bericht van Riek",
                body_text=f"Riek schreef: bel {PHONE}.\nAdres: {POSTCODE} {HOUSE_NUMBER}",
                kind="message",
            ),
        ]
    )
    record(db, staff, "people.viewed", riek, f"dossier van {NAME}")
    db.add_all(
        [
            StaffTask(key="t:1", kind=TaskKind.CHECKIN_HEAVY, person_id=riek.id, detail="Zwaar"),
            StaffTask(
                key="t:2",
                kind=TaskKind.REQUEST_UNMATCHED,
                person_id=henk.id,
                claimed_by_id=riek.id,
                closed_by_id=riek.id,
                detail="Henk wacht",
            ),
            CarerProfile(
                user_id=riek.id,
                next_checkin_on=date.today(),
                cared_for_name="Jan",
                relation="mijn man",
                health_note="Jan heeft dementie.",
                health_consent_at=datetime.now(UTC),
                health_consent_text="Ik geef toestemming.",
            ),
            Checkin(carer_id=riek.id, due_on=date.today(), answer=CheckinAnswer.HEAVY, note="Moe"),
            ContactNote(
                person_id=riek.id, author_id=staff.id, kind=ContactKind.PHONE, body="Gebeld."
            ),
            ContactNote(
                person_id=henk.id, author_id=riek.id, kind=ContactKind.VISIT, body="Henk bezocht."
            ),
            VolunteerSlot(user_id=riek.id, weekday=1, start_time=time(14), end_time=time(16)),
            # Henk is in Riek's network, and Riek joined Henk's.
            NetworkMember(
                owner_id=riek.id,
                first_name="Henk",
                relation="buren",
                closeness=1,
                reach="woont naast mij",
                categories="klussen",
                member_user_id=henk.id,
            ),
            NetworkMember(
                owner_id=henk.id,
                first_name="Riek",
                relation="buren",
                closeness=1,
                categories="",
                member_user_id=riek.id,
            ),
            NetworkCheck(owner_id=riek.id, answers={"ziek": []}, gaps=6),
            UserSession(user_id=riek.id, token_hash="0" * 64),
            KeptForm(
                key_hash="4" * 64,
                user_id=riek.id,
                fields='[["description", "Graag hulp met de boodschappen."]]',
            ),
            FormToken(
                user_id=riek.id,
                token="t" * 32,
                created_kind="help_requests",
                created_id=1,
                digest="3" * 64,
            ),
            # A key a system uses for Riek, and one Riek issued (as if she were an admin).
            ApiToken(
                name="Zaaksysteem",
                token_hash="1" * 64,
                prefix="abc",
                scopes="referrals:write",
                user_id=riek.id,
                created_by_id=staff.id,
                expires_at=datetime.now(UTC) + timedelta(days=30),
            ),
            ApiToken(
                name="Figuren",
                token_hash="2" * 64,
                prefix="def",
                scopes="figures:read",
                user_id=staff.id,
                created_by_id=riek.id,
                expires_at=datetime.now(UTC) + timedelta(days=30),
            ),
        ]
    )
    referral_fields = dict(
        postcode=POSTCODE,
        house_number=HOUSE_NUMBER,
        consent_date=date.today(),
        category_id=1,
        title="Hulp bij boodschappen",
        description="Mevrouw kan niet meer fietsen.",
        expires_at=datetime.now(UTC) + timedelta(days=30),
    )
    db.add_all(
        [
            Referral(
                consultant_id=staff.id,
                account_id=riek.id,
                resident_name=NAME,
                email=EMAIL,
                phone=PHONE,
                code="CODE0001",
                **referral_fields,
            ),
            Referral(
                consultant_id=riek.id,
                resident_name="Henk Bakker",
                email="henk@example.nl",
                code="CODE0002",
                **referral_fields | {"postcode": "7941 AB", "house_number": "3"},
            ),
        ]
    )
    db.commit()
    # Riek works in the back office, so she logs in with a code (TOTP_SECRET) too.
    codes = new_recovery_codes(db, riek)
    use_recovery_code(db, riek, codes[0])
    return {
        "riek": riek,
        "sanne": sanne,
        "henk": henk,
        "staff": staff,
        "done": done,
        "recovery_codes": codes,
    }


def test_every_table_that_points_to_users_is_in_the_export():
    sections = {section.table: set(section.covers) for section in SECTIONS}
    for table, columns in user_fk_columns().items():
        assert table in sections, f"{table} points to users but is not in the export"
        missing = set(columns) - sections[table]
        assert not missing, f"{table}.{missing} point to users but the export does not cover them"


def test_the_download_holds_every_row_that_refers_to_me(world, db, in_app):
    riek = world["riek"]
    with in_app():
        data = export_data(db, riek)
    json.dumps(data)  # it must be valid JSON as it is
    exported = data["tabellen"]
    for table_name, columns in user_fk_columns().items():
        table = Base.metadata.tables[table_name]
        (key,) = table.primary_key.columns
        got = {row[key.name] for row in exported[table_name]}
        if table_name == "users":
            assert got == {riek.id}
        for column in columns:
            wanted = set(db.scalars(select(key).where(table.c[column] == riek.id)))
            assert wanted, f"the test data has no {table_name} row for Riek by {column}: add one"
            missing = wanted - got
            assert not missing, f"{table_name} rows {missing} ({column}) are not in the export"


def _member_and_applicant(db, user, number: int) -> None:
    organisation = Organisation(name=f"Organisatie {number}")
    db.add(organisation)
    db.flush()
    vacancy = Vacancy(
        organisation_id=organisation.id,
        author_id=user.id,
        title=f"Vacature {number}",
        description="Koffie schenken.",
        hours="2 uur per week",
        pc4="7941",
        lat=52.7,
        lon=6.2,
    )
    db.add_all([OrganisationMember(organisation_id=organisation.id, user_id=user.id), vacancy])
    db.flush()
    db.add(VacancyResponse(vacancy_id=vacancy.id, volunteer_id=user.id, message="Graag."))
    db.commit()


def _queries_for_section(engine, table: str, user_id: int) -> int:
    """How many statements one section of the download runs, from a fresh session."""
    (section,) = [s for s in SECTIONS if s.table == table]
    statements = []

    def count(*_args):
        statements.append(1)

    with Session(engine) as fresh:  # nothing loaded yet, as in the download's request
        user = fresh.get(User, user_id)
        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = section.rows(fresh, user)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert all(row["organisatie"] for row in rows)
    return len(statements)


def test_the_download_reads_organisations_and_vacancies_without_a_query_per_row(app, db, riek):
    engine = app.extensions["voorelkaar.engine"]
    tables = ("organisation_members", "vacancy_responses")
    _member_and_applicant(db, riek, 1)
    with_one = {table: _queries_for_section(engine, table, riek.id) for table in tables}
    for number in (2, 3, 4):
        _member_and_applicant(db, riek, number)
    with_four = {table: _queries_for_section(engine, table, riek.id) for table in tables}
    assert with_four == with_one


def test_the_download_is_a_file_without_secrets_or_other_peoples_details(world, client, auth):
    auth.login(EMAIL)
    response = client.get("/mijn-gegevens/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    data = json.loads(text)
    assert data["tabellen"]["users"][0]["email"] == EMAIL
    assert data["tabellen"]["carer_profiles"][0]["health_note"] == "Jan heeft dementie."
    assert "Gebeld." in text  # a staff note about me is mine to read
    for secret in ("password_hash", "token_hash", "argon2", "CODE0001"):
        assert secret not in text
    # Nothing of the second factor that could make a code or log in: not the app's secret
    # (plain or encrypted), nor a recovery code or its hash.
    riek = world["riek"]
    assert data["tabellen"]["users"][0]["totp_enabled_at"]
    for secret in (TOTP_SECRET, riek.totp_secret, "totp_secret", "code_hash"):
        assert secret not in text
    for code in world["recovery_codes"]:
        assert code not in text and code.replace("-", "") not in text
    assert len(data["tabellen"]["recovery_codes"]) == 10
    for other in ("Henk Bakker", "henk@example.nl", "Fatima", "Henk bezocht", "Henk wacht"):
        assert other not in text
    assert "Henk" in text  # a counterpart by first name only


def test_the_page_lists_consents_and_links_to_the_carer_page(world, client, auth):
    auth.login(EMAIL)
    html = client.get("/mijn-gegevens").get_data(as_text=True)
    assert "/mantelzorg/zorgsituatie" in html
    assert "Notitie over gezondheid: u gaf toestemming" in html
    assert "/instellingen/e-mail" in html
    assert "Verwijzing" in html
    assert 'href="/mijn-gegevens"' in client.get("/profiel").get_data(as_text=True)


def test_a_wrong_password_deletes_nothing(world, client, forms, auth, db):
    auth.login(EMAIL)
    response = forms.post("/mijn-gegevens/verwijderen", {"password": "niet mijn wachtwoord"})
    assert response.status_code == 422
    assert "Dit is niet uw wachtwoord" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, world["riek"].id).anonymised_at is None


def test_after_deleting_nothing_of_me_is_left_and_counterparts_are_told(
    world, app, client, forms, auth, db
):
    riek = world["riek"]
    auth.login(EMAIL)
    other_browser = app.test_client()
    AuthLogin = type(auth)
    from tests.conftest import Forms

    AuthLogin(Forms(other_browser)).login(EMAIL)
    old_cookie = client.get_cookie("voorelkaar_session").value
    assert other_browser.get("/mijn-gegevens").status_code == 200

    response = forms.post("/mijn-gegevens/verwijderen", {"password": PASSWORD})
    assert response.status_code == 302
    assert "Uw account is verwijderd" in client.get("/").get_data(as_text=True)

    # Cannot log in, and no old session works: not on the other device, not a replayed cookie.
    assert auth.login(EMAIL).status_code == 422
    assert other_browser.get("/mijn-gegevens").status_code == 302
    replay = app.test_client()
    replay.set_cookie("voorelkaar_session", old_cookie)
    assert replay.get("/mijn-gegevens").status_code == 302

    # The name, email, phone and address are gone from every text column of every table.
    db.expire_all()
    for table, column, value in text_values(db):
        for gone in (NAME, FIRST_NAME, EMAIL, PHONE, POSTCODE, POSTCODE.replace(" ", ""), STREET):
            assert gone.lower() not in value.lower(), f"{gone!r} still in {table}.{column}"

    user = db.get(User, riek.id)
    assert user.name == ANONYMOUS_NAME and user.anonymised_at is not None
    assert user.email == f"verwijderd-{riek.id}@invalid"
    assert user.roles == [] and user.phone is None
    assert db.get(CarerProfile, riek.id) is None
    assert not db.scalars(select(Checkin).where(Checkin.carer_id == riek.id)).all()
    assert not db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == riek.id)).all()
    assert not db.scalars(select(FormToken).where(FormToken.user_id == riek.id)).all()

    # What others need to keep is kept, without Riek.
    done = db.get(Match, world["done"].id)
    assert done.state == MatchState.DONE and done.request.title != "Wandelen"
    messages = db.scalars(select(MatchMessage).where(MatchMessage.sender_id == riek.id)).all()
    assert messages and all(PHONE not in m.body for m in messages)

    # Open requests and matches are called off, and the other side hears it.
    requests = db.scalars(select(HelpRequest).where(HelpRequest.author_id == riek.id)).all()
    assert {r.state for r in requests} == {RequestState.CANCELLED, RequestState.DONE}
    henks = db.scalars(select(HelpRequest).where(HelpRequest.author_id == world["henk"].id)).one()
    assert henks.state == RequestState.OPEN and henks.confirmed_count == 0
    told = {
        (m.user_id, m.kind)
        for m in db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "account_deleted"))
    }
    assert told == {(world["sanne"].id, "account_deleted"), (world["henk"].id, "account_deleted")}


def test_the_only_admin_cannot_delete_their_account(db, admin, in_app):
    with in_app(), pytest.raises(LastAdmin):
        delete_account(db, admin, PASSWORD)


# Retention, with the clock under control.

START = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


def retention(db, in_app, at: datetime) -> int:
    with time_machine.travel(at, tick=False), in_app():
        return apply_retention(db, at)


def warnings_for(db, user) -> list[OutboxMessage]:
    return db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.user_id == user.id, OutboxMessage.kind == "retention_warning"
        )
    ).all()


@pytest.fixture
def quiet(db, make_user):
    """Accounts made on START that never logged in again."""
    with time_machine.travel(START, tick=False):
        return {
            "gone": make_user(email="weg@example.nl", name="Gerrit Weg", postcode=POSTCODE),
            "back": make_user(email="terug@example.nl", name="Tineke Terug"),
            "staff": make_user(Role.STAFF, email="staf@example.nl", name="Fatima El Amrani"),
        }


def test_an_inactive_account_is_warned_once_a_month_before_and_anonymised_after(quiet, db, in_app):
    gone, back, staff = quiet["gone"], quiet["back"], quiet["staff"]
    assert retention(db, in_app, START + relativedelta(months=22)) == 0
    assert warnings_for(db, gone) == []

    warned_at = START + relativedelta(months=23, days=1)
    retention(db, in_app, warned_at)
    retention(db, in_app, warned_at + timedelta(hours=1))
    retention(db, in_app, warned_at + timedelta(days=7))
    (warning,) = warnings_for(db, gone)
    assert "Log dan in" in warning.body_text
    assert len(warnings_for(db, back)) == 1
    assert warnings_for(db, staff) == []

    # Tineke logs in after the warning; Gerrit does not.
    with time_machine.travel(warned_at + timedelta(days=3), tick=False):
        db.get(User, back.id).last_login_at = datetime.now(UTC)
        db.commit()

    retention(db, in_app, START + relativedelta(months=24, days=2))
    db.expire_all()
    gone, back, staff = (db.get(User, u.id) for u in (gone, back, staff))
    assert gone.anonymised_at is not None and gone.name == ANONYMOUS_NAME
    assert back.anonymised_at is None and back.name == "Tineke Terug"
    assert staff.anonymised_at is None
    for table, column, value in text_values(db):
        assert "weg@example.nl" not in value, f"email still in {table}.{column}"
        assert POSTCODE not in value, f"postcode still in {table}.{column}"


def test_an_account_is_not_anonymised_without_a_warning_first(quiet, db, in_app):
    # The scheduler was down when the warning was due: the month of notice still counts.
    late = START + relativedelta(months=25)
    retention(db, in_app, late)
    db.expire_all()
    assert db.get(User, quiet["gone"].id).anonymised_at is None
    assert len(warnings_for(db, quiet["gone"])) == 1
    retention(db, in_app, late + relativedelta(months=1, days=1))
    db.expire_all()
    assert db.get(User, quiet["gone"].id).anonymised_at is not None


def test_closed_requests_lose_address_and_story_after_the_retention_period(db, make_user, in_app):
    with time_machine.travel(START, tick=False):
        author = make_user(email="vrager@example.nl", name="Vera Vrager")
        closed = _request(author, title="Oude vraag", state=RequestState.DONE, postcode=POSTCODE)
        still_open = _request(author, title="Nog open", postcode=POSTCODE)
        db.add_all([closed, still_open])
        db.commit()
    with time_machine.travel(START + relativedelta(months=12), tick=False):
        recent = _request(author, title="Recent klaar", state=RequestState.DONE)
        db.add(recent)
        db.commit()

    retention(db, in_app, START + relativedelta(months=24, days=1))
    db.expire_all()
    closed, still_open, recent = (db.get(HelpRequest, r.id) for r in (closed, still_open, recent))
    assert closed.postcode == "" and closed.description == "" and closed.title != "Oude vraag"
    assert closed.category_id == 1 and closed.pc4 == "7943"  # still counted in the figures
    assert still_open.postcode == POSTCODE and still_open.title == "Nog open"
    assert recent.title == "Recent klaar"

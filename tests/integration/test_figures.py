"""The figures page: a known set of requests, matches, check-ins, tasks and referrals over
two wijken and two months, and every number as staff see it, in the table and the CSV."""

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from voorelkaar.db import utcnow
from voorelkaar.figures import rollups, services, tables
from voorelkaar.figures.forms import month_choices
from voorelkaar.models import (
    Checkin,
    CheckinAnswer,
    HelpRequest,
    Match,
    MatchState,
    Municipality,
    Neighbourhood,
    PostedFor,
    Referral,
    RequestState,
    Role,
    StaffTask,
    TaskKind,
    User,
)

MONTHS = month_choices(utcnow().date())
FIRST, SECOND = MONTHS[3], MONTHS[2]  # two whole months in the past, oldest first
OLDER = MONTHS[6]  # outside the chosen period


def on(month: date, day: int, hour: int = 12) -> datetime:
    return datetime(month.year, month.month, day, hour, tzinfo=UTC)


@pytest.fixture
def wijken(db, meppel):
    return {n.name: n for n in db.scalars(select(Neighbourhood))}


@pytest.fixture
def seeded(db, make_user, wijken):
    """The known set; the numbers in the tests below follow from it."""
    centrum, havelte = wijken["Centrum"], wijken["Haveltermade"]
    asker = make_user(Role.RESIDENT, email="vrager@example.nl")
    helpers = [make_user(Role.VOLUNTEER, email=f"helper{i}@example.nl") for i in range(6)]

    def request(wijk, month, *, posted_for=PostedFor.SELF, state=RequestState.OPEN, category=1):
        item = HelpRequest(
            author_id=asker.id,
            category_id=category,
            title="Hulp",
            description="Graag hulp.",
            postcode="7941 AB",
            house_number="1",
            pc4="7941",
            lat=52.69,
            lon=6.19,
            neighbourhood_id=wijk.id,
            state=state,
            posted_for=posted_for,
            created_at=on(month or FIRST, 9),
            published_at=on(month, 10) if month else None,
        )
        db.add(item)
        db.flush()
        return item

    def match(item, helper, *, days, state=MatchState.DONE, ended=None, hours=None):
        db.add(
            Match(
                request_id=item.id,
                volunteer_id=helper.id,
                state=state,
                confirmed_at=item.published_at + timedelta(days=days),
                ended_at=ended,
                hours=hours,
            )
        )

    # Centrum, first month: 6 by residents themselves, 5 of them matched after 1..5 days
    # (done, 2 hours each) and one expired; 2 by carers; 1 after a referral.
    for days, helper in zip(range(1, 6), helpers, strict=False):
        item = request(centrum, FIRST, state=RequestState.DONE)
        match(item, helper, days=days, ended=on(FIRST, 25), hours=2.0)
    request(centrum, FIRST, state=RequestState.EXPIRED)
    for _ in range(2):
        request(centrum, FIRST, posted_for=PostedFor.CARED_FOR)
    referred = request(centrum, FIRST, posted_for=PostedFor.RESIDENT)
    # Haveltermade, second month: 3 requests in another category; one matched after 2 days,
    # done with 3.5 hours; someone else offered and was declined.
    first_helper = helpers[0]
    for index in range(3):
        item = request(havelte, SECOND, category=2)
        if index == 0:
            match(item, first_helper, days=2, ended=on(SECOND, 20), hours=3.5)
            match(item, helpers[5], days=1, state=MatchState.DECLINED)
    # Not counted: never published, and outside the period.
    request(centrum, None, state=RequestState.PENDING)
    request(centrum, OLDER)

    # Check-ins of carers in Centrum: 5 goed, 1 zwaar, 1 unanswered; then 2 het gaat.
    carers = [make_user(Role.CARER, email=f"zorger{i}@example.nl") for i in range(7)]
    answers = [CheckinAnswer.GOOD] * 5 + [CheckinAnswer.HEAVY, None]
    for carer, answer in zip(carers, answers, strict=True):
        db.add(Checkin(carer_id=carer.id, due_on=FIRST, sent_at=on(FIRST, 3), answer=answer))
    for carer in carers[:2]:
        db.add(
            Checkin(
                carer_id=carer.id,
                due_on=SECOND,
                sent_at=on(SECOND, 3),
                answer=CheckinAnswer.COPING,
            )
        )

    # Tasks: 5 closed about carers in the first month, 1 about a request in the second,
    # 1 still open.
    for index, carer in enumerate(carers[:5]):
        db.add(
            StaffTask(
                key=f"heavy:{index}",
                kind=TaskKind.CHECKIN_HEAVY,
                person_id=carer.id,
                closed_at=on(FIRST, 20),
            )
        )
    db.add(
        StaffTask(
            key="unmatched:1",
            kind=TaskKind.REQUEST_UNMATCHED,
            request_id=referred.id,
            closed_at=on(SECOND, 5),
        )
    )
    db.add(StaffTask(key="unmatched:2", kind=TaskKind.REQUEST_UNMATCHED, request_id=referred.id))

    # Referrals from the first month: one posted, five expired, one with an account, one open.
    def referral(code, **fields):
        db.add(
            Referral(
                resident_name="Inwoner",
                postcode="7941 AB",
                house_number="2",
                consent_date=FIRST,
                category_id=1,
                title="Boodschappen",
                description="Hulp bij boodschappen.",
                code=code,
                created_at=on(FIRST, 2),
                expires_at=utcnow() + timedelta(days=10),
                **fields,
            )
        )

    referral("POSTED01", request_id=referred.id)
    for index in range(5):
        referral(f"EXPIRED{index}", expired_at=on(FIRST, 28))
    referral("ACCOUNT1", account_id=asker.id)
    referral("INVITED1")
    db.commit()
    rollups.refresh(db, utcnow())  # what the "cijfers" job does: the page reads rollups


def cells(app, by=services.BY_MONTH, municipality_ids=None, **narrowing):
    """{slug: {row label: cells}} as the page would show them (default: Meppel in view)."""
    with app.test_request_context():
        from voorelkaar.db import get_session

        db = get_session()
        rollups.refresh(db, utcnow())  # the months changed since the fixture's refresh
        if municipality_ids is None:
            municipality_ids = frozenset(
                {db.scalar(select(Municipality.id).where(Municipality.slug == "meppel"))}
            )
        filters = services.Filters(
            FIRST, SECOND, by=by, municipality_ids=frozenset(municipality_ids), **narrowing
        )
        built = tables.build_tables(db, filters)
    return {
        table.definition.slug: {row.label: list(row.cells) for row in (*table.rows, table.total)}
        for table in built
    }


def month_label(month: date) -> str:
    names = (
        "januari februari maart april mei juni juli augustus september oktober november december"
    )
    return f"{names.split()[month.month - 1]} {month.year}"


M1, M2 = month_label(FIRST), month_label(SECOND)


def test_requests_posted_by_who_posted_them_with_small_counts_hidden(app, seeded):
    posted = cells(app)["hulpvragen"]
    # self, by a carer, by staff or a consultant, after a referral, total
    assert posted[M1] == ["6", "< 5", "0", "< 5", "9"]
    assert posted[M2] == ["< 5", "0", "0", "0", "< 5"]
    assert posted["Totaal"] == ["9", "< 5", "0", "< 5", "12"]


def test_matched_share_median_days_and_expired_requests(app, seeded):
    matched = cells(app)["matches"]
    # posted, matched, share, median days, expired unmatched
    assert matched[M1] == ["9", "5", "56%", "3,0", "< 5"]
    assert matched[M2] == ["< 5", "< 5", "te weinig", "te weinig", "0"]
    # days 1, 2, 3, 4, 5 and 2: the median of an even count is the mean of the middle two
    assert matched["Totaal"] == ["12", "6", "50%", "2,5", "< 5"]


def test_active_volunteers_count_each_person_once_and_hours_add_up(app, seeded):
    helping = cells(app)["vrijwilligers"]
    assert helping[M1] == ["5", "10,0"]
    assert helping[M2] == ["< 5", "te weinig"]
    assert helping["Totaal"] == ["5", "13,5"]


def test_carer_checkins_by_answer(app, seeded):
    checkins = cells(app)["mantelzorgers"]
    # goed, het gaat, zwaar, no answer, total
    assert checkins[M1] == ["5", "0", "< 5", "< 5", "7"]
    assert checkins[M2] == ["0", "< 5", "0", "0", "< 5"]
    assert checkins["Totaal"] == ["5", "< 5", "< 5", "< 5", "9"]


def test_staff_tasks_done(app, seeded):
    done = cells(app)["taken"]
    # about requests, about carers, other, total; the open task does not count
    assert done[M1] == ["0", "5", "0", "5"]
    assert done[M2] == ["< 5", "0", "0", "< 5"]
    assert done["Totaal"] == ["< 5", "5", "0", "6"]


def test_referrals_by_outcome(app, seeded):
    outcome = cells(app)["verwijzingen"]
    # invited, account, request posted, matched, done, expired, withdrawn, total
    assert outcome[M1] == ["< 5", "< 5", "< 5", "0", "0", "5", "0", "8"]
    assert outcome[M2] == ["0", "0", "0", "0", "0", "0", "0", "0"]


def test_a_withdrawn_referral_counts_as_withdrawn_not_as_invited_or_expired(app, seeded, db):
    for referral in db.scalars(select(Referral).where(Referral.code.like("EXPIRED%"))):
        referral.withdrawn_at = referral.created_at
    db.commit()
    outcome = cells(app)["verwijzingen"]
    assert outcome[M1] == ["< 5", "< 5", "< 5", "0", "0", "0", "5", "8"]


def test_figures_per_wijk_and_narrowed_to_one_wijk_and_category(app, seeded, wijken):
    per_wijk = cells(app, by=services.BY_WIJK)
    assert per_wijk["hulpvragen"]["Centrum"] == ["6", "< 5", "0", "< 5", "9"]
    assert per_wijk["hulpvragen"]["Haveltermade"] == ["< 5", "0", "0", "0", "< 5"]
    # A referral's wijk is its request's, else that of its own postcode (7941 AB: Centrum),
    # so none is "Wijk onbekend" (issue 15: they were, though the postcode was known).
    assert per_wijk["verwijzingen"]["Centrum"] == ["< 5", "< 5", "< 5", "0", "0", "5", "0", "8"]
    assert "Wijk onbekend" not in per_wijk["verwijzingen"]

    centrum = cells(app, neighbourhood_id=wijken["Centrum"].id)
    assert centrum["hulpvragen"]["Totaal"] == ["6", "< 5", "0", "< 5", "9"]
    assert centrum["vrijwilligers"]["Totaal"] == ["5", "10,0"]

    second_category = cells(app, category_id=2)
    assert second_category["matches"]["Totaal"] == ["< 5", "< 5", "te weinig", "te weinig", "0"]
    # Check-ins have no category: the filter leaves them as they are.
    assert second_category["mantelzorgers"]["Totaal"] == ["5", "< 5", "< 5", "< 5", "9"]


def test_figures_per_municipality_and_per_category(app, seeded):
    per_town = cells(app, by=services.BY_MUNICIPALITY)
    assert per_town["hulpvragen"]["Meppel"] == ["9", "< 5", "0", "< 5", "12"]
    per_category = cells(app, by=services.BY_CATEGORY)
    assert per_category["matches"]["Totaal"] == ["12", "6", "50%", "2,5", "< 5"]
    assert len(per_category["matches"]) == 3  # two categories and the total
    # Check-ins cannot be split by category: only their total.
    assert list(per_category["mantelzorgers"]) == ["Totaal"]


def test_medians_are_computed_in_sql_on_every_backend(app, seeded, db):
    in_view = frozenset({seeded_town(db)})
    matched = services.first_matches(db, services.Filters(FIRST, SECOND, municipality_ids=in_view))
    assert matched.total["median_days"] == pytest.approx(2.5)
    assert matched.groups[FIRST.strftime("%Y-%m")]["median_days"] == pytest.approx(3.0)
    assert matched.groups[SECOND.strftime("%Y-%m")]["median_days"] == pytest.approx(2.0)


def seeded_town(db) -> int:
    return db.scalar(select(Municipality.id).where(Municipality.slug == "meppel"))


def test_nothing_is_counted_without_municipalities_in_view(app, seeded):
    """A caller that forgets the scope sees zeros, never everyone's figures."""
    nothing = cells(app, municipality_ids=frozenset())
    assert nothing["hulpvragen"]["Totaal"] == ["0", "0", "0", "0", "0"]
    assert nothing["mantelzorgers"]["Totaal"] == ["0", "0", "0", "0", "0"]


# -- the page and its CSV files --------------------------------------------------------------

QUERY = {"van": FIRST.strftime("%Y-%m"), "tot": SECOND.strftime("%Y-%m")}


def html_table(page: str, slug: str) -> list[list[str]]:
    start = page.index(f'<caption id="tabel-{slug}">')
    body = page[start : page.index("</table>", start)]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def logged_in_staff(staff, auth):
    auth.login(staff.email)


def test_the_page_shows_each_table_and_its_csv_has_the_same_numbers(
    client, seeded, logged_in_staff
):
    page = client.get("/cijfers", query_string=QUERY).get_data(as_text=True)
    for definition in tables.DEFINITIONS:
        shown = html_table(page, definition.slug)
        assert f'aria-labelledby="grafiek-{definition.slug}-1"' in page
        response = client.get(f"/cijfers/{definition.slug}.csv", query_string=QUERY)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        text = response.get_data(as_text=True).lstrip("\ufeff")
        # The CSV has plain numbers (issue 15): where the page hides a small number, the
        # CSV has an empty cell, and its last column says why.
        written = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert [row[0] for row in written] == [row[0] for row in shown]
        for page_row, csv_row in zip(shown[1:], written[1:], strict=True):
            for page_cell, csv_cell in zip(page_row[1:], csv_row[1:-1], strict=True):
                expected = "" if page_cell in ("< 5", "te weinig", "–") else page_cell
                assert csv_cell == expected.rstrip("%")
    assert html_table(page, "hulpvragen")[0][0] == "Maand"
    assert html_table(page, "hulpvragen")[-1] == ["Totaal", "9", "< 5", "0", "< 5", "12"]


def test_small_counts_never_appear_as_numbers_in_table_chart_or_csv(
    client, seeded, logged_in_staff
):
    page = client.get("/cijfers", query_string={**QUERY, "per": "wijk"}).get_data(as_text=True)
    havelte = [row for row in html_table(page, "hulpvragen") if row[0] == "Haveltermade"]
    assert havelte == [["Haveltermade", "< 5", "0", "0", "0", "< 5"]]
    # The charts write the hidden counts as "< 5" too, and draw no bar for them.
    values = re.findall(r'class="chart__value"[^>]*>([^<]*)<', page)
    assert values and not {"1", "2", "3", "4"} & set(values)
    csv_text = client.get(
        "/cijfers/hulpvragen.csv", query_string={**QUERY, "per": "wijk"}
    ).get_data(as_text=True)
    why = "minder dan 5, niet getoond om mensen te beschermen"
    assert f"Haveltermade;;0;0;0;;{why}" in csv_text and "< 5" not in csv_text


def test_a_wrong_filter_is_explained_and_the_rest_still_works(client, seeded, logged_in_staff):
    response = client.get("/cijfers", query_string={**QUERY, "wijk": "999", "per": "jaar"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies een wijk uit de lijst." in page
    assert "Kies waarop u de cijfers wilt verdelen." in page
    assert html_table(page, "hulpvragen")[-1] == ["Totaal", "9", "< 5", "0", "< 5", "12"]


def test_an_unknown_table_has_no_csv(client, logged_in_staff):
    assert client.get("/cijfers/onbekend.csv").status_code == 404


def test_staff_home_links_to_the_figures(client, logged_in_staff):
    assert 'href="/cijfers"' in client.get("/").get_data(as_text=True)


def test_requests_without_a_wijk_are_a_group_of_their_own_and_in_the_total(app, seeded, db):
    # Two more requests in the first month, placed outside every known wijk: one matched.
    asker = db.scalar(select(User).where(User.email == "vrager@example.nl"))
    helper = db.scalar(select(User).where(User.email == "helper1@example.nl"))
    for matched in (True, False):
        item = HelpRequest(
            author_id=asker.id,
            category_id=1,
            title="Hulp",
            description="Graag hulp.",
            postcode="9999 ZZ",
            house_number="1",
            pc4="9999",
            lat=52.0,
            lon=6.0,
            state=RequestState.DONE if matched else RequestState.EXPIRED,
            created_at=on(FIRST, 9),
            published_at=on(FIRST, 10),
        )
        db.add(item)
        db.flush()
        if matched:
            confirmed = item.published_at + timedelta(days=4)
            db.add(
                Match(
                    request_id=item.id,
                    volunteer_id=helper.id,
                    state=MatchState.DONE,
                    confirmed_at=confirmed,
                )
            )
    db.commit()
    matches = cells(app, by=services.BY_WIJK)["matches"]
    # posted, matched, share, median days, expired without a volunteer
    assert matches["Wijk onbekend"] == ["< 5", "< 5", "te weinig", "te weinig", "< 5"]
    assert matches["Totaal"] == ["14", "7", "50%", "3,0", "< 5"]
    # Per municipality they count for the asker's municipality, as their staff handle them.
    per_town = cells(app, by=services.BY_MUNICIPALITY)["matches"]
    assert per_town["Meppel"] == ["14", "7", "50%", "3,0", "< 5"]
    assert "Onbekend" not in per_town

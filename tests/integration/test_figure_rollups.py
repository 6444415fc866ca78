"""The figures from rollups are exactly the live figures: a random (seeded) history of
requests, matches, check-ins, tasks and referrals over two municipalities, their wijken,
categories, sources and months, compared for every figure under many filter choices,
after a rebuild and after changes that only the incremental job has seen."""

import os
import random
from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import select, update

from voorelkaar.figures import rollups, services
from voorelkaar.geo import lat_band
from voorelkaar.jobs import JOBS, run_due_jobs
from voorelkaar.models import (
    Category,
    Checkin,
    CheckinAnswer,
    FigureStale,
    HelpRequest,
    Match,
    MatchState,
    Municipality,
    Neighbourhood,
    PostedFor,
    Referral,
    RequestState,
    StaffTask,
    TaskKind,
    User,
)

SEED = int(os.environ.get("FIGURES_SEED", "1616"))
NOW = datetime(2026, 9, 14, 12, tzinfo=UTC)
LATER = NOW + timedelta(days=3)
FIRST_MONTH = date(2026, 1, 1)
LAST_MONTH = date(2026, 9, 1)


def moment(rng: random.Random, last: datetime = NOW) -> datetime:
    start = datetime(2025, 12, 20, tzinfo=UTC)  # a few rows fall before every period
    seconds = int((last - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(seconds), microseconds=rng.randrange(10**6))


@pytest.fixture
def history(db, meppel):
    """Two municipalities, their wijken (and rows without one), and a random history."""
    rng = random.Random(SEED)
    other = Municipality(name="Steenwijkerland", slug="steenwijkerland-rollup")
    db.add(other)
    db.flush()
    db.add_all(
        Neighbourhood(municipality_id=other.id, name=f"Dorp {i}", slug=f"dorp-{i}")
        for i in range(3)
    )
    db.flush()
    towns = [meppel.id, other.id]
    wijken = {
        town: list(
            db.scalars(select(Neighbourhood.id).where(Neighbourhood.municipality_id == town))
        )
        for town in towns
    }
    categories = list(db.scalars(select(Category.id)))

    def place():
        town = rng.choice(towns + [None] if rng.random() < 0.05 else towns)
        wijk = rng.choice(wijken[town]) if town and rng.random() < 0.9 else None
        return town, wijk

    people = []
    for index in range(60):
        town, wijk = place()
        people.append(
            User(
                email=f"mens{index}@example.nl",
                name="Mens",
                password_hash="x",
                postcode="7941 AB",
                house_number="1",
                pc4="7941",
                lat=52.69,
                lat_band=lat_band(52.69),
                lon=6.19,
                neighbourhood_id=wijk,
                municipality_id=town,
                locale="nl",
            )
        )
    db.add_all(people)
    db.flush()
    ids = [person.id for person in people]

    requests = []
    for index in range(260):
        town, wijk = place()
        published = moment(rng) if rng.random() < 0.95 else None  # drafts are never counted
        requests.append(
            HelpRequest(
                author_id=rng.choice(ids),
                category_id=rng.choice(categories),
                state=rng.choice(list(RequestState)),
                title=f"Vraag {index}",
                description="d",
                posted_for=rng.choice(list(PostedFor)),
                postcode="7941 AB",
                house_number="1",
                pc4="7941",
                lat=52.69,
                lon=6.19,
                neighbourhood_id=wijk,
                municipality_id=town,
                confirmed_count=rng.choice((0, 0, 1)),
                created_at=published or NOW,
                published_at=published,
            )
        )
    db.add_all(requests)
    db.flush()

    for item in requests:
        for volunteer in rng.sample(ids, rng.choice((0, 0, 1, 1, 2, 3))):
            state = rng.choice(list(MatchState))
            start = item.published_at or NOW - timedelta(days=30)
            # Some confirmations share a moment: equal days to the first match.
            confirmed = start + timedelta(
                hours=rng.choice((24, 48, *(rng.randint(1, 900) for _ in "abc")))
            )
            done = state == MatchState.DONE
            db.add(
                Match(
                    request_id=item.id,
                    volunteer_id=volunteer,
                    state=state,
                    confirmed_at=confirmed if state != MatchState.OFFERED else None,
                    ended_at=confirmed + timedelta(days=rng.randint(0, 40)) if done else None,
                    hours=rng.choice((None, 1.0, 2.5, 3.25)) if done else None,
                )
            )
    for carer in rng.sample(ids, 30):
        for number in range(rng.randint(1, 6)):
            db.add(
                Checkin(
                    carer_id=carer,
                    due_on=date(2026, 1, 1) + timedelta(days=30 * number),
                    sent_at=moment(rng),
                    answer=rng.choice([None, *CheckinAnswer]),
                )
            )
    for index in range(90):
        closed = moment(rng) if rng.random() < 0.8 else None
        db.add(
            StaffTask(
                key=f"rollup:{index}",
                municipality_id=rng.choice(towns + [None]),
                kind=rng.choice(list(TaskKind)),
                person_id=rng.choice([None, *ids]),
                request_id=rng.choice([None, *(r.id for r in requests)]),
                detail="",
                created_at=closed or NOW,
                closed_at=closed,
            )
        )
    for index in range(90):
        made = moment(rng)
        db.add(
            Referral(
                resident_name="R",
                municipality_id=rng.choice(towns + towns + [None]),
                postcode=rng.choice(("7941 AB", "7943 AA", "7948 AA", "9999 ZZ")),
                house_number="1",
                consent_date=made.date(),
                category_id=rng.choice(categories),
                title="t",
                description="d",
                code=f"R{index:011d}",
                created_at=made,
                # Some expire between the rebuild and the job: only the clock changes them.
                expires_at=rng.choice((made + timedelta(days=30), NOW + timedelta(days=1))),
                expired_at=made + timedelta(days=30) if rng.random() < 0.2 else None,
                withdrawn_at=made + timedelta(days=2) if rng.random() < 0.1 else None,
                account_id=rng.choice([None, None, *ids]),
                request_id=rng.choice([None, *(r.id for r in requests)]),
            )
        )
    db.commit()
    return {"towns": towns, "wijken": wijken, "categories": categories, "rng": rng}


def choices(history) -> list[services.Filters]:
    """Filter choices as the page makes them: periods, groupings, places, categories."""
    towns, wijken = history["towns"], history["wijken"]
    periods = [
        (FIRST_MONTH, LAST_MONTH),
        (date(2026, 3, 1), date(2026, 3, 1)),
        (date(2026, 2, 1), date(2026, 6, 1)),
        (date(2025, 12, 1), date(2026, 1, 1)),
    ]
    scopes = [frozenset(towns), frozenset({towns[0]}), frozenset({towns[1]}), frozenset()]
    found = []
    for (first, last), by, scope in product(periods, services.GROUPINGS, scopes):
        found.append(services.Filters(first, last, by=by, municipality_ids=scope))
    for by in services.GROUPINGS:
        all_towns = frozenset(towns)
        found.append(
            services.Filters(
                FIRST_MONTH,
                LAST_MONTH,
                by=by,
                municipality_ids=all_towns,
                neighbourhood_id=wijken[towns[0]][0],
            )
        )
        found.append(
            services.Filters(
                FIRST_MONTH,
                LAST_MONTH,
                by=by,
                municipality_ids=all_towns,
                category_id=history["categories"][0],
            )
        )
        found.append(
            services.Filters(
                date(2026, 2, 1),
                date(2026, 7, 1),
                by=by,
                municipality_ids=frozenset({towns[1]}),
                neighbourhood_id=wijken[towns[1]][1],
                category_id=history["categories"][1],
            )
        )
    return found


def same(live, rolled) -> bool:
    """Equal numbers: counts exactly, days and hours up to floating-point rounding."""
    if isinstance(live, dict):
        return live.keys() == rolled.keys() and all(same(live[k], rolled[k]) for k in live)
    if isinstance(live, float) or isinstance(rolled, float):
        return live is not None and rolled is not None and live == pytest.approx(rolled, rel=1e-9)
    return live == rolled


def assert_rollups_equal_live(db, history, now: datetime) -> int:
    compared = 0
    for filters in choices(history):
        for name in services.FIGURES:
            live = services.compute(db, name, filters, now)
            rolled = rollups.compute(db, name, filters)
            assert live.grouped == rolled.grouped, (SEED, name, filters)
            assert same(live.groups, rolled.groups), (
                f"seed {SEED}: {name} per group differs for {filters}:\n"
                f"live   {live.groups}\nrollup {rolled.groups}"
            )
            assert same(live.total, rolled.total), (
                f"seed {SEED}: {name} total differs for {filters}:\n"
                f"live   {live.total}\nrollup {rolled.total}"
            )
            compared += 1
        live_keys = services.key_totals(
            db, filters, lambda db, name, f: services.compute(db, name, f, now)
        )
        assert same(live_keys, rollups.key_totals(db, filters)), (SEED, filters)
    return compared


def test_rebuilt_rollups_give_exactly_the_live_figures(db, history):
    rollups.rebuild(db, NOW)
    assert assert_rollups_equal_live(db, history, NOW) > 300


def test_the_job_counts_changes_made_after_the_rebuild(db, history, in_app):
    rollups.rebuild(db, NOW)
    rng = history["rng"]
    # A match confirmed (through the ORM) on a request that had none.
    unmatched = db.scalars(
        select(HelpRequest)
        .where(HelpRequest.published_at.is_not(None), HelpRequest.municipality_id.is_not(None))
        .where(~HelpRequest.id.in_(select(Match.request_id)))
        .order_by(HelpRequest.id)
    ).first()
    volunteer = db.scalars(select(User.id).order_by(User.id)).first()
    db.add(
        Match(
            request_id=unmatched.id,
            volunteer_id=volunteer,
            state=MatchState.CONFIRMED,
            confirmed_at=LATER - timedelta(days=1),
        )
    )
    # An offered match confirmed, as a conditional UPDATE does it (db.claim).
    offered = db.scalars(select(Match).where(Match.state == MatchState.OFFERED)).first()
    db.execute(
        update(Match)
        .where(Match.id == offered.id, Match.state == MatchState.OFFERED)
        .values(state=MatchState.CONFIRMED, confirmed_at=LATER - timedelta(hours=5))
        .execution_options(synchronize_session=False)
    )
    # A request withdrawn, another moved to another wijk and category, a match deleted.
    published = db.scalars(
        select(HelpRequest)
        .where(HelpRequest.published_at.is_not(None), HelpRequest.state == RequestState.OPEN)
        .order_by(HelpRequest.id)
    ).all()
    published[0].state = RequestState.CANCELLED
    town = published[1].municipality_id or history["towns"][0]
    published[1].neighbourhood_id = rng.choice(history["wijken"][town])
    published[1].category_id = history["categories"][-1]
    db.delete(db.scalars(select(Match).where(Match.state == MatchState.DONE)).first())
    # A carer moves to the other municipality; a task is closed; a referral withdrawn.
    carer = db.get(User, db.scalars(select(Checkin.carer_id)).first())
    carer.municipality_id = history["towns"][1]
    carer.neighbourhood_id = history["wijken"][history["towns"][1]][0]
    task = db.scalars(select(StaffTask).where(StaffTask.closed_at.is_(None))).first()
    task.closed_at = LATER - timedelta(days=2)
    referral = db.scalars(select(Referral).where(Referral.withdrawn_at.is_(None))).first()
    referral.withdrawn_at = LATER
    db.commit()
    assert db.scalars(select(FigureStale.id)).first() is not None  # marked with the change

    assert rollups.refresh(db, LATER) > 0
    # Referrals that expired by the clock alone (NOW + 1 day) are recounted too.
    assert_rollups_equal_live(db, history, LATER)
    assert db.scalars(select(FigureStale.id)).first() is None
    assert rollups.refresh(db, LATER) == 0  # nothing changed since: nothing recomputed


def test_the_job_builds_everything_on_its_first_run_and_is_registered(db, history, in_app):
    assert "cijfers" in {job.name for job in JOBS}
    with in_app():
        results = dict((job.name, count) for job, count in run_due_jobs(db, NOW))
    assert results["cijfers"] > 0  # rows written by the first, full build
    assert_rollups_equal_live(db, history, NOW)


def test_the_rebuild_command_counts_the_whole_history(runner, db, history):
    result = runner.invoke(args=["figures", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "opnieuw berekend" in result.output
    towns = frozenset(history["towns"])
    filters = services.Filters(FIRST_MONTH, LAST_MONTH, municipality_ids=towns)
    assert same(
        services.compute(db, "hulpvragen", filters).total,
        rollups.compute(db, "hulpvragen", filters).total,
    )


def test_two_schedulers_refreshing_at_once_count_each_change_once(app, db, history):
    """The job in two processes at the same moment: one waits for the other's lock, then
    finds nothing left to do; no month is written twice."""
    import threading

    from sqlalchemy import func
    from sqlalchemy.orm import Session

    from voorelkaar.models import FigureRollup

    rollups.rebuild(db, NOW)
    for item in db.scalars(select(HelpRequest).where(HelpRequest.state == RequestState.OPEN)):
        item.state = RequestState.EXPIRED
    db.commit()
    engine = app.extensions["voorelkaar.engine"]
    start, done, failed = threading.Barrier(2), [], []

    def scheduler():
        with Session(engine) as session:
            start.wait()
            try:
                done.append(rollups.refresh(session, LATER))
            except Exception as error:  # noqa: BLE001 - SQLite may refuse the second writer
                failed.append(error)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(done) + len(failed) == 2 and max(done) > 0, failed
    if len(done) == 2:  # the one that waited found the other had done it all
        assert min(done) == 0
    db.expire_all()
    rows = db.scalar(select(func.count()).select_from(FigureRollup))
    assert rollups.refresh(db, LATER) == 0
    assert db.scalar(select(func.count()).select_from(FigureRollup)) == rows
    rollups.rebuild(db, LATER)
    assert db.scalar(select(func.count()).select_from(FigureRollup)) == rows  # no duplicates
    assert_rollups_equal_live(db, history, LATER)

"""The figures from rollups: sums per UTC month, municipality, wijk and category.

The page, its CSV files and the API read these (see compute); services.py keeps the live
computation from the raw rows, which `figures rebuild` and the "cijfers" job write here
and the tests compare against. The grain is the month because every period the figures
offer is whole months; a month's rows are bounded by wijken x categories, not by how much
happened. Two figures are not sums and are kept so that they stay exact:

- the median days to the first match: a histogram per month, wijk and category whose
  buckets are the exact day values, so the median over any months is the live one;
- active volunteers (distinct over the whole period): per month, wijk and category one row
  whose members are the volunteers' ids as a Roaring bitmap; the union of the rows read
  counts each volunteer once, at a cost bounded by the groups, not by the volunteers.

A change to a request, match, check-in, task, referral or a person's wijk marks the months
it touches in figure_stale, in the same transaction (see stale.py); the job recomputes only
those months, each by delete and insert, under a lock on the one figure_rollup_state row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime

from pyroaring import BitMap
from sqlalchemy import (
    Float,
    String,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from voorelkaar.figures import services
from voorelkaar.figures.services import (
    BY_CATEGORY,
    BY_MONTH,
    BY_MUNICIPALITY,
    BY_WIJK,
    CHECK_OUTCOMES,
    CHECKIN_ANSWERS,
    HELPED_BY,
    MATCHED_STATES,
    REFERRAL_OUTCOMES,
    SOURCES,
    TASK_GROUPS,
    Filters,
    Result,
)
from voorelkaar.models import Checkin as CheckinRow
from voorelkaar.models import (
    FigureRollup,
    FigureRollupState,
    FigureStale,
    HelpRequest,
    Match,
    MatchState,
    NetworkCheck,
    Referral,
    RequestState,
    StaffTask,
    User,
)

Slice = tuple[date, int]  # (first of a month, municipality id)
STATE_ID = 1
DELAY_ALL = "delay:all"
CHUNK = 500

# -- writing ------------------------------------------------------------------------------


def month_of_value(value) -> date:
    """The first of the month of a value from month_of() (PostgreSQL) or of a timestamp."""
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return value.replace(day=1)
    year, month = str(value)[:7].split("-")
    return date(int(year), int(month), 1)


def _bounds(month: date) -> tuple[datetime, datetime]:
    end = services.next_month(month)
    return (
        datetime(month.year, month.month, 1, tzinfo=UTC),
        datetime(end.year, end.month, 1, tzinfo=UTC),
    )


def _within(stmt, when, municipality, part: Slice | None):
    """stmt cut to one month of one municipality, or to every row that has both."""
    if part is None:
        return stmt.where(when.is_not(None), municipality.is_not(None))
    start, end = _bounds(part[0])
    return stmt.where(when >= start, when < end, municipality == part[1])


class _Sums:
    """Rollup rows being built: (month, municipality, wijk, category, measure, bucket) -> value."""

    def __init__(self):
        self.values: dict[tuple, float] = defaultdict(float)
        self.members: dict[tuple, BitMap] = defaultdict(BitMap)

    def add(self, month, municipality, wijk, category, measure, value, bucket=None) -> None:
        key = (month_of_value(month), municipality, wijk, category, measure, bucket)
        self.values[key] += float(value or 0)

    def add_member(self, month, municipality, wijk, category, measure, member: int) -> None:
        """One id in a group's set (kept as a bitmap: counted once however often added)."""
        key = (month_of_value(month), municipality, wijk, category, measure, None)
        self.members[key].add(member)

    def rows(self) -> list[dict]:
        names = ("month", "municipality_id", "neighbourhood_id", "category_id", "measure", "bucket")
        sums = [
            {**dict(zip(names, key, strict=True)), "value": v, "members": None}
            for key, v in self.values.items()
        ]
        sets = [
            {
                **dict(zip(names, key, strict=True)),
                "value": float(len(ids)),
                "members": ids.serialize(),
            }
            for key, ids in self.members.items()
        ]
        return sums + sets


def _requests(db: Session, dialect: str, sums: _Sums, part: Slice | None) -> None:
    hr = HelpRequest
    referred = (
        select(Referral.request_id)
        .where(Referral.request_id.is_not(None))
        .distinct()
        .subquery("referred")
    )
    source = case(
        (referred.c.request_id.is_not(None), "referral"),
        else_=type_coerce(hr.posted_for, String),
    )
    expired = func.sum(case((hr.state == RequestState.EXPIRED, 1), else_=0))
    month = services.month_of(dialect, hr.published_at)
    dims = (month, hr.municipality_id, hr.neighbourhood_id, hr.category_id)
    stmt = select(*dims, source, func.count(), expired).select_from(hr)
    stmt = stmt.outerjoin(referred, referred.c.request_id == hr.id)
    stmt = _within(stmt, hr.published_at, hr.municipality_id, part).group_by(*dims, source)
    for m, town, wijk, category, posted_by, count, gone in db.execute(stmt):
        sums.add(m, town, wijk, category, f"posted:{posted_by}", count)
        sums.add(m, town, wijk, category, "expired", gone)


def _first_matches(db: Session, dialect: str, sums: _Sums, part: Slice | None) -> None:
    hr = HelpRequest
    first = services._first_confirmation()
    days = services.days_between(dialect, first.c.at, hr.published_at)
    is_expired = case((hr.state == RequestState.EXPIRED, 1), else_=0)
    month = services.month_of(dialect, hr.published_at)
    dims = (month, hr.municipality_id, hr.neighbourhood_id, hr.category_id)
    stmt = select(*dims, days, func.count(), func.sum(is_expired)).select_from(first)
    stmt = stmt.join(hr, hr.id == first.c.request_id)
    stmt = _within(stmt, hr.published_at, hr.municipality_id, part).group_by(*dims, days)
    for m, town, wijk, category, delay, count, gone in db.execute(stmt):
        sums.add(m, town, wijk, category, "matched", count)
        sums.add(m, town, wijk, category, "matched_expired", gone)
        sums.add(m, town, wijk, category, "delay", count, bucket=float(delay))
        # The same histogram over all wijken and categories, for the views that do not
        # split or narrow by them (the default): a row per delay, not per group and delay.
        sums.add(m, town, None, None, DELAY_ALL, count, bucket=float(delay))


def _volunteers(db: Session, dialect: str, sums: _Sums, part: Slice | None) -> None:
    hr = HelpRequest
    where = (hr.municipality_id, hr.neighbourhood_id, hr.category_id)
    month = services.month_of(dialect, Match.confirmed_at)
    stmt = (
        select(month, *where, Match.volunteer_id)
        .select_from(Match)
        .join(hr, hr.id == Match.request_id)
        .where(Match.state.in_(MATCHED_STATES))
        .distinct()
    )
    for m, town, wijk, category, volunteer in db.execute(
        _within(stmt, Match.confirmed_at, hr.municipality_id, part)
    ):
        sums.add_member(m, town, wijk, category, "volunteer", volunteer)
    ended = services.month_of(dialect, Match.ended_at)
    with_hours = case((Match.hours.is_not(None), 1), else_=0)
    stmt = (
        select(
            ended,
            *where,
            func.coalesce(func.sum(cast(Match.hours, Float)), 0.0),
            func.coalesce(func.sum(with_hours), 0),
        )
        .select_from(Match)
        .join(hr, hr.id == Match.request_id)
        .where(Match.state == MatchState.DONE)
        .group_by(ended, *where)
    )
    for m, town, wijk, category, hours, done in db.execute(
        _within(stmt, Match.ended_at, hr.municipality_id, part)
    ):
        # Written also when 0: a group with done matches but no hours still shows.
        sums.add(m, town, wijk, category, "hours", hours)
        sums.add(m, town, wijk, category, "hours_matches", done)


def _checkins(db: Session, dialect: str, sums: _Sums, part: Slice | None) -> None:
    carer = aliased(User)
    answer = func.coalesce(type_coerce(CheckinRow.answer, String), "geen")
    month = services.month_of(dialect, CheckinRow.sent_at)
    dims = (month, carer.municipality_id, carer.neighbourhood_id)
    stmt = select(*dims, answer, func.count()).select_from(CheckinRow)
    stmt = stmt.join(carer, carer.id == CheckinRow.carer_id)
    stmt = _within(stmt, CheckinRow.sent_at, carer.municipality_id, part).group_by(*dims, answer)
    for m, town, wijk, said, count in db.execute(stmt):
        sums.add(m, town, wijk, None, f"checkin:{said}", count)


def _tasks(db: Session, dialect: str, sums: _Sums, part: Slice | None) -> None:
    person = aliased(User)
    request = aliased(HelpRequest)
    wijk = func.coalesce(request.neighbourhood_id, person.neighbourhood_id)
    group = case(
        (StaffTask.kind.in_(services._REQUEST_TASKS), "requests"),
        (StaffTask.kind.in_(services._CARER_TASKS), "carers"),
        else_="other",
    )
    month = services.month_of(dialect, StaffTask.closed_at)
    dims = (month, StaffTask.municipality_id, wijk)
    stmt = select(*dims, group, func.count()).select_from(StaffTask)
    stmt = stmt.outerjoin(request, request.id == StaffTask.request_id)
    stmt = stmt.outerjoin(person, person.id == StaffTask.person_id)
    stmt = _within(stmt, StaffTask.closed_at, StaffTask.municipality_id, part)
    for m, town, where, kind, count in db.execute(stmt.group_by(*dims, group)):
        sums.add(m, town, where, None, f"task:{kind}", count)


def _referrals(db: Session, dialect: str, sums: _Sums, part: Slice | None, now) -> None:
    account = aliased(User)
    request = aliased(HelpRequest)
    wijk = func.coalesce(
        request.neighbourhood_id,
        services.postcode_wijk(Referral.postcode),
        account.neighbourhood_id,
    )
    outcome = services.referral_outcome(now, request)
    month = services.month_of(dialect, Referral.created_at)
    dims = (month, Referral.municipality_id, wijk, Referral.category_id)
    stmt = select(*dims, outcome, func.count()).select_from(Referral)
    stmt = stmt.outerjoin(request, request.id == Referral.request_id)
    stmt = stmt.outerjoin(account, account.id == Referral.account_id)
    stmt = _within(stmt, Referral.created_at, Referral.municipality_id, part)
    for m, town, where, category, result, count in db.execute(stmt.group_by(*dims, outcome)):
        sums.add(m, town, where, category, f"referral:{result}", count)


def _own_network(db: Session, dialect: str, sums: _Sums, part: Slice | None) -> None:
    hr = HelpRequest
    by = services.helped_by()
    month = services.month_of(dialect, hr.created_at)
    dims = (month, hr.municipality_id, hr.neighbourhood_id, hr.category_id)
    stmt = select(*dims, by, func.count()).select_from(hr).where(by.is_not(None))
    stmt = _within(stmt, hr.created_at, hr.municipality_id, part).group_by(*dims, by)
    for m, town, wijk, category, helper, count in db.execute(stmt):
        sums.add(m, town, wijk, category, f"helped:{helper}", count)


def _network_checks(db: Session, dialect: str, sums: _Sums, part: Slice | None) -> None:
    owner = aliased(User)
    outcome = services.check_outcome()
    month = services.month_of(dialect, NetworkCheck.finished_at)
    dims = (month, NetworkCheck.municipality_id, owner.neighbourhood_id)
    stmt = select(*dims, outcome, func.count()).select_from(NetworkCheck)
    stmt = stmt.join(owner, owner.id == NetworkCheck.owner_id)
    stmt = _within(stmt, NetworkCheck.finished_at, NetworkCheck.municipality_id, part)
    for m, town, wijk, said, count in db.execute(stmt.group_by(*dims, outcome)):
        sums.add(m, town, wijk, None, f"check:{said}", count)


def _build(db: Session, now: datetime, part: Slice | None) -> list[dict]:
    """The rollup rows of one month of one municipality (or of everything), from raw rows."""
    dialect = db.get_bind().dialect.name
    sums = _Sums()
    builders = (
        _requests,
        _first_matches,
        _volunteers,
        _checkins,
        _tasks,
        _own_network,
        _network_checks,
    )
    for builder in builders:
        builder(db, dialect, sums, part)
    _referrals(db, dialect, sums, part, now)
    return sums.rows()


def _insert(db: Session, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5000):
        db.execute(insert(FigureRollup), rows[start : start + 5000])


def _lock(db: Session) -> FigureRollupState:
    """The state row, locked: one refresh or rebuild at a time, over every process."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    # A write first: on SQLite this takes the database's write lock before anything is read.
    db.execute(upsert(FigureRollupState).values(id=STATE_ID).on_conflict_do_nothing())
    return db.scalars(
        select(FigureRollupState)
        .where(FigureRollupState.id == STATE_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _take_marks(db: Session) -> set[Slice]:
    """The months marked stale, and the marks gone: exactly those read, so that a mark
    written meanwhile (by a change this refresh may not see) stays for the next one."""
    marks = db.execute(select(FigureStale.id, FigureStale.month, FigureStale.municipality_id)).all()
    ids = [mark.id for mark in marks]
    for start in range(0, len(ids), CHUNK):
        db.execute(delete(FigureStale).where(FigureStale.id.in_(ids[start : start + CHUNK])))
    return {(month_of_value(mark.month), mark.municipality_id) for mark in marks}


def _expiring(db: Session, since: datetime, now: datetime) -> set[Slice]:
    """Months of referrals that became "verlopen" by the clock alone since the last run."""
    rows = db.execute(
        select(Referral.created_at, Referral.municipality_id).where(
            Referral.expires_at > since,
            Referral.expires_at <= now,
            Referral.municipality_id.is_not(None),
        )
    )
    return {(month_of_value(made), town) for made, town in rows}


def rebuild(db: Session, now: datetime) -> int:
    """Recompute every rollup from the whole history; return the rows written."""
    state = _lock(db)
    _take_marks(db)
    db.execute(delete(FigureRollup))
    rows = _build(db, now, None)
    _insert(db, rows)
    state.built_at = state.checked_until = now
    db.commit()
    return len(rows)


def refresh(db: Session, now: datetime) -> int:
    """Recompute the months changed since the last run; return how many (the "cijfers" job).

    Idempotent; a second scheduler waits for the lock and then finds nothing to do.
    """
    state = _lock(db)
    if state.built_at is None:  # never built (a fresh install): everything, once
        return rebuild(db, now)
    parts = _take_marks(db)
    if state.checked_until is not None and state.checked_until < now:
        parts |= _expiring(db, state.checked_until, now)
    for month, town in sorted(parts):
        db.execute(
            delete(FigureRollup).where(
                FigureRollup.month == month, FigureRollup.municipality_id == town
            )
        )
        _insert(db, _build(db, now, (month, town)))
    state.checked_until = max(now, state.checked_until or now)
    db.commit()
    return len(parts)


# -- reading ------------------------------------------------------------------------------

R = FigureRollup


def _key(by: str, has_category: bool):
    return {
        BY_MONTH: R.month,
        BY_WIJK: R.neighbourhood_id,
        BY_CATEGORY: R.category_id if has_category else None,
        BY_MUNICIPALITY: R.municipality_id,
    }.get(by)


def _scoped(stmt, filters: Filters, has_category: bool):
    stmt = stmt.where(
        R.municipality_id.in_(sorted(filters.municipality_ids)),
        R.month >= services.month_start(filters.first_month),
        R.month <= services.month_start(filters.last_month),
    )
    if filters.neighbourhood_id:
        stmt = stmt.where(R.neighbourhood_id == filters.neighbourhood_id)
    if has_category and filters.category_id:
        stmt = stmt.where(R.category_id == filters.category_id)
    return stmt


def _sums(db: Session, filters: Filters, measures, has_category: bool = True):
    """[(group key or None, measure, sum)] of the measures named (an index range each)."""
    key = _key(filters.by, has_category)
    columns = ([key] if key is not None else []) + [R.measure]
    stmt = select(*columns, func.sum(R.value)).where(R.measure.in_(measures))
    stmt = _scoped(stmt, filters, has_category).group_by(*columns)
    rows = db.execute(stmt).all()
    if key is None:
        return [(None, measure, total) for measure, total in rows]
    return [(services.month_key(k), measure, total) for k, measure, total in rows]


def _counted(db: Session, filters: Filters, prefix: str, names, has_category=True) -> Result:
    """A figure of counts by kind (as the live ones: every kind 0 in a group, and a total)."""
    grouped = _key(filters.by, has_category) is not None
    result = Result(grouped=grouped)
    measures = [f"{prefix}{name}" for name in names]
    for key, measure, total in _sums(db, filters, measures, has_category):
        counts = dict.fromkeys(names, 0)
        counts[measure[len(prefix) :]] = int(total)
        counts["total"] = int(total)
        result.add(key, counts, total=not grouped)
    if grouped:
        for measures in result.groups.values():
            result.add(None, measures, total=True)
    return result


def requests_posted(db: Session, filters: Filters) -> Result:
    """Requests published in the period, by who posted them (as services.requests_posted)."""
    return _counted(db, filters, "posted:", SOURCES)


def _medians(db: Session, filters: Filters, key_column) -> tuple[dict[object, float], float | None]:
    """The median days to the first match per group, and of all, from one read.

    The histogram's buckets summed per group in SQL (a row per group and bucket: bounded
    by how many different delays there are, not by how many requests); the median is the
    first bucket the running count reaches the middle rank(s) in, the two middle ones
    averaged: what the live median gives.
    """
    whole = not filters.neighbourhood_id and not filters.category_id
    measure = DELAY_ALL if whole and filters.by in (BY_MONTH, BY_MUNICIPALITY) else "delay"
    keys = [key_column] if key_column is not None else []
    stmt = select(*keys, R.bucket, func.sum(R.value)).where(R.measure == measure)
    stmt = _scoped(stmt, filters, True).group_by(*keys, R.bucket)
    per_group: dict[object, dict[float, int]] = defaultdict(dict)
    overall: dict[float, int] = defaultdict(int)
    group_keys: dict[object, object] = {}
    for *key, bucket, count in db.execute(stmt).tuples():
        key = key[0] if key else None
        if key not in group_keys:
            group_keys[key] = services.month_key(key) if key_column is not None else None
        counts = per_group[group_keys[key]]
        counts[bucket] = counts.get(bucket, 0) + int(count)
        overall[bucket] += int(count)
    found = {key: _middle(counts) for key, counts in per_group.items()}
    return {key: m for key, m in found.items() if m is not None}, _middle(overall)


def _middle(counts: dict[float, int]) -> float | None:
    """The median of a histogram {value: how often}."""
    size = sum(counts.values())
    if size <= 0:
        return None
    low_rank, high_rank = (size + 1) // 2, (size + 2) // 2
    low = high = None
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if low is None and seen >= low_rank:
            low = value
        if seen >= high_rank:
            high = value
            break
    return (low + high) / 2


def requests_matched(db: Session, filters: Filters) -> Result:
    """Posted, matched, expired without a match and the median days to the first match."""
    posted: dict[object, dict] = {}
    posted_total: dict = {}
    names = ("expired", "matched", "matched_expired")
    for key, _measure, total in _sums(db, filters, [f"posted:{name}" for name in SOURCES]):
        group = posted.setdefault(key, {"n": 0, "expired": 0, "matched": 0, "matched_expired": 0})
        group["n"] += int(total)
    for key, measure, total in _sums(db, filters, names):
        posted.setdefault(key, {"n": 0, "expired": 0, "matched": 0, "matched_expired": 0})
        posted[key][measure] += int(total)
    medians, overall = _medians(db, filters, _key(filters.by, True))
    for measures in posted.values():
        for name, value in measures.items():
            posted_total[name] = posted_total.get(name, 0) + value
    result = Result(grouped=True)
    _merge(result.total, posted_total, overall)
    for key, measures in posted.items():
        _merge(result.groups.setdefault(key, {}), measures, medians.get(key))
    return result


def _merge(target: dict, measures: dict, middle: float | None) -> None:
    target["posted"] = measures.get("n") or 0
    target["matched"] = measures.get("matched") or 0
    target["expired"] = (measures.get("expired") or 0) - (measures.get("matched_expired") or 0)
    if middle is not None:
        target["median_days"] = middle


def volunteers(db: Session, filters: Filters) -> Result:
    """Active volunteers (each counted once per group and once in the total) and hours."""
    key_column = _key(filters.by, True)
    result = Result(grouped=True)
    stmt = _scoped(select(key_column, R.members).where(R.measure == "volunteer"), filters, True)
    per_group: dict[object, list[BitMap]] = defaultdict(list)
    for key, members in db.execute(stmt):
        per_group[services.month_key(key)].append(BitMap.deserialize(members))
    unions = {key: BitMap.union(*sets) for key, sets in per_group.items()}
    for key, ids in unions.items():
        result.groups.setdefault(key, {})["active"] = len(ids)
    result.total["active"] = len(BitMap.union(*unions.values())) if unions else 0
    hours: dict[object, dict] = {}
    for key, measure, value in _sums(db, filters, ("hours", "hours_matches")):
        group = hours.setdefault(key, {})
        group[measure] = float(value) if measure == "hours" else int(value)
    for key, measures in hours.items():
        result.groups.setdefault(key, {}).update(measures)
        for name, value in measures.items():
            result.total[name] = result.total.get(name, 0) + value
    return result


def checkins(db: Session, filters: Filters) -> Result:
    """Carer check-ins by answer (no category)."""
    return _counted(db, filters, "checkin:", CHECKIN_ANSWERS, has_category=False)


def tasks_done(db: Session, filters: Filters) -> Result:
    """Staff tasks closed, by what they were about (no category)."""
    return _counted(db, filters, "task:", TASK_GROUPS, has_category=False)


def referrals(db: Session, filters: Filters) -> Result:
    """Referrals by outcome, as of the last refresh."""
    return _counted(db, filters, "referral:", REFERRAL_OUTCOMES)


def own_network(db: Session, filters: Filters) -> Result:
    """Requests that got help, by whom: the asker's own network or a volunteer."""
    return _counted(db, filters, "helped:", HELPED_BY)


def network_checks(db: Session, filters: Filters) -> Result:
    """Network checks finished: first ones, and how the gaps changed since the one before."""
    return _counted(db, filters, "check:", CHECK_OUTCOMES, has_category=False)


FIGURES = {
    "hulpvragen": requests_posted,
    "matches": requests_matched,
    "vrijwilligers": volunteers,
    "mantelzorgers": checkins,
    "taken": tasks_done,
    "verwijzingen": referrals,
    "eigen-netwerk": own_network,
    "netwerkcheck": network_checks,
}


def compute(db: Session, name: str, filters: Filters) -> Result:
    """One figure's numbers, from the rollups."""
    return FIGURES[name](db, filters)


def compute_all(db: Session, filters: Filters) -> dict[str, Result]:
    """Every figure's numbers, from the rollups."""
    return {name: figure(db, filters) for name, figure in FIGURES.items()}


def key_totals(
    db: Session, filters: Filters, known: dict[str, Result] | None = None
) -> dict[str, dict[str, float | None]]:
    """The totals the key numbers read (as services.key_totals), from the rollups.

    known: figures already computed for these filters (grouped in any way: the totals do
    not depend on the grouping), so that the page does not compute them twice.
    """

    def figure(db: Session, name: str, whole: Filters) -> Result:
        if known is not None and name in known:
            return known[name]
        return compute(db, name, whole)

    return services.key_totals(db, replace(filters, by=BY_MONTH), figure)

"""The figures computed live from the raw rows with SQL aggregates (never row by row in Python).

The page, its CSV files and the API read the rollups instead (figures.rollups), which are
written from these same queries' building blocks; this live computation stays as the
reference the rollup tests compare against, and for one-off questions.

Every figure is a small GROUP BY over one table (with a join for the wijk or the
category), grouped by month, wijk, category or municipality, and always cut to the
municipalities in view (`Filters.municipality_ids`, from `voorelkaar.tenancy.served_ids`
of the viewer: see `scope`). A row counts for its own municipality (the asker's for a
request and its matches, the carer's for a check-in, the task's and the referral's own),
not for the municipality of its wijk; a row without one is in nobody's figures. The total row is the sum
of the groups where every measure adds up (counts, hours); distinct volunteers and
medians do not, so those run once more without grouping. Months are UTC calendar months.

Indexes that keep this fast with a million requests: ix_help_requests_figures covers
every help_requests column the figures read, so the period is read from the index
alone, and ix_matches_request_state finds each request's first confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from voorelkaar.db import utcnow
from voorelkaar.models import (
    Category,
    Checkin,
    CheckinAnswer,
    HelpRequest,
    Match,
    MatchState,
    Municipality,
    Neighbourhood,
    NeighbourhoodArea,
    NetworkCheck,
    Referral,
    RequestState,
    StaffTask,
    TaskKind,
    User,
)

BY_MONTH, BY_WIJK, BY_CATEGORY, BY_MUNICIPALITY = "maand", "wijk", "categorie", "gemeente"
GROUPINGS = (BY_MONTH, BY_WIJK, BY_CATEGORY, BY_MUNICIPALITY)

MATCHED_STATES = (MatchState.CONFIRMED, MatchState.DONE)
SOURCES = ("self", "cared_for", "resident", "referral")
CHECKIN_ANSWERS = ("goed", "gaat", "zwaar", "geen")
TASK_GROUPS = ("requests", "carers", "other")
# Who gave the help a request got: someone from the asker's own network, or a volunteer.
HELPED_BY = ("netwerk", "vrijwilliger")
# A network check: someone's first, or a later one with fewer, as many or more gaps.
CHECK_OUTCOMES = ("eerste", "minder", "evenveel", "meer")
REFERRAL_OUTCOMES = (
    "uitgenodigd",
    "account",
    "geplaatst",
    "gematcht",
    "afgerond",
    "verlopen",
    "ingetrokken",  # consent withdrawn: the fact and date stay, the person's data went
)

_REQUEST_TASKS = (TaskKind.REQUEST_UNMATCHED, TaskKind.MATCH_FAILED)
_CARER_TASKS = (TaskKind.CHECKIN_HEAVY, TaskKind.CHECKIN_SILENT)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every first of the month from first to last, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


@dataclass(frozen=True)
class Filters:
    """The chosen period (whole months, both included), grouping and narrowing."""

    first_month: date
    last_month: date
    by: str = BY_MONTH
    # The municipalities in view: the viewer's (tenancy.served_ids), or the one chosen of
    # them. Empty shows nothing, so a caller that forgets the scope leaks nothing.
    municipality_ids: frozenset[int] = frozenset()
    neighbourhood_id: int | None = None
    category_id: int | None = None

    @property
    def start(self) -> datetime:
        month = month_start(self.first_month)
        return datetime(month.year, month.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        month = next_month(month_start(self.last_month))
        return datetime(month.year, month.month, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Dims:
    """Where a figure finds its month, wijk, category (None: it has none) and municipality."""

    when: ColumnElement
    wijk: ColumnElement | None
    category: ColumnElement | None
    municipality: ColumnElement


@dataclass
class Result:
    """A figure's raw numbers: per group key, and for everything together."""

    groups: dict[object, dict[str, float | None]] = field(default_factory=dict)
    total: dict[str, float | None] = field(default_factory=dict)
    grouped: bool = True  # False when the figure cannot be split this way

    def add(self, key, measures: dict[str, float | None], *, total: bool) -> None:
        target = self.total if total else self.groups.setdefault(month_key(key), {})
        for name, value in measures.items():
            target[name] = (target.get(name) or 0) + (value or 0) if value is not None else None


# -- dialect helpers ----------------------------------------------------------------------


def month_of(dialect: str, column: ColumnElement) -> ColumnElement:
    """The UTC month of a timestamp, on SQLite and PostgreSQL (see month_key)."""
    if dialect == "postgresql":
        # date_trunc is much cheaper than to_char; month_key() makes it 'YYYY-MM'.
        return func.date_trunc("month", func.timezone("UTC", column))
    # SQLite keeps UtcDateTime as ISO text in UTC ('2026-01-31 23:59:59.000000'): its first
    # seven characters are the month, and cheaper to take than strftime.
    return func.substr(column, 1, 7)


def month_key(key):
    """A group key as it comes from the database; months become 'YYYY-MM' on every dialect."""
    return key.strftime("%Y-%m") if isinstance(key, datetime | date) else key


def days_between(dialect: str, later: ColumnElement, earlier: ColumnElement) -> ColumnElement:
    """Days (with fractions) from earlier to later."""
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _key_of(dialect: str, dims: Dims, by: str) -> ColumnElement | None:
    if by == BY_MONTH:
        return month_of(dialect, dims.when)
    if by == BY_WIJK:
        return dims.wijk
    if by == BY_CATEGORY:
        return dims.category
    if by == BY_MUNICIPALITY:
        return dims.municipality
    return None


def scope(served: frozenset[int], chosen: int | None = None) -> frozenset[int]:
    """The municipalities in view: those served (tenancy.served_ids of the viewer), or the
    chosen one of them. A chosen one that is not served shows nothing, never another's."""
    if chosen is None:
        return frozenset(served)
    return frozenset({chosen}) & frozenset(served)


def _scoped(stmt: Select, dims: Dims, filters: Filters) -> Select:
    """stmt narrowed to the municipalities in view, period, wijk and category."""
    stmt = stmt.where(dims.municipality.in_(sorted(filters.municipality_ids)))
    stmt = stmt.where(dims.when >= filters.start, dims.when < filters.end)
    if dims.wijk is not None and filters.neighbourhood_id:
        stmt = stmt.where(dims.wijk == filters.neighbourhood_id)
    if dims.category is not None and filters.category_id:
        stmt = stmt.where(dims.category == filters.category_id)
    return stmt


def _run(db: Session, filters: Filters, dims: Dims, build, collect, *, additive: bool) -> Result:
    """Run build(key) grouped by the chosen key and collect the rows; the total row is the
    sum of the groups when every measure is additive, else build(None) runs for it.

    build(key) returns a Select whose first column is the key (when key is given);
    collect(row) returns (key, measures) for one row.
    """
    key = _key_of(db.get_bind().dialect.name, dims, filters.by)
    result = Result(grouped=key is not None)
    for grouped_key in _passes(key, additive):
        stmt = _scoped(build(grouped_key), dims, filters)
        for row in db.execute(stmt):
            row_key, measures = collect(row, grouped=grouped_key is not None)
            result.add(row_key, measures, total=grouped_key is None)
    if key is not None and additive:
        for measures in result.groups.values():
            result.add(None, measures, total=True)
    return result


def _passes(key: ColumnElement | None, additive: bool) -> list[ColumnElement | None]:
    """The group keys to query: the key, and None (everything together) unless the total
    is the sum of the groups. Every row falls in exactly one group, the unknown included."""
    if key is None:
        return [None]
    return [key] if additive else [key, None]


def _select(key: ColumnElement | None, *columns) -> Select:
    return select(key.label("k"), *columns) if key is not None else select(*columns)


def _grouped(stmt: Select, key: ColumnElement | None, *more) -> Select:
    if key is not None:
        return stmt.group_by(key, *more)
    return stmt.group_by(*more) if more else stmt


# -- the figures --------------------------------------------------------------------------


def _request_dims() -> Dims:
    return Dims(
        HelpRequest.published_at,
        HelpRequest.neighbourhood_id,
        HelpRequest.category_id,
        HelpRequest.municipality_id,
    )


def requests_posted(db: Session, filters: Filters) -> Result:
    """Requests published in the period, by who posted them.

    A request linked from a referral counts as 'referral', whatever else it says;
    otherwise posted_for: self, cared_for (by a carer) or resident (by staff or a consultant).
    """
    referred = (
        select(Referral.request_id)
        .where(Referral.request_id.is_not(None))
        .distinct()
        .subquery("referred")
    )
    source = case(
        (referred.c.request_id.is_not(None), "referral"),
        else_=type_coerce(HelpRequest.posted_for, String),
    )

    def build(key):
        stmt = _select(key, source.label("source"), func.count().label("n")).select_from(
            HelpRequest
        )
        stmt = stmt.outerjoin(referred, referred.c.request_id == HelpRequest.id)
        return _grouped(stmt, key, source)

    def collect(row, grouped):
        counts = dict.fromkeys(SOURCES, 0)
        counts[str(row.source)] = row.n
        counts["total"] = row.n
        return (row.k if grouped else None), counts

    return _run(db, filters, _request_dims(), build, collect, additive=True)


def _first_confirmation():
    return (
        select(Match.request_id, func.min(Match.confirmed_at).label("at"))
        .where(Match.state.in_(MATCHED_STATES), Match.confirmed_at.is_not(None))
        .group_by(Match.request_id)
        .subquery("first_match")
    )


def requests_matched(db: Session, filters: Filters) -> Result:
    """Of the requests published in the period: how many got a confirmed or done match,
    how many expired without one, and the median days from publication to the first match.

    Two passes instead of one outer join: all requests (from the figures index alone),
    then only the matched ones (see first_matches). Expired without a match =
    expired - expired with a match.
    """
    expired = func.sum(case((HelpRequest.state == RequestState.EXPIRED, 1), else_=0))

    def build(key):
        stmt = _select(key, func.count().label("n"), expired.label("expired"))
        return _grouped(stmt.select_from(HelpRequest), key)

    def collect(row, grouped):
        return (row.k if grouped else None), {"n": row.n, "expired": row.expired or 0}

    posted = _run(db, filters, _request_dims(), build, collect, additive=True)
    matched = first_matches(db, filters)
    result = Result(grouped=posted.grouped)
    # The total apart: None is also the key of the group without a wijk.
    _merge_matched(result.total, posted.total, matched.total)
    for key, measures in posted.groups.items():
        _merge_matched(result.groups.setdefault(key, {}), measures, matched.groups.get(key, {}))
    return result


def _merge_matched(target: dict, posted: dict, matched: dict) -> None:
    target["posted"] = posted.get("n") or 0
    target["matched"] = matched.get("n") or 0
    target["expired"] = (posted.get("expired") or 0) - (matched.get("expired") or 0)
    if matched.get("median_days") is not None:
        target["median_days"] = matched["median_days"]


def first_matches(db: Session, filters: Filters) -> Result:
    """Per group and in total: the requests with a first confirmation (n), how many of
    them expired after all, and the median days from publication to that confirmation.

    The join starts from the matches' side, so both tables are read in id order. The
    median is percentile_cont(0.5) on PostgreSQL. SQLite has no percentile: there the
    values are numbered per group with row_number() and count() windows and the one or
    two middle ones averaged, in the same query. No rows come to Python either way.
    """
    dialect = db.get_bind().dialect.name
    dims = _request_dims()
    first = _first_confirmation()
    days = days_between(dialect, first.c.at, HelpRequest.published_at)
    is_expired = case((HelpRequest.state == RequestState.EXPIRED, 1), else_=0)
    key = _key_of(dialect, dims, filters.by)
    result = Result(grouped=key is not None)
    for grouped_key in _passes(key, additive=False):
        if dialect == "postgresql":
            stmt = _select(
                grouped_key,
                func.count().label("n"),
                func.sum(is_expired).label("expired"),
                func.percentile_cont(0.5).within_group(days).label("median"),
            )
            stmt = stmt.select_from(first).join(HelpRequest, HelpRequest.id == first.c.request_id)
            stmt = _grouped(_scoped(stmt, dims, filters), grouped_key)
        else:
            partition = [grouped_key] if grouped_key is not None else None
            numbered = _select(
                grouped_key,
                days.label("d"),
                is_expired.label("x"),
                func.row_number().over(partition_by=partition, order_by=days).label("rn"),
                func.count().over(partition_by=partition).label("size"),
            ).select_from(first)
            numbered = numbered.join(HelpRequest, HelpRequest.id == first.c.request_id)
            inner = _scoped(numbered, dims, filters).subquery("numbered")
            middle = inner.c.rn.between((inner.c.size + 1) // 2, (inner.c.size + 2) // 2)
            stmt = select(
                *([inner.c.k.label("k")] if grouped_key is not None else []),
                func.count().label("n"),
                func.sum(inner.c.x).label("expired"),
                func.avg(inner.c.d).filter(middle).label("median"),
            )
            if grouped_key is not None:
                stmt = stmt.group_by(inner.c.k)
        for row in db.execute(stmt):
            measures = {
                "n": row.n,
                "expired": row.expired or 0,
                "median_days": float(row.median) if row.median is not None else None,
            }
            target = (
                result.groups.setdefault(month_key(row.k), {})
                if grouped_key is not None
                else result.total
            )
            target.update(measures)
    return result


def volunteers(db: Session, filters: Filters) -> Result:
    """Active volunteers (distinct volunteers with a match confirmed in the month that is
    still confirmed or done) and the hours given (sum of hours of matches done in the month)."""
    where = (HelpRequest.neighbourhood_id, HelpRequest.category_id, HelpRequest.municipality_id)
    active_dims = Dims(Match.confirmed_at, *where)
    done_dims = Dims(Match.ended_at, *where)

    def build_active(key):
        stmt = _select(key, func.count(Match.volunteer_id.distinct()).label("n"))
        stmt = stmt.select_from(Match).join(HelpRequest, HelpRequest.id == Match.request_id)
        return _grouped(stmt.where(Match.state.in_(MATCHED_STATES)), key)

    def build_hours(key):
        with_hours = case((Match.hours.is_not(None), 1), else_=0)
        stmt = _select(
            key,
            func.coalesce(func.sum(cast(Match.hours, Float)), 0.0).label("hours"),
            func.coalesce(func.sum(with_hours), 0).label("done"),
        )
        stmt = stmt.select_from(Match).join(HelpRequest, HelpRequest.id == Match.request_id)
        return _grouped(stmt.where(Match.state == MatchState.DONE), key)

    active = _run(
        db,
        filters,
        active_dims,
        build_active,
        lambda row, grouped: ((row.k if grouped else None), {"active": row.n}),
        additive=False,  # one volunteer may help in several months or wijken
    )
    hours = _run(
        db,
        filters,
        done_dims,
        build_hours,
        lambda row, grouped: (
            (row.k if grouped else None),
            {"hours": float(row.hours or 0), "hours_matches": row.done or 0},
        ),
        additive=True,
    )
    for key, measures in hours.groups.items():
        active.groups.setdefault(key, {}).update(measures)
    active.total.update(hours.total)
    return active


def checkins(db: Session, filters: Filters) -> Result:
    """Carer check-ins sent in the period, by answer; the wijk is the carer's."""
    carer = aliased(User)
    dims = Dims(Checkin.sent_at, carer.neighbourhood_id, None, carer.municipality_id)
    answer = func.coalesce(type_coerce(Checkin.answer, String), "geen")

    def build(key):
        stmt = _select(key, answer.label("answer"), func.count().label("n"))
        stmt = stmt.select_from(Checkin).join(carer, carer.id == Checkin.carer_id)
        return _grouped(stmt, key, answer)

    def collect(row, grouped):
        counts = dict.fromkeys(CHECKIN_ANSWERS, 0)
        value = row.answer.value if isinstance(row.answer, CheckinAnswer) else str(row.answer)
        counts[value] = row.n
        counts["total"] = row.n
        return (row.k if grouped else None), counts

    return _run(db, filters, dims, build, collect, additive=True)


def tasks_done(db: Session, filters: Filters) -> Result:
    """Staff tasks closed in the period: about requests, about carers, other.

    The wijk is that of the request, else of the person the task is about.
    """
    person = aliased(User)
    request = aliased(HelpRequest)
    wijk = func.coalesce(request.neighbourhood_id, person.neighbourhood_id)
    dims = Dims(StaffTask.closed_at, wijk, None, StaffTask.municipality_id)
    group = case(
        (StaffTask.kind.in_(_REQUEST_TASKS), "requests"),
        (StaffTask.kind.in_(_CARER_TASKS), "carers"),
        else_="other",
    )

    def build(key):
        stmt = _select(key, group.label("grp"), func.count().label("n")).select_from(StaffTask)
        stmt = stmt.outerjoin(request, request.id == StaffTask.request_id)
        stmt = stmt.outerjoin(person, person.id == StaffTask.person_id)
        return _grouped(stmt, key, group)

    def collect(row, grouped):
        counts = dict.fromkeys(TASK_GROUPS, 0)
        counts[row.grp] = row.n
        counts["total"] = row.n
        return (row.k if grouped else None), counts

    return _run(db, filters, dims, build, collect, additive=True)


def helped_by(request=HelpRequest) -> ColumnElement:
    """ "netwerk" when someone of the asker's own network helps, "vrijwilliger" when only
    volunteers do, NULL when nobody (yet)."""
    matched = and_(Match.request_id == request.id, Match.state.in_(MATCHED_STATES))
    return case(
        (select(Match.id).where(matched, Match.via_circle).exists(), "netwerk"),
        (select(Match.id).where(matched).exists(), "vrijwilliger"),
        else_=None,
    )


def own_network(db: Session, filters: Filters) -> Result:
    """Requests made in the period that got help, by whom: the own network or a volunteer.

    By the month the request was made (not published: one its own network takes never
    goes online), its wijk and category.
    """
    hr = HelpRequest
    dims = Dims(hr.created_at, hr.neighbourhood_id, hr.category_id, hr.municipality_id)
    by = helped_by()

    def build(key):
        stmt = _select(key, by.label("by"), func.count().label("n")).select_from(hr)
        return _grouped(stmt.where(by.is_not(None)), key, by)

    def collect(row, grouped):
        counts = dict.fromkeys(HELPED_BY, 0)
        counts[row.by] = row.n
        counts["total"] = row.n
        return (row.k if grouped else None), counts

    return _run(db, filters, dims, build, collect, additive=True)


def check_outcome(check=NetworkCheck) -> ColumnElement:
    """A finished check: someone's first ("eerste"), or fewer, as many or more gaps than
    in their check before it."""
    before = aliased(NetworkCheck)
    earlier = (
        select(before.gaps)
        .where(
            before.owner_id == check.owner_id,
            before.finished_at.is_not(None),
            or_(
                before.finished_at < check.finished_at,
                and_(before.finished_at == check.finished_at, before.id < check.id),
            ),
        )
        .order_by(before.finished_at.desc(), before.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case(
        (earlier.is_(None), "eerste"),
        (check.gaps < earlier, "minder"),
        (check.gaps == earlier, "evenveel"),
        else_="meer",
    )


def network_checks(db: Session, filters: Filters) -> Result:
    """Network checks finished in the period: first ones, and how the gaps changed since
    the one before; the wijk is that of the person."""
    owner = aliased(User)
    dims = Dims(
        NetworkCheck.finished_at, owner.neighbourhood_id, None, NetworkCheck.municipality_id
    )
    outcome = check_outcome()

    def build(key):
        stmt = _select(key, outcome.label("outcome"), func.count().label("n"))
        stmt = stmt.select_from(NetworkCheck).join(owner, owner.id == NetworkCheck.owner_id)
        return _grouped(stmt, key, outcome)

    def collect(row, grouped):
        counts = dict.fromkeys(CHECK_OUTCOMES, 0)
        counts[row.outcome] = row.n
        counts["total"] = row.n
        return (row.k if grouped else None), counts

    return _run(db, filters, dims, build, collect, additive=True)


def referral_outcome(now: datetime, request=HelpRequest) -> ColumnElement:
    """What came of a referral, in SQL: the same steps as referrals.services.status_of."""
    return case(
        (Referral.withdrawn_at.is_not(None), "ingetrokken"),
        (and_(request.id.is_not(None), request.state == RequestState.DONE), "afgerond"),
        (
            and_(
                request.id.is_not(None),
                or_(request.state == RequestState.MATCHED, request.confirmed_count > 0),
            ),
            "gematcht",
        ),
        (request.id.is_not(None), "geplaatst"),
        (Referral.account_id.is_not(None), "account"),
        (or_(Referral.expired_at.is_not(None), Referral.expires_at <= now), "verlopen"),
        else_="uitgenodigd",
    )


def postcode_wijk(postcode: ColumnElement) -> ColumnElement:
    """The wijk a postcode column lies in, in SQL (as places.services.neighbourhood_for):
    a PC6 range wins over the rest of its PC4."""
    pc6 = func.upper(func.replace(postcode, " ", ""))
    area = NeighbourhoodArea
    in_range = and_(area.pc6_from.is_not(None), area.pc6_from <= pc6, area.pc6_to >= pc6)
    return (
        select(area.neighbourhood_id)
        .where(area.pc4 == func.substr(pc6, 1, 4), or_(in_range, area.pc6_from.is_(None)))
        .order_by(case((area.pc6_from.is_(None), 1), else_=0), area.id)
        .limit(1)
        .scalar_subquery()
    )


def referrals(db: Session, filters: Filters, now: datetime | None = None) -> Result:
    """Referrals made in the period, by outcome; the wijk is the request's, else that of the
    referral's own postcode, else the account's (a withdrawn referral has no postcode left)."""
    account = aliased(User)
    request = aliased(HelpRequest)
    wijk = func.coalesce(
        request.neighbourhood_id, postcode_wijk(Referral.postcode), account.neighbourhood_id
    )
    dims = Dims(Referral.created_at, wijk, Referral.category_id, Referral.municipality_id)
    outcome = referral_outcome(now or utcnow(), request)

    def build(key):
        stmt = _select(key, outcome.label("outcome"), func.count().label("n"))
        stmt = stmt.select_from(Referral)
        stmt = stmt.outerjoin(request, request.id == Referral.request_id)
        stmt = stmt.outerjoin(account, account.id == Referral.account_id)
        return _grouped(stmt, key, outcome)

    def collect(row, grouped):
        counts = dict.fromkeys(REFERRAL_OUTCOMES, 0)
        counts[row.outcome] = row.n
        counts["total"] = row.n
        return (row.k if grouped else None), counts

    return _run(db, filters, dims, build, collect, additive=True)


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


def compute(db: Session, name: str, filters: Filters, now: datetime | None = None) -> Result:
    """One figure's raw numbers, live from the rows (the pages read rollups.compute)."""
    if name == "verwijzingen":
        return referrals(db, filters, now)
    return FIGURES[name](db, filters)


def compute_all(db: Session, filters: Filters, now: datetime | None = None) -> dict[str, Result]:
    """Every figure's raw numbers, live from the rows."""
    return {name: compute(db, name, filters, now) for name in FIGURES}


def group_labels(
    db: Session, by: str, municipality_ids: frozenset[int], locale: str = "nl"
) -> dict[object, str]:
    """Names for the group keys of wijken, categories and municipalities (small tables).

    Only the wijken and municipalities in view are named; a wijk carries its
    municipality's name only when more than one municipality is in view.
    """
    ids = sorted(municipality_ids)
    if by == BY_WIJK:
        rows = db.execute(
            select(Neighbourhood.id, Neighbourhood.name, Municipality.name)
            .join(Municipality, Municipality.id == Neighbourhood.municipality_id)
            .where(Neighbourhood.municipality_id.in_(ids))
        ).all()
        several = len(municipality_ids) > 1
        return {id_: f"{name} ({town})" if several else name for id_, name, town in rows}
    if by == BY_CATEGORY:
        return {category.id: category.name(locale) for category in db.scalars(select(Category))}
    if by == BY_MUNICIPALITY:
        return dict(
            db.execute(select(Municipality.id, Municipality.name).where(Municipality.id.in_(ids)))
            .tuples()
            .all()
        )
    return {}


def filter_choices(
    db: Session, served: frozenset[int], locale: str = "nl"
) -> dict[str, list[tuple[int, str]]]:
    """(id, name) pairs for the municipality, wijk and category filters: only the
    municipalities served (tenancy.served_ids of the viewer) and their wijken."""
    return {
        "municipalities": list(
            db.execute(
                select(Municipality.id, Municipality.name)
                .where(Municipality.id.in_(sorted(served)))
                .order_by(Municipality.name)
            )
            .tuples()
            .all()
        ),
        "neighbourhoods": sorted(
            group_labels(db, BY_WIJK, served).items(), key=lambda pair: pair[1]
        ),
        "categories": [
            (category.id, category.name(locale))
            for category in db.scalars(
                select(Category).where(Category.active).order_by(Category.position)
            )
        ],
    }


def previous_period(filters: Filters) -> Filters:
    """The same filters for the months just before, as many as chosen."""
    from dataclasses import replace

    count = len(months_between(filters.first_month, filters.last_month))
    first = month_start(filters.first_month)
    for _ in range(count):
        first = month_start(date.fromordinal(first.toordinal() - 1))
    last = month_start(date.fromordinal(month_start(filters.first_month).toordinal() - 1))
    return replace(filters, first_month=first, last_month=last, by=BY_MONTH)


# The key numbers on top of the page: (figure, measure) for each.
KEY_NUMBERS = (
    ("matches", "posted"),
    ("matches", "matched"),
    ("matches", "share"),
    ("matches", "median_days"),
    ("matches", "expired"),
    ("verwijzingen", "total"),
    ("verwijzingen", "placed"),
    ("mantelzorgers", "total"),
)


def key_totals(db: Session, filters: Filters, figure=compute) -> dict[str, dict[str, float | None]]:
    """The totals the key numbers read, for the whole period (no grouping).

    figure(db, name, filters) gives a figure's numbers: live by default, or rollups.compute.
    """
    from dataclasses import replace

    whole = replace(filters, by=BY_MONTH)
    matched = figure(db, "matches", whole).total
    referred = figure(db, "verwijzingen", whole).total
    placed = sum(referred.get(k) or 0 for k in ("geplaatst", "gematcht", "afgerond"))
    return {
        "matches": matched,
        "verwijzingen": {**referred, "placed": placed},
        "mantelzorgers": figure(db, "mantelzorgers", whole).total,
    }

"""Marking the months a change makes stale, in the same transaction as the change.

Every write through a Session is seen: an ORM flush (new, changed and deleted rows) and an
UPDATE or DELETE statement (claims, bulk changes) on the tables the figures read. The
months are looked up before the change (where the row counted) and after it (where it
counts now), so a row that moves month, wijk or municipality is recounted in both.
Not seen: raw SQL text and bulk inserts outside a Session (the benchmarks, imports), and
changes to wijk areas or categories; after those, run `flask --app wsgi figures rebuild`.
"""

from __future__ import annotations

from sqlalchemy import Connection, event, insert, inspect, select
from sqlalchemy.orm import Session

from voorelkaar.figures.rollups import CHUNK, Slice, month_of_value
from voorelkaar.models import (
    Checkin,
    FigureStale,
    HelpRequest,
    Match,
    NetworkCheck,
    Referral,
    StaffTask,
    User,
)

SOURCES = {
    HelpRequest: "help_requests",
    Match: "matches",
    Checkin: "checkins",
    StaffTask: "staff_tasks",
    Referral: "referrals",
    NetworkCheck: "network_checks",
    User: "users",
}
TABLES = set(SOURCES.values())
# A person counts in the figures only through their wijk and municipality (check-ins,
# tasks and referrals about them); their other columns change often and count for nothing.
USER_PLACE = ("neighbourhood_id", "municipality_id")
PENDING = "voorelkaar.figures.stale"


def _months(rows) -> set[Slice]:
    found = set()
    for *moments, town in rows:
        if town is None:
            continue
        found.update((month_of_value(moment), town) for moment in moments if moment is not None)
    return found


def _of_requests(conn: Connection, ids: list[int]) -> set[Slice]:
    hr = HelpRequest
    # Published: the request figures; made: the own network's (a request it helps is never
    # published).
    found = _months(
        conn.execute(
            select(hr.published_at, hr.created_at, hr.municipality_id).where(hr.id.in_(ids))
        )
    )
    found |= _months(
        conn.execute(
            select(Match.confirmed_at, Match.ended_at, hr.municipality_id)
            .join(hr, hr.id == Match.request_id)
            .where(Match.request_id.in_(ids))
        )
    )
    found |= _months(
        conn.execute(
            select(Referral.created_at, Referral.municipality_id).where(
                Referral.request_id.in_(ids)
            )
        )
    )
    return found | _months(
        conn.execute(
            select(StaffTask.closed_at, StaffTask.municipality_id).where(
                StaffTask.request_id.in_(ids)
            )
        )
    )


def _of_matches(conn: Connection, ids: list[int]) -> set[Slice]:
    hr = HelpRequest
    return _months(
        conn.execute(
            select(
                hr.published_at,
                hr.created_at,
                Match.confirmed_at,
                Match.ended_at,
                hr.municipality_id,
            )
            .join(hr, hr.id == Match.request_id)
            .where(Match.id.in_(ids))
        )
    )


def _of_checkins(conn: Connection, ids: list[int]) -> set[Slice]:
    return _months(
        conn.execute(
            select(Checkin.sent_at, User.municipality_id)
            .join(User, User.id == Checkin.carer_id)
            .where(Checkin.id.in_(ids))
        )
    )


def _of_tasks(conn: Connection, ids: list[int]) -> set[Slice]:
    return _months(
        conn.execute(
            select(StaffTask.closed_at, StaffTask.municipality_id).where(StaffTask.id.in_(ids))
        )
    )


def _of_referrals(conn: Connection, ids: list[int]) -> set[Slice]:
    found = _months(
        conn.execute(
            select(Referral.created_at, Referral.municipality_id).where(Referral.id.in_(ids))
        )
    )
    # A referral linked to a request makes that request count as "na een verwijzing".
    return found | _months(
        conn.execute(
            select(HelpRequest.published_at, HelpRequest.municipality_id)
            .join(Referral, Referral.request_id == HelpRequest.id)
            .where(Referral.id.in_(ids))
        )
    )


def _of_users(conn: Connection, ids: list[int], *, deleting: bool = False) -> set[Slice]:
    found = _months(
        conn.execute(
            select(Checkin.sent_at, User.municipality_id)
            .join(User, User.id == Checkin.carer_id)
            .where(Checkin.carer_id.in_(ids))
        )
    )
    found |= _months(
        conn.execute(
            select(StaffTask.closed_at, StaffTask.municipality_id).where(
                StaffTask.person_id.in_(ids)
            )
        )
    )
    found |= _months(
        conn.execute(
            select(Referral.created_at, Referral.municipality_id).where(
                Referral.account_id.in_(ids)
            )
        )
    )
    if deleting:  # the database deletes their requests and matches with them
        requests = list(conn.scalars(select(HelpRequest.id).where(HelpRequest.author_id.in_(ids))))
        matches = list(conn.scalars(select(Match.id).where(Match.volunteer_id.in_(ids))))
        found |= _chunked(_of_requests, conn, requests) | _chunked(_of_matches, conn, matches)
    return found


def _of_network_checks(conn: Connection, ids: list[int]) -> set[Slice]:
    """A finished check, and the owner's later ones (their "fewer or more" compares with it)."""
    owners = select(NetworkCheck.owner_id).where(NetworkCheck.id.in_(ids)).scalar_subquery()
    return _months(
        conn.execute(
            select(NetworkCheck.finished_at, NetworkCheck.municipality_id).where(
                NetworkCheck.owner_id.in_(owners)
            )
        )
    )


LOOKUPS = {
    "help_requests": _of_requests,
    "matches": _of_matches,
    "checkins": _of_checkins,
    "staff_tasks": _of_tasks,
    "referrals": _of_referrals,
    "network_checks": _of_network_checks,
}


def _chunked(lookup, conn: Connection, ids: list[int], **options) -> set[Slice]:
    found: set[Slice] = set()
    for start in range(0, len(ids), CHUNK):
        found |= lookup(conn, ids[start : start + CHUNK], **options)
    return found


def slices_of(
    conn: Connection, table: str, ids: list[int], *, deleting: bool = False
) -> set[Slice]:
    """The (month, municipality) pairs whose figures the rows ids of table count in."""
    if not ids:
        return set()
    if table == "users":
        return _chunked(_of_users, conn, ids, deleting=deleting)
    return _chunked(LOOKUPS[table], conn, ids)


def mark(conn: Connection, slices: set[Slice]) -> None:
    """Write the stale months (duplicates are fine: the refresh reads them as a set)."""
    if slices:
        conn.execute(
            insert(FigureStale),
            [{"month": month, "municipality_id": town} for month, town in sorted(slices)],
        )


# -- the listeners ------------------------------------------------------------------------


def _counts(obj) -> bool:
    """Whether a changed object's change can move a figure."""
    if isinstance(obj, User):
        state = inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in USER_PLACE)
    return True


def _touched(session: Session, objects, *, changed_only: bool) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {}
    for obj in objects:
        table = SOURCES.get(type(obj))
        if table is None or obj.id is None:
            continue
        if changed_only and not (session.is_modified(obj) and _counts(obj)):
            continue
        ids.setdefault(table, []).append(obj.id)
    return ids


def _before_flush(session: Session, _context, _instances) -> None:
    conn = session.connection()
    found = session.info.setdefault(PENDING, set())
    for table, ids in _touched(session, session.dirty, changed_only=True).items():
        found |= slices_of(conn, table, ids)
    for table, ids in _touched(session, session.deleted, changed_only=False).items():
        found |= slices_of(conn, table, ids, deleting=True)


def _after_flush(session: Session, _context) -> None:
    conn = session.connection()
    found = session.info.pop(PENDING, set())
    touched = _touched(session, session.new, changed_only=False)
    for table, ids in _touched(session, session.dirty, changed_only=True).items():
        touched.setdefault(table, []).extend(ids)
    for table, ids in touched.items():
        found |= slices_of(conn, table, ids)
    mark(conn, found)


def _sets_user_place(statement) -> bool:
    values = getattr(statement, "_values", None) or {}
    names = {getattr(key, "key", key) for key in values}
    return not names or bool(names & set(USER_PLACE))


def _on_execute(state):
    if not (state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in TABLES:
        return None
    if name == "users" and state.is_update and not _sets_user_place(state.statement):
        return None
    conn = state.session.connection()
    query = select(table.c.id)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    ids = list(conn.scalars(query))
    found = slices_of(conn, name, ids, deleting=state.is_delete)
    result = state.invoke_statement()
    if state.is_update:
        found |= slices_of(conn, name, ids)
    mark(conn, found)
    return result


def listen() -> None:
    """Mark stale months on every Session (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)

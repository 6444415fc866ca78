"""Create tasks once per cause; list, claim, release and close them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from voorelkaar.audit import record
from voorelkaar.auth.access import staff_of
from voorelkaar.db import claim, utcnow
from voorelkaar.forms import clean_text
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.idempotency import new_token
from voorelkaar.models import (
    CarerProfile,
    Checkin,
    CheckinAnswer,
    HelpRequest,
    Municipality,
    Neighbourhood,
    Referral,
    Role,
    StaffTask,
    TaskKind,
    User,
    UserRole,
)
from voorelkaar.tenancy import in_scope, scoped, serves

OUTCOME_MAX_LENGTH = 2000
PAGE_SIZE = 50
CHECKIN_KINDS = (TaskKind.CHECKIN_HEAVY, TaskKind.CHECKIN_SILENT)
# The kinds about a request that end when the request is matched, withdrawn, expired or done.
REQUEST_KINDS = (
    TaskKind.REQUEST_UNMATCHED,
    TaskKind.MATCH_CANCELLED,
    TaskKind.MATCH_FAILED,
    TaskKind.OFFER_UNANSWERED,
    TaskKind.CIRCLE_STUCK,
)
# Made for a person, not a subject that resolves: only staff close these.
MANUAL_KINDS = (TaskKind.MAIL_FAILED, TaskKind.CALL_PERSON, TaskKind.NETWORK_COACH, TaskKind.MANUAL)
AGE_DAYS = (1, 3, 7)  # the queue's "older than" filter


class TaskError(Exception):
    """Something a staff member tried cannot be done to this task (now)."""


class NotStaff(TaskError):
    pass


class TaskClosed(TaskError):
    pass


class NotClaimed(TaskError):
    pass


class ClaimedByOther(TaskError):
    """Another staff member holds the task; they (or an admin) must release it first."""

    def __init__(self, holder: User | None):
        super().__init__("claimed by someone else")
        self.holder = holder


class InvalidOutcome(TaskError, ValueError):
    pass


class TaskView(enum.StrEnum):
    OPEN = "open"
    MINE = "mijn"  # open and claimed by the viewer
    CLOSED = "afgesloten"


@dataclass(frozen=True)
class Cursor:
    """Where a page of the queue starts or ends: the sort moment and the id of one task."""

    moment: datetime
    id: int

    def __str__(self) -> str:
        return f"{self.moment.astimezone(UTC).isoformat()}~{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor written in a page link; anything odd is None (the first page)."""
        moment, _, id_ = (text or "").rpartition("~")
        try:
            when = datetime.fromisoformat(moment)
            return cls(when if when.tzinfo else when.replace(tzinfo=UTC), int(id_))
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Person:
    """A person as a row of the queue shows them: a name, and a phone number to call."""

    id: int
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class RequestLine:
    id: int
    title: str
    published_at: datetime | None


@dataclass(frozen=True)
class ReferralLine:
    id: int
    resident_name: str
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class CheckinLine:
    carer: Person


@dataclass(frozen=True)
class TaskRow:
    """What one line of the queue shows of a task, read in the page's one query.

    It has the attribute names of StaffTask, so `subject_link` and `carer_of` take both."""

    id: int
    kind: TaskKind
    title: str | None
    detail: str  # the start only: the queue shows its first line
    created_at: datetime
    follow_up_on: date | None
    closed_at: datetime | None
    closed_reason: str | None
    claimed_by_id: int | None
    person: Person | None
    request: RequestLine | None
    referral: ReferralLine | None
    checkin: CheckinLine | None
    claimed_by: Person | None
    closed_by: Person | None


@dataclass(frozen=True)
class TaskPage:
    """One page of the queue; `after` and `before` are the cursors of the next and the
    previous page (None when there is none)."""

    items: list[TaskRow]
    number: int
    total: int
    mine: int = 0  # the open tasks the viewer holds (for the "Mijn taken" link)
    after: Cursor | None = None
    before: Cursor | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def open_task(
    db: Session,
    *,
    key: str,
    kind: TaskKind,
    person: User | None = None,
    detail: str = "",
    **subjects,
) -> StaffTask | None:
    """Add a task unless one with this key exists; the caller commits.

    subjects are the optional request, match and checkin the task is about.
    Returns the new task, or None when the key was already there.
    """
    if db.scalar(select(StaffTask.id).where(StaffTask.key == key)) is not None:
        return None
    task = StaffTask(key=key, kind=kind, person=person, detail=detail, **subjects)
    referral = subjects.get("referral")
    if referral is not None and task.municipality_id is None:
        task.municipality_id = referral.municipality_id  # whose staff invited the resident
    try:
        with db.begin_nested():  # another process may add the same key at the same moment
            db.add(task)
    except IntegrityError:
        return None
    return task


@dataclass(frozen=True)
class TaskFilters:
    """Narrow the queue: one kind, the person's wijk, older than some days; None is any."""

    kind: TaskKind | None = None
    neighbourhood_id: int | None = None
    older_than_days: int | None = None


def _filter_conditions(filters: TaskFilters | None) -> list:
    if filters is None:
        return []
    conditions = []
    if filters.kind is not None:
        conditions.append(StaffTask.kind == filters.kind)
    if filters.neighbourhood_id is not None:
        # The wijk of the person the task is about; tasks without a person drop out.
        conditions.append(
            StaffTask.person_id.in_(
                select(User.id).where(User.neighbourhood_id == filters.neighbourhood_id)
            )
        )
    if filters.older_than_days is not None:
        conditions.append(
            StaffTask.created_at <= utcnow() - timedelta(days=filters.older_than_days)
        )
    return conditions


def _filtered(query, filters: TaskFilters | None):
    return query.where(*_filter_conditions(filters))


def _view_condition(view: TaskView, viewer: User):
    """Which tasks a view holds: closed ones, open ones, or the open ones viewer holds."""
    if view == TaskView.CLOSED:
        return StaffTask.closed_at.is_not(None)
    if view == TaskView.MINE:
        return and_(StaffTask.closed_at.is_(None), StaffTask.claimed_by_id == viewer.id)
    return StaffTask.closed_at.is_(None)


def task_for(db: Session, viewer: User, task_id: int) -> StaffTask | None:
    """One task of viewer's municipalities, or None (shown as 404)."""
    task = db.get(StaffTask, task_id)
    return task if task is not None and serves(db, viewer, task.municipality_id) else None


def default_newest_first(view: TaskView) -> bool:
    """A queue is worked oldest first; what was closed is looked up newest first."""
    return view == TaskView.CLOSED


@dataclass(frozen=True)
class QueueCounts:
    total: int  # the tasks in view, filters applied
    mine: int  # the open tasks viewer holds


def _counts(db: Session, scope, viewer: User, view: TaskView, filters) -> QueueCounts:
    """How many tasks the view holds, and how many viewer holds, in one query."""
    in_view = and_(_view_condition(view, viewer), *_filter_conditions(filters))
    mine = and_(StaffTask.closed_at.is_(None), StaffTask.claimed_by_id == viewer.id)
    total, held = db.execute(
        select(func.count(case((in_view, 1))), func.count(case((mine, 1)))).where(scope)
    ).one()
    return QueueCounts(total=total or 0, mine=held or 0)


def list_tasks(
    db: Session,
    viewer: User,
    view: TaskView = TaskView.OPEN,
    *,
    newest_first: bool | None = None,
    after: Cursor | None = None,
    before: Cursor | None = None,
    number: int = 1,
    filters: TaskFilters | None = None,
) -> TaskPage:
    """One page of the tasks in view (open, mine or closed), after or before a cursor,
    with the counts: two queries.

    Pages by keyset: a page starts where the last ended, so a task added or closed
    meanwhile shifts nothing and the database never counts past the pages before."""
    if newest_first is None:
        newest_first = default_newest_first(view)
    scope = in_scope(db, StaffTask.municipality_id, viewer)
    counts = _counts(db, scope, viewer, view, filters)
    query = _QueuePage(scope, viewer, view, filters, newest_first, counts)
    page = query.read(db, after, before, number)
    if not page.items and (after or before):  # the cursor's tasks went meanwhile
        page = query.read(db, None, None, 1)
    return page


@dataclass(frozen=True)
class _QueuePage:
    """The query of one view of the queue, read from a cursor on."""

    scope: Any
    viewer: User
    view: TaskView
    filters: TaskFilters | None
    newest_first: bool
    counts: QueueCounts

    @property
    def moment(self):
        return StaffTask.closed_at if self.view == TaskView.CLOSED else StaffTask.created_at

    def cursor_of(self, row: TaskRow) -> Cursor:
        return Cursor(row.closed_at if self.view == TaskView.CLOSED else row.created_at, row.id)

    def read(self, db: Session, after: Cursor | None, before: Cursor | None, number: int):
        backwards = before is not None and after is None
        rows = self.rows(db, after or before, backwards)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        if backwards:
            rows.reverse()
            first_page = not more
            next_cursor = self.cursor_of(rows[-1]) if rows else None
        else:
            first_page = after is None
            next_cursor = self.cursor_of(rows[-1]) if more else None
        previous_cursor = None if first_page or not rows else self.cursor_of(rows[0])
        total = self.counts.total
        pages = max(1, -(-total // PAGE_SIZE))
        number = 1 if first_page else max(2, min(number, pages))
        return TaskPage(
            rows, number, total, self.counts.mine, after=next_cursor, before=previous_cursor
        )

    def rows(self, db: Session, cursor: Cursor | None, backwards: bool) -> list[TaskRow]:
        """PAGE_SIZE + 1 rows from the cursor on (to know whether a next page exists)."""
        descending = self.newest_first != backwards
        moment = self.moment
        query = _ROWS.where(self.scope, _view_condition(self.view, self.viewer))
        query = _filtered(query, self.filters)
        if cursor is not None:
            beyond = (moment < cursor.moment) if descending else (moment > cursor.moment)
            tie = (StaffTask.id < cursor.id) if descending else (StaffTask.id > cursor.id)
            query = query.where(or_(beyond, and_(moment == cursor.moment, tie)))
        order = (moment.desc(), StaffTask.id.desc()) if descending else (moment, StaffTask.id)
        return [_row(values) for values in db.execute(query.order_by(*order).limit(PAGE_SIZE + 1))]


# The four people a row names, as aliases made once: building them costs more than the query.
_PERSON = aliased(User, name="person")
_CARER = aliased(User, name="carer")
_HOLDER = aliased(User, name="holder")
_CLOSER = aliased(User, name="closer")


_ROWS = (
    select(
        StaffTask.id,
        StaffTask.kind,
        StaffTask.title,
        func.substr(StaffTask.detail, 1, 200),
        StaffTask.created_at,
        StaffTask.follow_up_on,
        StaffTask.closed_at,
        StaffTask.closed_reason,
        StaffTask.claimed_by_id,
        _PERSON.id,
        _PERSON.name,
        _PERSON.phone,
        HelpRequest.id,
        HelpRequest.title,
        HelpRequest.published_at,
        Referral.id,
        Referral.resident_name,
        Referral.withdrawn_at,
        _CARER.id,
        _CARER.name,
        _HOLDER.id,
        _HOLDER.name,
        _CLOSER.id,
        _CLOSER.name,
    )
    .select_from(StaffTask)
    .outerjoin(_PERSON, _PERSON.id == StaffTask.person_id)
    .outerjoin(HelpRequest, HelpRequest.id == StaffTask.request_id)
    .outerjoin(Referral, Referral.id == StaffTask.referral_id)
    .outerjoin(Checkin, Checkin.id == StaffTask.checkin_id)
    .outerjoin(_CARER, _CARER.id == Checkin.carer_id)
    .outerjoin(_HOLDER, _HOLDER.id == StaffTask.claimed_by_id)
    .outerjoin(_CLOSER, _CLOSER.id == StaffTask.closed_by_id)
)


def _row(values) -> TaskRow:
    (id_, kind, title, detail, created, follow_up, closed, reason, claimed_by_id) = values[:9]
    (person_id, person_name, phone, request_id, request_title, published) = values[9:15]
    (referral_id, resident, withdrawn, carer_id, carer_name) = values[15:20]
    (holder_id, holder_name, closer_id, closer_name) = values[20:24]
    return TaskRow(
        id=id_,
        kind=kind,
        title=title,
        detail=detail or "",
        created_at=created,
        follow_up_on=follow_up,
        closed_at=closed,
        closed_reason=reason,
        claimed_by_id=claimed_by_id,
        person=Person(person_id, person_name, phone) if person_id is not None else None,
        request=(
            RequestLine(request_id, request_title, published) if request_id is not None else None
        ),
        referral=(
            ReferralLine(referral_id, resident, withdrawn) if referral_id is not None else None
        ),
        checkin=CheckinLine(Person(carer_id, carer_name)) if carer_id is not None else None,
        claimed_by=Person(holder_id, holder_name) if holder_id is not None else None,
        closed_by=Person(closer_id, closer_name) if closer_id is not None else None,
    )


def neighbourhood_choices(db: Session, viewer: User) -> list[tuple[int, str]]:
    """The wijken of viewer's municipalities as (id, name), by name; the municipality is
    named when there are several."""
    query = (
        select(Neighbourhood.id, Neighbourhood.name, Municipality.name)
        .join(Municipality, Municipality.id == Neighbourhood.municipality_id)
        .order_by(Municipality.name, Neighbourhood.name)
    )
    rows = db.execute(scoped(db, query, Neighbourhood.municipality_id, viewer)).all()
    several = len({row[2] for row in rows}) > 1
    return [(id_, f"{name} ({town})" if several else name) for id_, name, town in rows]


def count_open(db: Session, viewer: User, *, mine: bool = False) -> int:
    """How many tasks of viewer's municipalities wait (only those viewer holds, if mine)."""
    query = scoped(
        db,
        select(func.count(StaffTask.id)).where(StaffTask.closed_at.is_(None)),
        StaffTask.municipality_id,
        viewer,
    )
    if mine:
        query = query.where(StaffTask.claimed_by_id == viewer.id)
    return db.scalar(query) or 0


def carer_of(task: StaffTask) -> User | None:
    """The carer a check-in task is about, if it is one."""
    if task.checkin is not None:
        return task.checkin.carer
    return task.person if task.kind in CHECKIN_KINDS else None


def checkin_history(db: Session, carer: User) -> list[Checkin]:
    """Every check-in the carer received, newest first."""
    return list(
        db.scalars(
            select(Checkin)
            .where(Checkin.carer_id == carer.id)
            .order_by(Checkin.sent_at.desc(), Checkin.id.desc())
        )
    )


def carer_profile(db: Session, carer: User) -> CarerProfile | None:
    return db.get(CarerProfile, carer.id)


def _check_staff(actor: User, task: StaffTask) -> None:
    if not staff_of(actor, task.municipality_id):
        raise NotStaff("only staff of its municipality work on a task")


def _refused(db: Session, task: StaffTask, actor: User) -> TaskError | None:
    """Why a conditional update found nothing to change, read fresh from the database."""
    db.rollback()
    db.refresh(task)
    if task.closed_at is not None:
        return TaskClosed("already closed")
    if task.claimed_by_id not in (None, actor.id):
        return ClaimedByOther(task.claimed_by)
    return None


def claim_task(db: Session, actor: User, task: StaffTask) -> bool:
    """Take a task on; only one staff member can hold it.

    Returns False when the actor already held it. Raises TaskClosed or ClaimedByOther.
    """
    _check_staff(actor, task)
    # One conditional UPDATE: of two staff pressing at the same moment, one wins.
    if not claim(
        db,
        StaffTask,
        task.id,
        StaffTask.closed_at.is_(None),
        StaffTask.claimed_by_id.is_(None),
        claimed_by_id=actor.id,
        claimed_at=utcnow(),
    ):
        error = _refused(db, task, actor)
        if error is not None:
            raise error
        if task.claimed_by_id == actor.id:
            return False
        raise NotClaimed("changed meanwhile")  # released in between; rare, try again
    record(db, actor, "staff_tasks.claimed", task)
    db.commit()
    db.refresh(task)
    return True


def may_release(actor: User, task: StaffTask) -> bool:
    """The holder lets go of their own task; an admin may free one for a colleague."""
    return task.claimed_by_id == actor.id or actor.has_role(Role.ADMIN)


def release_task(db: Session, actor: User, task: StaffTask) -> None:
    """Give a claimed task back to the queue."""
    _check_staff(actor, task)
    if task.closed_at is not None:
        raise TaskClosed("already closed")
    if task.claimed_by_id is None:
        raise NotClaimed("nobody holds it")
    if not may_release(actor, task):
        raise ClaimedByOther(task.claimed_by)
    holder_id = task.claimed_by_id
    if not claim(
        db,
        StaffTask,
        task.id,
        StaffTask.closed_at.is_(None),
        StaffTask.claimed_by_id == holder_id,
        claimed_by_id=None,
        claimed_at=None,
    ):
        error = _refused(db, task, actor)
        raise error or NotClaimed("released meanwhile")
    # The audit trail is read in Dutch and never erased: the colleague by number, not name.
    note = None if holder_id == actor.id else f"opgepakt door gebruiker #{holder_id}"
    record(db, actor, "staff_tasks.released", task, note)
    db.commit()
    db.refresh(task)


def clean_outcome(outcome: str | None) -> str:
    """The outcome as it is stored; raises InvalidOutcome when empty or too long."""
    text = clean_text(outcome or "")
    if not text:
        raise InvalidOutcome("an outcome is required")
    if len(text) > OUTCOME_MAX_LENGTH:
        raise InvalidOutcome("the outcome is too long")
    return text


def close_task(db: Session, actor: User, task: StaffTask, outcome: str) -> None:
    """Record what was done and close the task; an unclaimed task is claimed on the way."""
    _check_staff(actor, task)
    text = clean_outcome(outcome)
    now = utcnow()
    if not claim(
        db,
        StaffTask,
        task.id,
        StaffTask.closed_at.is_(None),
        StaffTask.claimed_by_id.is_(None) | (StaffTask.claimed_by_id == actor.id),
        outcome=text,
        closed_at=now,
        closed_by_id=actor.id,
        claimed_by_id=actor.id,
        claimed_at=func.coalesce(StaffTask.claimed_at, now),
    ):
        error = _refused(db, task, actor)
        raise error or TaskError("changed meanwhile")
    # The outcome stays on the task only: the audit trail is never erased, and an
    # outcome may say how a carer is doing.
    record(db, actor, "staff_tasks.closed", task)
    db.commit()
    db.refresh(task)


def detail_text(db: Session, task: StaffTask) -> str:
    """The task's explanation; a check-in task's is read now from the check-in itself,
    so that the carer's words are not copied into the task and go when the check-in goes."""
    if task.kind in CHECKIN_KINDS:
        from voorelkaar.carers.services import task_detail  # carers open tasks: import late

        return task_detail(db, task)
    return task.detail


def close_resolved(db: Session, reason: str, *conditions) -> int:
    """Close the open tasks that match conditions, because their subject resolved.

    Nobody closed them (closed_by stays empty); closed_reason says why, in Dutch. One
    conditional UPDATE, so a task a colleague closed a moment ago keeps their outcome.
    The caller commits. Returns how many closed.
    """
    return db.execute(
        update(StaffTask)
        .where(StaffTask.closed_at.is_(None), *conditions)
        .values(closed_at=utcnow(), closed_by_id=None, closed_reason=reason[:200])
        .execution_options(synchronize_session="fetch")
    ).rowcount


def close_for_request(db: Session, request_id: int, reason: str, kinds=REQUEST_KINDS) -> int:
    """Close the open tasks of these kinds about one request."""
    return close_resolved(db, reason, StaffTask.request_id == request_id, StaffTask.kind.in_(kinds))


def close_for_matches(
    db: Session, match_ids, reason: str, kinds=(TaskKind.OFFER_UNANSWERED,)
) -> int:
    """Close the open tasks of these kinds about these matches (offers answered, say)."""
    ids = [match_id for match_id in match_ids if match_id is not None]
    if not ids:
        return 0
    return close_resolved(db, reason, StaffTask.match_id.in_(ids), StaffTask.kind.in_(kinds))


def close_for_referral(db: Session, referral, reason: str) -> int:
    """Close the "referral expired" tasks of a referral that was accepted or resent.

    Withdrawn, every task about it closes: its personal data goes, and with it a task's
    copy of its title.
    """
    about = StaffTask.referral_id == referral.id
    if referral.is_withdrawn:
        db.execute(
            update(StaffTask)
            .where(about)
            .values(detail="")
            .execution_options(synchronize_session="fetch")
        )
        return close_resolved(db, reason, about)
    return close_resolved(db, reason, about, StaffTask.kind == TaskKind.REFERRAL_EXPIRED)


def close_after_checkin(db: Session, checkin: Checkin) -> int:
    """The rule: an answer "goed" or "het gaat" closes the carer's open check-in tasks
    about this check-in or an earlier one (a "zwaar" or a silence that has passed)."""
    earlier = select(Checkin.id).where(
        Checkin.carer_id == checkin.carer_id, Checkin.sent_at <= checkin.sent_at
    )
    word = "goed" if checkin.answer == CheckinAnswer.GOOD else "het gaat"
    return close_resolved(
        db,
        f'Vanzelf gesloten: de mantelzorger antwoordde later "{word}".',
        StaffTask.kind.in_(CHECKIN_KINDS),
        StaffTask.checkin_id.in_(earlier),
    )


class InvalidFollowUp(TaskError, ValueError):
    """A follow-up date in the past."""


class NotColleague(TaskError):
    """Someone who does not work for the task's municipality as staff."""


def local_today():
    """Today's date in the Netherlands."""
    return utcnow().astimezone(AMSTERDAM).date()


def check_follow_up(on: date | None) -> None:
    """Raise InvalidFollowUp for a date before today (None means no follow-up)."""
    if on is not None and on < local_today():
        raise InvalidFollowUp("a follow-up date lies today or later")


def colleagues(db: Session, municipality_id: int | None) -> list[User]:
    """Staff who work for this municipality, by name: whom a task may be handed to."""
    staff = db.scalars(
        select(User)
        .where(
            User.roles.any(UserRole.role.in_((Role.STAFF, Role.ADMIN))),
            User.blocked_at.is_(None),
            User.anonymised_at.is_(None),
        )
        .order_by(User.name, User.id)
    ).all()
    return [user for user in staff if serves(db, user, municipality_id)]


def set_follow_up(db: Session, actor: User, task: StaffTask, on: date | None) -> None:
    """Say on which day the task should be looked at again (None: no date); audited."""
    _check_staff(actor, task)
    check_follow_up(on)
    if not claim(db, StaffTask, task.id, StaffTask.closed_at.is_(None), follow_up_on=on):
        error = _refused(db, task, actor)
        raise error or TaskError("changed meanwhile")
    record(db, actor, "staff_tasks.follow_up", task, on.isoformat() if on else "geen datum")
    db.commit()
    db.refresh(task)


def may_hand_over(actor: User, task: StaffTask) -> bool:
    """Whoever holds the task (or nobody does) hands it on; an admin may always."""
    return task.claimed_by_id in (None, actor.id) or actor.has_role(Role.ADMIN)


def hand_over(db: Session, actor: User, task: StaffTask, colleague: User) -> None:
    """Make a colleague of the task's municipality its holder; audited by number."""
    _check_staff(actor, task)
    if not staff_of(colleague, task.municipality_id) or colleague.blocked_at is not None:
        raise NotColleague("not staff of the task's municipality")
    if task.closed_at is not None:
        raise TaskClosed("already closed")
    if not may_hand_over(actor, task):
        raise ClaimedByOther(task.claimed_by)
    holder = task.claimed_by_id
    held = (
        StaffTask.claimed_by_id.is_(None) if holder is None else StaffTask.claimed_by_id == holder
    )
    if not claim(
        db,
        StaffTask,
        task.id,
        StaffTask.closed_at.is_(None),
        held,
        claimed_by_id=colleague.id,
        claimed_at=utcnow(),
    ):
        error = _refused(db, task, actor)
        raise error or TaskError("changed meanwhile")
    record(db, actor, "staff_tasks.handed_over", task, f"aan gebruiker #{colleague.id}")
    db.commit()
    db.refresh(task)


@dataclass(frozen=True)
class ManualTask:
    """What a staff member writes down to do for a person."""

    title: str
    note: str = ""
    follow_up_on: date | None = None
    holder: User | None = None


def add_manual_task(db: Session, actor: User, person: User, details: ManualTask) -> StaffTask:
    """A task made by hand on a person's record, in the person's municipality; commits."""
    if not staff_of(actor, person.municipality_id):
        raise NotStaff("only staff of the person's municipality")
    check_follow_up(details.follow_up_on)
    holder = details.holder
    if holder is not None and not staff_of(holder, person.municipality_id):
        raise NotColleague("not staff of the person's municipality")
    now = utcnow()
    task = StaffTask(
        key=f"manual:{person.id}:{new_token()}",
        kind=TaskKind.MANUAL,
        person=person,
        municipality_id=person.municipality_id,
        title=clean_text(details.title)[:200],
        detail=clean_text(details.note or ""),
        follow_up_on=details.follow_up_on,
        claimed_by_id=holder.id if holder else None,
        claimed_at=now if holder else None,
    )
    db.add(task)
    db.flush()
    record(db, actor, "staff_tasks.made", task)
    db.commit()
    return task

"""Help request steps. Every change of state goes through a function here."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.audit import record
from voorelkaar.auth.access import in_back_office, staff_of
from voorelkaar.db import claim, utcnow
from voorelkaar.events import emit
from voorelkaar.models import (
    Category,
    HelpRequest,
    Match,
    MatchState,
    Municipality,
    PostedFor,
    RequestState,
    Role,
    ScheduleKind,
    User,
)
from voorelkaar.moderation.services import moderates, publish_post, submit_post
from voorelkaar.network.services import ask_circle
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.posts import PAGE_SIZE, Filters, Listed, Page, browse_posts  # noqa: F401
from voorelkaar.tenancy import serves

# States in which the asker may still change the request.
EDITABLE = {
    RequestState.DRAFT,
    RequestState.PENDING,
    RequestState.OPEN,
    RequestState.REJECTED,
    RequestState.CIRCLE,
}
# A matched request may be withdrawn too: its volunteers then hear they need not come.
CANCELLABLE = {
    RequestState.DRAFT,
    RequestState.PENDING,
    RequestState.OPEN,
    RequestState.MATCHED,
    RequestState.CIRCLE,
}
# An author's change of these is submitted again (staff's changes never are).
RESUBMITTED_ON_EDIT = {RequestState.OPEN, RequestState.REJECTED}


class RequestError(Exception):
    """A step on a help request that is not allowed; the view says why."""


class NotAllowed(RequestError):
    pass


@dataclass
class RequestDetails:
    """What an asker fills in; the form turns its input into this."""

    category_id: int
    title: str
    description: str
    postcode: str
    house_number: str
    street: str | None = None
    skills: list[str] = field(default_factory=list)
    schedule: ScheduleKind = ScheduleKind.ONCE
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    weekday: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    until: date | None = None
    volunteers_needed: int = 1
    vulnerable: bool = False
    requires_vog: bool = False
    posted_for: PostedFor = PostedFor.SELF
    for_first_name: str | None = None
    resident_name: str | None = None
    resident_contact: str | None = None
    consent_date: date | None = None
    # Posted from a person page: the resident's own record (checked against the poster's
    # municipality before it gets here), and whether they share their contact.
    resident_id: int | None = None
    resident_shares_contact: bool = False
    # Ask the own network first for this many days (None: straight to the wijk).
    circle_days: int | None = None


@dataclass(frozen=True)
class AskerContact:
    """Whom the volunteer of a confirmed match contacts about a request, and how.

    via: the go-between (staff, a consultant, a carer) when contact goes through them;
    for_name: whom the help is for, when that is someone else and may be named.
    """

    name: str
    phone: str | None
    email: str | None
    via: User | None = None
    via_role: str | None = None
    for_name: str | None = None


def go_between_role(user: User) -> str:
    """How a go-between is named beside their name: coördinator, consulent or mantelzorger."""
    if user.has_role(Role.STAFF, Role.ADMIN):
        return "staff"
    if user.has_role(Role.CONSULTANT):
        return "consultant"
    return "carer"


def asker_contact(db: Session, request: HelpRequest) -> AskerContact:
    """The contact the volunteer sees once a match is confirmed (never before: DESIGN.md).

    For a resident's request posted on their behalf: the resident's name and phone when
    they agreed to share them, otherwise the one who posted it, named as the go-between.
    """
    author = request.author
    if request.posted_for == PostedFor.CARED_FOR:
        return AskerContact(
            author.name, author.phone, author.email, author, "carer", request.for_first_name
        )
    if request.posted_for != PostedFor.RESIDENT:
        return AskerContact(author.name, author.phone, author.email)
    if request.resident_shares_contact:
        resident = request.resident
        given = (request.resident_contact or "").strip()
        phone = resident.phone if resident is not None else None
        email = resident.email if resident is not None else None
        if not phone and given and "@" not in given:
            phone = given
        if not email and "@" in given:
            email = given
        name = request.resident_name or (resident.name if resident is not None else "")
        return AskerContact(name, phone, email)
    municipality = (
        db.get(Municipality, request.municipality_id) if request.municipality_id else None
    )
    phone = author.phone or (municipality.org_phone if municipality is not None else None)
    return AskerContact(author.name, phone or None, author.email, author, go_between_role(author))


def active_categories(db: Session) -> list[Category]:
    return list(
        db.scalars(select(Category).where(Category.active).order_by(Category.position, Category.id))
    )


def may_post_for(user: User) -> list[PostedFor]:
    """For whom this person may ask help."""
    options = []
    if user.has_role(Role.RESIDENT, Role.CARER, Role.VOLUNTEER, Role.ORGANISATION):
        options.append(PostedFor.SELF)
    if user.has_role(Role.CARER):
        options.append(PostedFor.CARED_FOR)
    if in_back_office(user):
        options.append(PostedFor.RESIDENT)
    return options


def may_manage(user: User, request: HelpRequest) -> bool:
    """The author and staff may see everything of a request and change it."""
    return request.author_id == user.id or staff_of(user, request.municipality_id)


def _apply(request: HelpRequest, details: RequestDetails, db: Session) -> None:
    area = geo.locate(details.postcode)
    postcode = geo.normalise_postcode(details.postcode)
    request.category_id = details.category_id
    request.title = details.title
    request.description = details.description
    request.skills = ", ".join(
        dict.fromkeys(s.strip().lower() for s in details.skills if s.strip())
    )
    request.schedule = details.schedule
    once = details.schedule == ScheduleKind.ONCE
    request.starts_at = details.starts_at if once else None
    request.ends_at = details.ends_at if once else None
    request.weekday = None if once else details.weekday
    request.start_time = None if once else details.start_time
    request.end_time = None if once else details.end_time
    request.until = None if once else details.until
    request.postcode = postcode
    request.house_number = details.house_number.upper()
    request.street = details.street or None
    request.pc4, request.lat, request.lon = area.pc4, area.lat, area.lon
    request.neighbourhood = neighbourhood_for(db, postcode)
    request.volunteers_needed = details.volunteers_needed
    request.vulnerable = details.vulnerable
    # A vulnerable person is only helped by someone with a VOG.
    request.requires_vog = details.requires_vog or details.vulnerable
    request.posted_for = details.posted_for
    request.for_first_name = (
        details.for_first_name if details.posted_for == PostedFor.CARED_FOR else None
    )
    on_behalf = details.posted_for == PostedFor.RESIDENT
    request.resident_name = details.resident_name if on_behalf else None
    request.resident_contact = details.resident_contact if on_behalf else None
    request.consent_date = details.consent_date if on_behalf else None
    # An edit keeps whose record it is: the edit form does not carry it.
    request.resident_id = (details.resident_id or request.resident_id) if on_behalf else None
    request.resident_shares_contact = details.resident_shares_contact if on_behalf else False


def post_request(
    db: Session, author: User, details: RequestDetails, *, by_hand: bool = False
) -> HelpRequest:
    """Post a request: it waits for review, or opens at once without moderation.

    by_hand: typed on the site's form. Staff and consultants would only approve their own
    post, so theirs is online at once (a system posting through the API is still reviewed).
    """
    request = add_request(db, author, details, by_hand=by_hand)
    db.commit()
    return request


def add_request(
    db: Session,
    author: User,
    details: RequestDetails,
    *,
    posted_by: User | None = None,
    by_hand: bool = False,
) -> HelpRequest:
    """post_request without the commit, for a step that posts a request as part of more.

    posted_by: staff who post it for author (a phone intake): it is online at once, since
    staff would only approve their own post, and the audit trail names them.
    """
    if details.posted_for not in may_post_for(author):
        raise NotAllowed("may not post for this person")
    request = HelpRequest(author=author)
    _apply(request, details, db)
    _remember_street(author, request)
    db.add(request)
    db.flush()
    if details.circle_days and posted_by is None and ask_circle(db, request, details.circle_days):
        return request  # only the circle sees it, until the asker lets it go to the wijk
    if posted_by is not None and staff_of(posted_by, request.municipality_id):
        publish_post(request)
        record(db, posted_by, "help_requests.published", request)
    elif by_hand and posts_directly(db, author, request):
        publish_post(request)
        audit = record(db, author, "help_requests.published", request)
        if request.resident is not None:
            emit(db, "request_posted_for_resident", audit, actor=author, request=request)
    else:
        submit_post(db, request, author)
    return request


def posts_directly(db: Session, user: User, request: HelpRequest) -> bool:
    """Whether user's post goes online without review: the back office of its municipality."""
    return in_back_office(user) and serves(db, user, request.municipality_id)


def _remember_street(author: User, request: HelpRequest) -> None:
    """A street typed for one's own address is kept, so the next request has it filled in."""
    own_address = (request.postcode, request.house_number) == (author.postcode, author.house_number)
    if (
        request.posted_for == PostedFor.SELF
        and own_address
        and request.street
        and not author.street
    ):
        author.street = request.street


def update_request(db: Session, actor: User, request: HelpRequest, details: RequestDetails):
    """Change a request. An author's change of an open request is reviewed again."""
    if not may_manage(actor, request) or request.state not in EDITABLE:
        raise NotAllowed("may not change this request")
    if details.posted_for not in may_post_for(request.author) and not staff_of(
        actor, request.municipality_id
    ):
        raise NotAllowed("may not post for this person")
    resubmitted = _resubmitted_on_edit(db, actor, request)
    _apply(request, details, db)
    if resubmitted:
        submit_post(db, request, actor)
    elif staff_of(actor, request.municipality_id):
        record(db, actor, "help_requests.edited", request)
    db.commit()


def _resubmitted_on_edit(db: Session, actor: User, request: HelpRequest) -> bool:
    back_office = staff_of(actor, request.municipality_id) or posts_directly(db, actor, request)
    return not back_office and request.state in RESUBMITTED_ON_EDIT


def edit_goes_to_review(db: Session, actor: User, request: HelpRequest) -> bool:
    """Whether saving actor's change takes the request offline until a coordinator looks again.

    The edit form says so beforehand; update_request follows the same rule.
    """
    return _resubmitted_on_edit(db, actor, request) and moderates(db)


def cancel_request(db: Session, actor: User, request: HelpRequest) -> None:
    """Withdraw a request; every volunteer still in hears that it is no longer needed."""
    withdraw_request(db, actor, request)
    db.commit()


def withdraw_request(db: Session, actor: User, request: HelpRequest) -> None:
    """cancel_request in the caller's transaction, which commits (a cancelled match's step)."""
    if not may_manage(actor, request) or request.state not in CANCELLABLE:
        raise NotAllowed("may not cancel this request")
    # Conditional: an expiry or a confirmation may have committed since the request was read.
    cancellable = HelpRequest.state.in_(CANCELLABLE)
    withdrawn = {"state": RequestState.CANCELLED, "confirmed_count": 0}
    if not claim(db, HelpRequest, request.id, cancellable, **withdrawn):
        db.rollback()
        raise NotAllowed("changed meanwhile")
    now = utcnow()
    ended = end_matches(db, request, (MatchState.INVITED, MatchState.OFFERED), now)
    ended += end_matches(db, request, (MatchState.CONFIRMED,), now, MatchState.CANCELLED)
    db.refresh(request)
    audit = record(db, actor, "help_requests.cancelled", request)
    emit(db, "request_withdrawn", audit, actor=actor, request=request, ended=ended)


def hold_open(db: Session, request: HelpRequest) -> bool:
    """Whether the request is still open, holding it so until the caller commits.

    A conditional UPDATE that changes nothing: it waits for (PostgreSQL) or excludes
    (SQLite) an expiry, withdrawal or confirmation in flight, so an offer made now cannot
    land on a request that closed meanwhile.
    """
    still_open = HelpRequest.state == RequestState.OPEN
    # updated_at set to itself: an offer is not a change of the request.
    return claim(db, HelpRequest, request.id, still_open, updated_at=HelpRequest.updated_at)


def end_matches(
    db: Session,
    request: HelpRequest,
    states: tuple[MatchState, ...],
    now: datetime,
    to: MatchState = MatchState.DECLINED,
) -> list[Match]:
    """End the request's matches in states (declined: someone else helps, or it ended).

    Returns them as they are now, for the event that tells those volunteers.
    """
    ids = db.scalars(
        update(Match)
        .where(Match.request_id == request.id, Match.state.in_(states))
        .values(state=to, ended_at=now)
        .returning(Match.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not ids:
        return []
    return list(
        db.scalars(
            select(Match)
            .where(Match.id.in_(ids))
            .order_by(Match.id)
            .execution_options(populate_existing=True)
        )
    )


def publicly_visible() -> Select:
    """Open requests whose author is not blocked."""
    return (
        select(HelpRequest)
        .join(HelpRequest.author)
        .where(HelpRequest.state == RequestState.OPEN, User.blocked_at.is_(None))
    )


def request_for(db: Session, viewer: User | None, request_id: int) -> HelpRequest | None:
    """The request as viewer may see it, or None (shown as 404).

    Its asker and staff always; a volunteer who offered help keeps seeing it
    after it is matched; everyone else only while it is open.
    """
    request = db.get(HelpRequest, request_id)
    if request is None:
        return None
    if viewer is not None and may_manage(viewer, request):
        return request
    if viewer is not None and db.scalar(
        select(Match.id).where(
            Match.request_id == request_id,
            Match.volunteer_id == viewer.id,
            Match.state.in_((MatchState.OFFERED, MatchState.CONFIRMED, MatchState.DONE)),
        )
    ):
        return request
    return db.scalar(publicly_visible().where(HelpRequest.id == request_id))


def my_requests(db: Session, user: User) -> list[HelpRequest]:
    return list(
        db.scalars(
            select(HelpRequest)
            .where(HelpRequest.author_id == user.id)
            .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
        )
    )


@dataclass(frozen=True)
class Mine:
    """One of my requests, with the volunteers in it (asked, offered, helping, helped)."""

    request: HelpRequest
    matches: list[Match]

    @property
    def waiting(self) -> list[Match]:
        """Offers waiting for my answer."""
        if self.request.state != RequestState.OPEN:
            return []
        return [m for m in self.matches if m.state == MatchState.OFFERED]


def my_requests_with_matches(db: Session, user: User) -> list[Mine]:
    """My requests, newest first, each with its volunteers that are still in (two queries)."""
    requests = my_requests(db, user)
    by_request: dict[int, list[Match]] = {request.id: [] for request in requests}
    if requests:
        for match in db.scalars(
            select(Match)
            .where(
                Match.request_id.in_(by_request),
                Match.state.in_(
                    (MatchState.INVITED, MatchState.OFFERED, MatchState.CONFIRMED, MatchState.DONE)
                ),
            )
            .order_by(Match.created_at, Match.id)
        ):
            by_request[match.request_id].append(match)
    return [Mine(request, by_request[request.id]) for request in requests]


def browse_requests(db: Session, filters: Filters, page: int = 1) -> Page:
    """Open requests matching filters, nearest first when a place is known, else newest."""
    query = publicly_visible()
    if filters.on_or_after:
        query = query.where(
            or_(
                HelpRequest.schedule == ScheduleKind.WEEKLY,
                HelpRequest.starts_at >= datetime.combine(filters.on_or_after, time(), UTC),
            )
        )
    return browse_posts(db, query, filters, page)


def known_skills(db: Session, limit: int = 50) -> list[str]:
    """Skill tags already in use, to suggest while typing."""
    tags: dict[str, int] = {}
    in_requests = select(HelpRequest.skills).where(HelpRequest.skills != "")
    of_volunteers = select(User.skills).where(User.skills != "")
    for skills in [*db.scalars(in_requests), *db.scalars(of_volunteers)]:
        for tag in skills.split(","):
            tag = tag.strip()
            if tag:
                tags[tag] = tags.get(tag, 0) + 1
    return sorted(tags, key=lambda t: (-tags[t], t))[:limit]

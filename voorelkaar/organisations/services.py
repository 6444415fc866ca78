"""Organisation steps: register, get verified, post vacancies, handle responses, close them.

Only members of an organisation act for it. A vacancy is public only when it
is open, its organisation is verified by staff and its author is not blocked.
Once a member (or staff) closes it, filled or no longer needed, it leaves the
list, but its page stays, saying that it is closed.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, url_for
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.audit import record
from voorelkaar.auth.access import is_staff, staff_of
from voorelkaar.db import claim, utcnow
from voorelkaar.models import (
    AuditEvent,
    Organisation,
    OrganisationMember,
    RequestState,
    ResponseStage,
    Role,
    User,
    UserRole,
    Vacancy,
    VacancyResponse,
)
from voorelkaar.moderation.services import post_url
from voorelkaar.notify import enqueue_email
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.posts import Filters, Page, browse_posts, post_for, review_change, submit_new
from voorelkaar.tenancy import in_scope

# States in which a member may still change the vacancy.
EDITABLE = {RequestState.PENDING, RequestState.OPEN, RequestState.REJECTED}
# How a member closes an open vacancy: filled (done), or no longer needed (cancelled).
CLOSED = {RequestState.DONE, RequestState.CANCELLED}
# The audit action of closing. Staff hiding a reported vacancy also leaves it
# cancelled; only a vacancy closed by this action keeps a public page.
CLOSED_ACTION = "vacancies.closed"


class OrganisationError(Exception):
    """A step for an organisation that is not allowed; the view says why."""


class NotAllowed(OrganisationError):
    pass


class AlreadyResponded(OrganisationError):
    pass


class VacancyClosed(NotAllowed):
    """The vacancy is closed: nobody responds to it any more."""


@dataclass
class VacancyDetails:
    """What a member fills in. Without a postcode an edited vacancy keeps its place."""

    title: str
    description: str
    hours: str
    skills: list[str] = field(default_factory=list)
    postcode: str | None = None
    requires_vog: bool = False
    places: int | None = None
    start_date: date | None = None
    contact_id: int | None = None


@dataclass
class OrganisationDetails:
    """What an applicant fills in: enough for a coordinator to check the organisation."""

    name: str
    description: str = ""
    kvk_number: str | None = None
    phone: str | None = None
    postcode: str | None = None
    house_number: str | None = None


def _link(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


# Organisations and their members


def register_organisation(db: Session, user: User, details: OrganisationDetails) -> Organisation:
    """Sign up an organisation, with user as its first member and contact person.

    Anyone with an account may apply; a coordinator of their municipality approves it
    (user then gets the organisation role) or turns it down with a reason.
    """
    organisation = Organisation(
        name=details.name,
        description=details.description,
        kvk_number=details.kvk_number or None,
        phone=details.phone or None,
        postcode=details.postcode or None,
        house_number=details.house_number or None,
    )
    organisation.members.append(OrganisationMember(user=user))
    db.add(organisation)
    db.flush()
    record(db, user, "organisations.registered", organisation)
    db.commit()
    return organisation


def organisations_of(db: Session, user: User) -> list[Organisation]:
    """The organisations user is a member of, by name."""
    return list(
        db.scalars(
            select(Organisation)
            .join(OrganisationMember)
            .where(OrganisationMember.user_id == user.id)
            .order_by(Organisation.name, Organisation.id)
        )
    )


def is_member(db: Session, user: User, organisation_id: int) -> bool:
    """Whether user acts for this organisation."""
    return (
        db.scalar(
            select(OrganisationMember.id).where(
                OrganisationMember.user_id == user.id,
                OrganisationMember.organisation_id == organisation_id,
            )
        )
        is not None
    )


def _of_viewer(db: Session, viewer: User):
    """Organisations with someone of viewer's municipalities among their members (and those
    with no members yet, which hold nobody's data)."""
    theirs = select(OrganisationMember.organisation_id).join(
        User, User.id == OrganisationMember.user_id
    )
    anyone = select(OrganisationMember.organisation_id)
    return or_(
        Organisation.id.in_(theirs.where(in_scope(db, User.municipality_id, viewer))),
        Organisation.id.not_in(anyone),
    )


def organisation_for(db: Session, viewer: User, organisation_id: int) -> Organisation | None:
    """One organisation of viewer's municipalities, or None (shown as 404)."""
    return db.scalar(
        select(Organisation).where(Organisation.id == organisation_id, _of_viewer(db, viewer))
    )


def all_organisations(db: Session, viewer: User) -> list[Organisation]:
    """The organisations of viewer's municipalities, those waiting for verification first."""
    return list(
        db.scalars(
            select(Organisation)
            .where(_of_viewer(db, viewer))
            .order_by(Organisation.verified_at.is_not(None), Organisation.name, Organisation.id)
        )
    )


def set_verified(db: Session, actor: User, organisation: Organisation, verified: bool) -> None:
    """Staff vouch for an organisation (its open vacancies go public), or withdraw that.

    The first approval of an application gives its members the organisation role, and
    tells them so by mail.
    """
    if not is_staff(actor):
        raise NotAllowed("only staff verify organisations")
    first = verified and organisation.verified_by_id is None and organisation.verified_at is None
    organisation.verified_at = utcnow() if verified else None
    organisation.verified_by_id = actor.id if verified else None
    action = "verified" if verified else "unverified"
    event = record(db, actor, f"organisations.{action}", organisation)
    if verified:
        for member in organisation.members:
            if not member.user.has_role(Role.ORGANISATION):
                member.user.roles.append(UserRole(role=Role.ORGANISATION))
            if first:
                enqueue_email(
                    db,
                    key=f"organisation-approved:{event.id}:{member.user_id}",
                    user=member.user,
                    template="organisation_approved",
                    kind="organisation_approved",
                    organisation=organisation,
                    link=_link(url_for("organisations.dashboard")),
                )
    db.commit()


def waiting_applications(db: Session, viewer: User) -> list[Organisation]:
    """Applications of viewer's municipalities that no coordinator has approved yet."""
    return [item for item in all_organisations(db, viewer) if item.verified_at is None]


def reject_application(db: Session, actor: User, organisation: Organisation, reason: str) -> None:
    """Turn down an application that was never approved: the applicants hear why, and the
    application goes (the audit trail keeps that it was turned down, and when)."""
    if not is_staff(actor):
        raise NotAllowed("only staff reject organisations")
    if organisation.verified_at is not None or organisation.verified_by_id is not None:
        raise NotAllowed("an approved organisation is withdrawn, not rejected")
    event = record(db, actor, "organisations.rejected", organisation)
    for member in organisation.members:
        enqueue_email(
            db,
            key=f"organisation-rejected:{event.id}:{member.user_id}",
            user=member.user,
            template="organisation_rejected",
            kind="organisation_rejected",
            name=organisation.name,
            reason=reason,
        )
    db.delete(organisation)
    db.commit()


# Vacancies


def may_manage(db: Session, user: User, vacancy: Vacancy) -> bool:
    """Members of the vacancy's organisation and staff see everything and may change it."""
    return staff_of(user, vacancy.municipality_id) or is_member(db, user, vacancy.organisation_id)


def members_of(db: Session, organisation_id: int) -> list[User]:
    """The members of an organisation, by name: who may be a vacancy's contact person."""
    return list(
        db.scalars(
            select(User)
            .join(OrganisationMember, OrganisationMember.user_id == User.id)
            .where(OrganisationMember.organisation_id == organisation_id)
            .order_by(User.name, User.id)
        )
    )


def _apply(db: Session, vacancy: Vacancy, details: VacancyDetails) -> None:
    vacancy.title = details.title
    vacancy.description = details.description
    vacancy.hours = details.hours
    vacancy.requires_vog = details.requires_vog
    vacancy.places = details.places
    vacancy.start_date = details.start_date
    if details.contact_id is not None:
        if not is_member(db, db.get(User, details.contact_id), vacancy.organisation_id):
            raise NotAllowed("the contact person is a member of the organisation")
        vacancy.contact_id = details.contact_id
    vacancy.skills = ", ".join(
        dict.fromkeys(s.strip().lower() for s in details.skills if s.strip())
    )
    if details.postcode:
        # Only the PC4 area and the wijk are kept: that is all anyone is shown.
        area = geo.locate(details.postcode)
        vacancy.pc4, vacancy.lat, vacancy.lon = area.pc4, area.lat, area.lon
        vacancy.neighbourhood = neighbourhood_for(db, geo.normalise_postcode(details.postcode))


def post_vacancy(
    db: Session, author: User, organisation: Organisation, details: VacancyDetails
) -> Vacancy:
    """Post a vacancy for an organisation: it waits for review like every post."""
    if not author.has_role(Role.ORGANISATION) or not is_member(db, author, organisation.id):
        raise NotAllowed("only members post for their organisation")
    if not details.postcode:
        raise NotAllowed("a new vacancy needs a place")
    vacancy = Vacancy(author=author, organisation=organisation, organisation_id=organisation.id)
    vacancy.contact_id = author.id
    _apply(db, vacancy, details)
    submit_new(db, author, vacancy)
    return vacancy


def update_vacancy(db: Session, actor: User, vacancy: Vacancy, details: VacancyDetails) -> None:
    """Change a vacancy. A member's change of an open vacancy is reviewed again."""
    if not may_manage(db, actor, vacancy) or vacancy.state not in EDITABLE:
        raise NotAllowed("may not change this vacancy")
    _apply(db, vacancy, details)
    review_change(db, actor, vacancy)
    db.commit()


def _of_trusted_organisations(condition) -> Select:
    """Vacancies matching condition, of verified organisations, whose author is not blocked."""
    return (
        select(Vacancy)
        .join(Vacancy.organisation)
        .join(Vacancy.author)
        .where(condition, Organisation.verified_at.is_not(None), User.blocked_at.is_(None))
    )


def publicly_visible() -> Select:
    """Open vacancies of verified organisations whose author is not blocked."""
    return _of_trusted_organisations(Vacancy.state == RequestState.OPEN)


def _was_closed():
    return and_(
        Vacancy.state.in_(CLOSED),
        exists().where(
            AuditEvent.subject_type == Vacancy.__tablename__,
            AuditEvent.subject_id == Vacancy.id,
            AuditEvent.action == CLOSED_ACTION,
        ),
    )


def vacancy_for(db: Session, viewer: User, vacancy_id: int) -> Vacancy | None:
    """The vacancy as viewer may see it, or None (shown as 404).

    Members and staff always; everyone else while it is public, and after it
    was closed from public (so an old link says it is closed).
    """
    return post_for(
        db,
        Vacancy,
        _of_trusted_organisations(or_(Vacancy.state == RequestState.OPEN, _was_closed())),
        vacancy_id,
        lambda vacancy: viewer.is_authenticated and may_manage(db, viewer, vacancy),
    )


def closed_ids(db: Session, vacancy_ids) -> set[int]:
    """Which of these vacancies were closed with close_vacancy (not hidden after a report)."""
    ids = list(vacancy_ids)
    if not ids:
        return set()
    return set(db.scalars(select(Vacancy.id).where(Vacancy.id.in_(ids), _was_closed())))


def is_closed(db: Session, vacancy: Vacancy) -> bool:
    """Whether the vacancy was closed with close_vacancy."""
    return vacancy.state in CLOSED and bool(closed_ids(db, [vacancy.id]))


def close_vacancy(db: Session, actor: User, vacancy: Vacancy, outcome: RequestState) -> bool:
    """Close an open vacancy as filled (DONE) or no longer needed (CANCELLED).

    Volunteers still waiting for an answer get an email. Returns False, and
    changes and sends nothing, when the vacancy was already closed.
    """
    if not may_manage(db, actor, vacancy) or outcome not in CLOSED:
        raise NotAllowed("may not close this vacancy")
    if vacancy.state not in {RequestState.OPEN, *CLOSED}:
        raise NotAllowed("only an open vacancy is closed")
    # Conditional: of two members closing at once, one changes the row and one finds it closed.
    if not claim(db, Vacancy, vacancy.id, Vacancy.state == RequestState.OPEN, state=outcome):
        db.rollback()
        return False
    db.refresh(vacancy)
    event = record(db, actor, CLOSED_ACTION, vacancy)
    for response in responses_to(db, vacancy):
        decided = response.stage in (ResponseStage.ACCEPTED, ResponseStage.DECLINED)
        if decided or response.answered_at is not None or response.volunteer.blocked_at:
            continue
        enqueue_email(
            db,
            key=f"vacancy-closed:{event.id}:{response.id}",
            user=response.volunteer,
            template="vacancy_closed",
            kind="vacancy_closed",
            item=vacancy,
            filled=outcome == RequestState.DONE,
            link=_link(url_for("organisations.vacancies")),
        )
    db.commit()
    return True


def browse_vacancies(db: Session, filters: Filters, page: int = 1) -> Page:
    """Public vacancies matching filters, nearest first when a place is known, else newest."""
    return browse_posts(db, publicly_visible(), filters, page)


# Responses


def may_respond(db: Session, user: User, vacancy: Vacancy) -> bool:
    """Volunteers may respond to a public vacancy of an organisation they are not part of."""
    return (
        user.is_authenticated
        and user.has_role(Role.VOLUNTEER)
        and not is_member(db, user, vacancy.organisation_id)
        and db.scalar(publicly_visible().where(Vacancy.id == vacancy.id)) is not None
    )


def responses_to(
    db: Session, vacancy: Vacancy, volunteer: User | None = None
) -> list[VacancyResponse]:
    """The responses to a vacancy, oldest first; only volunteer's when given."""
    query = select(VacancyResponse).where(VacancyResponse.vacancy_id == vacancy.id)
    if volunteer is not None:
        query = query.where(VacancyResponse.volunteer_id == volunteer.id)
    return list(db.scalars(query.order_by(VacancyResponse.created_at, VacancyResponse.id)))


def respond(db: Session, volunteer: User, vacancy: Vacancy, message: str) -> VacancyResponse:
    """A volunteer's short message; every member of the organisation gets an email."""
    # Held first, so the checks below see what a member closing it (or this volunteer in
    # another tab) did until now, and nobody changes that before this commits.
    _hold_open(db, vacancy)
    if not may_respond(db, volunteer, vacancy):
        raise NotAllowed("may not respond to this vacancy")
    if responses_to(db, vacancy, volunteer):
        raise AlreadyResponded("one response per volunteer")
    response = VacancyResponse(vacancy=vacancy, volunteer=volunteer, message=message)
    db.add(response)
    db.flush()
    for member in contacts_of(db, vacancy):
        enqueue_email(
            db,
            key=f"vacancy-response:{response.id}:{member.id}",
            user=member,
            template="vacancy_response",
            kind="vacancy_response",
            item=vacancy,
            volunteer=volunteer.first_name,
            message=message,
            link=_link(url_for("organisations.dashboard")),
        )
    db.commit()
    return response


def contacts_of(db: Session, vacancy: Vacancy) -> list[User]:
    """Who hears of responses: the vacancy's contact person while they are a member and not
    blocked, else every member who is not blocked."""
    contact = vacancy.contact
    if (
        contact is not None
        and contact.blocked_at is None
        and is_member(db, contact, vacancy.organisation_id)
    ):
        return [contact]
    return [m.user for m in vacancy.organisation.members if m.user.blocked_at is None]


def contact_person(db: Session, vacancy: Vacancy) -> User | None:
    """The member a volunteer deals with once invited: the contact person, or the author."""
    people = contacts_of(db, vacancy)
    return vacancy.contact if vacancy.contact in people else (people[0] if people else None)


def _hold_open(db: Session, vacancy: Vacancy) -> None:
    """Write the vacancy's row while it is still open, or raise VacancyClosed.

    The write changes nothing, but the database lets only one transaction at a time
    write a row (on SQLite: the whole database), as close_vacancy does. So a member
    closing the vacancy meanwhile waits, and then emails this volunteer too; or this
    response comes second and finds the vacancy closed. (A SELECT ... FOR UPDATE would
    not do: SQLite ignores it.) Setting updated_at to itself keeps the time it was edited.
    """
    if not claim(
        db, Vacancy, vacancy.id, Vacancy.state == RequestState.OPEN, updated_at=Vacancy.updated_at
    ):
        db.rollback()
        if vacancy.state in CLOSED:
            raise VacancyClosed("the vacancy was closed meanwhile")
        raise NotAllowed("the vacancy is no longer public")


def response_for(db: Session, member: User, response_id: int) -> VacancyResponse | None:
    """A response to one of member's organisation's vacancies, or None (shown as 404)."""
    response = db.get(VacancyResponse, response_id)
    if response is None or not is_member(db, member, response.vacancy.organisation_id):
        return None
    return response


def answer_response(db: Session, member: User, response: VacancyResponse, answer: str) -> None:
    """Answer a volunteer; they get the answer by email."""
    if not is_member(db, member, response.vacancy.organisation_id):
        raise NotAllowed("only members answer responses")
    response.answer = answer
    response.answered_at = utcnow()
    db.flush()
    enqueue_email(
        db,
        key=f"vacancy-answer:{response.id}:{response.answered_at.isoformat()}",
        user=response.volunteer,
        template="vacancy_answer",
        kind="vacancy_answer",
        item=response.vacancy,
        answer=answer,
        link=_link(post_url(response.vacancy)),
    )
    db.commit()


# Where a member may take a response from each stage.
NEXT_STAGES = {
    ResponseStage.NEW: (ResponseStage.TALKING, ResponseStage.ACCEPTED, ResponseStage.DECLINED),
    ResponseStage.TALKING: (ResponseStage.ACCEPTED, ResponseStage.DECLINED),
    ResponseStage.ACCEPTED: (),
    ResponseStage.DECLINED: (),
}
# From these stages on, the organisation and the volunteer see each other's contact details.
IN_TOUCH = (ResponseStage.TALKING, ResponseStage.ACCEPTED)


def move_response(
    db: Session, member: User, response: VacancyResponse, stage: ResponseStage
) -> bool:
    """Take a response to its next stage: invited for a talk, accepted or declined.

    The volunteer gets a mail saying so, with the contact person's details once invited.
    Returns False, and changes and sends nothing, when someone else moved it first.
    """
    if not is_member(db, member, response.vacancy.organisation_id):
        raise NotAllowed("only members move responses")
    before = response.stage
    if stage not in NEXT_STAGES[before]:
        raise NotAllowed("this step does not follow the response's stage")
    # Conditional: of two members clicking at once, one moves it and one finds it moved.
    if not claim(
        db,
        VacancyResponse,
        response.id,
        VacancyResponse.stage == before,
        stage=stage,
        stage_at=utcnow(),
    ):
        db.rollback()
        return False
    db.refresh(response)
    event = record(db, member, f"vacancy_responses.{stage.value}", response)
    vacancy = response.vacancy
    contact = contact_person(db, vacancy) if stage in IN_TOUCH else None
    enqueue_email(
        db,
        key=f"vacancy-stage:{event.id}",
        user=response.volunteer,
        template="vacancy_stage",
        kind="vacancy_stage",
        item=vacancy,
        stage=stage.value,
        contact=contact,
        contact_phone=(contact.phone if contact else None) or vacancy.organisation.phone,
        link=_link(post_url(vacancy)),
    )
    db.commit()
    return True


def places_filled(db: Session, vacancy: Vacancy) -> int:
    """How many volunteers the organisation took on for this vacancy."""
    return (
        db.scalar(
            select(func.count(VacancyResponse.id)).where(
                VacancyResponse.vacancy_id == vacancy.id,
                VacancyResponse.stage == ResponseStage.ACCEPTED,
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Overview:
    """One organisation on its members' dashboard."""

    organisation: Organisation
    vacancies: list[tuple[Vacancy, list[VacancyResponse]]]


def dashboard(db: Session, member: User) -> list[Overview]:
    """Each of member's organisations with its vacancies, newest first, and their responses."""
    overviews = []
    for organisation in organisations_of(db, member):
        vacancies = db.scalars(
            select(Vacancy)
            .where(Vacancy.organisation_id == organisation.id)
            .order_by(Vacancy.created_at.desc(), Vacancy.id.desc())
        ).all()
        # All responses of these vacancies in one query, not one query per vacancy.
        by_vacancy: dict[int, list[VacancyResponse]] = {vacancy.id: [] for vacancy in vacancies}
        for response in db.scalars(
            select(VacancyResponse)
            .where(VacancyResponse.vacancy_id.in_(by_vacancy))
            .order_by(VacancyResponse.created_at, VacancyResponse.id)
        ):
            by_vacancy[response.vacancy_id].append(response)
        overviews.append(
            Overview(organisation, [(vacancy, by_vacancy[vacancy.id]) for vacancy in vacancies])
        )
    return overviews

"""The back office's work lists: every request, person and referral, searched, filtered,
sorted, paged and exported; every query cut to the viewer's municipalities."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from voorelkaar import geo
from voorelkaar.audit import record
from voorelkaar.auth.access import is_staff
from voorelkaar.db import utcnow
from voorelkaar.models import (
    Category,
    HelpRequest,
    Match,
    MatchState,
    Neighbourhood,
    Referral,
    ReferralStatus,
    RequestState,
    Role,
    User,
    UserRole,
)
from voorelkaar.tenancy import scoped, served_ids

PAGE_SIZE = 50
EXPORTED = "worklists.exported"
# Page links around the current one; first, previous, next and last are always there.
PAGE_WINDOW = 2
SEARCH_MAX = 100

SORT_WAITING = "wachtend"
SORT_NEWEST = "nieuwste"
SORT_WIJK = "wijk"
REQUEST_SORTS = (SORT_WAITING, SORT_NEWEST, SORT_WIJK)

# Whose help is confirmed, for the volunteer column.
HELPING = (MatchState.CONFIRMED, MatchState.DONE)
# States in which a request waits for someone: for review, or for a volunteer.
WAITING_FOR_REVIEW = (RequestState.DRAFT, RequestState.PENDING)

FULL_POSTCODE = re.compile(r"^\s*\d{4}\s*[a-zA-Z]{2}\s*$")
PC4 = re.compile(r"^\s*\d{4}\s*$")
PHONE_LIKE = re.compile(r"^[\d\s()+\-./]{6,}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Page:
    """One page of a list, with how many there are in all."""

    items: list[Any]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def window(self) -> list[int]:
        """The page numbers linked around this one (never every page of a long list)."""
        low = max(1, self.number - PAGE_WINDOW)
        high = min(self.pages, self.number + PAGE_WINDOW)
        return list(range(low, high + 1))


def page_number(text: str | None) -> int:
    """A page number from the address; anything odd is page 1."""
    try:
        return max(1, min(int(text or 1), 100_000))
    except ValueError:
        return 1


def _words(text: str | None) -> list[str]:
    return [word.lower() for word in (text or "").split()][:8]


def _contains(column: Any, word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


# ---------- Requests ----------


@dataclass(frozen=True)
class RequestFilters:
    text: str | None = None
    state: RequestState | None = None
    wijk: int | None = None
    category: int | None = None
    sort: str = SORT_WAITING

    def for_audit(self) -> str:
        """The filters without what was typed (a name is personal data)."""
        state = self.state.value if self.state else ""
        return (
            f"status={state}; wijk={self.wijk or ''}; soort={self.category or ''}; "
            f"volgorde={self.sort}; zoekterm={'ja' if self.text else 'nee'}"
        )


@dataclass(frozen=True)
class RequestRow:
    request: HelpRequest
    volunteers: list[User] = field(default_factory=list)

    def waiting_since(self) -> datetime | None:
        """Since when it waits for review or a volunteer; None when it waits for nobody."""
        item = self.request
        if item.state in WAITING_FOR_REVIEW:
            return item.created_at
        if item.state == RequestState.OPEN:
            return item.published_at or item.created_at
        return None

    def waiting_days(self, now: datetime | None = None) -> int | None:
        since = self.waiting_since()
        return None if since is None else max(0, ((now or utcnow()) - since).days)


def _waiting_since_column() -> ColumnElement[Any]:
    return case(
        (HelpRequest.state.in_(WAITING_FOR_REVIEW), HelpRequest.created_at),
        (
            HelpRequest.state == RequestState.OPEN,
            func.coalesce(HelpRequest.published_at, HelpRequest.created_at),
        ),
        else_=None,
    )


def _requests_query(db: Session, viewer: User, filters: RequestFilters) -> Select[Any]:
    author = aliased(User)
    query = scoped(
        db,
        select(HelpRequest).join(author, HelpRequest.author_id == author.id),
        HelpRequest.municipality_id,
        viewer,
    )
    for word in _words(filters.text):
        query = query.where(
            or_(
                _contains(HelpRequest.title, word),
                _contains(author.name, word),
                _contains(HelpRequest.resident_name, word),
                _contains(HelpRequest.for_first_name, word),
            )
        )
    if filters.state is not None:
        query = query.where(HelpRequest.state == filters.state)
    if filters.wijk is not None:
        query = query.where(HelpRequest.neighbourhood_id == filters.wijk)
    if filters.category is not None:
        query = query.where(HelpRequest.category_id == filters.category)
    return query


def _request_order(query: Select[Any], sort: str) -> Select[Any]:
    if sort == SORT_NEWEST:
        return query.order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
    if sort == SORT_WIJK:
        wijk = aliased(Neighbourhood)
        return query.outerjoin(wijk, HelpRequest.neighbourhood_id == wijk.id).order_by(
            wijk.name.asc().nulls_last(), HelpRequest.created_at.desc(), HelpRequest.id.desc()
        )
    return query.order_by(
        _waiting_since_column().asc().nulls_last(),
        HelpRequest.created_at.desc(),
        HelpRequest.id.desc(),
    )


def _request_rows(db: Session, requests: Sequence[HelpRequest]) -> list[RequestRow]:
    """The requests with their confirmed volunteers, read in one query for the lot."""
    ids = [item.id for item in requests]
    helpers: dict[int, list[User]] = {request_id: [] for request_id in ids}
    if ids:
        rows = db.execute(
            select(Match.request_id, User)
            .join(User, Match.volunteer_id == User.id)
            .where(Match.request_id.in_(ids), Match.state.in_(HELPING))
            .order_by(Match.confirmed_at, Match.id)
        ).all()
        for request_id, volunteer in rows:
            helpers[request_id].append(volunteer)
    return [RequestRow(item, helpers[item.id]) for item in requests]


def request_page(db: Session, viewer: User, filters: RequestFilters, number: int = 1) -> Page:
    """One page of the viewer's municipalities' requests, in every state."""
    query = _requests_query(db, viewer, filters)
    total = _count(db, query)
    number = min(number, max(1, -(-total // PAGE_SIZE)))
    listed = db.scalars(
        _request_order(query, filters.sort).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    ).unique()
    return Page(_request_rows(db, list(listed)), number, total)


def all_requests(db: Session, viewer: User, filters: RequestFilters) -> list[RequestRow]:
    """Every request the list shows with these filters, all pages (for the export)."""
    query = _request_order(_requests_query(db, viewer, filters), filters.sort)
    return _request_rows(db, list(db.scalars(query).unique()))


# ---------- People ----------


@dataclass(frozen=True)
class PeopleFilters:
    text: str | None = None
    role: Role | None = None
    wijk: int | None = None

    def for_audit(self) -> str:
        role = self.role.value if self.role else ""
        return f"rol={role}; wijk={self.wijk or ''}; zoekterm={'ja' if self.text else 'nee'}"


def phone_variants(text: str) -> list[str]:
    """How a typed phone number may be stored: E.164, and the national number's digits."""
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        return []
    national = str(number.national_number)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return [e164, national] if len(national) >= 6 else []


def _person_search(text: str) -> ColumnElement[bool] | None:
    """What a search box text means: a postcode, a phone number, an email or a name."""
    text = text.strip()
    if FULL_POSTCODE.match(text):
        try:
            return User.postcode == geo.normalise_postcode(text)
        except geo.MalformedPostcode:
            pass
    if PC4.match(text):
        return User.pc4 == text.strip()
    if PHONE_LIKE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        variants = phone_variants(text)
        if variants:
            e164, national = variants
            # The national number's last digits also find a number stored as typed.
            digits = func.replace(func.replace(User.phone, " ", ""), "-", "")
            return or_(User.phone == e164, digits.like(f"%{national}"))
    clauses = []
    for word in _words(text):
        clauses.append(or_(_contains(User.name, word), _contains(User.email, word)))
    return and_(*clauses) if clauses else None


def _people_query(db: Session, viewer: User, filters: PeopleFilters) -> Select[Any]:
    query = scoped(
        db, select(User).where(User.anonymised_at.is_(None)), User.municipality_id, viewer
    )
    if filters.text:
        condition = _person_search(filters.text)
        if condition is not None:
            query = query.where(condition)
    if filters.role is not None:
        query = query.where(
            select(UserRole.id)
            .where(UserRole.user_id == User.id, UserRole.role == filters.role)
            .exists()
        )
    if filters.wijk is not None:
        query = query.where(User.neighbourhood_id == filters.wijk)
    return query


def _people_order(query: Select[Any]) -> Select[Any]:
    return query.order_by(User.name, User.id)


def people_page(db: Session, viewer: User, filters: PeopleFilters, number: int = 1) -> Page:
    """One page of the people of the viewer's municipalities, by name."""
    query = _people_query(db, viewer, filters)
    total = _count(db, query)
    number = min(number, max(1, -(-total // PAGE_SIZE)))
    people = db.scalars(
        _people_order(query).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    ).unique()
    return Page(list(people), number, total)


def all_people(db: Session, viewer: User, filters: PeopleFilters) -> list[User]:
    """Every person the list shows with these filters, all pages (for the export)."""
    return list(db.scalars(_people_order(_people_query(db, viewer, filters))).unique())


# ---------- Referrals ----------


@dataclass(frozen=True)
class ReferralFilters:
    text: str | None = None
    status: ReferralStatus | None = None

    def for_audit(self) -> str:
        status = self.status.name.lower() if self.status else ""
        return f"status={status}; zoekterm={'ja' if self.text else 'nee'}"


def _referral_status_column(request: Any, now: datetime) -> ColumnElement[Any]:
    """referrals.services.status_of, in SQL, so that a status filter pages in the database."""
    return case(
        (Referral.withdrawn_at.is_not(None), literal(ReferralStatus.WITHDRAWN.value)),
        (
            Referral.request_id.is_not(None),
            case(
                (request.state == RequestState.DONE, literal(ReferralStatus.DONE.value)),
                (
                    or_(request.state == RequestState.MATCHED, request.confirmed_count > 0),
                    literal(ReferralStatus.MATCHED.value),
                ),
                else_=literal(ReferralStatus.POSTED.value),
            ),
        ),
        (Referral.account_id.is_not(None), literal(ReferralStatus.ACCOUNT.value)),
        (
            or_(Referral.expired_at.is_not(None), Referral.expires_at <= now),
            literal(ReferralStatus.EXPIRED.value),
        ),
        else_=literal(ReferralStatus.INVITED.value),
    )


def _referrals_query(db: Session, viewer: User, filters: ReferralFilters) -> Select[Any]:
    request = aliased(HelpRequest)
    consultant = aliased(User)
    query = scoped(
        db,
        select(Referral)
        .outerjoin(request, Referral.request_id == request.id)
        .outerjoin(consultant, Referral.consultant_id == consultant.id),
        Referral.municipality_id,
        viewer,
    )
    if not is_staff(viewer):
        query = query.where(Referral.consultant_id == viewer.id)
    for word in _words(filters.text):
        query = query.where(
            or_(
                _contains(Referral.resident_name, word),
                _contains(Referral.title, word),
                _contains(consultant.name, word),
            )
        )
    if filters.status is not None:
        query = query.where(_referral_status_column(request, utcnow()) == filters.status.value)
    return query.order_by(Referral.created_at.desc(), Referral.id.desc())


def referral_page(db: Session, viewer: User, filters: ReferralFilters, number: int = 1) -> Page:
    """One page of the referrals viewer follows: a consultant their own, staff all; newest first."""
    query = _referrals_query(db, viewer, filters)
    total = _count(db, query)
    number = min(number, max(1, -(-total // PAGE_SIZE)))
    items = db.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).unique()
    return Page(list(items), number, total)


def all_referrals(db: Session, viewer: User, filters: ReferralFilters) -> list[Referral]:
    """Every referral the list shows with these filters (for the export)."""
    return list(db.scalars(_referrals_query(db, viewer, filters)).unique())


# ---------- Shared ----------


def _count(db: Session, query: Select[Any]) -> int:
    return db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def wijken(db: Session, viewer: User) -> list[Neighbourhood]:
    """The wijken of the viewer's municipalities, for the filter."""
    return list(
        db.scalars(
            select(Neighbourhood)
            .where(Neighbourhood.municipality_id.in_(served_ids(db, viewer)))
            .order_by(Neighbourhood.name)
        )
    )


def categories(db: Session) -> list[Category]:
    return list(db.scalars(select(Category).order_by(Category.position, Category.id)))


def phone_text(phone: str | None) -> str:
    """A stored phone number as people write it: "+31612345678" as "06 12345678"."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, "NL")
    except phonenumbers.NumberParseException:
        return phone
    if number.country_code != 31:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file Excel opens right: UTF-8 with BOM, semicolons (the Dutch list separator)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def record_export(db: Session, viewer: User, list_name: str, filters: Any, count: int) -> None:
    """One audit row per export: who, which list, which filters, how many rows; commits."""
    record(
        db,
        viewer,
        EXPORTED,
        None,
        f"lijst={list_name}; {filters.for_audit()}; rijen={count}",
    )
    db.commit()

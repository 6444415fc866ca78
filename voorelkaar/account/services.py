"""Deleting an account, and anonymising what others need to keep.

One function, anonymise_account, serves both the person who deletes their account and
the retention job. The users row itself is kept, emptied: help requests and matches
point to it with ON DELETE CASCADE, and deleting it would take a volunteer's record of
a finished match with it. What stays is an id with the name "Verwijderd account".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Enum, String, delete, func, or_, select, update
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth import passwords
from voorelkaar.db import Base, claim, utcnow
from voorelkaar.models import (
    ApiToken,
    CarerProfile,
    Checkin,
    CircleAnswer,
    ContactNote,
    FormToken,
    HelpRequest,
    Match,
    MatchMessage,
    MatchState,
    MunicipalityStaff,
    NetworkCheck,
    NetworkMember,
    Offer,
    OfferReply,
    OrganisationMember,
    OutboxMessage,
    RecoveryCode,
    Referral,
    Report,
    RequestState,
    Role,
    StaffTask,
    User,
    UserRole,
    UserSession,
    Vacancy,
    VacancyResponse,
    VolunteerSlot,
)
from voorelkaar.notify import enqueue_email
from voorelkaar.urls import absolute_url

ANONYMOUS_NAME = "Verwijderd account"
ERASED = "[verwijderd]"
ERASED_REQUEST_TITLE = "Hulpvraag (gegevens gewist)"
ERASED_OFFER_TITLE = "Hulpaanbod (gegevens gewist)"
# A password hash no password matches: argon2 refuses it as not a hash at all.
UNUSABLE_PASSWORD = "!verwijderd"  # noqa: S105 - not a password, a marker

OPEN_REQUEST_STATES = (
    RequestState.DRAFT,
    RequestState.PENDING,
    RequestState.OPEN,
    RequestState.CIRCLE,
    RequestState.MATCHED,
)
CLOSED_REQUEST_STATES = (
    RequestState.DONE,
    RequestState.CANCELLED,
    RequestState.EXPIRED,
    RequestState.REJECTED,
)
LIVE_MATCH_STATES = (MatchState.INVITED, MatchState.OFFERED, MatchState.CONFIRMED)
# Volunteers and askers who already heard of each other; an invitation was only asked.
TOLD_STATES = (MatchState.OFFERED, MatchState.CONFIRMED)
# Never scrubbed by the sweep over every text column: another person's own identity.
NOT_SWEPT = {("users", "name"), ("users", "email"), ("users", "password_hash")}
# Never written to at all: the log (its free text is in audit_notes, which is swept).
APPEND_ONLY_TABLES = {"audit_events"}


class AccountDeletionError(Exception):
    """The account cannot be deleted (now); the view says why."""


class WrongPassword(AccountDeletionError):
    pass


class LastAdmin(AccountDeletionError):
    pass


def delete_account(db: Session, user: User, password: str, now: datetime | None = None) -> None:
    """The person deletes their own account, after typing their password; commits."""
    if not passwords.verify_password(user.password_hash, password):
        raise WrongPassword("wrong password")
    if _is_last_admin(db, user):
        raise LastAdmin("the site needs an admin")
    now = now or utcnow()
    if not claim(db, User, user.id, User.anonymised_at.is_(None), anonymised_at=now):
        db.rollback()
        return  # deleted meanwhile, in another tab
    anonymise_account(db, user, now)
    db.commit()


def _is_last_admin(db: Session, user: User) -> bool:
    if not user.has_role(Role.ADMIN):
        return False
    others = db.scalar(
        select(func.count(UserRole.id))
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN, User.id != user.id, User.anonymised_at.is_(None))
    )
    return not others


def anonymise_account(db: Session, user: User, now: datetime) -> None:
    """Cancel what is open, tell counterparts, and erase the person everywhere.

    Runs in the caller's transaction; the caller commits. Counterparts are told first,
    while titles are still readable; the sweep afterwards takes the person's name out of
    those emails too.
    """
    needles = _identifying_strings(user)
    first_name = user.first_name
    counterparts = _counterpart_ids(db, user)
    _cancel_own_requests(db, user, now)
    _withdraw_as_volunteer(db, user, now)
    _erase_own_posts(db, user)
    _erase_personal_rows(db, user, now)
    _erase_user_row(db, user, now)
    db.flush()
    _scrub_counterpart_texts(db, user, counterparts, first_name, needles)
    sweep_strings(db, needles)


def _identifying_strings(user: User) -> list[str]:
    """What would point to this person in a free text: full name, email, phone, address."""
    strings = [user.email] if user.email else []
    if len(user.name.split()) > 1 or len(user.name) >= 6:
        strings.append(user.name)
    if user.phone:
        strings.append(user.phone)
        if user.phone.startswith("+31"):
            strings.append("0" + user.phone[3:])
    if user.postcode:
        compact = user.postcode.replace(" ", "")
        for postcode in {user.postcode, compact}:
            strings.append(f"{postcode} {user.house_number}")
    if user.street:
        strings.append(f"{user.street} {user.house_number}")
    return [s for s in strings if s and len(s) >= 4]


def _counterpart_ids(db: Session, user: User) -> set[int]:
    """Everyone who got mail about this person: the other side of matches and replies."""
    queries = (
        select(HelpRequest.author_id)
        .join(Match, Match.request_id == HelpRequest.id)
        .where(Match.volunteer_id == user.id),
        select(Match.volunteer_id)
        .join(HelpRequest, Match.request_id == HelpRequest.id)
        .where(HelpRequest.author_id == user.id),
        select(Offer.author_id)
        .join(OfferReply, OfferReply.offer_id == Offer.id)
        .where(OfferReply.author_id == user.id),
        select(OfferReply.author_id)
        .join(Offer, OfferReply.offer_id == Offer.id)
        .where(Offer.author_id == user.id),
        select(OrganisationMember.user_id)
        .join(Vacancy, Vacancy.organisation_id == OrganisationMember.organisation_id)
        .join(VacancyResponse, VacancyResponse.vacancy_id == Vacancy.id)
        .where(VacancyResponse.volunteer_id == user.id),
    )
    ids: set[int] = set()
    for query in queries:
        ids.update(db.scalars(query))
    ids.discard(user.id)
    return ids


def _site_link() -> str:
    return absolute_url("pages.home")


def _theirs(user: User):
    """Their own requests, and those staff posted for them from their person page."""
    return or_(HelpRequest.author_id == user.id, HelpRequest.resident_id == user.id)


def _cancel_own_requests(db: Session, user: User, now: datetime) -> None:
    """Open requests are withdrawn; volunteers who offered or were confirmed are told."""
    requests = db.scalars(
        select(HelpRequest).where(_theirs(user), HelpRequest.state.in_(OPEN_REQUEST_STATES))
    ).all()
    for request in requests:
        matches = db.scalars(
            select(Match).where(Match.request_id == request.id, Match.state.in_(LIVE_MATCH_STATES))
        ).all()
        for match in matches:
            if match.state in TOLD_STATES and match.volunteer.anonymised_at is None:
                enqueue_email(
                    db,
                    key=f"account-deleted:volunteer:{match.id}",
                    user=match.volunteer,
                    template="account_deleted_volunteer",
                    kind="account_deleted",
                    item=request,
                    link=_site_link(),
                )
            match.state, match.ended_at = MatchState.CANCELLED, now
        request.state = RequestState.CANCELLED
        request.confirmed_count = 0
        record(db, user, "help_requests.cancelled", request, "account verwijderd")


def _withdraw_as_volunteer(db: Session, user: User, now: datetime) -> None:
    """Matches where this person helps are called off; the asker is told."""
    matches = db.scalars(
        select(Match).where(Match.volunteer_id == user.id, Match.state.in_(LIVE_MATCH_STATES))
    ).all()
    for match in matches:
        request = match.request
        if match.state == MatchState.CONFIRMED:
            request.confirmed_count = max(0, request.confirmed_count - 1)
            if request.state == RequestState.MATCHED:
                request.state = RequestState.OPEN
        asker = request.author
        if match.state in TOLD_STATES and asker.anonymised_at is None and asker.id != user.id:
            enqueue_email(
                db,
                key=f"account-deleted:asker:{match.id}",
                user=asker,
                template="account_deleted_asker",
                kind="account_deleted",
                item=request,
                link=_site_link(),
            )
        match.state, match.ended_at = MatchState.CANCELLED, now
        record(db, user, "matches.cancelled", match, "account verwijderd")
    # Their own words on every match they were part of as a volunteer.
    db.execute(
        update(Match).where(Match.volunteer_id == user.id).values(note=None, end_reason=None)
    )


def erase_request_fields(db: Session, request_ids: Iterable[int]) -> None:
    """Take the address, the story and any names out of these requests."""
    ids = list(request_ids)
    if not ids:
        return
    db.execute(
        update(HelpRequest)
        .where(HelpRequest.id.in_(ids))
        .values(
            title=ERASED_REQUEST_TITLE,
            description="",
            postcode="",
            house_number="",
            street=None,
            for_first_name=None,
            resident_name=None,
            resident_contact=None,
            reject_reason=None,
        )
    )


def _erase_own_posts(db: Session, user: User) -> None:
    """Requests and offers keep their category, area and dates for the figures; no more."""
    erase_request_fields(db, db.scalars(select(HelpRequest.id).where(_theirs(user))))
    db.execute(
        update(Offer)
        .where(Offer.author_id == user.id, Offer.state.in_(OPEN_REQUEST_STATES))
        .values(state=RequestState.CANCELLED)
    )
    db.execute(
        update(Offer)
        .where(Offer.author_id == user.id)
        .values(title=ERASED_OFFER_TITLE, description="", when_text="", reject_reason=None)
    )


def _erase_personal_rows(db: Session, user: User, now: datetime) -> None:
    """Rows that are only about this person go; shared records lose the person."""
    uid = user.id
    own_members = select(NetworkMember.id).where(NetworkMember.owner_id == uid)
    db.execute(
        delete(CircleAnswer)
        .where(CircleAnswer.member_id.in_(own_members))
        .execution_options(synchronize_session=False)
    )
    for model, column in (
        (UserSession, UserSession.user_id),
        (UserRole, UserRole.user_id),
        (VolunteerSlot, VolunteerSlot.user_id),
        (OrganisationMember, OrganisationMember.user_id),
        (Checkin, Checkin.carer_id),
        (CarerProfile, CarerProfile.user_id),
        (ContactNote, ContactNote.person_id),
        # Their own network is their record: it goes with them (circle answers with it).
        (NetworkMember, NetworkMember.owner_id),
        (NetworkCheck, NetworkCheck.owner_id),
        # Keys that act for them stop working with the account.
        (ApiToken, ApiToken.user_id),
        (FormToken, FormToken.user_id),
    ):
        db.execute(delete(model).where(column == uid).execution_options(synchronize_session=False))
    # Mail to them: sent or not, it holds their address and what it said.
    db.execute(
        delete(OutboxMessage).where(
            or_(
                OutboxMessage.user_id == uid,
                func.lower(OutboxMessage.to_address) == (user.email or "").lower(),
            )
        )
    )
    # Referrals keep their status for the consultant, not who the resident was.
    db.execute(
        update(Referral)
        .where(
            or_(
                Referral.account_id == uid, func.lower(Referral.email) == (user.email or "").lower()
            )
        )
        .values(
            resident_name=ANONYMOUS_NAME,
            email=None,
            phone=None,
            postcode="",
            house_number="",
            street=None,
            description="",
            wanted_when="",
        )
    )
    db.execute(update(Report).where(Report.reporter_id == uid).values(reporter_id=None))
    # In someone else's network: the link ends, and what identified them there goes too
    # (the resident keeps a row saying someone left, and what they could help with).
    db.execute(
        update(NetworkMember)
        .where(NetworkMember.member_user_id == uid)
        .values(member_user_id=None, left_at=now, first_name=ANONYMOUS_NAME, email=None, reach="")
    )
    db.execute(
        update(StaffTask)
        .where(StaffTask.person_id == uid, StaffTask.closed_at.is_(None))
        .values(closed_at=now, outcome="Account verwijderd.")
    )


def _erase_user_row(db: Session, user: User, now: datetime) -> None:
    user.name = ANONYMOUS_NAME
    user.email = f"verwijderd-{user.id}@invalid"
    user.password_hash = UNUSABLE_PASSWORD
    user.password_changed_at = now
    user.postcode = ""
    user.house_number = ""
    user.street = None
    user.phone = None
    user.intro = ""
    user.skills = ""
    user.available = False
    user.vog_valid_until = None
    user.mail_reminders = user.mail_followups = user.mail_digest = False
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.execute(delete(MunicipalityStaff).where(MunicipalityStaff.user_id == user.id))
    user.anonymised_at = now
    # The PC4 area and wijk stay: an area, not an address, and the figures count by it.
    db.expire(user, ["roles", "slots"])


def _patterns(strings: Iterable[str], *, whole_words: bool = False) -> list[re.Pattern]:
    patterns = []
    for text in strings:
        body = re.escape(text)
        patterns.append(re.compile(rf"\b{body}\b" if whole_words else body, re.IGNORECASE))
    return patterns


def _scrub(text: str | None, patterns: list[re.Pattern]) -> str | None:
    if not text:
        return text
    for pattern in patterns:
        text = pattern.sub(ERASED, text)
    return text


def _scrub_counterpart_texts(
    db: Session, user: User, counterparts: set[int], first_name: str, needles: list[str]
) -> None:
    """Messages and mail others keep lose this person's first name too, not only the rest."""
    patterns = _patterns(needles) + _patterns([first_name], whole_words=True)
    own_requests = select(HelpRequest.id).where(HelpRequest.author_id == user.id)
    their_matches = select(Match.id).where(
        or_(Match.volunteer_id == user.id, Match.request_id.in_(own_requests))
    )
    texts = (
        (select(MatchMessage).where(MatchMessage.match_id.in_(their_matches)), ("body",)),
        (select(Match).where(Match.id.in_(their_matches)), ("note", "end_reason")),
        (
            select(OfferReply).where(
                or_(
                    OfferReply.author_id == user.id,
                    OfferReply.offer_id.in_(select(Offer.id).where(Offer.author_id == user.id)),
                )
            ),
            ("message",),
        ),
        (select(VacancyResponse).where(VacancyResponse.volunteer_id == user.id), ("message",)),
        (select(StaffTask).where(StaffTask.person_id == user.id), ("detail", "outcome")),
        (
            select(OutboxMessage).where(OutboxMessage.user_id.in_(counterparts)),
            ("subject", "body_text", "body_html"),
        ),
    )
    for query, fields in texts:
        for row in db.scalars(query):
            for name in fields:
                value = getattr(row, name)
                scrubbed = _scrub(value, patterns)
                if scrubbed != value:
                    setattr(row, name, scrubbed)
    db.flush()


def _free_text_columns():
    for table in Base.metadata.sorted_tables:
        if table.name in APPEND_ONLY_TABLES:
            continue
        for column in table.columns:
            if (
                isinstance(column.type, String)
                and not isinstance(column.type, Enum)
                and not column.primary_key
                and not column.unique
                and not column.foreign_keys
                and (table.name, column.name) not in NOT_SWEPT
            ):
                yield table, column


def sweep_strings(db: Session, strings: list[str]) -> int:
    """Replace strings in every text column of every table; return how many values changed.

    The safety net behind the step-by-step erasure: whatever free text still holds the
    email, phone, full name or address (a referral typed by a consultant, a reason in
    the audit trail, a message) loses it here.
    """
    if not strings:
        return 0
    patterns = _patterns(strings)
    changed = 0
    for table, column in _free_text_columns():
        lowered = func.lower(column, type_=String)
        found = or_(*(lowered.contains(s.lower(), autoescape=True) for s in strings))
        keys = list(table.primary_key.columns)
        for row in db.execute(select(*keys, column).where(found)).all():
            *key_values, value = row
            scrubbed = _scrub(value, patterns)
            if scrubbed == value:
                continue
            db.execute(
                update(table)
                .where(*(key == key_value for key, key_value in zip(keys, key_values, strict=True)))
                .values({column.name: scrubbed})
            )
            changed += 1
    return changed

"""Referral steps: a consultant refers, the resident accepts, and what came of it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.audit import record
from voorelkaar.auth.access import is_staff, staff_of
from voorelkaar.auth.services import NewAccount, register_user
from voorelkaar.db import claim, utcnow
from voorelkaar.help_requests.services import RequestDetails, add_request, may_post_for
from voorelkaar.models import (
    HelpRequest,
    Municipality,
    OutboxMessage,
    PostedFor,
    Referral,
    ReferralStatus,
    ReplacedCode,
    RequestState,
    Role,
    User,
)
from voorelkaar.notify import enqueue_email
from voorelkaar.tasks.services import close_for_referral
from voorelkaar.tenancy import scoped, serves
from voorelkaar.urls import absolute_url
from voorelkaar.webhooks.topics import referral_changed

VALID_FOR = timedelta(days=30)
# No 0/O, 1/I/L: a code read from a letter is typed without doubt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class ReferralError(Exception):
    """A referral step that cannot be done (now); the view says why."""


class UnknownCode(ReferralError):
    pass


class InvitationExpired(ReferralError):
    pass


class InvitationReplaced(ReferralError):
    """The code was replaced by a newer invitation (sent again, e.g. after a typo)."""

    def __init__(self, referral: Referral):
        super().__init__("replaced")
        self.referral = referral


class InvitationWithdrawn(ReferralError):
    """The resident withdrew their consent: the invitation no longer works."""

    def __init__(self, referral: Referral):
        super().__init__("withdrawn")
        self.referral = referral


class AlreadyAccepted(ReferralError):
    """Someone already made an account, or staff already posted the request."""


class NotAllowed(ReferralError):
    pass


@dataclass(frozen=True)
class ReferralDetails:
    """What a consultant fills in; the form turns its input into this."""

    resident_name: str
    email: str | None
    phone: str | None
    postcode: str
    house_number: str
    consent_date: date
    category_id: int
    title: str
    description: str
    wanted_when: str = ""
    street: str | None = None


def normalise_code(text: str | None) -> str:
    """A code as typed ("abcd efgh", "ABCD-EFGH") in its stored form ("ABCDEFGH")."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def new_code(db: Session) -> str:
    """A fresh random code; the unique column backs this check."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.scalar(select(Referral.id).where(Referral.code == code)) is None:
            return code


def invitation_link(referral: Referral) -> str:
    return absolute_url("referrals.invitation", code=referral.code)


def create_referral(
    db: Session, consultant: User, details: ReferralDetails, now: datetime | None = None
) -> Referral:
    """Record a referral and email the invitation when there is an address; commits."""
    if not consultant.has_role(Role.CONSULTANT, Role.STAFF, Role.ADMIN):
        raise NotAllowed("only consultants and staff refer")
    now = now or utcnow()
    referral = Referral(
        consultant_id=consultant.id,
        resident_name=details.resident_name,
        email=(details.email or "").strip().lower() or None,
        phone=details.phone or None,
        postcode=geo.normalise_postcode(details.postcode),
        house_number=details.house_number.upper(),
        street=details.street or None,
        consent_date=details.consent_date,
        category_id=details.category_id,
        title=details.title,
        description=details.description,
        wanted_when=details.wanted_when or "",
        code=new_code(db),
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    db.add(referral)
    db.flush()
    record(db, consultant, "referrals.created", referral)
    _mail_invitation(db, referral, key=f"referral-invitation:{referral.id}")
    db.commit()
    return referral


def _mail_invitation(db: Session, referral: Referral, *, key: str) -> None:
    """Queue the invitation mail when the referral has an address; the caller commits."""
    if not referral.email:
        return
    enqueue_email(
        db,
        key=key,
        address=referral.email,
        template="referral_invitation",
        kind="referral_invitation",
        name=referral.resident_name,
        link=invitation_link(referral),
        code=referral.code,
        expires_at=referral.expires_at,
        municipality=db.get(Municipality, referral.municipality_id)
        if referral.municipality_id
        else None,
    )


def referrals_for(db: Session, viewer: User) -> list[Referral]:
    """The referrals viewer may see, of their municipalities: a consultant their own, staff
    all; newest first."""
    query = scoped(
        db,
        select(Referral).order_by(Referral.created_at.desc(), Referral.id.desc()),
        Referral.municipality_id,
        viewer,
    )
    if not is_staff(viewer):
        query = query.where(Referral.consultant_id == viewer.id)
    return list(db.scalars(query))


def referral_for(db: Session, viewer: User, referral_id: int) -> Referral | None:
    """The referral if viewer may open it, or None (shown as 404)."""
    referral = db.get(Referral, referral_id)
    if referral is None or not serves(db, viewer, referral.municipality_id):
        return None
    if is_staff(viewer) or referral.consultant_id == viewer.id:
        return referral
    return None


def record_view(db: Session, viewer: User, referral: Referral, reason: str) -> None:
    """Leave an audit row: who opened whose referral, when, and why it was shown."""
    record(db, viewer, "referrals.viewed", referral, reason)
    db.commit()


def is_open(referral: Referral, now: datetime | None = None) -> bool:
    """Whether the invitation can still be used to make an account."""
    return referral.expired_at is None and referral.expires_at > (now or utcnow())


def invitation_for(db: Session, code: str, now: datetime | None = None) -> Referral:
    """The referral behind a code, or UnknownCode / InvitationExpired.

    A resident who already has their account keeps access after the 30 days.
    """
    code = normalise_code(code)
    referral = db.scalar(select(Referral).where(Referral.code == code)) if code else None
    if referral is None:
        replaced = db.get(ReplacedCode, code) if code else None
        if replaced is None:
            raise UnknownCode(code)
        if replaced.referral.is_withdrawn:
            raise InvitationWithdrawn(replaced.referral)
        raise InvitationReplaced(replaced.referral)
    if referral.is_withdrawn:
        raise InvitationWithdrawn(referral)
    if referral.account_id is None and referral.request_id is None and not is_open(referral, now):
        raise InvitationExpired(code)
    return referral


def _link_account(db: Session, referral: Referral, user: User) -> None:
    if not claim(
        db,
        Referral,
        referral.id,
        Referral.account_id.is_(None),
        Referral.request_id.is_(None),
        Referral.withdrawn_at.is_(None),
        account_id=user.id,
    ):
        db.rollback()
        raise AlreadyAccepted(referral.code)
    close_for_referral(db, referral, "Vanzelf gesloten: de inwoner reageerde op de uitnodiging.")
    referral_changed(db, referral, ReferralStatus.ACCOUNT)
    db.commit()
    db.refresh(referral)


def _check_acceptable(referral: Referral, now: datetime | None) -> None:
    if referral.is_withdrawn:
        raise InvitationWithdrawn(referral)
    if referral.account_id is not None or referral.request_id is not None:
        raise AlreadyAccepted(referral.code)
    if not is_open(referral, now):
        raise InvitationExpired(referral.code)


def accept_with_new_account(
    db: Session, referral: Referral, account: NewAccount, now: datetime | None = None
) -> User:
    """Make the resident's account and tie it to the referral; commits."""
    _check_acceptable(referral, now)
    user = register_user(db, account)
    _link_account(db, referral, user)
    return user


def accept_as(db: Session, referral: Referral, user: User, now: datetime | None = None) -> None:
    """Tie the referral to an account the resident already had; commits."""
    _check_acceptable(referral, now)
    if PostedFor.SELF not in may_post_for(user):
        raise NotAllowed("this account cannot ask for help for itself")
    _link_account(db, referral, user)


def request_details(referral: Referral, *, on_behalf: bool) -> RequestDetails:
    """The referral as the start of a help request (its time still to be chosen)."""
    return RequestDetails(
        category_id=referral.category_id,
        title=referral.title,
        description=referral.description,
        postcode=referral.postcode,
        house_number=referral.house_number,
        street=referral.street,
        posted_for=PostedFor.RESIDENT if on_behalf else PostedFor.SELF,
        resident_name=referral.resident_name if on_behalf else None,
        resident_contact=(referral.email or referral.phone) if on_behalf else None,
        consent_date=referral.consent_date if on_behalf else None,
    )


def may_post(user: User, referral: Referral) -> bool:
    """The resident's own account; staff only while the resident has no account."""
    if referral.request_id is not None or referral.is_withdrawn:
        return False
    if referral.account_id is not None:
        return referral.account_id == user.id
    return staff_of(user, referral.municipality_id)


def post_from_referral(
    db: Session, author: User, referral: Referral, details: RequestDetails
) -> HelpRequest:
    """Post the referral's request (by the resident, or staff for them) and record it."""
    if not may_post(author, referral):
        raise NotAllowed("may not post this referral's request")
    on_behalf = referral.account_id is None
    if on_behalf != (details.posted_for == PostedFor.RESIDENT):
        raise NotAllowed("posted for the wrong person")
    help_request = add_request(db, author, details)
    if not claim(
        db,
        Referral,
        referral.id,
        Referral.request_id.is_(None),
        Referral.withdrawn_at.is_(None),
        request_id=help_request.id,
    ):
        # Posted twice at the same moment: the first one counts.
        db.rollback()
        raise AlreadyAccepted(referral.code)
    if on_behalf:
        record(db, author, "referrals.posted_for_resident", referral)
    close_for_referral(db, referral, "Vanzelf gesloten: er is een hulpvraag geplaatst.")
    referral_changed(db, referral, ReferralStatus.POSTED, request_id=help_request.id)
    db.commit()
    db.refresh(referral)
    return help_request


def status_of(referral: Referral, now: datetime | None = None) -> ReferralStatus:
    """What came of a referral, from the referral and its request."""
    if referral.is_withdrawn:
        return ReferralStatus.WITHDRAWN
    request = referral.request
    if request is not None:
        if request.state == RequestState.DONE:
            return ReferralStatus.DONE
        if request.state == RequestState.MATCHED or request.confirmed_count > 0:
            return ReferralStatus.MATCHED
        return ReferralStatus.POSTED
    if referral.account_id is not None:
        return ReferralStatus.ACCOUNT
    if not is_open(referral, now):
        return ReferralStatus.EXPIRED
    return ReferralStatus.INVITED


# ---------- Changing a referral: edit, send again, withdraw ----------

# The fields a consultant may correct, with the Dutch name the audit trail gives them.
EDITABLE = {
    "resident_name": "naam",
    "email": "e-mailadres",
    "phone": "telefoon",
    "postcode": "postcode",
    "house_number": "huisnummer",
    "street": "straat",
    "consent_date": "datum toestemming",
    "category_id": "soort hulp",
    "title": "titel",
    "description": "welke hulp",
    "wanted_when": "wanneer",
}
# What goes when consent is withdrawn: all that says who the resident is or what they told.
ERASED_ON_WITHDRAWAL = {
    "resident_name": "",
    "email": None,
    "phone": None,
    "house_number": "",
    "street": None,
    "title": "",
    "description": "",
    "wanted_when": "",
}


def is_accepted(referral: Referral) -> bool:
    """The resident made an account, or a request was posted: the referral is theirs now."""
    return referral.account_id is not None or referral.request_id is not None


def may_change(referral: Referral) -> bool:
    """Edit and send again only while nobody accepted it and consent stands."""
    return not is_accepted(referral) and not referral.is_withdrawn


def _stored(details: ReferralDetails) -> dict:
    """The details as the referral stores them (as create_referral does)."""
    return {
        "resident_name": details.resident_name,
        "email": (details.email or "").strip().lower() or None,
        "phone": details.phone or None,
        "postcode": geo.normalise_postcode(details.postcode),
        "house_number": details.house_number.upper(),
        "street": details.street or None,
        "consent_date": details.consent_date,
        "category_id": details.category_id,
        "title": details.title,
        "description": details.description,
        "wanted_when": details.wanted_when or "",
    }


def edit_referral(
    db: Session, actor: User, referral: Referral, details: ReferralDetails
) -> list[str]:
    """Correct a referral not yet accepted; return the Dutch names of what changed; commits.

    The audit row names the fields, never their old or new values.
    """
    if not may_change(referral):
        raise AlreadyAccepted(referral.code)
    changed = [name for name, value in _stored(details).items() if getattr(referral, name) != value]
    if not changed:
        return []
    values = _stored(details)
    if not claim(
        db,
        Referral,
        referral.id,
        Referral.account_id.is_(None),
        Referral.request_id.is_(None),
        Referral.withdrawn_at.is_(None),
        **{name: values[name] for name in changed},
    ):
        db.rollback()
        raise AlreadyAccepted(referral.code)
    record(db, actor, "referrals.edited", referral, ", ".join(EDITABLE[n] for n in changed))
    db.commit()
    db.refresh(referral)
    return [EDITABLE[name] for name in changed]


def _forget_unsent_invitations(db: Session, referral: Referral) -> None:
    """An invitation mail not yet on its way carries a void link (or a withdrawn name)."""
    db.execute(
        delete(OutboxMessage).where(
            OutboxMessage.idempotency_key.startswith(f"referral-invitation:{referral.id}"),
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.claimed_until.is_(None),
        )
    )


def resend_invitation(
    db: Session, actor: User, referral: Referral, replacing: str, now: datetime | None = None
) -> bool:
    """A new code and link for the referral, valid 30 days from now; the old code stops.

    replacing is the code the actor saw: when it is no longer the referral's code, someone
    (a double click, a colleague) sent it again already and nothing happens: False. Commits.
    """
    if not may_change(referral):
        raise AlreadyAccepted(referral.code)
    now = now or utcnow()
    old, code = normalise_code(replacing), new_code(db)
    if not claim(
        db,
        Referral,
        referral.id,
        Referral.code == old,
        Referral.account_id.is_(None),
        Referral.request_id.is_(None),
        Referral.withdrawn_at.is_(None),
        code=code,
        expires_at=now + VALID_FOR,
        expired_at=None,
    ):
        db.rollback()
        return False
    db.add(ReplacedCode(code=old, referral_id=referral.id, replaced_at=now))
    db.refresh(referral)
    _forget_unsent_invitations(db, referral)
    _mail_invitation(db, referral, key=f"referral-invitation:{referral.id}:{code}")
    close_for_referral(db, referral, "Vanzelf gesloten: de uitnodiging is opnieuw gestuurd.")
    record(db, actor, "referrals.resent", referral)
    db.commit()
    return True


def withdraw_referral(
    db: Session, actor: User, referral: Referral, now: datetime | None = None
) -> bool:
    """Consent withdrawn: the invitation stops, the personal data goes, the fact and date
    stay; open tasks about it close. False when it was withdrawn already. Commits."""
    now = now or utcnow()
    if not claim(
        db,
        Referral,
        referral.id,
        Referral.withdrawn_at.is_(None),
        withdrawn_at=now,
        **ERASED_ON_WITHDRAWAL,
    ):
        db.rollback()
        return False
    db.refresh(referral)
    _forget_unsent_invitations(db, referral)
    close_for_referral(db, referral, "Vanzelf gesloten: de inwoner trok de toestemming in.")
    record(db, actor, "referrals.withdrawn", referral)
    referral_changed(db, referral, ReferralStatus.WITHDRAWN, at=now)
    db.commit()
    return True

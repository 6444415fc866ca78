"""Changing your own profile and roles; what others see of it follows the privacy rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.audit import record
from voorelkaar.carers import services as carers
from voorelkaar.db import utcnow
from voorelkaar.models import (
    CarerProfile,
    HelpRequest,
    Match,
    MatchState,
    Offer,
    PostedFor,
    RequestState,
    Role,
    User,
    UserRole,
)
from voorelkaar.models.user import SELF_CHOSEN_ROLES
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.volunteers.services import set_availability


@dataclass(frozen=True)
class ProfileChanges:
    name: str
    phone: str | None
    postcode: str
    house_number: str
    street: str | None = None
    intro: str = ""
    skills: tuple[str, ...] = ()
    available: bool = True


def update_profile(db: Session, user: User, changes: ProfileChanges) -> None:
    """Store new contact details (and, for volunteers, what they like to do)."""
    area = geo.locate(changes.postcode)
    postcode = geo.normalise_postcode(changes.postcode)
    user.name = changes.name
    user.phone = changes.phone or None
    user.postcode = postcode
    user.house_number = changes.house_number.upper()
    user.street = changes.street or None
    user.pc4, user.lat, user.lon = area.pc4, area.lat, area.lon
    user.neighbourhood = neighbourhood_for(db, postcode)
    if user.has_role(Role.VOLUNTEER):
        user.intro = changes.intro
        user.skills = _skill_text(changes.skills)
        user.available = changes.available
    db.commit()


def public_view(user: User) -> dict:
    """What any logged-in person may see of user before a match: no contact details."""
    return {
        "first_name": user.first_name,
        "place": user.neighbourhood.name if user.neighbourhood else user.pc4,
        "volunteer": user.has_role(Role.VOLUNTEER),
        "intro": user.intro if user.has_role(Role.VOLUNTEER) else "",
        "skills": [s.strip() for s in user.skills.split(",") if s.strip()],
        "available": user.available,
    }


def _skill_text(skills: tuple[str, ...]) -> str:
    return ", ".join(dict.fromkeys(s.strip().lower() for s in skills if s.strip()))


# Roles people give themselves (SELF_CHOSEN_ROLES); staff and admins grant the others.


@dataclass(frozen=True)
class RoleWords:
    """How a role is named to the people on the site."""

    who: str  # whom a page is for
    held: str = ""  # on the profile, for someone who has the role
    offer: str = ""  # on the profile, for someone who could add it
    add: str = ""  # the button that adds it
    stop: str = ""  # the button that stops it
    stopped: str = ""  # said once it is stopped


ROLE_WORDS = {
    Role.RESIDENT: RoleWords(
        who=_l("inwoners die hulp vragen"),
        held=_l("U kunt hier hulp vragen."),
        offer=_l("Zoekt u hulp bij een wandeling, boodschappen, vervoer of een klusje?"),
        add=_l("Ik wil hulp vragen"),
        stop=_l("Stoppen met hulp vragen"),
        stopped=_l("U vraagt hier geen hulp meer."),
    ),
    Role.VOLUNTEER: RoleWords(
        who=_l("vrijwilligers"),
        held=_l("U bent vrijwilliger."),
        offer=_l("Wilt u anderen in uw buurt helpen?"),
        add=_l("Vrijwilliger worden"),
        stop=_l("Stoppen als vrijwilliger"),
        stopped=_l("U bent geen vrijwilliger meer."),
    ),
    Role.CARER: RoleWords(
        who=_l("mantelzorgers"),
        held=_l("U bent mantelzorger."),
        offer=_l("Zorgt u voor iemand, bijvoorbeeld uw partner, een ouder of een buur?"),
        add=_l("Mantelzorger worden"),
        stop=_l("Stoppen als mantelzorger"),
        stopped=_l("U bent geen mantelzorger meer."),
    ),
    Role.ORGANISATION: RoleWords(who=_l("organisaties")),
    Role.STAFF: RoleWords(who=_l("coördinatoren van het welzijnswerk")),
    Role.CONSULTANT: RoleWords(who=_l("Wmo-consulenten van de gemeente")),
    Role.ADMIN: RoleWords(who=_l("beheerders")),
    Role.POLICY: RoleWords(who=_l("beleidsmedewerkers van de gemeente")),
}
# In URLs: /profiel/rol/vrijwilliger
ROLE_SLUGS = {Role.RESIDENT: "inwoner", Role.VOLUNTEER: "vrijwilliger", Role.CARER: "mantelzorger"}
ROLES_BY_SLUG = {slug: role for role, slug in ROLE_SLUGS.items()}

LIVE_REQUESTS = (RequestState.DRAFT, RequestState.PENDING, RequestState.OPEN, RequestState.MATCHED)
LIVE_OFFERS = (RequestState.PENDING, RequestState.OPEN)
LIVE_MATCHES = (MatchState.OFFERED, MatchState.CONFIRMED)


class RoleError(Exception):
    """A role that cannot be added or stopped like this."""


class LastRole(RoleError):
    """Everyone keeps at least one role: without one the site has nothing to offer them."""


class RoleInUse(RoleError):
    """Something still open depends on the role; it is dealt with first."""

    def __init__(self, still_open: list[StillOpen]):
        super().__init__("the role is still in use")
        self.still_open = still_open


@dataclass(frozen=True)
class StillOpen:
    what: str  # "Uw hulpvraag", "U heeft een afspraak voor"
    post: HelpRequest | Offer


@dataclass(frozen=True)
class VolunteerStart:
    """What a new volunteer tells: what they like to do, their week and their reach."""

    skills: tuple[str, ...] = ()
    intro: str = ""
    parts: frozenset[tuple[int, str]] = frozenset()
    travel_km: float = 5.0


def _locked(db: Session, user: User) -> User:
    """user's row, locked on PostgreSQL, with their roles as the database has them now.

    The lock makes two tabs that add or stop roles at the same moment take turns.
    """
    db.execute(select(User.id).where(User.id == user.id).with_for_update())
    locked = db.get(User, user.id)
    db.refresh(locked, ["roles"])
    return locked


def add_role(
    db: Session, user: User, role: Role, start=None, *, now: datetime | None = None
) -> bool:
    """Give user a role they may choose, with what it needs; commits. False if held already.

    start is a VolunteerStart for a volunteer, a care situation (save_care_situation's
    keywords) for a carer; the role and its details are stored together or not at all.
    """
    if role not in SELF_CHOSEN_ROLES:
        raise RoleError(f"{role} is granted, not chosen")
    user = _locked(db, user)
    if user.has_role(role):
        db.rollback()
        return False
    user.roles.append(UserRole(role=role))
    record(db, user, "users.role_added", user, role.value)
    if role == Role.VOLUNTEER:
        start = start or VolunteerStart()
        user.skills = _skill_text(start.skills)
        user.intro = start.intro
        set_availability(db, user, set(start.parts), start.travel_km, available=True)
    elif role == Role.CARER:
        profile = carers.start_profile(db, user, now or utcnow())
        carers.save_care_situation(db, profile, **(start or {}))
    else:
        db.commit()
    return True


def still_open(db: Session, user: User, role: Role) -> list[StillOpen]:
    """What user still has going that needs role: a request, an offer, a promise to help."""
    if role == Role.VOLUNTEER:
        return _still_helping(db, user)
    posted_for = PostedFor.CARED_FOR if role == Role.CARER else PostedFor.SELF
    requests = db.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.author_id == user.id,
            HelpRequest.posted_for == posted_for,
            HelpRequest.state.in_(LIVE_REQUESTS),
        )
        .order_by(HelpRequest.id)
    )
    return [StillOpen(_l("Uw hulpvraag"), request) for request in requests]


def _still_helping(db: Session, volunteer: User) -> list[StillOpen]:
    offers = db.scalars(
        select(Offer)
        .where(Offer.author_id == volunteer.id, Offer.state.in_(LIVE_OFFERS))
        .order_by(Offer.id)
    )
    matches = db.scalars(
        select(Match)
        .join(Match.request)
        .where(
            Match.volunteer_id == volunteer.id,
            Match.state.in_(LIVE_MATCHES),
            HelpRequest.state.in_(LIVE_REQUESTS),
        )
        .order_by(Match.id)
    )
    promised = {
        MatchState.OFFERED: _l("U heeft aangeboden te helpen bij"),
        MatchState.CONFIRMED: _l("U heeft een afspraak voor"),
    }
    return [StillOpen(_l("Uw hulpaanbod"), offer) for offer in offers] + [
        StillOpen(promised[match.state], match.request) for match in matches
    ]


def stop_role(db: Session, user: User, role: Role) -> bool:
    """Take a chosen role away at its holder's request; commits. False if not held.

    Refused (LastRole, RoleInUse) while it is their only role or something still needs it.
    A carer's health note goes with the role: they could no longer see or withdraw it.
    """
    if role not in SELF_CHOSEN_ROLES:
        raise RoleError(f"{role} is granted, not chosen")
    user = _locked(db, user)
    if not user.has_role(role):
        db.rollback()
        return False
    if user.role_set == {role}:
        db.rollback()
        raise LastRole("the only role")
    if items := still_open(db, user, role):
        db.rollback()
        raise RoleInUse(items)
    user.roles.remove(next(r for r in user.roles if r.role == role))
    record(db, user, "users.role_stopped", user, role.value)
    profile = db.get(CarerProfile, user.id) if role == Role.CARER else None
    if profile is not None:
        carers.withdraw_health_consent(db, profile)
    else:
        db.commit()
    return True

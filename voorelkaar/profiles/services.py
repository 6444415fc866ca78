"""Changing your own profile; what others see of it follows the privacy rules."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.models import Role, User
from voorelkaar.places.services import neighbourhood_for


@dataclass(frozen=True)
class ProfileChanges:
    name: str
    phone: str | None
    postcode: str
    house_number: str
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
    user.pc4, user.lat, user.lon = area.pc4, area.lat, area.lon
    user.neighbourhood = neighbourhood_for(db, postcode)
    if user.has_role(Role.VOLUNTEER):
        user.intro = changes.intro
        user.skills = ", ".join(
            dict.fromkeys(s.strip().lower() for s in changes.skills if s.strip())
        )
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

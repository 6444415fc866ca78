""" "Hoe sterk is mijn netwerk?": one question per life area, and where the gaps are."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.db import claim, utcnow
from voorelkaar.models import NetworkCheck, NetworkMember, User


@dataclass(frozen=True)
class Area:
    key: str
    question: object  # a lazy string
    short: object
    category: str | None  # the category of help a volunteer could give here


AREAS: tuple[Area, ...] = (
    Area("ziek", _l("Wie kunt u bellen als u ziek bent?"), _l("Als u ziek bent"), None),
    Area(
        "boodschappen",
        _l("Wie kan boodschappen voor u doen als het even niet gaat?"),
        _l("Boodschappen"),
        "boodschappen",
    ),
    Area(
        "vervoer",
        _l("Wie kan u naar de dokter of het ziekenhuis brengen?"),
        _l("Vervoer"),
        "vervoer",
    ),
    Area(
        "klussen",
        _l("Wie kan een klusje in huis doen, zoals een lamp ophangen?"),
        _l("Klusjes in huis"),
        "klussen",
    ),
    Area(
        "papieren",
        _l("Wie helpt u met post, formulieren of de computer?"),
        _l("Post en papieren"),
        "thuisadministratie",
    ),
    Area(
        "praten",
        _l("Met wie kunt u praten als u zich alleen voelt?"),
        _l("Praten en gezelschap"),
        "gezelschap",
    ),
)
AREA_KEYS = tuple(area.key for area in AREAS)


def area(key: str) -> Area | None:
    return next((item for item in AREAS if item.key == key), None)


def current_check(db: Session, owner: User) -> NetworkCheck | None:
    """The check owner started and did not finish yet."""
    return db.scalar(
        select(NetworkCheck)
        .where(NetworkCheck.owner_id == owner.id, NetworkCheck.finished_at.is_(None))
        .order_by(NetworkCheck.id.desc())
        .limit(1)
    )


def finished_checks(db: Session, owner: User) -> list[NetworkCheck]:
    """owner's finished checks, newest first."""
    return list(
        db.scalars(
            select(NetworkCheck)
            .where(NetworkCheck.owner_id == owner.id, NetworkCheck.finished_at.is_not(None))
            .order_by(NetworkCheck.finished_at.desc(), NetworkCheck.id.desc())
        )
    )


def start_check(db: Session, owner: User) -> NetworkCheck:
    """The unfinished check, or a new one; commits."""
    check = current_check(db, owner)
    if check is None:
        check = NetworkCheck(owner_id=owner.id, municipality_id=owner.municipality_id, answers={})
        db.add(check)
        db.commit()
    return check


def answer_area(
    db: Session, owner: User, check: NetworkCheck, key: str, member_ids: list[int]
) -> None:
    """Store whom owner can ask in one area (only their own members count); commits."""
    own = set(db.scalars(select(NetworkMember.id).where(NetworkMember.owner_id == owner.id)))
    answers = dict(check.answers or {})
    answers[key] = sorted(set(member_ids) & own)
    check.answers = answers  # a new dict: the JSON column sees the change
    db.commit()


def finish_check(db: Session, owner: User, check: NetworkCheck) -> bool:
    """Close the check (once: a second click changes nothing); commits."""
    gaps = len(gaps_of(check))
    if not claim(
        db,
        NetworkCheck,
        check.id,
        NetworkCheck.finished_at.is_(None),
        finished_at=utcnow(),
        gaps=gaps,
    ):
        db.rollback()
        return False
    record(db, owner, "network.checked", check)
    db.commit()
    db.refresh(check)
    return True


def gaps_of(check: NetworkCheck) -> list[Area]:
    """The life areas in which nobody can be asked."""
    answers = check.answers or {}
    return [item for item in AREAS if not answers.get(item.key)]


@dataclass(frozen=True)
class AreaResult:
    area: Area
    names: list[str]
    # For a gap: members who said they could help with this kind of thing, not ticked.
    could_ask: list[NetworkMember]


def results(check: NetworkCheck, members: list[NetworkMember]) -> list[AreaResult]:
    """Per life area, whom the resident can ask, and for a gap, whom they might ask."""
    by_id = {member.id: member for member in members}
    answers = check.answers or {}
    found = []
    for item in AREAS:
        names = [by_id[i].first_name for i in answers.get(item.key, []) if i in by_id]
        could = []
        if not names and item.category:
            could = [m for m in members if item.category in m.category_set]
        found.append(AreaResult(item, names, could))
    return found

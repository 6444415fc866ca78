"""The Meppel demo: wijken, the fixed role accounts and volunteers on real postcodes."""

import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.auth import passwords
from voorelkaar.models import Municipality, Neighbourhood, NeighbourhoodArea, Role, User, UserRole
from voorelkaar.places.services import neighbourhood_for

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 - public on purpose, demo data only


@dataclass(frozen=True)
class DemoAccount:
    label: str
    email: str
    name: str
    roles: tuple[Role, ...]
    postcode: str
    house_number: str


DEMO_ACCOUNTS = (
    DemoAccount(
        "inwoner", "inwoner@demo.voorelkaar.nl", "Riek Jansen", (Role.RESIDENT,), "7941 BK", "12"
    ),
    DemoAccount(
        "vrijwilliger",
        "vrijwilliger@demo.voorelkaar.nl",
        "Sanne de Vries",
        (Role.VOLUNTEER,),
        "7942 JD",
        "4",
    ),
    DemoAccount(
        "mantelzorger",
        "mantelzorger@demo.voorelkaar.nl",
        "Henk Bakker",
        (Role.CARER, Role.RESIDENT),
        "7943 AC",
        "30",
    ),
    DemoAccount(
        "organisatie",
        "organisatie@demo.voorelkaar.nl",
        "Zorgcentrum De Schiphorst",
        (Role.ORGANISATION,),
        "7941 AA",
        "1",
    ),
    DemoAccount(
        "coördinator",
        "coordinator@demo.voorelkaar.nl",
        "Fatima El Amrani",
        (Role.STAFF,),
        "7941 GX",
        "2",
    ),
    DemoAccount(
        "Wmo-consulent",
        "consulent@demo.voorelkaar.nl",
        "Joost Mulder",
        (Role.CONSULTANT,),
        "7941 GX",
        "2",
    ),
    DemoAccount(
        "beheerder",
        "beheer@demo.voorelkaar.nl",
        "Beheer Voorelkaar",
        (Role.ADMIN, Role.STAFF),
        "7941 GX",
        "2",
    ),
)

# Meppel's wijken by PC4, coarse on purpose: the demo needs plausible places.
MEPPEL_WIJKEN = {
    "Centrum": [("7941", None, None)],
    "Oosterboer": [("7942", None, None)],
    "Haveltermade": [("7943", None, None)],
    "Koedijkslanden": [("7944", None, None)],
    "Berggierslanden": [("7940", None, None)],
    "Nijeveen": [("7948", None, None)],
}

FIRST_NAMES = (
    "Anna",
    "Bert",
    "Carla",
    "Dirk",
    "Els",
    "Frank",
    "Gerda",
    "Hans",
    "Ina",
    "Jan",
    "Karin",
    "Lucas",
    "Marja",
    "Niels",
    "Olga",
    "Piet",
    "Roos",
    "Sem",
    "Tineke",
    "Wim",
)
LAST_NAMES = (
    "Hoekstra",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
)
DEMO_PC4S = ("7941", "7942", "7943", "7944", "7948")
VOLUNTEER_COUNT = 40


def seed_demo(db: Session) -> int:
    """Add whatever of the demo is missing; return how many rows were added."""
    added = _seed_places(db)
    password_hash = None
    for account in DEMO_ACCOUNTS:
        if _user_exists(db, account.email):
            continue
        password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
        db.add(_user(db, account, password_hash))
        added += 1
    added += _seed_volunteers(db)
    db.commit()
    return added


def _seed_places(db: Session) -> int:
    meppel = db.scalar(select(Municipality).where(Municipality.slug == "meppel"))
    added = 0
    if meppel is None:
        meppel = Municipality(name="Meppel", slug="meppel", moderation=True)
        db.add(meppel)
        added += 1
    existing = {n.slug for n in meppel.neighbourhoods} if meppel.id else set()
    for name, ranges in MEPPEL_WIJKEN.items():
        slug = name.lower()
        if slug in existing:
            continue
        db.add(
            Neighbourhood(
                municipality=meppel,
                name=name,
                slug=slug,
                areas=[
                    NeighbourhoodArea(pc4=pc4, pc6_from=lo, pc6_to=hi) for pc4, lo, hi in ranges
                ],
            )
        )
        added += 1
    db.flush()
    return added


def _user_exists(db: Session, email: str) -> bool:
    return db.scalar(select(User.id).where(User.email == email)) is not None


def _user(db: Session, account: DemoAccount, password_hash: str) -> User:
    area = geo.locate(account.postcode)
    return User(
        name=account.name,
        email=account.email,
        password_hash=password_hash,
        postcode=account.postcode,
        house_number=account.house_number,
        pc4=area.pc4,
        lat=area.lat,
        lon=area.lon,
        neighbourhood=neighbourhood_for(db, account.postcode),
        roles=[UserRole(role=role) for role in account.roles],
    )


def _seed_volunteers(db: Session) -> int:
    # A fixed seed: every run makes the same 40 people, so reruns add nothing.
    rng = random.Random(7941)  # noqa: S311 - not for security
    password_hash = None
    added = 0
    for number in range(1, VOLUNTEER_COUNT + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        pc4 = rng.choice(DEMO_PC4S)
        postcode = f"{pc4} {rng.choice('ABCDEGHJK')}{rng.choice('ABCDEGHJK')}"
        house_number = str(rng.randint(1, 120))
        email = f"vrijwilliger{number:02d}@demo.voorelkaar.nl"
        if _user_exists(db, email):
            continue
        password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
        account = DemoAccount("", email, name, (Role.VOLUNTEER,), postcode, house_number)
        db.add(_user(db, account, password_hash))
        added += 1
    return added

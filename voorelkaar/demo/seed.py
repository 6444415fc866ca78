"""The demo: Meppel and Westerveld on one installation, their wijken, the fixed role
accounts and volunteers on real postcodes; the demo admin serves both."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.auth import passwords
from voorelkaar.auth.access import in_back_office
from voorelkaar.db import utcnow
from voorelkaar.demo.faces import apply_faces
from voorelkaar.demo.matches import seed_matches
from voorelkaar.demo.requests import demo_street, seed_requests
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import (
    CarerProfile,
    Category,
    Closeness,
    HelpRequest,
    Municipality,
    MunicipalityStaff,
    Neighbourhood,
    NeighbourhoodArea,
    NetworkMember,
    Offer,
    Organisation,
    OrganisationMember,
    Relation,
    RequestState,
    Role,
    User,
    UserRole,
    Vacancy,
    VolunteerSlot,
)
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.second_factor import services as second_factor
from voorelkaar.tenancy import set_served

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 - public on purpose, demo data only
# The back office logs in with a code from an app too. The demo accounts share this app
# secret, public like the password: add it to an app, or ask `flask --app wsgi demo-code`.
DEMO_TOTP_SECRET = "DEMOVOORELKAARMEPPELCODE23456777"  # noqa: S105 - public, demo data only


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
        "Petra Jansen",  # the contact person of Zorgcentrum De Schiphorst
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
    # Westerveld (Havelte, Dwingeloo): its own coordinator and consultant, who see only
    # Westerveld's people; a resident and a volunteer of its own.
    DemoAccount(
        "coördinator Westerveld",
        "coordinator.westerveld@demo.voorelkaar.nl",
        "Ingrid Post",
        (Role.STAFF,),
        "7971 CE",
        "8",
    ),
    DemoAccount(
        "Wmo-consulent Westerveld",
        "consulent.westerveld@demo.voorelkaar.nl",
        "Mark Zwiers",
        (Role.CONSULTANT,),
        "7991 AA",
        "3",
    ),
    DemoAccount(
        "inwoner Westerveld",
        "inwoner.westerveld@demo.voorelkaar.nl",
        "Aaltje Kuiper",
        (Role.RESIDENT,),
        "7971 AB",
        "21",
    ),
    DemoAccount(
        "vrijwilliger Westerveld",
        "vrijwilliger.westerveld@demo.voorelkaar.nl",
        "Bas Lanting",
        (Role.VOLUNTEER,),
        "7991 AB",
        "5",
    ),
)
# The demo admin is a regional admin: it works for every demo municipality.
REGIONAL_ADMIN = "beheer@demo.voorelkaar.nl"

# Meppel's wijken by PC4, coarse on purpose: the demo needs plausible places.
MEPPEL_WIJKEN = {
    "Centrum": [("7941", None, None)],
    "Oosterboer": [("7942", None, None)],
    "Haveltermade": [("7943", None, None)],
    "Koedijkslanden": [("7944", None, None)],
    "Berggierslanden": [("7940", None, None)],
    "Nijeveen": [("7948", None, None)],
}

# The second municipality of the demo, next to Meppel: one installation serves both.
WESTERVELD_WIJKEN = {
    "Havelte": [("7971", None, None)],
    "Dwingeloo": [("7991", None, None)],
}

# Each demo municipality: (name, slug) -> its wijken.
DEMO_MUNICIPALITIES = {
    ("Meppel", "meppel"): MEPPEL_WIJKEN,
    ("Westerveld", "westerveld"): WESTERVELD_WIJKEN,
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
WESTERVELD_PC4S = ("7971", "7991")
WESTERVELD_VOLUNTEER_COUNT = 4


def seed_demo(db: Session) -> int:
    """Add whatever of the demo is missing; return how many rows were added."""
    added = _seed_places(db)
    added += apply_faces(db)
    password_hash = None
    for account in DEMO_ACCOUNTS:
        if _user_exists(db, account.email):
            continue
        password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
        db.add(_user(db, account, password_hash))
        added += 1
    added += _seed_second_factor(db)
    added += _seed_volunteers(db)
    added += _seed_westerveld_volunteers(db)
    db.flush()
    added += _seed_organisation(db)
    added += _seed_offers(db)
    askers = db.scalars(
        select(User)
        .where(User.email.in_(("inwoner@demo.voorelkaar.nl", "mantelzorger@demo.voorelkaar.nl")))
        .order_by(User.id)
    ).all()
    added += seed_requests(db, list(askers), datetime.now(AMSTERDAM).date())
    added += _seed_westerveld_requests(db, datetime.now(AMSTERDAM).date())
    added += _seed_regional_admin(db)
    added += _seed_carer_checkins(db, datetime.now(AMSTERDAM).date())
    added += _seed_network(db)
    db.flush()
    added += seed_matches(db)
    db.commit()
    return added


def _seed_places(db: Session) -> int:
    added = 0
    for (name, slug), wijken in DEMO_MUNICIPALITIES.items():
        municipality = db.scalar(select(Municipality).where(Municipality.slug == slug))
        if municipality is None:
            municipality = Municipality(
                name=name, slug=slug, site_name=f"{name} voor elkaar", moderation=True
            )
            db.add(municipality)
            added += 1
        existing = {n.slug for n in municipality.neighbourhoods} if municipality.id else set()
        for wijk, ranges in wijken.items():
            if wijk.lower() in existing:
                continue
            db.add(
                Neighbourhood(
                    municipality=municipality,
                    name=wijk,
                    slug=wijk.lower(),
                    areas=[
                        NeighbourhoodArea(pc4=pc4, pc6_from=lo, pc6_to=hi) for pc4, lo, hi in ranges
                    ],
                )
            )
            added += 1
    db.flush()
    return added


def _seed_regional_admin(db: Session) -> int:
    """The demo admin works for every demo municipality (once: a later choice stays)."""
    admin = _user_by_email(db, REGIONAL_ADMIN)
    if admin is None or db.scalar(
        select(MunicipalityStaff.id).where(MunicipalityStaff.user_id == admin.id)
    ):
        return 0
    slugs = [slug for _name, slug in DEMO_MUNICIPALITIES]
    ids = db.scalars(select(Municipality.id).where(Municipality.slug.in_(slugs))).all()
    set_served(db, admin, ids)
    return len(ids)


def _seed_second_factor(db: Session) -> int:
    """The back-office demo accounts log in with DEMO_TOTP_SECRET's code (a demo made before
    the second factor existed gets it too); one that set up its own app keeps that."""
    emails = [account.email for account in DEMO_ACCOUNTS]
    added = 0
    for user in db.scalars(select(User).where(User.email.in_(emails))).all():
        if in_back_office(user) and not user.has_second_factor:
            second_factor.enrol(user, DEMO_TOTP_SECRET)
            added += 1
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
        street=demo_street(len(account.email)),
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
        volunteer = _user(db, account, password_hash)
        _give_a_week(volunteer, random.Random(number))  # noqa: S311 - not for security
        db.add(volunteer)
        added += 1
    return added


def _seed_westerveld_volunteers(db: Session) -> int:
    """A few volunteers in Havelte and Dwingeloo, the same ones on every run."""
    rng = random.Random(7971)  # noqa: S311 - not for security
    password_hash = None
    added = 0
    for number in range(1, WESTERVELD_VOLUNTEER_COUNT + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        pc4 = WESTERVELD_PC4S[number % len(WESTERVELD_PC4S)]
        postcode = f"{pc4} {rng.choice('ABCDE')}{rng.choice('ABCDE')}"
        email = f"vrijwilliger-westerveld{number:02d}@demo.voorelkaar.nl"
        if _user_exists(db, email):
            continue
        password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
        account = DemoAccount("", email, name, (Role.VOLUNTEER,), postcode, str(number * 7))
        volunteer = _user(db, account, password_hash)
        _give_a_week(volunteer, random.Random(7970 + number))  # noqa: S311 - not for security
        db.add(volunteer)
        added += 1
    return added


# Westerveld's requests: (category slug, title, description, skills, postcode, open?)
WESTERVELD_REQUESTS = (
    (
        "boodschappen",
        "Boodschappen in Havelte",
        "Ik kom slecht de deur uit. Wie neemt op vrijdag mijn boodschappen mee?",
        "boodschappen",
        "7971 AB",
        True,
    ),
    (
        "wandelen",
        "Wandelen door het Dwingelderveld",
        "Ik wandel graag, maar niet meer alleen. Wie loopt een ochtend mee?",
        "wandelen",
        "7991 AA",
        True,
    ),
    (
        "klussen",
        "Gordijnrail ophangen in Havelte",
        "Mijn gordijnrail is naar beneden gekomen. Wie helpt hem weer op te hangen?",
        "klussen",
        "7971 AB",
        False,  # waits for the Westerveld coordinator's review
    ),
)


def _seed_westerveld_requests(db: Session, today: date) -> int:
    """The Westerveld resident's requests: two open, one waiting for review."""
    author = _user_by_email(db, "inwoner.westerveld@demo.voorelkaar.nl")
    if author is None:
        return 0
    have = set(db.scalars(select(HelpRequest.title).where(HelpRequest.author_id == author.id)))
    categories = {c.slug: c for c in db.scalars(select(Category))}
    added = 0
    for number, (slug, title, text, skills, postcode, public) in enumerate(WESTERVELD_REQUESTS):
        if title in have:
            continue
        begin = datetime.combine(today + timedelta(days=3 + number), time(10), AMSTERDAM)
        item = HelpRequest(
            author=author,
            category=categories.get(slug),
            title=title,
            description=text,
            skills=skills,
            postcode=postcode,
            house_number=str(10 + number),
            street=demo_street(100 + number),
            starts_at=begin.astimezone(UTC),
            ends_at=(begin + timedelta(hours=2)).astimezone(UTC),
            **_published_at(db, postcode),
        )
        if not public:
            item.state, item.published_at = RequestState.PENDING, None
        db.add(item)
        added += 1
    return added


DEMO_SKILLS = ("boodschappen", "wandelen", "auto rijden", "klussen", "tuinieren", "computerhulp")
# Parts of the day as on the availability page: morning, afternoon, evening.
DEMO_PARTS = ((time(9), time(12)), (time(12), time(18)), (time(18), time(21)))


def _give_a_week(volunteer: User, rng: random.Random) -> None:
    """Skills, a reach and a few weekly slots, so suggestions have something to go on."""
    volunteer.skills = ", ".join(rng.sample(DEMO_SKILLS, 2))
    volunteer.travel_km = rng.choice((2.0, 5.0, 10.0))
    for day, part in sorted(rng.sample([(d, p) for d in range(7) for p in range(3)], 3)):
        start, end = DEMO_PARTS[part]
        volunteer.slots.append(VolunteerSlot(weekday=day, start_time=start, end_time=end))


def _seed_network(db: Session) -> int:
    """The demo resident's own network: three people, one of them (the demo volunteer) joined,
    so a request of hers can go to her circle first."""
    resident = _user_by_email(db, "inwoner@demo.voorelkaar.nl")
    neighbour = _user_by_email(db, "vrijwilliger@demo.voorelkaar.nl")
    if resident is None or db.scalar(
        select(NetworkMember.id).where(NetworkMember.owner_id == resident.id).limit(1)
    ):
        return 0
    people = (
        (
            neighbour.first_name if neighbour else "Sanne",
            Relation.NEIGHBOUR,
            Closeness.CLOSE,
            "boodschappen klussen",
            neighbour,
        ),
        ("Els", Relation.FRIEND, Closeness.CLOSE, "gezelschap", None),
        ("Piet", Relation.CLUB, Closeness.FURTHER, "vervoer", None),
    )
    for first_name, relation, closeness, categories, account in people:
        db.add(
            NetworkMember(
                owner_id=resident.id,
                municipality_id=resident.municipality_id,
                first_name=first_name,
                relation=relation,
                closeness=closeness,
                categories=categories,
                member_user_id=account.id if account else None,
                joined_at=datetime.now(AMSTERDAM) if account else None,
            )
        )
    return len(people)


def _seed_carer_checkins(db: Session, today: date) -> int:
    """The demo carer is asked how they are today (from 09:00), so the job has work."""
    carer = _user_by_email(db, "mantelzorger@demo.voorelkaar.nl")
    if carer is None or db.get(CarerProfile, carer.id) is not None:
        return 0
    db.add(CarerProfile(user_id=carer.id, next_checkin_on=today))
    return 1


DEMO_ORGANISATION = "Zorgcentrum De Schiphorst"
# (title, description, hours, skills, postcode)
DEMO_VACANCIES = (
    (
        "Wandelmaatje voor bewoners",
        "Veel bewoners van De Schiphorst komen graag buiten, maar niet alleen. "
        "Loopt u een uurtje mee in het park?",
        "2 uur per week, op dinsdagmiddag",
        "wandelen, geduld",
        "7941 AA",
    ),
    (
        "Gastvrouw of gastheer bij de koffieochtend",
        "Elke donderdag drinken bewoners en buren samen koffie. "
        "U schenkt in, maakt een praatje en ruimt samen met ons op.",
        "3 uur per week, op donderdagochtend",
        "gezelschap, koffie schenken",
        "7941 AA",
    ),
)
# (email of a demo volunteer, category slug, title, description, skills, when)
DEMO_OFFERS = (
    (
        "vrijwilliger@demo.voorelkaar.nl",
        "wandelen",
        "Ik wandel graag met ouderen",
        "Ik loop elke week een rondje door Oosterboer en neem graag iemand mee. "
        "Rustig aan, met een praatje onderweg.",
        "wandelen",
        "dinsdagmiddag",
    ),
    (
        "vrijwilliger01@demo.voorelkaar.nl",
        "computerhulp",
        "Hulp bij de computer, telefoon of tablet",
        "Lukt het niet met DigiD, WhatsApp of e-mail? Ik kom langs en leg het rustig uit.",
        "computerhulp, digid",
        "'s avonds en in het weekend",
    ),
    (
        "vrijwilliger02@demo.voorelkaar.nl",
        "boodschappen",
        "Boodschappen doen met de auto",
        "Ik doe zelf twee keer per week boodschappen en neem die van u graag mee.",
        "boodschappen, auto rijden",
        "maandag en vrijdag",
    ),
)


def _published_at(db: Session, postcode: str) -> dict:
    """An open post placed in the PC4 area and wijk of postcode."""
    area = geo.locate(postcode)
    return {
        "state": RequestState.OPEN,
        "published_at": utcnow(),
        "pc4": area.pc4,
        "lat": area.lat,
        "lon": area.lon,
        "neighbourhood": neighbourhood_for(db, postcode),
    }


def _user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email))


def _seed_organisation(db: Session) -> int:
    """The demo organisation, verified, with the demo organisation account and two vacancies."""
    added = 0
    organisation = db.scalar(select(Organisation).where(Organisation.name == DEMO_ORGANISATION))
    if organisation is None:
        organisation = Organisation(
            name=DEMO_ORGANISATION,
            description="Woonzorgcentrum in Meppel met een eigen ontmoetingsruimte.",
            verified_at=utcnow(),
            phone="0522 123 400",
            postcode="7941 BK",
            house_number="12",
        )
        db.add(organisation)
        db.flush()
        added += 1
    account = _user_by_email(db, "organisatie@demo.voorelkaar.nl")
    if not any(member.user_id == account.id for member in organisation.members):
        organisation.members.append(OrganisationMember(user=account))
        added += 1
    titles = set(
        db.scalars(select(Vacancy.title).where(Vacancy.organisation_id == organisation.id))
    )
    for title, description, hours, skills, postcode in DEMO_VACANCIES:
        if title in titles:
            continue
        db.add(
            Vacancy(
                organisation=organisation,
                author=account,
                contact=account,
                title=title,
                description=description,
                hours=hours,
                skills=skills,
                **_published_at(db, postcode),
            )
        )
        added += 1
    return added


def _seed_offers(db: Session) -> int:
    """Three open offers by demo volunteers, placed in their own PC4 areas."""
    added = 0
    for email, category_slug, title, description, skills, when in DEMO_OFFERS:
        author = _user_by_email(db, email)
        exists = db.scalar(
            select(Offer.id).where(Offer.author_id == author.id, Offer.title == title)
        )
        if exists is not None:
            continue
        db.add(
            Offer(
                author=author,
                category=db.scalar(select(Category).where(Category.slug == category_slug)),
                title=title,
                description=description,
                skills=skills,
                when_text=when,
                **_published_at(db, author.postcode),
            )
        )
        added += 1
    return added

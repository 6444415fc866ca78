"""Twenty demo help requests on real Meppel postcodes, in every state people meet first."""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import Category, HelpRequest, PostedFor, RequestState, ScheduleKind, User
from voorelkaar.moderation.services import publish_post
from voorelkaar.places.services import neighbourhood_for

# (category, title, description, skills, weekly?)
REQUESTS = (
    (
        "boodschappen",
        "Boodschappen bij de Jumbo",
        "Ik loop slecht. Wie haalt op dinsdag mijn boodschappen?",
        "boodschappen",
        False,
    ),
    (
        "wandelen",
        "Wandelen in het Wilhelminapark",
        "Mijn man heeft dementie en wandelt graag. Wie loopt een uurtje mee?",
        "wandelen, geduld",
        True,
    ),
    (
        "vervoer",
        "Rit naar het ziekenhuis in Zwolle",
        "Ik moet naar de oogarts en kan zelf niet rijden.",
        "auto rijden",
        False,
    ),
    (
        "klussen",
        "Lamp ophangen in de gang",
        "Ik heb een nieuwe lamp, maar kan niet op een trap staan.",
        "klussen, boren",
        False,
    ),
    (
        "tuin",
        "Heg knippen",
        "De heg is te hoog geworden. Wie helpt een middag?",
        "tuinieren",
        False,
    ),
    (
        "gezelschap",
        "Kopje koffie en een praatje",
        "Sinds mijn vrouw is overleden ben ik veel alleen.",
        "gezelschap",
        True,
    ),
    (
        "computerhulp",
        "Hulp met de tablet",
        "Ik wil met mijn kleinkinderen beeldbellen.",
        "computer, tablet",
        False,
    ),
    (
        "thuisadministratie",
        "Post en rekeningen op orde",
        "Ik kom niet uit de brieven van de belasting.",
        "administratie",
        True,
    ),
    (
        "boodschappen",
        "Apotheek ophalen",
        "Mijn medicijnen liggen klaar bij de apotheek in het centrum.",
        "boodschappen, fietsen",
        False,
    ),
    (
        "wandelen",
        "Samen de hond uitlaten",
        "Mijn knie is geopereerd. Wie laat de hond uit?",
        "honden, wandelen",
        True,
    ),
    (
        "vervoer",
        "Naar de markt op zaterdag",
        "Ik wil graag naar de markt, maar de bus is lastig.",
        "auto rijden",
        False,
    ),
    (
        "klussen",
        "Kast in elkaar zetten",
        "Een nieuwe kast van de bouwmarkt, nog in de doos.",
        "klussen",
        False,
    ),
    ("gezelschap", "Voorlezen", "Ik zie slecht en mis het lezen van de krant.", "voorlezen", True),
    ("tuin", "Bladeren harken", "Er liggen veel bladeren in de tuin.", "tuinieren", False),
    (
        "computerhulp",
        "DigiD aanvragen",
        "Ik heb hulp nodig om DigiD aan te vragen.",
        "computer",
        False,
    ),
    (
        "boodschappen",
        "Weekboodschappen",
        "Elke week boodschappen voor twee personen.",
        "boodschappen",
        True,
    ),
    (
        "anders",
        "Gordijnen ophangen",
        "De gordijnen zijn gewassen en moeten terug.",
        "klussen",
        False,
    ),
    ("wandelen", "Rondje door Nijeveen", "Ik wil weer wat vaker buiten komen.", "wandelen", True),
    (
        "gezelschap",
        "Spelletje sjoelen",
        "Wie komt er eens per week sjoelen?",
        "gezelschap, spelletjes",
        True,
    ),
    (
        "vervoer",
        "Naar de kapper",
        "De kapper is aan de andere kant van Meppel.",
        "auto rijden",
        False,
    ),
)
PC4S = ("7941", "7942", "7943", "7944", "7948")
# Streets of Meppel, for demo addresses (not matched to the postcodes: it is a demo).
DEMO_STREETS = (
    "Kerkstraat",
    "Hoofdstraat",
    "Prinsengracht",
    "Woldstraat",
    "Zuideinde",
    "Groenmarkt",
    "Wilhelminapark",
    "Stationsweg",
    "Noordersingel",
    "Steenwijkerstraatweg",
)


def demo_street(number: int) -> str:
    """A street for the number-th demo address; the same every run."""
    return DEMO_STREETS[number % len(DEMO_STREETS)]


def seed_requests(db: Session, authors: list[User], today: date) -> int:
    """Add the demo requests once; a second run adds nothing."""
    author_ids = [author.id for author in authors]
    if db.scalar(select(func.count(HelpRequest.id)).where(HelpRequest.author_id.in_(author_ids))):
        return 0
    rng = random.Random(7942)  # noqa: S311 - not for security
    categories = {c.slug: c for c in db.scalars(select(Category))}
    for number, (slug, title, text, skills, weekly) in enumerate(REQUESTS):
        author = authors[number % len(authors)]
        postcode = f"{rng.choice(PC4S)} {rng.choice('ABCDEG')}{rng.choice('ABCDEGHJK')}"
        area = geo.locate(postcode)
        day = today + timedelta(days=2 + number % 12)
        start = time(9 + number % 8)
        item = HelpRequest(
            author=author,
            category=categories[slug],
            title=title,
            description=text,
            skills=skills,
            postcode=postcode,
            house_number=str(rng.randint(1, 80)),
            street=demo_street(number),
            pc4=area.pc4,
            lat=area.lat,
            lon=area.lon,
            neighbourhood=neighbourhood_for(db, postcode),
            posted_for=PostedFor.CARED_FOR if "dementie" in text else PostedFor.SELF,
            for_first_name="Gerrit" if "dementie" in text else None,
            vulnerable="dementie" in text,
            requires_vog="dementie" in text,
        )
        if weekly:
            item.schedule = ScheduleKind.WEEKLY
            item.weekday, item.start_time = day.weekday(), start
            item.end_time = time(start.hour + 1, 30)
            item.until = today + timedelta(days=120)
        else:
            begin = datetime.combine(day, start, AMSTERDAM)
            item.starts_at = begin.astimezone(UTC)
            item.ends_at = (begin + timedelta(hours=2)).astimezone(UTC)
        # Most are open; a few wait for review so the coordinator has work.
        if number % 7 == 6:
            item.state = RequestState.PENDING
        else:
            publish_post(item)
            # Some have been online a while, so the scheduler's follow-ups show at once.
            item.published_at -= timedelta(days=(0, 0, 3, 8, 15)[number % 5])
        db.add(item)
    return len(REQUESTS)

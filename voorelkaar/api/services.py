"""What the API reads: figures per wijk and open requests with a coarse place only."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.figures import rollups, tables
from voorelkaar.figures import services as figures
from voorelkaar.help_requests.services import publicly_visible
from voorelkaar.models import HelpRequest, Neighbourhood, User
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.tenancy import scoped, served, served_ids, serves


def masked(count) -> int | str:
    """A count as shown outside: 1 to 4 become "< 5", as on the figures page."""
    count = int(count or 0)
    return tables.SMALL if tables.is_small(count) else count


def figures_by_wijk(db: Session, viewer: User, first: date, last: date) -> dict:
    """Requests posted and matched per wijk, for whole months first..last (from the rollups),
    of the municipalities viewer (the token's user) works for; with more than one, also
    per municipality."""
    served = served_ids(db, viewer)
    filters = figures.Filters(first, last, by=figures.BY_WIJK, municipality_ids=served)
    result = rollups.requests_matched(db, filters)
    names = figures.group_labels(db, figures.BY_WIJK, served)
    rows = [
        {
            "wijk": names.get(key) if key is not None else None,
            "posted": masked(numbers.get("posted")),
            "matched": masked(numbers.get("matched")),
        }
        for key, numbers in result.groups.items()
    ]
    rows.sort(key=lambda row: (row["wijk"] is None, row["wijk"] or ""))
    answer = {
        "from": f"{first.year:04d}-{first.month:02d}",
        "to": f"{last.year:04d}-{last.month:02d}",
        "wijken": rows,
        "total": {
            "posted": masked(result.total.get("posted")),
            "matched": masked(result.total.get("matched")),
        },
    }
    if len(served) > 1:
        per_town = rollups.requests_matched(
            db, figures.Filters(first, last, by=figures.BY_MUNICIPALITY, municipality_ids=served)
        )
        towns = figures.group_labels(db, figures.BY_MUNICIPALITY, served)
        answer["gemeenten"] = sorted(
            (
                {
                    "gemeente": towns.get(key),
                    "posted": masked(numbers.get("posted")),
                    "matched": masked(numbers.get("matched")),
                }
                for key, numbers in per_town.groups.items()
                if key in towns
            ),
            key=lambda row: row["gemeente"],
        )
    return answer


def find_wijk(db: Session, viewer: User, text: str) -> Neighbourhood | None:
    """A wijk of viewer's municipalities by id, or by name or slug (case does not matter)."""
    text = text.strip()
    if not text.isprintable():  # no name holds a control character (PostgreSQL refuses NUL)
        return None
    query = scoped(db, select(Neighbourhood), Neighbourhood.municipality_id, viewer)
    if text.isdecimal() and len(text) < 10:
        found = db.scalar(query.where(Neighbourhood.id == int(text)))
        if found is not None:
            return found
    lowered = text.lower()
    return db.scalars(
        query.where(
            (func.lower(Neighbourhood.name) == lowered) | (Neighbourhood.slug == lowered)
        ).order_by(Neighbourhood.id)
    ).first()


def open_requests(
    db: Session, viewer: User, wijk: Neighbourhood | None, limit: int
) -> list[HelpRequest]:
    """Open, visible requests of viewer's municipalities, newest first, in wijk when given."""
    query = scoped(db, publicly_visible(), HelpRequest.municipality_id, viewer)
    if wijk is not None:
        query = query.where(HelpRequest.neighbourhood_id == wijk.id)
    query = query.order_by(HelpRequest.published_at.desc(), HelpRequest.id.desc()).limit(limit)
    return list(db.scalars(query).unique())


def refused_municipality(db: Session, viewer: User, postcode: str) -> str | None:
    """Why viewer may not post or refer for this postcode, or None when they may.

    A referral or request belongs to the municipality of the resident's address; one may
    only act for a municipality one works for. An address outside every municipality's
    wijken belongs to none, so it is not refused here (the site asks about it as usual).
    """
    try:
        wijk = neighbourhood_for(db, geo.normalise_postcode(postcode or ""))
    except geo.MalformedPostcode:  # the form said so already
        return None
    if wijk is None or serves(db, viewer, wijk.municipality_id):
        return None
    names = ", ".join(town.name for town in served(db, viewer)) or "geen enkele gemeente"
    return (
        f"Deze postcode ligt in de gemeente {wijk.municipality.name}. U werkt voor {names}, "
        "dus u kunt hier niet voor deze gemeente verwijzen of hulp vragen."
    )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def coarse(item: HelpRequest, locale: str = "nl") -> dict:
    """A request as others may see it: no address, no name, no description."""
    return {
        "id": item.id,
        "title": item.title,
        "category": {"slug": item.category.slug, "name": item.category.name(locale)},
        "wijk": (
            {"id": item.neighbourhood.id, "name": item.neighbourhood.name}
            if item.neighbourhood is not None
            else None
        ),
        "pc4": item.pc4,
        "when": {
            "schedule": item.schedule.value,
            "starts_at": _iso(item.starts_at),
            "ends_at": _iso(item.ends_at),
            "weekday": item.weekday,
            "start_time": item.start_time.strftime("%H:%M") if item.start_time else None,
            "end_time": item.end_time.strftime("%H:%M") if item.end_time else None,
            "until": _iso(item.until),
        },
        "volunteers_needed": item.volunteers_needed,
        "published_at": _iso(item.published_at),
    }

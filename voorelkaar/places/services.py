"""Finding the neighbourhood of a postcode."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.models import Municipality, Neighbourhood, NeighbourhoodArea
from voorelkaar.tenancy import current_municipality


def outside_municipality(db: Session, pc4: str) -> Municipality | None:
    """The municipality the visitor sees, when the PC4 area lies outside it; else None.

    A municipality's area is the PC4 areas of its wijken (neighbourhood_areas), which staff
    keep up to date. A PC4 split by PC6 ranges counts as inside as a whole: a range only
    says which wijk. Without any wijk the site cannot tell, so nothing is outside.
    """
    municipality = current_municipality(db)
    if municipality is None:
        return None
    pc4s = set(
        db.scalars(
            select(NeighbourhoodArea.pc4)
            .join(Neighbourhood)
            .where(Neighbourhood.municipality_id == municipality.id)
        )
    )
    return municipality if pc4s and pc4 not in pc4s else None


def neighbourhood_for(db: Session, postcode: str) -> Neighbourhood | None:
    """The wijk a normalised postcode ("7941 AB") lies in; a PC6 range wins over its PC4."""
    pc6 = postcode.replace(" ", "").upper()
    areas = db.scalars(select(NeighbourhoodArea).where(NeighbourhoodArea.pc4 == pc6[:4])).all()
    for area in areas:
        if area.pc6_from and area.pc6_to and area.pc6_from <= pc6 <= area.pc6_to:
            return area.neighbourhood
    for area in areas:
        if not area.pc6_from:
            return area.neighbourhood
    return None

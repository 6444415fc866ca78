"""Finding the neighbourhood of a postcode."""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.models import Municipality, Neighbourhood, NeighbourhoodArea


def current_municipality(db: Session) -> Municipality | None:
    """The municipality this site serves (one per installation for now)."""
    name = current_app.config["MUNICIPALITY"]
    return db.scalar(select(Municipality).where(Municipality.name == name)) or db.scalar(
        select(Municipality).order_by(Municipality.id)
    )


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

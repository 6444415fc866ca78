"""The municipality as tenant: who belongs where, which one a visitor sees, what staff may see.

- A person belongs to the municipality of their postcode (the wijk it lies in); someone
  whose postcode lies in no municipality's wijken belongs to the site they signed up on.
- A request, offer, vacancy, referral or staff task belongs to the municipality of its
  person: the asker's municipality's staff handle a match, also when the volunteer lives
  across the border. `assign_municipalities` fills this in at flush, so no row is written
  without one.
- A visitor sees the municipality of the host name (`Municipality.host`), else the one
  they chose (remembered in their session), else their own, else the installation's
  default (`MUNICIPALITY` in the configuration).
- Staff, consultants and admins see the municipalities they work for
  (`MunicipalityStaff`; their own when there is no row). Every back-office query goes
  through `scoped`, and every page of one object through `serves`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, event, select
from sqlalchemy.orm import Session

from voorelkaar.models import (
    HelpRequest,
    Municipality,
    MunicipalityStaff,
    Neighbourhood,
    Offer,
    PostedFor,
    Referral,
    StaffTask,
    User,
    Vacancy,
)

CHOICE_KEY = "gemeente"  # the session key of a visitor's chosen municipality (its slug)


def init_app(app: Flask) -> None:
    """Templates see the visitor's municipality as `municipality`."""

    @app.context_processor
    def _municipality() -> dict[str, Any]:
        # Only a request has a visitor. A mail or letter rendered by a service or the
        # scheduler is handed its municipality (notify.enqueue_email); asking the request
        # session here would take a second connection beside the service's own.
        if not has_request_context():
            return {"municipality": None}
        from voorelkaar.db import get_session

        return {"municipality": current_municipality(get_session())}


def default_municipality(db: Session) -> Municipality | None:
    """The installation's own municipality (`MUNICIPALITY`), else the first there is."""
    name = current_app.config["MUNICIPALITY"] if has_app_context() else None
    own = db.scalar(select(Municipality).where(Municipality.name == name)) if name else None
    return own or db.scalar(select(Municipality).order_by(Municipality.id))


def by_host(db: Session, host: str) -> Municipality | None:
    """The municipality configured for a host name (without port), if any."""
    name = host.split(":", 1)[0].strip().lower().rstrip(".")
    if not name:
        return None
    return db.scalar(select(Municipality).where(Municipality.host == name))


def current_municipality(db: Session) -> Municipality | None:
    """The municipality the visitor of this request sees (outside a request: the default)."""
    if not has_request_context():
        return default_municipality(db)
    if "municipality_id" in g:
        return db.get(Municipality, g.municipality_id) if g.municipality_id else None
    municipality = by_host(db, request.host) or _chosen(db) or _own(db) or default_municipality(db)
    g.municipality_id = municipality.id if municipality else None
    return municipality


def host_decides(db: Session) -> bool:
    """Whether this request's host name shows one municipality (so there is nothing to choose)."""
    return has_request_context() and by_host(db, request.host) is not None


def choose(db: Session, slug: str) -> Municipality | None:
    """Remember the visitor's choice of municipality; None for a slug that is not one."""
    municipality = db.scalar(select(Municipality).where(Municipality.slug == slug))
    if municipality is not None:
        session[CHOICE_KEY] = municipality.slug
        g.pop("municipality_id", None)
    return municipality


def _chosen(db: Session) -> Municipality | None:
    slug = session.get(CHOICE_KEY)
    if not slug:
        return None
    return db.scalar(select(Municipality).where(Municipality.slug == slug))


def _own(db: Session) -> Municipality | None:
    user = current_user
    if not getattr(user, "is_authenticated", False) or user.municipality_id is None:
        return None
    return db.get(Municipality, user.municipality_id)


def municipality_of_postcode(db: Session, neighbourhood: Neighbourhood | None) -> int | None:
    """The municipality a person or post at this wijk belongs to; else the visitor's."""
    if neighbourhood is not None:
        return neighbourhood.municipality_id
    municipality = current_municipality(db)
    return municipality.id if municipality else None


def served_ids(db: Session, viewer: User) -> frozenset[int]:
    """The municipalities a staff member, consultant or admin works for."""
    ids = frozenset(
        db.scalars(
            select(MunicipalityStaff.municipality_id).where(MunicipalityStaff.user_id == viewer.id)
        )
    )
    if ids:
        return ids
    return frozenset({viewer.municipality_id}) if viewer.municipality_id else frozenset()


def served(db: Session, viewer: User) -> list[Municipality]:
    ids = served_ids(db, viewer)
    return list(
        db.scalars(select(Municipality).where(Municipality.id.in_(ids)).order_by(Municipality.name))
    )


def scoped(db: Session, query: Select[Any], column: Any, viewer: User) -> Select[Any]:
    """query, cut to the rows of the municipalities viewer works for (column names the row's)."""
    return query.where(in_scope(db, column, viewer))


def in_scope(db: Session, column: Any, viewer: User) -> ColumnElement[bool]:
    """The condition `scoped` adds, for queries that need it inside a join or an OR."""
    return column.in_(served_ids(db, viewer))


def serves(db: Session, viewer: User, municipality_id: int | None) -> bool:
    """Whether viewer works for the municipality of one object (a page of one person, say)."""
    return municipality_id is not None and municipality_id in served_ids(db, viewer)


def set_served(db: Session, user: User, municipality_ids: Iterable[int]) -> None:
    """Say which municipalities a back-office account works for (the caller commits)."""
    wanted = set(municipality_ids)
    rows = db.scalars(select(MunicipalityStaff).where(MunicipalityStaff.user_id == user.id)).all()
    for row in rows:
        if row.municipality_id not in wanted:
            db.delete(row)
    have = {row.municipality_id for row in rows}
    for municipality_id in wanted - have:
        db.add(MunicipalityStaff(user_id=user.id, municipality_id=municipality_id))


# Whose municipality a new row takes: the first of these that has one.
_OWNERS: dict[type, tuple[str, ...]] = {
    HelpRequest: ("author",),
    Offer: ("author",),
    Vacancy: ("author",),
    StaffTask: ("person", "request"),
    Referral: ("consultant",),
}


# The kind of row an owner named above is, where it is not a person.
_OWNER_TYPES: dict[str, type] = {"request": HelpRequest}


@event.listens_for(Session, "before_flush")
def assign_municipalities(db: Session, _context: Any, _instances: Any) -> None:
    """Give every new person and row its municipality, and move a person who moved."""
    with db.no_autoflush:
        for obj in list(db.new) + list(db.dirty):
            if isinstance(obj, User):
                _place_user(db, obj)
            elif type(obj) in _OWNERS and obj in db.new and obj.municipality_id is None:
                obj.municipality_id = _owner_municipality(db, obj)


def _resident_municipality(db: Session, obj: Any) -> int | None:
    """A referral, and a request posted for someone else, belong to the municipality of the
    resident's address (when it lies in a wijk), not to that of the one who typed it."""
    if isinstance(obj, Referral) and obj.postcode:
        from voorelkaar.places.services import neighbourhood_for

        wijk = neighbourhood_for(db, obj.postcode)
        return wijk.municipality_id if wijk is not None else None
    if isinstance(obj, HelpRequest) and obj.posted_for not in (None, PostedFor.SELF):
        wijk = obj.neighbourhood
        if wijk is None and obj.neighbourhood_id is not None:
            wijk = db.get(Neighbourhood, obj.neighbourhood_id)
        return wijk.municipality_id if wijk is not None else None
    return None


def _place_user(db: Session, user: User) -> None:
    if user.neighbourhood is not None:
        user.municipality_id = user.neighbourhood.municipality_id
    elif user.municipality_id is None and user.anonymised_at is None:
        user.municipality_id = municipality_of_postcode(db, None)


def _owner_municipality(db: Session, obj: Any) -> int | None:
    resident = _resident_municipality(db, obj)
    if resident is not None:
        return resident
    for name in _OWNERS[type(obj)]:
        owner = getattr(obj, name, None)
        if owner is None and getattr(obj, f"{name}_id", None) is not None:
            # Made with the number only (consultant_id=...): the relationship is not loaded yet.
            owner = db.get(_OWNER_TYPES.get(name, User), getattr(obj, f"{name}_id"))
        if owner is not None and owner.municipality_id is not None:
            return owner.municipality_id
        if owner is not None and isinstance(owner, User):
            _place_user(db, owner)
            if owner.municipality_id is not None:
                return owner.municipality_id
    if getattr(obj, "neighbourhood", None) is not None:
        return obj.neighbourhood.municipality_id
    return municipality_of_postcode(db, None)

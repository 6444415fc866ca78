"""What every kind of post shares: who sees it, review after a change, and browsing.

Help requests, offers and vacancies all have an author, a state, a title, a
description, skills, a neighbourhood_id, the lat/lon of their PC4 area and a
published_at.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import request
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.auth.access import is_staff
from voorelkaar.models import Category, Neighbourhood, RequestState, User
from voorelkaar.moderation.services import record, submit_post

PAGE_SIZE = 20


def post_for(db: Session, model: type, visible: Select, post_id: int, may_manage: Callable):
    """The post if may_manage(post) or it is in visible, else None (shown as 404)."""
    post = db.get(model, post_id)
    if post is None:
        return None
    if may_manage(post):
        return post
    return db.scalar(visible.where(model.id == post_id))


def submit_new(db: Session, author: User, post) -> None:
    """Store a new post and send it for review (or publish it without moderation)."""
    db.add(post)
    db.flush()
    submit_post(db, post, author)
    db.commit()


def review_change(db: Session, actor: User, post) -> None:
    """After a change: staff's is logged; an author's change of a public or refused post is reviewed again."""
    if is_staff(actor):
        record(db, actor, f"{type(post).__tablename__}.edited", post)
    elif post.state in (RequestState.OPEN, RequestState.REJECTED):
        submit_post(db, post, actor)


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    wijk: int | None = None
    near_lat: float | None = None
    near_lon: float | None = None
    within_km: float | None = None
    on_or_after: date | None = None  # only help requests have a date
    text: str | None = None


@dataclass(frozen=True)
class Listed:
    post: Any
    distance_km: float | None

    @property
    def request(self):
        """The name the help request templates use for the post."""
        return self.post


@dataclass(frozen=True)
class Page:
    items: list[Listed]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def browse_posts(db: Session, query: Select, filters: Filters, page: int = 1) -> Page:
    """The posts of query that match filters: nearest first when a place is known, else newest."""
    model = query.column_descriptions[0]["entity"]
    if filters.category:
        query = query.join(model.category).where(Category.slug == filters.category)
    if filters.wijk:
        query = query.where(model.neighbourhood_id == filters.wijk)
    if filters.text:
        pattern = f"%{escape_like(filters.text.lower())}%"
        query = query.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (model.title, model.description, model.skills)
                )
            )
        )
    near = filters.near_lat is not None and filters.near_lon is not None
    if near and filters.within_km:
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(
            filters.near_lat, filters.near_lon, filters.within_km
        )
        query = query.where(model.lat.between(min_lat, max_lat))
        query = query.where(model.lon.between(min_lon, max_lon))
    rows = db.scalars(query.order_by(model.published_at.desc(), model.id.desc())).all()
    listed = [
        Listed(
            post,
            geo.distance_km(filters.near_lat, filters.near_lon, post.lat, post.lon)
            if near
            else None,
        )
        for post in rows
    ]
    if near:
        if filters.within_km:
            listed = [item for item in listed if item.distance_km <= filters.within_km]
        listed.sort(key=lambda item: (round(item.distance_km, 1), -item.post.id))
    page = max(1, page)
    start = (page - 1) * PAGE_SIZE
    return Page(listed[start : start + PAGE_SIZE], page, len(listed))


def escape_like(text: str) -> str:
    """Text to search for literally in a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def wijken(db: Session) -> list[Neighbourhood]:
    """Every neighbourhood, by name, for the wijk filter."""
    return list(db.scalars(select(Neighbourhood).order_by(Neighbourhood.name)))


def filters_from(form, viewer) -> Filters:
    """The filters a valid browse form asks for; distances count from the viewer's area.

    Anonymous visitors may type a postcode instead. Forms without a category
    or a date field simply leave those filters out.
    """
    near = getattr(form, "area", None)
    if near is None and viewer.is_authenticated:
        near = viewer
    category, since = getattr(form, "categorie", None), getattr(form, "vanaf", None)
    return Filters(
        category=(category.data or None) if category else None,
        wijk=int(form.wijk.data) if form.wijk.data else None,
        near_lat=near.lat if near else None,
        near_lon=near.lon if near else None,
        within_km=float(form.afstand.data) if form.afstand.data else None,
        on_or_after=since.data if since else None,
        text=form.q.data or None,
    )


def results_for(form, viewer, browse: Callable[[Filters, int], Page]) -> Page | None:
    """The page of posts the browse form asks for, or None while its input is wrong."""
    if not form.validate():
        return None
    return browse(filters_from(form, viewer), request.args.get("pagina", 1, type=int) or 1)

"""What every kind of post shares: who sees it, review after a change, and browsing.

Help requests, offers and vacancies all have an author, a state, a title, a
description, skills, a neighbourhood_id, the lat/lon of their PC4 area and a
published_at.
"""

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Any

from flask import request
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.audit import record
from voorelkaar.auth.access import staff_of
from voorelkaar.models import Category, Neighbourhood, RequestState, User
from voorelkaar.moderation.services import submit_post

PAGE_SIZE = 20

Place = tuple[float, float]  # lat, lon


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
    if staff_of(actor, post.municipality_id):
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
    """The posts of query that match filters: nearest first when a place is known, else newest.

    Only the page's posts are read; the database counts and orders the rest.
    """
    model = query.column_descriptions[0]["entity"]
    query = _matching(query, model, filters)
    page = max(1, page)
    if filters.near_lat is None or filters.near_lon is None:
        return _newest_first(db, query, model, page)
    return _nearest_first(db, query, model, filters, page)


def _newest_first(db: Session, query: Select, model: type, page: int) -> Page:
    """A page of posts, the most recently published first."""
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    start = (page - 1) * PAGE_SIZE
    if start >= total:
        # Past the last page, which ?pagina= may ask for with any number: an offset
        # that large would not even fit the database's integers.
        return Page([], page, total)
    newest = query.order_by(model.published_at.desc(), model.id.desc())
    posts = db.scalars(newest.limit(PAGE_SIZE).offset(start)).all()
    return Page([Listed(post, None) for post in posts], page, total)


def _matching(query: Select, model: type, filters: Filters) -> Select:
    """query narrowed to the category, wijk and text of filters."""
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
    return query


def _nearest_first(db: Session, query: Select, model: type, filters: Filters, page: int) -> Page:
    """A page of posts by distance rounded to 0.1 km, then by id, the newest first.

    A post sits on the centre of its PC4 area, so posts share a few thousand places at
    most. The database counts the posts per place; geo.distance_km measures each place
    once and sorts the places into rings of 0.1 km, exactly as it would sort the posts.
    The database then pages through only the rings this page reaches. (Were posts ever
    placed more finely, the list would stay the same, only with a row read per post.)
    """
    near_lat, near_lon = filters.near_lat, filters.near_lon
    if filters.within_km:
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(near_lat, near_lon, filters.within_km)
        query = query.where(model.lat.between(min_lat, max_lat))
        query = query.where(model.lon.between(min_lon, max_lon))
    rings, posts_in = _rings(db, query, model, filters)
    ends = list(accumulate(posts_in))  # how many posts up to the end of each ring
    total = ends[-1] if ends else 0
    start = (page - 1) * PAGE_SIZE
    if start >= total:
        return Page([], page, total)  # past the last page, as in _newest_first
    first, last = bisect_right(ends, start), bisect_left(ends, start + PAGE_SIZE)
    before = ends[first - 1] if first else 0
    ids = _ids_by_ring(db, query, model, rings[first : last + 1], start - before)
    posts = {post.id: post for post in db.scalars(query.where(model.id.in_(ids)))} if ids else {}
    # A post matched, hidden or blocked since its id was read is no longer in posts:
    # it is left out, as it would be from the next page read.
    return Page(
        [
            Listed(post, geo.distance_km(near_lat, near_lon, post.lat, post.lon))
            for post in (posts[id_] for id_ in ids if id_ in posts)
        ],
        page,
        total,
    )


def _rings(
    db: Session, query: Select, model: type, filters: Filters
) -> tuple[list[list[Place]], list[int]]:
    """The places of query's posts in rings of 0.1 km, nearest first, and the posts in each."""
    per_place = query.with_only_columns(model.lat, model.lon, func.count()).order_by(None)
    places: dict[float, list[Place]] = defaultdict(list)
    posts: Counter[float] = Counter()
    for lat, lon, count in db.execute(per_place.group_by(model.lat, model.lon)):
        km = geo.distance_km(filters.near_lat, filters.near_lon, lat, lon)
        if filters.within_km and km > filters.within_km:
            continue
        ring = round(km, 1)
        places[ring].append((lat, lon))
        posts[ring] += count
    nearest_first = sorted(places)
    return [places[ring] for ring in nearest_first], [posts[ring] for ring in nearest_first]


def _ids_by_ring(
    db: Session, query: Select, model: type, rings: list[list[Place]], skip: int
) -> list[int]:
    """A page of ids of query's posts in rings, ring by ring, the highest id first in each."""
    if not rings:
        return []

    def at(places: list[Place]) -> ColumnElement[bool]:
        # Not (lat, lon) IN (...): SQLite would not look that up in the index on lat, lon.
        return or_(*(and_(model.lat == lat, model.lon == lon) for lat, lon in places))

    ids = (
        query.with_only_columns(model.id)
        .where(at([place for ring in rings for place in ring]))
        .order_by(case(*((at(ring), n) for n, ring in enumerate(rings))), model.id.desc())
    )
    return list(db.scalars(ids.offset(skip).limit(PAGE_SIZE)))


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

"""Admin steps; each is written to the audit trail."""

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.models import Category, Municipality, Role, User, UserRole
from voorelkaar.tenancy import served_ids, set_served


class AdminError(Exception):
    pass


def slugify(name: str) -> str:
    """ "Thuis-administratie & post" -> "thuis-administratie-post"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:50]


def all_categories(db: Session) -> list[Category]:
    return list(db.scalars(select(Category).order_by(Category.position, Category.id)))


def category_name_taken(db: Session, name_nl: str, except_id: int | None = None) -> bool:
    query = select(Category.id).where(
        (func.lower(Category.name_nl) == name_nl.lower()) | (Category.slug == slugify(name_nl))
    )
    if except_id is not None:
        query = query.where(Category.id != except_id)
    return db.scalar(query) is not None


def add_category(db: Session, actor: User, name_nl: str, name_en: str) -> Category:
    """A new kind of help; it is listed after the others."""
    if category_name_taken(db, name_nl) or not slugify(name_nl):
        raise AdminError("name taken")
    position = (db.scalar(select(func.max(Category.position))) or 0) + 1
    category = Category(slug=slugify(name_nl), name_nl=name_nl, name_en=name_en, position=position)
    db.add(category)
    db.flush()
    record(db, actor, "categories.added", category)
    db.commit()
    return category


def update_category(
    db: Session, actor: User, category: Category, name_nl: str, name_en: str, active: bool
) -> None:
    """Rename a category or take it out of use (old posts keep it; the slug stays)."""
    if category_name_taken(db, name_nl, except_id=category.id):
        raise AdminError("name taken")
    category.name_nl, category.name_en, category.active = name_nl, name_en, active
    record(db, actor, "categories.changed", category)
    db.commit()


def set_moderation(db: Session, actor: User, municipality: Municipality, on: bool) -> None:
    """Whether new posts wait for review in this municipality."""
    if municipality.moderation != on:
        municipality.moderation = on
        record(
            db,
            actor,
            "municipalities.moderation_on" if on else "municipalities.moderation_off",
            municipality,
        )
    db.commit()


def set_municipalities(db: Session, actor: User, user: User, chosen: set[int]) -> None:
    """Say which of actor's municipalities a back-office account works for; those actor
    does not serve stay as they are. Written to the audit trail when it changes."""
    mine = served_ids(db, actor)
    before = served_ids(db, user)
    after = (before - mine) | (chosen & mine)
    if after == before:
        return
    set_served(db, user, after)
    names = db.scalars(
        select(Municipality.name).where(Municipality.id.in_(after)).order_by(Municipality.name)
    )
    record(db, actor, "users.municipalities_changed", user, ", ".join(names) or "eigen gemeente")
    db.commit()


def set_roles(db: Session, actor: User, user: User, roles: set[Role]) -> None:
    """Give user exactly these roles. Admins cannot take their own admin role away."""
    if user.id == actor.id and Role.ADMIN not in roles:
        raise AdminError("cannot drop own admin role")
    current = {Role(r.role): r for r in user.roles}
    for role in current.keys() - roles:
        user.roles.remove(current[role])
    for role in roles - current.keys():
        user.roles.append(UserRole(role=role))
    record(db, actor, "users.roles_changed", user, ", ".join(sorted(r.value for r in roles)))
    db.commit()

"""A municipality's own settings: its face, logo, wijken and the categories it offers.

Every change is recorded in the audit trail. Callers pass a municipality the admin
serves (the views check that with voorelkaar.tenancy).
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.admin.services import slugify
from voorelkaar.audit import record
from voorelkaar.forms import clean_text
from voorelkaar.models import (
    Category,
    Municipality,
    MunicipalityCategory,
    Neighbourhood,
    NeighbourhoodArea,
    Upload,
    User,
)
from voorelkaar.municipalities.logos import LogoRefused, check_filename, check_logo, check_size
from voorelkaar.tenancy import current_municipality

__all__ = ["LogoRefused"]

SETTINGS_FIELDS = (
    "site_name",
    "host",
    "org_name",
    "org_phone",
    "org_email",
    "org_address",
    "org_hours",
    "controller_name",
    "privacy_contact",
    "moderation",
)
PC4 = re.compile(r"^\d{4}$")
PC6 = re.compile(r"^\d{4}[A-Z]{2}$")
CSV_COLUMNS = ("wijk", "pc4", "pc6_van", "pc6_tot")
NAME_LENGTH = 100  # neighbourhoods.name


# --- the face ------------------------------------------------------------------------------


def update_settings(db: Session, actor: User, municipality: Municipality, values: dict) -> bool:
    """Save the face and moderation; audited with the names of the fields that changed."""
    changed = [
        name
        for name in SETTINGS_FIELDS
        if name in values and getattr(municipality, name) != values[name]
    ]
    for name in changed:
        setattr(municipality, name, values[name])
    if changed:
        record(db, actor, "municipalities.settings_changed", municipality, ", ".join(changed))
    db.commit()
    return bool(changed)


def host_taken(db: Session, municipality: Municipality, host: str) -> bool:
    """Whether another municipality already shows on this host name."""
    return (
        db.scalar(
            select(Municipality.id).where(
                Municipality.host == host, Municipality.id != municipality.id
            )
        )
        is not None
    )


# --- the logo -------------------------------------------------------------------------------


def set_logo(
    db: Session, actor: User, municipality: Municipality, filename: str, stream, limit: int
) -> Upload:
    """Check and keep a new logo under a random name; the old one goes. LogoRefused says why not."""
    check_filename(filename)
    stream.seek(0, 2)
    check_size(stream.tell(), limit)  # before reading a file that is far too big
    stream.seek(0)
    data = stream.read()
    content_type = check_logo(filename, data, limit)
    upload = Upload(
        name=secrets.token_urlsafe(24), content_type=content_type, content=data, size=len(data)
    )
    db.add(upload)
    _drop_upload(db, municipality.logo_file)
    municipality.logo_file, municipality.logo_type = upload.name, content_type
    record(db, actor, "municipalities.logo_changed", municipality)
    db.commit()
    return upload


def remove_logo(db: Session, actor: User, municipality: Municipality) -> None:
    if municipality.logo_file is None:
        return
    _drop_upload(db, municipality.logo_file)
    municipality.logo_file = municipality.logo_type = None
    record(db, actor, "municipalities.logo_removed", municipality)
    db.commit()


def logo_of(db: Session, slug: str) -> tuple[Municipality, Upload] | None:
    """A municipality's logo and its bytes, or None when it has none."""
    municipality = db.scalar(select(Municipality).where(Municipality.slug == slug))
    if municipality is None or not municipality.logo_file:
        return None
    upload = db.scalar(select(Upload).where(Upload.name == municipality.logo_file))
    return (municipality, upload) if upload is not None else None


def _drop_upload(db: Session, name: str | None) -> None:
    if name:
        db.execute(delete(Upload).where(Upload.name == name))


# --- wijken ---------------------------------------------------------------------------------


@dataclass
class AreaRow:
    """One area of a wijk as typed or read: a whole PC4, or a PC6 range inside it."""

    pc4: str
    pc6_from: str | None = None
    pc6_to: str | None = None
    line: int | None = None  # its line in a CSV file


@dataclass
class WijkChange:
    added: int = 0
    changed: int = 0
    areas: int = 0
    problems: list = field(default_factory=list)


class WijkRefused(ValueError):
    """Input that cannot become wijken; problems is the list of what is wrong, per line."""

    def __init__(self, problems: list) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def parse_areas(pc4_text: str, ranges_text: str) -> list[AreaRow]:
    """The areas of a wijk as typed: "7941, 7942" and lines "7943AA-7943ZZ"."""
    rows = [AreaRow(pc4=part) for part in re.split(r"[\s,;]+", pc4_text or "") if part]
    for line in (ranges_text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        start, _, end = line.partition("-")
        start, end = _pc6(start), _pc6(end)
        rows.append(AreaRow(pc4=start[:4], pc6_from=start, pc6_to=end or None))
    return rows


def _pc6(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def area_problems(
    db: Session, municipality: Municipality, wijk_slug: str, areas: list[AreaRow], *, taken=None
) -> list:
    """What is wrong with these areas for this wijk (an empty list: nothing)."""
    problems = []
    claims = _claims(db) if taken is None else taken
    for area in areas:
        where = _l("Regel %(line)s: ", line=area.line) if area.line else ""
        problem = _area_problem(municipality, wijk_slug, area, claims)
        if problem:
            problems.append(f"{where}{problem}")
    return problems


def _claims(db: Session) -> dict[str, list[tuple[int, str, str, str]]]:
    """Per PC4 the wijken holding all of it: (municipality id, its name, wijk slug, wijk name)."""
    claims: dict[str, list] = {}
    rows = db.execute(
        select(NeighbourhoodArea.pc4, Neighbourhood, Municipality)
        .join(Neighbourhood, NeighbourhoodArea.neighbourhood_id == Neighbourhood.id)
        .join(Municipality, Neighbourhood.municipality_id == Municipality.id)
        .where(NeighbourhoodArea.pc6_from.is_(None))
    )
    for pc4, wijk, owner in rows:
        claims.setdefault(pc4, []).append((owner.id, owner.name, wijk.slug, wijk.name))
    return claims


def _area_problem(municipality, wijk_slug, area: AreaRow, claims) -> str | None:
    if not PC4.match(area.pc4 or ""):
        return str(_l("“%(pc4)s” is geen PC4: gebruik vier cijfers, zoals 7941.", pc4=area.pc4))
    if geo.lookup_pc4(area.pc4) is None:
        return str(_l("postcodegebied %(pc4)s bestaat niet.", pc4=area.pc4))
    for owner_id, owner_name, slug, wijk_name in claims.get(area.pc4, ()):
        if owner_id != municipality.id:
            return str(
                _l(
                    "postcodegebied %(pc4)s hoort bij gemeente %(owner)s (wijk %(wijk)s).",
                    pc4=area.pc4,
                    owner=owner_name,
                    wijk=wijk_name,
                )
            )
        if slug != wijk_slug and area.pc6_from is None:
            return str(
                _l(
                    "postcodegebied %(pc4)s hoort al bij wijk %(wijk)s.",
                    pc4=area.pc4,
                    wijk=wijk_name,
                )
            )
    if (area.pc6_from is None) != (area.pc6_to is None):
        return str(_l("vul bij een PC6-reeks zowel het begin als het eind in."))
    if area.pc6_from is not None:
        for pc6 in (area.pc6_from, area.pc6_to):
            if not PC6.match(pc6) or pc6[:4] != area.pc4:
                return str(
                    _l(
                        "“%(pc6)s” is geen postcode binnen %(pc4)s; schrijf bijvoorbeeld %(pc4)sAA.",
                        pc6=pc6,
                        pc4=area.pc4,
                    )
                )
        if area.pc6_from > area.pc6_to:
            return str(_l("het begin van de PC6-reeks ligt na het eind."))
    return None


def save_wijk(
    db: Session,
    actor: User,
    municipality: Municipality,
    name: str,
    areas: list[AreaRow],
    wijk: Neighbourhood | None = None,
) -> Neighbourhood:
    """Add a wijk (wijk None) or change one: its name and exactly these areas."""
    slug = slugify(name)
    clash = db.scalar(
        select(Neighbourhood).where(
            Neighbourhood.municipality_id == municipality.id, Neighbourhood.slug == slug
        )
    )
    if clash is not None and clash is not wijk:
        raise WijkRefused([_l("Er is al een wijk met deze naam.")])
    problems = area_problems(db, municipality, wijk.slug if wijk else slug, areas)
    if not areas:
        problems.append(str(_l("Vul minstens één PC4-gebied of PC6-reeks in.")))
    if problems:
        raise WijkRefused(problems)
    action = "municipalities.wijk_changed" if wijk else "municipalities.wijk_added"
    if wijk is None:
        wijk = Neighbourhood(municipality_id=municipality.id, name=name, slug=slug)
        db.add(wijk)
    wijk.name, wijk.slug = name, slug
    _replace_areas(wijk, areas)
    db.flush()
    record(db, actor, action, wijk)
    db.commit()
    return wijk


def delete_wijk(db: Session, actor: User, wijk: Neighbourhood) -> None:
    """Take a wijk away; people and posts in it keep their municipality."""
    record(db, actor, "municipalities.wijk_deleted", wijk, wijk.name)
    db.delete(wijk)
    db.commit()


def _replace_areas(wijk: Neighbourhood, areas: list[AreaRow]) -> None:
    wijk.areas.clear()
    for area in areas:
        wijk.areas.append(
            NeighbourhoodArea(pc4=area.pc4, pc6_from=area.pc6_from, pc6_to=area.pc6_to)
        )


def read_wijken_csv(data: bytes) -> dict[str, list[AreaRow]]:
    """The wijken of a CSV file (wijk;pc4;pc6_van;pc6_tot), or WijkRefused listing every fault."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WijkRefused(
            [_l("Het bestand is geen UTF-8-tekst. Sla het op als ‘CSV UTF-8’ en probeer opnieuw.")]
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise WijkRefused([_l("Het bestand is leeg.")])
    delimiter = ";" if ";" in lines[0] else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader)]
    if tuple(header[:4]) != CSV_COLUMNS:
        raise WijkRefused([_l("Regel 1: de kolommen moeten heten: wijk;pc4;pc6_van;pc6_tot.")])
    wijken: dict[str, list[AreaRow]] = {}
    names: dict[str, str] = {}  # "centrum" and "Centrum" are one wijk: the first spelling
    problems = []
    for cells in reader:
        line = reader.line_num
        cells = [clean_text(cell) for cell in cells] + [""] * 4
        if not any(cells):
            continue
        name, pc4, start, end = cells[:4]
        if not name or not slugify(name):
            problems.append(_l("Regel %(line)s: vul de naam van de wijk in.", line=line))
            continue
        if len(name) > NAME_LENGTH:
            problems.append(
                _l(
                    "Regel %(line)s: de naam van de wijk is te lang (hoogstens %(most)s tekens).",
                    line=line,
                    most=NAME_LENGTH,
                )
            )
            continue
        name = names.setdefault(slugify(name), name)
        wijken.setdefault(name, []).append(
            AreaRow(pc4=pc4, pc6_from=_pc6(start) or None, pc6_to=_pc6(end) or None, line=line)
        )
    if problems:
        raise WijkRefused(problems)
    if not wijken:
        raise WijkRefused([_l("Het bestand heeft geen regels met wijken.")])
    return wijken


def import_wijken(db: Session, actor: User, municipality: Municipality, data: bytes) -> WijkChange:
    """Take every wijk of a CSV file, or none: WijkRefused lists what is wrong per line.

    A wijk in the file gets exactly the areas of its lines; wijken not in the file stay.
    """
    wijken = read_wijken_csv(data)
    existing = {w.slug: w for w in municipality.neighbourhoods}
    claims = _claims(db)
    named = {slugify(name) for name in wijken}
    # A PC4 held by a wijk this file rewrites is free for the file to give out again.
    for pc4, holders in claims.items():
        claims[pc4] = [h for h in holders if not (h[0] == municipality.id and h[2] in named)]
    problems = []
    seen: dict[str, tuple[str, int]] = {}
    for name, areas in wijken.items():
        slug = slugify(name)
        problems += area_problems(db, municipality, slug, areas, taken=claims)
        for area in areas:
            if area.pc6_from is not None:
                continue
            other = seen.get(area.pc4)
            if other and other[0] != slug:
                problems.append(
                    _l(
                        "Regel %(line)s: postcodegebied %(pc4)s staat ook op regel %(other)s bij een andere wijk.",
                        line=area.line,
                        pc4=area.pc4,
                        other=other[1],
                    )
                )
            seen.setdefault(area.pc4, (slug, area.line))
    if problems:
        raise WijkRefused(sorted(problems, key=_line_of))
    change = WijkChange()
    for name, areas in wijken.items():
        slug = slugify(name)
        wijk = existing.get(slug)
        if wijk is None:
            wijk = Neighbourhood(municipality_id=municipality.id, name=name, slug=slug)
            db.add(wijk)
            change.added += 1
        elif _area_set(wijk.areas) != _area_set(areas) or wijk.name != name:
            change.changed += 1
        else:
            continue
        wijk.name = name
        _replace_areas(wijk, areas)
        change.areas += len(areas)
    db.flush()
    record(
        db,
        actor,
        "municipalities.wijken_imported",
        municipality,
        f"{change.added} nieuw, {change.changed} gewijzigd, {change.areas} gebieden",
    )
    db.commit()
    return change


def _area_set(areas) -> set[tuple]:
    return {(a.pc4, a.pc6_from, a.pc6_to) for a in areas}


def _line_of(problem) -> int:
    found = re.search(r"\d+", str(problem))
    return int(found.group()) if found else 0


# --- categories -----------------------------------------------------------------------------


def active_categories(db: Session) -> list[Category]:
    return list(
        db.scalars(select(Category).where(Category.active).order_by(Category.position, Category.id))
    )


def offered_category_ids(db: Session, municipality: Municipality | None) -> set[int]:
    """The categories a municipality chose to offer; empty: it offers all."""
    if municipality is None:
        return set()
    return set(
        db.scalars(
            select(MunicipalityCategory.category_id).where(
                MunicipalityCategory.municipality_id == municipality.id
            )
        )
    )


def offered_categories(
    db: Session, municipality: Municipality | None, keep: int | None = None
) -> list[Category]:
    """The active categories a municipality offers (all when it ticked none).

    keep: a category to list anyway (the one a post being edited already has).
    """
    chosen = offered_category_ids(db, municipality)
    return [
        category
        for category in active_categories(db)
        if not chosen or category.id in chosen or category.id == keep
    ]


def set_offered_categories(
    db: Session, actor: User, municipality: Municipality, category_ids: set[int]
) -> None:
    """Say which categories a municipality offers (none: all)."""
    if category_ids == offered_category_ids(db, municipality):
        return
    db.execute(
        delete(MunicipalityCategory).where(MunicipalityCategory.municipality_id == municipality.id)
    )
    for category_id in sorted(category_ids):
        db.add(MunicipalityCategory(municipality_id=municipality.id, category_id=category_id))
    record(db, actor, "municipalities.categories_changed", municipality)
    db.commit()


def categories_for(
    db: Session, person: User | None = None, keep: int | None = None
) -> list[Category]:
    """The categories offered to person (their municipality's), else to this visitor's."""
    municipality = None
    if person is not None and getattr(person, "municipality_id", None):
        municipality = db.get(Municipality, person.municipality_id)
    return offered_categories(db, municipality or current_municipality(db), keep)

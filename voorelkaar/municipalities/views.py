"""A municipality's own settings, edited by its admins; and its logo, served to everyone."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from voorelkaar.auth.access import admin_required
from voorelkaar.db import get_session
from voorelkaar.errors import render_error
from voorelkaar.idempotency import already_created
from voorelkaar.models import Municipality, Neighbourhood, Role
from voorelkaar.municipalities import services
from voorelkaar.municipalities.forms import (
    CategoriesForm,
    LogoForm,
    NewWijkForm,
    RemoveLogoForm,
    SettingsForm,
    WijkCsvForm,
    WijkForm,
)
from voorelkaar.municipalities.logos import SVG, LogoRefused, megabytes
from voorelkaar.tenancy import served, serves

bp = Blueprint("municipalities", __name__, template_folder="templates")

# Uploads may be larger than a page's form (MAX_CONTENT_LENGTH), so that a too big file is
# read and refused with a message on the settings page instead of a bare "too large".
UPLOADS = {"municipalities.upload_logo", "municipalities.upload_wijken"}
# A logo's address carries its name (?v=...): that address never shows other bytes.
YEAR = 365 * 24 * 60 * 60
# An SVG opened by itself runs nothing, loads nothing and is shown as an image only.
SVG_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


@bp.url_value_preprocessor
def _allow_uploads(endpoint, _values):
    # Runs before the app's before_request handlers (CSRF reads the form there). Only an
    # admin's upload is read this far: nobody else gets the server to take in 32 MB.
    if endpoint in UPLOADS and current_user.is_authenticated and current_user.has_role(Role.ADMIN):
        request.max_content_length = current_app.config["UPLOAD_REQUEST_LIMIT"]


@bp.errorhandler(413)
def _too_large(_error):
    """A file even larger than uploads may be: the page again, with a message."""
    message = _(
        "Het bestand is te groot. Een logo mag hoogstens %(limit)s zijn, "
        "een CSV-bestand met wijken ook.",
        limit=megabytes(current_app.config["LOGO_MAX_BYTES"]),
    )
    slug = (request.view_args or {}).get("slug")
    db = get_session()
    municipality = _served(db, slug) if slug and current_user.is_authenticated else None
    if municipality is None or not current_user.has_role(Role.ADMIN):
        return render_error(413)
    if request.endpoint == "municipalities.upload_wijken":
        return _wijken_page(municipality, csv_problems=[message]), 413
    logo_form = LogoForm(formdata=None)
    logo_form.logo.errors = [message]
    return _settings_page(municipality, logo_form=logo_form), 413


@bp.route("/beheer/gemeente")
@admin_required
def index():
    """The municipalities this admin looks after; straight to the one when there is one."""
    municipalities = served(get_session(), current_user)
    if len(municipalities) == 1:
        return redirect(url_for("municipalities.edit", slug=municipalities[0].slug))
    return render_template("municipalities/index.html", municipalities=municipalities)


@bp.route("/beheer/gemeente/<slug>", methods=["GET", "POST"])
@admin_required
def edit(slug):
    """The municipality's face: site name, host, running organisation, privacy, moderation."""
    db = get_session()
    municipality = _served(db, slug) or abort(404)
    form = SettingsForm(obj=municipality, municipality=municipality)
    if form.validate_on_submit():
        services.update_settings(db, current_user, municipality, form.values())
        flash(_("De instellingen zijn opgeslagen."), "success")
        return redirect(url_for("municipalities.edit", slug=slug))
    return _settings_page(municipality, form=form)


@bp.route("/beheer/gemeente/<slug>/logo", methods=["POST"])
@admin_required
def upload_logo(slug):
    """Take a new logo, checked; refused with the reason on the settings page."""
    db = get_session()
    municipality = _served(db, slug) or abort(404)
    logo_form = LogoForm()
    if logo_form.validate_on_submit():
        upload = logo_form.logo.data
        try:
            if not upload:
                raise LogoRefused(_("Kies een bestand met het logo."))
            services.set_logo(
                db,
                current_user,
                municipality,
                upload.filename or "",
                upload.stream,
                current_app.config["LOGO_MAX_BYTES"],
            )
        except LogoRefused as refused:
            db.rollback()
            logo_form.logo.errors = [refused.message]
        else:
            flash(_("Het logo is opgeslagen."), "success")
            return redirect(url_for("municipalities.edit", slug=slug))
    return _settings_page(municipality, logo_form=logo_form)


@bp.route("/beheer/gemeente/<slug>/logo/weghalen", methods=["POST"])
@admin_required
def remove_logo(slug):
    """Take the logo away; the site shows its name alone."""
    db = get_session()
    municipality = _served(db, slug) or abort(404)
    if RemoveLogoForm().validate_on_submit():
        services.remove_logo(db, current_user, municipality)
        flash(_("Het logo is weggehaald."), "success")
    return redirect(url_for("municipalities.edit", slug=slug))


@bp.route("/gemeente/<slug>/logo")
def logo(slug):
    """A municipality's logo, with its checked type; never run as a page."""
    found = services.logo_of(get_session(), slug) or abort(404)
    municipality, upload = found
    response = make_response(upload.content)
    response.headers["Content-Type"] = upload.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    if upload.content_type == SVG:
        response.headers["Content-Security-Policy"] = SVG_POLICY
    if request.args.get("v") == municipality.logo_file:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/beheer/gemeente/<slug>/wijken", methods=["GET", "POST"])
@admin_required
def wijken(slug):
    """The wijken and their postcode areas; add one here."""
    db = get_session()
    municipality = _served(db, slug) or abort(404)
    form = NewWijkForm()
    problems = []
    if form.validate_on_submit():
        wijk = already_created(db, current_user, Neighbourhood)
        if wijk is None:
            try:
                wijk = services.save_wijk(
                    db,
                    current_user,
                    municipality,
                    form.name.data,
                    services.parse_areas(form.pc4s.data, form.ranges.data),
                )
            except services.WijkRefused as refused:
                db.rollback()
                problems = refused.problems
        if not problems:
            flash(_("Wijk %(name)s is toegevoegd.", name=wijk.name), "success")
            return redirect(url_for("municipalities.wijken", slug=slug))
    return _wijken_page(municipality, form=form, problems=problems)


@bp.route("/beheer/gemeente/<slug>/wijken/csv", methods=["POST"])
@admin_required
def upload_wijken(slug):
    """Take the wijken of a CSV file: every row, or none with what is wrong per line."""
    db = get_session()
    municipality = _served(db, slug) or abort(404)
    csv_form = WijkCsvForm()
    csv_problems = []
    if csv_form.validate_on_submit():
        upload = csv_form.csv_file.data
        if not upload:
            csv_problems = [_("Kies een CSV-bestand.")]
        elif _size(upload.stream) > current_app.config["LOGO_MAX_BYTES"]:
            csv_problems = [
                _(
                    "Het bestand is te groot. Het mag hoogstens %(limit)s zijn.",
                    limit=megabytes(current_app.config["LOGO_MAX_BYTES"]),
                )
            ]
        else:
            try:
                change = services.import_wijken(db, current_user, municipality, upload.read())
            except services.WijkRefused as refused:
                db.rollback()
                csv_problems = refused.problems
            else:
                flash(_change_message(change), "success")
                return redirect(url_for("municipalities.wijken", slug=slug))
    return _wijken_page(municipality, csv_form=csv_form, csv_problems=csv_problems)


@bp.route("/beheer/gemeente/<slug>/wijken/<int:wijk_id>", methods=["GET", "POST"])
@admin_required
def wijk(slug, wijk_id):
    """Rename a wijk or change its postcode areas."""
    db = get_session()
    municipality = _served(db, slug) or abort(404)
    item = _wijk(db, municipality, wijk_id)
    form = WijkForm(data=None if request.method == "POST" else _wijk_data(item))
    problems = []
    if form.validate_on_submit():
        try:
            services.save_wijk(
                db,
                current_user,
                municipality,
                form.name.data,
                services.parse_areas(form.pc4s.data, form.ranges.data),
                wijk=item,
            )
        except services.WijkRefused as refused:
            db.rollback()
            problems = refused.problems
        else:
            flash(_("Wijk %(name)s is opgeslagen.", name=item.name), "success")
            return redirect(url_for("municipalities.wijken", slug=slug))
    return render_template(
        "municipalities/wijk.html",
        municipality=municipality,
        item=item,
        form=form,
        problems=problems,
        delete_form=RemoveLogoForm(formdata=None),
    )


@bp.route("/beheer/gemeente/<slug>/wijken/<int:wijk_id>/verwijderen", methods=["POST"])
@admin_required
def delete_wijk(slug, wijk_id):
    """Take a wijk away (its people and posts keep their municipality)."""
    db = get_session()
    municipality = _served(db, slug) or abort(404)
    item = _wijk(db, municipality, wijk_id)
    if RemoveLogoForm().validate_on_submit():
        name = item.name
        services.delete_wijk(db, current_user, item)
        flash(_("Wijk %(name)s is verwijderd.", name=name), "success")
    return redirect(url_for("municipalities.wijken", slug=slug))


@bp.route("/beheer/gemeente/<slug>/soorten-hulp", methods=["GET", "POST"])
@admin_required
def categories(slug):
    """Which kinds of help this municipality offers (none ticked: all)."""
    db = get_session()
    municipality = _served(db, slug) or abort(404)
    offered = services.offered_category_ids(db, municipality)
    form = CategoriesForm(
        data=None if request.method == "POST" else {"categories": [str(i) for i in offered]},
        categories=services.active_categories(db),
        locale=str(get_locale()),
    )
    if form.validate_on_submit():
        services.set_offered_categories(
            db, current_user, municipality, {int(value) for value in form.categories.data}
        )
        flash(_("De soorten hulp zijn opgeslagen."), "success")
        return redirect(url_for("municipalities.categories", slug=slug))
    return render_template("municipalities/categories.html", municipality=municipality, form=form)


# --- helpers --------------------------------------------------------------------------------


def _served(db, slug: str) -> Municipality | None:
    """The municipality of slug when this admin looks after it; else None (a 404)."""
    municipality = db.scalar(select(Municipality).where(Municipality.slug == slug))
    if municipality is None or not serves(db, current_user, municipality.id):
        return None
    return municipality


def _wijk(db, municipality: Municipality, wijk_id: int) -> Neighbourhood:
    item = db.get(Neighbourhood, wijk_id)
    if item is None or item.municipality_id != municipality.id:
        abort(404)
    return item


def _wijk_data(item: Neighbourhood) -> dict:
    whole = [area.pc4 for area in item.areas if not area.pc6_from]
    ranges = [f"{a.pc6_from}-{a.pc6_to}" for a in item.areas if a.pc6_from]
    return {"name": item.name, "pc4s": ", ".join(whole), "ranges": "\n".join(ranges)}


def _size(stream) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _settings_page(municipality, form=None, logo_form=None):
    logo_form = logo_form or LogoForm(formdata=None)
    logo_form.logo.description = _(
        "Een PNG-, JPEG- of SVG-bestand van hoogstens %(limit)s.",
        limit=megabytes(current_app.config["LOGO_MAX_BYTES"]),
    )
    return render_template(
        "municipalities/edit.html",
        municipality=municipality,
        form=form or SettingsForm(obj=municipality, municipality=municipality, formdata=None),
        logo_form=logo_form,
        remove_form=RemoveLogoForm(formdata=None),
        logo_limit=megabytes(current_app.config["LOGO_MAX_BYTES"]),
    )


def _wijken_page(municipality, form=None, problems=(), csv_form=None, csv_problems=()):
    return render_template(
        "municipalities/wijken.html",
        municipality=municipality,
        form=form or NewWijkForm(formdata=None),
        problems=problems,
        csv_form=csv_form or WijkCsvForm(formdata=None),
        csv_problems=csv_problems,
        wijken=municipality.neighbourhoods,
    )


def _change_message(change: services.WijkChange) -> str:
    added = ngettext("%(num)d wijk toegevoegd", "%(num)d wijken toegevoegd", change.added)
    changed = ngettext("%(num)d wijk gewijzigd", "%(num)d wijken gewijzigd", change.changed)
    areas = ngettext("%(num)d postcodegebied", "%(num)d postcodegebieden", change.areas)
    return _(
        "Het bestand is ingelezen: %(added)s, %(changed)s, samen %(areas)s.",
        added=added,
        changed=changed,
        areas=areas,
    )

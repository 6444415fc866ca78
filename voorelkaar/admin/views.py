"""Admin pages: categories, the moderation setting, and people's roles."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from voorelkaar.admin import services
from voorelkaar.admin.forms import CategoryForm, RolesForm, SettingsForm
from voorelkaar.auth.access import admin_required
from voorelkaar.db import get_session
from voorelkaar.models import Category, Role, User
from voorelkaar.places.services import current_municipality

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/beheer")


@bp.route("/categorieen", methods=["GET", "POST"])
@admin_required
def categories():
    """The kinds of help people can choose, and a form to add one."""
    db = get_session()
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            services.add_category(db, current_user, form.name_nl.data, form.name_en.data)
        except services.AdminError:
            form.name_nl.errors.append(_("Deze categorie bestaat al."))
        else:
            flash(_("De categorie is toegevoegd."), "success")
            return redirect(url_for("admin.categories"))
    return render_template(
        "admin/categories.html", form=form, categories=services.all_categories(db)
    )


@bp.route("/categorieen/<int:category_id>", methods=["GET", "POST"])
@admin_required
def category(category_id):
    """Rename a category or take it out of use."""
    db = get_session()
    item = db.get(Category, category_id) or abort(404)
    form = CategoryForm(obj=item)
    if form.validate_on_submit():
        try:
            services.update_category(
                db, current_user, item, form.name_nl.data, form.name_en.data, form.active.data
            )
        except services.AdminError:
            form.name_nl.errors.append(_("Deze categorie bestaat al."))
        else:
            flash(_("De categorie is opgeslagen."), "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/category.html", form=form, item=item)


@bp.route("/instellingen", methods=["GET", "POST"])
@admin_required
def settings():
    """Settings of the municipality: moderation on or off."""
    db = get_session()
    municipality = current_municipality(db) or abort(404)
    form = SettingsForm(obj=municipality)
    if form.validate_on_submit():
        services.set_moderation(db, current_user, municipality, form.moderation.data)
        flash(_("De instellingen zijn opgeslagen."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, municipality=municipality)


@bp.route("/gebruikers/<int:user_id>/rollen", methods=["GET", "POST"])
@admin_required
def roles(user_id):
    """Give someone roles, such as coordinator or organisation."""
    db = get_session()
    account = db.get(User, user_id) or abort(404)
    form = RolesForm(data={"roles": [role.value for role in account.role_set]})
    if form.validate_on_submit():
        try:
            services.set_roles(db, current_user, account, {Role(v) for v in form.roles.data})
        except services.AdminError:
            form.roles.errors.append(_("U kunt uw eigen beheerdersrol niet weghalen."))
        else:
            flash(_("De rollen zijn opgeslagen."), "success")
            return redirect(url_for("moderation.user", user_id=user_id))
    return render_template("admin/roles.html", form=form, account=account)

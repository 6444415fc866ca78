"""Admin pages: categories, the moderation setting, and people's roles."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from voorelkaar import audit
from voorelkaar.admin import services
from voorelkaar.admin.forms import CategoryForm, RolesForm, SettingsForm
from voorelkaar.auth.access import admin_required, serves_municipalities
from voorelkaar.db import get_session
from voorelkaar.models import Category, Role
from voorelkaar.moderation.services import events_in_scope, user_for
from voorelkaar.tenancy import current_municipality, served, served_ids, serves

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/beheer")

# The security log in plain words.
EVENT_LABELS = {
    audit.LOGIN_OK: _l("ingelogd"),
    audit.LOGIN_FAILED: _l("inloggen mislukt"),
    audit.LOGIN_GUARDED: _l("inloggen even gestopt (te vaak fout)"),
    audit.LOGOUT: _l("uitgelogd"),
    audit.PASSWORD_CHANGED: _l("wachtwoord gewijzigd"),
    audit.PASSWORD_RESET_ASKED: _l("link voor nieuw wachtwoord gevraagd"),
    audit.PASSWORD_RESET: _l("nieuw wachtwoord gekozen met de link"),
    audit.ACCESS_DENIED: _l("pagina geweigerd"),
    audit.API_REFUSED: _l("API-sleutel geweigerd"),
    audit.SECOND_FACTOR_FAILED: _l("verkeerde code uit de app"),
    audit.SECOND_FACTOR_ON: _l("inloggen met een code aangezet"),
    audit.SECOND_FACTOR_OFF: _l("inloggen met een code uitgezet"),
    audit.SECOND_FACTOR_NEW_CODES: _l("nieuwe herstelcodes gemaakt"),
    "users.roles_changed": _l("rollen gewijzigd"),
    "users.municipalities_changed": _l("gemeenten gewijzigd"),
    "users.role_added": _l("rol toegevoegd"),
    "users.role_stopped": _l("rol gestopt"),
    "users.blocked": _l("account geblokkeerd"),
    "users.unblocked": _l("blokkade opgeheven"),
    "api.token_issued": _l("API-sleutel gemaakt"),
    "api.token_revoked": _l("API-sleutel ingetrokken"),
    "people.viewed": _l("dossier bekeken"),
    "referrals.viewed": _l("verwijzing bekeken"),
    "users.viewed": _l("accountgegevens bekeken"),
}
RESULT_LABELS = {"ok": _l("gelukt"), "refused": _l("geweigerd"), "failed": _l("mislukt")}
PAGE_SIZE = 100


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
    municipality = current_municipality(db)
    if municipality is None or not serves(db, current_user, municipality.id):
        abort(404)
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
    account = user_for(db, current_user, user_id) or abort(404)
    choices = served(db, current_user)
    form = RolesForm(
        data={
            "roles": [role.value for role in account.role_set],
            "municipalities": sorted(served_ids(db, account) & {m.id for m in choices}),
        },
        municipalities=choices,
    )
    if form.validate_on_submit():
        try:
            services.set_roles(db, current_user, account, {Role(v) for v in form.roles.data})
            if form.choose_municipalities and serves_municipalities(account):
                chosen = set(form.municipalities.data or ())
                services.set_municipalities(db, current_user, account, chosen)
            elif account.has_role(Role.POLICY) and len(choices) == 1:
                # A policy officer reads the figures of the admin's municipality, not of
                # wherever they happen to live.
                services.set_municipalities(db, current_user, account, {choices[0].id})
        except services.AdminError:
            form.roles.errors.append(_("U kunt uw eigen beheerdersrol niet weghalen."))
        else:
            flash(_("De rollen zijn opgeslagen."), "success")
            return redirect(url_for("moderation.user", user_id=user_id))
    return render_template("admin/roles.html", form=form, account=account)


@bp.route("/beveiligingslog")
@admin_required
def security_log():
    """Who logged in, failed, was refused or opened someone's data: newest first."""
    action = request.args.get("soort") or None
    if action not in EVENT_LABELS:
        action = None
    account = request.args.get("account", "").strip()
    account_id = int(account) if account.isdigit() and len(account) < 10 else None
    before = request.args.get("voor", "")
    before_id = int(before) if before.isdigit() and len(before) < 10 else None
    db = get_session()
    found = audit.security_events(
        db,
        scope=events_in_scope(db, current_user),
        action=action,
        account_id=account_id,
        before_id=before_id,
        limit=PAGE_SIZE + 1,
    )
    return render_template(
        "admin/security_log.html",
        events=found[:PAGE_SIZE],
        older=found[PAGE_SIZE - 1].id if len(found) > PAGE_SIZE else None,
        action=action,
        account=account,
        account_id=account_id,
        labels=EVENT_LABELS,
        results=RESULT_LABELS,
        retention_days=audit.retention_days(),
    )

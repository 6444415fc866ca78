"""The volunteer's week and reach, requests near them, and VOG records by staff."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from voorelkaar.auth.access import may_act_on, role_required, staff_required
from voorelkaar.db import get_session
from voorelkaar.help_requests.forms import WEEKDAYS
from voorelkaar.models import Role
from voorelkaar.moderation.services import user_for
from voorelkaar.volunteers import services
from voorelkaar.volunteers.forms import PART_LABELS, AvailabilityForm, VogForm
from voorelkaar.volunteers.nearby import requests_near

bp = Blueprint("volunteers", __name__, template_folder="templates")


@bp.route("/beschikbaarheid", methods=["GET", "POST"])
@role_required(Role.VOLUNTEER)
def availability():
    """When I can help each week, and how far I will go."""
    form = AvailabilityForm()
    if request.method == "GET":
        for day, part in services.parts_of(current_user):
            form.checkbox(day, part).data = True
        form.travel_km.data = str(int(current_user.travel_km))
        form.available.data = current_user.available
        form.paused_until.data = current_user.paused_until
    if form.validate_on_submit():
        services.set_availability(
            get_session(),
            current_user,
            form.chosen_parts(),
            float(form.travel_km.data),
            form.available.data,
            form.paused_until.data,
        )
        flash(_("Uw beschikbaarheid is opgeslagen."), "success")
        return redirect(url_for("volunteers.availability"))
    return render_template(
        "volunteers/availability.html",
        form=form,
        weekdays=WEEKDAYS,
        parts=PART_LABELS,
    )


@bp.route("/beschikbaarheid/weer-beschikbaar", methods=["POST"])
@role_required(Role.VOLUNTEER)
def resume():
    """End my pause: I can help again."""
    services.resume(get_session(), current_user)
    flash(_("Fijn dat u weer kunt helpen! U ziet weer hulpvragen bij u in de buurt."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/bij-mij-in-de-buurt")
@role_required(Role.VOLUNTEER)
def nearby():
    """Open requests near me that fit my skills and my week, best first."""
    items = requests_near(get_session(), current_user)
    return render_template("volunteers/nearby.html", items=items)


@bp.route("/beheer/gebruikers/<int:user_id>/vog", methods=["GET", "POST"])
@staff_required
def vog(user_id):
    """Record until when a volunteer's VOG is valid."""
    db = get_session()
    volunteer = user_for(db, current_user, user_id) or abort(404)
    form = VogForm(data={"valid_until": volunteer.vog_valid_until})
    if not may_act_on(current_user, volunteer):
        if request.method == "POST":  # no form was shown: a forged or an old one
            abort(403)
        return render_template("volunteers/vog.html", form=None, volunteer=volunteer)
    if form.validate_on_submit():
        services.record_vog(db, current_user, volunteer, form.valid_until.data)
        flash(_("De VOG is opgeslagen."), "success")
        return redirect(url_for("moderation.user", user_id=user_id))
    return render_template("volunteers/vog.html", form=form, volunteer=volunteer)

"""Your own profile, and the public part of someone else's."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voorelkaar.auth.access import is_staff
from voorelkaar.db import get_session
from voorelkaar.models import Role, User
from voorelkaar.profiles import services
from voorelkaar.profiles.forms import ProfileForm

bp = Blueprint("profiles", __name__, template_folder="templates")


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def edit():
    """Change my contact details and what I like to do."""
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if form.validate_on_submit():
        changes = services.ProfileChanges(
            name=form.name.data,
            phone=form.phone.data or None,
            postcode=form.postcode.data,
            house_number=form.house_number.data,
            intro=form.intro.data or "",
            skills=tuple((form.skills.data or "").split(",")),
            available=form.available.data,
        )
        services.update_profile(get_session(), current_user, changes)
        flash(_("Uw gegevens zijn opgeslagen."), "success")
        return redirect(url_for("profiles.edit"))
    return render_template(
        "profiles/edit.html", form=form, volunteer=current_user.has_role(Role.VOLUNTEER)
    )


@bp.route("/profiel/<int:user_id>")
@login_required
def show(user_id):
    """What others may see of a person: first name, wijk, and what they like to do."""
    user = get_session().get(User, user_id)
    if user is None or (user.blocked_at is not None and not is_staff(current_user)):
        abort(404)
    return render_template("profiles/show.html", person=services.public_view(user), user_id=user.id)

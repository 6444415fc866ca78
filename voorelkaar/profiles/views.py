"""Your own profile and roles, the public part of someone else's, and pages for other roles."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voorelkaar.admin.forms import ROLE_LABELS
from voorelkaar.auth.access import RoleNeeded, staff_of
from voorelkaar.db import get_session
from voorelkaar.help_requests.forms import WEEKDAYS
from voorelkaar.models import CarerProfile, Role, User
from voorelkaar.models.user import SELF_CHOSEN_ROLES
from voorelkaar.profiles import services
from voorelkaar.profiles.forms import (
    CarerStartForm,
    ProfileForm,
    ResidentStartForm,
    VolunteerStartForm,
)
from voorelkaar.security import safe_next
from voorelkaar.volunteers.forms import PART_LABELS
from voorelkaar.volunteers.services import parts_of

bp = Blueprint("profiles", __name__, template_folder="templates")


@bp.app_context_processor
def role_words():
    """How roles are named, and their slugs for the add and stop pages."""
    return {"role_words": services.ROLE_WORDS, "role_slugs": services.ROLE_SLUGS}


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def edit():
    """Change my contact details and what I like to do."""
    form = ProfileForm(
        obj=current_user if request.method == "GET" else None,
        known_postcode=current_user.postcode,
    )
    if form.validate_on_submit():
        changes = services.ProfileChanges(
            name=form.name.data,
            phone=form.phone.data or None,
            postcode=form.postcode.data,
            house_number=form.house_number.data,
            street=form.street.data,
            intro=form.intro.data or "",
            skills=tuple((form.skills.data or "").split(",")),
            available=form.available.data,
        )
        services.update_profile(get_session(), current_user, changes)
        flash(_("Uw gegevens zijn opgeslagen."), "success")
        return redirect(url_for("profiles.edit"))
    return render_template(
        "profiles/edit.html",
        form=form,
        volunteer=current_user.has_role(Role.VOLUNTEER),
        chosen_roles=SELF_CHOSEN_ROLES,
        granted=[
            ROLE_LABELS[role]
            for role in Role
            if role in current_user.role_set and role not in SELF_CHOSEN_ROLES
        ],
    )


@bp.route("/profiel/<int:user_id>")
@login_required
def show(user_id):
    """What others may see of a person: first name, wijk, and what they like to do."""
    user = get_session().get(User, user_id)
    if user is None or (
        user.blocked_at is not None and not staff_of(current_user, user.municipality_id)
    ):
        abort(404)
    return render_template("profiles/show.html", person=services.public_view(user), user_id=user.id)


def _role_from(slug: str) -> Role:
    return services.ROLES_BY_SLUG.get(slug) or abort(404)


def _start_form(role: Role):
    """The questions a role needs, filled with what a returning volunteer or carer told before."""
    if role == Role.VOLUNTEER:
        form = VolunteerStartForm(obj=current_user if request.method == "GET" else None)
        if request.method == "GET":
            form.travel_km.data = str(int(current_user.travel_km))
            for day, part in parts_of(current_user):
                form.checkbox(day, part).data = True
        return form
    if role == Role.CARER:
        return CarerStartForm(obj=get_session().get(CarerProfile, current_user.id))
    return ResidentStartForm()


@bp.route("/profiel/rol/<slug>", methods=["GET", "POST"])
@login_required
def add_role(slug):
    """Become a volunteer or a carer, or ask for help too; then on to the page I wanted."""
    role = _role_from(slug)
    next_page = safe_next(request.args.get("next"))
    if current_user.has_role(role):
        return redirect(next_page or url_for("profiles.edit"))
    form = _start_form(role)
    if form.validate_on_submit():
        services.add_role(get_session(), current_user, role, form.start())
        done = services.ROLE_WORDS[role].held
        flash(
            _("Gelukt. %(done)s U kunt dit altijd veranderen bij Mijn gegevens.", done=done),
            "success",
        )
        return redirect(next_page or url_for("pages.home"))
    return render_template(
        f"profiles/add_{role.value}.html",
        form=form,
        role=role,
        next_page=next_page,
        weekdays=WEEKDAYS,
        parts=PART_LABELS,
    )


@bp.route("/profiel/rol/<slug>/stoppen", methods=["GET", "POST"])
@login_required
def stop_role(slug):
    """Stop a role I chose, after reading what that means; not while something needs it."""
    role = _role_from(slug)
    db = get_session()
    if not current_user.has_role(role):
        return redirect(url_for("profiles.edit"))
    refused = False
    if request.method == "POST":
        try:
            services.stop_role(db, current_user, role)
        except services.RoleError:  # the page below says why
            refused = True
        else:
            flash(_("Gelukt. %(stopped)s", stopped=services.ROLE_WORDS[role].stopped), "success")
            return redirect(url_for("profiles.edit"))
    last = current_user.role_set == {role}
    return render_template(
        "profiles/stop_role.html",
        role=role,
        last=last,
        still_open=[] if last else services.still_open(db, current_user, role),
    ), 409 if refused else 200


def _wanted_page() -> str | None:
    """Where the person was going: this page, or for a refused form the page it was on."""
    if request.method == "GET":
        return safe_next(request.full_path if request.query_string else request.path)
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc != request.host:
        return None
    return safe_next(came_from.path + (f"?{came_from.query}" if came_from.query else ""))


@bp.app_errorhandler(RoleNeeded)
def role_needed(error: RoleNeeded):
    """A page for other roles: say whom it is for and offer the roles people add themselves."""
    return render_template(
        "profiles/role_needed.html",
        roles=error.roles,
        addable=[role for role in error.roles if role in SELF_CHOSEN_ROLES],
        organisation=Role.ORGANISATION in error.roles,
        next_page=_wanted_page(),
    ), 403

"""Ask for help, browse open requests, and manage your own."""

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import object_session

from voorelkaar.auth.access import in_back_office, role_required, staff_of
from voorelkaar.carers.services import cared_for_name
from voorelkaar.db import get_session
from voorelkaar.help_requests import services
from voorelkaar.help_requests.forms import WEEKDAYS, BrowseForm, RequestForm
from voorelkaar.idempotency import already_created
from voorelkaar.matches import services as match_services
from voorelkaar.matches.forms import CancelMatchForm, CompleteForm
from voorelkaar.matches.services import suggest_volunteers
from voorelkaar.models import (
    HelpRequest,
    Neighbourhood,
    PostedFor,
    RequestState,
    Role,
    ScheduleKind,
)
from voorelkaar.municipalities.services import categories_for
from voorelkaar.network.services import asked_members, has_circle
from voorelkaar.network.suggestions import circle_first
from voorelkaar.people.services import person_for as db_person_for
from voorelkaar.posts import results_for
from voorelkaar.tasks.services import local_today

bp = Blueprint("help_requests", __name__, template_folder="templates")

ASKERS = (Role.RESIDENT, Role.CARER, Role.STAFF, Role.CONSULTANT, Role.ADMIN)


def _request_form(db, **kwargs) -> RequestForm:
    return RequestForm(
        categories=categories_for(db, current_user),
        posted_for_options=services.may_post_for(current_user),
        # Someone with people in their own circle may ask them first.
        has_circle=has_circle(db, current_user),
        **kwargs,
    )


FOR_PERSON = "voor_persoon"  # the query parameter of "Hulpvraag plaatsen voor deze persoon"


def _resident_of_page():
    """The person staff start a request for from their person page (404 outside their scope)."""
    user_id = request.args.get(FOR_PERSON, type=int)
    if user_id is None:
        return None
    person = db_person_for(get_session(), current_user, user_id)
    if person is None or PostedFor.RESIDENT not in services.may_post_for(current_user):
        abort(404)
    return person


@bp.route("/hulpvragen")
def browse():
    """Open help requests, with filters; a list first, readable by everyone."""
    db = get_session()
    form = BrowseForm(
        request.args,
        categories=services.active_categories(db),
        neighbourhoods=db.scalars(select(Neighbourhood).order_by(Neighbourhood.name)).all(),
    )
    results = results_for(form, current_user, partial(services.browse_requests, db))
    return render_template("help_requests/browse.html", form=form, results=results)


@bp.route("/hulpvragen/nieuw", methods=["GET", "POST"])
@role_required(*ASKERS)
def create():
    """Ask for help."""
    db = get_session()
    resident = _resident_of_page()
    form = _request_form(
        db, resident=resident, known_postcode=resident.postcode if resident else None
    )
    on_behalf = in_back_office(current_user)
    if request.method == "GET":
        if resident is not None:
            form.fill_for(resident)
        elif not on_behalf:
            # Staff post for someone else: their own address is never the one wanted.
            form.postcode.data = current_user.postcode
            form.house_number.data = current_user.house_number
            form.street.data = current_user.street
        if request.args.get("voor") == "naaste":
            _for_cared_for(db, form)
        if request.args.get("categorie"):  # from a gap in the network check, say
            form.category.data = request.args["categorie"]
    if form.validate_on_submit():
        help_request = already_created(db, current_user, HelpRequest) or services.post_request(
            db, current_user, form.details(), by_hand=True
        )
        _flash_posted(help_request)
        return redirect(url_for("help_requests.detail", request_id=help_request.id))
    return render_template(
        "help_requests/form.html",
        form=form,
        skills=services.known_skills(db),
        editing=None,
        on_behalf=on_behalf,
        resident=resident,
    )


def _flash_posted(help_request: HelpRequest) -> None:
    if help_request.state == RequestState.CIRCLE:
        names = ", ".join(a.member.first_name for a in asked_members(get_session(), help_request))
        flash(
            _(
                "Dank u wel. Uw hulpvraag ging eerst naar uw eigen netwerk: %(names)s. Zegt "
                "niemand ja, dan vragen we u of hij naar vrijwilligers in de wijk mag.",
                names=names,
            ),
            "success",
        )
    elif help_request.posted_for == PostedFor.RESIDENT:
        if help_request.state == RequestState.PENDING:
            flash(_("De hulpvraag wordt eerst bekeken door een coördinator."), "success")
        else:
            flash(
                _("De hulpvraag voor %(name)s staat online.", name=help_request.resident_name),
                "success",
            )
    elif help_request.state == RequestState.PENDING:
        flash(_("Dank u wel. Uw hulpvraag wordt eerst bekeken door een coördinator."), "success")
    else:
        flash(_("Dank u wel. Uw hulpvraag staat online."), "success")


def _for_cared_for(db, form: RequestForm) -> None:
    """A carer's "Hulp vragen voor mijn naaste": for them, with the first name they gave."""
    if PostedFor.CARED_FOR in services.may_post_for(current_user):
        form.posted_for.data = PostedFor.CARED_FOR.value
        form.for_first_name.data = cared_for_name(db, current_user)


@bp.route("/hulpvragen/<int:request_id>")
@login_required
def detail(request_id):
    """One help request; its asker and staff see everything, others the public part."""
    db = get_session()
    help_request = services.request_for(db, current_user, request_id) or abort(404)
    manage = services.may_manage(current_user, help_request)
    matches = match_services.matches_of_request(db, help_request) if manage else []
    my_match = None if manage else match_services.my_offer(db, current_user, help_request)
    suggestions = []
    if manage and help_request.state == RequestState.OPEN:
        suggestions = circle_first(
            db, current_user, help_request, suggest_volunteers(db, help_request)
        )
    show_names = staff_of(current_user, help_request.municipality_id)
    helped = (
        match_services.times_helped(db, [each.volunteer.id for each in suggestions])
        if show_names
        else {}
    )
    return render_template(
        "help_requests/detail.html",
        item=help_request,
        manage=manage,
        suggestions=suggestions,
        show_names=show_names,
        helped=helped,
        vog_day=local_today(),
        matches=matches,
        my_match=my_match,
        messages={m.id: match_services.messages_of(db, m) for m in [*matches, my_match] if m},
        is_volunteer=current_user.has_role(Role.VOLUNTEER),
        cancel_match_form=CancelMatchForm(),
        complete_form=CompleteForm(),
        circle_asked=asked_members(db, help_request)
        if manage and help_request.asked_circle
        else [],
    )


@bp.route("/hulpvragen/<int:request_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(request_id):
    """Change a request; staff may edit before approving."""
    db = get_session()
    help_request = services.request_for(db, current_user, request_id)
    if help_request is None or not services.may_manage(current_user, help_request):
        abort(404)
    if help_request.state not in services.EDITABLE:
        flash(_("Deze hulpvraag kan niet meer worden gewijzigd."), "info")
        return redirect(url_for("help_requests.detail", request_id=request_id))
    form = RequestForm(
        categories=categories_for(db, help_request.author, keep=help_request.category_id),
        posted_for_options=services.may_post_for(help_request.author),
        known_postcode=help_request.postcode,
    )
    if request.method == "GET":
        form.fill_from(help_request)
    if form.validate_on_submit():
        services.update_request(db, current_user, help_request, form.details())
        flash(_("De hulpvraag is opgeslagen."), "success")
        return redirect(url_for("help_requests.detail", request_id=request_id))
    return render_template(
        "help_requests/form.html",
        form=form,
        skills=services.known_skills(db),
        on_behalf=help_request.posted_for == PostedFor.RESIDENT,
        resident=None,
        editing=help_request,
        goes_to_review=services.edit_goes_to_review(db, current_user, help_request),
    )


@bp.route("/hulpvragen/<int:request_id>/intrekken", methods=["POST"])
@login_required
def cancel(request_id):
    """Withdraw a request that is not matched yet."""
    db = get_session()
    help_request = services.request_for(db, current_user, request_id)
    if help_request is None or not services.may_manage(current_user, help_request):
        abort(404)
    try:
        services.cancel_request(db, current_user, help_request)
    except services.NotAllowed:
        flash(_("Deze hulpvraag kan niet meer worden ingetrokken."), "info")
    else:
        flash(
            _("De hulpvraag is ingetrokken. Wie wilde helpen, krijgt daarvan bericht."), "success"
        )
    return redirect(url_for("help_requests.mine"))


@bp.route("/mijn-hulpvragen")
@login_required
def mine():
    """The requests I posted, in every state."""
    return render_template(
        "help_requests/mine.html",
        items=services.my_requests_with_matches(get_session(), current_user),
    )


@bp.app_template_global("asker_contact")
def asker_contact(item) -> services.AskerContact:
    """Whom the volunteer of a confirmed match contacts (pages and mails)."""
    return services.asker_contact(object_session(item) or get_session(), item)


GO_BETWEEN_LABELS = {
    "staff": _l("coördinator"),
    "consultant": _l("Wmo-consulent"),
    "carer": _l("mantelzorger"),
}


@bp.app_template_global("go_between_label")
def go_between_label(role: str | None) -> str:
    return str(GO_BETWEEN_LABELS.get(role, ""))


@bp.app_template_filter("request_when")
def request_when(item) -> str:
    """When help is wanted, as people say it: "dinsdag 1 december, 14:00–16:00"."""
    if item.schedule == ScheduleKind.ONCE:
        day = format_datetime(item.starts_at, "EEEE d MMMM")
        return f"{day}, {format_datetime(item.starts_at, 'HH:mm')}–{format_datetime(item.ends_at, 'HH:mm')}"
    hours = f"{format_time(item.start_time, 'HH:mm')}–{format_time(item.end_time, 'HH:mm')}"
    return _(
        "elke %(day)s, %(hours)s, tot en met %(until)s",
        day=WEEKDAYS[item.weekday],
        hours=hours,
        until=format_date(item.until, "d MMMM y"),
    )


STATE_LABELS = {
    "draft": _l("concept"),
    "pending": _l("wacht op controle"),
    "open": _l("online, zoekt een vrijwilliger"),
    "circle": _l("eerst gevraagd aan uw eigen netwerk"),
    "matched": _l("er is een vrijwilliger"),
    "done": _l("afgerond"),
    "cancelled": _l("ingetrokken"),
    "expired": _l("verlopen"),
    "rejected": _l("afgewezen"),
}


@bp.app_template_global("state_label")
def state_label(state, post=None) -> str:
    """A post's state in words; given the post, one hidden after a report says so and why."""
    if post is not None and getattr(post, "hidden_at", None) is not None:
        return _("verborgen door de moderatie: %(reason)s", reason=post.reject_reason or "")
    return str(STATE_LABELS[state.value])

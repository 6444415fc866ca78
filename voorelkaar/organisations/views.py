"""Organisations post vacancies, volunteers respond, staff verify organisations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from voorelkaar import posts
from voorelkaar.auth.access import role_required, staff_required
from voorelkaar.db import get_session
from voorelkaar.forms import BaseForm
from voorelkaar.help_requests.services import known_skills
from voorelkaar.idempotency import already_created
from voorelkaar.models import (
    Organisation,
    RequestState,
    ResponseStage,
    Role,
    Vacancy,
    VacancyResponse,
)
from voorelkaar.moderation.services import post_url
from voorelkaar.organisations import services
from voorelkaar.organisations.forms import (
    AnswerForm,
    CloseForm,
    OrganisationForm,
    RejectForm,
    ResponseForm,
    StageForm,
    VacancyBrowseForm,
    VacancyForm,
)
from voorelkaar.tasks.services import local_today

bp = Blueprint("organisations", __name__, template_folder="templates")

organisation_required = role_required(Role.ORGANISATION)

# Where the organisation is with a volunteer who responded, as both of them read it.
STAGE_LABELS = {
    ResponseStage.NEW: _l("Nieuw"),
    ResponseStage.TALKING: _l("In gesprek"),
    ResponseStage.ACCEPTED: _l("Aangenomen"),
    ResponseStage.DECLINED: _l("Afgewezen"),
}
# The button that takes a response to that stage.
STAGE_BUTTONS = {
    ResponseStage.TALKING: _l("Uitnodigen voor een gesprek"),
    ResponseStage.ACCEPTED: _l("Aannemen"),
    ResponseStage.DECLINED: _l("Afwijzen"),
}

# The status of a vacancy its organisation closed; other states use state_label.
CLOSED_LABELS = {
    RequestState.DONE: _l("gesloten, vervuld"),
    RequestState.CANCELLED: _l("gesloten, niet meer nodig"),
}


@bp.route("/vacatures")
def vacancies():
    """Open vacancies of verified organisations, with filters; readable by everyone."""
    db = get_session()
    form = VacancyBrowseForm(request.args, neighbourhoods=posts.wijken(db))
    results = posts.results_for(
        form, current_user, lambda filters, page: services.browse_vacancies(db, filters, page)
    )
    return render_template("organisations/vacancies.html", form=form, results=results)


@bp.route("/vacatures/<int:vacancy_id>")
def vacancy(vacancy_id):
    """One vacancy; members of its organisation and staff also see it before it is public."""
    db = get_session()
    item = services.vacancy_for(db, current_user, vacancy_id) or abort(404)
    return _vacancy_page(db, item, ResponseForm())


def _vacancy_page(db, item, form: ResponseForm, close_form: CloseForm | None = None):
    authenticated = current_user.is_authenticated
    manage = authenticated and services.may_manage(db, current_user, item)
    if close_form is None and manage and item.state == RequestState.OPEN:
        close_form = _close_form(item, formdata=None)
    return render_template(
        "organisations/vacancy.html",
        item=item,
        manage=manage,
        edit_url=post_url(item, edit=True) if manage and item.state in services.EDITABLE else None,
        member=authenticated and services.is_member(db, current_user, item.organisation_id),
        may_respond=services.may_respond(db, current_user, item),
        responses=services.responses_to(db, item, current_user) if authenticated else [],
        form=form,
        closed=services.is_closed(db, item),
        filled=item.state == RequestState.DONE,
        close_form=close_form,
        contact=services.contact_person(db, item),
        places_filled=services.places_filled(db, item) if item.places else 0,
        stage_labels=STAGE_LABELS,
        in_touch=services.IN_TOUCH,
    )


def _close_form(vacancy: Vacancy, **kwargs) -> CloseForm:
    """The form that closes vacancy; formdata=None for an empty one."""
    return CloseForm(prefix=f"sluiten{vacancy.id}", **kwargs)


@bp.route("/vacatures/nieuw", methods=["GET", "POST"])
@organisation_required
def create_vacancy():
    """Post a vacancy for my organisation."""
    db = get_session()
    organisations = services.organisations_of(db, current_user)
    if not organisations:
        flash(_("Meld eerst uw organisatie aan. Daarna kunt u vacatures plaatsen."), "info")
        return redirect(url_for("organisations.register"))
    members = {m.id: m for o in organisations for m in services.members_of(db, o.id)}
    form = VacancyForm(organisations=organisations, members=members.values())
    if request.method == "GET":
        form.contact.data = str(current_user.id)
    if form.validate_on_submit():
        organisation = form.chosen_organisation()
        item = already_created(db, current_user, Vacancy) or services.post_vacancy(
            db, current_user, organisation, form.details()
        )
        if organisation.verified_at is None:
            flash(
                _(
                    "Dank u wel. De vacature komt online als de coördinator uw organisatie heeft gecontroleerd."
                ),
                "success",
            )
        elif item.state == RequestState.PENDING:
            flash(_("Dank u wel. De vacature wordt eerst bekeken door een coördinator."), "success")
        else:
            flash(_("Dank u wel. De vacature staat online."), "success")
        return redirect(url_for("organisations.vacancy", vacancy_id=item.id))
    return render_template(
        "organisations/vacancy_form.html", form=form, skills=known_skills(db), editing=None
    )


@bp.route("/vacatures/<int:vacancy_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_vacancy(vacancy_id):
    """Change a vacancy; staff may edit before approving."""
    db = get_session()
    item = services.vacancy_for(db, current_user, vacancy_id)
    if item is None or not services.may_manage(db, current_user, item):
        abort(404)
    if item.state not in services.EDITABLE:
        flash(_("Deze vacature kan niet meer worden gewijzigd."), "info")
        return redirect(url_for("organisations.vacancy", vacancy_id=vacancy_id))
    form = VacancyForm(editing=True, members=services.members_of(db, item.organisation_id))
    if request.method == "GET":
        form.fill_from(item)
    if form.validate_on_submit():
        services.update_vacancy(db, current_user, item, form.details())
        flash(_("De vacature is opgeslagen."), "success")
        return redirect(url_for("organisations.vacancy", vacancy_id=vacancy_id))
    return render_template(
        "organisations/vacancy_form.html", form=form, skills=known_skills(db), editing=item
    )


@bp.route("/vacatures/<int:vacancy_id>/reageren", methods=["POST"])
@role_required(Role.VOLUNTEER)
def respond(vacancy_id):
    """Respond to a vacancy with a short message."""
    db = get_session()
    item = services.vacancy_for(db, current_user, vacancy_id) or abort(404)
    if item.state in services.CLOSED:
        flash(_("Deze vacature is gesloten. U kunt niet meer reageren."), "info")
        return redirect(url_for("organisations.vacancy", vacancy_id=vacancy_id))
    if not services.may_respond(db, current_user, item):
        abort(403)
    form = ResponseForm()
    if not form.validate_on_submit():
        return _vacancy_page(db, item, form)
    try:
        if not already_created(db, current_user, VacancyResponse):
            services.respond(db, current_user, item, form.message.data)
    except services.VacancyClosed:
        flash(_("Deze vacature is gesloten. U kunt niet meer reageren."), "info")
    except services.NotAllowed:  # no longer public since the check above
        abort(403)
    except services.AlreadyResponded:
        flash(_("U heeft al gereageerd op deze vacature."), "info")
    else:
        flash(_("Uw reactie is verstuurd. De organisatie krijgt een e-mail."), "success")
    return redirect(url_for("organisations.vacancy", vacancy_id=vacancy_id))


@bp.route("/mijn-organisatie")
@organisation_required
def dashboard():
    """My organisation's vacancies and who responded to them."""
    return _dashboard_page(get_session())


def _dashboard_page(db, failed: AnswerForm | CloseForm | None = None, failed_id: int | None = None):
    """The dashboard; failed is an answer (failed_id: its response) or close form with errors."""
    overviews = services.dashboard(db, current_user)
    vacancies = [vacancy for overview in overviews for vacancy, _responses in overview.vacancies]
    forms = {
        response.id: AnswerForm(prefix=f"antwoord{response.id}", formdata=None)
        for overview in overviews
        for _vacancy, responses in overview.vacancies
        for response in responses
    }
    close_forms = {
        vacancy.id: _close_form(vacancy, formdata=None)
        for vacancy in vacancies
        if vacancy.state == RequestState.OPEN
    }
    if isinstance(failed, CloseForm):
        close_forms[failed_id] = failed
    elif failed is not None:
        forms[failed_id] = failed
    return render_template(
        "organisations/dashboard.html",
        overviews=overviews,
        answer_forms=forms,
        close_forms=close_forms,
        closed_ids=services.closed_ids(db, (vacancy.id for vacancy in vacancies)),
        closed_labels=CLOSED_LABELS,
        form=failed,
        stage_labels=STAGE_LABELS,
        stage_buttons=STAGE_BUTTONS,
        next_stages=services.NEXT_STAGES,
        in_touch=services.IN_TOUCH,
        filled={v.id: services.places_filled(db, v) for v in vacancies if v.places},
        vog_day=local_today(),
    )


@bp.route("/vacatures/<int:vacancy_id>/sluiten", methods=["POST"])
@login_required
def close_vacancy(vacancy_id):
    """Close a vacancy: filled, or no longer needed."""
    db = get_session()
    item = services.vacancy_for(db, current_user, vacancy_id)
    if item is None or not services.may_manage(db, current_user, item):
        abort(404)
    form = _close_form(item)
    to_dashboard = form.from_dashboard and current_user.has_role(Role.ORGANISATION)
    if not form.validate_on_submit():
        if to_dashboard:
            return _dashboard_page(db, form, vacancy_id)
        return _vacancy_page(db, item, ResponseForm(formdata=None), form)
    try:
        closed = services.close_vacancy(db, current_user, item, form.outcome())
    except services.NotAllowed:
        flash(_("Alleen een vacature die online staat, kunt u sluiten."), "info")
    else:
        if closed:
            flash(
                _("De vacature is gesloten. Hij staat niet meer in de lijst met vacatures."),
                "success",
            )
        else:
            flash(_("Deze vacature is al gesloten."), "info")
    if to_dashboard:
        return redirect(url_for("organisations.dashboard"))
    return redirect(url_for("organisations.vacancy", vacancy_id=vacancy_id))


@bp.route("/mijn-organisatie/reacties/<int:response_id>/antwoorden", methods=["POST"])
@organisation_required
def answer(response_id):
    """Answer a volunteer who responded."""
    db = get_session()
    response = services.response_for(db, current_user, response_id) or abort(404)
    form = AnswerForm(prefix=f"antwoord{response_id}")
    if not form.validate_on_submit():
        return _dashboard_page(db, form, response_id)
    if not already_created(db, current_user, VacancyResponse):
        services.answer_response(db, current_user, response, form.answer.data)
    flash(_("Uw antwoord is verstuurd."), "success")
    return redirect(url_for("organisations.dashboard"))


@bp.route("/mijn-organisatie/reacties/<int:response_id>/stap", methods=["POST"])
@organisation_required
def move(response_id):
    """Take a response to its next stage: invite for a talk, accept or decline."""
    db = get_session()
    response = services.response_for(db, current_user, response_id) or abort(404)
    form = StageForm()
    if not form.validate_on_submit():  # only a forged or broken form has no known step
        flash(_("Kies wat u wilt doen met deze reactie."), "error")
        return _dashboard_page(db), 422
    stage = form.stage()
    name = response.volunteer.first_name
    try:
        moved = services.move_response(db, current_user, response, stage)
    except services.NotAllowed:
        moved = False
    if not moved:
        flash(
            _('Deze reactie staat al op "%(stage)s".', stage=STAGE_LABELS[response.stage]),
            "info",
        )
    elif stage == ResponseStage.TALKING:
        flash(
            _(
                "%(name)s krijgt een e-mail met uw gegevens. Hieronder ziet u hoe u %(name)s "
                "bereikt.",
                name=name,
            ),
            "success",
        )
    elif stage == ResponseStage.ACCEPTED:
        flash(_("%(name)s is aangenomen en krijgt een e-mail.", name=name), "success")
        vacancy = response.vacancy
        if vacancy.places and services.places_filled(db, vacancy) >= vacancy.places:
            flash(_("Alle plekken zijn nu gevuld. U kunt de vacature sluiten."), "info")
    else:
        flash(_("%(name)s krijgt een e-mail dat het niet doorgaat.", name=name), "success")
    return redirect(url_for("organisations.dashboard") + f"#reactie-{response_id}")


@bp.route("/organisatie-aanmelden", methods=["GET", "POST"])
@login_required
def register():
    """Sign up an organisation; a coordinator approves it before it can post vacancies."""
    db = get_session()
    form = OrganisationForm()
    if form.validate_on_submit():
        if not already_created(db, current_user, Organisation):
            services.register_organisation(db, current_user, form.details())
        flash(_("Uw organisatie is aangemeld. Een coördinator controleert de gegevens."), "success")
        if not current_user.has_role(Role.ORGANISATION):
            flash(_("U krijgt een e-mail zodra de aanmelding is goedgekeurd."), "info")
            return redirect(url_for("pages.home"))
        return redirect(url_for("organisations.dashboard"))
    return render_template("organisations/register.html", form=form)


@bp.route("/beheer/organisaties")
@staff_required
def verification():
    """Organisations, to verify or to stop trusting."""
    return _verification_page()


def _reject_form(organisation: Organisation, **kwargs) -> RejectForm:
    """One form per application on the page, each with its own field ids and label."""
    form = RejectForm(prefix=f"afwijzen-{organisation.id}", **kwargs)
    form.reason.label.text = _(
        "Waarom keurt u de aanmelding van %(name)s af?", name=organisation.name
    )
    return form


def _verification_page(failed: RejectForm | None = None, failed_id: int | None = None):
    organisations = services.all_organisations(get_session(), current_user)
    forms = {
        item.id: _reject_form(item, formdata=None)
        for item in organisations
        if item.verified_at is None and item.verified_by_id is None
    }
    if failed is not None:
        forms[failed_id] = failed
    return render_template(
        "organisations/verification.html",
        organisations=organisations,
        action_form=BaseForm(),
        reject_forms=forms,
        failed_id=failed_id,
    )


@bp.route("/beheer/organisaties/<int:organisation_id>/afwijzen", methods=["POST"])
@staff_required
def reject(organisation_id):
    """Turn down an application, with a reason the applicants receive."""
    db = get_session()
    organisation = services.organisation_for(db, current_user, organisation_id) or abort(404)
    form = _reject_form(organisation)
    if not form.validate_on_submit():
        return _verification_page(form, organisation_id), 422
    name = organisation.name
    try:
        services.reject_application(db, current_user, organisation, form.reason.data)
    except services.NotAllowed:
        db.rollback()
        flash(
            _("Deze organisatie is al goedgekeurd. Trek de goedkeuring in als dat nodig is."),
            "error",
        )
        return redirect(url_for("organisations.verification"))
    flash(
        _("De aanmelding van %(name)s is afgewezen. De aanvrager krijgt een e-mail.", name=name),
        "success",
    )
    return redirect(url_for("organisations.verification"))


def _set_verified(organisation_id: int, verified: bool):
    db = get_session()
    organisation = services.organisation_for(db, current_user, organisation_id) or abort(404)
    services.set_verified(db, current_user, organisation, verified)
    return organisation


@bp.route("/beheer/organisaties/<int:organisation_id>/goedkeuren", methods=["POST"])
@staff_required
def verify(organisation_id):
    """Vouch for an organisation: its approved vacancies go public."""
    organisation = _set_verified(organisation_id, True)
    flash(_("%(name)s is gecontroleerd.", name=organisation.name), "success")
    return redirect(url_for("organisations.verification"))


@bp.route("/beheer/organisaties/<int:organisation_id>/intrekken", methods=["POST"])
@staff_required
def unverify(organisation_id):
    """Withdraw the check: the organisation's vacancies leave the public list."""
    organisation = _set_verified(organisation_id, False)
    flash(
        _(
            "%(name)s is niet meer gecontroleerd. De vacatures zijn offline.",
            name=organisation.name,
        ),
        "info",
    )
    return redirect(url_for("organisations.verification"))

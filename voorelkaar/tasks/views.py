"""The staff queue: see what needs a person, take it on, say what was done."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from voorelkaar.audit import record
from voorelkaar.auth.access import is_staff, staff_required
from voorelkaar.db import get_session
from voorelkaar.models import CheckinAnswer, StaffTask, TaskKind
from voorelkaar.people.forms import ContactNoteForm
from voorelkaar.people.services import VIEWED, contact_notes
from voorelkaar.tasks import services
from voorelkaar.tasks.forms import KIND_LABELS, OutcomeForm, QueueForm

bp = Blueprint("tasks", __name__, template_folder="templates")

KIND_EXPLANATIONS = {
    TaskKind.REQUEST_UNMATCHED: _l(
        "Deze hulpvraag staat al 7 dagen open. Er is nog geen vrijwilliger gevonden. "
        "Nodig zelf een vrijwilliger uit, of bel de hulpvrager."
    ),
    TaskKind.MATCH_FAILED: _l(
        "Op de vraag 'Is het gelukt?' kwam het antwoord 'nee'. "
        "Vraag wat er mis ging, en of er nog hulp nodig is."
    ),
    TaskKind.CHECKIN_HEAVY: _l(
        "Deze mantelzorger zegt dat het zwaar is. Neem contact op en vraag wat zou helpen."
    ),
    TaskKind.CHECKIN_SILENT: _l(
        "Deze mantelzorger gaf geen antwoord op de vraag hoe het gaat, "
        "ook niet na een herinnering. Neem contact op."
    ),
    TaskKind.MAIL_FAILED: _l(
        "Een e-mail aan deze persoon kwam niet aan, ook niet na een paar pogingen of drie "
        "dagen wachten. Misschien klopt het e-mailadres niet, of werkte onze e-mail een "
        "tijd niet. Bel de persoon, of controleer het adres."
    ),
    TaskKind.REFERRAL_EXPIRED: _l(
        "Een inwoner is verwezen, maar reageerde niet binnen 30 dagen op de uitnodiging. "
        "Neem contact op en vraag of er nog hulp nodig is."
    ),
    TaskKind.MATCH_CANCELLED: _l(
        "Een afspraak gaat niet door, kort van tevoren of voor iemand zonder eigen account. "
        "De hulpvraag staat weer online. Kan een andere vrijwilliger helpen? "
        "Bel de hulpvrager als die het niet per e-mail hoort."
    ),
    TaskKind.OFFER_UNANSWERED: _l(
        "Een vrijwilliger bood 7 dagen geleden hulp aan, maar de hulpvrager gaf nog geen "
        "antwoord, ook niet na een herinnering. Bel de hulpvrager, of bevestig zelf."
    ),
    TaskKind.CALL_PERSON: _l(
        "Deze persoon heeft geen e-mailadres. Wij zouden dit bericht mailen. Bel de persoon "
        "en vertel het bericht hieronder, of print het als brief en stuur die op."
    ),
}

ANSWER_LABELS = {
    CheckinAnswer.GOOD: _l("goed"),
    CheckinAnswer.COPING: _l("het gaat"),
    CheckinAnswer.HEAVY: _l("zwaar"),
}


@bp.app_context_processor
def _labels():
    return {
        "kind_label": lambda kind: str(KIND_LABELS.get(kind, kind)),
        "kind_explanation": lambda kind: KIND_EXPLANATIONS.get(kind, ""),
        "answer_label": lambda answer: str(ANSWER_LABELS.get(answer, _("geen antwoord"))),
    }


@bp.app_template_global("open_task_count")
def open_task_count() -> int:
    """How many tasks wait in the staff queue (for the staff home page)."""
    if not is_staff(current_user):
        return 0
    return services.count_open(get_session(), current_user)


def _task_or_404(task_id: int) -> StaffTask:
    return services.task_for(get_session(), current_user, task_id) or abort(404)


@bp.route("/taken")
@staff_required
def queue():
    """The tasks for staff: open ones oldest first, or mine, or closed ones."""
    db = get_session()
    form = QueueForm(request.args, neighbourhoods=services.neighbourhood_choices(db, current_user))
    form.validate()
    page = services.list_tasks(
        db,
        current_user,
        form.view,
        newest_first=form.newest_first,
        page=request.args.get("pagina", 1, type=int),
        filters=form.filters,
    )
    return render_template(
        "tasks/queue.html",
        form=form,
        page=page,
        view=form.view,
        views=services.TaskView,
        mine_count=services.count_open(db, current_user, mine=True),
    )


def render_detail(task: StaffTask, form: OutcomeForm | None = None, contact_form=None):
    """The task page; with a form that has errors when a POST was refused."""
    db = get_session()
    carer = services.carer_of(task)
    form = form or OutcomeForm(formdata=None)
    contact_form = contact_form or ContactNoteForm(formdata=None)
    return render_template(
        "tasks/detail.html",
        task=task,
        detail=services.detail_text(db, task),
        form=contact_form if contact_form.errors else form,
        outcome_form=form,
        contact_form=contact_form,
        contact_notes=contact_notes(db, task.person, task) if task.person else [],
        carer=carer,
        profile=services.carer_profile(db, carer) if carer else None,
        history=services.checkin_history(db, carer) if carer else [],
        may_release=services.may_release(current_user, task),
    )


@bp.route("/taken/<int:task_id>")
@staff_required
def detail(task_id):
    """One task: what happened, for whom, and what staff did about it."""
    task = _task_or_404(task_id)
    if task.person is not None:
        # The page shows the person's contact details (and a carer's check-ins): that is
        # opening a personal record, so the audit trail says who looked, and why.
        db = get_session()
        record(db, current_user, VIEWED, task.person, f"taak {task.id}")
        db.commit()
    return render_detail(task)


def _refusal(error: services.TaskError) -> str:
    if isinstance(error, services.TaskClosed):
        return _("Deze taak is al afgesloten.")
    if isinstance(error, services.ClaimedByOther):
        name = error.holder.name if error.holder else _("een collega")
        return _(
            "Deze taak is al opgepakt door %(name)s. Wilt u hem overnemen? "
            "Vraag %(name)s dan om de taak los te laten.",
            name=name,
        )
    if isinstance(error, services.NotClaimed):
        return _("Niemand heeft deze taak opgepakt.")
    return _("De taak is net veranderd. Bekijk hem opnieuw en probeer het nog eens.")


@bp.route("/taken/<int:task_id>/oppakken", methods=["POST"])
@staff_required
def claim(task_id):
    """Take a task on, so colleagues see someone is on it."""
    task = _task_or_404(task_id)
    try:
        taken = services.claim_task(get_session(), current_user, task)
    except services.TaskError as error:
        flash(_refusal(error), "info")
    else:
        if taken:
            flash(_("U heeft deze taak opgepakt."), "success")
        else:
            flash(_("U had deze taak al opgepakt."), "info")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.route("/taken/<int:task_id>/loslaten", methods=["POST"])
@staff_required
def release(task_id):
    """Give a task back to the queue, so a colleague can take it on."""
    task = _task_or_404(task_id)
    try:
        services.release_task(get_session(), current_user, task)
    except services.TaskError as error:
        flash(_refusal(error), "info")
    else:
        flash(_("De taak staat weer open voor iedereen."), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.route("/taken/<int:task_id>/afsluiten", methods=["POST"])
@staff_required
def close(task_id):
    """Record what was done and close the task."""
    task = _task_or_404(task_id)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return render_detail(task, form)
    try:
        services.close_task(get_session(), current_user, task, form.outcome.data)
    except services.TaskError as error:
        flash(_refusal(error), "info")
        return redirect(url_for("tasks.detail", task_id=task_id))
    flash(_("De taak is afgesloten. Dank u wel."), "success")
    return redirect(url_for("tasks.queue"))

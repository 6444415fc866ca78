"""The staff queue: see what needs a person, take it on, say what was done."""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from voorelkaar.audit import record
from voorelkaar.auth.access import is_staff, staff_required
from voorelkaar.db import get_session, utcnow
from voorelkaar.idempotency import already_created
from voorelkaar.models import CheckinAnswer, StaffTask, TaskKind
from voorelkaar.people.forms import ContactNoteForm
from voorelkaar.people.services import VIEWED, contact_notes, person_for
from voorelkaar.tasks import services
from voorelkaar.tasks.forms import (
    KIND_LABELS,
    FollowUpForm,
    HandOverForm,
    ManualTaskForm,
    OutcomeForm,
    QueueForm,
)

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
    TaskKind.CIRCLE_STUCK: _l(
        "Deze hulpvraag ging eerst naar het eigen netwerk van de hulpvrager. Niemand daar zei "
        "ja, en de hulpvrager zei niet of de vraag naar vrijwilligers in de wijk mag. Bel de "
        "hulpvrager. Mag het? Zet de vraag dan zelf door naar de wijk."
    ),
    TaskKind.NETWORK_COACH: _l(
        "Deze persoon deed de netwerkcheck en wil praten met een netwerkcoach. De persoon gaf "
        "daarvoor toestemming. Bel om een gesprek af te spreken."
    ),
    TaskKind.MANUAL: _l("Een collega maakte deze taak zelf, bij deze persoon."),
}

ANSWER_LABELS = {
    CheckinAnswer.GOOD: _l("goed"),
    CheckinAnswer.COPING: _l("het gaat"),
    CheckinAnswer.HEAVY: _l("zwaar"),
}


def subject_link(task: StaffTask | services.TaskRow) -> Markup:
    """What a task is about, linked: its request, referral, carer or what was mailed.

    A call is about its message ("Bel mevrouw X op …: Sanne komt dinsdag"): that line
    is what a staff member scanning the list needs, with the request beside it."""
    if task.kind == TaskKind.CALL_PERSON and task.detail and task.person is not None:
        line = _(
            "Bel %(name)s op %(phone)s: %(message)s",
            name=task.person.name,
            phone=task.person.phone or _("(nummer niet bekend)"),
            message=task.detail.partition("\n")[0][:120],
        )
        if task.request is not None:
            url = url_for("help_requests.detail", request_id=task.request.id)
            return Markup('%s (<a href="%s">%s</a>)') % (line, url, task.request.title)
        return Markup("%s") % line
    if task.request is not None:
        url = url_for("help_requests.detail", request_id=task.request.id)
        return Markup('<a href="%s">%s</a>') % (url, task.request.title)
    if task.referral is not None:
        url = url_for("referrals.detail", referral_id=task.referral.id)
        label = _("ingetrokken verwijzing") if task.referral.withdrawn_at else _("verwijzing")
        return Markup('<a href="%s">%s</a>') % (url, label)
    carer = services.carer_of(task)
    if carer is not None:
        return Markup("%s") % _("check-in van %(name)s", name=carer.name)
    if task.title:
        return Markup("%s") % task.title
    return Markup("%s") % (task.detail.partition("\n")[0][:80] or "–")


def days_since(moment: datetime) -> int:
    """Whole days from moment until now."""
    return max(0, (utcnow() - moment).days)


@bp.app_context_processor
def _labels():
    return {
        "subject_link": subject_link,
        "days_since": days_since,
        "short_date": lambda day: format_date(day, "d MMM"),
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
        after=services.Cursor.parse(request.args.get("na")),
        before=services.Cursor.parse(request.args.get("voor")),
        number=request.args.get("pagina", 1, type=int),
        filters=form.filters,
    )
    return render_template(
        "tasks/queue.html",
        form=form,
        page=page,
        view=form.view,
        views=services.TaskView,
        mine_count=page.mine,
    )


def render_detail(task: StaffTask, form: OutcomeForm | None = None, contact_form=None, **forms):
    """The task page; with a form that has errors when a POST was refused."""
    db = get_session()
    carer = services.carer_of(task)
    form = form or OutcomeForm(formdata=None)
    contact_form = contact_form or ContactNoteForm(formdata=None)
    colleagues = services.colleagues(db, task.municipality_id)
    follow_up_form = forms.get("follow_up_form") or FollowUpForm(
        formdata=None, follow_up_on=task.follow_up_on
    )
    hand_over_form = forms.get("hand_over_form") or HandOverForm(
        formdata=None, colleagues=colleagues
    )
    failed = next((f for f in (contact_form, follow_up_form, hand_over_form) if f.errors), form)
    return render_template(
        "tasks/detail.html",
        task=task,
        detail=services.detail_text(db, task),
        form=failed,
        outcome_form=form,
        contact_form=contact_form,
        follow_up_form=follow_up_form,
        hand_over_form=hand_over_form,
        contact_notes=contact_notes(db, task.person, task) if task.person else [],
        carer=carer,
        profile=services.carer_profile(db, carer) if carer else None,
        history=services.checkin_history(db, carer) if carer else [],
        may_release=services.may_release(current_user, task),
        may_hand_over=services.may_hand_over(current_user, task) and len(colleagues) > 1,
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
    if isinstance(error, services.NotColleague):
        return _("Die collega werkt niet voor deze gemeente. Kies iemand anders.")
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


@bp.route("/taken/<int:task_id>/opvolgen", methods=["POST"])
@staff_required
def follow_up(task_id):
    """Set (or clear) the day someone looks at the task again."""
    task = _task_or_404(task_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return render_detail(task, follow_up_form=form)
    try:
        services.set_follow_up(get_session(), current_user, task, form.follow_up_on.data)
    except services.TaskError as error:
        flash(_refusal(error), "info")
    else:
        if task.follow_up_on:
            flash(
                _("Opvolgen op %(day)s.", day=format_date(task.follow_up_on, "d MMMM y")), "success"
            )
        else:
            flash(_("De taak heeft geen datum om op te volgen meer."), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.route("/taken/<int:task_id>/overdragen", methods=["POST"])
@staff_required
def hand_over(task_id):
    """Give the task to a colleague who works for the same municipality."""
    db = get_session()
    task = _task_or_404(task_id)
    colleagues = services.colleagues(db, task.municipality_id)
    form = HandOverForm(colleagues=colleagues)
    if not form.validate_on_submit():
        return render_detail(task, hand_over_form=form)
    colleague = next(user for user in colleagues if str(user.id) == form.colleague.data)
    try:
        services.hand_over(db, current_user, task, colleague)
    except services.TaskError as error:
        flash(_refusal(error), "info")
    else:
        flash(_("%(name)s heeft deze taak nu.", name=colleague.name), "success")
    return redirect(url_for("tasks.detail", task_id=task_id))


@bp.route("/mensen/<int:user_id>/taak", methods=["GET", "POST"])
@staff_required
def new_for_person(user_id):
    """Make a task by hand for a person: call back, visit, check something."""
    db = get_session()
    person = person_for(db, current_user, user_id) or abort(404)
    form = ManualTaskForm(colleagues=services.colleagues(db, person.municipality_id))
    if form.validate_on_submit():
        task = already_created(db, current_user, StaffTask)
        if task is None:
            try:
                task = services.add_manual_task(db, current_user, person, form.details())
            except services.TaskError:
                db.rollback()
                abort(404)
        flash(_("De taak staat in de takenlijst."), "success")
        return redirect(url_for("tasks.detail", task_id=task.id))
    return render_template("tasks/new.html", form=form, person=person)

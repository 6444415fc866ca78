"""Staff take a phone call: one form makes the caller's record, their request and a note."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from voorelkaar.auth.access import staff_required
from voorelkaar.db import get_session
from voorelkaar.help_requests.services import active_categories, known_skills
from voorelkaar.idempotency import already_created
from voorelkaar.intake import services
from voorelkaar.intake.forms import IntakeForm
from voorelkaar.models import ContactNote, User
from voorelkaar.tenancy import serves

bp = Blueprint("intake", __name__, template_folder="templates")

CONTINUE = "doorgaan_met"  # the button that takes the call on for a person already known


def _render(form: IntakeForm, known: User | None = None):
    db = get_session()
    return render_template(
        "intake/form.html",
        form=form,
        known=known,
        known_here=known is not None and serves(db, current_user, known.municipality_id),
        skills=known_skills(db),
        continue_name=CONTINUE,
    )


def _continue_with(db) -> User | None:
    """The known person staff chose to go on with, if they pressed that button."""
    chosen = request.form.get(CONTINUE, type=int)
    if chosen is None:
        return None
    person = db.get(User, chosen)
    if person is None or not serves(db, current_user, person.municipality_id):
        abort(404)
    return person


@bp.route("/telefoon/nieuw", methods=["GET", "POST"])
@staff_required
def new():
    """Take a call: who calls, (optionally) what they ask, and what was said."""
    db = get_session()
    form = IntakeForm(categories=active_categories(db))
    if not form.validate_on_submit():
        return _render(form)
    # A second POST of this form (a double click) lands on what the first one made.
    earlier = already_created(db, current_user, ContactNote)
    if earlier is not None:
        return redirect(url_for("people.person", user_id=earlier.person_id, _anchor="contact"))
    person = _continue_with(db)
    if person is None:
        known = services.known_person(db, form.phone.data, form.email.data)
        if known is not None:
            # Not made twice: staff see who it is and choose to go on with them. The
            # token's claim is not committed: the form keeps it for that next POST.
            db.rollback()
            return _render(form, known=known)
    try:
        intake = services.take_call(
            db,
            current_user,
            caller=None if person else form.caller(),
            person=person,
            details=form.details() if form.with_request.data else None,
            note=form.note.data,
        )
    except services.IntakeError:
        abort(404)
    name = intake.person.name
    if intake.new_person:
        message = _("%(name)s is aangemeld.", name=name)
    else:
        message = _("Het telefoongesprek met %(name)s is opgeslagen.", name=name)
    if intake.request is not None:
        message += " " + _("De hulpvraag staat online.")
    flash(message, "success")
    return redirect(url_for("people.person", user_id=intake.person.id))


@bp.route("/telefoon/brief/<int:task_id>")
@staff_required
def letter(task_id):
    """The message of a call task as a letter to print, for someone without email."""
    task = services.letter_task(get_session(), current_user, task_id) or abort(404)
    subject, _blank, body = task.detail.partition("\n\n")
    return render_template("intake/letter.html", task=task, subject=subject, body=body)

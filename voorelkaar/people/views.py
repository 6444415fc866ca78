"""Staff see one person's whole story on one page; every look is written to the audit trail."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from voorelkaar.admin.forms import ROLE_LABELS
from voorelkaar.auth.access import staff_required
from voorelkaar.db import get_session
from voorelkaar.idempotency import already_created
from voorelkaar.models import ContactKind, ContactNote, User
from voorelkaar.people import services
from voorelkaar.people.forms import CONTACT_KIND_LABELS, ContactNoteForm
from voorelkaar.tasks.views import render_detail

bp = Blueprint("people", __name__, template_folder="templates")


@bp.app_template_global("contact_kind_label")
def contact_kind_label(kind) -> str:
    return str(CONTACT_KIND_LABELS.get(kind, kind))


def _person_or_404(user_id: int) -> User:
    return services.person_for(get_session(), current_user, user_id) or abort(404)


def _page(person: User, why: str | None, form: ContactNoteForm):
    db = get_session()
    reason = services.reason_for(db, person, why)
    item = services.view_record(db, current_user, person, reason)
    return render_template(
        "people/person.html",
        item=item,
        person=person,
        form=form,
        role_labels=ROLE_LABELS,
    )


@bp.route("/mensen/<int:user_id>")
@staff_required
def person(user_id):
    """One person's requests, matches, check-ins, referrals, contacts and tasks."""
    return _page(_person_or_404(user_id), request.args.get("waarom"), ContactNoteForm())


@bp.route("/mensen/<int:user_id>/contact", methods=["POST"])
@staff_required
def add_contact(user_id):
    """Write down a phone call or home visit, from the person page or a task."""
    db = get_session()
    person = _person_or_404(user_id)
    form = ContactNoteForm()
    task = services.task_for(db, person, form.task.data)
    if not form.validate_on_submit():
        if task is not None:
            return render_detail(task, contact_form=form)
        return _page(person, None, form)
    if not already_created(db, current_user, ContactNote):
        services.add_contact_note(
            db, current_user, person, ContactKind(form.kind.data), form.body.data, task
        )
    flash(_("Het contact is opgeslagen."), "success")
    if task is not None:
        return redirect(url_for("tasks.detail", task_id=task.id, _anchor="contact"))
    return redirect(url_for("people.person", user_id=person.id, _anchor="contact"))

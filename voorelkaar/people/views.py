"""Staff see one person's whole story on one page; every look is written to the audit trail."""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from voorelkaar.admin.forms import ROLE_LABELS
from voorelkaar.auth.access import staff_required
from voorelkaar.db import get_session
from voorelkaar.i18n import AMSTERDAM, WEEKDAYS
from voorelkaar.idempotency import already_created
from voorelkaar.intake.services import known_person
from voorelkaar.models import ContactKind, ContactNote, NetworkMember, User
from voorelkaar.municipalities.services import categories_for
from voorelkaar.network.forms import CoachMemberForm
from voorelkaar.network.services import add_member
from voorelkaar.network.views import member_details
from voorelkaar.people import services
from voorelkaar.people.forms import (
    CONTACT_KIND_LABELS,
    ContactDetailsForm,
    ContactNoteForm,
    NetworkReasonForm,
    NewPersonForm,
)
from voorelkaar.tasks.views import render_detail

bp = Blueprint("people", __name__, template_folder="templates")


@bp.app_template_global("contact_kind_label")
def contact_kind_label(kind) -> str:
    return str(CONTACT_KIND_LABELS.get(kind, kind))


@bp.app_template_global("account_label")
def account_label(person: User) -> str | None:
    """ "geen account, bereikbaar via telefoon" for a record without a login; else None."""
    if services.has_login(person):
        return None
    if person.email:
        return _("geen account, bereikbaar via telefoon of e-mail")
    return _("geen account, bereikbaar via telefoon")


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
        may_edit=services.may_edit_contact(current_user, person),
        weekdays=WEEKDAYS,
        today=datetime.now(AMSTERDAM).date(),
    )


@bp.route("/mensen/<int:user_id>")
@staff_required
def person(user_id):
    """One person's requests, matches, check-ins, referrals, contacts and tasks."""
    return _page(_person_or_404(user_id), request.args.get("waarom"), ContactNoteForm())


def _coach_form(db, person: User) -> CoachMemberForm:
    form = CoachMemberForm()
    locale = str(get_locale())
    form.categories.choices = [
        SelectChoice(category.slug, category.name(locale))
        for category in categories_for(db, person)
    ]
    return form


def _network_page(person: User, form, coach_form, members):
    return render_template(
        "people/network.html", person=person, form=form, coach_form=coach_form, members=members
    )


@bp.route("/mensen/<int:user_id>/netwerk", methods=["GET", "POST"])
@staff_required
def network(user_id):
    """A person's own network, shown to staff only with a reason, which is audited."""
    db = get_session()
    person = _person_or_404(user_id)
    form = NetworkReasonForm()
    members = None
    if form.validate_on_submit():
        members = services.view_network(db, current_user, person, form.reason.data)
    return _network_page(person, form, _coach_form(db, person), members)


@bp.route("/mensen/<int:user_id>/netwerk/toevoegen", methods=["POST"])
@staff_required
def add_to_network(user_id):
    """A network coach adds a person to the resident's network, with their consent."""
    db = get_session()
    person = _person_or_404(user_id)
    coach_form = _coach_form(db, person)
    if not coach_form.validate_on_submit():
        members = services.view_network(db, current_user, person, "netwerkcoach: invullen")
        return _network_page(person, NetworkReasonForm(formdata=None), coach_form, members), 422
    member = already_created(db, current_user, NetworkMember) or add_member(
        db, person, member_details(coach_form), coach=current_user
    )
    flash(_("%(name)s staat nu in het netwerk.", name=member.first_name), "success")
    members = services.view_network(db, current_user, person, "netwerkcoach: invullen")
    return _network_page(person, NetworkReasonForm(formdata=None), _coach_form(db, person), members)


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
            db,
            current_user,
            person,
            ContactKind(form.kind.data),
            form.body.data,
            task,
            minutes=form.minutes.data,
        )
    flash(_("Het contact is opgeslagen."), "success")
    if task is not None:
        return redirect(url_for("tasks.detail", task_id=task.id, _anchor="contact"))
    return redirect(url_for("people.person", user_id=person.id, _anchor="contact"))


@bp.route("/mensen/<int:user_id>/gegevens", methods=["GET", "POST"])
@staff_required
def edit_contact(user_id):
    """Correct a person's name, email, phone or address; the change is in the audit trail."""
    db = get_session()
    person = _person_or_404(user_id)
    if not services.may_edit_contact(current_user, person):
        abort(404)
    form = ContactDetailsForm(person=person)
    if request.method == "GET":
        form.fill_from(person)
    if form.validate_on_submit():
        try:
            changed = services.update_contact(db, current_user, person, form.details())
        except services.EmailTaken:
            form.email.errors.append(_("Dit e-mailadres hoort al bij een ander account."))
        else:
            if changed:
                flash(
                    _("De gegevens zijn opgeslagen: %(fields)s.", fields=", ".join(changed)),
                    "success",
                )
            else:
                flash(_("Er is niets veranderd."), "info")
            return redirect(url_for("people.person", user_id=person.id, _anchor="gegevens"))
    return render_template("people/contact.html", form=form, person=person)


@bp.route("/mensen/nieuw", methods=["GET", "POST"])
@staff_required
def new():
    """A record for a resident without an account, reachable by phone."""
    db = get_session()
    form = NewPersonForm()
    known = None
    if form.validate_on_submit():
        earlier = already_created(db, current_user, User)
        if earlier is not None:
            return redirect(url_for("people.person", user_id=earlier.id))
        known = known_person(db, form.phone.data, form.email.data)
        if known is None:
            try:
                person = services.add_record(db, current_user, form.details())
            except services.EmailTaken:
                form.email.errors.append(_("Dit e-mailadres hoort al bij een ander account."))
            except services.NotStaff:
                form.postcode.errors.append(
                    _("Dit adres ligt buiten de gemeente waarvoor u werkt. Klopt de postcode?")
                )
            else:
                flash(_("%(name)s staat erin.", name=person.name), "success")
                return redirect(url_for("people.person", user_id=person.id))
        # Not made twice: the token's claim is not committed, so the form can be sent again.
        db.rollback()
    return render_template(
        "people/new.html",
        form=form,
        known=known,
        known_here=known is not None and services.person_for(db, current_user, known.id),
    )

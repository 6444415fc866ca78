"""The carer's page: how often they are asked how they are, a pause, and their answers."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from voorelkaar.auth.access import role_required
from voorelkaar.carers import services
from voorelkaar.carers.answers import thanks_for
from voorelkaar.carers.forms import (
    HEALTH_CONSENT_WORDING,
    CadenceForm,
    CareSituationForm,
    CheckinAnswerForm,
    HealthNoteForm,
)
from voorelkaar.db import get_session, utcnow
from voorelkaar.models import CheckinAnswer, Role

bp = Blueprint("carers", __name__, template_folder="templates")


def _page(cadence_form=None, answer_form=None):
    db = get_session()
    now = utcnow()
    profile = services.profile_for(db, current_user, now)
    waiting = services.open_checkin(db, current_user.id, now)
    if cadence_form is None:
        cadence_form = CadenceForm(formdata=None, data={"cadence": str(profile.cadence_weeks)})
    if waiting is not None and answer_form is None:
        answer_form = CheckinAnswerForm(formdata=None, data={"checkin": str(waiting.id)})
    return render_template(
        "carers/overview.html",
        profile=profile,
        next_at=services.next_checkin_at(profile),
        waiting=waiting,
        cadence_form=cadence_form,
        answer_form=answer_form,
        items=services.history(db, current_user.id),
        labels=services.ANSWER_LABELS,
        form=answer_form if answer_form is not None and answer_form.errors else cadence_form,
    )


@bp.route("/mantelzorg")
@role_required(Role.CARER)
def overview():
    """How often I am asked how I am, a pause, and my answers so far."""
    return _page()


@bp.route("/mantelzorg/hoe-vaak", methods=["POST"])
@role_required(Role.CARER)
def cadence():
    """Choose every 2, 4 or 8 weeks."""
    form = CadenceForm()
    if not form.validate_on_submit():
        return _page(cadence_form=form)
    db = get_session()
    profile = services.profile_for(db, current_user, utcnow())
    weeks = int(form.cadence.data)
    services.change_cadence(db, profile, weeks, utcnow())
    flash(_("Opgeslagen. U krijgt de vraag nu elke %(weeks)d weken.", weeks=weeks), "success")
    return redirect(url_for("carers.overview"))


@bp.route("/mantelzorg/pauzeren", methods=["POST"])
@role_required(Role.CARER)
def pause():
    """Stop the questions for a while."""
    db = get_session()
    services.pause(db, services.profile_for(db, current_user, utcnow()), utcnow())
    flash(_("U krijgt de vraag voorlopig niet meer. U kunt hem altijd weer aanzetten."), "success")
    return redirect(url_for("carers.overview"))


@bp.route("/mantelzorg/hervatten", methods=["POST"])
@role_required(Role.CARER)
def resume():
    """Start the questions again."""
    db = get_session()
    services.resume(db, services.profile_for(db, current_user, utcnow()), utcnow())
    flash(_("U krijgt de vraag weer."), "success")
    return redirect(url_for("carers.overview"))


@bp.route("/mantelzorg/antwoord", methods=["POST"])
@role_required(Role.CARER)
def answer():
    """Answer the open check-in on the site instead of from the email."""
    db = get_session()
    now = utcnow()
    form = CheckinAnswerForm()
    waiting = services.open_checkin(db, current_user.id, now)
    if waiting is None or form.checkin.data != str(waiting.id):
        flash(_("Deze vraag staat niet meer open."), "info")
        return redirect(url_for("carers.overview"))
    if not form.validate_on_submit():
        return _page(answer_form=form)
    answer = CheckinAnswer(form.antwoord.data)
    stored = services.answer_checkin(db, waiting, current_user, answer, form.note.data or "", now)
    flash(thanks_for(answer) if stored else _("Deze vraag had u al beantwoord."), "success")
    return redirect(url_for("carers.overview"))


def _situation_page(situation_form=None, health_form=None):
    profile = services.profile_for(get_session(), current_user, utcnow())
    if situation_form is None:
        situation_form = CareSituationForm(
            formdata=None,
            data={
                "cared_for_name": profile.cared_for_name,
                "relation": profile.relation,
                "care_tasks": profile.care_tasks,
                "care_hours_per_week": profile.care_hours_per_week,
            },
        )
    if health_form is None:
        # The consent box starts unticked, also when a note is kept: each change asks again.
        health_form = HealthNoteForm(formdata=None, data={"health_note": profile.health_note})
    return render_template(
        "carers/situation.html",
        profile=profile,
        situation_form=situation_form,
        health_form=health_form,
        health_note=services.health_note_shown(profile),
        form=health_form if health_form.errors else situation_form,
    )


@bp.route("/mantelzorg/zorgsituatie", methods=["GET", "POST"])
@role_required(Role.CARER)
def situation():
    """For whom I care, how, and how many hours a week; and a health note, with consent."""
    form = CareSituationForm()
    if not form.validate_on_submit():
        return _situation_page(situation_form=form if form.is_submitted() else None)
    db = get_session()
    services.save_care_situation(
        db,
        services.profile_for(db, current_user, utcnow()),
        **form.situation(),
    )
    flash(_("Uw zorgsituatie is opgeslagen."), "success")
    return redirect(url_for("carers.situation"))


@bp.route("/mantelzorg/gezondheid", methods=["POST"])
@role_required(Role.CARER)
def health_note():
    """Keep a note about health, only with the separate consent ticked."""
    form = HealthNoteForm()
    if not form.validate_on_submit():
        return _situation_page(health_form=form)
    db = get_session()
    now = utcnow()
    try:
        services.save_health_note(
            db,
            services.profile_for(db, current_user, now),
            form.health_note.data,
            consent=form.consent.data,
            # Stored exactly as the carer read it next to the box.
            consent_text=str(HEALTH_CONSENT_WORDING),
            now=now,
        )
    except services.CareError:
        return _situation_page(health_form=form)
    flash(_("Uw notitie is opgeslagen, met uw toestemming."), "success")
    return redirect(url_for("carers.situation"))


@bp.route("/mantelzorg/gezondheid/intrekken", methods=["POST"])
@role_required(Role.CARER)
def withdraw_consent():
    """Withdraw the consent for the health note; the note is deleted."""
    db = get_session()
    services.withdraw_health_consent(db, services.profile_for(db, current_user, utcnow()))
    flash(_("Uw toestemming is ingetrokken. De notitie is gewist."), "success")
    return redirect(url_for("carers.situation"))

"""Report misuse, and handle reports (staff)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voorelkaar.auth.access import staff_required
from voorelkaar.db import get_session
from voorelkaar.idempotency import already_created
from voorelkaar.models import Report
from voorelkaar.moderation.services import ModerationError
from voorelkaar.reports import services
from voorelkaar.reports.forms import HandleForm, ReportForm

bp = Blueprint("reports", __name__, template_folder="templates")


@bp.route("/melden/<kind>/<int:subject_id>", methods=["GET", "POST"])
@login_required
def create(kind, subject_id):
    """Report a post or a profile to the coordinators."""
    db = get_session()
    subject = services.find_subject(db, kind, subject_id, current_user) or abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        if not already_created(db, current_user, Report):
            services.file_report(db, current_user, subject, form.reason.data)
        flash(_("Dank u wel. Een coördinator kijkt ernaar."), "success")
        return redirect(url_for("pages.home"))
    return render_template("reports/create.html", form=form, subject=subject)


@bp.route("/beheer/meldingen")
@staff_required
def queue():
    """Reports that are not handled yet."""
    return render_template(
        "reports/queue.html", reports=services.open_reports(get_session(), current_user)
    )


@bp.route("/beheer/meldingen/<int:report_id>", methods=["GET", "POST"])
@staff_required
def handle(report_id):
    """Handle one report: say what was done, maybe hide the post or block its author."""
    db = get_session()
    report = services.report_for(db, current_user, report_id) or abort(404)
    form = HandleForm()
    if form.validate_on_submit():
        try:
            services.handle_report(
                db,
                current_user,
                report,
                form.outcome.data,
                hide_post=form.hide_post.data,
                hide_reason=form.hide_reason.data,
                block_author=form.block_author.data,
            )
        except ModerationError:
            flash(_("Deze melding is al afgehandeld, of u kunt dit niet doen."), "info")
        else:
            flash(_handled_message(form.hide_post.data), "success")
        return redirect(url_for("reports.queue"))
    subject = services.subject_of(db, report)
    return render_template("reports/handle.html", form=form, report=report, subject=subject)


def _handled_message(hidden: bool) -> str:
    if hidden:
        return _(
            "De melding is afgehandeld en het bericht is verborgen. De melder krijgt een "
            "e-mail; de schrijver krijgt de reden."
        )
    return _("De melding is afgehandeld. De melder krijgt een e-mail.")

"""Staff review posts and read the audit trail."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from voorelkaar.auth.access import staff_required
from voorelkaar.db import get_session
from voorelkaar.models import HelpRequest, RequestState
from voorelkaar.moderation import services
from voorelkaar.moderation.forms import ApproveForm, RejectForm

bp = Blueprint("moderation", __name__, template_folder="templates", url_prefix="/beheer")


def _pending(db, request_id: int) -> HelpRequest:
    item = db.get(HelpRequest, request_id)
    if item is None:
        abort(404)
    return item


@bp.route("/te-beoordelen")
@staff_required
def queue():
    """Posts waiting for review."""
    items = services.review_queue(get_session())
    return render_template("moderation/queue.html", items=items, approve_form=ApproveForm())


@bp.route("/te-beoordelen/<int:request_id>/goedkeuren", methods=["POST"])
@staff_required
def approve(request_id):
    """Put a post online."""
    db = get_session()
    item = _pending(db, request_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        services.approve_request(db, current_user, item)
    except services.ModerationError:
        flash(_("Deze hulpvraag wacht niet (meer) op controle."), "info")
    else:
        flash(_("De hulpvraag staat nu online. De schrijver krijgt een e-mail."), "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/te-beoordelen/<int:request_id>/afwijzen", methods=["GET", "POST"])
@staff_required
def reject(request_id):
    """Refuse a post, with a reason for its author."""
    db = get_session()
    item = _pending(db, request_id)
    if item.state != RequestState.PENDING:
        flash(_("Deze hulpvraag wacht niet (meer) op controle."), "info")
        return redirect(url_for("moderation.queue"))
    form = RejectForm()
    if form.validate_on_submit():
        services.reject_request(db, current_user, item, form.reason.data)
        flash(_("De hulpvraag is afgewezen. De schrijver krijgt de reden per e-mail."), "success")
        return redirect(url_for("moderation.queue"))
    return render_template("moderation/reject.html", form=form, item=item)


@bp.route("/logboek")
@staff_required
def audit():
    """Who did what, when and why."""
    return render_template("moderation/audit.html", events=services.audit_trail(get_session()))

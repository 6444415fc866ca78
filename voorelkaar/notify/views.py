"""Stopping optional mail: from an email's link (also one click, RFC 8058) or in settings."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voorelkaar.db import get_session
from voorelkaar.extensions import csrf, limiter
from voorelkaar.models import Role
from voorelkaar.notify.preferences import OPTIONAL, read_unsubscribe

bp = Blueprint("mail", __name__, template_folder="templates")


@bp.route("/afmelden/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail programs post here without a form
@limiter.limit("30 per minute", methods=["POST"])
def unsubscribe(token):
    """GET asks; POST (the page's button, or the mail program's one click) stops the mail."""
    db = get_session()
    found = read_unsubscribe(db, token)
    if found is None:
        return render_template("mail/unsubscribe_invalid.html"), 400
    user, kind = found
    if request.method == "POST":
        OPTIONAL[kind].switch(db, user, False)
        db.commit()
        return render_template("mail/unsubscribed.html", kind=OPTIONAL[kind])
    return render_template("mail/unsubscribe.html", kind=OPTIONAL[kind])


def _kinds_for(user) -> list[str]:
    kinds = ["herinneringen", "nabellen"]
    if user.has_role(Role.VOLUNTEER):
        kinds.append("overzicht")
    if user.has_role(Role.CARER):
        kinds.append("checkins")
    return kinds


@bp.route("/instellingen/e-mail", methods=["GET", "POST"])
@login_required
def preferences():
    """Which optional mail this person gets; the form is checkboxes, one per kind."""
    db = get_session()
    kinds = _kinds_for(current_user)
    if request.method == "POST":
        if not request.form.get("sent"):
            abort(400)
        for name in kinds:
            OPTIONAL[name].switch(db, current_user, request.form.get(name) == "y")
        db.commit()
        flash(_("Uw keuzes voor e-mail zijn bewaard."), "success")
        return redirect(url_for("mail.preferences"))
    choices = [(name, OPTIONAL[name], OPTIONAL[name].wanted(db, current_user)) for name in kinds]
    return render_template("mail/preferences.html", choices=choices)

"""The home page for each role, the information pages, language and health."""

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from voorelkaar import face, tenancy
from voorelkaar.actions import waiting_for
from voorelkaar.db import database_is_up, get_session
from voorelkaar.events import mark_seen, unseen_notices
from voorelkaar.extensions import csrf, limiter
from voorelkaar.pages.services import sections_for
from voorelkaar.security import safe_next

bp = Blueprint("pages", __name__, template_folder="templates")


@bp.route("/")
def home():
    """The start page: what waits on you, what happened, and what you can do here."""
    if not current_user.is_authenticated:
        return render_template("pages/welcome.html")
    db = get_session()
    return render_template(
        "pages/home.html",
        actions=waiting_for(db, current_user),
        notices=unseen_notices(db, current_user),
        sections=sections_for(current_user.role_set),
    )


@bp.route("/meldingen/<int:notice_id>/gezien", methods=["POST"])
@login_required
def notice_seen(notice_id):
    """Take one item off "Nieuw voor u"."""
    mark_seen(get_session(), current_user, notice_id)
    return redirect(url_for("pages.home", _anchor="nieuw"))


@bp.route("/meldingen/gezien", methods=["POST"])
@login_required
def notices_seen():
    """Take everything off "Nieuw voor u"."""
    mark_seen(get_session(), current_user)
    return redirect(url_for("pages.home"))


@bp.route("/over-ons")
def about():
    """Who runs the site, and the credits for the data it uses."""
    return render_template("pages/about.html")


@bp.route("/privacy")
def privacy():
    """What happens with your data."""
    return render_template("pages/privacy.html")


@bp.route("/toegankelijkheid")
def accessibility():
    """The accessibility statement."""
    return render_template("pages/accessibility.html")


@bp.route("/taal", methods=["POST"])
@csrf.exempt
def set_language():
    """Switch between Dutch and English; a logged-in user keeps the choice."""
    # A visitor who is not logged in has no token: every page would need a session cookie
    # for it. A forged switch of their language does no harm; a logged-in user's choice
    # is saved on their account, so theirs is checked.
    if current_user.is_authenticated:
        csrf.protect()
    locale = request.form.get("locale")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated and current_user.locale != locale:
            current_user.locale = locale
            get_session().commit()
    return redirect(safe_next(request.form.get("next")) or url_for("pages.home"))


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    """Whether the site and its database work (for monitoring)."""
    if database_is_up():
        return jsonify(status="ok", database="ok")
    return jsonify(status="error", database="error"), 503


@bp.route("/gemeente", methods=["GET", "POST"])
def choose_municipality():
    """Where one host serves several municipalities: the visitor says whose site they want."""
    db = get_session()
    back = safe_next(request.values.get("next"))
    chosen = request.method == "POST" and tenancy.choose(db, request.form.get("gemeente", ""))
    if chosen:
        return redirect(back or url_for("pages.home"))
    return render_template(
        "pages/municipality.html", municipalities=face.municipalities(db), back=back
    )

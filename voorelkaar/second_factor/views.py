"""The code step of logging in, and setting up, renewing and turning off the code."""

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from voorelkaar import audit
from voorelkaar.auth.access import in_back_office
from voorelkaar.auth.sessions import start_session
from voorelkaar.db import get_session
from voorelkaar.extensions import limiter
from voorelkaar.second_factor import pending, services
from voorelkaar.second_factor.forms import CodeForm, ProofForm, RecoveryCodeForm

bp = Blueprint("second_factor", __name__, template_folder="templates")


def _account_key() -> str:
    return f"second-factor:{pending.pending_user_id()}"


def _refused(_response) -> bool:
    return bool(g.get("code_refused"))


def _too_many(_limit=None):
    pending.forget()
    flash(
        _("U heeft te vaak een verkeerde code ingevuld. Wacht een kwartier en log dan opnieuw in."),
        "error",
    )
    return redirect(url_for("auth.login"))


# One counter for app codes and recovery codes together, kept on the server per account.
code_limit = limiter.shared_limit(
    lambda: current_app.config["SECOND_FACTOR_LIMIT_PER_ACCOUNT"],
    scope="second-factor",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_refused,
    on_breach=_too_many,
)


def _start_over():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    flash(_("Het inloggen duurde te lang. Log opnieuw in."), "info")
    return redirect(url_for("auth.login"))


def _logged_in(db, user, how: str):
    next_page = pending.next_page()
    audit.record(db, user, audit.LOGIN_OK, person=user, reason=how)
    start_session(db, user)
    flash(_("U bent ingelogd."), "success")
    return redirect(next_page or url_for("pages.home"))


def _wrong(db, user, form, message: str):
    g.code_refused = True
    audit.security_event(db, audit.SECOND_FACTOR_FAILED, person=user, result="failed")
    form.code.data = ""
    if not pending.count_wrong_code():
        return _too_many()
    form.code.errors.append(message)
    return None


@bp.route("/login/code", methods=["GET", "POST"])
@code_limit
def code():
    """After the password: the code from the app."""
    db = get_session()
    user = pending.pending_user(db)
    if user is None:
        return _start_over()
    form = CodeForm()
    if form.validate_on_submit():
        if services.check_code(db, user, form.code.data):
            return _logged_in(db, user, "met een code uit de app")
        refused = _wrong(
            db,
            user,
            form,
            _("Deze code klopt niet, of is al gebruikt. Vul de code in die de app nu laat zien."),
        )
        if refused:
            return refused
    return render_template("second_factor/code.html", form=form), 200 if not form.errors else 422


@bp.route("/login/herstelcode", methods=["GET", "POST"])
@code_limit
def recovery():
    """After the password: a recovery code instead of the app's code."""
    db = get_session()
    user = pending.pending_user(db)
    if user is None:
        return _start_over()
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if services.use_recovery_code(db, user, form.code.data):
            left = services.recovery_codes_left(db, user)
            response = _logged_in(db, user, "met een herstelcode")
            flash(
                ngettext(
                    "U heeft nog %(num)d herstelcode. Maak nieuwe codes als u er bijna geen "
                    "meer heeft.",
                    "U heeft nog %(num)d herstelcodes. Maak nieuwe codes als u er bijna geen "
                    "meer heeft.",
                    left,
                ),
                "info",
            )
            return response
        refused = _wrong(
            db,
            user,
            form,
            _("Deze herstelcode klopt niet, of is al gebruikt. Kijk goed en probeer het opnieuw."),
        )
        if refused:
            return refused
    status = 200 if not form.errors else 422
    return render_template("second_factor/recovery.html", form=form), status


@bp.route("/mijn-gegevens/inloggen-met-code")
@login_required
def manage():
    """Whether logging in takes a code, and the buttons to change that."""
    return _manage_page(ProofForm(prefix="nieuw"), ProofForm(prefix="uit"))


def _manage_page(renew_form, off_form, status=200):
    db = get_session()
    left = services.recovery_codes_left(db, current_user) if current_user.has_second_factor else 0
    page = render_template(
        "second_factor/manage.html",
        renew_form=renew_form,
        off_form=off_form,
        codes_left=left,
        required=in_back_office(current_user),
    )
    return page, status


@bp.route("/mijn-gegevens/inloggen-met-code/instellen", methods=["GET", "POST"])
@login_required
def setup():
    """Link an app: scan the QR code, type the code it shows, get recovery codes."""
    if current_user.has_second_factor:
        return redirect(url_for("second_factor.manage"))
    db = get_session()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = services.turn_on(db, current_user, form.code.data)
            audit.security_event(
                db, audit.SECOND_FACTOR_ON, actor=current_user, person=current_user
            )
        except services.WrongCode:
            form.code.data = ""
            form.code.errors.append(
                _(
                    "Deze code klopt niet. Vul de code in die de app nu laat zien. Staat de "
                    "tijd op uw telefoon goed?"
                )
            )
        else:
            # Shown in this answer and nowhere else: the codes are not kept.
            return render_template("second_factor/recovery_codes.html", codes=codes, new=True)
    secret = services.setup_secret(db, current_user)
    return render_template(
        "second_factor/setup.html",
        form=form,
        qr_code=services.qr_code(current_user, secret),
        secret=services.grouped(secret),
        required=in_back_office(current_user),
    ), 200 if not form.errors else 422


@bp.route("/mijn-gegevens/inloggen-met-code/herstelcodes", methods=["POST"])
@login_required
def new_codes():
    """Ten new recovery codes; the old ones stop working."""
    db = get_session()
    form = ProofForm(prefix="nieuw")
    if not current_user.has_second_factor:
        return redirect(url_for("second_factor.manage"))
    if form.validate_on_submit():
        if services.proves_identity(db, current_user, form.proof.data):
            codes = services.new_recovery_codes(db, current_user)
            audit.security_event(
                db, audit.SECOND_FACTOR_NEW_CODES, actor=current_user, person=current_user
            )
            return render_template("second_factor/recovery_codes.html", codes=codes, new=False)
        form.proof.errors.append(_("Dit is niet uw wachtwoord of niet de goede code."))
    return _manage_page(form, ProofForm(prefix="uit"), 422)


@bp.route("/mijn-gegevens/inloggen-met-code/uitzetten", methods=["POST"])
@login_required
def turn_off():
    """Log in with the password alone again; the back office sets up a new app at once."""
    db = get_session()
    form = ProofForm(prefix="uit")
    if not current_user.has_second_factor:
        return redirect(url_for("second_factor.manage"))
    if form.validate_on_submit():
        if services.proves_identity(db, current_user, form.proof.data):
            services.turn_off(db, current_user)
            audit.security_event(
                db, audit.SECOND_FACTOR_OFF, actor=current_user, person=current_user
            )
            if in_back_office(current_user):
                # Required for them: the one rule sends them nowhere but the set-up.
                flash(_("Stel nu inloggen met een code opnieuw in, met uw nieuwe app."), "info")
                return redirect(url_for("second_factor.setup"))
            flash(_("Inloggen met een code staat nu uit."), "success")
            return redirect(url_for("second_factor.manage"))
        form.proof.errors.append(_("Dit is niet uw wachtwoord of niet de goede code."))
    return _manage_page(ProofForm(prefix="nieuw"), form, 422)

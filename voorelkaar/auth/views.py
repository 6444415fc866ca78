"""Register, log in and out, and manage the password."""

import hashlib

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voorelkaar import audit, face
from voorelkaar.audit import security_event
from voorelkaar.auth import services
from voorelkaar.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResendForm,
    ResetPasswordForm,
)
from voorelkaar.auth.sessions import end_session, start_session
from voorelkaar.db import get_session
from voorelkaar.extensions import limiter, login_manager
from voorelkaar.forms import clean_text
from voorelkaar.models import Role
from voorelkaar.second_factor.pending import ask_for_code, needs_code
from voorelkaar.security import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_ip_limit():
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _login_account_limit():
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    # Cleaned as the form cleans it before the lookup, so "inwo\x01ner@..." counts against
    # the same account as "inwoner@...". Hashed, so rate-limit storage holds no addresses.
    email = (clean_text(request.form.get("email")) or "").lower()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


def _failed(response) -> bool:
    return response.status_code != 302


# Where the register form's email went: shown on the next page, never put in its address.
SENT_TO = "sent_to"


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_IP"], methods=["POST"])
def register():
    """Create an account; it works once the link emailed to its address is opened."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if not form.is_submitted():
        form.choose_roles(request.args.getlist("rol"))
    if form.validate_on_submit():
        account = services.NewAccount(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            postcode=form.postcode.data,
            house_number=form.house_number.data,
            phone=form.phone.data or None,
            roles=tuple(Role(value) for value in form.roles.data),
            locale=str(get_locale() or "nl"),
        )
        # The same answer whether or not the address has an account: see sign_up.
        services.sign_up(get_session(), account)
        return _to_check_email(form.email.data)
    return render_template("auth/register.html", form=form)


def _to_check_email(email: str):
    session[SENT_TO] = email
    return redirect(url_for("auth.check_email"))


@bp.route("/registreren/kijk-in-uw-email")
def check_email():
    """Where the email went, and what to do when it does not arrive."""
    email = session.get(SENT_TO)
    if not email:
        return redirect(url_for("auth.register"))
    return render_template("auth/check_email.html", email=email)


@bp.route("/registreren/opnieuw-sturen", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CONFIRM_RESEND_LIMIT_PER_IP"], methods=["POST"])
def resend():
    """Send the register form's email again (at most once a quarter of an hour)."""
    form = ResendForm()
    if form.validate_on_submit():
        services.resend_link(get_session(), form.email.data)
        flash(
            _(
                "Als dit e-mailadres bij ons bekend is, krijgt u binnen een paar minuten een "
                "nieuwe e-mail. Dat kan één keer per kwartier."
            ),
            "info",
        )
        return _to_check_email(form.email.data)
    return render_template("auth/resend.html", form=form)


@bp.route("/registreren/bevestigen/<token>", methods=["GET", "POST"])
def confirm_email(token):
    """The emailed link: one button confirms the address and logs in.

    Opening the link changes nothing, because mail scanners open links too.
    """
    db = get_session()
    try:
        user = services.user_for_confirm_token(db, token)
    except services.InvalidLink:
        return _confirm_invalid()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_email(db, token)
        except services.InvalidLink:
            return _confirm_invalid()
        audit.record(db, user, audit.LOGIN_OK, person=user, reason="met de bevestigingslink")
        start_session(db, user)
        flash(_("Welkom, %(name)s! Uw account is klaar.", name=user.first_name), "success")
        return redirect(url_for("pages.home"))
    return render_template("auth/confirm_email.html", form=form, person=user)


def _confirm_invalid():
    return render_template("auth/confirm_invalid.html", form=ResendForm()), 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_ip_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(
    _login_account_limit,
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
    on_breach=lambda _limit: _account_guarded(),
)
def login():
    """Log in with email and password."""
    next_page = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_page or url_for("pages.home"))
    form = LoginForm()
    if request.method == "GET" and next_page and not session.get("_flashes"):
        # Sent here from a page behind the login (auth.sessions.ask_to_log_in says it here,
        # so that redirect needs no cookie).
        flash(login_manager.login_message, login_manager.login_message_category)
    resend_email = None  # set when the password is right but the address unconfirmed
    if form.validate_on_submit():
        db = get_session()
        user = services.authenticate(db, form.email.data, form.password.data)
        if user is None:
            known = services.find_user_by_email(db, form.email.data)
            security_event(db, audit.LOGIN_FAILED, person=known, result="failed")
            form.password.errors.append(
                _("Dit e-mailadres en wachtwoord horen niet bij elkaar. Probeer het opnieuw.")
            )
        elif not user.is_active:
            security_event(
                db, audit.LOGIN_FAILED, person=user, result="refused", reason="geblokkeerd"
            )
            # Who to call is said only where the account's municipality has a number or address.
            reach = face.reach_text(face.municipality_of(db, user))
            form.email.errors.append(
                " ".join(filter(None, [_("Dit account is geblokkeerd."), reach]))
            )
        elif user.email_confirmed_at is None:
            # Said only to whoever knows the password, so it tells nobody else anything.
            security_event(
                db, audit.LOGIN_FAILED, person=user, result="refused", reason="niet bevestigd"
            )
            resend_email = form.email.data
            form.email.errors.append(
                _(
                    "U moet eerst uw e-mailadres bevestigen. Klik op de link in de e-mail "
                    "die wij u stuurden toen u het account maakte."
                )
            )
        elif needs_code(user):
            return ask_for_code(user, next_page)
        else:
            audit.record(db, user, audit.LOGIN_OK, person=user)
            start_session(db, user)
            flash(_("U bent ingelogd."), "success")
            return redirect(next_page or url_for("pages.home"))
    body = render_template("auth/login.html", form=form, resend_email=resend_email)
    return body, 200 if not form.errors else 422


def _account_guarded():
    """Too many wrong passwords for one address: no password is checked for a while, and the
    owner gets a link by email to get in anyway. The page says the same for any address."""
    email = (clean_text(request.form.get("email")) or "").lower()
    db = get_session()
    known = services.find_user_by_email(db, email)
    security_event(db, audit.LOGIN_GUARDED, person=known, result="refused")
    services.warn_of_guessing(db, known)
    form = LoginForm()
    form.password.data = ""
    body = render_template("auth/login.html", form=form, guarded=True)
    return make_response(body, 429)


@bp.route("/uitloggen", methods=["POST"])
def logout():
    """Log out, on this browser."""
    db = get_session()
    if current_user.is_authenticated:
        audit.record(db, current_user, audit.LOGOUT, person=current_user)
    end_session(db)
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/wachtwoord-wijzigen", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password of the logged-in user."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                get_session(), current_user, form.current_password.data, form.password.data
            )
        except services.AccountError:
            form.current_password.errors.append(_("Dit is niet uw huidige wachtwoord."))
        else:
            flash(
                _("Uw wachtwoord is gewijzigd. Op andere apparaten bent u nu uitgelogd."),
                "success",
            )
            return redirect(url_for("pages.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(_login_ip_limit, methods=["POST"])
def forgot_password():
    """Ask for a link to choose a new password."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(get_session(), form.email.data)
        # The same answer whether or not the address is known.
        flash(
            _(
                "Als dit e-mailadres bij ons bekend is, krijgt u binnen een paar minuten "
                "een e-mail met een link. Kijk ook in uw map met ongewenste e-mail."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password from the emailed link."""
    db = get_session()
    try:
        person = services.user_for_reset_token(db, token)
    except services.InvalidLink:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm(person=person)
    if form.validate_on_submit():
        user = services.reset_password(db, token, form.password.data)
        if needs_code(user):
            # The link proves the email address, not the phone: the code is still asked.
            flash(_("Uw nieuwe wachtwoord is opgeslagen. Vul nu de code uit uw app in."), "success")
            return ask_for_code(user, None)
        audit.record(
            db, user, audit.LOGIN_OK, person=user, reason="met de link voor een nieuw wachtwoord"
        )
        # The link proved who this is: in at once, also while the login page guards the
        # account against guessing.
        start_session(db, user)
        flash(_("Uw nieuwe wachtwoord is opgeslagen. U bent ingelogd."), "success")
        return redirect(url_for("pages.home"))
    return render_template("auth/reset_password.html", form=form)

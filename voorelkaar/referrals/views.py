"""Wmo referrals: consultants refer and follow up; residents accept with a link or a code."""

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from voorelkaar.auth.access import is_staff, role_required, staff_required
from voorelkaar.auth.services import EmailTaken, NewAccount
from voorelkaar.auth.sessions import start_session
from voorelkaar.db import get_session
from voorelkaar.extensions import limiter
from voorelkaar.help_requests.services import known_skills
from voorelkaar.help_requests.views import state_label
from voorelkaar.i18n import AMSTERDAM, date_long
from voorelkaar.idempotency import already_created
from voorelkaar.models import (
    HelpRequest,
    Municipality,
    Referral,
    ReferralStatus,
    RequestState,
    Role,
)
from voorelkaar.municipalities.services import categories_for, offered_categories
from voorelkaar.referrals import services
from voorelkaar.referrals.forms import (
    AddressCheckForm,
    CodeForm,
    InvitedAccountForm,
    ReferralEditForm,
    ReferralForm,
    ResendForm,
    WithdrawForm,
    prefill_request,
    referral_request_form,
)

bp = Blueprint("referrals", __name__, template_folder="templates")

FOLLOWERS = (Role.CONSULTANT, Role.STAFF, Role.ADMIN)

STATUS_LABELS = {
    ReferralStatus.INVITED: _l("uitgenodigd"),
    ReferralStatus.ACCOUNT: _l("account gemaakt"),
    ReferralStatus.POSTED: _l("hulpvraag geplaatst"),
    ReferralStatus.MATCHED: _l("gematcht"),
    ReferralStatus.DONE: _l("afgerond"),
    ReferralStatus.EXPIRED: _l("verlopen"),
    ReferralStatus.WITHDRAWN: _l("ingetrokken"),
}

# Why a referral was shown, as the audit trail keeps it.
SHOWN_DETAIL = "verwijzing bekeken"
SHOWN_LETTER = "brief voor de inwoner"
SHOWN_POSTING = "hulpvraag plaatsen voor de inwoner"


def _wrong_code(response) -> bool:
    """An unknown code, or an address that is not the code's: both count as guesses."""
    return response.status_code in (404, 422)


# The referrals whose address was typed right in this browser session.
CHECKED_KEY = "referrals_checked"


def _checked(referral) -> bool:
    return referral.id in session.get(CHECKED_KEY, [])


def _offered_for(db, referral: Referral):
    """The categories of the referral's municipality (the resident's)."""
    if referral.municipality_id is None:
        return categories_for(db)
    return offered_categories(db, db.get(Municipality, referral.municipality_id))


def _followed(referral_id: int):
    referral = services.referral_for(get_session(), current_user, referral_id)
    return referral or abort(404)


@bp.app_template_global("referral_status")
def referral_status(referral) -> str:
    return str(STATUS_LABELS[services.status_of(referral)])


@bp.app_template_global("referral_outcome")
def referral_outcome(referral) -> str:
    """What came of it in a few words, without anything about the volunteer."""
    if referral.is_withdrawn:
        return _("Toestemming ingetrokken op %(day)s.", day=date_long(referral.withdrawn_at))
    if referral.request is not None:
        return state_label(referral.request.state)
    if referral.account_id is not None:
        return _("De inwoner heeft een account, maar nog geen hulpvraag.")
    if not services.is_open(referral):
        return _("Verlopen op %(day)s.", day=date_long(referral.expired_at or referral.expires_at))
    return _("De uitnodiging werkt tot %(day)s.", day=date_long(referral.expires_at))


@bp.app_template_filter("referral_code")
def referral_code(code: str) -> str:
    """A code in two groups of four, easier to read aloud and to type: "ABCD EFGH"."""
    return f"{code[:4]} {code[4:]}"


# ---------- The consultant's side (and staff) ----------


@bp.route("/verwijzingen")
@role_required(*FOLLOWERS)
def index():
    """My referrals and what came of them; staff see everyone's."""
    return render_template(
        "referrals/index.html",
        referrals=services.referrals_for(get_session(), current_user),
        staff_view=is_staff(current_user),
        may_refer=current_user.has_role(Role.CONSULTANT),
    )


@bp.route("/verwijzingen/nieuw", methods=["GET", "POST"])
@role_required(Role.CONSULTANT)
def create():
    """Refer a resident who agreed to it."""
    db = get_session()
    form = ReferralForm(categories=categories_for(db, current_user))
    if form.validate_on_submit():
        referral = already_created(db, current_user, Referral) or services.create_referral(
            db, current_user, form.details()
        )
        if referral.email:
            flash(_("De verwijzing is opgeslagen. De inwoner krijgt een e-mail."), "success")
        else:
            flash(
                _("De verwijzing is opgeslagen. Print de brief en geef die aan de inwoner."),
                "success",
            )
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    return render_template("referrals/form.html", form=form)


@bp.route("/verwijzingen/<int:referral_id>")
@role_required(*FOLLOWERS)
def detail(referral_id):
    """One referral: what was asked, its status and outcome."""
    referral = _followed(referral_id)
    services.record_view(get_session(), current_user, referral, SHOWN_DETAIL)
    return render_template(
        "referrals/detail.html",
        referral=referral,
        staff_view=is_staff(current_user),
        may_post=services.may_post(current_user, referral),
        may_change=services.may_change(referral),
        resend_form=ResendForm(replacing=referral.code),
    )


@bp.route("/verwijzingen/<int:referral_id>/wijzigen", methods=["GET", "POST"])
@role_required(*FOLLOWERS)
def edit(referral_id):
    """Correct a referral (a typo in the email, the consent date) while nobody accepted it."""
    db = get_session()
    referral = _followed(referral_id)
    if not services.may_change(referral):
        flash(_("Deze verwijzing kunt u niet meer wijzigen."), "info")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    form = ReferralEditForm(categories=_offered_for(db, referral), known_postcode=referral.postcode)
    if request.method == "GET":
        form.fill_from(referral)
    if form.validate_on_submit():
        email_before = referral.email
        try:
            changed = services.edit_referral(db, current_user, referral, form.details())
        except services.ReferralError:
            flash(_("Deze verwijzing kunt u niet meer wijzigen."), "info")
            return redirect(url_for("referrals.detail", referral_id=referral.id))
        if not changed:
            flash(_("Er was niets veranderd."), "info")
        elif referral.email and referral.email != email_before:
            flash(
                _(
                    "De verwijzing is gewijzigd. Het e-mailadres is nieuw: "
                    "stuur de uitnodiging opnieuw."
                ),
                "success",
            )
        else:
            flash(_("De verwijzing is gewijzigd."), "success")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    return render_template("referrals/form.html", form=form, referral=referral)


@bp.route("/verwijzingen/<int:referral_id>/opnieuw-sturen", methods=["POST"])
@role_required(*FOLLOWERS)
def resend(referral_id):
    """A new code and link; the old ones stop working. A double click sends once."""
    db = get_session()
    referral = _followed(referral_id)
    form = ResendForm()
    if not form.validate_on_submit() or not services.may_change(referral):
        flash(_("Deze uitnodiging kunt u niet opnieuw sturen."), "info")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    try:
        sent = services.resend_invitation(db, current_user, referral, form.replacing.data or "")
    except services.ReferralError:
        flash(_("Deze uitnodiging kunt u niet opnieuw sturen."), "info")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    if not sent:
        flash(_("De nieuwe uitnodiging was al verstuurd."), "info")
    elif referral.email:
        flash(
            _(
                "Er is een nieuwe uitnodiging gestuurd naar %(email)s. "
                "De oude link en code werken niet meer.",
                email=referral.email,
            ),
            "success",
        )
    else:
        flash(
            _("Er is een nieuwe code. Print de brief opnieuw; de oude code werkt niet meer."),
            "success",
        )
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.route("/verwijzingen/<int:referral_id>/intrekken", methods=["GET", "POST"])
@role_required(*FOLLOWERS)
def withdraw(referral_id):
    """The resident withdrew consent: confirm on this page, then the data goes."""
    db = get_session()
    referral = _followed(referral_id)
    if referral.is_withdrawn:
        flash(_("Deze verwijzing is al ingetrokken."), "info")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw_referral(db, current_user, referral)
        flash(
            _(
                "De verwijzing is ingetrokken. De uitnodiging werkt niet meer en de "
                "gegevens van de inwoner zijn gewist."
            ),
            "success",
        )
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    return render_template(
        "referrals/withdraw.html",
        form=form,
        referral=referral,
        accepted=services.is_accepted(referral),
    )


@bp.route("/verwijzingen/<int:referral_id>/brief")
@role_required(*FOLLOWERS)
def letter(referral_id):
    """A letter to print for the resident: the site's address and the code."""
    referral = _followed(referral_id)
    if referral.is_withdrawn:
        flash(_("Deze verwijzing is ingetrokken. Er is geen brief meer."), "info")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    services.record_view(get_session(), current_user, referral, SHOWN_LETTER)
    return render_template(
        "referrals/letter.html",
        referral=referral,
        site_address=url_for("referrals.enter_code", _external=True),
        today=datetime.now(AMSTERDAM).date(),
    )


@bp.route("/verwijzingen/<int:referral_id>/plaatsen", methods=["GET", "POST"])
@staff_required
def post_for_resident(referral_id):
    """Staff post the referral's request for a resident who has no account."""
    db = get_session()
    referral = _followed(referral_id)
    # Asked before may_post, which says no once this form's first POST has posted.
    posted = request.method == "POST" and already_created(db, current_user, HelpRequest)
    if posted:
        return _posted_for_resident(referral, posted)
    if not services.may_post(current_user, referral):
        flash(_("Voor deze verwijzing kunt u geen hulpvraag (meer) plaatsen."), "info")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    form = referral_request_form(_offered_for(db, referral), referral, on_behalf=True)
    if request.method == "GET":
        services.record_view(db, current_user, referral, SHOWN_POSTING)
        prefill_request(form, referral, on_behalf=True)
    if form.validate_on_submit():
        try:
            help_request = services.post_from_referral(db, current_user, referral, form.details())
        except services.ReferralError:
            flash(_("Voor deze verwijzing is al een hulpvraag geplaatst."), "info")
            return redirect(url_for("referrals.detail", referral_id=referral.id))
        return _posted_for_resident(referral, help_request)
    return render_template(
        "referrals/request.html",
        form=form,
        skills=known_skills(db),
        editing=None,
        referral=referral,
        on_behalf=True,
    )


def _posted_for_resident(referral, help_request):
    flash(_("De hulpvraag is geplaatst voor %(name)s.", name=referral.resident_name), "success")
    return redirect(url_for("help_requests.detail", request_id=help_request.id))


# ---------- The resident's side ----------


@bp.route("/verwijzing")
def enter_code():
    """Type the code from the letter."""
    form = CodeForm(request.args)
    if request.args and form.validate():
        return redirect(
            url_for("referrals.invitation", code=services.normalise_code(form.code.data))
        )
    return render_template("referrals/enter_code.html", form=form)


def _invitation_or_page(code):
    """The referral for code, or the polite page to show instead."""
    try:
        return services.invitation_for(get_session(), code), None
    except services.UnknownCode:
        return None, (render_template("referrals/unknown.html"), 404)
    except services.InvitationExpired:
        return None, (render_template("referrals/expired.html"), 410)
    except services.InvitationReplaced as replaced:
        return None, (_stopped_page("referrals/replaced.html", replaced.referral), 410)
    except services.InvitationWithdrawn as withdrawn:
        return None, (_stopped_page("referrals/withdrawn.html", withdrawn.referral), 410)


def _stopped_page(template: str, referral: Referral):
    """A polite page for a link that stopped, with the municipality to contact."""
    db = get_session()
    owner = db.get(Municipality, referral.municipality_id) if referral.municipality_id else None
    return render_template(template, owner=owner)


@bp.route("/verwijzing/<code>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], deduct_when=_wrong_code)
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_IP"], methods=["POST"])
def invitation(code):
    """The invitation: a few words, then an account in one step."""
    referral, page = _invitation_or_page(code)
    if page:
        return page
    mine = current_user.is_authenticated and referral.account_id == current_user.id
    if referral.request_id is not None:
        if mine:
            return redirect(url_for("help_requests.detail", request_id=referral.request_id))
        return render_template("referrals/already_posted.html")
    if mine:
        return redirect(url_for("referrals.resident_request", code=referral.code))
    if not _checked(referral):
        # A code alone shows nothing about the person: the address must go with it.
        return render_template("referrals/check.html", form=AddressCheckForm(), referral=referral)
    if referral.account_id is not None or current_user.is_authenticated:
        return render_template("referrals/use_account.html", referral=referral)
    form = InvitedAccountForm(known_postcode=referral.postcode)
    if request.method == "GET":
        form.fill_from(referral)
    if form.validate_on_submit():
        account = NewAccount(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            postcode=form.postcode.data,
            house_number=form.house_number.data,
            phone=form.phone.data or None,
            roles=(Role.RESIDENT,),
            locale=str(get_locale() or "nl"),
        )
        db = get_session()
        try:
            user = services.accept_with_new_account(db, referral, account)
        except EmailTaken:
            form.email.errors.append(_("Er is al een account met dit e-mailadres."))
        except services.ReferralError:
            return render_template("referrals/use_account.html", referral=referral)
        else:
            start_session(db, user)
            flash(_("Welkom, %(name)s! Uw account is klaar.", name=user.first_name), "success")
            return redirect(url_for("referrals.resident_request", code=referral.code))
    return render_template("referrals/invitation.html", form=form, referral=referral)


@bp.route("/verwijzing/<code>/controle", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], deduct_when=_wrong_code)
def check(code):
    """The resident types the postcode and house number that go with the code."""
    referral, page = _invitation_or_page(code)
    if page:
        return page
    form = AddressCheckForm()
    if form.validate_on_submit():
        if form.matches(referral):
            session[CHECKED_KEY] = [*session.get(CHECKED_KEY, [])[-9:], referral.id]
            return redirect(url_for("referrals.invitation", code=referral.code))
        form.house_number.errors.append(
            _(
                "Deze postcode en dit huisnummer horen niet bij de code. Kijk in de brief, "
                "of vraag het uw consulent."
            )
        )
    return render_template("referrals/check.html", form=form, referral=referral), 422


@bp.route("/verwijzing/<code>/koppelen", methods=["POST"])
@login_required
def accept(code):
    """A resident who already has an account takes the invitation with it."""
    referral, page = _invitation_or_page(code)
    if page:
        return page
    if not _checked(referral):
        return redirect(url_for("referrals.invitation", code=referral.code))
    try:
        services.accept_as(get_session(), referral, current_user)
    except services.NotAllowed:
        flash(_("Met dit account kunt u geen hulp voor uzelf vragen."), "error")
        return redirect(url_for("referrals.invitation", code=referral.code))
    except services.ReferralError:
        flash(_("Deze uitnodiging is al gebruikt."), "info")
        return redirect(url_for("referrals.invitation", code=referral.code))
    return redirect(url_for("referrals.resident_request", code=referral.code))


@bp.route("/verwijzing/<code>/hulpvraag", methods=["GET", "POST"])
@login_required
def resident_request(code):
    """The request as the consultant wrote it down, ready to post."""
    db = get_session()
    referral, page = _invitation_or_page(code)
    if page:
        return page
    if referral.account_id != current_user.id:
        abort(404)
    if referral.request_id is not None:
        return redirect(url_for("help_requests.detail", request_id=referral.request_id))
    form = referral_request_form(categories_for(db, current_user), referral, on_behalf=False)
    if request.method == "GET":
        prefill_request(form, referral, on_behalf=False)
    if form.validate_on_submit():
        try:
            help_request = already_created(
                db, current_user, HelpRequest
            ) or services.post_from_referral(db, current_user, referral, form.details())
        except services.ReferralError:
            return redirect(url_for("referrals.invitation", code=referral.code))
        if help_request.state == RequestState.PENDING:
            flash(
                _("Dank u wel. Uw hulpvraag wordt eerst bekeken door een coördinator."), "success"
            )
        else:
            flash(_("Dank u wel. Uw hulpvraag staat online."), "success")
        return redirect(url_for("help_requests.detail", request_id=help_request.id))
    return render_template(
        "referrals/request.html",
        form=form,
        skills=known_skills(db),
        editing=None,
        referral=referral,
        on_behalf=False,
    )

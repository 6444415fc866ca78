"""Say "Ik help", confirm a volunteer, call it off, and mark it done."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from voorelkaar.auth.access import role_required, staff_of
from voorelkaar.db import get_session
from voorelkaar.help_requests.services import request_for
from voorelkaar.idempotency import already_created
from voorelkaar.matches import services
from voorelkaar.matches.forms import (
    CancelMatchForm,
    CompleteForm,
    InvitationForm,
    MessageForm,
)
from voorelkaar.models import Match, MatchMessage, MatchState, RequestState, Role, User

bp = Blueprint("matches", __name__, template_folder="templates")


def _back(match_or_request_id: int):
    return redirect(url_for("help_requests.detail", request_id=match_or_request_id))


@bp.route("/hulpvragen/<int:request_id>/ik-help", methods=["POST"])
@role_required(Role.VOLUNTEER)
def offer(request_id):
    """A volunteer offers to help with a request."""
    db = get_session()
    item = request_for(db, current_user, request_id) or abort(404)
    try:
        services.offer_help(db, current_user, item)
    except services.RequestFull:
        flash(_("Er is al een vrijwilliger gevonden voor deze hulpvraag. Dank u wel!"), "info")
    except services.Refused:
        flash(_("De vrager heeft laten weten dat het deze keer niet nodig is. Dank u wel!"), "info")
    except services.MatchError:
        flash(_("U kunt bij deze hulpvraag niet helpen. Er is bijvoorbeeld een VOG nodig."), "info")
    else:
        flash(
            _("Dank u wel! De vrager krijgt uw aanbod per e-mail en laat weten of het doorgaat."),
            "success",
        )
    return _back(request_id)


def _match_for(db, match_id: int, *, may) -> Match:
    match = db.get(Match, match_id)
    if match is None or not may(match):
        abort(404)
    return match


def _back_to(match: Match):
    """After an answer given on the overview, back there; else to the request."""
    if request.form.get("terug") == "overzicht":
        return redirect(url_for("pages.home"))
    return _back(match.request_id)


@bp.route("/aanmeldingen/<int:match_id>/bevestigen", methods=["POST"])
@login_required
def confirm(match_id):
    """The asker or staff say yes to a volunteer; both then see each other's details."""
    db = get_session()
    match = _match_for(db, match_id, may=lambda m: services.may_confirm(current_user, m.request))
    try:
        services.confirm_match(db, current_user, match)
    except services.RequestFull:
        flash(_("Er zijn al genoeg vrijwilligers bevestigd voor deze hulpvraag."), "info")
    except services.MatchError:
        flash(_("Dit aanbod kan niet meer worden bevestigd."), "info")
    else:
        flash(
            _(
                "Bevestigd. %(name)s krijgt bericht. U ziet nu elkaars gegevens, zodat u een afspraak kunt maken.",
                name=match.volunteer.first_name,
            ),
            "success",
        )
    return _back_to(match)


@bp.route("/aanmeldingen/<int:match_id>/afwijzen", methods=["POST"])
@login_required
def decline(match_id):
    """The asker or staff say no to an offer; the volunteer is thanked by email."""
    db = get_session()
    match = _match_for(db, match_id, may=lambda m: services.may_confirm(current_user, m.request))
    try:
        services.decline_offer(db, current_user, match)
    except services.MatchError:
        flash(_("Dit aanbod staat niet meer open."), "info")
    else:
        flash(
            _(
                "Duidelijk. We laten %(name)s weten dat het deze keer niet doorgaat.",
                name=match.volunteer.first_name,
            ),
            "success",
        )
    return _back_to(match)


def _flash_first_error(form) -> None:
    """These small forms sit on the request page; their error comes back as a message there."""
    errors = [message for messages in form.errors.values() for message in messages]
    flash(errors[0] if errors else _("Probeer het opnieuw."), "error")


def _party(match: Match) -> bool:
    return current_user.id in (match.volunteer_id, match.request.author_id) or staff_of(
        current_user, match.request.municipality_id
    )


@bp.route("/aanmeldingen/<int:match_id>/annuleren", methods=["POST"])
@login_required
def cancel(match_id):
    """Either side calls the match off, with a reason."""
    db = get_session()
    match = _match_for(db, match_id, may=_party)
    form = CancelMatchForm()
    if not form.validate_on_submit():
        _flash_first_error(form)
        return _back(match.request_id)
    try:
        services.cancel_match(db, current_user, match, form.reason.data, withdraw=form.withdraw)
    except services.MatchError:
        flash(_("Dit kan niet meer worden geannuleerd."), "info")
    else:
        flash(_cancelled_message(match), "success")
    return _back(match.request_id)


def _cancelled_message(match: Match) -> str:
    """What happens now, for whoever called it off."""
    if current_user.id == match.volunteer_id:
        return _("Afgezegd. De vrager krijgt uw bericht. Dank u wel dat u het liet weten.")
    if match.request.state == RequestState.CANCELLED:
        return _(
            "Afgezegd, en de hulpvraag is ingetrokken. %(name)s krijgt bericht.",
            name=match.volunteer.first_name,
        )
    return _(
        "Afgezegd. %(name)s krijgt bericht. De hulpvraag staat weer online.",
        name=match.volunteer.first_name,
    )


@bp.route("/aanmeldingen/<int:match_id>/afronden", methods=["POST"])
@login_required
def complete(match_id):
    """Staff mark the help as given, with the hours."""
    db = get_session()
    match = _match_for(
        db, match_id, may=lambda m: staff_of(current_user, m.request.municipality_id)
    )
    form = CompleteForm()
    if not form.validate_on_submit():
        _flash_first_error(form)
        return _back(match.request_id)
    try:
        services.complete_match(db, current_user, match, form.value)
    except services.MatchError:
        flash(_("Alleen een bevestigde hulp kan worden afgerond."), "info")
    else:
        flash(_("De hulp is afgerond. Dank aan de vrijwilliger!"), "success")
    return _back(match.request_id)


@bp.route("/mijn-inzet")
@role_required(Role.VOLUNTEER)
def mine():
    """What I offered and gave, with my hours."""
    matches = services.my_engagements(get_session(), current_user)
    hours = sum(m.hours or 0 for m in matches)
    return render_template("matches/mine.html", matches=matches, hours=hours)


MATCH_STATE_LABELS = {
    "invited": _l("uitgenodigd, wacht op antwoord"),
    "offered": _l("aangeboden, wacht op antwoord"),
    "confirmed": _l("bevestigd"),
    "declined": _l("iemand anders helpt"),
    "cancelled": _l("gaat niet door"),
    "done": _l("afgerond"),
}


@bp.app_template_global("match_state_label")
def match_state_label(state, match=None) -> str:
    """The state in words; given the match, an invitation the volunteer said no to reads
    as "wil deze keer niet", not as if someone else was chosen."""
    if match is not None and said_no_to_invitation(match):
        return str(_l("wil deze keer niet"))
    return str(MATCH_STATE_LABELS[state.value])


def said_no_to_invitation(match) -> bool:
    """The volunteer answered an invitation with no (not: the request filled up)."""
    return match.state == MatchState.DECLINED and match.said_no_at is not None


@bp.route("/hulpvragen/<int:request_id>/uitnodigen/<int:volunteer_id>", methods=["POST"])
@login_required
def invite(request_id, volunteer_id):
    """Ask a suggested volunteer by email whether they will help."""
    db = get_session()
    item = request_for(db, current_user, request_id)
    volunteer = db.get(User, volunteer_id)
    if item is None or volunteer is None or not services.may_confirm(current_user, item):
        abort(404)
    try:
        if not already_created(db, current_user, Match):
            services.invite_volunteer(db, current_user, item, volunteer)
    except services.MatchError:
        flash(_("Deze vrijwilliger kan nu niet worden uitgenodigd."), "info")
    else:
        flash(
            _("%(name)s krijgt een uitnodiging per e-mail.", name=volunteer.first_name), "success"
        )
    return _back(request_id)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def invitation(token):
    """Answer an invitation from the email link; only the button changes anything."""
    db = get_session()
    match = services.match_for_invitation(db, token)
    if match is None:
        return render_template("matches/invitation_invalid.html"), 400
    form = InvitationForm(data={"antwoord": request.args.get("antwoord", "ja")})
    still_open = match.state == MatchState.INVITED and match.request.state == RequestState.OPEN
    if not still_open and request.method == "GET":
        # Answered, or the request filled or ended meanwhile: say so, ask nothing.
        return render_template("matches/invitation.html", form=None, match=match)
    if form.validate_on_submit():
        accept = form.antwoord.data == "ja"
        try:
            services.answer_invitation(db, match, accept)
        except services.RequestFull:
            flash(_no_longer_open(), "info")
        except services.MatchError:
            flash(_("U heeft deze uitnodiging al beantwoord."), "info")
        else:
            flash(_invitation_thanks(accept), "success")
        return redirect(url_for("pages.home"))
    return render_template("matches/invitation.html", form=form, match=match)


@bp.route("/aanmeldingen/<int:match_id>/uitnodiging", methods=["POST"])
@role_required(Role.VOLUNTEER)
def answer_invitation(match_id):
    """A logged-in volunteer answers an invitation (from the overview or the request)."""
    db = get_session()
    match = _match_for(db, match_id, may=lambda m: m.volunteer_id == current_user.id)
    form = InvitationForm()
    if not form.validate_on_submit():
        _flash_first_error(form)
        return _back_to(match)
    accept = form.antwoord.data == "ja"
    try:
        services.answer_invitation(db, match, accept)
    except services.RequestFull:
        flash(_no_longer_open(), "info")
    except services.MatchError:
        flash(_("U heeft deze uitnodiging al beantwoord."), "info")
    else:
        flash(_invitation_thanks(accept), "success")
    return _back_to(match)


def _no_longer_open() -> str:
    return _(
        "Deze hulpvraag staat niet meer open: er is al iemand gevonden, of de hulp is niet meer nodig. Dank u wel!"
    )


def _invitation_thanks(accept: bool) -> str:
    if accept:
        return _("Dank u wel! De vrager krijgt bericht en laat weten of het doorgaat.")
    return _("Jammer, maar duidelijk. Dank u voor uw antwoord.")


@bp.route("/aanmeldingen/<int:match_id>/berichten", methods=["POST"])
@login_required
def message(match_id):
    """Send a message to the other side of a confirmed match."""
    db = get_session()
    match = _match_for(
        db, match_id, may=lambda m: current_user.id in (m.volunteer_id, m.request.author_id)
    )
    form = MessageForm()
    if not form.validate_on_submit():
        _flash_first_error(form)
        return _back(match.request_id)
    try:
        if not already_created(db, current_user, MatchMessage):
            services.send_message(db, current_user, match, form.body.data)
    except services.MatchError:
        flash(_("U kunt alleen berichten sturen als de hulp is bevestigd."), "info")
    else:
        flash(_("Uw bericht is verstuurd."), "success")
    return _back(match.request_id)

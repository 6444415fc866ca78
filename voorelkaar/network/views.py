"""Mijn netwerk: the people around me, the network check, invitations, the circles I am in."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from voorelkaar.answers.services import answer_path
from voorelkaar.auth.access import staff_of
from voorelkaar.db import get_session, utcnow
from voorelkaar.idempotency import already_created
from voorelkaar.models import HelpRequest, NetworkMember, RequestState, TaskKind
from voorelkaar.municipalities.services import categories_for
from voorelkaar.network import check as checks
from voorelkaar.network import services
from voorelkaar.network.events import CIRCLE_QUESTION
from voorelkaar.network.forms import RELATIONS, AreaForm, CoachForm, CodeForm, MemberForm
from voorelkaar.network.picture import circles_svg
from voorelkaar.tasks.services import local_today, open_task

bp = Blueprint("network", __name__, template_folder="templates", url_prefix="/mijn-netwerk")


@bp.app_template_global("relation_label")
def relation_label(relation) -> str:
    """Who a network member is to the resident, in words."""
    return str(dict(RELATIONS).get(str(relation), relation))


def _category_names(db) -> dict[str, str]:
    locale = str(get_locale())
    return {category.slug: category.name(locale) for category in categories_for(db, current_user)}


def _member_form(db, member: NetworkMember | None = None) -> MemberForm:
    if member is not None and request.method == "GET":
        form = MemberForm(
            data={
                "first_name": member.first_name,
                "relation": str(member.relation),
                "closeness": str(member.closeness),
                "reach": member.reach,
                "email": member.email,
                "categories": sorted(member.category_set),
            }
        )
    else:
        form = MemberForm()
    form.categories.choices = [
        SelectChoice(slug, name) for slug, name in _category_names(db).items()
    ]
    return form


def member_details(form: MemberForm) -> services.MemberDetails:
    """What a member form holds, as the service takes it."""
    return services.MemberDetails(
        first_name=form.first_name.data,
        relation=form.relation.data,
        closeness=int(form.closeness.data),
        reach=form.reach.data or "",
        email=(form.email.data or "").strip().lower() or None,
        categories=tuple(form.categories.data or ()),
    )


def _own_member(db, member_id: int) -> NetworkMember:
    member = services.member_of(db, current_user, member_id)
    if member is None:
        abort(404)
    return member


@bp.route("")
@login_required
def overview():
    """My network as circles and as a table, and what I can do with it."""
    db = get_session()
    members = services.members_of(db, current_user)
    names = _category_names(db)
    picture = circles_svg(
        members,
        _("U"),
        _("Uw netwerk als cirkels"),
        _(
            "In het midden staat u. Op de binnenste cirkel staan %(close)d mensen dichtbij, "
            "op de buitenste %(further)d mensen verder weg. De tabel hieronder noemt ze.",
            close=sum(1 for m in members if m.closeness == 1),
            further=sum(1 for m in members if m.closeness != 1),
        ),
    )
    latest = next(iter(checks.finished_checks(db, current_user)), None)
    return render_template(
        "network/overview.html",
        members=members,
        picture=picture,
        category_names=names,
        latest=latest,
        circles=services.circles_of(db, current_user),
    )


@bp.route("/persoon-toevoegen", methods=["GET", "POST"])
@login_required
def add():
    """Add a person to my network."""
    db = get_session()
    form = _member_form(db)
    if form.validate_on_submit():
        try:
            member = already_created(db, current_user, NetworkMember) or services.add_member(
                db, current_user, member_details(form)
            )
        except services.NetworkError:
            flash(_("U heeft al 50 mensen in uw netwerk. Meer kan niet."), "error")
            return redirect(url_for("network.overview"))
        flash(_("%(name)s staat nu in uw netwerk.", name=member.first_name), "success")
        return redirect(url_for("network.overview"))
    return render_template("network/member_form.html", form=form, member=None)


@bp.route("/persoon/<int:member_id>", methods=["GET", "POST"])
@login_required
def edit(member_id):
    """Change what I wrote about a person in my network."""
    db = get_session()
    member = _own_member(db, member_id)
    form = _member_form(db, member)
    if form.validate_on_submit():
        services.update_member(db, current_user, member, member_details(form))
        flash(_("Opgeslagen."), "success")
        return redirect(url_for("network.overview"))
    return render_template("network/member_form.html", form=form, member=member)


@bp.route("/persoon/<int:member_id>/weghalen", methods=["POST"])
@login_required
def remove(member_id):
    """Take a person out of my network."""
    db = get_session()
    member = _own_member(db, member_id)
    name = member.first_name
    services.remove_member(db, current_user, member)
    flash(_("%(name)s staat niet meer in uw netwerk.", name=name), "success")
    return redirect(url_for("network.overview"))


@bp.route("/persoon/<int:member_id>/ontkoppelen", methods=["POST"])
@login_required
def unlink(member_id):
    """Take a person out of my circle; they stay on my list."""
    db = get_session()
    member = _own_member(db, member_id)
    services.unlink(db, current_user, member)
    flash(_("%(name)s krijgt uw vragen niet meer.", name=member.first_name), "success")
    return redirect(url_for("network.overview"))


@bp.route("/persoon/<int:member_id>/uitnodigen", methods=["POST"])
@login_required
def invite(member_id):
    """Invite a person in my network by email to join my circle."""
    db = get_session()
    member = _own_member(db, member_id)
    try:
        services.invite(db, current_user, member, by_email=True)
    except services.NetworkError:
        flash(_("Vul eerst een e-mailadres in bij %(name)s.", name=member.first_name), "error")
        return redirect(url_for("network.edit", member_id=member.id))
    flash(_("We hebben %(name)s een uitnodiging gemaild.", name=member.first_name), "success")
    return redirect(url_for("network.overview"))


@bp.route("/persoon/<int:member_id>/code", methods=["GET", "POST"])
@login_required
def code(member_id):
    """A code on paper, for someone I would rather hand or post an invitation to."""
    db = get_session()
    member = _own_member(db, member_id)
    if request.method == "POST":
        if not member.joined:
            services.invite(db, current_user, member, by_email=False)
        return redirect(url_for("network.code", member_id=member.id))
    if member.invite_code is None:
        return redirect(url_for("network.overview"))
    return render_template("network/code.html", member=member)


def _invitation_page(member: NetworkMember, form_action: str, **extra):
    return render_template(
        "network/invitation.html", member=member, form_action=form_action, **extra
    )


@bp.route("/uitnodiging/<secret>", methods=["GET", "POST"])
def invitation(secret):
    """The emailed invitation: who asks, and one button to join (after logging in)."""
    db = get_session()
    member = services.invitation_by_secret(db, secret)
    if member is None:
        return render_template("network/invitation_gone.html"), 404
    if request.method == "POST" and current_user.is_authenticated:
        return _join(db, member)
    return _invitation_page(member, url_for("network.invitation", secret=secret))


@bp.route("/meedoen", methods=["GET", "POST"])
@login_required
def join_by_code():
    """Type the code from a printed invitation."""
    db = get_session()
    form = CodeForm()
    if form.validate_on_submit():
        member = services.invitation_by_code(db, form.code.data)
        if member is None:
            form.code.errors.append(
                _("Deze code kennen we niet (meer). Kijk of u hem goed overnam.")
            )
        elif request.form.get("bevestig") == "ja":
            return _join(db, member)
        else:
            return _invitation_page(
                member,
                url_for("network.join_by_code"),
                code=services.normalise_code(form.code.data),
            )
    return render_template("network/join.html", form=form)


def _join(db, member: NetworkMember):
    owner_name = member.owner.first_name
    try:
        joined = services.join(db, current_user, member)
    except services.NetworkError:
        flash(_("U zit al in het netwerk van %(name)s.", name=owner_name), "info")
        return redirect(url_for("network.circles"))
    if not joined:
        return render_template("network/invitation_gone.html"), 404
    flash(
        _(
            "U zit nu in het netwerk van %(name)s. Vraagt %(name)s om hulp waarbij u kunt "
            "helpen, dan krijgt u een e-mail.",
            name=owner_name,
        ),
        "success",
    )
    return redirect(url_for("network.circles"))


@bp.route("/kringen")
@login_required
def circles():
    """The networks I am in, and the requests they sent me."""
    db = get_session()
    asked = services.requests_for_member(db, current_user)
    return render_template(
        "network/circles.html",
        circles=services.circles_of(db, current_user),
        asked=[
            (item, answer, answer_path(CIRCLE_QUESTION, item.id, current_user))
            for item, answer in asked
        ],
        open_state=RequestState.CIRCLE,
    )


@bp.route("/kringen/<int:member_id>/verlaten", methods=["POST"])
@login_required
def leave(member_id):
    """Step out of someone's network."""
    db = get_session()
    member = db.get(NetworkMember, member_id)
    if member is None or member.member_user_id != current_user.id:
        abort(404)
    name = member.owner.first_name
    services.leave(db, current_user, member)
    flash(_("U zit niet meer in het netwerk van %(name)s.", name=name), "success")
    return redirect(url_for("network.circles"))


@bp.route("/hulpvraag/<int:request_id>/naar-de-wijk", methods=["POST"])
@login_required
def release(request_id):
    """Let my request go from my own network to volunteers in the wijk."""
    db = get_session()
    item = db.get(HelpRequest, request_id)
    if item is None or not (
        item.author_id == current_user.id or staff_of(current_user, item.municipality_id)
    ):
        abort(404)
    if services.release_to_wijk(db, current_user, item):
        flash(_("De hulpvraag gaat nu naar vrijwilligers in de buurt."), "success")
    else:
        flash(_("Deze hulpvraag is intussen al verder gegaan."), "info")
    return redirect(url_for("help_requests.detail", request_id=item.id))


# ---------- "Hoe sterk is mijn netwerk?" ----------


@bp.route("/check")
@login_required
def check_start():
    """What the network check is, and a button to start (or go on)."""
    db = get_session()
    return render_template(
        "network/check_start.html",
        areas=checks.AREAS,
        current=checks.current_check(db, current_user),
        members=services.members_of(db, current_user),
        latest=next(iter(checks.finished_checks(db, current_user)), None),
    )


@bp.route("/check/beginnen", methods=["POST"])
@login_required
def check_begin():
    """Start the check (or go on with the one started)."""
    checks.start_check(get_session(), current_user)
    return redirect(url_for("network.check_area", key=checks.AREA_KEYS[0]))


@bp.route("/check/<key>", methods=["GET", "POST"])
@login_required
def check_area(key):
    """One question of the check: whom can I ask for this?"""
    db = get_session()
    area = checks.area(key)
    check = checks.current_check(db, current_user)
    if area is None:
        abort(404)
    if check is None:
        return redirect(url_for("network.check_start"))
    members = services.members_of(db, current_user)
    form = AreaForm(data={"who": [str(i) for i in (check.answers or {}).get(key, [])]})
    form.who.choices = [SelectChoice(str(m.id), m.first_name) for m in members]
    form.who.description = _(
        "Kies iedereen die u hiervoor kunt vragen. Kunt u niemand vragen? Kies dan niets en "
        "klik op Verder."
    )
    index = checks.AREA_KEYS.index(key)
    if form.validate_on_submit():
        chosen = [int(value) for value in form.who.data or [] if value.isdigit()]
        checks.answer_area(db, current_user, check, key, chosen)
        if index + 1 < len(checks.AREA_KEYS):
            return redirect(url_for("network.check_area", key=checks.AREA_KEYS[index + 1]))
        checks.finish_check(db, current_user, check)
        return redirect(url_for("network.check_result"))
    return render_template(
        "network/check_area.html",
        form=form,
        area=area,
        number=index + 1,
        total=len(checks.AREAS),
        previous=checks.AREA_KEYS[index - 1] if index else None,
        members=members,
    )


@bp.route("/check/uitslag")
@login_required
def check_result():
    """Per life area whom I can ask, the gaps, a next step for each, and the change."""
    db = get_session()
    done = checks.finished_checks(db, current_user)
    if not done:
        return redirect(url_for("network.check_start"))
    latest = done[0]
    members = services.members_of(db, current_user)
    return render_template(
        "network/check_result.html",
        check=latest,
        results=checks.results(latest, members),
        gaps=checks.gaps_of(latest),
        earlier=done[1] if len(done) > 1 else None,
        category_names=_category_names(db),
        coach_form=CoachForm(),
    )


@bp.route("/coach", methods=["POST"])
@login_required
def coach():
    """Ask for a talk with a network coach (a staff task, with my consent)."""
    db = get_session()
    form = CoachForm()
    if not form.validate_on_submit():
        flash(_("Zet een vinkje als u het goed vindt dat een medewerker u belt."), "error")
        return redirect(url_for("network.check_result") + "#coach")
    open_task(
        db,
        key=f"network_coach:{current_user.id}:{local_today():%Y%m%d}",
        kind=TaskKind.NETWORK_COACH,
        person=current_user,
        detail=_("Toestemming gegeven op %(date)s.", date=f"{utcnow():%d-%m-%Y}"),
    )
    db.commit()
    flash(
        _("Dank u wel. Een medewerker belt u binnenkort om een gesprek af te spreken."),
        "success",
    )
    return redirect(url_for("network.check_result"))

"""Staff review posts and read the audit trail."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from voorelkaar.audit import record
from voorelkaar.auth.access import may_act_on, staff_required
from voorelkaar.db import get_session
from voorelkaar.models import RequestState, Role, User
from voorelkaar.moderation import services
from voorelkaar.moderation.forms import AuditFilterForm, BlockForm, RejectForm
from voorelkaar.moderation.sentences import describe
from voorelkaar.worklists.services import PeopleFilters, page_number, people_page

bp = Blueprint("moderation", __name__, template_folder="templates", url_prefix="/beheer")


def _post_or_404(db, kind: str, post_id: int):
    post = services.find_post(db, kind, post_id, current_user)
    if post is None:
        abort(404)
    return post


@bp.route("/te-beoordelen")
@staff_required
def queue():
    """Posts waiting for review."""
    posts = [
        (services.kind_of(post).slug, post)
        for post in services.review_queue(get_session(), current_user)
    ]
    return render_template("moderation/queue.html", posts=posts)


@bp.route("/te-beoordelen/<kind>/<int:post_id>/goedkeuren", methods=["POST"])
@staff_required
def approve(kind, post_id):
    """Put a post online."""
    db = get_session()
    post = _post_or_404(db, kind, post_id)
    try:
        services.approve_post(db, current_user, post)
    except services.ModerationError:
        flash(_("Dit bericht wacht niet (meer) op controle."), "info")
    else:
        flash(_("Het bericht staat nu online. De schrijver krijgt een e-mail."), "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/te-beoordelen/<kind>/<int:post_id>/afwijzen", methods=["GET", "POST"])
@staff_required
def reject(kind, post_id):
    """Refuse a post, with a reason for its author."""
    db = get_session()
    post = _post_or_404(db, kind, post_id)
    if post.state != RequestState.PENDING:
        flash(_("Dit bericht wacht niet (meer) op controle."), "info")
        return redirect(url_for("moderation.queue"))
    form = RejectForm()
    if form.validate_on_submit():
        services.reject_post(db, current_user, post, form.reason.data)
        flash(_("Het bericht is afgewezen. De schrijver krijgt de reden per e-mail."), "success")
        return redirect(url_for("moderation.queue"))
    return render_template("moderation/reject.html", form=form, item=post)


@bp.route("/logboek")
@staff_required
def audit():
    """Who did what, when and why: in sentences, filtered, 50 at a time."""
    db = get_session()
    form = AuditFilterForm(request.args)
    valid = form.validate() if request.args else True
    filters = form.filters() if valid else services.AuditFilters()
    page = services.audit_page(db, current_user, filters, page_number(request.args.get("pagina")))
    return render_template(
        "moderation/audit.html",
        form=form,
        page=page,
        lines=describe(db, current_user, page.items),
        args={key: value for key, value in request.args.items() if key != "pagina" and value},
    )


@bp.app_template_global("post_url")
def post_url(post, edit=False):
    return services.post_url(post, edit=edit)


@bp.route("/gebruikers")
@staff_required
def users():
    """Find an account by name, email, phone or postcode (the people list, for blocking)."""
    text = (request.args.get("q") or "").strip()[:100]
    page = people_page(
        get_session(),
        current_user,
        PeopleFilters(text=text or None),
        page_number(request.args.get("pagina")),
    )
    return render_template("moderation/users.html", page=page, q=text)


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@staff_required
def user(user_id):
    """One account, for staff: details, and block or unblock it."""
    db = get_session()
    account = services.user_for(db, current_user, user_id) or abort(404)
    form = BlockForm()
    if form.validate_on_submit():
        try:
            if account.blocked_at is None:
                services.block_user(db, current_user, account, form.reason.data)
                flash(
                    _("Het account is geblokkeerd. Berichten ervan zijn niet meer te zien."),
                    "success",
                )
            else:
                services.unblock_user(db, current_user, account, form.reason.data)
                flash(_("Het account is niet meer geblokkeerd."), "success")
        except services.ModerationError:
            flash(_refusal(account), "info")
        return redirect(url_for("moderation.user", user_id=user_id))
    # The page shows an email address and a home address: who opened it is logged.
    record(db, current_user, "users.viewed", account)
    db.commit()
    return render_template(
        "moderation/user.html",
        account=account,
        form=form,
        admin_role=Role.ADMIN,
        may_block=services.may_block(db, current_user, account),
        may_record_vog=may_act_on(current_user, account),
        refusal=_refusal(account),
    )


def _refusal(account: User) -> str:
    """Why this account cannot be blocked (or unblocked) by the current user."""
    if account.id == current_user.id:
        return _("U kunt uw eigen account niet blokkeren.")
    if account.has_role(Role.ADMIN) and current_user.has_role(Role.ADMIN):
        return _("Dit is de laatste beheerder. Maak eerst iemand anders beheerder.")
    return _(
        "Dit account werkt mee in het beheer. Alleen een beheerder kan het blokkeren of "
        "de blokkade opheffen."
    )

"""Volunteers offer help; residents and staff browse offers and reply."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from voorelkaar import posts
from voorelkaar.auth.access import role_required
from voorelkaar.db import get_session
from voorelkaar.forms import BaseForm
from voorelkaar.help_requests.services import active_categories, known_skills
from voorelkaar.idempotency import already_created
from voorelkaar.models import Offer, OfferReply, RequestState, Role
from voorelkaar.moderation.services import post_url
from voorelkaar.municipalities.services import categories_for
from voorelkaar.offers import services
from voorelkaar.offers.forms import OfferBrowseForm, OfferForm, ReplyForm

bp = Blueprint("offers", __name__, template_folder="templates")


@bp.route("/hulpaanbod")
def browse():
    """Open offers of help, with filters; a list first, readable by everyone."""
    db = get_session()
    form = OfferBrowseForm(
        request.args, categories=active_categories(db), neighbourhoods=posts.wijken(db)
    )
    results = posts.results_for(
        form, current_user, lambda filters, page: services.browse_offers(db, filters, page)
    )
    may_offer = current_user.is_authenticated and services.may_offer(current_user)
    return render_template("offers/browse.html", form=form, results=results, may_offer=may_offer)


@bp.route("/hulpaanbod/nieuw", methods=["GET", "POST"])
@role_required(Role.VOLUNTEER)
def create():
    """Offer help as a volunteer."""
    db = get_session()
    form = OfferForm(categories=categories_for(db, current_user))
    if form.validate_on_submit():
        offer = already_created(db, current_user, Offer) or services.post_offer(
            db, current_user, form.details()
        )
        if offer.state == RequestState.PENDING:
            flash(_("Dank u wel. Uw aanbod wordt eerst bekeken door een coördinator."), "success")
        else:
            flash(_("Dank u wel. Uw aanbod staat online."), "success")
        return redirect(url_for("offers.detail", offer_id=offer.id))
    return render_template("offers/form.html", form=form, skills=known_skills(db), editing=None)


def _managed_offer_or_404(db, offer_id: int):
    offer = services.offer_for(db, current_user, offer_id)
    if offer is None or not services.may_manage(current_user, offer):
        abort(404)
    return offer


@bp.route("/hulpaanbod/<int:offer_id>")
@login_required
def detail(offer_id):
    """One offer; its volunteer and staff see everything, others the public part."""
    db = get_session()
    offer = services.offer_for(db, current_user, offer_id) or abort(404)
    return _detail_page(db, offer, ReplyForm())


def _detail_page(db, offer, reply_form: ReplyForm):
    manage = services.may_manage(current_user, offer)
    return render_template(
        "offers/detail.html",
        item=offer,
        manage=manage,
        edit_url=post_url(offer, edit=True)
        if manage and offer.state in services.EDITABLE
        else None,
        closable=manage and offer.state in services.CLOSABLE,
        may_reply=services.may_reply(current_user, offer),
        replies=services.replies_for(db, current_user, offer),
        form=reply_form,
        close_form=BaseForm(),
    )


@bp.route("/hulpaanbod/<int:offer_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(offer_id):
    """Change an offer; staff may edit before approving."""
    db = get_session()
    offer = _managed_offer_or_404(db, offer_id)
    if offer.state not in services.EDITABLE:
        flash(_("Dit aanbod kan niet meer worden gewijzigd."), "info")
        return redirect(url_for("offers.detail", offer_id=offer_id))
    form = OfferForm(categories=categories_for(db, offer.author, keep=offer.category_id))
    if request.method == "GET":
        form.fill_from(offer)
    if form.validate_on_submit():
        services.update_offer(db, current_user, offer, form.details())
        flash(_("Het aanbod is opgeslagen."), "success")
        return redirect(url_for("offers.detail", offer_id=offer_id))
    return render_template("offers/form.html", form=form, skills=known_skills(db), editing=offer)


@bp.route("/hulpaanbod/<int:offer_id>/stoppen", methods=["POST"])
@login_required
def close(offer_id):
    """Take an offer offline."""
    db = get_session()
    offer = _managed_offer_or_404(db, offer_id)
    try:
        services.close_offer(db, current_user, offer)
    except services.NotAllowed:
        flash(_("Dit aanbod is al gestopt."), "info")
    else:
        flash(_("Het aanbod staat niet meer online."), "success")
    return redirect(url_for("offers.mine"))


@bp.route("/hulpaanbod/<int:offer_id>/reageren", methods=["POST"])
@role_required(*services.REPLIERS)
def reply(offer_id):
    """Send the volunteer a short message."""
    db = get_session()
    offer = services.offer_for(db, current_user, offer_id) or abort(404)
    if not services.may_reply(current_user, offer):
        abort(403)
    form = ReplyForm()
    if form.validate_on_submit():
        if not already_created(db, current_user, OfferReply):
            services.reply_to_offer(db, current_user, offer, form.message.data)
        flash(_("Uw bericht is verstuurd. De vrijwilliger krijgt een e-mail."), "success")
        return redirect(url_for("offers.detail", offer_id=offer_id))
    return _detail_page(db, offer, form)


@bp.route("/mijn-aanbod")
@login_required
def mine():
    """The offers I posted, in every state."""
    return render_template(
        "offers/mine.html",
        items=services.my_offers(get_session(), current_user),
        may_offer=services.may_offer(current_user),
    )

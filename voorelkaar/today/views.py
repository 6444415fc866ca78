"""The staff's Today page."""

from flask import Blueprint, render_template
from flask_login import current_user

from voorelkaar.auth.access import staff_required
from voorelkaar.db import get_session
from voorelkaar.tasks.services import count_open
from voorelkaar.today import services

bp = Blueprint("today", __name__, template_folder="templates")


@bp.route("/vandaag")
@staff_required
def index():
    """What waits for a person now: posts, reports, tasks, requests, referrals, VOGs."""
    db = get_session()
    return render_template(
        "today/index.html",
        today=services.today_for(db, current_user),
        mine=count_open(db, current_user, mine=True),
        untaken_days=services.UNTAKEN_DAYS,
        referral_days=services.REFERRAL_DAYS,
        vog_days=services.VOG_DAYS,
    )

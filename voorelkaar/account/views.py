"""Own your data: see what is kept, download it, withdraw consent, delete the account."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from voorelkaar.account import services
from voorelkaar.account.export import export_data
from voorelkaar.account.forms import DeleteAccountForm
from voorelkaar.db import get_session
from voorelkaar.models import CarerProfile, Referral, Role

bp = Blueprint("account", __name__, template_folder="templates")


@bp.route("/mijn-gegevens")
@login_required
def overview():
    """What we keep about me, my consents, and the buttons to download or delete it."""
    db = get_session()
    return render_template(
        "account/overview.html",
        carer=current_user.has_role(Role.CARER),
        profile=db.get(CarerProfile, current_user.id),
        referrals=db.scalars(select(Referral).where(Referral.account_id == current_user.id)).all(),
    )


@bp.route("/mijn-gegevens/download")
@login_required
def download():
    """All data about me as a JSON file."""
    data = export_data(get_session(), current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mijn-gegevens.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/mijn-gegevens/verwijderen", methods=["GET", "POST"])
@login_required
def delete():
    """Delete my account, after typing my password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(get_session(), current_user, form.password.data)
        except services.WrongPassword:
            form.password.errors.append(_("Dit is niet uw wachtwoord. Probeer het opnieuw."))
        except services.LastAdmin:
            form.password.errors.append(
                _(
                    "U bent de enige beheerder. Geef eerst iemand anders de rol beheerder, "
                    "dan kunt u uw account verwijderen."
                )
            )
        else:
            logout_user()
            session.clear()
            flash(_("Uw account is verwijderd. Bedankt dat u meedeed."), "success")
            return redirect(url_for("pages.home"))
    return render_template("account/delete.html", form=form), 200 if not form.errors else 422

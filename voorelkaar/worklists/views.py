"""The back office's work lists (/overzicht/...): search, filter, page, and export as CSV."""

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from voorelkaar.admin.forms import ROLE_LABELS
from voorelkaar.auth.access import BACK_OFFICE, is_staff, role_required, staff_required
from voorelkaar.db import get_session
from voorelkaar.help_requests.views import state_label
from voorelkaar.i18n import date_long
from voorelkaar.models import PostedFor
from voorelkaar.referrals.views import referral_status
from voorelkaar.worklists import services
from voorelkaar.worklists.forms import PeopleListForm, ReferralListForm, RequestListForm

bp = Blueprint("worklists", __name__, template_folder="templates", url_prefix="/overzicht")

CSV_TYPE = "text/csv; charset=utf-8"


def _valid(form) -> bool:
    """Check the filters; a filter that is not one of the list shows its message instead."""
    return form.validate() if request.args else True


def _page_args() -> dict:
    """The filters of this address, for page and export links that keep them."""
    return {key: value for key, value in request.args.items() if key != "pagina" and value}


def _csv(name: str, header, rows) -> Response:
    response = Response(services.csv_bytes(header, rows), mimetype="text/csv")
    response.headers["Content-Type"] = CSV_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("worklist_phone")
def worklist_phone(phone: str | None) -> str:
    return services.phone_text(phone)


def for_whom(item) -> str:
    """For whom a request is, when not for its asker: the resident or the person cared for."""
    if item.posted_for == PostedFor.RESIDENT:
        return item.resident_name or ""
    if item.posted_for == PostedFor.CARED_FOR:
        return item.for_first_name or ""
    return ""


def role_names(person) -> str:
    return ", ".join(str(label) for role, label in ROLE_LABELS.items() if person.has_role(role))


# ---------- Requests ----------


def _request_form(db):
    return RequestListForm(
        request.args,
        neighbourhoods=services.wijken(db, current_user),
        categories=services.categories(db),
    )


@bp.route("/hulpvragen")
@staff_required
def requests():
    """Every request of my municipalities, in every state."""
    db = get_session()
    form = _request_form(db)
    filters = form.filters() if _valid(form) else services.RequestFilters()
    page = services.request_page(
        db, current_user, filters, services.page_number(request.args.get("pagina"))
    )
    return render_template(
        "worklists/requests.html",
        form=form,
        page=page,
        args=_page_args(),
        for_whom=for_whom,
    )


@bp.route("/hulpvragen.csv")
@staff_required
def requests_csv():
    """The requests the list shows with these filters, all pages, as a spreadsheet."""
    db = get_session()
    form = _request_form(db)
    if not _valid(form):
        return redirect(url_for("worklists.requests", **_page_args()))
    rows = services.all_requests(db, current_user, form.filters())
    services.record_export(db, current_user, "hulpvragen", form.filters(), len(rows))
    header = [
        _("Nummer"),
        _("Titel"),
        _("Gevraagd door"),
        _("Voor wie"),
        _("Wijk"),
        _("Soort hulp"),
        _("Status"),
        _("Wacht sinds (dagen)"),
        _("Vrijwilliger"),
    ]
    locale = str(get_locale())
    lines = (
        [
            row.request.id,
            row.request.title,
            row.request.author.name,
            for_whom(row.request),
            row.request.neighbourhood.name if row.request.neighbourhood else "",
            row.request.category.name(locale),
            state_label(row.request.state),
            "" if row.waiting_days() is None else row.waiting_days(),
            ", ".join(volunteer.name for volunteer in row.volunteers),
        ]
        for row in rows
    )
    return _csv("hulpvragen", header, lines)


# ---------- People ----------


def _people_form(db):
    return PeopleListForm(request.args, neighbourhoods=services.wijken(db, current_user))


@bp.route("/mensen")
@staff_required
def people():
    """Find anyone of my municipalities by name, email, phone or postcode."""
    db = get_session()
    form = _people_form(db)
    filters = form.filters() if _valid(form) else services.PeopleFilters()
    page = services.people_page(
        db, current_user, filters, services.page_number(request.args.get("pagina"))
    )
    return render_template(
        "worklists/people.html", form=form, page=page, args=_page_args(), role_names=role_names
    )


@bp.route("/mensen.csv")
@staff_required
def people_csv():
    """The people the list shows with these filters, all pages, as a spreadsheet."""
    db = get_session()
    form = _people_form(db)
    if not _valid(form):
        return redirect(url_for("worklists.people", **_page_args()))
    people = services.all_people(db, current_user, form.filters())
    services.record_export(db, current_user, "mensen", form.filters(), len(people))
    header = [
        _("Nummer"),
        _("Naam"),
        _("Rollen"),
        _("Wijk"),
        _("E-mailadres"),
        _("Telefoon"),
        _("Postcode"),
    ]
    lines = (
        [
            person.id,
            person.name,
            role_names(person),
            person.neighbourhood.name if person.neighbourhood else "",
            person.email or "",
            services.phone_text(person.phone),
            person.postcode,
        ]
        for person in people
    )
    return _csv("mensen", header, lines)


# ---------- Referrals ----------


@bp.route("/verwijzingen")
@role_required(*BACK_OFFICE)
def referrals():
    """Referrals by status: a consultant sees their own, staff all of their municipalities."""
    db = get_session()
    form = ReferralListForm(request.args)
    filters = form.filters() if _valid(form) else services.ReferralFilters()
    page = services.referral_page(
        db, current_user, filters, services.page_number(request.args.get("pagina"))
    )
    return render_template(
        "worklists/referrals.html",
        form=form,
        page=page,
        args=_page_args(),
        staff_view=is_staff(current_user),
    )


@bp.route("/verwijzingen.csv")
@role_required(*BACK_OFFICE)
def referrals_csv():
    """The referrals the list shows with these filters, all pages, as a spreadsheet."""
    db = get_session()
    form = ReferralListForm(request.args)
    if not _valid(form):
        return redirect(url_for("worklists.referrals", **_page_args()))
    items = services.all_referrals(db, current_user, form.filters())
    services.record_export(db, current_user, "verwijzingen", form.filters(), len(items))
    header = [_("Nummer"), _("Inwoner"), _("Vraag"), _("Consulent"), _("Verwezen op"), _("Status")]
    lines = (
        [
            item.id,
            item.resident_name,
            item.title,
            item.consultant.name if item.consultant else "",
            date_long(item.created_at),
            referral_status(item),
        ]
        for item in items
    )
    return _csv("verwijzingen", header, lines)

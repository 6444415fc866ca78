"""Figures for the municipality: per wijk, category and month, computed in SQL."""

import csv
import io

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_date, get_locale
from flask_login import current_user

from voorelkaar.auth.access import figures_required
from voorelkaar.db import get_session, utcnow
from voorelkaar.figures import services, tables
from voorelkaar.figures.forms import FiguresForm
from voorelkaar.tenancy import served_ids

bp = Blueprint("figures", __name__, template_folder="templates")


def _form_and_filters():
    db = get_session()
    today = utcnow().date()
    locale = str(get_locale() or "nl")
    served = served_ids(db, current_user)  # the viewer's municipalities, and only those
    form = FiguresForm(request.args, today=today, **services.filter_choices(db, served, locale))
    form.validate()
    return form, form.filters(today, served), locale


@bp.route("/cijfers")
@figures_required
def index():
    """The figures as charts with their tables, for the chosen months, wijk and category."""
    form, filters, locale = _form_and_filters()
    computed: dict = {}
    figures = [
        (table, [tables.build_chart(table, keys) for keys in table.definition.charts])
        for table in tables.build_tables(get_session(), filters, locale, computed=computed)
    ]
    return render_template(
        "figures/index.html",
        form=form,
        filters=filters,
        figures=figures,
        key_numbers=tables.key_numbers(get_session(), filters, computed),
        period=(
            format_date(filters.first_month, "MMMM y"),
            format_date(filters.last_month, "MMMM y"),
        ),
        query=request.args.to_dict(),
        small=tables.SMALL,
    )


@bp.route("/cijfers/<slug>.csv")
@figures_required
def download(slug: str):
    """One table as a CSV file, with the same filters and the same hidden small numbers."""
    if slug not in tables.BY_SLUG:
        abort(404)
    _form, filters, locale = _form_and_filters()
    (table,) = tables.build_tables(get_session(), filters, locale, only=slug)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows(table.csv_rows())
    name = f"{slug}-{filters.first_month:%Y-%m}-{filters.last_month:%Y-%m}-per-{filters.by}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

"""The figures as tables and bar charts, with small numbers hidden so nobody can be recognised.

A count from 1 to 4 is shown as "< 5" (0 stays 0). A share, median or number of
hours that rests on such a small group is shown as "te weinig". Tables and charts use
these same cells; a chart draws a hidden count as a hatched bar that says "minder dan 5".
The CSV files hold plain numbers only: a hidden cell is empty, and a last column says why.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from voorelkaar.figures import rollups, services
from voorelkaar.figures.services import BY_MONTH, Filters, Result

SMALL = "< 5"
NO_VALUE = "–"


def is_small(count: float | None) -> bool:
    return count is not None and 0 < count < 5


def count_cell(count: float | None) -> tuple[str, float | None]:
    """(text, value for the chart): 1..4 becomes "< 5" and has no value."""
    count = int(count or 0)
    if is_small(count):
        return SMALL, None
    return str(count), count


def hidden_reason() -> str:
    """What the CSV says beside a row with hidden cells."""
    return _("minder dan 5, niet getoond om mensen te beschermen")


def _decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count, share, days, hours
    csv_label: str | None = None  # the CSV's heading, where its number differs from the page's
    of: tuple[str, str] = ("matched", "posted")  # a share: (part, whole) measures


@dataclass(frozen=True)
class Definition:
    slug: str
    title: str
    text: str
    columns: tuple[Column, ...]
    charts: tuple[tuple[str, ...], ...]  # the column keys drawn in each chart
    has_category: bool = True


DEFINITIONS = (
    Definition(
        "hulpvragen",
        _l("Geplaatste hulpvragen"),
        _l("Hulpvragen die in deze maanden online kwamen, naar wie ze plaatste."),
        (
            Column("self", _l("Door de inwoner zelf")),
            Column("cared_for", _l("Door een mantelzorger")),
            Column("resident", _l("Door een coördinator of consulent")),
            Column("referral", _l("Na een verwijzing")),
            Column("total", _l("Totaal")),
        ),
        (("self", "cared_for", "resident", "referral"),),
    ),
    Definition(
        "matches",
        _l("Hulpvragen met een vrijwilliger"),
        _l(
            "Van de hulpvragen uit deze maanden: hoeveel een vrijwilliger kregen, "
            "na hoeveel dagen, en hoeveel verliepen zonder vrijwilliger."
        ),
        (
            Column("posted", _l("Geplaatst")),
            Column("matched", _l("Met vrijwilliger")),
            Column(
                "share",
                _l("Deel met vrijwilliger"),
                "share",
                _l("Deel met vrijwilliger (procent)"),
            ),
            Column("median_days", _l("Dagen tot vrijwilliger (mediaan)"), "days"),
            Column("expired", _l("Verlopen zonder vrijwilliger")),
        ),
        (("posted", "matched", "expired"),),
    ),
    Definition(
        "vrijwilligers",
        _l("Vrijwilligers en uren"),
        _l(
            "Actieve vrijwilligers: vrijwilligers met een match die in die maand is bevestigd. "
            "Uren: de uren van matches die in die maand zijn afgerond."
        ),
        (
            Column("active", _l("Actieve vrijwilligers")),
            Column("hours", _l("Gegeven uren"), "hours"),
        ),
        (("active",), ("hours",)),
    ),
    Definition(
        "mantelzorgers",
        _l("Hoe gaat het met mantelzorgers?"),
        _l("De antwoorden op de vraag 'Hoe gaat het met u?' die in deze maanden is gesteld."),
        (
            Column("goed", _l("Goed")),
            Column("gaat", _l("Het gaat")),
            Column("zwaar", _l("Zwaar")),
            Column("geen", _l("Geen antwoord")),
            Column("total", _l("Totaal")),
        ),
        (("goed", "gaat", "zwaar", "geen"),),
        has_category=False,
    ),
    Definition(
        "taken",
        _l("Afgesloten taken van coördinatoren"),
        _l("Taken uit de takenlijst die in deze maanden zijn afgesloten."),
        (
            Column("requests", _l("Over hulpvragen")),
            Column("carers", _l("Over mantelzorgers")),
            Column("other", _l("Overig")),
            Column("total", _l("Totaal")),
        ),
        (("requests", "carers", "other"),),
        has_category=False,
    ),
    Definition(
        "verwijzingen",
        _l("Verwijzingen van Wmo-consulenten"),
        _l("Verwijzingen uit deze maanden, naar wat ervan gekomen is."),
        (
            Column("uitgenodigd", _l("Uitgenodigd")),
            Column("account", _l("Account gemaakt")),
            Column("geplaatst", _l("Hulpvraag geplaatst")),
            Column("gematcht", _l("Gematcht")),
            Column("afgerond", _l("Afgerond")),
            Column("verlopen", _l("Verlopen")),
            Column("ingetrokken", _l("Ingetrokken")),
            Column("total", _l("Totaal")),
        ),
        (
            (
                "uitgenodigd",
                "account",
                "geplaatst",
                "gematcht",
                "afgerond",
                "verlopen",
                "ingetrokken",
            ),
        ),
    ),
)
DEFINITIONS += (
    Definition(
        "eigen-netwerk",
        _l("Hulp uit het eigen netwerk"),
        _l(
            "Hulpvragen uit deze maanden die hulp kregen: van iemand uit het eigen netwerk "
            "van de hulpvrager, of van een vrijwilliger."
        ),
        (
            Column("netwerk", _l("Door het eigen netwerk")),
            Column("vrijwilliger", _l("Door een vrijwilliger")),
            Column(
                "netwerk_share",
                _l("Deel door het eigen netwerk"),
                "share",
                _l("Deel door het eigen netwerk (procent)"),
                of=("netwerk", "total"),
            ),
            Column("total", _l("Totaal met hulp")),
        ),
        (("netwerk", "vrijwilliger"),),
    ),
    Definition(
        "netwerkcheck",
        _l("Hoe sterk is mijn netwerk?"),
        _l(
            "Netwerkchecks die in deze maanden zijn gedaan: de eerste van iemand, en bij wie "
            "hem opnieuw deed of er minder, evenveel of meer onderwerpen zonder iemand zijn."
        ),
        (
            Column("eerste", _l("Voor het eerst gedaan")),
            Column("minder", _l("Opnieuw: minder gaten")),
            Column("evenveel", _l("Opnieuw: evenveel gaten")),
            Column("meer", _l("Opnieuw: meer gaten")),
            Column("total", _l("Totaal")),
        ),
        (("eerste", "minder", "evenveel", "meer"),),
        has_category=False,
    ),
)
BY_SLUG = {definition.slug: definition for definition in DEFINITIONS}


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]
    values: dict[str, float | None]  # what the charts draw; None: hidden or no value
    hidden: frozenset[str] = frozenset()  # the keys of the cells hidden as small numbers

    def csv_cells(self, columns: tuple[Column, ...]) -> tuple[str, ...]:
        """The cells as plain numbers: hidden and empty ones blank (a decimal comma)."""
        return tuple(_csv_number(column, self.values[column.key]) for column in columns)


@dataclass(frozen=True)
class Table:
    definition: Definition
    group_label: str
    rows: tuple[Row, ...]
    total: Row
    notes: tuple[str, ...]

    @property
    def header(self) -> tuple[str, ...]:
        return (self.group_label, *(str(column.label) for column in self.definition.columns))

    def csv_rows(self) -> list[tuple[str, ...]]:
        """Plain numbers a spreadsheet can add up; a hidden cell is empty and said why."""
        header = (
            self.group_label,
            *(str(column.csv_label or column.label) for column in self.definition.columns),
            _("Toelichting"),
        )
        return [
            header,
            *(
                (
                    row.label,
                    *row.csv_cells(self.definition.columns),
                    hidden_reason() if row.hidden else "",
                )
                for row in (*self.rows, self.total)
            ),
        ]


def _csv_number(column: Column, value: float | None) -> str:
    if value is None:
        return ""
    if column.kind in ("days", "hours"):
        return _decimal(value)
    return str(int(value))


def _cell(column: Column, measures: dict) -> tuple[str, float | None]:
    if column.kind == "count":
        return count_cell(measures.get(column.key))
    if column.kind == "share":
        part, whole = column.of
        posted, matched = measures.get(whole) or 0, measures.get(part) or 0
        if not posted:
            return NO_VALUE, None
        if is_small(posted) or is_small(matched):
            return _("te weinig"), None
        share = round(100 * matched / posted)
        return f"{share}%", share
    if column.kind == "days":
        matched, median = measures.get("matched") or 0, measures.get("median_days")
        if not matched or median is None:
            return NO_VALUE, None
        if is_small(matched):
            return _("te weinig"), None
        return _decimal(median), median
    # hours: hidden when they come from 1..4 finished matches
    hours, matches = measures.get("hours") or 0.0, measures.get("hours_matches") or 0
    if is_small(matches):
        return _("te weinig"), None
    return _decimal(hours), hours


def _row(definition: Definition, label: str, measures: dict) -> Row:
    cells, values, hidden = [], {}, set()
    for column in definition.columns:
        text, value = _cell(column, measures)
        cells.append(text)
        values[column.key] = value
        if value is None and text not in (NO_VALUE, ""):
            hidden.add(column.key)
    return Row(label, tuple(cells), values, frozenset(hidden))


GROUP_LABELS = {
    services.BY_MONTH: _l("Maand"),
    services.BY_WIJK: _l("Wijk"),
    services.BY_CATEGORY: _l("Categorie"),
    services.BY_MUNICIPALITY: _l("Gemeente"),
}


def _group_rows(result: Result, filters: Filters, labels: dict) -> list[tuple[str, dict]]:
    if filters.by == BY_MONTH:
        months = services.months_between(filters.first_month, filters.last_month)
        return [
            (format_date(month, "MMMM y"), result.groups.get(month.strftime("%Y-%m"), {}))
            for month in months
        ]
    unknown = _("Wijk onbekend") if filters.by == services.BY_WIJK else _("Onbekend")
    groups = dict(result.groups)
    if filters.by in (services.BY_WIJK, services.BY_MUNICIPALITY):
        # Every wijk (or municipality) in view is listed, also one where nothing happened.
        for key in labels:
            if filters.by != services.BY_WIJK or filters.neighbourhood_id in (None, key):
                groups.setdefault(key, {})
    named = [
        (labels.get(key, unknown) if key is not None else unknown, m) for key, m in groups.items()
    ]
    return sorted(named, key=lambda pair: (pair[0] == unknown, pair[0].lower()))


def build_table(definition: Definition, result: Result, filters: Filters, labels: dict) -> Table:
    """One figure as a table: a row per group and a total, with small numbers hidden."""
    notes = []
    rows: list[Row] = []
    if result.grouped:
        rows = [_row(definition, label, m) for label, m in _group_rows(result, filters, labels)]
    else:
        notes.append(
            _("Deze cijfers zijn niet per categorie te verdelen. U ziet alleen het totaal.")
        )
    if filters.category_id and not definition.has_category:
        notes.append(
            _(
                "Deze cijfers horen niet bij een categorie. Het filter op categorie telt hier niet mee."
            )
        )
    total = _row(definition, _("Totaal"), result.total)
    return Table(definition, str(GROUP_LABELS[filters.by]), tuple(rows), total, tuple(notes))


def build_tables(
    db,
    filters: Filters,
    locale: str = "nl",
    only: str | None = None,
    computed: dict[str, Result] | None = None,
) -> list[Table]:
    """The figures as tables, all of them or only one (by slug).

    computed, when given, receives each figure's numbers by slug (for key_numbers).
    """
    labels = services.group_labels(db, filters.by, filters.municipality_ids, locale)
    chosen = [BY_SLUG[only]] if only else DEFINITIONS
    tables = []
    for definition in chosen:
        result = rollups.compute(db, definition.slug, filters)
        if computed is not None:
            computed[definition.slug] = result
        tables.append(build_table(definition, result, filters, labels))
    return tables


# -- charts -------------------------------------------------------------------------------

# Each group's name on lines of its own above its bars, so that the chart keeps the
# whole width for names and bars on a narrow screen (or at 400% zoom), and its text,
# 14 units in 320, is no smaller than 12 css px there.
CHART_WIDTH = 320
LINE_HEIGHT = 18  # a line of a group's name
LABEL_CHARS = 32  # characters of a name per line (bold, 14 units: about 9.5 units each)
DIGIT_WIDTH = 9  # units taken by a character of a number after its bar
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 12
SMALL_BAR = 16  # the width of the hatched bar of a hidden small number


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    series: int
    text: str
    text_x: float
    hidden: bool = False  # a small number: a hatched bar that says "minder dan 5"

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2


@dataclass(frozen=True)
class ChartGroup:
    lines: tuple[str, ...]  # the group's name, wrapped
    y: float  # the baseline of its first line; the bars follow below the last
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[str, ...]
    groups: tuple[ChartGroup, ...]
    width: int
    height: float
    line_height: int = LINE_HEIGHT
    bar_height: int = BAR_HEIGHT


def build_chart(table: Table, keys: tuple[str, ...]) -> Chart:
    """Horizontal grouped bars for the columns keys, one group per row of the table.

    The longest bar leaves room for the longest number after it, so no number runs off.
    """
    columns = {column.key: column for column in table.definition.columns}
    index = {column.key: i for i, column in enumerate(table.definition.columns)}
    rows = table.rows or (table.total,)
    largest = max(
        [row.values[key] or 0 for row in rows for key in keys] + [1],
    )
    small_text = _("minder dan 5")

    def text_of(row: Row, key: str) -> str:
        return small_text if key in row.hidden else row.cells[index[key]]

    longest_text = max(len(text_of(row, key)) for row in rows for key in keys)
    bar_space = CHART_WIDTH - 4 - DIGIT_WIDTH * longest_text
    groups, y = [], 0.0
    for row in rows:
        lines = tuple(textwrap.wrap(str(row.label), LABEL_CHARS)) or ("",)
        top = y + LINE_HEIGHT * len(lines) + 4
        bars = []
        for series, key in enumerate(keys):
            hidden = key in row.hidden
            # A hidden count is drawn as a short hatched bar: there is something, under 5.
            width = SMALL_BAR if hidden else bar_space * (row.values[key] or 0) / largest
            bar_y = top + series * (BAR_HEIGHT + BAR_GAP)
            bars.append(Bar(bar_y, width, series, text_of(row, key), width + 4, hidden))
        groups.append(ChartGroup(lines, y + LINE_HEIGHT - 4, tuple(bars)))
        y = top + len(keys) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    title = str(table.definition.title)
    if len(keys) == 1:
        title = f"{title}: {columns[keys[0]].label}"
    return Chart(
        title,
        tuple(str(columns[key].label) for key in keys),
        tuple(groups),
        CHART_WIDTH,
        y,
    )


# -- key numbers --------------------------------------------------------------------------

KEY_LABELS = {
    ("matches", "posted"): _l("Hulpvragen geplaatst"),
    ("matches", "matched"): _l("Hulpvragen met een vrijwilliger"),
    ("matches", "share"): _l("Deel met een vrijwilliger"),
    ("matches", "median_days"): _l("Dagen tot een vrijwilliger (mediaan)"),
    ("matches", "expired"): _l("Hulpvragen die niemand oppakte"),
    ("verwijzingen", "total"): _l("Verwijzingen van Wmo-consulenten"),
    ("verwijzingen", "placed"): _l("Verwijzingen die tot een hulpvraag leidden"),
    ("mantelzorgers", "total"): _l("Vragen aan mantelzorgers hoe het gaat"),
}
KIND_OF = {("matches", "share"): "share", ("matches", "median_days"): "days"}


@dataclass(frozen=True)
class KeyNumber:
    label: str
    text: str  # as shown: "< 5" and "te weinig" as in the tables
    change: str  # against the period before, or "" when one of both is hidden


def _key_cell(kind: str, key: str, measures: dict) -> tuple[str, float | None]:
    column = Column(key, "", kind)
    if kind == "count":
        return count_cell(measures.get(key))
    return _cell(column, measures)


def _change(kind: str, now: float, before: float, months: int) -> str:
    difference = now - before
    if round(difference, 1) == 0:
        if months == 1:
            return _("gelijk aan de maand ervoor")
        return _("gelijk aan de %(months)s maanden ervoor", months=months)
    if kind == "days":
        amount = _decimal(difference)
        amount = amount if difference < 0 else f"+{amount}"
    else:
        amount = f"{round(difference):+d}"
    unit = {"share": _(" procentpunt"), "days": _(" dagen")}.get(kind, "")
    if months == 1:
        return _("%(amount)s%(unit)s ten opzichte van de maand ervoor", amount=amount, unit=unit)
    return _(
        "%(amount)s%(unit)s ten opzichte van de %(months)s maanden ervoor",
        amount=amount,
        unit=unit,
        months=months,
    )


def key_numbers(db, filters: Filters, computed: dict[str, Result] | None = None) -> list[KeyNumber]:
    """The key numbers of the period, each with its change against the period before it.

    computed: this period's figures if the page has them already (from build_tables).
    """
    now = rollups.key_totals(db, filters, known=computed)
    before = rollups.key_totals(db, services.previous_period(filters))
    months = len(services.months_between(filters.first_month, filters.last_month))
    numbers = []
    for figure, key in services.KEY_NUMBERS:
        kind = KIND_OF.get((figure, key), "count")
        text, value = _key_cell(kind, key, now[figure])
        _before_text, before_value = _key_cell(kind, key, before[figure])
        change = ""
        if value is not None and before_value is not None:
            change = _change(kind, value, before_value, months)
        numbers.append(KeyNumber(str(KEY_LABELS[(figure, key)]), text, change))
    return numbers

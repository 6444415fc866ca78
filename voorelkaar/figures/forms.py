"""The filter form of the figures page: a GET form, so it works without JavaScript."""

from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import ValidationError

from voorelkaar.figures import services
from voorelkaar.figures.services import Filters
from voorelkaar.forms import BaseForm

MONTHS_BACK = 36
DEFAULT_MONTHS = 12


def month_choices(today: date) -> list[date]:
    """The months one may choose: the last three years up to this month, newest first."""
    months = [services.month_start(today)]
    for _ in range(MONTHS_BACK - 1):
        first = months[-1]
        months.append(date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1))
    return months


class FiguresForm(BaseForm):
    """Which months, split how, and for which place and category."""

    class Meta:
        csrf = False

    van = SelectField(_l("Van maand"), validate_choice=False)
    tot = SelectField(_l("Tot en met maand"), validate_choice=False)
    per = RadioField(
        _l("Verdelen per"),
        choices=[
            SelectChoice(services.BY_MONTH, _l("Maand")),
            SelectChoice(services.BY_WIJK, _l("Wijk")),
            SelectChoice(services.BY_CATEGORY, _l("Categorie")),
            SelectChoice(services.BY_MUNICIPALITY, _l("Gemeente")),
        ],
        default=services.BY_MONTH,
        validate_choice=False,
    )
    gemeente = SelectField(_l("Gemeente"), default="", validate_choice=False)
    wijk = SelectField(_l("Wijk"), default="", validate_choice=False)
    categorie = SelectField(_l("Categorie"), default="", validate_choice=False)

    def __init__(
        self, *args, today: date, municipalities=(), neighbourhoods=(), categories=(), **kwargs
    ):
        """municipalities, neighbourhoods, categories: (id, name) pairs for the selects.

        municipalities are those the viewer serves (figures.services.filter_choices): with
        fewer than two there is nothing to choose or compare, so no municipality filter and
        no split per municipality.
        """
        super().__init__(*args, **kwargs)
        self.several = len(municipalities) > 1
        if not self.several:
            del self.gemeente
            self.per.choices = [c for c in self.per.choices if c.value != services.BY_MUNICIPALITY]
        months = month_choices(today)
        choices = [SelectChoice(m.strftime("%Y-%m"), format_date(m, "MMMM y")) for m in months]
        self.van.choices, self.tot.choices = choices, choices
        if not self.van.data:
            self.van.data = months[DEFAULT_MONTHS - 1].strftime("%Y-%m")
        if not self.tot.data:
            self.tot.data = months[0].strftime("%Y-%m")
        if self.several:
            self.gemeente.choices = self._with_all(_l("Alle gemeenten"), municipalities)
        self.wijk.choices = self._with_all(_l("Alle wijken"), neighbourhoods)
        self.categorie.choices = self._with_all(_l("Alle categorieën"), categories)

    @staticmethod
    def _with_all(label, pairs):
        return [SelectChoice("", label)] + [SelectChoice(str(id_), name) for id_, name in pairs]

    @staticmethod
    def _known(field) -> bool:
        return field.data in {choice.value for choice in field.choices}

    def _check(self, field, message):
        if not self._known(field):
            field.data = field.choices[0].value if field.name not in ("van", "tot") else None
            raise ValidationError(message)

    def validate_van(self, field):
        self._check(field, _l("Kies de eerste maand uit de lijst."))

    def validate_tot(self, field):
        self._check(field, _l("Kies de laatste maand uit de lijst."))
        if self._known(self.van) and field.data < self.van.data:
            raise ValidationError(
                _l("De laatste maand moet na de eerste maand komen. We hebben ze omgedraaid.")
            )

    def validate_per(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            field.data = services.BY_MONTH
            raise ValidationError(_l("Kies waarop u de cijfers wilt verdelen."))

    def validate_gemeente(self, field):
        self._check(field, _l("Kies een gemeente uit de lijst."))

    def validate_wijk(self, field):
        self._check(field, _l("Kies een wijk uit de lijst."))

    def validate_categorie(self, field):
        self._check(field, _l("Kies een categorie uit de lijst."))

    def filters(self, today: date, served: frozenset[int]) -> Filters:
        """The chosen filters; a choice that was not understood falls back to its default.

        served: the municipalities the viewer works for (tenancy.served_ids); a chosen
        municipality outside them was refused by validate_gemeente and is never used.
        """
        months = month_choices(today)

        def month(field, fallback: date) -> date:
            if field.data and self._known(field):
                year, number = field.data.split("-")
                return date(int(year), int(number), 1)
            return fallback

        first = month(self.van, months[DEFAULT_MONTHS - 1])
        last = month(self.tot, months[0])
        first, last = min(first, last), max(first, last)

        def number(field) -> int | None:
            if field is None:
                return None
            return int(field.data) if field.data and self._known(field) else None

        groupings = {choice.value for choice in self.per.choices}
        return Filters(
            first_month=first,
            last_month=last,
            by=self.per.data if self.per.data in groupings else services.BY_MONTH,
            municipality_ids=services.scope(served, number(self.gemeente)),
            neighbourhood_id=number(self.wijk),
            category_id=number(self.categorie),
        )

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from voorelkaar.forms import BaseForm
from voorelkaar.moderation.sentences import KINDS
from voorelkaar.moderation.services import AuditFilters


class RejectForm(BaseForm):
    reason = TextAreaField(
        _l("Reden van afwijzen"),
        validators=[
            InputRequired(_l("Schrijf waarom u dit afwijst. De schrijver krijgt deze reden.")),
            Length(max=1000, message=_l("Maak de reden korter: hoogstens 1000 tekens.")),
        ],
        description=_l(
            "De schrijver krijgt deze tekst per e-mail. Schrijf vriendelijk en duidelijk."
        ),
    )


class BlockForm(BaseForm):
    reason = TextAreaField(
        _l("Waarom?"),
        validators=[
            InputRequired(_l("Schrijf kort waarom. Dit komt in het logboek.")),
            Length(max=1000, message=_l("Maak de reden korter: hoogstens 1000 tekens.")),
        ],
    )


DATE_SHAPES = (
    re.compile(r"^(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})[-/.](?P<year>\d{4})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
)


def parse_day(text: str | None) -> date | None:
    """A day typed as 1-12-2026 (or 1/12/2026, 2026-12-01); None when it is not one."""
    for shape in DATE_SHAPES:
        found = shape.match((text or "").strip())
        if found:
            try:
                return date(int(found["year"]), int(found["month"]), int(found["day"]))
            except ValueError:
                return None
    return None


class AuditFilterForm(BaseForm):
    """The filters above the audit log: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    wie = StringField(
        _l("Wie deed het (naam)"),
        validators=[Optional(), Length(max=100, message=_l("Zoek met hoogstens 100 tekens."))],
    )
    wat = SelectField(_l("Wat"), validators=[Optional()], validate_choice=False)
    over = StringField(
        _l("Over wie (naam)"),
        validators=[Optional(), Length(max=100, message=_l("Zoek met hoogstens 100 tekens."))],
    )
    van = StringField(_l("Vanaf"), description=_l("Zoals 1-12-2026"))
    tot = StringField(_l("Tot en met"), description=_l("Zoals 31-12-2026"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.wat.choices = [SelectChoice("", _l("Alles"))] + [
            SelectChoice(key, label) for key, label in KINDS.items()
        ]

    def validate_wat(self, field):
        if field.data and field.data not in KINDS:
            raise ValidationError(_l("Kies uit de lijst wat er gebeurde."))

    def validate_van(self, field):
        if (field.data or "").strip() and parse_day(field.data) is None:
            raise ValidationError(_l("Vul de begindatum in zoals 1-12-2026."))

    def validate_tot(self, field):
        if not (field.data or "").strip():
            return
        end = parse_day(field.data)
        if end is None:
            raise ValidationError(_l("Vul de einddatum in zoals 31-12-2026."))
        start = parse_day(self.van.data)
        if start is not None and end < start:
            raise ValidationError(
                _l("De einddatum ligt vóór de begindatum. Kies een latere einddatum.")
            )

    def filters(self) -> AuditFilters:
        """What to show; called after validate()."""
        return AuditFilters(
            who=(self.wie.data or "").strip() or None,
            kind=self.wat.data or None,
            whose=(self.over.data or "").strip() or None,
            start=parse_day(self.van.data),
            end=parse_day(self.tot.data),
        )

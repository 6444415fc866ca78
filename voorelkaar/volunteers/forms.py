from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField
from wtforms.validators import ValidationError

from voorelkaar.forms import BaseForm, FlexibleDateField
from voorelkaar.help_requests.forms import WEEKDAYS, today
from voorelkaar.volunteers.services import DAY_PARTS, TRAVEL_CHOICES

PART_LABELS = {"ochtend": _l("ochtend"), "middag": _l("middag"), "avond": _l("avond")}


def _availability_form():
    """A form with a checkbox per weekday and part of the day (e.g. d1_middag)."""
    fields = {
        f"d{day}_{part}": BooleanField(
            _l("%(day)s%(part)s", day=WEEKDAYS[day], part=PART_LABELS[part])
        )
        for day in range(7)
        for part in DAY_PARTS
    }
    return type("AvailabilityForm", (AvailabilityBase,), fields)


class AvailabilityBase(BaseForm):
    travel_km = SelectField(
        _l("Hoe ver wilt u reizen?"),
        choices=[SelectChoice(str(km), _l("%(km)d km", km=km)) for km in TRAVEL_CHOICES],
        validate_choice=False,
    )
    available = BooleanField(_l("Ik ben beschikbaar (haal het vinkje weg om even te pauzeren)"))
    paused_until = FlexibleDateField(
        _l("Pauze tot en met (mag leeg blijven)"),
        description=_l(
            "Alleen als u pauzeert. Na deze dag krijgt u vanzelf weer hulpvragen. Bijvoorbeeld 31-1-2027."
        ),
    )

    def validate_paused_until(self, field):
        if not self.available.data and field.data and field.data < today():
            raise ValidationError(_l("Deze datum is al geweest. Kies een dag vanaf vandaag."))

    def validate_travel_km(self, field):
        if field.data not in {str(km) for km in TRAVEL_CHOICES}:
            raise ValidationError(_l("Kies een afstand uit de lijst."))

    def chosen_parts(self) -> set[tuple[int, str]]:
        return {
            (day, part)
            for day in range(7)
            for part in DAY_PARTS
            if getattr(self, f"d{day}_{part}").data
        }

    def checkbox(self, day: int, part: str):
        return getattr(self, f"d{day}_{part}")


AvailabilityForm = _availability_form()


class VogForm(BaseForm):
    valid_until = FlexibleDateField(
        _l("VOG geldig tot en met"),
        description=_l("Laat leeg als de vrijwilliger geen geldige VOG heeft."),
    )

    def validate_valid_until(self, field):
        if field.data and field.data < today():
            raise ValidationError(_l("Deze datum is al geweest. Een verlopen VOG telt niet."))

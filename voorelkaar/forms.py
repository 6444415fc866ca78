"""What every form shares: Dutch messages and input cleaned before validation."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, StringField, TextAreaField, TimeField
from wtforms.validators import ValidationError

from voorelkaar import geo

HOUSE_NUMBER = re.compile(r"^\d{1,5}(?:[ -]?[A-Za-z0-9]{1,6})?$")
POSTCODE_SHAPE = re.compile(r"^\d{4}\s?[A-Za-z]{2}$")


def clean_text(value):
    """Trim, normalise to NFC and drop control characters (a NUL breaks PostgreSQL)."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return value.strip()


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(
                unbound_field.field_class, StringField | TextAreaField
            ) and not issubclass(unbound_field.field_class, PasswordField):
                options["filters"] = (clean_text, *options.get("filters", ()))
            return unbound_field.bind(form=form, **options)


def check_postcode(field) -> geo.Area:
    """Validate a Dutch postcode field, normalise it ("7941 AB") and return its area."""
    if not POSTCODE_SHAPE.match(field.data or ""):
        raise ValidationError(
            _l("Vul een postcode in zoals 7941 AB: vier cijfers en twee letters.")
        )
    try:
        area = geo.locate(field.data)
    except geo.MalformedPostcode:
        raise ValidationError(
            _l("Deze postcode bestaat niet. Controleer de letters; bijvoorbeeld 7941 AB.")
        ) from None
    except geo.UnknownPostcode:
        raise ValidationError(
            _l("Deze postcode kennen wij niet. Controleer de cijfers; bijvoorbeeld 7941 AB.")
        ) from None
    field.data = geo.normalise_postcode(field.data)
    return area


def check_house_number(field) -> None:
    if not HOUSE_NUMBER.match(field.data or ""):
        raise ValidationError(_l("Vul het huisnummer in, bijvoorbeeld 12 of 12a."))


class FlexibleDateField(DateField):
    """A date typed as 2026-12-01 (date picker) or 1-12-2026; empty means None.

    Whether it may be empty is for the form to say, so that a date needed only
    for one choice (a one-off request) can still get a specific message.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            self.data = None
            raise ValueError(_l("Vul een datum in zoals 1-12-2026.")) from None


class FlexibleTimeField(TimeField):
    """A time typed as 14:00 or 14.00."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%H:%M", "%H.%M", "%H:%M:%S"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            self.data = None
            raise ValueError(_l("Vul een tijd in zoals 14:00.")) from None

"""What every form shares: Dutch messages and input cleaned before validation."""

import re
import unicodedata
from datetime import date, datetime

import phonenumbers
from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from voorelkaar import geo
from voorelkaar.db import get_session
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.idempotency import new_token
from voorelkaar.places.services import outside_municipality

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
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField | TextAreaField) and not issubclass(
                field_class, PasswordField
            ):
                options["filters"] = (clean_text, *options.get("filters", ()))
                # Checked after cleaning, so a field of only spaces counts as empty.
                options["validators"] = [
                    DataRequired(v.message) if isinstance(v, InputRequired) else v
                    for v in unbound_field.kwargs.get("validators") or ()
                ]
            return unbound_field.bind(form=form, **options)


class CreatingForm:
    """A form that creates something: a one-time token, so a second POST of it creates nothing.

    Render {{ form.form_token }} in the form; the view asks idempotency.already_created.
    """

    form_token = HiddenField(default=new_token)


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


def street_field(required=True):
    """The street of an address; a volunteer gets it only once an appointment is made."""
    validators = [Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))]
    if required:
        validators.insert(0, InputRequired(_l("Vul de straat in, bijvoorbeeld Kerkstraat.")))
    return StringField(
        _l("Straat") if required else _l("Straat (niet verplicht)"),
        validators=validators,
    )


class MunicipalPostcode:
    """A postcode that lies in the municipality, or that the person confirmed lies outside it.

    Its validate_postcode calls check_municipal_postcode; the template shows the box with
    confirm_outside(form) from _macros.html. known_postcode (one already on file, such as an
    edited request's or a referral's) was confirmed before and is not asked about again.
    """

    outside_municipality = BooleanField(_l("Ja, dit klopt: het adres ligt buiten de gemeente"))
    asked_outside = False

    def __init__(self, *args, known_postcode: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_postcode = known_postcode

    def check_municipal_postcode(self, field) -> geo.Area:
        """check_postcode, then: outside the municipality only with the box ticked."""
        area = check_postcode(field)
        if field.data == self.known_postcode:
            return area
        municipality = outside_municipality(get_session(), area.pc4)
        self.asked_outside = municipality is not None
        if municipality is not None and not self.outside_municipality.data:
            raise ValidationError(
                _l(
                    "Deze postcode ligt niet in de gemeente %(name)s. Klopt de postcode?",
                    name=municipality.name,
                )
            )
        return area


def _phone_number(value: str, message) -> phonenumbers.PhoneNumber:
    """A valid phone number (Dutch unless it starts with +), or a ValidationError."""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        raise ValidationError(message) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message)
    return number


def normalise_phone(value: str) -> str:
    """A Dutch or international phone number in E.164 (how a person's number is kept)."""
    number = _phone_number(value, _l("Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_phone(value: str) -> str:
    """A phone number as people dial it ("0522 123 456"): an office's number, shown as typed."""
    number = _phone_number(
        value, _l("Vul een geldig telefoonnummer in, bijvoorbeeld 0522 123 456.")
    )
    kind = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 31
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, kind)


def check_house_number(field) -> None:
    if not HOUSE_NUMBER.match(field.data or ""):
        raise ValidationError(_l("Vul het huisnummer in, bijvoorbeeld 12 of 12a."))


class _Lenient:
    """Empty input means None (the form says when a value is needed); bad input a Dutch message."""

    bad_input_message = None

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            self.data = None
            raise ValueError(self.bad_input_message) from None


class FlexibleDateField(_Lenient, DateField):
    """A date typed as 2026-12-01 (date picker) or 1-12-2026."""

    bad_input_message = _l("Vul een datum in zoals 1-12-2026.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"])
        super().__init__(*args, **kwargs)


class FlexibleTimeField(_Lenient, TimeField):
    """A time typed as 14:00 or 14.00."""

    bad_input_message = _l("Vul een tijd in zoals 14:00.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%H:%M", "%H.%M", "%H:%M:%S"])
        super().__init__(*args, **kwargs)


def earliest_consent_date() -> date:
    """The first date a consent can have been given (config EARLIEST_CONSENT_DATE)."""
    return date.fromisoformat(str(current_app.config["EARLIEST_CONSENT_DATE"]))


def check_consent_date(field) -> None:
    """A consent date is given, not in the future (Amsterdam) and not before referrals began.

    Every form with a consent date (referral, request on someone's behalf, the API) uses it.
    """
    if field.data is None:
        raise ValidationError(_l("Vul in wanneer de inwoner toestemming gaf."))
    if field.data > datetime.now(AMSTERDAM).date():
        raise ValidationError(_l("De datum van toestemming kan niet in de toekomst liggen."))
    earliest = earliest_consent_date()
    if field.data < earliest:
        raise ValidationError(
            _l(
                "De datum van toestemming kan niet vóór %(day)s liggen. Controleer het jaartal.",
                day=format_date(earliest, "d MMMM y"),
            )
        )


def skill_tags(text: str | None) -> list[str]:
    """The comma-separated skills typed in a field, as a list of tags."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def check_skills(field, most: int = 10) -> None:
    """A handful of short skill tags, like "boodschappen, auto rijden"."""
    tags = skill_tags(field.data)
    if len(tags) > most:
        raise ValidationError(_l("Noem hoogstens %(most)d dingen.", most=most))
    if any(len(tag) > 50 for tag in tags):
        raise ValidationError(_l("Houd elk woord kort: hoogstens 50 tekens."))


def text_field(label, required=None, *, max_length: int, description=None, multiline=False):
    """A text field, required when given the message for empty, and at most max_length long.

    Spaces alone count as empty: the check runs on the cleaned text.
    """
    validators = [DataRequired(required)] if required else []
    validators.append(
        Length(
            max=max_length,
            message=_l("Maak dit korter: hoogstens %(max)d tekens.", max=max_length),
        )
    )
    kind = TextAreaField if multiline else StringField
    return kind(label, validators=validators, description=description)


def message_field(label, required, description):
    """A short message from one person to another through the site."""
    return text_field(label, required, max_length=1000, multiline=True, description=description)

"""The one form of a phone call: who calls, what they ask, what was said."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, TelField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from voorelkaar.forms import normalise_phone, street_field, text_field
from voorelkaar.help_requests.forms import RequestForm
from voorelkaar.intake.services import Caller
from voorelkaar.models import PostedFor

NOTE_MAX = 1500
# Fields that say who calls and where they live; the rest is the request, asked only
# when staff post one.
CALLER_FIELDS = {
    "csrf_token",
    "form_token",
    "name",
    "phone",
    "email",
    "postcode",
    "house_number",
    "street",
    "outside_municipality",
    "with_request",
    "note",
}


class IntakeForm(RequestForm):
    name = StringField(
        _l("Naam van de beller"),
        validators=[
            InputRequired(_l("Vul de naam van de beller in.")),
            Length(max=100, message=_l("Een naam is hoogstens 100 tekens lang.")),
        ],
        description=_l("Bijvoorbeeld: mevrouw A. de Vries."),
    )
    phone = TelField(
        _l("Telefoonnummer"),
        validators=[InputRequired(_l("Vul het telefoonnummer in, bijvoorbeeld 0522 123456."))],
        description=_l("Hierop bellen wij de beller terug."),
    )
    email = EmailField(
        _l("E-mailadres (niet verplicht)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
            Email(
                _l("Vul een e-mailadres in zoals naam@voorbeeld.nl."), check_deliverability=False
            ),
        ],
        filters=[lambda value: value.lower() if isinstance(value, str) else value],
        description=_l("Zonder e-mailadres hoort de beller alles van ons per telefoon of brief."),
    )
    street = street_field(required=False)
    with_request = BooleanField(_l("De beller vraagt hulp: plaats de hulpvraag nu"))
    note = text_field(
        _l("Wat is er besproken? (niet verplicht)"),
        max_length=NOTE_MAX,
        multiline=True,
        description=_l("Dit komt als telefoongesprek op de pagina van de beller."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, posted_for_options=[PostedFor.SELF], **kwargs)
        self.posted_for.data = PostedFor.SELF.value

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        if not self.with_request.data:
            # Without a request, only what is said about the caller counts.
            for name, field in self._fields.items():
                if name not in CALLER_FIELDS:
                    field.errors = []
        self._errors = None
        return not self.errors

    def validate_phone(self, field):
        field.data = normalise_phone(field.data)

    def validate_street(self, field):
        if self.with_request.data and not field.data:
            raise ValidationError(_l("Vul de straat in, bijvoorbeeld Kerkstraat."))

    def caller(self) -> Caller:
        return Caller(
            name=self.name.data,
            phone=self.phone.data,
            email=self.email.data or None,
            postcode=self.postcode.data,
            house_number=self.house_number.data,
            street=self.street.data or None,
        )

"""Staff write down a contact with a person, and keep the person's contact details right."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TelField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from voorelkaar.db import get_session
from voorelkaar.forms import (
    BaseForm,
    CreatingForm,
    MunicipalPostcode,
    check_house_number,
    normalise_phone,
    street_field,
    text_field,
)
from voorelkaar.models import ContactKind
from voorelkaar.people.services import (
    CONTACT_MINUTES_MAX,
    CONTACT_NOTE_MAX,
    ContactDetails,
    email_in_use,
)

CONTACT_KIND_LABELS = {
    ContactKind.PHONE: _l("Telefoongesprek"),
    ContactKind.VISIT: _l("Huisbezoek"),
    ContactKind.EMAIL: _l("E-mail"),
    ContactKind.OTHER: _l("Anders"),
}


class MinutesField(IntegerField):
    """Whole minutes; empty means not said, anything else not a number gets a Dutch message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(
                _l("Vul het aantal minuten in met cijfers, bijvoorbeeld 15.")
            ) from None


class ContactNoteForm(CreatingForm, BaseForm):
    kind = RadioField(
        _l("Wat voor contact was het?"),
        choices=[SelectChoice(kind.value, label) for kind, label in CONTACT_KIND_LABELS.items()],
        validate_choice=False,
    )
    minutes = MinutesField(
        _l("Hoe lang duurde het? (minuten, niet verplicht)"),
        description=_l("Bijvoorbeeld 15."),
    )
    body = text_field(
        _l("Wat is er besproken?"),
        _l("Schrijf kort wat er besproken is."),
        max_length=CONTACT_NOTE_MAX,
        multiline=True,
        description=_l("Alleen coördinatoren lezen dit."),
    )
    task = HiddenField()

    def validate_kind(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Kies wat voor contact het was."))

    def validate_minutes(self, field):
        if field.data is not None and not 1 <= field.data <= CONTACT_MINUTES_MAX:
            raise ValidationError(_l("Vul een aantal minuten in, van 1 tot 600."))


class ContactDetailsForm(MunicipalPostcode, BaseForm):
    """A person's name, email, phone and address, as staff correct them."""

    name = StringField(
        _l("Naam"),
        validators=[
            InputRequired(_l("Vul de naam in.")),
            Length(max=100, message=_l("Een naam is hoogstens 100 tekens lang.")),
        ],
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
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
    )
    phone = TelField(
        _l("Telefoonnummer (niet verplicht)"),
        description=_l("Bijvoorbeeld 0522 123456 of 06 12345678."),
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[InputRequired(_l("Vul de postcode in, bijvoorbeeld 7941 AB."))],
    )
    house_number = StringField(
        _l("Huisnummer"),
        validators=[InputRequired(_l("Vul het huisnummer in, bijvoorbeeld 12 of 12a."))],
    )
    street = street_field(required=False)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(
            *args, known_postcode=person.postcode if person is not None else None, **kwargs
        )
        self.person = person

    def validate_email(self, field):
        if field.data and email_in_use(get_session(), field.data, self.person):
            raise ValidationError(_l("Dit e-mailadres hoort al bij een ander account."))

    def validate_phone(self, field):
        if field.data and field.data.strip():
            field.data = normalise_phone(field.data)
        else:
            field.data = None

    def validate_postcode(self, field):
        self.check_municipal_postcode(field)

    def validate_house_number(self, field):
        check_house_number(field)

    def fill_from(self, person) -> None:
        """The person's details as they are now."""
        for name in ("name", "email", "phone", "postcode", "house_number", "street"):
            getattr(self, name).data = getattr(person, name)

    def details(self) -> ContactDetails:
        return ContactDetails(
            name=self.name.data,
            email=self.email.data or None,
            phone=self.phone.data or None,
            postcode=self.postcode.data,
            house_number=self.house_number.data,
            street=self.street.data or None,
        )


class NewPersonForm(CreatingForm, ContactDetailsForm):
    """A record for a resident without an account: reachable by phone."""

    phone = TelField(
        _l("Telefoonnummer"),
        validators=[InputRequired(_l("Vul het telefoonnummer in, bijvoorbeeld 0522 123456."))],
        description=_l("Hierop bellen wij de inwoner."),
    )

    def validate_phone(self, field):
        field.data = normalise_phone(field.data)


class NetworkReasonForm(BaseForm):
    reason = text_field(
        _l("Waarom bekijkt u het netwerk?"),
        _l("Schrijf kort op waarom u het netwerk bekijkt."),
        max_length=300,
        description=_l(
            "Bijvoorbeeld: gesprek als netwerkcoach, met toestemming. Dit komt in het logboek."
        ),
    )

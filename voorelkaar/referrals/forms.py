"""Referral forms: the consultant's referral, the code from the letter, the resident's account."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from voorelkaar.auth.forms import RegisterForm
from voorelkaar.forms import (
    BaseForm,
    CreatingForm,
    FlexibleDateField,
    MunicipalPostcode,
    check_consent_date,
    check_house_number,
    normalise_phone,
    street_field,
    text_field,
)
from voorelkaar.help_requests.forms import RequestForm
from voorelkaar.models import PostedFor
from voorelkaar.referrals.services import CODE_LENGTH, ReferralDetails, normalise_code


class ReferralFields(MunicipalPostcode, BaseForm):
    """What a consultant writes down about a resident and the help they want."""

    resident_name = text_field(
        _l("Naam van de inwoner"), _l("Vul de naam van de inwoner in."), max_length=100
    )
    email = EmailField(
        _l("E-mailadres van de inwoner (niet verplicht)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
            Email(
                _l("Vul een e-mailadres in zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
        description=_l("Met een e-mailadres krijgt de inwoner de uitnodiging per e-mail."),
    )
    phone = TelField(
        _l("Telefoonnummer van de inwoner (niet verplicht)"),
        validators=[Optional()],
        description=_l("Zonder e-mailadres print u een brief met een code voor de inwoner."),
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
    category = SelectField(
        _l("Soort hulp"),
        validate_choice=False,
        validators=[InputRequired(_l("Kies een soort hulp."))],
    )
    title = text_field(
        _l("Korte titel"),
        _l("Geef de hulpvraag een korte titel."),
        max_length=100,
        description=_l("Bijvoorbeeld: Wandelen op dinsdagmiddag."),
    )
    description = text_field(
        _l("Welke hulp zoekt de inwoner?"),
        _l("Vertel kort welke hulp de inwoner zoekt."),
        max_length=2000,
        multiline=True,
        description=_l("Zet hier geen adres, telefoonnummer of iets over de gezondheid in."),
    )
    wanted_when = text_field(
        _l("Wanneer? (niet verplicht)"),
        max_length=200,
        description=_l("Bijvoorbeeld: elke dinsdagmiddag, of zo snel mogelijk."),
    )
    consent_date = FlexibleDateField(
        _l("Datum waarop de inwoner toestemming gaf"),
        description=_l("Verwijs alleen als de inwoner dat goed vindt."),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice("", _l("Kies een soort hulp"))] + [
            SelectChoice(category.slug, category.name(str(get_locale()))) for category in categories
        ]
        self._category_ids = {category.slug: category.id for category in categories}

    def validate_category(self, field):
        if field.data not in self._category_ids:
            raise ValidationError(_l("Kies een soort hulp uit de lijst."))

    def validate_email(self, field):
        field.data = (field.data or "").lower() or None

    def validate_phone(self, field):
        field.data = normalise_phone(field.data)

    def validate_postcode(self, field):
        self.check_municipal_postcode(field)

    def validate_house_number(self, field):
        check_house_number(field)

    def validate_consent_date(self, field):
        check_consent_date(field)

    def details(self) -> ReferralDetails:
        return ReferralDetails(
            resident_name=self.resident_name.data,
            email=self.email.data or None,
            phone=self.phone.data or None,
            postcode=self.postcode.data,
            house_number=self.house_number.data,
            street=self.street.data or None,
            consent_date=self.consent_date.data,
            category_id=self._category_ids[self.category.data],
            title=self.title.data,
            description=self.description.data,
            wanted_when=self.wanted_when.data or "",
        )


class ReferralForm(CreatingForm, ReferralFields):
    """A new referral: with the one-time token, so a second POST refers nobody twice."""


class ReferralEditForm(ReferralFields):
    """Correct a referral that nobody accepted yet, filled in with what it says now."""

    def fill_from(self, referral) -> None:
        self.resident_name.data = referral.resident_name
        self.email.data = referral.email
        self.phone.data = referral.phone
        self.postcode.data = referral.postcode
        self.house_number.data = referral.house_number
        self.street.data = referral.street
        self.category.data = referral.category.slug
        self.title.data = referral.title
        self.description.data = referral.description
        self.wanted_when.data = referral.wanted_when
        self.consent_date.data = referral.consent_date


class ResendForm(BaseForm):
    """Send the invitation again; it names the code it replaces, so a double click sends once."""

    replacing = HiddenField()


class WithdrawForm(BaseForm):
    """The confirmation that the resident withdrew their consent (the button is the answer)."""


class CodeForm(BaseForm):
    """The code from the letter; a GET form, so it needs no CSRF token."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Uw code"),
        validators=[InputRequired(_l("Vul de code uit de brief in."))],
        description=_l("De code staat in de brief. Bijvoorbeeld: ABCD EFGH."),
    )

    def validate_code(self, field):
        if len(normalise_code(field.data)) != CODE_LENGTH:
            raise ValidationError(
                _l("Een code heeft 8 letters en cijfers. Controleer de code in de brief.")
            )


class AddressCheckForm(BaseForm):
    """Postcode and house number, to show that the letter's code is in its owner's hands."""

    postcode = StringField(
        _l("Uw postcode"),
        validators=[InputRequired(_l("Vul uw postcode in, bijvoorbeeld 7941 AB."))],
    )
    house_number = StringField(
        _l("Uw huisnummer"),
        validators=[InputRequired(_l("Vul uw huisnummer in, bijvoorbeeld 12 of 12a."))],
    )

    def matches(self, referral) -> bool:
        """Whether the typed address is the referral's (spaces and case do not matter)."""

        def compact(text):
            return "".join((text or "").split()).upper()

        return compact(self.postcode.data) == compact(referral.postcode) and compact(
            self.house_number.data
        ) == compact(referral.house_number)


class InvitedAccountForm(RegisterForm):
    """Registration as in auth, pre-filled from the referral; the role is always resident."""

    roles = None
    agree = BooleanField(
        _l("Ik heb gelezen wat er met mijn gegevens gebeurt, en ik ga akkoord"),
        validators=[DataRequired(_l("Vink het vakje aan om verder te gaan."))],
    )

    def fill_from(self, referral) -> None:
        self.name.data = referral.resident_name
        self.email.data = referral.email
        self.phone.data = referral.phone
        self.postcode.data = referral.postcode
        self.house_number.data = referral.house_number


def referral_request_form(db_categories, referral, *, on_behalf: bool) -> RequestForm:
    """The ordinary request form, for the resident themself or for staff posting for them."""
    return RequestForm(
        categories=db_categories,
        posted_for_options=[PostedFor.RESIDENT if on_behalf else PostedFor.SELF],
        known_postcode=referral.postcode,
    )


def prefill_request(form: RequestForm, referral, *, on_behalf: bool) -> None:
    """Put what the consultant wrote down into the request form."""
    form.category.data = referral.category.slug
    form.title.data = referral.title
    form.description.data = referral.description
    form.postcode.data = referral.postcode
    form.house_number.data = referral.house_number
    form.street.data = referral.street
    if on_behalf:
        form.resident_name.data = referral.resident_name
        form.resident_contact.data = referral.email or referral.phone
        form.consent_date.data = referral.consent_date

"""Account forms. Every message says what to do, in plain Dutch."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TelField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from voorelkaar.auth import passwords
from voorelkaar.forms import BaseForm, MunicipalPostcode, check_house_number, normalise_phone
from voorelkaar.models.user import SELF_CHOSEN_ROLES, Role

ROLE_CHOICES = {
    Role.RESIDENT: _l("Ik zoek hulp"),
    Role.VOLUNTEER: _l("Ik wil anderen helpen (vrijwilliger)"),
    Role.CARER: _l("Ik zorg voor iemand (mantelzorger)"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _email_field():
    return EmailField(
        _l("E-mailadres"),
        validators=[
            InputRequired(_l("Vul uw e-mailadres in.")),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
            Email(
                _l("Vul een e-mailadres in zoals naam@voorbeeld.nl."),
                check_deliverability=False,
            ),
        ],
        filters=[lambda value: value.lower() if isinstance(value, str) else value],
    )


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Kies een wachtwoord.")),
            Length(
                min=passwords.MIN_LENGTH,
                max=passwords.MAX_LENGTH,
                message=_l(
                    "Kies een wachtwoord van minstens %(min)d en hoogstens %(max)d tekens.",
                    min=passwords.MIN_LENGTH,
                    max=passwords.MAX_LENGTH,
                ),
            ),
        ],
        description=_l(
            "Minstens 12 tekens. Een zin van een paar woorden is sterk en goed te onthouden."
        ),
    )


def _check_not_common(field, *personal: str | None):
    """Not a common password, and not mostly the person's email or name or the site's name."""
    if not field.data:
        return
    if passwords.is_common(field.data):
        raise ValidationError(
            _l("Dit wachtwoord wordt heel vaak gebruikt en is makkelijk te raden. Kies een ander.")
        )
    site = (current_app.config["SITE_NAME"], "voorelkaar")
    if passwords.is_personal(field.data, (*personal, *site)):
        raise ValidationError(
            _l(
                "Dit wachtwoord lijkt te veel op uw naam, uw e-mailadres of de naam van de site. "
                "Kies iets wat anderen niet over u weten."
            )
        )


def _repeat_field():
    return PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[
            InputRequired(_l("Vul het wachtwoord nog een keer in.")),
            EqualTo("password", _l("De twee wachtwoorden zijn niet hetzelfde.")),
        ],
    )


class RegisterForm(MunicipalPostcode, BaseForm):
    name = StringField(
        _l("Uw naam"),
        validators=[
            InputRequired(_l("Vul uw naam in.")),
            Length(max=100, message=_l("Uw naam mag hoogstens 100 tekens lang zijn.")),
        ],
    )
    email = _email_field()
    password = _new_password_field(_l("Wachtwoord"))
    password_repeat = _repeat_field()
    postcode = StringField(
        _l("Postcode"),
        validators=[InputRequired(_l("Vul uw postcode in, bijvoorbeeld 7941 AB."))],
    )
    house_number = StringField(
        _l("Huisnummer"),
        validators=[InputRequired(_l("Vul uw huisnummer in, bijvoorbeeld 12 of 12a."))],
    )
    phone = TelField(
        _l("Telefoonnummer (niet verplicht)"),
        validators=[Optional()],
        description=_l("Alleen te zien voor wie u helpt of wie u helpt, na een afspraak."),
    )
    roles = MultiCheckboxField(
        _l("Wat wilt u doen? (u mag meer kiezen)"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_CHOICES.items()],
        default=[Role.RESIDENT.value],
    )

    def choose_roles(self, values: list[str]) -> None:
        """Tick the roles a link asked for (/registreren?rol=carer) instead of the default."""
        allowed = {role.value for role in SELF_CHOSEN_ROLES}
        chosen = [value for value in values if value in allowed]
        if chosen:
            self.roles.data = chosen

    def validate_password(self, field):
        _check_not_common(field, self.email.data, self.name.data)

    def validate_postcode(self, field):
        self.area = self.check_municipal_postcode(field)

    def validate_house_number(self, field):
        check_house_number(field)

    def validate_phone(self, field):
        field.data = normalise_phone(field.data)

    def validate_roles(self, field):
        allowed = {role.value for role in SELF_CHOSEN_ROLES}
        if not field.data:
            raise ValidationError(_l("Kies wat u wilt doen. U kunt dit later veranderen."))
        if not set(field.data) <= allowed:
            raise ValidationError(_l("Kies uit de rollen in de lijst."))


class LoginForm(BaseForm):
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            InputRequired(_l("Vul uw e-mailadres in.")),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
        ],
        filters=[lambda value: value.lower() if isinstance(value, str) else value],
    )
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[
            InputRequired(_l("Vul uw wachtwoord in.")),
            Length(max=1024, message=_l("Dit wachtwoord is te lang.")),
        ],
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Uw huidige wachtwoord"),
        validators=[
            InputRequired(_l("Vul uw huidige wachtwoord in.")),
            Length(max=1024, message=_l("Dit wachtwoord is te lang.")),
        ],
    )
    password = _new_password_field(_l("Nieuw wachtwoord"))
    password_repeat = _repeat_field()

    def validate_password(self, field):
        _check_not_common(field, current_user.email, current_user.name)
        if field.data == self.current_password.data:
            raise ValidationError(_l("Kies een ander wachtwoord dan uw huidige."))


class ForgotPasswordForm(BaseForm):
    email = _email_field()


class ResendForm(BaseForm):
    """Ask again for the email the register form sends."""

    email = _email_field()


class ConfirmForm(BaseForm):
    """One button: a link in an email opens a page, and only this POST uses it."""


class ResetPasswordForm(BaseForm):
    password = _new_password_field(_l("Nieuw wachtwoord"))
    password_repeat = _repeat_field()

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_password(self, field):
        _check_not_common(
            field, self.person.email if self.person else None, self.person and self.person.name
        )

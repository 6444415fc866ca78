"""Admin forms for API tokens (issue one, revoke one), and the request form over JSON."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, SelectChoice, SelectMultipleField
from wtforms.validators import Email, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from voorelkaar.api.tokens import latest_expiry, may_hold_token
from voorelkaar.auth.services import find_user_by_email
from voorelkaar.db import get_session
from voorelkaar.forms import BaseForm, CreatingForm, FlexibleDateField, street_field, text_field
from voorelkaar.help_requests.forms import RequestForm
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import User
from voorelkaar.models.api_token import Scope
from voorelkaar.tenancy import serves


class IssueTokenForm(CreatingForm, BaseForm):
    SCOPE_CHOICES = [
        (Scope.READ_FIGURES.value, _l("Cijfers lezen (figures:read)")),
        (Scope.CREATE_REFERRALS.value, _l("Verwijzingen maken en volgen (referrals:write)")),
        (
            Scope.REQUESTS.value,
            _l("Hulpvragen lezen en plaatsen voor inwoners (requests:write)"),
        ),
    ]

    name = text_field(
        _l("Naam van de sleutel"),
        _l("Geef de sleutel een naam."),
        max_length=100,
        description=_l("Waar is hij voor? Bijvoorbeeld: zaaksysteem Wmo."),
    )
    email = EmailField(
        _l("E-mailadres van de persoon namens wie de sleutel werkt"),
        validators=[
            InputRequired(_l("Vul een e-mailadres in.")),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
            Email(
                _l("Vul een e-mailadres in zoals naam@voorbeeld.nl."), check_deliverability=False
            ),
        ],
        description=_l(
            "Een Wmo-consulent voor verwijzingen; iemand van het welzijnswerk voor hulpvragen."
        ),
    )
    scopes = SelectMultipleField(
        _l("Wat mag de sleutel?"),
        choices=[SelectChoice(value, label) for value, label in SCOPE_CHOICES],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )

    expires_on = FlexibleDateField(
        _l("Werkt tot en met"),
        default=lambda: latest_expiry(datetime.now(AMSTERDAM).date()),
        description=_l("Hoogstens een jaar. Twee weken ervoor krijgt u een e-mail."),
    )

    user: User | None = None

    def validate_expires_on(self, field):
        today = datetime.now(AMSTERDAM).date()
        if field.data is None:
            raise ValidationError(
                _l("Vul in tot wanneer de sleutel werkt, bijvoorbeeld 1-12-2027.")
            )
        if field.data <= today:
            raise ValidationError(_l("Kies een datum na vandaag."))
        if field.data > latest_expiry(today):
            raise ValidationError(
                _l("Een sleutel werkt hoogstens een jaar. Kies een eerdere datum.")
            )

    def validate_email(self, field):
        db = get_session()
        self.user = find_user_by_email(db, field.data or "")
        # Someone of a municipality the admin does not serve is not theirs to see.
        if self.user is not None and not serves(db, current_user, self.user.municipality_id):
            self.user = None
        if self.user is None:
            raise ValidationError(_l("Er is geen account met dit e-mailadres."))
        if not may_hold_token(self.user):
            raise ValidationError(
                _l(
                    "Een sleutel werkt alleen namens een medewerker, een Wmo-consulent of een "
                    "beheerder. Geef dit account eerst zo'n rol."
                )
            )

    def validate_scopes(self, field):
        if not field.data:
            raise ValidationError(_l("Kies minstens één bevoegdheid."))
        if not set(field.data) <= {scope.value for scope in Scope}:
            raise ValidationError(_l("Kies bevoegdheden uit de lijst."))


class RevokeForm(BaseForm):
    """Only the CSRF token: revoking is one button."""


class ApiRequestForm(RequestForm):
    """The site's request form over JSON; the street may be left out (API version 1 had none)."""

    street = street_field(required=False)

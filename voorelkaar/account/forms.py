"""The one form here: deleting an account asks for the password."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import InputRequired, Length

from voorelkaar.forms import BaseForm


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        _l("Uw wachtwoord"),
        validators=[
            InputRequired(_l("Vul uw wachtwoord in om te laten zien dat u het echt bent.")),
            Length(max=1024, message=_l("Dit wachtwoord is te lang.")),
        ],
    )

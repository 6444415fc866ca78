"""Forms of the second factor. A code field keeps what was typed only while it has the
wrong form; a code that was checked and refused is not shown again."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from voorelkaar.forms import BaseForm


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CodeForm(BaseForm):
    code = StringField(
        _l("Code uit uw app"),
        validators=[
            InputRequired(_l("Vul de code van 6 cijfers uit uw app in.")),
            Length(max=20, message=_l("Een code bestaat uit 6 cijfers, bijvoorbeeld 123456.")),
        ],
        filters=[_strip],
        description=_l("6 cijfers, bijvoorbeeld 123456."),
    )

    def validate_code(self, field):
        digits = "".join(ch for ch in field.data if not ch.isspace())
        if not (digits.isdigit() and len(digits) == 6):
            raise ValidationError(_l("Een code bestaat uit 6 cijfers, bijvoorbeeld 123456."))


class RecoveryCodeForm(BaseForm):
    code = StringField(
        _l("Herstelcode"),
        validators=[
            InputRequired(_l("Vul een van uw herstelcodes in.")),
            Length(
                max=40,
                message=_l("Een herstelcode bestaat uit 10 letters en cijfers, zoals abcde-23456."),
            ),
        ],
        filters=[_strip],
        description=_l("10 letters en cijfers, zoals abcde-23456. Het streepje mag weg."),
    )


class ProofForm(BaseForm):
    """Turning the code off, or making new recovery codes: first show it is you."""

    proof = PasswordField(
        _l("Uw wachtwoord of de code uit uw app"),
        validators=[
            InputRequired(_l("Vul uw wachtwoord in, of de code van 6 cijfers uit uw app.")),
            Length(max=1024, message=_l("Dit wachtwoord is te lang.")),
        ],
    )

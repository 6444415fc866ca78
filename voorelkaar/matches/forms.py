from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from voorelkaar.forms import BaseForm


class EmptyForm(BaseForm):
    """A button: only the CSRF token."""


class CancelMatchForm(BaseForm):
    reason = TextAreaField(
        _l("Waarom gaat het niet door?"),
        validators=[
            InputRequired(_l("Schrijf kort waarom het niet doorgaat. De ander leest dit.")),
            Length(max=500, message=_l("Maak het korter: hoogstens 500 tekens.")),
        ],
    )


class CompleteForm(BaseForm):
    hours = StringField(
        _l("Hoeveel uur heeft de vrijwilliger geholpen? (niet verplicht)"),
        validators=[Length(max=10)],
        description=_l("Bijvoorbeeld 2 of 1,5."),
    )

    def validate_hours(self, field):
        if not field.data:
            self.value = None
            return
        try:
            self.value = float(field.data.replace(",", "."))
        except ValueError:
            raise ValidationError(_l("Vul een aantal uren in, bijvoorbeeld 1,5.")) from None
        if not 0 < self.value <= 24 * 7:
            raise ValidationError(_l("Vul een aantal uren in tussen 0 en 168."))

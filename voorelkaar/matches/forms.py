from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from voorelkaar.forms import BaseForm


class CancelMatchForm(BaseForm):
    reason = TextAreaField(
        _l("Waarom gaat het niet door?"),
        validators=[
            InputRequired(_l("Schrijf kort waarom het niet doorgaat. De ander leest dit.")),
            Length(max=500, message=_l("Maak het korter: hoogstens 500 tekens.")),
        ],
    )
    # Only the asker (and staff) are asked this: the request's own future.
    afterwards = RadioField(
        _l("En uw hulpvraag?"),
        choices=[
            SelectChoice("open", _l("Zoek iemand anders: de hulpvraag blijft online")),
            SelectChoice("intrekken", _l("Ik heb geen hulp meer nodig: trek de hulpvraag in")),
        ],
        default="open",
        validate_choice=False,
    )

    def validate_afterwards(self, field):
        if field.data not in ("open", "intrekken", None, ""):
            raise ValidationError(_l("Kies wat er met de hulpvraag gebeurt."))

    @property
    def withdraw(self) -> bool:
        return self.afterwards.data == "intrekken"


class CompleteForm(BaseForm):
    hours = StringField(
        _l("Hoeveel uur heeft de vrijwilliger geholpen? (niet verplicht)"),
        validators=[Length(max=10, message=_l("Vul een aantal uren in, bijvoorbeeld 1,5."))],
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


class InvitationForm(BaseForm):
    antwoord = RadioField(
        _l("Wilt u helpen?"),
        choices=[
            SelectChoice("ja", _l("Ja, ik help graag")),
            SelectChoice("nee", _l("Nee, deze keer niet")),
        ],
        validate_choice=False,
    )

    def validate_antwoord(self, field):
        if field.data not in ("ja", "nee"):
            raise ValidationError(_l("Kies ja of nee."))


class MessageForm(BaseForm):
    body = TextAreaField(
        _l("Bericht"),
        validators=[
            InputRequired(_l("Schrijf een bericht.")),
            Length(max=2000, message=_l("Maak het bericht korter: hoogstens 2000 tekens.")),
        ],
    )

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from voorelkaar.forms import BaseForm, CreatingForm


class ReportForm(CreatingForm, BaseForm):
    reason = TextAreaField(
        _l("Wat is er mis?"),
        validators=[
            InputRequired(_l("Schrijf kort wat er mis is.")),
            Length(max=2000, message=_l("Maak het korter: hoogstens 2000 tekens.")),
        ],
        description=_l(
            "Alleen de coördinatoren lezen dit. De schrijver ziet niet dat u het meldt."
        ),
    )


class HandleForm(BaseForm):
    outcome = TextAreaField(
        _l("Wat heeft u gedaan?"),
        validators=[
            InputRequired(_l("Schrijf kort wat u heeft gedaan. Dit komt in het logboek.")),
            Length(max=2000, message=_l("Maak het korter: hoogstens 2000 tekens.")),
        ],
    )
    hide_post = BooleanField(_l("Het bericht verbergen"))
    hide_reason = TextAreaField(
        _l("Waarom verbergt u het bericht?"),
        validators=[
            Length(max=1000, message=_l("Maak het korter: hoogstens 1000 tekens.")),
        ],
        description=_l(
            "Alleen als u het bericht verbergt. De schrijver krijgt deze reden per e-mail "
            "en ziet hem bij het bericht. Noem niet wie het meldde."
        ),
    )
    block_author = BooleanField(
        _l("De schrijver blokkeren (kan niet meer inloggen; berichten verdwijnen)")
    )

    def validate_hide_reason(self, field):
        if self.hide_post.data and not (field.data or "").strip():
            raise ValidationError(
                _l("Schrijf waarom u het bericht verbergt. De schrijver krijgt die reden te lezen.")
            )

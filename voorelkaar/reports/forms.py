from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length

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
    block_author = BooleanField(
        _l("De schrijver blokkeren (kan niet meer inloggen; berichten verdwijnen)")
    )

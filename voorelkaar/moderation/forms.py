from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from voorelkaar.forms import BaseForm


class RejectForm(BaseForm):
    reason = TextAreaField(
        _l("Reden van afwijzen"),
        validators=[
            InputRequired(_l("Schrijf waarom u dit afwijst. De schrijver krijgt deze reden.")),
            Length(max=1000, message=_l("Maak de reden korter: hoogstens 1000 tekens.")),
        ],
        description=_l(
            "De schrijver krijgt deze tekst per e-mail. Schrijf vriendelijk en duidelijk."
        ),
    )


class BlockForm(BaseForm):
    reason = TextAreaField(
        _l("Waarom?"),
        validators=[
            InputRequired(_l("Schrijf kort waarom. Dit komt in het logboek.")),
            Length(max=1000, message=_l("Maak de reden korter: hoogstens 1000 tekens.")),
        ],
    )

"""The network's forms: a person in the network, an invitation code, a check's question."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from voorelkaar.auth.forms import MultiCheckboxField
from voorelkaar.forms import BaseForm, CreatingForm, text_field
from voorelkaar.models import Closeness, Relation


class CheckboxesField(MultiCheckboxField):
    """Checkboxes whose unknown values are dropped (a person removed meanwhile), not refused."""

    def pre_validate(self, form):
        # Unknown values are dropped, not an error: a stale page's choice just does not count.
        known = {str(choice.value) for choice in self.choices}
        self.data = [value for value in self.data or [] if str(value) in known]


RELATIONS = [
    (Relation.FAMILY.value, _l("Familie")),
    (Relation.NEIGHBOUR.value, _l("Buren")),
    (Relation.FRIEND.value, _l("Vriend of vriendin")),
    (Relation.CLUB.value, _l("Van een club, kerk of vereniging")),
    (Relation.COLLEAGUE.value, _l("(Oud-)collega")),
    (Relation.OTHER.value, _l("Anders")),
]
CLOSENESS = [
    (str(Closeness.CLOSE.value), _l("Dichtbij: die kan ik altijd bellen")),
    (str(Closeness.FURTHER.value), _l("Verder weg: die zie of spreek ik af en toe")),
]


class MemberForm(CreatingForm, BaseForm):
    first_name = text_field(_l("Voornaam"), _l("Vul een voornaam in."), max_length=60)
    relation = RadioField(
        _l("Wie is het voor u?"),
        choices=[SelectChoice(value, label) for value, label in RELATIONS],
        validators=[InputRequired(_l("Kies wie het voor u is."))],
    )
    closeness = RadioField(
        _l("Hoe dichtbij staat deze persoon?"),
        choices=[SelectChoice(value, label) for value, label in CLOSENESS],
        default=str(Closeness.CLOSE.value),
        validators=[InputRequired(_l("Kies hoe dichtbij deze persoon staat."))],
    )
    reach = text_field(
        _l("Hoe bereikt u deze persoon? (mag leeg blijven)"),
        max_length=120,
        description=_l("Bijvoorbeeld een telefoonnummer, of: woont naast mij."),
    )
    email = EmailField(
        _l("E-mailadres (mag leeg blijven)"),
        description=_l("Alleen nodig als u deze persoon per e-mail wilt uitnodigen."),
        validators=[
            Optional(),
            Email(_l("Vul een e-mailadres in zoals naam@voorbeeld.nl.")),
            Length(max=254),
        ],
    )
    categories = CheckboxesField(
        _l("Waarmee kan deze persoon u helpen?"),
        description=_l("Kies wat past. U kunt dit later veranderen."),
    )


class CodeForm(BaseForm):
    code = StringField(
        _l("Code"),
        description=_l("De code staat op het briefje, bijvoorbeeld K7M4-P2Q9."),
        validators=[
            DataRequired(_l("Vul de code van het briefje in.")),
            Length(max=20, message=_l("Deze code is te lang.")),
        ],
    )


class AreaForm(BaseForm):
    who = CheckboxesField(_l("Kies de mensen die u kunt vragen"))


class CoachForm(BaseForm):
    consent = BooleanField(
        _l(
            "Ik vind het goed dat een medewerker mijn netwerk bekijkt en mij belt over een gesprek."
        ),
        validators=[DataRequired(_l("Zet een vinkje als u dat goed vindt."))],
    )


class CoachMemberForm(MemberForm):
    """A network coach fills in a person with the resident, who agreed to it."""

    relation = RadioField(
        _l("Wie is het voor de inwoner?"),
        choices=[SelectChoice(value, label) for value, label in RELATIONS],
        validators=[InputRequired(_l("Kies wie het voor de inwoner is."))],
    )
    closeness = RadioField(
        _l("Hoe dichtbij staat deze persoon?"),
        choices=[
            SelectChoice(
                str(Closeness.CLOSE.value), _l("Dichtbij: die kan de inwoner altijd bellen")
            ),
            SelectChoice(
                str(Closeness.FURTHER.value),
                _l("Verder weg: die ziet of spreekt de inwoner af en toe"),
            ),
        ],
        default=str(Closeness.CLOSE.value),
        validators=[InputRequired(_l("Kies hoe dichtbij deze persoon staat."))],
    )
    categories = CheckboxesField(_l("Waarmee kan deze persoon de inwoner helpen?"))
    reach = text_field(
        _l("Hoe bereikt de inwoner deze persoon? (mag leeg blijven)"), max_length=120
    )

    consent = BooleanField(
        _l("De inwoner gaf toestemming dat ik dit samen met hem of haar invul."),
        validators=[DataRequired(_l("Zet een vinkje: zonder toestemming kan het niet."))],
    )

"""The carer's choices: how often to be asked, and an answer given on the site."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from voorelkaar.carers.services import CARE_HOURS_MAX, HEALTH_NOTE_MAX, answer_choices
from voorelkaar.forms import BaseForm, text_field
from voorelkaar.models import CADENCES_WEEKS

NOTE_MAX = 2000


class CadenceForm(BaseForm):
    cadence = RadioField(
        _l("Hoe vaak wilt u de vraag krijgen?"),
        choices=[
            SelectChoice(str(weeks), _l("Elke %(weeks)d weken", weeks=weeks))
            for weeks in CADENCES_WEEKS
        ],
        validators=[InputRequired(_l("Kies hoe vaak u de vraag wilt krijgen."))],
    )


class CheckinAnswerForm(BaseForm):
    checkin = HiddenField()
    antwoord = RadioField(
        _l("Hoe gaat het met u?"),
        validators=[InputRequired(_l("Kies een antwoord."))],
    )
    note = TextAreaField(
        _l("Wilt u er iets over vertellen? (mag leeg blijven)"),
        description=_l("Dit lezen alleen de medewerkers die mantelzorgers helpen."),
        validators=[Optional(), Length(max=NOTE_MAX, message=_l("Gebruik hoogstens 2000 tekens."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.antwoord.choices = [SelectChoice(value, label) for value, label in answer_choices()]


class HoursField(IntegerField):
    """Whole hours; empty means unknown, anything else not a number gets a Dutch message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Vul een heel getal in, zoals 10.")) from None


class CareSituationForm(BaseForm):
    cared_for_name = text_field(
        _l("Voor wie zorgt u? (alleen de voornaam)"),
        max_length=50,
        description=_l("Bijvoorbeeld: Anna."),
    )
    relation = text_field(
        _l("Wat is deze persoon van u?"),
        max_length=50,
        description=_l("Bijvoorbeeld: mijn man, mijn moeder, mijn buurvrouw."),
    )
    care_tasks = text_field(
        _l("Wat doet u voor deze persoon?"),
        max_length=NOTE_MAX,
        multiline=True,
        description=_l("Bijvoorbeeld: boodschappen, koken, mee naar de dokter."),
    )
    care_hours_per_week = HoursField(
        _l("Hoeveel uur per week zorgt u ongeveer?"),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=CARE_HOURS_MAX,
                message=_l("Vul een aantal uren in van 0 tot en met 168. Een week heeft 168 uur."),
            ),
        ],
        description=_l("Een schatting is goed. Mag leeg blijven."),
    )

    def situation(self) -> dict:
        """The answers, as save_care_situation takes them."""
        return {
            "cared_for_name": self.cared_for_name.data,
            "relation": self.relation.data,
            "care_tasks": self.care_tasks.data,
            "hours_per_week": self.care_hours_per_week.data,
        }


HEALTH_CONSENT_WORDING = _l(
    "Ik geef toestemming dat de medewerkers voor mantelzorgers deze notitie over gezondheid "
    "bewaren en lezen. Ik kan deze toestemming altijd intrekken. Dan wordt de notitie gewist."
)


class HealthNoteForm(BaseForm):
    health_note = text_field(
        _l("Notitie over gezondheid"),
        _l("Schrijf eerst de notitie."),
        max_length=HEALTH_NOTE_MAX,
        multiline=True,
        description=_l(
            "Bijvoorbeeld: mijn man heeft dementie, of ik heb zelf last van mijn rug. "
            "Alleen de medewerkers voor mantelzorgers lezen dit. Vrijwilligers zien het nooit."
        ),
    )
    consent = BooleanField(
        HEALTH_CONSENT_WORDING,
        default=False,
        validators=[
            DataRequired(
                _l(
                    "Zet een vinkje bij de toestemming. Zonder uw toestemming bewaren wij "
                    "deze notitie niet."
                )
            )
        ],
    )

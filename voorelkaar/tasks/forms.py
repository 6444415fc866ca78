from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from voorelkaar.forms import BaseForm
from voorelkaar.models import TaskKind
from voorelkaar.tasks.services import AGE_DAYS, OUTCOME_MAX_LENGTH, TaskFilters, TaskView

KIND_LABELS = {
    TaskKind.REQUEST_UNMATCHED: _l("Hulpvraag 7 dagen zonder vrijwilliger"),
    TaskKind.MATCH_FAILED: _l("Hulp is niet gelukt"),
    TaskKind.CHECKIN_HEAVY: _l("Mantelzorger heeft het zwaar"),
    TaskKind.CHECKIN_SILENT: _l("Mantelzorger geeft geen antwoord"),
    TaskKind.MAIL_FAILED: _l("E-mail kwam niet aan"),
    TaskKind.REFERRAL_EXPIRED: _l("Verwijzing verlopen zonder reactie"),
    TaskKind.MATCH_CANCELLED: _l("Afspraak vervalt: zoek iemand anders"),
    TaskKind.OFFER_UNANSWERED: _l("Aanbod 7 dagen zonder antwoord"),
    TaskKind.CALL_PERSON: _l("Bellen of brief sturen: iemand zonder e-mail"),
}

ORDER_OLDEST = "oudste"
ORDER_NEWEST = "nieuwste"


class QueueForm(BaseForm):
    """Which tasks, in which order; a GET form, so it needs no CSRF token."""

    class Meta:
        csrf = False

    toon = RadioField(
        _l("Welke taken?"),
        choices=[
            SelectChoice(TaskView.OPEN.value, _l("Open taken")),
            SelectChoice(TaskView.MINE.value, _l("Door mij opgepakt")),
            SelectChoice(TaskView.CLOSED.value, _l("Afgesloten taken")),
        ],
        default=TaskView.OPEN.value,
        validate_choice=False,
    )
    volgorde = RadioField(
        _l("Volgorde"),
        choices=[
            SelectChoice(
                "", _l("Gewone volgorde (open: oudste eerst, afgesloten: nieuwste eerst)")
            ),
            SelectChoice(ORDER_OLDEST, _l("Oudste eerst")),
            SelectChoice(ORDER_NEWEST, _l("Nieuwste eerst")),
        ],
        default="",
        validate_choice=False,
    )

    soort = SelectField(
        _l("Soort taak"),
        choices=[SelectChoice("", _l("Alle soorten"))]
        + [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default="",
        validate_choice=False,
    )
    wijk = SelectField(_l("Wijk"), default="", validate_choice=False)
    ouder = SelectField(
        _l("Hoe oud?"),
        choices=[SelectChoice("", _l("Alle taken"))]
        + [
            SelectChoice(
                str(days), lazy_ngettext("Ouder dan %(num)d dag", "Ouder dan %(num)d dagen", days)
            )
            for days in AGE_DAYS
        ],
        default="",
        validate_choice=False,
    )

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        """neighbourhoods: (id, name) pairs for the wijk filter."""
        super().__init__(*args, **kwargs)
        self.wijk.choices = [SelectChoice("", _l("Alle wijken"))] + [
            SelectChoice(str(id_), name) for id_, name in neighbourhoods
        ]

    @staticmethod
    def _known(field) -> bool:
        return field.data in {choice.value for choice in field.choices}

    def validate_soort(self, field):
        if not self._known(field):
            field.data = ""
            raise ValidationError(_l("Kies een soort taak uit de lijst."))

    def validate_wijk(self, field):
        if not self._known(field):
            field.data = ""
            raise ValidationError(_l("Kies een wijk uit de lijst."))

    def validate_ouder(self, field):
        if not self._known(field):
            field.data = ""
            raise ValidationError(_l("Kies hoe oud de taken zijn: ouder dan 1, 3 of 7 dagen."))

    @property
    def filters(self) -> TaskFilters:
        """The chosen filters; one that was not understood filters nothing."""
        kind = self.soort.data if not self.soort.errors else ""
        wijk = self.wijk.data if not self.wijk.errors else ""
        age = self.ouder.data if not self.ouder.errors else ""
        return TaskFilters(
            kind=TaskKind(kind) if kind else None,
            neighbourhood_id=int(wijk) if wijk else None,
            older_than_days=int(age) if age else None,
        )

    def validate_toon(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            field.data = TaskView.OPEN.value
            raise ValidationError(_l("Kies welke taken u wilt zien: open, van u of afgesloten."))

    def validate_volgorde(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            field.data = ""
            raise ValidationError(_l("Kies een volgorde: oudste of nieuwste eerst."))

    @property
    def view(self) -> TaskView:
        return TaskView(self.toon.data if not self.toon.errors else TaskView.OPEN.value)

    @property
    def newest_first(self) -> bool | None:
        """None means the natural order of the chosen tasks."""
        if self.volgorde.errors or not self.volgorde.data:
            return None
        return self.volgorde.data == ORDER_NEWEST


class OutcomeForm(BaseForm):
    outcome = TextAreaField(
        _l("Wat heeft u gedaan?"),
        validators=[
            InputRequired(_l("Schrijf kort wat u heeft gedaan. Daarna kunt u de taak afsluiten.")),
            Length(
                max=OUTCOME_MAX_LENGTH,
                message=_l("Maak het korter: hoogstens 2000 tekens."),
            ),
        ],
        description=_l(
            "Bijvoorbeeld: wie u heeft gebeld en wat u heeft afgesproken. "
            "Alleen coördinatoren lezen dit."
        ),
    )

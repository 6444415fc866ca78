from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from voorelkaar.forms import BaseForm
from voorelkaar.tasks.services import OUTCOME_MAX_LENGTH, TaskView

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

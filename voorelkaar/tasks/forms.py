from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from voorelkaar.forms import BaseForm, CreatingForm, FlexibleDateField
from voorelkaar.models import TaskKind
from voorelkaar.tasks.services import (
    AGE_DAYS,
    OUTCOME_MAX_LENGTH,
    ManualTask,
    TaskFilters,
    TaskView,
    local_today,
)

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
    TaskKind.CIRCLE_STUCK: _l("Hulpvraag blijft hangen in eigen netwerk"),
    TaskKind.NETWORK_COACH: _l("Wil praten met een netwerkcoach"),
    TaskKind.MANUAL: _l("Taak van een collega"),
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
            SelectChoice(TaskView.MINE.value, _l("Mijn taken")),
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


def check_follow_up(field) -> None:
    """A follow-up date is today or later (empty: no date)."""
    if field.data is not None and field.data < local_today():
        raise ValidationError(_l("Kies een datum vanaf vandaag. Een dag in het verleden kan niet."))


def colleague_choices(colleagues, empty) -> list[SelectChoice]:
    """The colleagues a task can go to, with the empty choice first."""
    return [SelectChoice("", empty)] + [
        SelectChoice(str(user.id), user.name) for user in colleagues
    ]


class FollowUpForm(BaseForm):
    follow_up_on = FlexibleDateField(
        _l("Opvolgen op"),
        description=_l("De dag waarop u of een collega er weer naar kijkt. Leeg: geen datum."),
    )

    def validate_follow_up_on(self, field):
        check_follow_up(field)


class HandOverForm(BaseForm):
    colleague = SelectField(_l("Overdragen aan"), default="", validate_choice=False)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.colleague.choices = colleague_choices(colleagues, _l("Kies een collega"))

    def validate_colleague(self, field):
        if field.data not in {c.value for c in field.choices} or not field.data:
            raise ValidationError(_l("Kies een collega uit de lijst."))


class ManualTaskForm(CreatingForm, BaseForm):
    title = StringField(
        _l("Wat moet er gebeuren?"),
        validators=[
            InputRequired(_l("Schrijf kort wat er moet gebeuren, bijvoorbeeld: terugbellen.")),
            Length(max=200, message=_l("Maak het korter: hoogstens 200 tekens.")),
        ],
    )
    note = TextAreaField(
        _l("Toelichting (niet verplicht)"),
        validators=[
            Length(max=OUTCOME_MAX_LENGTH, message=_l("Maak het korter: hoogstens 2000 tekens."))
        ],
    )
    follow_up_on = FlexibleDateField(
        _l("Opvolgen op (niet verplicht)"),
        description=_l("Bijvoorbeeld 15-1-2027. Vandaag of later."),
    )
    colleague = SelectField(
        _l("Wie pakt het op? (niet verplicht)"), default="", validate_choice=False
    )

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._colleagues = {str(user.id): user for user in colleagues}
        self.colleague.choices = colleague_choices(colleagues, _l("Nog niemand"))

    def validate_follow_up_on(self, field):
        check_follow_up(field)

    def validate_colleague(self, field):
        if field.data and field.data not in self._colleagues:
            field.data = ""
            raise ValidationError(_l("Kies een collega uit de lijst."))

    def details(self) -> ManualTask:
        return ManualTask(
            title=self.title.data,
            note=self.note.data or "",
            follow_up_on=self.follow_up_on.data,
            holder=self._colleagues.get(self.colleague.data or ""),
        )

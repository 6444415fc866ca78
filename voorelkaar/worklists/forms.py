"""The search and filter boxes above each work list: GET forms, so no CSRF token."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from voorelkaar.admin.forms import ROLE_LABELS
from voorelkaar.forms import BaseForm
from voorelkaar.help_requests.views import STATE_LABELS
from voorelkaar.models import ReferralStatus, RequestState, Role
from voorelkaar.referrals.views import STATUS_LABELS
from voorelkaar.worklists.services import (
    SEARCH_MAX,
    SORT_NEWEST,
    SORT_WAITING,
    SORT_WIJK,
    PeopleFilters,
    ReferralFilters,
    RequestFilters,
)


def _search_field(label, description):
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=SEARCH_MAX, message=_l("Zoek met hoogstens 100 tekens.")),
        ],
        description=description,
    )


def _chosen(field, message):
    if field.data and field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(message)


def _number(text: str | None) -> int | None:
    return int(text) if text else None


class ListForm(BaseForm):
    class Meta:
        csrf = False

    def _wijk_choices(self, neighbourhoods):
        return [SelectChoice("", _l("Alle wijken"))] + [
            SelectChoice(str(wijk.id), wijk.name) for wijk in neighbourhoods
        ]

    def text(self) -> str | None:
        return (self.q.data or "").strip() or None


class RequestListForm(ListForm):
    q = _search_field(
        _l("Zoeken"), _l("Op titel, of de naam van wie het vroeg of voor wie het is.")
    )
    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    wijk = SelectField(_l("Wijk"), validators=[Optional()], validate_choice=False)
    soort = SelectField(_l("Soort hulp"), validators=[Optional()], validate_choice=False)
    volgorde = SelectField(
        _l("Volgorde"),
        choices=[
            SelectChoice(SORT_WAITING, _l("Langst wachtend eerst")),
            SelectChoice(SORT_NEWEST, _l("Nieuwste eerst")),
            SelectChoice(SORT_WIJK, _l("Op wijk")),
        ],
        default=SORT_WAITING,
        validators=[Optional()],
        validate_choice=False,
    )

    def __init__(self, *args, neighbourhoods=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice("", _l("Alle statussen"))] + [
            SelectChoice(state.value, STATE_LABELS.get(state.value, state.value))
            for state in RequestState
        ]
        self.wijk.choices = self._wijk_choices(neighbourhoods)
        locale = str(get_locale())
        self.soort.choices = [SelectChoice("", _l("Alle soorten"))] + [
            SelectChoice(str(category.id), category.name(locale)) for category in categories
        ]

    def validate_status(self, field):
        _chosen(field, _l("Kies een status uit de lijst."))

    def validate_wijk(self, field):
        _chosen(field, _l("Kies een wijk uit de lijst."))

    def validate_soort(self, field):
        _chosen(field, _l("Kies een soort hulp uit de lijst."))

    def validate_volgorde(self, field):
        _chosen(field, _l("Kies een volgorde uit de lijst."))

    def filters(self) -> RequestFilters:
        """What to show; called after validate(), so every choice is one of the list."""
        return RequestFilters(
            text=self.text(),
            state=RequestState(self.status.data) if self.status.data else None,
            wijk=_number(self.wijk.data),
            category=_number(self.soort.data),
            sort=self.volgorde.data or SORT_WAITING,
        )


class PeopleListForm(ListForm):
    q = _search_field(
        _l("Zoeken"),
        _l("Op naam, e-mailadres, telefoonnummer of postcode (zoals 7941 AB of 7941)."),
    )
    rol = SelectField(_l("Rol"), validators=[Optional()], validate_choice=False)
    wijk = SelectField(_l("Wijk"), validators=[Optional()], validate_choice=False)

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rol.choices = [SelectChoice("", _l("Alle rollen"))] + [
            SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()
        ]
        self.wijk.choices = self._wijk_choices(neighbourhoods)

    def validate_rol(self, field):
        _chosen(field, _l("Kies een rol uit de lijst."))

    def validate_wijk(self, field):
        _chosen(field, _l("Kies een wijk uit de lijst."))

    def filters(self) -> PeopleFilters:
        return PeopleFilters(
            text=self.text(),
            role=Role(self.rol.data) if self.rol.data else None,
            wijk=_number(self.wijk.data),
        )


class ReferralListForm(ListForm):
    q = _search_field(_l("Zoeken"), _l("Op de naam van de inwoner, de vraag of de consulent."))
    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice("", _l("Alle statussen"))] + [
            SelectChoice(status.name.lower(), label) for status, label in STATUS_LABELS.items()
        ]

    def validate_status(self, field):
        _chosen(field, _l("Kies een status uit de lijst."))

    def filters(self) -> ReferralFilters:
        status = ReferralStatus[self.status.data.upper()] if self.status.data else None
        return ReferralFilters(text=self.text(), status=status)

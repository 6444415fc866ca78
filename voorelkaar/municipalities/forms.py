"""The forms of a municipality's settings: its face, logo, wijken and categories."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from voorelkaar.db import get_session
from voorelkaar.forms import BaseForm, CreatingForm, national_phone, text_field
from voorelkaar.municipalities import services

HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class SettingsForm(BaseForm):
    site_name = text_field(
        _l("Naam van de site"),
        _l("Vul de naam van de site in."),
        max_length=100,
        description=_l("Bijvoorbeeld: Meppel voor elkaar."),
    )
    host = StringField(
        _l("Hostnaam (niet verplicht)"),
        validators=[Optional(), Length(max=253, message=_l("Gebruik hoogstens 253 tekens."))],
        description=_l(
            "Het adres waarop bezoekers deze gemeente zien, zonder https://, "
            "bijvoorbeeld meppel.voorelkaar.nl. Leeg: bezoekers kiezen zelf hun gemeente."
        ),
    )
    org_name = text_field(
        _l("Naam van de organisatie die de site runt"),
        _l("Vul de naam van de organisatie in."),
        max_length=150,
        description=_l("Bijvoorbeeld: Welzijn Mens en Werk."),
    )
    org_phone = StringField(
        _l("Telefoonnummer"),
        validators=[Optional()],
        description=_l("Waarop inwoners een mens spreken, bijvoorbeeld 0522 123 456."),
    )
    org_email = EmailField(
        _l("E-mailadres"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens lang.")),
            Email(
                _l("Vul een e-mailadres in zoals info@voorbeeld.nl."), check_deliverability=False
            ),
        ],
    )
    org_address = text_field(
        _l("Bezoekadres (niet verplicht)"),
        max_length=200,
        description=_l("Bijvoorbeeld: Zuideinde 30, 7941 GJ Meppel."),
    )
    org_hours = text_field(
        _l("Openingstijden (niet verplicht)"),
        max_length=100,
        description=_l("Bijvoorbeeld: ma–vr 9–17 uur."),
    )
    controller_name = text_field(
        _l("Verantwoordelijk voor de gegevens (verwerkingsverantwoordelijke)"),
        _l("Vul in wie verantwoordelijk is voor de gegevens."),
        max_length=150,
        description=_l("Meestal de gemeente, bijvoorbeeld: Gemeente Meppel."),
    )
    privacy_contact = text_field(
        _l("Contact voor vragen over privacy"),
        _l("Vul in hoe inwoners iemand bereiken met vragen over privacy."),
        max_length=254,
        description=_l("Een e-mailadres of telefoonnummer, bijvoorbeeld privacy@meppel.nl."),
    )
    moderation = BooleanField(_l("Nieuwe berichten eerst laten bekijken door een coördinator"))

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._municipality = municipality

    def validate_host(self, field):
        field.data = field.data.lower().rstrip(".")
        labels = field.data.split(".")
        if len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels):
            raise ValidationError(
                _l("Vul een hostnaam in zoals meppel.voorelkaar.nl: zonder https:// en zonder /.")
            )
        if services.host_taken(get_session(), self._municipality, field.data):
            raise ValidationError(_l("Deze hostnaam hoort al bij een andere gemeente."))

    def validate_org_phone(self, field):
        if not field.data and not self.org_email.data:
            raise ValidationError(
                _l("Vul een telefoonnummer of e-mailadres in, zodat inwoners iemand bereiken.")
            )
        if field.data:
            field.data = national_phone(field.data)

    def values(self) -> dict:
        """What the form says, as the service takes it."""
        values = {name: getattr(self, name).data for name in services.SETTINGS_FIELDS}
        values["host"] = values["host"] or None
        values["org_email"] = (values["org_email"] or "").lower()
        values["org_phone"] = values["org_phone"] or ""
        return values


class LogoForm(BaseForm):
    logo = FileField(_l("Nieuw logo"))  # its description names the limit (the view)


class RemoveLogoForm(BaseForm):
    pass


class WijkForm(BaseForm):
    name = text_field(_l("Naam van de wijk"), _l("Vul de naam van de wijk in."), max_length=100)
    pc4s = text_field(
        _l("PC4-gebieden"),
        max_length=500,
        description=_l("De vier cijfers van de postcodes, met komma's ertussen: 7941, 7942."),
    )
    ranges = text_field(
        _l("PC6-reeksen (niet verplicht)"),
        max_length=2000,
        multiline=True,
        description=_l(
            "Als een wijk maar een deel van een PC4-gebied is: één reeks per regel, "
            "zoals 7943AA-7943KZ."
        ),
    )


class NewWijkForm(CreatingForm, WijkForm):
    pass


class WijkCsvForm(BaseForm):
    csv_file = FileField(
        _l("CSV-bestand met wijken"),
        description=_l(
            "Kolommen wijk;pc4;pc6_van;pc6_tot (met puntkomma of komma). Een wijk in het "
            "bestand krijgt precies de gebieden uit het bestand; andere wijken blijven zoals ze zijn."
        ),
    )


class CategoriesForm(BaseForm):
    categories = SelectMultipleField(
        _l("Soorten hulp die deze gemeente aanbiedt"),
        description=_l("Vinkt u niets aan, dan biedt de gemeente alle soorten hulp aan."),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )

    def __init__(self, *args, categories=(), locale="nl", **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = [
            SelectChoice(str(category.id), category.name(locale)) for category in categories
        ]

    def validate_categories(self, field):
        allowed = {choice.value for choice in self.categories.choices}
        if not set(field.data or ()) <= allowed:
            raise ValidationError(_l("Kies soorten hulp uit de lijst."))

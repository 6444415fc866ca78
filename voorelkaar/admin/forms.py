from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from voorelkaar.forms import BaseForm
from voorelkaar.models import Role

ROLE_LABELS = {
    Role.RESIDENT: _l("Inwoner (vraagt hulp)"),
    Role.VOLUNTEER: _l("Vrijwilliger"),
    Role.CARER: _l("Mantelzorger"),
    Role.ORGANISATION: _l("Organisatie"),
    Role.STAFF: _l("Coördinator"),
    Role.CONSULTANT: _l("Wmo-consulent"),
    Role.ADMIN: _l("Beheerder"),
    Role.POLICY: _l("Beleidsmedewerker (alleen cijfers)"),
}


class CategoryForm(BaseForm):
    name_nl = StringField(
        _l("Naam in het Nederlands"),
        validators=[
            InputRequired(_l("Vul een naam in.")),
            Length(max=100, message=_l("Gebruik hoogstens 100 tekens.")),
        ],
    )
    name_en = StringField(
        _l("Naam in het Engels"),
        validators=[
            InputRequired(_l("Vul een Engelse naam in.")),
            Length(max=100, message=_l("Gebruik hoogstens 100 tekens.")),
        ],
    )
    active = BooleanField(_l("In gebruik"), default=True)

    def validate_name_nl(self, field):
        from voorelkaar.admin.services import slugify

        if not slugify(field.data or ""):
            raise ValidationError(_l("Gebruik ook letters of cijfers in de naam."))


class SettingsForm(BaseForm):
    moderation = BooleanField(_l("Nieuwe berichten eerst laten bekijken door een coördinator"))


class RolesForm(BaseForm):
    roles = SelectMultipleField(
        _l("Rollen"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )

    municipalities = SelectMultipleField(
        _l("Werkt voor de gemeenten"),
        description=_l(
            "Alleen voor coördinatoren, Wmo-consulenten, beheerders en beleidsmedewerkers: van "
            "welke gemeenten zij de mensen, hulpvragen en taken (of alleen de cijfers) zien. Kiest u niets, dan is het hun eigen gemeente."
        ),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities.choices = [(m.id, m.name) for m in municipalities]
        # Whoever serves one municipality has nothing to choose: the field is left out.
        self.choose_municipalities = len(self.municipalities.choices) > 1

    def validate_roles(self, field):
        if not set(field.data or ()) <= {role.value for role in Role}:
            raise ValidationError(_l("Kies rollen uit de lijst."))

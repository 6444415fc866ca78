from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TelField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from voorelkaar.carers.forms import CareSituationForm
from voorelkaar.forms import (
    BaseForm,
    MunicipalPostcode,
    check_house_number,
    normalise_phone,
    street_field,
)
from voorelkaar.profiles.services import VolunteerStart
from voorelkaar.volunteers.forms import AvailabilityForm


class ProfileForm(MunicipalPostcode, BaseForm):
    name = StringField(
        _l("Uw naam"),
        validators=[
            InputRequired(_l("Vul uw naam in.")),
            Length(max=100, message=_l("Uw naam mag hoogstens 100 tekens lang zijn.")),
        ],
    )
    phone = TelField(_l("Telefoonnummer (niet verplicht)"), validators=[Optional()])
    postcode = StringField(
        _l("Postcode"), validators=[InputRequired(_l("Vul uw postcode in, bijvoorbeeld 7941 AB."))]
    )
    house_number = StringField(
        _l("Huisnummer"),
        validators=[InputRequired(_l("Vul het huisnummer in, bijvoorbeeld 12 of 12a."))],
    )
    street = street_field(required=False)
    intro = TextAreaField(
        _l("Over mij (niet verplicht)"),
        validators=[Length(max=1000, message=_l("Maak het korter: hoogstens 1000 tekens."))],
        description=_l(
            "Bijvoorbeeld: Ik wandel graag en ik heb een auto. Anderen zien dit bij uw voornaam."
        ),
    )
    skills = StringField(
        _l("Waar kunt u mee helpen? (niet verplicht)"),
        validators=[Length(max=300, message=_l("Gebruik hoogstens 300 tekens."))],
        description=_l("Losse woorden met komma's ertussen, bijvoorbeeld: boodschappen, wandelen."),
    )
    available = BooleanField(_l("Ik ben nu beschikbaar om te helpen"))

    def validate_postcode(self, field):
        self.check_municipal_postcode(field)

    def validate_house_number(self, field):
        check_house_number(field)

    def validate_phone(self, field):
        field.data = normalise_phone(field.data)

    def validate_skills(self, field):
        if any(len(part.strip()) > 50 for part in (field.data or "").split(",")):
            raise ValidationError(_l("Houd elk woord kort: hoogstens 50 tekens."))


# Adding a role asks what that role needs, in one step.


class ResidentStartForm(BaseForm):
    def start(self) -> None:
        return None


class VolunteerStartForm(AvailabilityForm):
    available = paused_until = None  # a new volunteer is available; pausing comes later
    intro = ProfileForm.intro
    skills = ProfileForm.skills
    validate_skills = ProfileForm.validate_skills

    def start(self) -> VolunteerStart:
        return VolunteerStart(
            skills=tuple((self.skills.data or "").split(",")),
            intro=self.intro.data or "",
            parts=frozenset(self.chosen_parts()),
            travel_km=float(self.travel_km.data),
        )


class CarerStartForm(CareSituationForm):
    def start(self) -> dict:
        return self.situation()

"""Forms for organisations: signing up, vacancies, responses and answers."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import ValidationError

from voorelkaar.forms import (
    BaseForm,
    CreatingForm,
    MunicipalPostcode,
    check_house_number,
    check_skills,
    message_field,
    skill_tags,
    text_field,
)
from voorelkaar.help_requests.forms import BrowseForm
from voorelkaar.models import RequestState
from voorelkaar.organisations.services import VacancyDetails


class OrganisationForm(CreatingForm, BaseForm):
    name = text_field(
        _l("Naam van de organisatie"), _l("Vul de naam van uw organisatie in."), max_length=150
    )
    description = text_field(
        _l("Wat doet uw organisatie? (niet verplicht)"),
        max_length=2000,
        multiline=True,
        description=_l("Een paar zinnen zijn genoeg. Dit helpt de coördinator bij de controle."),
    )


class VacancyForm(CreatingForm, MunicipalPostcode, BaseForm):
    organisation = RadioField(_l("Voor welke organisatie?"), validate_choice=False)
    title = text_field(
        _l("Korte titel"),
        _l("Geef de vacature een korte titel."),
        max_length=100,
        description=_l("Bijvoorbeeld: Wandelmaatje voor bewoners."),
    )
    description = text_field(
        _l("Beschrijving"),
        _l("Vertel wat de vrijwilliger gaat doen."),
        max_length=2000,
        multiline=True,
    )
    hours = text_field(
        _l("Hoeveel tijd kost het?"),
        _l("Vul in hoeveel tijd het kost, bijvoorbeeld 2 uur per week."),
        max_length=100,
        description=_l("Bijvoorbeeld: 2 uur per week, op dinsdagmiddag."),
    )
    skills = text_field(
        _l("Wat moet de vrijwilliger kunnen? (niet verplicht)"),
        max_length=300,
        description=_l("Losse woorden met komma's ertussen, bijvoorbeeld: wandelen, geduld."),
    )
    postcode = StringField(_l("Postcode"))
    house_number = StringField(_l("Huisnummer"))

    def __init__(self, *args, organisations=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.organisation.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
        self._organisations = {str(o.id): o for o in organisations}
        if len(self.organisation.choices) == 1 and not self.organisation.data:
            self.organisation.data = self.organisation.choices[0].value

    def validate_organisation(self, field):
        if not self.editing and field.data not in self._organisations:
            raise ValidationError(_l("Kies de organisatie waarvoor de vacature is."))

    def validate_skills(self, field):
        check_skills(field)

    def validate_postcode(self, field):
        # When editing, an empty place keeps the one the vacancy has.
        if self.editing and not field.data and not self.house_number.data:
            return
        if not field.data:
            raise ValidationError(_l("Vul de postcode in, bijvoorbeeld 7941 AB."))
        self.check_municipal_postcode(field)

    def validate_house_number(self, field):
        if self.editing and not field.data and not self.postcode.data:
            return
        check_house_number(field)

    def chosen_organisation(self):
        return self._organisations[self.organisation.data]

    def details(self) -> VacancyDetails:
        return VacancyDetails(
            title=self.title.data,
            description=self.description.data,
            hours=self.hours.data,
            skills=skill_tags(self.skills.data),
            postcode=self.postcode.data or None,
        )

    def fill_from(self, vacancy) -> None:
        """Put a stored vacancy back into the form, for editing (the place stays empty)."""
        for name in ("title", "description", "hours", "skills"):
            self[name].data = getattr(vacancy, name)


class ResponseForm(CreatingForm, BaseForm):
    message = message_field(
        _l("Uw reactie"),
        _l("Schrijf kort waarom u wilt helpen."),
        _l(
            "De organisatie ziet uw voornaam en deze reactie. Zij antwoorden u via deze site en per e-mail."
        ),
    )


class AnswerForm(CreatingForm, BaseForm):
    answer = message_field(
        _l("Uw antwoord"),
        _l("Schrijf een antwoord aan de vrijwilliger."),
        _l(
            "De vrijwilliger krijgt dit per e-mail. Zet er bijvoorbeeld in hoe hij of zij u kan bereiken."
        ),
    )


class RejectForm(BaseForm):
    """Why a coordinator turns down an organisation's application; the applicant reads it."""

    reason = message_field(
        _l("Waarom keurt u de aanmelding af?"),
        _l("Schrijf waarom u de aanmelding afwijst. De aanvrager krijgt dit per e-mail."),
        _l("Bijvoorbeeld: we konden de organisatie niet vinden in het Handelsregister."),
    )


class CloseForm(BaseForm):
    """Why a member closes a vacancy. `terug` says which page the form is on."""

    OUTCOMES = {"vervuld": RequestState.DONE, "niet-meer-nodig": RequestState.CANCELLED}
    DASHBOARD = "mijn-organisatie"

    reden = RadioField(
        _l("Waarom sluit u de vacature?"),
        choices=[
            SelectChoice("vervuld", _l("Vervuld: er zijn genoeg vrijwilligers gevonden")),
            SelectChoice("niet-meer-nodig", _l("Niet meer nodig: wij zoeken niemand meer")),
        ],
        validate_choice=False,
        description=_l(
            "De vacature staat dan niet meer in de lijst met vacatures. "
            "Vrijwilligers die nog geen antwoord van u kregen, krijgen een e-mail."
        ),
    )
    terug = HiddenField()

    def validate_reden(self, field):
        if field.data not in self.OUTCOMES:
            raise ValidationError(_l("Kies of de vacature vervuld is of niet meer nodig is."))

    def outcome(self) -> RequestState:
        return self.OUTCOMES[self.reden.data]

    @property
    def from_dashboard(self) -> bool:
        return self.terug.data == self.DASHBOARD


class VacancyBrowseForm(BrowseForm):
    """Search, wijk and distance: a vacancy has no category and no date."""

    categorie = None
    vanaf = None

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        # BrowseForm's own __init__ fills the category list, which is left out here.
        super(BrowseForm, self).__init__(*args, **kwargs)
        self.wijk.choices = [SelectChoice("", _l("Alle wijken"))] + [
            SelectChoice(str(n.id), n.name) for n in neighbourhoods
        ]

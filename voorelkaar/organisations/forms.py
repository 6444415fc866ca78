"""Forms for organisations: signing up, vacancies, responses and answers."""

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectChoice, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from voorelkaar.forms import (
    BaseForm,
    CreatingForm,
    FlexibleDateField,
    MunicipalPostcode,
    check_house_number,
    check_postcode,
    check_skills,
    message_field,
    national_phone,
    skill_tags,
    text_field,
)
from voorelkaar.help_requests.forms import BrowseForm
from voorelkaar.i18n import AMSTERDAM
from voorelkaar.models import RequestState, ResponseStage
from voorelkaar.organisations.services import OrganisationDetails, VacancyDetails

KVK_NUMBER = re.compile(r"^\d{8}$")


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
    kvk_number = StringField(
        _l("KvK-nummer (niet verplicht)"),
        description=_l("8 cijfers. Heeft uw club of groep geen KvK-nummer? Laat dit dan leeg."),
    )
    phone = StringField(
        _l("Telefoonnummer van de organisatie"),
        description=_l("De coördinator belt u misschien om kennis te maken."),
    )
    postcode = StringField(_l("Postcode van het bezoekadres (niet verplicht)"))
    house_number = StringField(_l("Huisnummer (niet verplicht)"))

    def validate_kvk_number(self, field):
        field.data = re.sub(r"[\s.]", "", field.data or "")
        if field.data and not KVK_NUMBER.match(field.data):
            raise ValidationError(_l("Een KvK-nummer heeft 8 cijfers, bijvoorbeeld 12345678."))

    def validate_phone(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("Vul een telefoonnummer in, bijvoorbeeld 0522 123 456."))
        field.data = national_phone(field.data)

    def validate_postcode(self, field):
        if field.data or self.house_number.data:
            check_postcode(field)

    def validate_house_number(self, field):
        if field.data or self.postcode.data:
            check_house_number(field)

    def details(self) -> OrganisationDetails:
        return OrganisationDetails(
            name=self.name.data,
            description=self.description.data or "",
            kvk_number=self.kvk_number.data or None,
            phone=self.phone.data or None,
            postcode=self.postcode.data or None,
            house_number=self.house_number.data or None,
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
    places = IntegerField(
        _l("Hoeveel vrijwilligers zoekt u? (niet verplicht)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=999, message=_l("Vul een aantal in van 1 tot 999.")),
        ],
    )
    start_date = FlexibleDateField(
        _l("Vanaf wanneer? (niet verplicht)"),
        validators=[Optional()],
        description=_l("Laat leeg als het meteen kan."),
    )
    requires_vog = BooleanField(
        _l("Voor dit werk is een VOG nodig"),
        description=_l(
            "Een Verklaring Omtrent het Gedrag. Vraag die aan voor de vrijwilliger die u aanneemt; "
            "voor vrijwilligerswerk is dat vaak gratis."
        ),
    )
    contact = RadioField(_l("Wie is de contactpersoon?"), validate_choice=False)
    postcode = StringField(_l("Postcode"))
    house_number = StringField(_l("Huisnummer"))

    def __init__(self, *args, organisations=(), editing=False, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.organisation.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
        self._organisations = {str(o.id): o for o in organisations}
        if len(self.organisation.choices) == 1 and not self.organisation.data:
            self.organisation.data = self.organisation.choices[0].value
        self.contact.choices = [SelectChoice(str(m.id), m.name) for m in members]
        self.contact.description = _l(
            "Vrijwilligers die u uitnodigt, zien de naam, het e-mailadres en het telefoonnummer "
            "van deze persoon. Reacties op de vacature gaan per e-mail naar deze persoon."
        )

    def validate_contact(self, field):
        # Not sent (an old form): the author stays, or becomes, the contact person.
        if field.data and field.data not in {c.value for c in self.contact.choices}:
            raise ValidationError(_l("Kies wie de contactpersoon is."))

    def validate_start_date(self, field):
        today = datetime.now(AMSTERDAM).date()
        if field.data and field.data < today and not self.editing:
            raise ValidationError(_l("Deze datum is al voorbij. Vul een datum in de toekomst in."))

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
            requires_vog=bool(self.requires_vog.data),
            places=self.places.data,
            start_date=self.start_date.data,
            contact_id=int(self.contact.data) if self.contact.data else None,
        )

    def fill_from(self, vacancy) -> None:
        """Put a stored vacancy back into the form, for editing (the place stays empty)."""
        for name in ("title", "description", "hours", "skills", "requires_vog", "places"):
            self[name].data = getattr(vacancy, name)
        self.start_date.data = vacancy.start_date
        self.contact.data = str(vacancy.contact_id) if vacancy.contact_id else None


class ResponseForm(CreatingForm, BaseForm):
    message = message_field(
        _l("Uw reactie"),
        _l("Schrijf kort waarom u wilt helpen."),
        _l(
            "De organisatie ziet uw voornaam en deze reactie. Nodigt de organisatie u uit voor "
            "een gesprek? Dan ziet zij ook uw e-mailadres en telefoonnummer."
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


class StageForm(BaseForm):
    """The next step with a volunteer who responded: a button per step, nothing to type."""

    STEPS = {stage.value: stage for stage in ResponseStage}

    stap = HiddenField()

    def validate_stap(self, field):
        if field.data not in self.STEPS:
            raise ValidationError(_l("Kies wat u wilt doen met deze reactie."))

    def stage(self) -> ResponseStage:
        return self.STEPS[self.stap.data]


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

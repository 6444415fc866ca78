"""The help request form: what, when, where, and for whom."""

from datetime import UTC, date, datetime, timedelta

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from voorelkaar.forms import (
    BaseForm,
    CreatingForm,
    FlexibleDateField,
    FlexibleTimeField,
    MunicipalPostcode,
    check_consent_date,
    check_house_number,
    check_postcode,
    street_field,
)
from voorelkaar.help_requests.services import RequestDetails
from voorelkaar.i18n import AMSTERDAM, WEEKDAYS
from voorelkaar.models import CIRCLE_DAY_CHOICES, CIRCLE_DAYS, PostedFor, ScheduleKind

MAX_SKILLS = 10

POSTED_FOR_LABELS = {
    PostedFor.SELF: _l("Voor mijzelf"),
    PostedFor.CARED_FOR: _l("Voor iemand voor wie ik zorg"),
    PostedFor.RESIDENT: _l("Voor een inwoner (namens het welzijnswerk of de gemeente)"),
}


VOG_NO, VOG_YES, VOG_VULNERABLE = "no", "yes", "vulnerable"


def vog_answer(*, vulnerable: bool, requires_vog: bool) -> str:
    """The answer to "Moet de vrijwilliger een VOG hebben?" that a request's two flags give."""
    if vulnerable:
        return VOG_VULNERABLE
    return VOG_YES if requires_vog else VOG_NO


def today() -> date:
    return datetime.now(AMSTERDAM).date()


ASK_CIRCLE = "netwerk"
ASK_WIJK = "wijk"


class RequestForm(CreatingForm, MunicipalPostcode, BaseForm):
    # Shown only to someone with people in their own circle (has_circle).
    ask_first = RadioField(
        _l("Wie vraagt u eerst?"),
        choices=[
            SelectChoice(
                ASK_CIRCLE,
                _l("Eerst mijn eigen netwerk: de mensen die zeiden dat ze hiermee kunnen helpen"),
            ),
            SelectChoice(ASK_WIJK, _l("Meteen vrijwilligers bij mij in de buurt")),
        ],
        default=ASK_CIRCLE,
        description=_l(
            "Kan niemand in uw netwerk helpen met deze soort hulp? Dan gaat uw vraag meteen "
            "naar vrijwilligers in de buurt."
        ),
        validate_choice=False,
    )
    wait_days = RadioField(
        _l("Hoe lang wacht u op uw netwerk?"),
        choices=[
            SelectChoice(str(days), _l("%(days)d dagen", days=days) if days > 1 else _l("1 dag"))
            for days in CIRCLE_DAY_CHOICES
        ],
        default=str(CIRCLE_DAYS),
        validate_choice=False,
    )
    posted_for = RadioField(
        _l("Voor wie is de hulp?"), default=PostedFor.SELF.value, validate_choice=False
    )
    for_first_name = StringField(
        _l("Voornaam van uw naaste"),
        validators=[Length(max=50, message=_l("Gebruik hoogstens 50 tekens."))],
        description=_l("Alleen de voornaam is te zien voor vrijwilligers."),
    )
    resident_name = StringField(
        _l("Naam van de inwoner"),
        validators=[Length(max=100, message=_l("Gebruik hoogstens 100 tekens."))],
    )
    resident_contact = StringField(
        _l("Telefoon of e-mail van de inwoner"),
        validators=[Length(max=254, message=_l("Gebruik hoogstens 254 tekens."))],
    )
    resident_shares_contact = BooleanField(
        _l("De inwoner vindt het goed dat de vrijwilliger naam en telefoonnummer ziet"),
        description=_l(
            "Pas als het doorgaat. Zonder vinkje ziet de vrijwilliger uw naam en telefoonnummer: het contact loopt dan via u."
        ),
    )
    consent_date = FlexibleDateField(
        _l("Datum waarop de inwoner toestemming gaf"),
        description=_l("Plaats alleen een hulpvraag als de inwoner dat goed vindt."),
    )
    category = SelectField(
        _l("Soort hulp"),
        validate_choice=False,
        validators=[InputRequired(_l("Kies een soort hulp."))],
    )
    title = StringField(
        _l("Korte titel"),
        validators=[
            InputRequired(_l("Geef uw hulpvraag een korte titel.")),
            Length(max=100, message=_l("Maak de titel korter: hoogstens 100 tekens.")),
        ],
        description=_l("Bijvoorbeeld: Boodschappen doen bij de Jumbo."),
    )
    description = TextAreaField(
        _l("Beschrijving"),
        validators=[
            InputRequired(_l("Vertel kort wat voor hulp u zoekt.")),
            Length(max=2000, message=_l("Maak de beschrijving korter: hoogstens 2000 tekens.")),
        ],
        description=_l(
            "Zet hier geen adres of telefoonnummer in. Dat delen we pas na een afspraak."
        ),
    )
    skills = StringField(
        _l("Wat moet de vrijwilliger kunnen? (niet verplicht)"),
        validators=[Length(max=300, message=_l("Gebruik hoogstens 300 tekens."))],
        description=_l(
            "Losse woorden met komma's ertussen, bijvoorbeeld: boodschappen, auto rijden."
        ),
    )
    schedule = RadioField(
        _l("Wanneer?"),
        choices=[
            SelectChoice(ScheduleKind.ONCE.value, _l("Eén keer, op een vaste dag")),
            SelectChoice(ScheduleKind.WEEKLY.value, _l("Elke week")),
        ],
        default=ScheduleKind.ONCE.value,
        validate_choice=False,
    )
    day = FlexibleDateField(_l("Datum"), description=_l("Bijvoorbeeld 1-12-2026."))
    weekday = SelectField(
        _l("Dag van de week"),
        choices=[SelectChoice(str(number), name) for number, name in enumerate(WEEKDAYS)],
        # No Optional(): it would stop validate_weekday, which needs a day for a weekly request.
        validate_choice=False,
    )
    until = FlexibleDateField(_l("Tot en met"))
    start_time = FlexibleTimeField(
        _l("Begintijd"),
        validators=[InputRequired(_l("Vul in hoe laat het begint, bijvoorbeeld 14:00."))],
    )
    end_time = FlexibleTimeField(
        _l("Eindtijd"),
        validators=[InputRequired(_l("Vul in hoe laat het klaar is, bijvoorbeeld 16:00."))],
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[InputRequired(_l("Vul de postcode in, bijvoorbeeld 7941 AB."))],
    )
    house_number = StringField(
        _l("Huisnummer"),
        validators=[InputRequired(_l("Vul het huisnummer in, bijvoorbeeld 12 of 12a."))],
    )
    street = street_field()
    volunteers_needed = IntegerField(
        _l("Hoeveel vrijwilligers zijn nodig?"),
        default=1,
        validators=[
            InputRequired(_l("Vul een aantal in, van 1 tot 10.")),
            NumberRange(min=1, max=10, message=_l("Vraag om 1 tot 10 vrijwilligers.")),
        ],
    )
    # One question for the two flags of a request: someone vulnerable always needs a VOG.
    vog = RadioField(
        _l("Moet de vrijwilliger een VOG hebben?"),
        choices=[
            SelectChoice(VOG_NO, _l("Nee, dat is niet nodig")),
            SelectChoice(VOG_YES, _l("Ja, een VOG is nodig")),
            SelectChoice(
                VOG_VULNERABLE,
                _l("Ja, want de hulp is voor iemand die kwetsbaar is (bijvoorbeeld met dementie)"),
            ),
        ],
        default=VOG_NO,
        validate_choice=False,
        description=_l(
            "Een VOG is een Verklaring Omtrent het Gedrag. Is een VOG nodig? Dan helpen alleen vrijwilligers die er een hebben."
        ),
    )

    def __init__(
        self,
        *args,
        categories=(),
        posted_for_options=(),
        resident=None,
        has_circle=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # The resident's record, when staff post from their person page (checked by the view).
        self.resident = resident
        self.has_circle = has_circle
        self.category.choices = [SelectChoice("", _l("Kies een soort hulp"))] + [
            SelectChoice(category.slug, category.name(str(get_locale()))) for category in categories
        ]
        self._category_ids = {category.slug: category.id for category in categories}
        self.posted_for.choices = [
            SelectChoice(option.value, POSTED_FOR_LABELS[option]) for option in posted_for_options
        ]

    def validate_category(self, field):
        if field.data not in self._category_ids:
            raise ValidationError(_l("Kies een soort hulp uit de lijst."))

    def validate_ask_first(self, field):
        if self.has_circle and field.data not in (ASK_CIRCLE, ASK_WIJK):
            raise ValidationError(_l("Kies wie u eerst vraagt."))

    def validate_wait_days(self, field):
        asked_first = self.has_circle and self.ask_first.data == ASK_CIRCLE
        if asked_first and field.data not in {str(days) for days in CIRCLE_DAY_CHOICES}:
            raise ValidationError(_l("Kies hoe lang u op uw netwerk wacht."))

    def validate_posted_for(self, field):
        if field.data not in {choice.value for choice in self.posted_for.choices}:
            raise ValidationError(_l("Kies voor wie de hulp is."))

    def validate_for_first_name(self, field):
        if self.posted_for.data == PostedFor.CARED_FOR.value and not field.data:
            raise ValidationError(_l("Vul de voornaam in van degene voor wie u zorgt."))

    def validate_resident_name(self, field):
        if self.posted_for.data == PostedFor.RESIDENT.value and not field.data:
            raise ValidationError(_l("Vul de naam van de inwoner in."))

    def validate_consent_date(self, field):
        if self.posted_for.data != PostedFor.RESIDENT.value:
            return
        check_consent_date(field)

    def validate_skills(self, field):
        if len(self.skill_list()) > MAX_SKILLS:
            raise ValidationError(_l("Noem hoogstens 10 dingen."))
        if any(len(skill) > 50 for skill in self.skill_list()):
            raise ValidationError(_l("Houd elk woord kort: hoogstens 50 tekens."))

    def validate_day(self, field):
        if self.schedule.data != ScheduleKind.ONCE.value:
            return
        if field.data is None:
            raise ValidationError(_l("Vul de datum in, bijvoorbeeld 1-12-2026."))
        if field.data < today():
            raise ValidationError(_l("Deze datum is al geweest. Kies vandaag of later."))
        if field.data > today() + timedelta(days=365):
            raise ValidationError(_l("Kies een datum binnen een jaar."))

    def validate_weekday(self, field):
        if self.schedule.data == ScheduleKind.WEEKLY.value and field.data not in {
            str(n) for n in range(7)
        }:
            raise ValidationError(_l("Kies een dag van de week."))

    def validate_until(self, field):
        if self.schedule.data != ScheduleKind.WEEKLY.value:
            return
        if field.data is None:
            raise ValidationError(_l("Vul in tot wanneer u hulp zoekt."))
        if field.data < today():
            raise ValidationError(_l("Deze datum is al geweest. Kies vandaag of later."))
        if field.data > today() + timedelta(days=366):
            raise ValidationError(_l("Kies een einddatum binnen een jaar."))

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("De eindtijd moet later zijn dan de begintijd."))

    def validate_vog(self, field):
        if field.data not in {VOG_NO, VOG_YES, VOG_VULNERABLE}:
            raise ValidationError(_l("Kies of de vrijwilliger een VOG moet hebben."))

    def validate_schedule(self, field):
        if field.data not in {ScheduleKind.ONCE.value, ScheduleKind.WEEKLY.value}:
            raise ValidationError(_l("Kies één keer of elke week."))

    def validate_postcode(self, field):
        self.check_municipal_postcode(field)

    def validate_house_number(self, field):
        check_house_number(field)

    def skill_list(self) -> list[str]:
        return [part.strip() for part in (self.skills.data or "").split(",") if part.strip()]

    def circle_days(self) -> int | None:
        """Days to ask the own network first; None: straight to volunteers in the wijk."""
        if not self.has_circle or self.ask_first.data != ASK_CIRCLE:
            return None
        if self.posted_for.data == PostedFor.RESIDENT.value:
            return None
        return int(self.wait_days.data)

    def details(self) -> RequestDetails:
        """The validated input as service input; times become UTC."""
        schedule = ScheduleKind(self.schedule.data)
        starts_at = ends_at = None
        if schedule == ScheduleKind.ONCE:
            starts_at = _utc(self.day.data, self.start_time.data)
            ends_at = _utc(self.day.data, self.end_time.data)
        return RequestDetails(
            category_id=self._category_ids[self.category.data],
            title=self.title.data,
            description=self.description.data,
            postcode=self.postcode.data,
            house_number=self.house_number.data,
            street=self.street.data,
            skills=self.skill_list(),
            schedule=schedule,
            starts_at=starts_at,
            ends_at=ends_at,
            weekday=int(self.weekday.data) if schedule == ScheduleKind.WEEKLY else None,
            start_time=self.start_time.data,
            end_time=self.end_time.data,
            until=self.until.data if schedule == ScheduleKind.WEEKLY else None,
            volunteers_needed=self.volunteers_needed.data,
            vulnerable=self.vog.data == VOG_VULNERABLE,
            requires_vog=self.vog.data in (VOG_YES, VOG_VULNERABLE),
            posted_for=PostedFor(self.posted_for.data),
            for_first_name=self.for_first_name.data or None,
            resident_name=self.resident_name.data or None,
            resident_contact=self.resident_contact.data or None,
            consent_date=self.consent_date.data,
            resident_id=self.resident.id if self.resident is not None else None,
            resident_shares_contact=bool(self.resident_shares_contact.data),
            circle_days=self.circle_days(),
        )

    def fill_for(self, resident) -> None:
        """Start a request for a resident's record: their name, phone and address."""
        self.posted_for.data = PostedFor.RESIDENT.value
        self.resident_name.data = resident.name
        self.resident_contact.data = resident.phone or resident.email or ""
        self.postcode.data = resident.postcode
        self.house_number.data = resident.house_number
        self.street.data = resident.street

    def fill_from(self, request) -> None:
        """Put a stored request back into the form, for editing."""
        self.posted_for.data = request.posted_for.value
        self.for_first_name.data = request.for_first_name
        self.resident_name.data = request.resident_name
        self.resident_contact.data = request.resident_contact
        self.consent_date.data = request.consent_date
        self.resident_shares_contact.data = request.resident_shares_contact
        self.category.data = request.category.slug
        self.title.data = request.title
        self.description.data = request.description
        self.skills.data = request.skills
        self.schedule.data = request.schedule.value
        if request.schedule == ScheduleKind.ONCE:
            start = request.starts_at.astimezone(AMSTERDAM)
            self.day.data = start.date()
            self.start_time.data = start.time()
            self.end_time.data = request.ends_at.astimezone(AMSTERDAM).time()
        else:
            self.weekday.data = str(request.weekday)
            self.until.data = request.until
            self.start_time.data = request.start_time
            self.end_time.data = request.end_time
        self.postcode.data = request.postcode
        self.house_number.data = request.house_number
        self.street.data = request.street
        self.volunteers_needed.data = request.volunteers_needed
        self.vog.data = vog_answer(vulnerable=request.vulnerable, requires_vog=request.requires_vog)


def _utc(day: date, moment) -> datetime:
    return datetime.combine(day, moment, AMSTERDAM).astimezone(UTC)


class BrowseForm(BaseForm):
    """The filters above the list; a GET form, so it needs no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Zoeken"),
        validators=[Optional(), Length(max=100, message=_l("Zoek met hoogstens 100 tekens."))],
    )
    categorie = SelectField(_l("Soort hulp"), validators=[Optional()], validate_choice=False)
    wijk = SelectField(_l("Wijk"), validators=[Optional()], validate_choice=False)
    postcode = StringField(_l("Vanaf postcode"), validators=[Optional()])
    afstand = SelectField(
        _l("Afstand"),
        choices=[
            SelectChoice("", _l("Elke afstand")),
            SelectChoice("2", _l("Binnen 2 km")),
            SelectChoice("5", _l("Binnen 5 km")),
            SelectChoice("10", _l("Binnen 10 km")),
            SelectChoice("25", _l("Binnen 25 km")),
        ],
        validators=[Optional()],
        validate_choice=False,
    )
    vanaf = FlexibleDateField(_l("Vanaf datum"))

    def __init__(self, *args, categories=(), neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.categorie.choices = [SelectChoice("", _l("Alle soorten"))] + [
            SelectChoice(c.slug, c.name(locale)) for c in categories
        ]
        self.wijk.choices = [SelectChoice("", _l("Alle wijken"))] + [
            SelectChoice(str(n.id), n.name) for n in neighbourhoods
        ]

    def validate_categorie(self, field):
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Kies een soort hulp uit de lijst."))

    def validate_wijk(self, field):
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Kies een wijk uit de lijst."))

    def validate_afstand(self, field):
        if field.data and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Kies een afstand uit de lijst."))

    def validate_postcode(self, field):
        if field.data:
            self.area = check_postcode(field)

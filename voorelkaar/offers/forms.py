"""The offer form, the reply to an offer, and the filters above the list."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired, ValidationError

from voorelkaar.forms import (
    BaseForm,
    CreatingForm,
    check_skills,
    message_field,
    skill_tags,
    text_field,
)
from voorelkaar.help_requests.forms import BrowseForm
from voorelkaar.offers.services import OfferDetails


class OfferForm(CreatingForm, BaseForm):
    category = SelectField(
        _l("Soort hulp"),
        validate_choice=False,
        validators=[InputRequired(_l("Kies een soort hulp."))],
    )
    title = text_field(
        _l("Korte titel"),
        _l("Geef uw aanbod een korte titel."),
        max_length=100,
        description=_l("Bijvoorbeeld: Ik wandel graag met ouderen in Haveltermade."),
    )
    description = text_field(
        _l("Beschrijving"),
        _l("Vertel kort wat u graag doet."),
        max_length=2000,
        multiline=True,
        description=_l("Zet hier geen adres of telefoonnummer in. Anderen zien alleen uw wijk."),
    )
    skills = text_field(
        _l("Wat kunt u goed? (niet verplicht)"),
        max_length=300,
        description=_l("Losse woorden met komma's ertussen, bijvoorbeeld: wandelen, auto rijden."),
    )
    when_text = text_field(
        _l("Wanneer kunt u? (niet verplicht)"),
        max_length=200,
        description=_l("Bijvoorbeeld: dinsdagmiddag, of in het weekend."),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.category.choices = [SelectChoice("", _l("Kies een soort hulp"))] + [
            SelectChoice(category.slug, category.name(locale)) for category in categories
        ]
        self._category_ids = {category.slug: category.id for category in categories}

    def validate_category(self, field):
        if field.data not in self._category_ids:
            raise ValidationError(_l("Kies een soort hulp uit de lijst."))

    def validate_skills(self, field):
        check_skills(field)

    def details(self) -> OfferDetails:
        return OfferDetails(
            category_id=self._category_ids[self.category.data],
            title=self.title.data,
            description=self.description.data,
            skills=skill_tags(self.skills.data),
            when_text=self.when_text.data or "",
        )

    def fill_from(self, offer) -> None:
        """Put a stored offer back into the form, for editing."""
        self.category.data = offer.category.slug
        for name in ("title", "description", "skills", "when_text"):
            self[name].data = getattr(offer, name)


class ReplyForm(CreatingForm, BaseForm):
    message = message_field(
        _l("Uw bericht aan de vrijwilliger"),
        _l("Schrijf een kort bericht, bijvoorbeeld waarmee u hulp zoekt."),
        _l(
            "De vrijwilliger ziet uw voornaam en dit bericht, niet uw adres, telefoonnummer of e-mailadres."
        ),
    )


class OfferBrowseForm(BrowseForm):
    """The help request filters without the date: an offer has no date."""

    vanaf = None

"""What the home page offers each role."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from voorelkaar.models import Role


@dataclass(frozen=True)
class Section:
    role: Role
    title: str
    text: str
    links: tuple[tuple[str, str], ...]  # (label, endpoint)


SECTIONS = (
    Section(
        Role.RESIDENT,
        _l("Hulp vragen"),
        _l("Vraag hulp bij een wandeling, boodschappen, vervoer, een klusje of gezelschap."),
        (
            (_l("Een hulpvraag plaatsen"), "help_requests.create"),
            (_l("Mijn hulpvragen"), "help_requests.mine"),
        ),
    ),
    Section(
        Role.VOLUNTEER,
        _l("Helpen als vrijwilliger"),
        _l("Zie wie er bij u in de buurt hulp zoekt, en zeg wanneer u kunt helpen."),
        (
            (_l("Hulpvragen bij mij in de buurt"), "volunteers.nearby"),
            (_l("Mijn inzet"), "matches.mine"),
            (_l("Mijn beschikbaarheid"), "volunteers.availability"),
            (_l("Hulpvragen bekijken"), "help_requests.browse"),
            (_l("Hulpaanbod plaatsen"), "offers.create"),
            (_l("Vacatures bekijken"), "organisations.vacancies"),
        ),
    ),
    Section(
        Role.CARER,
        _l("Voor mantelzorgers"),
        _l(
            "Vind iemand die met uw naaste gaat wandelen. En vertel ons af en toe hoe het met u gaat."
        ),
        (
            (_l("Hulp vragen voor mijn naaste"), "help_requests.create"),
            (_l("Hoe gaat het met u?"), "carers.overview"),
            (_l("Uw zorgsituatie"), "carers.situation"),
        ),
    ),
    Section(
        Role.ORGANISATION,
        _l("Voor organisaties"),
        _l("Zet vacatures voor vrijwilligers online en bekijk wie reageert."),
        (
            (_l("Mijn organisatie"), "organisations.dashboard"),
            (_l("Vacature plaatsen"), "organisations.create_vacancy"),
        ),
    ),
    Section(
        Role.STAFF,
        _l("Coördinatie"),
        _l("Beoordeel nieuwe berichten, koppel met de hand en volg signalen op."),
        (
            (_l("Takenlijst"), "tasks.queue"),
            (_l("Te beoordelen"), "moderation.queue"),
            (_l("Logboek"), "moderation.audit"),
            (_l("Meldingen van misbruik"), "reports.queue"),
            (_l("Gebruikers zoeken en blokkeren"), "moderation.users"),
            (_l("Organisaties controleren"), "organisations.verification"),
            (_l("Een hulpvraag plaatsen voor een inwoner"), "help_requests.create"),
            (_l("Verwijzingen van Wmo-consulenten"), "referrals.index"),
            (_l("Cijfers per wijk"), "figures.index"),
        ),
    ),
    Section(
        Role.CONSULTANT,
        _l("Voor Wmo-consulenten"),
        _l("Verwijs inwoners naar burenhulp en zie wat ervan komt."),
        (
            (_l("Een inwoner verwijzen"), "referrals.create"),
            (_l("Mijn verwijzingen"), "referrals.index"),
            (_l("Een hulpvraag plaatsen voor een inwoner"), "help_requests.create"),
        ),
    ),
    Section(
        Role.ADMIN,
        _l("Beheer"),
        _l("Beheer gebruikers, rollen, categorieën en instellingen."),
        (
            (_l("Categorieën"), "admin.categories"),
            (_l("Instellingen"), "admin.settings"),
            (_l("Gebruikers en rollen"), "moderation.users"),
        ),
    ),
)


def sections_for(roles: frozenset[Role]) -> list[Section]:
    """The home page sections for someone holding roles, in a fixed order."""
    return [section for section in SECTIONS if section.role in roles]

"""What the home page offers each role."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from voorelkaar.models import Role


class Link(NamedTuple):
    label: str
    endpoint: str
    args: Mapping[str, str] = MappingProxyType({})  # query string: url_for(endpoint, **args)


@dataclass(frozen=True)
class Section:
    role: Role
    title: str
    text: str
    links: tuple[Link, ...]


SECTIONS = (
    Section(
        Role.RESIDENT,
        _l("Hulp vragen"),
        _l("Vraag hulp bij een wandeling, boodschappen, vervoer, een klusje of gezelschap."),
        (
            Link(_l("Een hulpvraag plaatsen"), "help_requests.create"),
            Link(_l("Mijn hulpvragen"), "help_requests.mine"),
        ),
    ),
    Section(
        Role.VOLUNTEER,
        _l("Helpen als vrijwilliger"),
        _l("Zie wie er bij u in de buurt hulp zoekt, en zeg wanneer u kunt helpen."),
        (
            Link(_l("Hulpvragen bij mij in de buurt"), "volunteers.nearby"),
            Link(_l("Mijn inzet"), "matches.mine"),
            Link(_l("Mijn beschikbaarheid"), "volunteers.availability"),
            Link(_l("Hulpvragen bekijken"), "help_requests.browse"),
            Link(_l("Hulpaanbod plaatsen"), "offers.create"),
            Link(_l("Vacatures bekijken"), "organisations.vacancies"),
        ),
    ),
    Section(
        Role.CARER,
        _l("Voor mantelzorgers"),
        _l(
            "Vind iemand die met uw naaste gaat wandelen. En vertel ons af en toe hoe het met u gaat."
        ),
        (
            Link(_l("Hulp vragen voor mijn naaste"), "help_requests.create", {"voor": "naaste"}),
            Link(_l("Hoe gaat het met u?"), "carers.overview"),
            Link(_l("Uw zorgsituatie"), "carers.situation"),
        ),
    ),
    Section(
        Role.ORGANISATION,
        _l("Voor organisaties"),
        _l("Zet vacatures voor vrijwilligers online en bekijk wie reageert."),
        (
            Link(_l("Mijn organisatie"), "organisations.dashboard"),
            Link(_l("Vacature plaatsen"), "organisations.create_vacancy"),
        ),
    ),
    Section(
        Role.STAFF,
        _l("Coördinatie"),
        _l("Beoordeel nieuwe berichten, koppel met de hand en volg signalen op."),
        (
            Link(_l("Vandaag: wat wacht er op mij?"), "today.index"),
            Link(_l("Takenlijst"), "tasks.queue"),
            Link(_l("Telefoontje aannemen: iemand aanmelden"), "intake.new"),
            Link(_l("Te beoordelen"), "moderation.queue"),
            Link(_l("Logboek"), "moderation.audit"),
            Link(_l("Meldingen van misbruik"), "reports.queue"),
            Link(_l("Gebruikers zoeken en blokkeren"), "moderation.users"),
            Link(_l("Organisaties controleren"), "organisations.verification"),
            Link(_l("Een hulpvraag plaatsen voor een inwoner"), "help_requests.create"),
            Link(_l("Verwijzingen van Wmo-consulenten"), "referrals.index"),
            Link(_l("Cijfers per wijk"), "figures.index"),
        ),
    ),
    Section(
        Role.CONSULTANT,
        _l("Voor Wmo-consulenten"),
        _l("Verwijs inwoners naar burenhulp en zie wat ervan komt."),
        (
            Link(_l("Een inwoner verwijzen"), "referrals.create"),
            Link(_l("Mijn verwijzingen"), "referrals.index"),
            Link(_l("Een hulpvraag plaatsen voor een inwoner"), "help_requests.create"),
        ),
    ),
    Section(
        Role.POLICY,
        _l("Voor beleidsmedewerkers"),
        _l("Zie hoeveel mensen geholpen worden, per wijk en per maand."),
        (Link(_l("Cijfers per wijk"), "figures.index"),),
    ),
    Section(
        Role.ADMIN,
        _l("Beheer"),
        _l("Beheer gebruikers, rollen, categorieën en instellingen."),
        (
            Link(_l("Categorieën"), "admin.categories"),
            Link(_l("Instellingen"), "admin.settings"),
            Link(_l("Gebruikers en rollen"), "moderation.users"),
            Link(_l("API-sleutels voor koppelingen"), "api_tokens.index"),
            Link(_l("Beveiligingslog"), "admin.security_log"),
        ),
    ),
)


def sections_for(roles: frozenset[Role]) -> list[Section]:
    """The home page sections for someone holding roles, in a fixed order."""
    return [section for section in SECTIONS if section.role in roles]

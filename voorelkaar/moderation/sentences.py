"""The audit log in words: every action code that is recorded anywhere, as a Dutch sentence.

One registry (SENTENCES) maps each code to a sentence and the kind of work it belongs to
(for the "Wat" filter). A code nobody gave a sentence yet still reads safely (FALLBACK);
tests/integration/test_moderation_audit.py fails when the code records one without.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.db import Base
from voorelkaar.models import AuditEvent, User
from voorelkaar.tenancy import served_ids

POST_TABLES = ("help_requests", "offers", "vacancies")


@dataclass(frozen=True)
class Sentence:
    # %(actor)s, %(subject)s and %(person)s are filled in with (linked) names;
    # %(reason)s with what was typed, when the sentence itself says it.
    text: LazyString
    kind: str
    says_reason: bool = False


# The kinds of work, for the "Wat" filter, in the order shown.
KINDS: dict[str, LazyString] = {
    "beoordelen": _l("Berichten plaatsen en beoordelen"),
    "melden": _l("Meldingen, verbergen en blokkeren"),
    "hulp": _l("Hulpvragen en afspraken"),
    "gegevens-bekeken": _l("Gegevens bekeken"),
    "gegevens-gewijzigd": _l("Gegevens van mensen gewijzigd of vastgelegd"),
    "verwijzingen": _l("Verwijzingen"),
    "taken": _l("Taken"),
    "exporten": _l("Lijsten gedownload"),
    "accounts": _l("Accounts, rollen en organisaties"),
    "instellingen": _l("Instellingen van de gemeente"),
    "beveiliging": _l("Inloggen en beveiliging"),
}

FALLBACK = Sentence(_l("%(actor)s deed iets met %(subject)s (%(action)s)"), "")

_POSTS = {
    "submitted": (_l("%(actor)s stuurde %(subject)s in ter controle"), "beoordelen"),
    "published": (_l("%(actor)s zette %(subject)s online"), "beoordelen"),
    "approved": (_l("%(actor)s keurde %(subject)s goed"), "beoordelen"),
    "rejected": (_l("%(actor)s wees %(subject)s af"), "beoordelen"),
    "edited": (_l("%(actor)s wijzigde %(subject)s"), "beoordelen"),
    "hidden": (_l("%(actor)s verborg %(subject)s na een melding"), "melden"),
}

SENTENCES: dict[str, Sentence] = {
    **{
        f"{table}.{verb}": Sentence(text, kind)
        for table in POST_TABLES
        for verb, (text, kind) in _POSTS.items()
    },
    "help_requests.cancelled": Sentence(_l("%(actor)s trok %(subject)s in"), "hulp"),
    "help_requests.expired": Sentence(_l("%(actor)s zette %(subject)s op verlopen"), "hulp"),
    "help_requests.still_needed": Sentence(
        _l("%(actor)s liet weten dat %(subject)s nog nodig is"), "hulp"
    ),
    "offers.closed": Sentence(_l("%(actor)s sloot %(subject)s"), "hulp"),
    "vacancies.closed": Sentence(_l("%(actor)s sloot %(subject)s"), "hulp"),
    "vacancy_responses.talking": Sentence(
        _l("%(actor)s nodigde %(subject)s uit voor een gesprek"), "hulp"
    ),
    "vacancy_responses.accepted": Sentence(_l("%(actor)s nam %(subject)s aan"), "hulp"),
    "vacancy_responses.declined": Sentence(_l("%(actor)s wees %(subject)s af"), "hulp"),
    # Matches: the subject reads as the request the help is for.
    "matches.offered": Sentence(_l("%(actor)s bood hulp aan bij %(subject)s"), "hulp"),
    "matches.invited": Sentence(
        _l("%(actor)s vroeg een vrijwilliger om te helpen bij %(subject)s"), "hulp"
    ),
    "matches.accepted": Sentence(
        _l("%(actor)s zei ja op de vraag om te helpen bij %(subject)s"), "hulp"
    ),
    "matches.declined": Sentence(
        _l("%(actor)s zei nee op de vraag om te helpen bij %(subject)s"), "hulp"
    ),
    "matches.confirmed": Sentence(_l("%(actor)s bevestigde de hulp bij %(subject)s"), "hulp"),
    "matches.refused": Sentence(_l("%(actor)s sloeg een aanbod af bij %(subject)s"), "hulp"),
    "matches.cancelled": Sentence(_l("%(actor)s zegde de hulp af bij %(subject)s"), "hulp"),
    "matches.done": Sentence(_l("%(actor)s meldde de hulp bij %(subject)s als gedaan"), "hulp"),
    "matches.reopened": Sentence(_l("%(actor)s zette de hulp bij %(subject)s weer open"), "hulp"),
    "matches.offer_reminded": Sentence(
        _l("%(actor)s stuurde een herinnering over een aanbod bij %(subject)s"), "hulp"
    ),
    "matches.offer_unanswered": Sentence(
        _l("%(actor)s zag dat een aanbod bij %(subject)s geen antwoord kreeg"), "hulp"
    ),
    "matches.followup.ja": Sentence(
        _l("%(actor)s antwoordde dat de hulp bij %(subject)s is gelukt"), "hulp"
    ),
    "matches.followup.nee": Sentence(
        _l("%(actor)s antwoordde dat de hulp bij %(subject)s niet is gelukt"), "hulp"
    ),
    "reports.handled": Sentence(_l("%(actor)s handelde %(subject)s af"), "melden"),
    "users.blocked": Sentence(_l("%(actor)s blokkeerde het account van %(subject)s"), "melden"),
    "users.unblocked": Sentence(
        _l("%(actor)s hief de blokkade van het account van %(subject)s op"), "melden"
    ),
    # Looking at someone's data.
    "records.viewed": Sentence(
        _l("%(actor)s bekeek de gegevens van %(subject)s"), "gegevens-bekeken"
    ),
    "people.viewed": Sentence(
        _l("%(actor)s bekeek de gegevens van %(subject)s"), "gegevens-bekeken"
    ),
    "users.viewed": Sentence(
        _l("%(actor)s bekeek de accountgegevens van %(subject)s"), "gegevens-bekeken"
    ),
    "referrals.viewed": Sentence(_l("%(actor)s bekeek %(subject)s"), "gegevens-bekeken"),
    # Changing or recording someone's data.
    "people.contact_edited": Sentence(
        _l("%(actor)s wijzigde de contactgegevens van %(subject)s (%(reason)s)"),
        "gegevens-gewijzigd",
        says_reason=True,
    ),
    "people.record_made": Sentence(
        _l("%(actor)s maakte een dossier aan voor %(subject)s"), "gegevens-gewijzigd"
    ),
    "users.taken_in_by_phone": Sentence(
        _l("%(actor)s schreef %(subject)s telefonisch in"), "gegevens-gewijzigd"
    ),
    "contact_notes.added": Sentence(
        _l("%(actor)s schreef een contactnotitie over %(person)s"), "gegevens-gewijzigd"
    ),
    "users.vog_recorded": Sentence(
        _l("%(actor)s legde de VOG van %(subject)s vast"), "gegevens-gewijzigd"
    ),
    "users.vog_removed": Sentence(
        _l("%(actor)s haalde de VOG van %(subject)s weg"), "gegevens-gewijzigd"
    ),
    # Referrals.
    "referrals.created": Sentence(_l("%(actor)s maakte %(subject)s"), "verwijzingen"),
    "referrals.edited": Sentence(_l("%(actor)s wijzigde %(subject)s"), "verwijzingen"),
    "referrals.resent": Sentence(
        _l("%(actor)s stuurde de uitnodiging van %(subject)s opnieuw"), "verwijzingen"
    ),
    "referrals.withdrawn": Sentence(
        _l("%(actor)s trok %(subject)s in: de toestemming is ingetrokken"), "verwijzingen"
    ),
    "referrals.posted_for_resident": Sentence(
        _l("%(actor)s plaatste een hulpvraag bij %(subject)s"), "verwijzingen"
    ),
    # Tasks.
    "staff_tasks.made": Sentence(_l("%(actor)s maakte %(subject)s"), "taken"),
    "staff_tasks.claimed": Sentence(_l("%(actor)s pakte %(subject)s op"), "taken"),
    "staff_tasks.released": Sentence(_l("%(actor)s liet %(subject)s los"), "taken"),
    "staff_tasks.follow_up": Sentence(
        _l("%(actor)s zette een datum om op te volgen bij %(subject)s"), "taken"
    ),
    "staff_tasks.handed_over": Sentence(
        _l("%(actor)s droeg %(subject)s over aan een collega"), "taken"
    ),
    "staff_tasks.closed": Sentence(_l("%(actor)s sloot %(subject)s"), "taken"),
    "worklists.exported": Sentence(
        _l("%(actor)s downloadde een lijst als CSV-bestand"), "exporten"
    ),
    # Accounts, roles and organisations.
    "users.roles_changed": Sentence(_l("%(actor)s wijzigde de rollen van %(subject)s"), "accounts"),
    "users.municipalities_changed": Sentence(
        _l("%(actor)s wijzigde voor welke gemeenten %(subject)s werkt"), "accounts"
    ),
    "users.role_added": Sentence(_l("%(actor)s gaf %(subject)s er een rol bij"), "accounts"),
    "users.role_stopped": Sentence(_l("%(actor)s stopte een rol van %(subject)s"), "accounts"),
    "organisations.registered": Sentence(
        _l("%(actor)s meldde %(subject)s aan als organisatie"), "accounts"
    ),
    "organisations.verified": Sentence(_l("%(actor)s keurde %(subject)s goed"), "accounts"),
    "organisations.unverified": Sentence(
        _l("%(actor)s trok de goedkeuring van %(subject)s in"), "accounts"
    ),
    "organisations.rejected": Sentence(
        _l("%(actor)s wees de aanmelding van %(subject)s af"), "accounts"
    ),
    "api.token_issued": Sentence(_l("%(actor)s maakte een API-sleutel"), "accounts"),
    "api.token_revoked": Sentence(_l("%(actor)s trok een API-sleutel in"), "accounts"),
    # The municipality's settings.
    "municipalities.settings_changed": Sentence(
        _l("%(actor)s wijzigde de instellingen van %(subject)s"), "instellingen"
    ),
    "municipalities.moderation_on": Sentence(
        _l("%(actor)s zette de controle van nieuwe berichten aan voor %(subject)s"),
        "instellingen",
    ),
    "municipalities.moderation_off": Sentence(
        _l("%(actor)s zette de controle van nieuwe berichten uit voor %(subject)s"),
        "instellingen",
    ),
    "municipalities.logo_changed": Sentence(
        _l("%(actor)s zette een nieuw logo bij %(subject)s"), "instellingen"
    ),
    "municipalities.logo_removed": Sentence(
        _l("%(actor)s haalde het logo van %(subject)s weg"), "instellingen"
    ),
    "municipalities.categories_changed": Sentence(
        _l("%(actor)s wijzigde de soorten hulp van %(subject)s"), "instellingen"
    ),
    "municipalities.wijk_added": Sentence(_l("%(actor)s voegde %(subject)s toe"), "instellingen"),
    "municipalities.wijk_changed": Sentence(_l("%(actor)s wijzigde %(subject)s"), "instellingen"),
    "municipalities.wijk_deleted": Sentence(_l("%(actor)s haalde een wijk weg"), "instellingen"),
    "municipalities.wijken_imported": Sentence(
        _l("%(actor)s las wijken in voor %(subject)s"), "instellingen"
    ),
    "categories.added": Sentence(_l("%(actor)s voegde %(subject)s toe"), "instellingen"),
    "categories.changed": Sentence(_l("%(actor)s wijzigde %(subject)s"), "instellingen"),
    # Getting in (the security log; admins read these there).
    "login.ok": Sentence(_l("%(actor)s logde in"), "beveiliging"),
    "login.failed": Sentence(_l("Inloggen als %(person)s lukte niet"), "beveiliging"),
    "login.guarded": Sentence(
        _l("Inloggen als %(person)s is even gestopt na te veel pogingen"), "beveiliging"
    ),
    "logout": Sentence(_l("%(actor)s logde uit"), "beveiliging"),
    "password.changed": Sentence(_l("%(actor)s wijzigde het wachtwoord"), "beveiliging"),
    "password.reset_asked": Sentence(
        _l("Er werd een nieuw wachtwoord gevraagd voor %(person)s"), "beveiliging"
    ),
    "password.reset": Sentence(
        _l("%(actor)s koos een nieuw wachtwoord met de link uit de e-mail"), "beveiliging"
    ),
    "access.denied": Sentence(_l("%(actor)s mocht een pagina niet openen"), "beveiliging"),
    "api.refused": Sentence(_l("Een verzoek aan de API werd geweigerd"), "beveiliging"),
    "second_factor.failed": Sentence(
        _l("%(actor)s vulde een verkeerde code van de tweede stap in"), "beveiliging"
    ),
    "second_factor.on": Sentence(_l("%(actor)s zette de tweede stap aan"), "beveiliging"),
    "second_factor.off": Sentence(_l("%(actor)s zette de tweede stap uit"), "beveiliging"),
    "second_factor.new_codes": Sentence(_l("%(actor)s maakte nieuwe herstelcodes"), "beveiliging"),
    # The own network: who is in it is the resident's; the log names the resident only.
    "network.added": Sentence(_l("%(actor)s voegde %(subject)s toe"), "gegevens-gewijzigd"),
    "network.changed": Sentence(_l("%(actor)s wijzigde %(subject)s"), "gegevens-gewijzigd"),
    "network.removed": Sentence(_l("%(actor)s haalde %(subject)s weg"), "gegevens-gewijzigd"),
    "network.invited": Sentence(_l("%(actor)s nodigde %(subject)s uit"), "gegevens-gewijzigd"),
    "network.joined": Sentence(_l("%(actor)s deed mee als %(subject)s"), "gegevens-gewijzigd"),
    "network.left": Sentence(
        _l("%(actor)s stapte uit het netwerk (%(subject)s)"), "gegevens-gewijzigd"
    ),
    "network.unlinked": Sentence(
        _l("%(actor)s stuurt geen vragen meer aan %(subject)s"), "gegevens-gewijzigd"
    ),
    "network.checked": Sentence(_l("%(actor)s deed %(subject)s"), "gegevens-gewijzigd"),
    "network.asked": Sentence(
        _l("%(actor)s vroeg %(subject)s eerst aan het eigen netwerk"), "hulp"
    ),
    "network.said_no": Sentence(
        _l("%(actor)s kon niet helpen bij %(subject)s (eigen netwerk)"), "hulp"
    ),
    "network.no_answer": Sentence(
        _l(
            "Niemand uit het eigen netwerk zei ja op %(subject)s: %(actor)s vroeg of hij naar de wijk mag"
        ),
        "hulp",
    ),
    "network.released": Sentence(
        _l("%(actor)s stuurde %(subject)s door naar vrijwilligers in de wijk"), "hulp"
    ),
    "network.viewed": Sentence(
        _l("%(actor)s bekeek het eigen netwerk van %(subject)s (%(reason)s)"),
        "gegevens-bekeken",
        says_reason=True,
    ),
}


def sentence_for(action: str) -> Sentence:
    """The sentence of an action code; an unknown code reads safely, with its code."""
    return SENTENCES.get(action, FALLBACK)


def actions_of_kind(kind: str) -> list[str]:
    """Every action code of one kind of work (for the "Wat" filter)."""
    return sorted(code for code, sentence in SENTENCES.items() if sentence.kind == kind)


# ---------- Filling the sentences in, with links ----------


@dataclass(frozen=True)
class AuditLine:
    """One event of the log as the viewer reads it."""

    event: AuditEvent
    sentence: Markup
    reason: str | None  # what was typed with it, unless the sentence says it already


def _link(url: str | None, text: str) -> Markup:
    # Markup.format escapes every argument that is not Markup itself: names and titles
    # people typed arrive here as plain text (test_moderation_audit checks "<b>Tuin</b>").
    if url is None:
        return Markup.escape(text)
    return Markup('<a href="{}">{}</a>').format(url, text)


def _quoted(noun: str, title: str, url: str | None) -> Markup:
    return Markup("{} ‘{}’").format(noun, _link(url, title))


class _Names:
    """The rows a page of events is about, loaded with one query per table, and how each
    reads for this viewer: a name and a link only of what the viewer may see anyway."""

    def __init__(self, db: Session, viewer: User, events: list[AuditEvent]):
        self.db, self.viewer = db, viewer
        self.served = served_ids(db, viewer)
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in events:
            if event.subject_type and event.subject_id is not None:
                wanted[event.subject_type].add(event.subject_id)
            for user_id in (event.actor_id, event.person_id):
                if user_id is not None:
                    wanted["users"].add(user_id)
        tables = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}
        self.rows: dict[tuple[str, int], object] = {}
        for table, ids in wanted.items():
            model = tables.get(table)
            if model is None:
                continue
            for row in db.scalars(select(model).where(model.id.in_(ids))).unique():
                self.rows[(table, row.id)] = row

    def _sees(self, municipality_id: int | None) -> bool:
        return municipality_id in self.served

    def person(self, user_id: int | None, *, actor_id: int | None = None) -> Markup:
        if user_id is None:
            return Markup.escape(_("iemand"))
        if actor_id is not None and user_id == actor_id:
            return Markup.escape(_("zichzelf"))
        user = self.rows.get(("users", user_id)) or self.db.get(User, user_id)
        if user is None or user.anonymised_at is not None:
            return Markup.escape(_("account %(number)s", number=user_id))
        if not self._sees(user.municipality_id):
            return Markup.escape(_("iemand van een andere gemeente"))
        return _link(url_for("people.person", user_id=user.id), user.name)

    def actor(self, event: AuditEvent) -> Markup:
        if event.actor_id is None:
            return Markup.escape(_("Het systeem"))
        user = self.rows.get(("users", event.actor_id))
        if user is None or user.anonymised_at is not None:
            return Markup.escape(_("Account %(number)s", number=event.actor_id))
        if not self._sees(user.municipality_id):
            return Markup.escape(_("Iemand van een andere gemeente"))
        return _link(url_for("people.person", user_id=user.id), user.name)

    def subject(self, event: AuditEvent) -> Markup:
        table, number = event.subject_type, event.subject_id
        if table is None:
            return self.person(event.person_id)
        if table == "users":
            return self.person(number, actor_id=event.actor_id if _self_sayable(event) else None)
        row = self.rows.get((table, number))
        describe = _SUBJECTS.get(table)
        if row is None or describe is None:
            return Markup.escape(_gone(table))
        return describe(self, row)


def _self_sayable(event: AuditEvent) -> bool:
    """ "X gave zichzelf a role" reads well; "X viewed zichzelf" too."""
    return event.actor_id is not None and event.actor_id == event.subject_id


def _gone(table: str) -> str:
    return str(_GONE.get(table, _l("iets dat niet meer bestaat")))


_GONE = {
    "help_requests": _l("een hulpvraag die niet meer bestaat"),
    "offers": _l("een aanbod dat niet meer bestaat"),
    "vacancies": _l("een vacature die niet meer bestaat"),
    "vacancy_responses": _l("een reactie die niet meer bestaat"),
    "referrals": _l("een verwijzing die niet meer bestaat"),
    "staff_tasks": _l("een taak die niet meer bestaat"),
    "matches": _l("een afspraak die niet meer bestaat"),
    "neighbourhoods": _l("een wijk die niet meer bestaat"),
    "network_members": _l("iemand die niet meer in een netwerk staat"),
    "network_checks": _l("een netwerkcheck die niet meer bestaat"),
}


def _post(noun: LazyString, endpoint: str, arg: str):
    def describe(names: _Names, post) -> Markup:
        if not names._sees(post.municipality_id):
            return Markup.escape(_("%(noun)s van een andere gemeente", noun=noun))
        return _quoted(str(noun), post.title, url_for(endpoint, **{arg: post.id}))

    return describe


def _match(names: _Names, match) -> Markup:
    return _post(_l("de hulpvraag"), "help_requests.detail", "request_id")(names, match.request)


def _referral(names: _Names, referral) -> Markup:
    if not names._sees(referral.municipality_id):
        return Markup.escape(_("een verwijzing van een andere gemeente"))
    url = url_for("referrals.detail", referral_id=referral.id)
    if referral.withdrawn_at is not None or not referral.resident_name:
        return _link(url, _("verwijzing %(number)s", number=referral.id))
    return Markup("{} {}").format(_("de verwijzing van"), _link(url, referral.resident_name))


def _task(names: _Names, task) -> Markup:
    if not names._sees(task.municipality_id):
        return Markup.escape(_("een taak van een andere gemeente"))
    text = _link(url_for("tasks.detail", task_id=task.id), _("taak %(number)s", number=task.id))
    if task.person_id is None:
        return text
    return Markup("{} {} {}").format(text, _("over"), names.person(task.person_id))


def _vacancy_response(names: _Names, response) -> Markup:
    vacancy = _post(_l("de vacature"), "organisations.vacancy", "vacancy_id")(
        names, response.vacancy
    )
    return Markup("{} {}").format(
        _("de vrijwilliger %(name)s voor", name=response.volunteer.short_name), vacancy
    )


def _report(names: _Names, report) -> Markup:
    return _link(url_for("reports.handle", report_id=report.id), _("een melding"))


def _named(noun: LazyString, attribute: str = "name"):
    def describe(_names: _Names, row) -> Markup:
        return Markup("{} {}").format(noun, getattr(row, attribute))

    return describe


def _category(_names: _Names, category) -> Markup:
    return Markup("{} ‘{}’").format(_("de soort hulp"), category.name(str(get_locale())))


def _network_member(names: _Names, member) -> Markup:
    # Never the member's name: only whose network it is.
    return Markup("{} {}").format(_("iemand in het netwerk van"), names.person(member.owner_id))


def _network_check(names: _Names, check) -> Markup:
    return Markup("{} {}").format(_("de netwerkcheck van"), names.person(check.owner_id))


def _contact_note(names: _Names, note) -> Markup:
    return Markup("{} {}").format(_("een notitie over"), names.person(note.person_id))


_SUBJECTS = {
    "help_requests": _post(_l("de hulpvraag"), "help_requests.detail", "request_id"),
    "offers": _post(_l("het aanbod"), "offers.detail", "offer_id"),
    "vacancies": _post(_l("de vacature"), "organisations.vacancy", "vacancy_id"),
    "matches": _match,
    "vacancy_responses": _vacancy_response,
    "referrals": _referral,
    "staff_tasks": _task,
    "reports": _report,
    "organisations": _named(_l("de organisatie")),
    "municipalities": _named(_l("de gemeente")),
    "neighbourhoods": _named(_l("de wijk")),
    "categories": _category,
    "contact_notes": _contact_note,
    "network_members": _network_member,
    "network_checks": _network_check,
}


def _reason_words(event: AuditEvent) -> str:
    reason = event.reason or ""
    return reason.removeprefix("gewijzigd: ")


def describe(db: Session, viewer: User, events: list[AuditEvent]) -> list[AuditLine]:
    """Each event as a Dutch sentence with links, for viewer."""
    names = _Names(db, viewer, events)
    lines = []
    for event in events:
        sentence = sentence_for(event.action)
        values = {
            "actor": names.actor(event),
            "subject": names.subject(event),
            "person": names.person(event.person_id),
            "reason": _reason_words(event),
            "action": event.action,
        }
        # Our own (translated) words; every value is escaped or already safe Markup.
        text = Markup(str(sentence.text)) % values  # noqa: S704
        lines.append(AuditLine(event, text, None if sentence.says_reason else event.reason))
    return lines

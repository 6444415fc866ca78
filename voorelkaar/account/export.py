"""Everything the site keeps about one person, as JSON they can download.

Every table with a column that points to users is listed in SECTIONS, with the columns
it covers; tests/integration/test_own_data.py fails when a new table or column that
points to users is missing here. Other people appear by first name only, and work that
staff did on other people's records is listed without those people's details.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from voorelkaar.db import utcnow
from voorelkaar.models import (
    ApiToken,
    AuditEvent,
    CarerProfile,
    Checkin,
    ContactNote,
    FormToken,
    HelpRequest,
    KeptForm,
    Match,
    MatchMessage,
    MunicipalityStaff,
    NetworkCheck,
    NetworkMember,
    Notice,
    Offer,
    OfferReply,
    Organisation,
    OrganisationMember,
    OutboxMessage,
    RecoveryCode,
    Referral,
    Report,
    StaffTask,
    User,
    UserRole,
    UserSession,
    Vacancy,
    VacancyResponse,
    VolunteerSlot,
)
from voorelkaar.tasks.services import detail_text

Row = dict[str, object]


def _value(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(item, *, only: tuple[str, ...] | None = None, without: tuple[str, ...] = ()) -> Row:
    """The columns of a model row, ready for JSON."""
    names = only or tuple(column.key for column in item.__mapper__.column_attrs)
    return {name: _value(getattr(item, name)) for name in names if name not in without}


def _first_name(user: User | None) -> str | None:
    return user.first_name if user is not None else None


@dataclass(frozen=True)
class Section:
    table: str
    explanation: str
    covers: tuple[str, ...]  # the columns pointing to users whose rows are listed here
    rows: Callable[[Session, User], list[Row]]


def _users(db, user):
    # The app's secret and its last step would let a reader make codes: they stay out.
    return [_row(user, without=("password_hash", "lat_band", "totp_secret", "totp_last_step"))]


def _roles(db, user):
    return [_row(r) for r in db.scalars(select(UserRole).where(UserRole.user_id == user.id))]


def _sessions(db, user):
    found = db.scalars(select(UserSession).where(UserSession.user_id == user.id))
    return [_row(s, without=("token_hash",)) for s in found]


def _recovery_codes(db, user):
    # When each was made and used; the code itself is not kept, and its hash stays out.
    found = db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id))
    return [_row(c, without=("code_hash",)) for c in found]


def _municipalities(db, user):
    found = db.scalars(select(MunicipalityStaff).where(MunicipalityStaff.user_id == user.id))
    return [_row(m) for m in found]


def _slots(db, user):
    found = db.scalars(select(VolunteerSlot).where(VolunteerSlot.user_id == user.id))
    return [_row(s) for s in found]


def _help_requests(db, user):
    found = db.scalars(
        select(HelpRequest).where(
            or_(HelpRequest.author_id == user.id, HelpRequest.resident_id == user.id)
        )
    )
    # Who staff posted for is that resident's data, not the author's.
    return [
        _row(r)
        if r.resident_id == user.id
        else _row(r, without=("resident_name", "resident_contact"))
        for r in found
    ]


def _matches(db, user):
    own_requests = select(HelpRequest.id).where(HelpRequest.author_id == user.id)
    found = db.scalars(
        select(Match).where(
            or_(
                Match.volunteer_id == user.id,
                Match.request_id.in_(own_requests),
                Match.invited_by_id == user.id,
            )
        )
    )
    rows = []
    for match in found:
        if match.volunteer_id != user.id and match.request.author_id != user.id:
            # Staff who invited a volunteer: that they did, not the two people's appointment.
            rows.append(_row(match, only=("id", "invited_by_id", "created_at")))
            continue
        row = _row(match)
        row["hulpvraag"] = match.request.title
        if match.volunteer_id == user.id:
            row["hulpvrager_voornaam"] = _first_name(match.request.author)
        else:
            row["vrijwilliger_voornaam"] = _first_name(match.volunteer)
        rows.append(row)
    return rows


def _messages(db, user):
    own_requests = select(HelpRequest.id).where(HelpRequest.author_id == user.id)
    their_matches = select(Match.id).where(
        or_(Match.volunteer_id == user.id, Match.request_id.in_(own_requests))
    )
    found = db.scalars(
        select(MatchMessage).where(
            or_(MatchMessage.sender_id == user.id, MatchMessage.match_id.in_(their_matches))
        )
    )
    return [{**_row(m), "afzender_voornaam": _first_name(m.sender)} for m in found]


def _notices(db, user):
    mine = db.scalars(select(Notice).where(Notice.user_id == user.id))
    rows = [_row(n) for n in mine]
    # What you did that others were told of: that they were, not what they read.
    told = db.scalars(select(Notice).where(Notice.actor_id == user.id, Notice.user_id != user.id))
    rows += [_row(n, only=("id", "kind", "actor_id", "created_at")) for n in told]
    return rows


def _offers(db, user):
    return [_row(o) for o in db.scalars(select(Offer).where(Offer.author_id == user.id))]


def _offer_replies(db, user):
    own_offers = select(Offer.id).where(Offer.author_id == user.id)
    found = db.scalars(
        select(OfferReply).where(
            or_(OfferReply.author_id == user.id, OfferReply.offer_id.in_(own_offers))
        )
    )
    return [{**_row(r), "afzender_voornaam": _first_name(r.author)} for r in found]


def _memberships(db, user):
    found = db.scalars(
        select(OrganisationMember)
        .where(OrganisationMember.user_id == user.id)
        .options(joinedload(OrganisationMember.organisation))
    )
    return [{**_row(m), "organisatie": m.organisation.name} for m in found]


def _vacancies(db, user):
    mine = or_(Vacancy.author_id == user.id, Vacancy.contact_id == user.id)
    return [_row(v) for v in db.scalars(select(Vacancy).where(mine).order_by(Vacancy.id))]


def _vacancy_responses(db, user):
    found = db.scalars(
        select(VacancyResponse)
        .where(VacancyResponse.volunteer_id == user.id)
        .options(joinedload(VacancyResponse.vacancy).joinedload(Vacancy.organisation))
    )
    return [
        {**_row(r), "vacature": r.vacancy.title, "organisatie": r.vacancy.organisation.name}
        for r in found
    ]


def _reports(db, user):
    made = db.scalars(select(Report).where(Report.reporter_id == user.id))
    rows = [_row(r, without=("handled_by_id",)) for r in made]
    # Reports a staff member handled: that they did, not who reported whom.
    handled = db.scalars(
        select(Report).where(
            Report.handled_by_id == user.id,
            or_(Report.reporter_id.is_(None), Report.reporter_id != user.id),
        )
    )
    rows += [_row(r, only=("id", "subject_type", "created_at", "handled_at")) for r in handled]
    return rows


def _audit_events(db, user):
    found = db.scalars(
        select(AuditEvent).where(
            or_(
                AuditEvent.actor_id == user.id,
                (AuditEvent.subject_type == "users") & (AuditEvent.subject_id == user.id),
            )
        )
    )
    rows = []
    for event in found:
        about_me = event.subject_type == "users" and event.subject_id == user.id
        rows.append(_row(event, without=() if about_me else ("reason",)))
    return rows


def _outbox(db, user):
    found = db.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id))
    fields = ("id", "kind", "to_address", "subject", "body_text", "created_at", "sent_at")
    return [_row(m, only=fields) for m in found]


def _tasks(db, user):
    rows = []
    about_me = db.scalars(select(StaffTask).where(StaffTask.person_id == user.id))
    fields = ("id", "kind", "created_at", "closed_at", "outcome")
    # The explanation as staff read it (a check-in task's is built from the check-in).
    rows += [{**_row(t, only=fields), "detail": detail_text(db, t)} for t in about_me]
    # Tasks a staff member took on or closed: about someone else, so without their story.
    worked_on = db.scalars(
        select(StaffTask).where(
            or_(StaffTask.claimed_by_id == user.id, StaffTask.closed_by_id == user.id),
            or_(StaffTask.person_id.is_(None), StaffTask.person_id != user.id),
        )
    )
    rows += [_row(t, only=("id", "kind", "claimed_at", "closed_at")) for t in worked_on]
    return rows


def _carer_profile(db, user):
    profile = db.get(CarerProfile, user.id)
    return [_row(profile)] if profile else []


def _checkins(db, user):
    return [_row(c) for c in db.scalars(select(Checkin).where(Checkin.carer_id == user.id))]


def _contact_notes(db, user):
    # Notes staff wrote about you are yours to read; who wrote them stays with the team.
    about_me = db.scalars(select(ContactNote).where(ContactNote.person_id == user.id))
    rows = [_row(n, without=("author_id",)) for n in about_me]
    written = db.scalars(
        select(ContactNote).where(
            ContactNote.author_id == user.id, ContactNote.person_id != user.id
        )
    )
    rows += [_row(n, only=("id", "kind", "created_at")) for n in written]
    return rows


def _referrals(db, user):
    mine = db.scalars(select(Referral).where(Referral.account_id == user.id))
    rows = [_row(r, without=("code", "consultant_id")) for r in mine]
    # A consultant's referrals are about residents: the dates, not who they are.
    made = db.scalars(
        select(Referral).where(
            Referral.consultant_id == user.id,
            or_(Referral.account_id.is_(None), Referral.account_id != user.id),
        )
    )
    rows += [_row(r, only=("id", "created_at", "expires_at", "expired_at")) for r in made]
    return rows


def _form_tokens(db, user):
    # What each form you sent made; the token and the hash of what you typed mean nothing to you.
    found = db.scalars(select(FormToken).where(FormToken.user_id == user.id))
    return [_row(t, without=("token", "digest")) for t in found]


def _kept_forms(db, user):
    # What you typed in a form whose session had ended, kept an hour to give it back; never the key.
    found = db.scalars(select(KeptForm).where(KeptForm.user_id == user.id))
    return [
        {**_row(k, without=("key_hash", "fields")), "velden": json.loads(k.fields)} for k in found
    ]


def _api_tokens(db, user):
    # Keys for other systems that act for you, or that you issued as an admin; never the hash.
    fields = ("id", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    found = db.scalars(
        select(ApiToken).where(or_(ApiToken.user_id == user.id, ApiToken.created_by_id == user.id))
    )
    return [_row(t, only=fields) for t in found]


def _network(db, user):
    """The people in your network (your record of them), and the circles you joined."""
    rows = []
    for member in db.scalars(select(NetworkMember).where(NetworkMember.owner_id == user.id)):
        rows.append(
            {
                **_row(
                    member,
                    only=(
                        "id",
                        "first_name",
                        "relation",
                        "closeness",
                        "reach",
                        "email",
                        "categories",
                        "created_at",
                        "invited_at",
                        "joined_at",
                        "left_at",
                    ),
                ),
                "joined": member.joined,
            }
        )
    joined = db.scalars(select(NetworkMember).where(NetworkMember.member_user_id == user.id))
    for member in joined:
        # Someone else's record of you: only whose network it is and since when.
        rows.append(
            {
                "id": member.id,
                "in_network_of": _first_name(member.owner),
                "joined_at": _value(member.joined_at),
            }
        )
    return rows


def _network_checks(db, user):
    found = db.scalars(select(NetworkCheck).where(NetworkCheck.owner_id == user.id))
    return [_row(check) for check in found]


def _organisations(db, user):
    found = db.scalars(select(Organisation).where(Organisation.verified_by_id == user.id))
    return [_row(o, only=("id", "name", "verified_at")) for o in found]


SECTIONS: tuple[Section, ...] = (
    Section("users", "Uw account: naam, contactgegevens, adres en instellingen.", (), _users),
    Section("user_roles", "Wat u op de site doet (uw rollen).", ("user_id",), _roles),
    Section("user_sessions", "Wanneer u bent ingelogd.", ("user_id",), _sessions),
    Section(
        "recovery_codes",
        "Wanneer uw herstelcodes voor inloggen zijn gemaakt en gebruikt (niet de codes zelf).",
        ("user_id",),
        _recovery_codes,
    ),
    Section(
        "municipality_staff",
        "Voor welke gemeenten u werkt, als medewerker.",
        ("user_id",),
        _municipalities,
    ),
    Section("volunteer_slots", "Wanneer u als vrijwilliger kunt.", ("user_id",), _slots),
    Section(
        "help_requests",
        "Uw hulpvragen, ook die een coördinator voor u plaatste.",
        ("author_id", "resident_id"),
        _help_requests,
    ),
    Section(
        "matches",
        "Uw afspraken, als vrijwilliger of als hulpvrager.",
        ("volunteer_id", "invited_by_id"),
        _matches,
    ),
    Section("match_messages", "Berichten in uw afspraken.", ("sender_id",), _messages),
    Section("notices", "Wat wij u op uw overzicht lieten zien.", ("user_id", "actor_id"), _notices),
    Section("offers", "Uw hulpaanbod.", ("author_id",), _offers),
    Section("offer_replies", "Reacties op hulpaanbod.", ("author_id",), _offer_replies),
    Section("organisation_members", "Organisaties waar u bij hoort.", ("user_id",), _memberships),
    Section(
        "vacancies",
        "Vacatures die u plaatste of waarvan u de contactpersoon bent.",
        ("author_id", "contact_id"),
        _vacancies,
    ),
    Section(
        "vacancy_responses", "Uw reacties op vacatures.", ("volunteer_id",), _vacancy_responses
    ),
    Section(
        "reports",
        "Meldingen die u deed, of als coördinator afhandelde.",
        ("reporter_id", "handled_by_id"),
        _reports,
    ),
    Section(
        "audit_events",
        "Wat u deed op de site, en wat anderen met uw account deden.",
        ("actor_id",),
        _audit_events,
    ),
    Section("outbox_messages", "E-mails die wij u stuurden.", ("user_id",), _outbox),
    Section(
        "staff_tasks",
        "Taken van de coördinatoren over u, of die u als coördinator deed.",
        ("person_id", "claimed_by_id", "closed_by_id"),
        _tasks,
    ),
    Section("carer_profiles", "Uw zorgsituatie als mantelzorger.", ("user_id",), _carer_profile),
    Section("checkins", "Uw antwoorden op 'Hoe gaat het met u?'.", ("carer_id",), _checkins),
    Section(
        "contact_notes",
        "Notities van de coördinator over contact met u.",
        ("person_id", "author_id"),
        _contact_notes,
    ),
    Section(
        "referrals",
        "Verwijzingen door een Wmo-consulent.",
        ("account_id", "consultant_id"),
        _referrals,
    ),
    Section(
        "network_members",
        "De mensen in uw netwerk (zoals u ze noteerde), en de netwerken waar u zelf in zit.",
        ("owner_id", "member_user_id"),
        _network,
    ),
    Section(
        "network_checks",
        "Uw antwoorden op 'Hoe sterk is mijn netwerk?'.",
        ("owner_id",),
        _network_checks,
    ),
    Section(
        "api_tokens",
        "Sleutels waarmee andere systemen namens u of door u de site gebruiken.",
        ("user_id", "created_by_id"),
        _api_tokens,
    ),
    Section(
        "form_tokens",
        "Formulieren die u verstuurde, en wat elk maakte: zo maakt een dubbele klik niets dubbel.",
        ("user_id",),
        _form_tokens,
    ),
    Section(
        "kept_forms",
        "Wat u invulde toen uw sessie was verlopen: een uur bewaard, om het u terug te geven.",
        ("user_id",),
        _kept_forms,
    ),
    Section(
        "organisations",
        "Organisaties die u als coördinator goedkeurde.",
        ("verified_by_id",),
        _organisations,
    ),
)


def export_data(db: Session, user: User) -> dict:
    """All data about user, table by table, with a short explanation of each."""
    return {
        "site": "voorelkaar",
        "gemaakt_op": utcnow().isoformat(),
        "uitleg": {section.table: section.explanation for section in SECTIONS},
        "tabellen": {section.table: section.rows(db, user) for section in SECTIONS},
    }

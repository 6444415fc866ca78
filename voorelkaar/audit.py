"""The audit trail and the security log (NEN 7513), in one append-only table.

Every row says what happened (action), when (UTC), who did it (actor: an account number,
which stays when the account is erased), whose data it concerns (person), from where
(the client's address, or "systeem" for the scheduler and commands) and how it ended
(result: ok, refused, failed). What a person typed with it (a reason) is kept beside the
row in audit_notes, where erasing an account can reach it.

Rows are never changed but once: right after the writing transaction commits, a row is
sealed into a chain (seal_no, and the digest of its fields and of the row sealed before
it), so that a row changed or taken out later shows in verify_chain. On PostgreSQL a
trigger refuses every other UPDATE, and DELETE (but of rows older than
MINIMUM_RETENTION_DAYS, for the retention job) and TRUNCATE, also for the table's owner.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app, g, has_request_context, request
from flask.cli import with_appcontext
from sqlalchemy import ColumnElement, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar.db import get_engine, get_session, utcnow
from voorelkaar.models import AuditEvent, AuditNote, User

log = logging.getLogger(__name__)

# The trigger lets no row younger than this go, whatever the setting says.
MINIMUM_RETENTION_DAYS = 180
# One lock for sealing the chain: two hosts must not both link to the same last row.
CHAIN_LOCK = 7513
SYSTEM_ORIGIN = "systeem"

# The security events (the rest of the table is the audit trail of the work itself).
LOGIN_OK = "login.ok"
LOGIN_FAILED = "login.failed"
LOGIN_GUARDED = "login.guarded"  # too many wrong passwords: none is checked for a while
LOGOUT = "logout"
PASSWORD_CHANGED = "password.changed"  # noqa: S105 - an event name
PASSWORD_RESET_ASKED = "password.reset_asked"  # noqa: S105 - an event name
PASSWORD_RESET = "password.reset"  # noqa: S105 - an event name
ACCESS_DENIED = "access.denied"
API_REFUSED = "api.refused"  # an API call with no, an unknown or an expired token
SECOND_FACTOR_FAILED = "second_factor.failed"  # a wrong code after the right password
SECOND_FACTOR_ON = "second_factor.on"
SECOND_FACTOR_OFF = "second_factor.off"
SECOND_FACTOR_NEW_CODES = "second_factor.new_codes"
# Events about getting in and looking: only admins read these (the security log).
ACCESS_EVENTS = (
    LOGIN_OK,
    LOGIN_FAILED,
    LOGIN_GUARDED,
    LOGOUT,
    PASSWORD_CHANGED,
    PASSWORD_RESET_ASKED,
    PASSWORD_RESET,
    ACCESS_DENIED,
    API_REFUSED,
    SECOND_FACTOR_FAILED,
    SECOND_FACTOR_ON,
    SECOND_FACTOR_OFF,
    SECOND_FACTOR_NEW_CODES,
    "people.viewed",
    "referrals.viewed",
    "users.viewed",
)
# The security log: those, and what changes someone's rights (also in the staff's trail).
SECURITY_ACTIONS = (
    *ACCESS_EVENTS,
    "users.roles_changed",
    "users.municipalities_changed",
    "users.role_added",
    "users.role_stopped",
    "users.blocked",
    "users.unblocked",
    "api.token_issued",
    "api.token_revoked",
)


def security_events(
    db: Session,
    *,
    action: str | None = None,
    account_id: int | None = None,
    before_id: int | None = None,
    limit: int = 100,
    scope: ColumnElement[bool] | None = None,
) -> list[AuditEvent]:
    """The newest security events first: of one kind, by or about one account, older
    than before_id (the next page), within scope (the viewer's municipalities)."""
    query = select(AuditEvent).where(
        AuditEvent.action.in_([action] if action else SECURITY_ACTIONS)
    )
    if scope is not None:
        query = query.where(scope)
    if account_id is not None:
        query = query.where(
            (AuditEvent.actor_id == account_id) | (AuditEvent.person_id == account_id)
        )
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(db.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def origin() -> str:
    """Where the request came from (behind TRUSTED_PROXIES: the client), or the system."""
    if has_request_context():
        return (request.remote_addr or "")[:45] or "onbekend"
    return SYSTEM_ORIGIN


def record(
    db: Session,
    actor: User | None,
    action: str,
    subject=None,
    reason: str | None = None,
    *,
    person: User | int | None = None,
    result: str = "ok",
) -> AuditEvent:
    """Append an event, in the caller's transaction (the caller commits).

    subject: the row it is about (its table and id are kept); person: whose data it
    concerns, by default the subject when that is an account.
    """
    if person is None and isinstance(subject, User):
        person = subject
    event = AuditEvent(
        actor_id=actor.id if actor is not None and actor.id is not None else None,
        action=action,
        subject_type=type(subject).__tablename__ if subject is not None else None,
        subject_id=subject.id if subject is not None else None,
        person_id=person.id if isinstance(person, User) else person,
        origin=origin(),
        result=result,
        created_at=utcnow(),
    )
    db.add(event)
    db.flush()
    if has_request_context():
        g.audit_written = True  # sealed into the chain once the request is done
    if reason:
        db.add(AuditNote(event_id=event.id, text=reason))
        db.flush()
    return event


def security_event(
    db: Session,
    action: str,
    *,
    actor: User | None = None,
    person: User | None = None,
    result: str = "ok",
    reason: str | None = None,
) -> None:
    """Record a security event and commit it: a login, a logout, a refused page."""
    record(db, actor, action, None, reason, person=person, result=result)
    db.commit()


def seal(db: Session, batch: int = 1000) -> int:
    """Chain the rows not sealed yet, oldest first; return how many; commits.

    Sealing happens after the writing transaction has committed, in a transaction of its
    own that touches nothing else, so the lock it takes cannot hold up (or deadlock with)
    the work that wrote the rows. One sealer at a time: a second one leaves it to the first.
    """
    if db.get_bind().dialect.name == "postgresql":
        locked = db.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
        if not locked:
            db.rollback()
            return 0
    last = db.execute(
        select(AuditEvent.seal_no, AuditEvent.row_hash)
        .where(AuditEvent.seal_no.is_not(None))
        .order_by(AuditEvent.seal_no.desc())
        .limit(1)
    ).first()
    number, previous = (last.seal_no, last.row_hash) if last else (0, "")
    rows = db.scalars(
        select(AuditEvent).where(AuditEvent.seal_no.is_(None)).order_by(AuditEvent.id).limit(batch)
    ).all()
    for event in rows:
        number += 1
        event.seal_no, event.prev_hash = number, previous
        event.row_hash = previous = digest(event)
    try:
        db.commit()
    except IntegrityError:  # another sealer (SQLite has no advisory lock) was first
        db.rollback()
        return 0
    return len(rows)


def seal_after_request(response):
    """Seal what this request wrote, right away, in a session of its own."""
    if g.pop("audit_written", False):
        try:
            with Session(get_engine()) as own:
                seal(own)
        except Exception:  # the scheduler's job seals it later
            log.warning("sealing the log after a request failed", exc_info=True)
    return response


def seal_job(db: Session, _now: datetime) -> int:
    """The scheduler's job: seal what was written outside requests (jobs, commands)."""
    return seal(db)


def digest(event: AuditEvent) -> str:
    """The sha256 of a row's own fields and the digest of the row before it."""
    created = event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    fields = (
        event.prev_hash or "",
        event.seal_no,
        event.id,
        created,
        event.actor_id,
        event.action,
        event.subject_type,
        event.subject_id,
        event.person_id,
        event.origin,
        event.result,
    )
    line = "\x1f".join("" if value is None else str(value) for value in fields)
    return hashlib.sha256(line.encode()).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    broken: list[int]  # ids of rows whose digest or link does not hold

    @property
    def intact(self) -> bool:
        return not self.broken


CHAINED = (
    AuditEvent.id,
    AuditEvent.seal_no,
    AuditEvent.prev_hash,
    AuditEvent.row_hash,
    AuditEvent.created_at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.subject_type,
    AuditEvent.subject_id,
    AuditEvent.person_id,
    AuditEvent.origin,
    AuditEvent.result,
)


def verify_chain(db: Session, batch: int = 5000) -> ChainCheck:
    """Walk the chain from the oldest kept row; the first row's link is taken as given
    (older rows may have gone by retention)."""
    previous: str | None = None
    broken: list[int] = []
    checked = 0
    after = 0
    while True:
        rows = db.execute(
            select(*CHAINED)
            .where(AuditEvent.seal_no > after)
            .order_by(AuditEvent.seal_no)
            .limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            linked = previous is None or event.prev_hash == previous
            if not linked or digest(event) != event.row_hash:
                broken.append(event.id)
            previous = event.row_hash
            checked += 1
        after = rows[-1].seal_no
    return ChainCheck(checked, broken)


def retention_days(app: Flask | None = None) -> int:
    config = (app or current_app).config
    return max(int(config["SECURITY_LOG_RETENTION_DAYS"]), MINIMUM_RETENTION_DAYS)


def forget_old_events(db: Session, now: datetime) -> int:
    """The scheduler's job: rows older than SECURITY_LOG_RETENTION_DAYS go."""
    before = now - timedelta(days=retention_days())
    gone = db.execute(delete(AuditEvent).where(AuditEvent.created_at < before)).rowcount
    db.commit()
    return gone


@click.group("logboek")
def audit_cli():
    """The audit trail and security log."""


@audit_cli.command("controleren")
@with_appcontext
def verify_command():
    """Check that no row of the log was changed or taken out."""
    check = verify_chain(get_session())
    if check.intact:
        click.echo(f"Logboek in orde: {check.checked} regels gecontroleerd.")
        return
    click.echo(
        f"Logboek NIET in orde: {len(check.broken)} van {check.checked} regels kloppen niet "
        f"(nummers: {', '.join(map(str, check.broken[:20]))}).",
        err=True,
    )
    raise SystemExit(1)


def log_refusal(response):
    """Every 403, whichever view or handler made it: who asked for which page, from where."""
    if response.status_code != 403:
        return response
    from flask_login import current_user

    from voorelkaar.security import redact

    db = get_session()
    try:
        db.rollback()  # whatever the refused view began is not kept
        actor = current_user._get_current_object() if current_user.is_authenticated else None
        security_event(
            db,
            ACCESS_DENIED,
            actor=actor,
            result="refused",
            reason=f"{request.method} {redact(request.path)}",
        )
    except Exception:  # the page is still shown; the log says the event was lost
        db.rollback()
        log.warning("could not record a refused page", exc_info=True)
    return response


def init_app(app: Flask) -> None:
    app.after_request(seal_after_request)
    app.after_request(log_refusal)  # runs first: a refusal it logs is sealed too
    app.cli.add_command(audit_cli)

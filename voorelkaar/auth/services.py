"""Account steps: register, confirm, authenticate, change and reset passwords."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, null, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar import audit, geo
from voorelkaar.auth import passwords
from voorelkaar.auth.sessions import revoke_all_sessions
from voorelkaar.db import claim, utcnow
from voorelkaar.models import OutboxMessage, Role, User, UserRole
from voorelkaar.notify import enqueue_email, enqueue_once
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.urls import absolute_url


class AccountError(Exception):
    """A step on an account that cannot be done; the message says why."""


class EmailTaken(AccountError):
    pass


class InvalidLink(AccountError):
    """An emailed link that is tampered with, expired or already used."""


# At most one mail per address per quarter of an hour from the register and resend forms:
# pressing twice, or someone else trying the address, fills no mailbox.
MAIL_EVERY = timedelta(minutes=15)


@dataclass(frozen=True)
class NewAccount:
    name: str
    email: str
    password: str
    postcode: str
    house_number: str
    phone: str | None
    roles: tuple[Role, ...] = (Role.RESIDENT,)
    locale: str = "nl"


def find_user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _place(db: Session, user: User, account: NewAccount, password_hash: str) -> None:
    """Write what the person typed on user: name, password, address, language and roles."""
    area = geo.locate(account.postcode)
    postcode = geo.normalise_postcode(account.postcode)
    user.name = account.name
    user.password_hash = password_hash
    user.postcode = postcode
    user.house_number = account.house_number.upper()
    user.phone = account.phone or None
    user.pc4, user.lat, user.lon = area.pc4, area.lat, area.lon
    user.neighbourhood = neighbourhood_for(db, postcode)
    user.locale = account.locale
    wanted = list(dict.fromkeys(account.roles))
    # Kept rows stay, so the unique (user, role) never sees a role twice within one flush.
    user.roles = [row for row in user.roles if row.role in wanted] + [
        UserRole(role=role) for role in wanted if role not in user.role_set
    ]


def _new_user(db: Session, account: NewAccount, password_hash: str) -> User:
    user = User(email=account.email.strip().lower(), roles=[])
    _place(db, user, account, password_hash)
    return user


def register_user(db: Session, account: NewAccount) -> User:
    """Create a confirmed account located at its postcode's PC4 centroid, and commit.

    For accounts whose address is known to be right (a referral, tests); someone who
    registers themselves goes through sign_up.
    """
    user = _new_user(db, account, passwords.hash_password(account.password))
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        # Two registrations with one address at the same moment: one wins.
        db.rollback()
        raise EmailTaken(account.email) from None
    return user


def sign_up(db: Session, account: NewAccount) -> None:
    """Register from the public form without telling anyone whether the address is known.

    A new address gets an account that waits for its emailed link. An address whose
    account still waits gets that account with what was typed now and a fresh link,
    unless a link went out this quarter of an hour (a double submit, or a flood). The
    owner of a confirmed account is told by email that someone tried; nothing changes.
    Every way hashes the password once, so none is much quicker than the others.
    """
    password_hash = passwords.hash_password(account.password)
    user = find_user_by_email(db, account.email)
    if user is None:
        user = _new_user(db, account, password_hash)
        user.email_confirmed_at = null()  # a plain None would let the column's default in
        db.add(user)
        try:
            db.flush()
        except IntegrityError:
            # The same address at the same moment (a double click): the other one won.
            db.rollback()
            user = find_user_by_email(db, account.email)
        else:
            _send_confirmation(db, user)
            db.commit()
            return
    if user is None or not user.is_active:
        return
    if user.email_confirmed_at is not None:
        _tell_owner(db, user)
        db.commit()
        return
    if _mailed_lately(db, "confirm-email", user):
        return
    _place(db, user, account, password_hash)
    user.created_at = user.password_changed_at = utcnow()  # unconfirmed ones age from here
    if _send_confirmation(db, user):
        db.commit()
    else:
        db.rollback()  # another request renewed it and sent the link at this very moment


def resend_link(db: Session, email: str) -> None:
    """Ask again for the mail the register form sends, for an address; silent if unknown."""
    user = find_user_by_email(db, email)
    if user is None or not user.is_active:
        return
    if user.email_confirmed_at is None:
        _send_confirmation(db, user)
    else:
        _tell_owner(db, user)
    db.commit()


def _mail_key(kind: str, user: User) -> str:
    window = int(utcnow().timestamp() // MAIL_EVERY.total_seconds())
    return f"{kind}:{user.id}:{window}"


def _mailed_lately(db: Session, kind: str, user: User) -> bool:
    key = _mail_key(kind, user)
    return (
        db.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)) is not None
    )


def _send_confirmation(db: Session, user: User) -> bool:
    """Queue the link that confirms user's address, once per MAIL_EVERY; whether it did."""
    db.flush()  # the link needs the id
    hours = current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 3600
    return enqueue_once(
        db,
        key=_mail_key("confirm-email", user),
        user=user,
        template="confirm_email",
        kind="confirm_email",
        link=_link(user, "email-confirm", "auth.confirm_email"),
        hours=hours,
    )


def _tell_owner(db: Session, user: User) -> None:
    """Someone typed this confirmed address on the register form: its owner hears of it."""
    enqueue_once(
        db,
        key=_mail_key("register-known", user),
        user=user,
        template="register_known",
        kind="register_known",
        login_link=absolute_url("auth.login"),
        reset_link=absolute_url("auth.forgot_password"),
    )


def confirm_email(db: Session, token: str) -> User:
    """Confirm the address a link was sent to; the link works once. Commits."""
    user = user_for_confirm_token(db, token)
    if not claim(db, User, user.id, User.email_confirmed_at.is_(None), email_confirmed_at=utcnow()):
        db.rollback()
        raise InvalidLink(token)  # opened twice at once: the other one used it
    db.commit()
    db.refresh(user)
    return user


def user_for_confirm_token(db: Session, token: str) -> User:
    """The unconfirmed user a confirm link was made for, if it is genuine and fresh."""
    max_age = current_app.config["EMAIL_CONFIRM_MAX_AGE"]
    user = _user_for_link(db, token, "email-confirm", max_age)
    if user.email_confirmed_at is not None:
        raise InvalidLink(token)
    return user


def forget_unconfirmed(db: Session, now: datetime) -> int:
    """Remove accounts whose address was not confirmed within a week, and their mail."""
    cutoff = now - timedelta(seconds=current_app.config["UNCONFIRMED_KEEP"])
    stale = select(User.id).where(User.email_confirmed_at.is_(None), User.created_at < cutoff)
    ids = db.scalars(stale).all()
    if ids:
        db.execute(delete(OutboxMessage).where(OutboxMessage.user_id.in_(ids)))
        db.execute(
            delete(User).where(User.id.in_(ids)).execution_options(synchronize_session=False)
        )
    db.commit()
    return len(ids)


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None; as slow either way."""
    user = find_user_by_email(db, email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.commit()
    return user


def set_password(
    db: Session, user: User, new_password: str, *, keep_current: bool, event: str
) -> None:
    """Store a new password, end every other session of user and log it; commits."""
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_all_sessions(db, user, keep_current=keep_current)
    audit.record(db, user, event, person=user)
    db.commit()


def change_password(db: Session, user: User, current: str, new_password: str) -> None:
    """Change the password of a logged-in user who knows their current one."""
    if not passwords.verify_password(user.password_hash, current):
        raise AccountError("wrong current password")
    set_password(db, user, new_password, keep_current=True, event=audit.PASSWORD_CHANGED)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _password_fingerprint(user: User) -> str:
    # Part of the signed link: once the password changes, older links stop working.
    return user.password_hash[-16:]


def _link(user: User, purpose: str, endpoint: str) -> str:
    """An emailed link for user that nothing stores: it is signed, and carries its time.

    It works once because what it proves changes when it is used (the password for a
    reset, the confirmation for a confirm link).
    """
    token = _serializer(purpose).dumps({"u": user.id, "p": _password_fingerprint(user)})
    return absolute_url(endpoint, token=token)


def _user_for_link(db: Session, token: str, purpose: str, max_age: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        raise InvalidLink(token) from None
    user = db.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("p") != _password_fingerprint(user) or not user.is_active:
        raise InvalidLink(token)
    return user


def request_password_reset(db: Session, email: str) -> None:
    """Email a reset link if an account has this address; silent otherwise."""
    user = find_user_by_email(db, email)
    if user is None or not user.is_active:
        return
    link = _link(user, "password-reset", "auth.reset_password")
    enqueue_email(
        db,
        key=f"password-reset:{user.id}:{link[-24:]}",
        user=user,
        template="password_reset",
        kind="password_reset",
        link=link,
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    audit.record(db, None, audit.PASSWORD_RESET_ASKED, person=user)
    db.commit()


def warn_of_guessing(db: Session, user: User | None) -> None:
    """Many wrong passwords for user's address: its owner gets a link to choose a new
    password and be logged in at once, at most once per quarter of an hour; silent for an
    unknown address (None).

    The per-account limit stops checking passwords for a while, so guessing gets nowhere;
    this link is how the real owner still gets in meanwhile.
    """
    if user is None or not user.is_active:
        return
    enqueue_once(
        db,
        key=_mail_key("login-guarded", user),
        user=user,
        template="login_guarded",
        kind="login_guarded",
        link=_link(user, "password-reset", "auth.reset_password"),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    db.commit()


def user_for_reset_token(db: Session, token: str) -> User:
    """The user a reset link was made for, if it is genuine, fresh and unused."""
    return _user_for_link(db, token, "password-reset", current_app.config["PASSWORD_RESET_MAX_AGE"])


def reset_password(db: Session, token: str, new_password: str) -> User:
    """Set a new password from a reset link; every session of the user ends."""
    user = user_for_reset_token(db, token)
    # The link came by email: the address is theirs, also if they never confirmed it.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    set_password(db, user, new_password, keep_current=False, event=audit.PASSWORD_RESET)
    return user

"""Account steps: register, authenticate, change and reset passwords."""

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voorelkaar import geo
from voorelkaar.auth import passwords
from voorelkaar.auth.sessions import revoke_all_sessions
from voorelkaar.db import utcnow
from voorelkaar.models import Role, User, UserRole
from voorelkaar.notify import enqueue_email, enqueue_once
from voorelkaar.places.services import neighbourhood_for
from voorelkaar.urls import absolute_url


class AccountError(Exception):
    """A step on an account that cannot be done; the message says why."""


class EmailTaken(AccountError):
    pass


class InvalidLink(AccountError):
    """An emailed link that is tampered with, expired or already used."""


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


def register_user(db: Session, account: NewAccount) -> User:
    """Create an account located at its postcode's PC4 centroid, and commit."""
    area = geo.locate(account.postcode)
    postcode = geo.normalise_postcode(account.postcode)
    user = User(
        name=account.name,
        email=account.email.strip().lower(),
        password_hash=passwords.hash_password(account.password),
        postcode=postcode,
        house_number=account.house_number.upper(),
        phone=account.phone or None,
        pc4=area.pc4,
        lat=area.lat,
        lon=area.lon,
        neighbourhood=neighbourhood_for(db, postcode),
        locale=account.locale,
        roles=[UserRole(role=role) for role in dict.fromkeys(account.roles)],
    )
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        # Two registrations with one address at the same moment: one wins.
        db.rollback()
        raise EmailTaken(account.email) from None
    return user


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None; as slow either way."""
    user = find_user_by_email(db, email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.commit()
    return user


def set_password(db: Session, user: User, new_password: str, *, keep_current: bool) -> None:
    """Store a new password and end every other session of user; commits."""
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_all_sessions(db, user, keep_current=keep_current)
    db.commit()


def change_password(db: Session, user: User, current: str, new_password: str) -> None:
    """Change the password of a logged-in user who knows their current one."""
    if not passwords.verify_password(user.password_hash, current):
        raise AccountError("wrong current password")
    set_password(db, user, new_password, keep_current=True)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _password_fingerprint(user: User) -> str:
    # Part of the signed link: once the password changes, older links stop working.
    return user.password_hash[-16:]


def _link(user: User, purpose: str, endpoint: str) -> str:
    """An emailed link for user that nothing stores: it is signed, and carries its time.

    It works once because what it proves changes when it is used (for a reset: the
    password).
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
    db.commit()


def warn_of_guessing(db: Session, email: str) -> None:
    """Many wrong passwords for this address: its owner gets a link to choose a new password
    and be logged in at once, at most once per quarter of an hour; silent for unknown ones.

    The per-account limit stops checking passwords for a while, so guessing gets nowhere;
    this link is how the real owner still gets in meanwhile.
    """
    user = find_user_by_email(db, email)
    if user is None or not user.is_active:
        return
    quarter = int(utcnow().timestamp() // 900)
    enqueue_once(
        db,
        key=f"login-guarded:{user.id}:{quarter}",
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
    set_password(db, user, new_password, keep_current=False)
    return user

"""The second factor: a code from an app (TOTP, RFC 6238) and single-use recovery codes.

The app's secret is stored encrypted with a key the database does not hold
(SECOND_FACTOR_KEY, or one derived from SECRET_KEY), so a copy of the database or of a
backup alone does not let anyone make codes.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from voorelkaar.auth import passwords
from voorelkaar.auth.sessions import revoke_all_sessions
from voorelkaar.db import utcnow
from voorelkaar.models import RecoveryCode, User

STEP_SECONDS = 30
# A code of the step before or after counts too: a phone's clock may be a little off, and
# typing takes time.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 10 characters of 31 (no 0/o, 1/l/i): about 50 bits each, too many to guess, so a plain
# sha256 is enough to store them by.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10


class SecondFactorError(Exception):
    """A step on the second factor that cannot be done."""


class WrongCode(SecondFactorError):
    pass


def _fernet() -> Fernet:
    config = current_app.config
    material = config.get("SECOND_FACTOR_KEY") or config["SECRET_KEY"]
    key = hashlib.sha256(b"voorelkaar second factor\0" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_of(user: User) -> str | None:
    """The app's secret of user, or None if there is none (or the key has changed)."""
    if not user.totp_secret:
        return None
    try:
        return _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        return None


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_secret(db: Session, user: User) -> str:
    """The secret to show on the set-up page: the same one until it is confirmed, so that
    reloading the page does not undo a scan; commits when it makes a new one."""
    secret = secret_of(user)
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = _encrypt(secret)
        user.totp_last_step = None
        db.commit()
    return secret


def qr_code(user: User, secret: str) -> str:
    """The set-up link for the app as a QR code, an SVG data: URI for an <img>."""
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SITE_NAME"]
    )
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = _step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept_code(db: Session, user: User, secret: str, code: str, now: datetime) -> bool:
    """Whether code is right for secret and was not used before; claims its step."""
    code = _digits(code)
    if not (code.isdigit() and len(code) == 6):
        return False
    step = _matching_step(secret, code, now)
    if step is None:
        return False
    # A conditional update: of two requests with one code, only one gets the step.
    claimed = db.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
    ).rowcount
    db.commit()
    db.refresh(user)
    return claimed == 1


def check_code(db: Session, user: User, code: str, now: datetime | None = None) -> bool:
    """Whether code is the current code of user's app, not used before; commits."""
    secret = secret_of(user)
    if not user.has_second_factor or secret is None:
        return False
    return _accept_code(db, user, secret, code, now or utcnow())


def use_recovery_code(db: Session, user: User, code: str, now: datetime | None = None) -> bool:
    """Whether code is one of user's unused recovery codes; it is used up; commits."""
    if not user.has_second_factor:
        return False
    used = db.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now or utcnow())
    ).rowcount
    db.commit()
    return used == 1


def _recovery_digest(code: str) -> str:
    # As typed or as shown: capitals, spaces and the dash in the middle do not matter.
    cleaned = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def _new_recovery_code() -> str:
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def new_recovery_codes(db: Session, user: User, now: datetime | None = None) -> list[str]:
    """Ten new recovery codes for user; the old ones stop working; commits.

    Only their digests are kept: the codes are shown this once.
    """
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(_new_recovery_code())
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    now = now or utcnow()
    db.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_digest(code), created_at=now)
        for code in codes
    )
    db.commit()
    return sorted(codes)


def recovery_codes_left(db: Session, user: User) -> int:
    return db.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def turn_on(db: Session, user: User, code: str, now: datetime | None = None) -> list[str]:
    """Turn the second factor on once the app shows the right code; returns the recovery
    codes to show once. Other logins of user end: they began without the code."""
    secret = secret_of(user)
    now = now or utcnow()
    if secret is None or not _accept_code(db, user, secret, code, now):
        raise WrongCode()
    user.totp_enabled_at = now
    revoke_all_sessions(db, user, keep_current=True)
    return new_recovery_codes(db, user, now)


def proves_identity(db: Session, user: User, proof: str) -> bool:
    """Whether proof is user's password or a current code from their app."""
    if user.has_second_factor and _digits(proof).isdigit() and check_code(db, user, proof):
        return True
    return passwords.verify_password(user.password_hash, proof)


def turn_off(db: Session, user: User) -> None:
    """Log in with the password alone again (the back office must set up a new app at
    once: voorelkaar.second_factor.require_for_back_office); commits."""
    forget(db, user)


def forget(db: Session, user: User) -> None:
    """Remove the secret and the recovery codes of user (a lost phone); commits."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.commit()


def enrol(user: User, secret: str, now: datetime | None = None) -> None:
    """Turn the second factor on with a known secret, without a code: for demo accounts and
    tests, which need a secret that is written down. No recovery codes; the caller commits."""
    user.totp_secret = _encrypt(secret)
    user.totp_enabled_at = now or utcnow()
    user.totp_last_step = None

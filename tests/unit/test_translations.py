"""Every Dutch text on the site has an English translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_text_in_the_code_is_translated_to_english(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with pot.open("rb") as extracted:
        texts = {m.id for m in read_po(extracted) if m.id}
    with (ROOT / "voorelkaar/translations/en/LC_MESSAGES/messages.po").open("rb") as catalog:
        english = read_po(catalog)
    translated = {m.id for m in english if m.id and m.string and not m.fuzzy}
    missing = sorted(str(text) for text in texts - translated)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"

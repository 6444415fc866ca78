"""Checking an uploaded logo: the kind of file from its bytes, never from its name.

PNG and JPEG are told by their first bytes. An SVG is XML that a browser may run: it is
parsed (with no DOCTYPE, so no entities) and refused, never rewritten, when it holds a
script, an event handler, foreignObject or anything that fetches from outside.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPE and entities are refused before parsing

from flask_babel import lazy_gettext as _l

PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
EXTENSIONS = {".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".svg": SVG}
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
# Elements that run code, show other documents or play media: never in a logo.
FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "audio",
    "video",
    "handler",
    "listener",
}
OUTSIDE_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


class LogoRefused(ValueError):
    """A logo we do not take; the message says why, in words for the admin."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def check_filename(filename: str) -> str:
    """The extension's type; refuses a name with a folder or drive in it."""
    if not filename:
        raise LogoRefused(_l("Kies een bestand met het logo."))
    if "/" in filename or "\\" in filename or ":" in filename or ".." in filename:
        raise LogoRefused(
            _l(
                "De bestandsnaam mag geen map of pad bevatten (zoals ../ of C:\\). "
                "Geef het bestand een gewone naam, zoals logo.png."
            )
        )
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        raise LogoRefused(_l("Het logo moet een PNG-, JPEG- of SVG-bestand zijn."))
    return EXTENSIONS[extension]


def check_size(size: int, limit: int) -> None:
    if size == 0:
        raise LogoRefused(_l("Het bestand is leeg. Kies het logo opnieuw."))
    if size > limit:
        raise LogoRefused(
            _l(
                "Het bestand is te groot (%(size)s). Een logo mag hoogstens %(limit)s zijn. "
                "Maak het kleiner en probeer het opnieuw.",
                size=megabytes(size),
                limit=megabytes(limit),
            )
        )


def megabytes(size: int) -> str:
    """1048576 -> "1 MB", 20971520 -> "20 MB", 1572864 -> "1,5 MB"."""
    value = round(size / (1024 * 1024), 1)
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} MB"


def sniff(data: bytes) -> str | None:
    """The type the bytes themselves say, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<") and (b"<svg" in data[:4096] or b":svg" in data[:4096]):
        return SVG
    return None


def check_logo(filename: str, data: bytes, limit: int) -> str:
    """The checked content type of an uploaded logo, or LogoRefused with the reason."""
    claimed = check_filename(filename)
    check_size(len(data), limit)
    actual = sniff(data)
    if actual is None or actual != claimed:
        raise LogoRefused(
            _l(
                "Dit bestand is geen echte PNG-, JPEG- of SVG-afbeelding, ook al zegt de naam "
                "dat wel. Kies een ander bestand."
            )
        )
    if actual == SVG:
        check_svg(data)
    return actual


def check_svg(data: bytes) -> None:
    """Refuse an SVG that could run code or fetch from outside."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LogoRefused(_l("Het SVG-bestand moet in UTF-8 zijn opgeslagen.")) from None
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise LogoRefused(
            _l("Het SVG-bestand bevat een DOCTYPE of entiteiten. Sla het op zonder DOCTYPE.")
        )
    if "<?xml-stylesheet" in lowered:
        raise _outside()
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE, so no entities to expand
    except ET.ParseError:
        raise LogoRefused(_l("Het SVG-bestand is beschadigd en kan niet worden gelezen.")) from None
    if _local(root.tag) != "svg":
        raise LogoRefused(_l("Dit bestand is geen SVG-afbeelding."))
    for element in root.iter():
        _check_element(element)


def _check_element(element: ET.Element) -> None:
    name = _local(element.tag).lower()
    if name == "script":
        raise LogoRefused(
            _l(
                "Het SVG-bestand bevat een script. Dat is niet veilig. "
                "Sla het logo op zonder script, of kies een PNG-bestand."
            )
        )
    if name in FORBIDDEN_ELEMENTS:
        raise LogoRefused(
            _l(
                "Het SVG-bestand bevat ingesloten inhoud (%(element)s). Dat is niet veilig. "
                "Kies een eenvoudiger SVG of een PNG-bestand.",
                element=_local(element.tag),
            )
        )
    if name == "style" and (
        OUTSIDE_URL.search(element.text or "") or "@import" in (element.text or "")
    ):
        raise _outside()
    for key, value in element.attrib.items():
        attribute = _local(key).lower()
        if attribute.startswith("on"):
            raise LogoRefused(
                _l(
                    "Het SVG-bestand bevat een gebeurtenis-attribuut (%(attribute)s). "
                    "Dat kan een script starten en is niet veilig.",
                    attribute=_local(key),
                )
            )
        if attribute == "href" and not value.strip().startswith("#"):
            raise _outside()
        if attribute == "attributename" and value.lower().endswith("href"):
            raise _outside()
        if OUTSIDE_URL.search(value) or "javascript:" in value.lower():
            raise _outside()


def _outside() -> LogoRefused:
    return LogoRefused(
        _l(
            "Het SVG-bestand haalt iets van buiten het bestand op (een link of url). "
            "Dat is niet veilig. Sla het logo op met alles erin."
        )
    )


def _local(tag) -> str:
    """The name without its namespace: "{http://www.w3.org/2000/svg}svg" -> "svg"."""
    if not isinstance(tag, str):  # a comment or processing instruction
        return ""
    return tag.rsplit("}", 1)[-1]

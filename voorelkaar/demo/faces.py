"""The faces of the demo municipalities: plausible, and clearly not real people to call.

Names say "(demo)"; the phone numbers are made up (the real area code, then 000 00x);
the email addresses lie under example.nl, which receives no mail.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.models import Municipality

FACE_FIELDS = (
    "site_name",
    "org_name",
    "org_phone",
    "org_email",
    "org_address",
    "org_hours",
    "controller_name",
    "privacy_contact",
)

DEMO_FACES: dict[str, dict[str, str]] = {
    "meppel": {
        "site_name": "Meppel voor elkaar",
        "org_name": "Welzijnsorganisatie Meppel (demo)",
        "org_phone": "0522 000 001",
        "org_email": "info@meppel-demo.example.nl",
        "org_address": "Voorbeeldstraat 1, 7941 AA Meppel",
        "org_hours": "ma–vr 9.00–17.00 uur",
        "controller_name": "Welzijnsorganisatie Meppel (demo)",
        "privacy_contact": "privacy@meppel-demo.example.nl",
    },
    "westerveld": {
        "site_name": "Westerveld voor elkaar",
        "org_name": "Welzijn Westerveld (demo)",
        "org_phone": "0521 000 002",
        "org_email": "hallo@westerveld-demo.example.nl",
        "org_address": "Proefweg 2, 7971 AB Havelte",
        "org_hours": "ma–do 9.00–12.30 uur",
        "controller_name": "Welzijn Westerveld (demo)",
        "privacy_contact": "privacy@westerveld-demo.example.nl",
    },
}


def apply_faces(db: Session) -> int:
    """Fill the demo municipalities' empty face fields; the number of fields filled.

    Idempotent: a field that has a value (an admin may have changed it) is left alone.
    The caller commits.
    """
    filled = 0
    for slug, face in DEMO_FACES.items():
        municipality = db.scalar(select(Municipality).where(Municipality.slug == slug))
        if municipality is None:
            continue
        for field in FACE_FIELDS:
            if not getattr(municipality, field) and face.get(field):
                setattr(municipality, field, face[field])
                filled += 1
    db.flush()
    return filled

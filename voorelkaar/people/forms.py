"""Staff write down a contact with a person: a phone call, a home visit."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice
from wtforms.validators import ValidationError

from voorelkaar.forms import BaseForm, CreatingForm, text_field
from voorelkaar.models import ContactKind
from voorelkaar.people.services import CONTACT_NOTE_MAX

CONTACT_KIND_LABELS = {
    ContactKind.PHONE: _l("Telefoongesprek"),
    ContactKind.VISIT: _l("Huisbezoek"),
    ContactKind.OTHER: _l("Anders"),
}


class ContactNoteForm(CreatingForm, BaseForm):
    kind = RadioField(
        _l("Wat voor contact was het?"),
        choices=[SelectChoice(kind.value, label) for kind, label in CONTACT_KIND_LABELS.items()],
        validate_choice=False,
    )
    body = text_field(
        _l("Wat is er besproken?"),
        _l("Schrijf kort wat er besproken is."),
        max_length=CONTACT_NOTE_MAX,
        multiline=True,
        description=_l("Alleen coördinatoren lezen dit."),
    )
    task = HiddenField()

    def validate_kind(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Kies wat voor contact het was."))

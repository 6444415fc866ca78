"""What every form shares: Dutch messages and input cleaned before validation."""

import unicodedata

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField


def clean_text(value):
    """Trim, normalise to NFC and drop control characters (a NUL breaks PostgreSQL)."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return value.strip()


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(
                unbound_field.field_class, StringField | TextAreaField
            ) and not issubclass(unbound_field.field_class, PasswordField):
                options["filters"] = (clean_text, *options.get("filters", ()))
            return unbound_field.bind(form=form, **options)

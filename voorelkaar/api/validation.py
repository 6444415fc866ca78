"""Check JSON input against the document's schemas, then against the site's own forms.

The shapes (types, lengths, formats) come from the OpenAPI document, so the contract and the
checks cannot drift apart; the rules (postcode exists, date not in the future, ...) come from
the same forms the site uses, with their Dutch messages.
"""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from voorelkaar.api.openapi import DOCUMENT

TYPES = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "object": dict,
    "array": list,
    "null": type(None),
}
TYPE_NAMES = {
    "string": "tekst",
    "integer": "een geheel getal",
    "boolean": "true of false",
    "object": "een object",
    "array": "een lijst",
    "null": "null",
}


class Invalid(Exception):
    """Input that breaks the rules; fields maps a field name to its messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields)
        self.fields = fields


def _is(value, kind: str) -> bool:
    if kind in ("integer",) and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[kind])


def _in_range(value: int, schema: dict) -> bool:
    return schema.get("minimum", value) <= value <= schema.get("maximum", value)


def _problem(value, schema: dict) -> str | None:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    if kinds and not any(_is(value, kind) for kind in kinds):
        return "Dit moet " + " of ".join(TYPE_NAMES[k] for k in kinds) + " zijn."
    if value is None:
        return None
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(str(v) for v in schema["enum"] if v is not None)
        return f"Kies uit: {choices}."
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return "Vul dit in."
        if len(value) > schema.get("maxLength", len(value)):
            return f"Maak dit korter: hoogstens {schema['maxLength']} tekens."
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return "Dit heeft niet de goede vorm (zie de documentatie)."
    if _is(value, "integer") and not _in_range(value, schema):
        return f"Kies een getal van {schema['minimum']} tot en met {schema['maximum']}."
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            return f"Noem hoogstens {schema['maxItems']} dingen."
        for item in value:
            problem = _problem(item, schema.get("items", {}))
            if problem:
                return problem
    return None


def check_body(body, schema_name: str) -> dict:
    """The body if it fits the named schema, else Invalid with a message per field."""
    schema = DOCUMENT["components"]["schemas"][schema_name]
    if not isinstance(body, dict):
        raise Invalid({"": ["Stuur een JSON-object."]})
    fields: dict[str, list[str]] = {}
    for name in body:
        if name not in schema["properties"]:
            fields[name] = ["Dit veld kennen wij niet."]
    for name in schema["required"]:
        if name not in body:
            fields[name] = ["Dit veld is verplicht."]
    for name, value in body.items():
        if name in schema["properties"] and name not in fields:
            problem = _problem(value, schema["properties"][name])
            if problem:
                fields[name] = [problem]
    if fields:
        raise Invalid(fields)
    return body


def as_formdata(body: dict) -> MultiDict:
    """JSON values as a browser would post them to the site's form."""
    data = MultiDict()
    for name, value in body.items():
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "y"
        elif isinstance(value, list):
            data[name] = ", ".join(value)
        else:
            data[name] = str(value)
    return data


def site_formdata(body: dict) -> MultiDict:
    """as_formdata, for a form that asks about a postcode outside the municipality.

    The API has no one to ask, so it takes such a postcode as it always did: confirmed.
    """
    data = as_formdata(body)
    data["outside_municipality"] = "y"
    return data


def check_form(form) -> None:
    """Run the site's form checks; Invalid with their messages when they fail."""
    if not form.validate():
        raise Invalid({name: [str(m) for m in messages] for name, messages in form.errors.items()})

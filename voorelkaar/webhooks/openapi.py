"""The subscriptions' part of the OpenAPI document, added to it at import (add_to)."""

from __future__ import annotations

from voorelkaar.models.api_token import Scope
from voorelkaar.webhooks.services import EVENTS

_EVENT = {"type": "string", "enum": sorted(EVENTS)}
_CALLBACK = {"type": "string", "minLength": 1, "maxLength": 500, "format": "uri"}

SUBSCRIPTION_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["callback_url", "events"],
    "properties": {
        "callback_url": _CALLBACK,
        "events": {"type": "array", "minItems": 1, "maxItems": 3, "items": _EVENT},
    },
}
SUBSCRIPTION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "callback_url", "events", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "callback_url": {"type": "string"},
        "events": {"type": "array", "items": _EVENT},
        "created_at": {"type": "string", "format": "date-time"},
        "secret": {
            "type": "string",
            "description": "Only in the answer to POST: keep it, it is not shown again.",
        },
    },
}
SUBSCRIPTIONS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["subscriptions"],
    "properties": {"subscriptions": {"type": "array", "items": SUBSCRIPTION}},
}


def add_to(document: dict) -> None:
    """Add the subscriptions' paths and schemas to document (again is harmless)."""
    from voorelkaar.api.openapi import _error, _guarded, _json_body, _ok, _ref

    scope = (Scope.CREATE_REFERRALS, Scope.REQUESTS)
    document["components"]["schemas"].update(
        SubscriptionInput=SUBSCRIPTION_INPUT, Subscription=SUBSCRIPTION, Subscriptions=SUBSCRIPTIONS
    )
    document["paths"]["/subscriptions"] = {
        "post": _guarded(
            scope,
            "Be told of events by webhook: a signed POST to callback_url (see the README).",
            {
                "201": _ok(
                    "The subscription, with its signing secret (shown once).", _ref("Subscription")
                ),
                "400": _error("Not JSON, or a callback URL that may not be called."),
                "422": _error("Some fields are not valid; see `invalid-params`."),
            },
            operationId="createSubscription",
            requestBody=_json_body("SubscriptionInput"),
        ),
        "get": _guarded(
            scope,
            "This token's webhook subscriptions.",
            {"200": _ok("The subscriptions, without their secrets.", _ref("Subscriptions"))},
            operationId="listSubscriptions",
        ),
    }
    document["paths"]["/subscriptions/{subscription_id}"] = {
        "delete": _guarded(
            scope,
            "End one of this token's subscriptions.",
            {
                "204": _ok("Ended; nothing more is delivered to it.", None),
                "404": _error("No such subscription of this token."),
            },
            operationId="deleteSubscription",
            parameters=[
                {
                    "name": "subscription_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                }
            ],
        )
    }

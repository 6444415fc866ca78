"""POST/GET/DELETE /api/v1/subscriptions: webhook subscriptions of an API token."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from voorelkaar.api.openapi import DOCUMENT
from voorelkaar.api.validation import check_body
from voorelkaar.api.views import ApiError, json_body, token_required
from voorelkaar.api.views import bp as api_bp
from voorelkaar.db import get_session
from voorelkaar.models import WebhookSubscription
from voorelkaar.models.api_token import Scope
from voorelkaar.webhooks import openapi, services
from voorelkaar.webhooks.addresses import RefusedUrl

# Nested in the API's blueprint: its prefix, its error answers, its endpoint names (api.*).
bp = Blueprint("subscriptions", __name__, url_prefix="/subscriptions")
api_bp.register_blueprint(bp)
openapi.add_to(DOCUMENT)

# A case system (referrals) and a volunteer centre (requests) may each follow their events.
SCOPES = (Scope.CREATE_REFERRALS, Scope.REQUESTS)


def _json(subscription: WebhookSubscription, secret: str | None = None) -> dict:
    body = {
        "id": subscription.id,
        "callback_url": subscription.url,
        "events": sorted(subscription.event_set),
        "created_at": subscription.created_at.isoformat(),
    }
    if secret:
        body["secret"] = secret
    return body


@bp.post("")
@token_required(*SCOPES)
def create():
    """Subscribe this token's system to events; the answer holds the secret, once."""
    body = check_body(json_body(), "SubscriptionInput")
    db = get_session()
    if len(services.subscriptions_of(db, g.api_token)) >= services.MAX_SUBSCRIPTIONS_PER_TOKEN:
        raise ApiError(422, "Deze sleutel heeft al het hoogste aantal abonnementen.")
    try:
        made = services.subscribe(db, g.api_token, body["callback_url"], body["events"])
    except RefusedUrl as refused:
        raise ApiError(400, str(refused), {"callback_url": [str(refused)]}) from None
    except services.NotAllowedEvent as event:
        message = f"Deze sleutel mag de gebeurtenis {event} niet volgen."
        raise ApiError(422, message, {"events": [message]}) from None
    response = jsonify(_json(made.subscription, made.secret))
    response.status_code = 201
    return response


@bp.get("")
@token_required(*SCOPES)
def index():
    """This token's subscriptions, without secrets."""
    found = services.subscriptions_of(get_session(), g.api_token)
    return jsonify({"subscriptions": [_json(item) for item in found]})


@bp.delete("/<int:subscription_id>")
@token_required(*SCOPES)
def delete(subscription_id: int):
    """End one of this token's subscriptions."""
    if not services.unsubscribe(get_session(), g.api_token, subscription_id):
        raise ApiError(404, "Dit abonnement bestaat niet (of is niet van deze sleutel).")
    return "", 204

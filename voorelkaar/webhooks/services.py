"""Webhook subscriptions, and delivering events to them through an outbox.

Features announce what happened (announce); each subscription that wants the event and
whose token may see its subject gets one delivery row, in the caller's transaction. The
job deliver_due posts them: at least once, in order per subject, with back-off, and a
staff task when given up. This module imports no feature.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from voorelkaar.db import claim, utcnow
from voorelkaar.models import ApiToken, TaskKind, WebhookDelivery, WebhookSubscription
from voorelkaar.models.api_token import Scope
from voorelkaar.tasks.services import open_task
from voorelkaar.webhooks import signing
from voorelkaar.webhooks.addresses import Address, RefusedUrl, check_url, pinned_connection

# The events a subscription may ask for, and the scope its token needs to see them.
EVENTS: dict[str, Scope] = {
    "referral.status_changed": Scope.CREATE_REFERRALS,
    "request.matched": Scope.REQUESTS,
    "request.closed": Scope.REQUESTS,
}
MAX_SUBSCRIPTIONS_PER_TOKEN = 10
BATCH_SIZE = 100
CLAIM_SECONDS = 60
ROUNDS = 10  # per run of the job, so one busy subject cannot hold it up for long


class NotAllowedEvent(ValueError):
    """An event the token's scopes do not cover, or that does not exist."""


@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    secret: str  # shown once


def _setting(name: str, default):
    return current_app.config.get(name, default)


def _fernet() -> Fernet:
    key = hashlib.sha256(b"webhooks:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def secret_of(subscription: WebhookSubscription) -> str:
    return _fernet().decrypt(subscription.secret_encrypted.encode()).decode()


def check_callback(url: str) -> Address:
    """Raise RefusedUrl unless url may be called under the running settings; the address."""
    return check_url(
        url,
        allow_http=bool(_setting("WEBHOOK_ALLOW_HTTP", False)),
        allowed_hosts=_setting("WEBHOOK_ALLOWED_HOSTS", ()),
    )


def subscribe(db: Session, token: ApiToken, url: str, events: Iterable[str]) -> NewSubscription:
    """Subscribe token's system to events at url; commits. The secret is returned once."""
    wanted = sorted(set(events))
    for name in wanted:
        scope = EVENTS.get(name)
        if scope is None or scope.value not in token.scope_set:
            raise NotAllowedEvent(name)
    check_callback(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription(
        token_id=token.id,
        url=url,
        events=" ".join(wanted),
        secret_encrypted=_fernet().encrypt(secret.encode()).decode(),
    )
    db.add(subscription)
    db.commit()
    return NewSubscription(subscription, secret)


def subscriptions_of(db: Session, token: ApiToken) -> list[WebhookSubscription]:
    return list(
        db.scalars(
            select(WebhookSubscription)
            .where(
                WebhookSubscription.token_id == token.id, WebhookSubscription.deleted_at.is_(None)
            )
            .order_by(WebhookSubscription.id)
        )
    )


def unsubscribe(db: Session, token: ApiToken, subscription_id: int) -> bool:
    """End one of token's subscriptions (its waiting deliveries stop); commits."""
    ended = claim(
        db,
        WebhookSubscription,
        subscription_id,
        WebhookSubscription.token_id == token.id,
        WebhookSubscription.deleted_at.is_(None),
        deleted_at=utcnow(),
    )
    db.commit()
    return ended


def announce(
    db: Session,
    *,
    event: str,
    subject: str,
    cause: str,
    data: dict,
    audience: Callable[[ApiToken], bool],
    at: datetime | None = None,
) -> int:
    """Queue event for every live subscription wanting it whose token audience accepts.

    cause names what happened once (an audit id, a status reached): the same cause for the
    same subscription is queued once. data holds ids, states and dates only. The caller
    commits. Returns how many deliveries were queued.
    """
    at = at or utcnow()
    queued = 0
    for subscription in _live_subscriptions(db, event, at):
        if not audience(subscription.token):
            continue
        delivery_id = str(uuid.uuid4())
        body = {
            "id": delivery_id,
            "type": event,
            "occurred_at": at.isoformat(),
            "data": data,
        }
        row = WebhookDelivery(
            idempotency_key=f"{event}:{cause}:{subscription.id}",
            delivery_id=delivery_id,
            subscription_id=subscription.id,
            event=event,
            subject=subject,
            body=json.dumps(body, separators=(",", ":"), sort_keys=True),
            created_at=at,
            send_after=at,
            attempts=0,
        )
        try:
            with db.begin_nested():  # the same cause announced twice queues nothing more
                db.add(row)
        except IntegrityError:
            continue
        queued += 1
    return queued


def _live_subscriptions(db: Session, event: str, now: datetime) -> list[WebhookSubscription]:
    rows = db.scalars(
        select(WebhookSubscription)
        .join(ApiToken, ApiToken.id == WebhookSubscription.token_id)
        .where(
            WebhookSubscription.deleted_at.is_(None),
            WebhookSubscription.events.contains(event),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
        .order_by(WebhookSubscription.id)
    )
    scope = EVENTS[event].value
    return [s for s in rows if event in s.event_set and scope in s.token.scope_set]


# ---------- Delivering ----------


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 6 * 60))


def _earlier_pending():
    earlier = aliased(WebhookDelivery)
    return exists().where(
        earlier.subscription_id == WebhookDelivery.subscription_id,
        earlier.subject == WebhookDelivery.subject,
        earlier.id < WebhookDelivery.id,
        earlier.delivered_at.is_(None),
        earlier.failed_at.is_(None),
    )


def deliver_due(db: Session, now: datetime) -> int:
    """Post every due delivery, oldest first, each after those before it on its subject."""
    done = 0
    # A round sends the first waiting delivery of each subject; the next its successors.
    for _round in range(ROUNDS):
        sent = _deliver_round(db, now)
        done += sent
        if sent == 0:
            break
    return done


def _deliver_round(db: Session, now: datetime) -> int:
    due = db.scalars(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.delivered_at.is_(None),
            WebhookDelivery.failed_at.is_(None),
            WebhookDelivery.send_after <= now,
            # Those waiting behind an earlier one would fill the batch and starve the rest.
            ~_earlier_pending(),
        )
        .order_by(WebhookDelivery.id)
        .limit(BATCH_SIZE)
    ).all()
    db.rollback()
    done = 0
    for delivery_id in due:
        won = claim(
            db,
            WebhookDelivery,
            delivery_id,
            WebhookDelivery.delivered_at.is_(None),
            WebhookDelivery.failed_at.is_(None),
            (WebhookDelivery.claimed_until.is_(None)) | (WebhookDelivery.claimed_until < now),
            ~_earlier_pending(),
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
        )
        db.commit()
        if not won:
            continue
        delivery = db.get(WebhookDelivery, delivery_id)
        if delivery is None:
            continue
        if _post(delivery, now):
            delivery.delivered_at = now
            done += 1
        else:
            _failed(db, delivery, now)
        delivery.claimed_until = None
        db.commit()
    return done


def _post(delivery: WebhookDelivery, now: datetime) -> bool:
    subscription = delivery.subscription
    if subscription.deleted_at is not None:
        delivery.last_error = "subscription ended"
        return True  # nothing more to do for it
    try:
        # Again: the name may resolve elsewhere by now. The delivery goes to this address.
        address = check_callback(subscription.url)
    except RefusedUrl as refused:
        delivery.last_error = f"refused: {refused}"[:500]
        return False
    body = delivery.body.encode()
    parts = urlsplit(subscription.url)
    connection = pinned_connection(
        subscription.url, address, timeout=_setting("WEBHOOK_TIMEOUT_SECONDS", 5)
    )
    try:
        # No redirects are followed: one could point anywhere, an internal address too.
        connection.request(
            "POST",
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "voorelkaar-webhooks/1",
                "Webhook-Id": delivery.delivery_id,
                "Webhook-Signature": signing.sign(
                    secret_of(subscription), body, int(now.timestamp())
                ),
            },
        )
        status = connection.getresponse().status
    except (OSError, ValueError, http.client.HTTPException) as error:
        delivery.last_error = f"{type(error).__name__}: {error}"[:500]
        return False
    finally:
        connection.close()
    if not 200 <= status < 300:
        delivery.last_error = f"HTTP {status}"
        return False
    return True


def _failed(db: Session, delivery: WebhookDelivery, now: datetime) -> None:
    delivery.attempts += 1
    if delivery.attempts < _setting("WEBHOOK_MAX_ATTEMPTS", 12):
        delivery.send_after = now + _backoff(delivery.attempts)
        return
    delivery.failed_at = now
    token = delivery.subscription.token
    open_task(
        db,
        key=f"webhook_failed:{delivery.id}",
        kind=TaskKind.WEBHOOK_FAILED,
        person=token.user,
        detail=(
            f"Een bericht ({delivery.event}) voor het systeem '{token.name}' kon niet worden "
            f"afgeleverd op {delivery.subscription.url}, ook niet na {delivery.attempts} "
            f"pogingen. Laatste fout: {delivery.last_error}. Bel de beheerder van dat systeem."
        ),
    )

"""Signing webhook bodies, and the check a receiver does (Webhook-Signature).

The header is `Webhook-Signature: t=<unix seconds>,v1=<hex>` where hex is
HMAC-SHA256 over f"{t}.{body}" with the subscription's secret. A receiver:

1. splits the header into t and v1;
2. computes hmac_sha256(secret, f"{t}.{raw body}") and compares it with v1 in constant
   time (hmac.compare_digest): a changed body or t fails;
3. refuses t more than TOLERANCE_SECONDS from its own clock: an old message replayed fails;
4. drops a Webhook-Id it has seen already: deliveries are at least once.
"""

from __future__ import annotations

import hashlib
import hmac

TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The Webhook-Signature header value for body sent at timestamp."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(
    secret: str, body: bytes, header: str, now: int, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """Whether header signs body with secret, made no more than tolerance seconds from now."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        return False
    return abs(now - timestamp) <= tolerance

"""Webhooks: API tokens subscribe to events, delivered signed through an outbox."""

from voorelkaar.webhooks.services import deliver_due

__all__ = ["deliver_due", "init_app"]


def init_app(app) -> None:
    """Register webhook deliveries as consequences of request events (at app start)."""
    from voorelkaar import events
    from voorelkaar.models import ReferralStatus
    from voorelkaar.webhooks.topics import Deliver

    events.also("match_confirmed", Deliver("request.matched", ReferralStatus.MATCHED))
    events.also("request_withdrawn", Deliver("request.closed"))
    events.also("request_expired", Deliver("request.closed"))
    events.also("request_done", Deliver("request.closed", ReferralStatus.DONE))

"""What each webhook event says, to whom: referral and request changes, as consequences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.events import Event
from voorelkaar.models import ApiToken, HelpRequest, Referral, ReferralStatus
from voorelkaar.tenancy import serves
from voorelkaar.webhooks.services import announce


def referral_changed(
    db: Session,
    referral: Referral,
    status: ReferralStatus | str,
    at: datetime | None = None,
    request_id: int | None = None,
) -> int:
    """Tell the consultant's systems a referral reached status; the caller commits."""
    status = str(status)
    return announce(
        db,
        event="referral.status_changed",
        subject=f"referral:{referral.id}",
        cause=f"{referral.id}:{status}",
        data={
            "referral_id": referral.id,
            "status": status,
            "request_id": request_id or referral.request_id,
        },
        audience=lambda token: token.user_id == referral.consultant_id,
        at=at,
    )


def _request_audience(db: Session, request: HelpRequest):
    def sees(token: ApiToken) -> bool:
        return serves(db, token.user, request.author.municipality_id)

    return sees


@dataclass(frozen=True)
class Deliver:
    """A consequence: queue `webhook` for the event's request, and its referral's change."""

    webhook: str  # request.matched or request.closed
    referral_status: ReferralStatus | None = None

    def apply(self, db: Session, event: Event) -> None:
        request = event.request
        if request is None:
            return
        announce(
            db,
            event=self.webhook,
            subject=f"request:{request.id}",
            cause=f"{event.kind}:{event.id}",
            data={"request_id": request.id, "state": str(request.state)},
            audience=_request_audience(db, request),
            at=event.at,
        )
        if self.referral_status is None:
            return
        for referral in db.scalars(select(Referral).where(Referral.request_id == request.id)):
            referral_changed(db, referral, self.referral_status, at=event.at)

"""Moderation steps: approve or reject what waits for review; all of it audited."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.help_requests.services import _publish, is_staff, record
from voorelkaar.models import AuditEvent, HelpRequest, RequestState, User
from voorelkaar.notify import enqueue_email


class ModerationError(Exception):
    pass


def review_queue(db: Session) -> list[HelpRequest]:
    """Requests waiting for review, oldest first."""
    return list(
        db.scalars(
            select(HelpRequest)
            .where(HelpRequest.state == RequestState.PENDING)
            .order_by(HelpRequest.updated_at, HelpRequest.id)
        )
    )


def _check(actor: User, request: HelpRequest) -> None:
    if not is_staff(actor):
        raise ModerationError("only staff moderate")
    if request.state != RequestState.PENDING:
        raise ModerationError("not waiting for review")


def approve_request(db: Session, actor: User, request: HelpRequest) -> None:
    """Put a reviewed request online and tell its author."""
    _check(actor, request)
    _publish(request)
    event = record(db, actor, "request.approved", request)
    enqueue_email(
        db,
        key=f"request-approved:{event.id}",
        user=request.author,
        template="request_approved",
        kind="moderation",
        item=request,
    )
    db.commit()


def reject_request(db: Session, actor: User, request: HelpRequest, reason: str) -> None:
    """Refuse a request with a reason, which the author receives by email."""
    _check(actor, request)
    request.state = RequestState.REJECTED
    request.reject_reason = reason
    event = record(db, actor, "request.rejected", request, reason)
    enqueue_email(
        db,
        key=f"request-rejected:{event.id}",
        user=request.author,
        template="request_rejected",
        kind="moderation",
        item=request,
        reason=reason,
    )
    db.commit()


def audit_trail(db: Session, limit: int = 200) -> list[AuditEvent]:
    """The newest moderation events first."""
    return list(
        db.scalars(
            select(AuditEvent)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )

"""Anyone logged in may report a post or a profile; staff handle the report."""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth.access import is_staff
from voorelkaar.db import utcnow
from voorelkaar.help_requests.services import request_for
from voorelkaar.models import Report, RequestState, User
from voorelkaar.moderation.services import (
    POST_KINDS,
    ModerationError,
    block_user,
    find_post,
    post_url,
)
from voorelkaar.notify import enqueue_email
from voorelkaar.offers.services import offer_for
from voorelkaar.organisations.services import vacancy_for
from voorelkaar.tenancy import serves

PROFILE = "profiel"


@dataclass(frozen=True)
class Subject:
    kind: str
    item: object  # a post or a User

    @property
    def title(self) -> str:
        return self.item.first_name if isinstance(self.item, User) else self.item.title

    @property
    def author(self) -> User:
        return self.item if isinstance(self.item, User) else self.item.author

    @property
    def url(self) -> str:
        if isinstance(self.item, User):
            return url_for("profiles.show", user_id=self.item.id)
        return post_url(self.item)


# A post may be reported by whoever may open its page: the same rule as that page, so the
# report form shows no title of a pending, refused or closed post to anyone else.
VISIBLE_TO = {"hulpvraag": request_for, "aanbod": offer_for, "vacature": vacancy_for}


def find_subject(
    db: Session, kind: str, subject_id: int, viewer: User | None = None
) -> Subject | None:
    """What may be reported: a post of a known kind, or a profile; as viewer may see it."""
    if kind == PROFILE:
        user = db.get(User, subject_id)
        return Subject(kind, user) if user else None
    if viewer is not None:
        visible_to = VISIBLE_TO.get(kind)
        post = visible_to(db, viewer, subject_id) if visible_to else None
    else:
        post = find_post(db, kind, subject_id)
    return Subject(kind, post) if post else None


def _kind_for_table(table: str) -> str:
    if table == "users":
        return PROFILE
    return next(slug for slug, kind in POST_KINDS.items() if kind.model.__tablename__ == table)


def file_report(db: Session, reporter: User, subject: Subject, reason: str) -> Report:
    """Record a report for staff to look at."""
    report = Report(
        reporter_id=reporter.id,
        subject_type=type(subject.item).__tablename__,
        subject_id=subject.item.id,
        reason=reason,
    )
    db.add(report)
    db.commit()
    return report


def open_reports(db: Session, viewer: User) -> list[tuple[Report, Subject | None]]:
    """Reports not handled yet about the people and posts of viewer's municipalities."""
    reports = db.scalars(
        select(Report).where(Report.handled_at.is_(None)).order_by(Report.created_at, Report.id)
    )
    found = [(report, subject_of(db, report)) for report in reports]
    return [(report, subject) for report, subject in found if _serves(db, viewer, report, subject)]


def report_for(db: Session, viewer: User, report_id: int) -> Report | None:
    """One report, when it is about someone or something of viewer's municipalities."""
    report = db.get(Report, report_id)
    if report is None or not _serves(db, viewer, report, subject_of(db, report)):
        return None
    return report


def _serves(db: Session, viewer: User, report: Report, subject: Subject | None) -> bool:
    """A report belongs to its subject's municipality (else, when that is gone, the reporter's)."""
    owner = subject.item if subject is not None else report.reporter
    return owner is not None and serves(db, viewer, owner.municipality_id)


def subject_of(db: Session, report: Report) -> Subject | None:
    return find_subject(db, _kind_for_table(report.subject_type), report.subject_id)


def handle_report(
    db: Session,
    actor: User,
    report: Report,
    outcome: str,
    *,
    hide_post: bool = False,
    block_author: bool = False,
) -> None:
    """Close a report with what was done; tell the reporter it was handled."""
    if not is_staff(actor) or report_for(db, actor, report.id) is None:
        raise ModerationError("only staff of its municipality handle a report")
    if report.handled_at is not None:
        raise ModerationError("already handled")
    subject = subject_of(db, report)
    hideable = subject is not None and not isinstance(subject.item, User)
    if hide_post and hideable and subject.item.state in (RequestState.OPEN, RequestState.PENDING):
        subject.item.state = RequestState.CANCELLED
        record(db, actor, f"{report.subject_type}.hidden", subject.item, outcome)
    # Other open reports about the same post or person are settled by the same look, and
    # each reporter hears of it once, however often they pressed "Meld misbruik".
    same = db.scalars(
        select(Report).where(
            Report.handled_at.is_(None),
            Report.subject_type == report.subject_type,
            Report.subject_id == report.subject_id,
            Report.id != report.id,
        )
    ).all()
    told: set[int] = set()
    for each in (report, *same):
        each.handled_at = utcnow()
        each.handled_by_id = actor.id
        each.outcome = outcome
        event = record(db, actor, "reports.handled", each, outcome)
        if each.reporter is not None and each.reporter_id not in told:
            told.add(each.reporter_id)
            enqueue_email(
                db,
                key=f"report-handled:{event.id}:{each.reporter_id}",
                user=each.reporter,
                template="report_handled",
                kind="moderation",
            )
    db.flush()
    if subject is not None and block_author:
        block_user(db, actor, subject.author, outcome)  # commits
    db.commit()

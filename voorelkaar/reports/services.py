"""Anyone logged in may report a post or a profile; staff handle the report."""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from voorelkaar.audit import record
from voorelkaar.auth.access import is_staff
from voorelkaar.db import utcnow
from voorelkaar.events import emit
from voorelkaar.help_requests.services import end_matches, request_for
from voorelkaar.models import HelpRequest, MatchState, Report, RequestState, User
from voorelkaar.moderation.services import (
    POST_KINDS,
    ModerationError,
    block_user,
    external_url,
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


def open_reports(
    db: Session, viewer: User, limit: int | None = None
) -> list[tuple[Report, Subject | None]]:
    """Reports not handled yet about the people and posts of viewer's municipalities,
    oldest first; the oldest limit only, when given."""
    reports = db.scalars(
        select(Report).where(Report.handled_at.is_(None)).order_by(Report.created_at, Report.id)
    )
    found = []
    for report in reports:
        subject = subject_of(db, report)
        if _serves(db, viewer, report, subject):
            found.append((report, subject))
            if limit is not None and len(found) >= limit:
                break
    return found


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
    hide_reason: str | None = None,
    block_author: bool = False,
) -> None:
    """Close a report with what was done; tell the reporter once, and the author of a post
    hidden for it why."""
    if not is_staff(actor) or report_for(db, actor, report.id) is None:
        raise ModerationError("only staff of its municipality handle a report")
    subject = subject_of(db, report)
    hideable = subject is not None and not isinstance(subject.item, User)
    reason = (hide_reason or "").strip()
    if hide_post and hideable and not reason:
        raise ModerationError("a hidden post needs a reason for its author")
    handled = _settle(db, actor, report, outcome)
    if report.id not in {each.id for each in handled}:
        db.rollback()
        raise ModerationError("already handled")
    if hide_post and hideable and subject.item.state in (RequestState.OPEN, RequestState.PENDING):
        hide_post_for_report(db, actor, subject.item, reason)
    _tell_reporters(db, handled)
    db.flush()
    if subject is not None and block_author:
        block_user(db, actor, subject.author, outcome)  # commits
    db.commit()


def _settle(db: Session, actor: User, report: Report, outcome: str) -> list[Report]:
    """Mark this report and every other open one about the same post or person handled.

    One conditional UPDATE claims them: when two coordinators press "Afhandelen" at the
    same moment, each report is settled (and its reporter told) by one of them only.
    """
    now = utcnow()
    claimed = db.scalars(
        update(Report)
        .where(
            Report.handled_at.is_(None),
            Report.subject_type == report.subject_type,
            Report.subject_id == report.subject_id,
        )
        .values(handled_at=now, handled_by_id=actor.id, outcome=outcome)
        .returning(Report.id)
        .execution_options(synchronize_session=False)
    ).all()
    handled = list(
        db.scalars(
            select(Report)
            .where(Report.id.in_(claimed))
            .order_by(Report.id)
            .execution_options(populate_existing=True)
        )
    )
    for each in handled:
        record(db, actor, "reports.handled", each, outcome)
    return handled


def _tell_reporters(db: Session, handled: list[Report]) -> None:
    """One "Uw melding is bekeken" per reporter, however often they pressed "Meld misbruik".

    Keyed by the first of their reports settled now, so the same report never mails twice.
    """
    first: dict[int, Report] = {}
    for each in handled:
        if each.reporter is not None and each.reporter_id not in first:
            first[each.reporter_id] = each
    for reporter_id, each in first.items():
        enqueue_email(
            db,
            key=f"report-handled:{each.id}:{reporter_id}",
            user=each.reporter,
            template="report_handled",
            kind="moderation",
        )


def hide_post_for_report(db: Session, actor: User, post, reason: str) -> None:
    """Take a reported post offline and tell its author why, by mail (or a call task when
    they have no email address); their own pages then say it was hidden, not withdrawn."""
    now = utcnow()
    post.state = RequestState.CANCELLED
    post.reject_reason = reason
    post.hidden_at = now
    event = record(db, actor, f"{type(post).__tablename__}.hidden", post, reason)
    if isinstance(post, HelpRequest):
        # The volunteers who offered, were invited or were to come hear it is off; its
        # tasks close themselves (voorelkaar.tasks.events).
        post.confirmed_count = 0
        ended = end_matches(db, post, (MatchState.INVITED, MatchState.OFFERED), now)
        ended += end_matches(db, post, (MatchState.CONFIRMED,), now, MatchState.CANCELLED)
        emit(db, "request_hidden", event, actor=actor, request=post, ended=ended)
    enqueue_email(
        db,
        key=f"post-hidden:{event.id}",
        user=post.author,
        template="post_hidden",
        kind="moderation",
        item=post,
        reason=reason,
        link=external_url(post_url(post)),
    )

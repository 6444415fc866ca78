"""Which jobs exist and how often they run."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from voorelkaar.notify import dispatch_outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Session, datetime], int]  # returns how much it did
    every_seconds: int
    description: str


JOBS: tuple[Job, ...] = (Job("outbox", dispatch_outbox, 30, "verstuurt e-mails uit de outbox"),)


def run_due_jobs(db: Session, now: datetime) -> list[tuple[Job, int]]:
    """Run every job once; a failing job is logged and does not stop the others."""
    results = []
    for job in JOBS:
        try:
            results.append((job, job.run(db, now)))
        except Exception:
            db.rollback()
            log.exception("job %s failed", job.name)
            results.append((job, -1))
    return results

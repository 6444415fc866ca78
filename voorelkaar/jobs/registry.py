"""Which jobs exist and how often they run."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from voorelkaar.account.jobs import apply_retention
from voorelkaar.api.tokens import warn_of_expiry
from voorelkaar.audit import forget_old_events, seal_job
from voorelkaar.auth.services import forget_unconfirmed
from voorelkaar.carers.jobs import run_checkins
from voorelkaar.db import utcnow
from voorelkaar.figures.rollups import refresh as refresh_figures
from voorelkaar.help_requests.jobs import chase_open_requests
from voorelkaar.idempotency import forget_old_tokens
from voorelkaar.kept_forms import forget_kept_forms
from voorelkaar.matches.jobs import chase_offers, send_followups, send_reminders
from voorelkaar.network.services import circle_due
from voorelkaar.notify import dispatch_outbox
from voorelkaar.referrals.jobs import expire_referrals
from voorelkaar.volunteers.jobs import send_digests
from voorelkaar.volunteers.services import end_pauses
from voorelkaar.webhooks import deliver_due as deliver_webhooks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Session, datetime], int]  # returns how much it did
    every_seconds: int
    description: str


# Jobs that write mail come before the dispatcher, so one pass of send-due also sends it.
JOBS: tuple[Job, ...] = (
    Job("herinneringen", send_reminders, 300, "herinnert vrijwilligers een dag voor de afspraak"),
    Job("nabellen", send_followups, 300, "vraagt na de afspraak: is het gelukt?"),
    Job("aanbod", chase_offers, 300, "herinnert aan een aanbod na 3 dagen; taak voor staf na 7"),
    Job(
        "open-hulpvragen",
        chase_open_requests,
        300,
        "taken bij 7 dagen zonder match, 'nog nodig?' na 14 dagen, verlopen na 30",
    ),
    Job(
        "pauzes", end_pauses, 900, "vrijwilligers zijn weer beschikbaar na het einde van hun pauze"
    ),
    Job("overzicht", send_digests, 900, "wekelijks overzicht van nieuwe hulpvragen in de buurt"),
    Job(
        "eigen-netwerk",
        circle_due,
        300,
        "vraagt of een hulpvraag naar de wijk mag als het eigen netwerk niet kon; taak na 2 dagen",
    ),
    Job("checkins", run_checkins, 300, "vraagt mantelzorgers hoe het gaat, en herinnert"),
    Job("verwijzingen", expire_referrals, 900, "verwijzingen verlopen na 30 dagen; taak voor staf"),
    Job("webhooks", deliver_webhooks, 60, "levert webhookberichten af, opnieuw na een pauze"),
    Job("api-sleutels", warn_of_expiry, 3600, "waarschuwt twee weken voor een API-sleutel stopt"),
    Job("bewaartermijn", apply_retention, 3600, "anonimiseert oude gegevens, waarschuwt vooraf"),
    Job("logboek", forget_old_events, 86400, "vergeet logregels na de bewaartermijn van het log"),
    Job("logboek-zegel", seal_job, 60, "verzegelt nieuwe logregels in de keten"),
    Job(
        "formulieren",
        forget_old_tokens,
        3600,
        "vergeet na 30 dagen welke formulieren al verstuurd zijn",
    ),
    Job(
        "onbevestigd",
        forget_unconfirmed,
        3600,
        "verwijdert accounts die na een week nog niet via de e-mail zijn bevestigd",
    ),
    Job(
        "bewaarde-invoer",
        forget_kept_forms,
        600,
        "vergeet na een uur wat bewaard werd bij een verlopen sessie",
    ),
    Job("outbox", dispatch_outbox, 30, "verstuurt e-mails uit de outbox"),
    # Last, so that one pass of send-due also counts what the jobs above changed.
    Job(
        "cijfers",
        refresh_figures,
        60,
        "werkt de cijfers bij voor wat sinds de vorige keer veranderde",
    ),
)


def run_due_jobs(db: Session, now: datetime | None = None) -> list[tuple[Job, int]]:
    """Run every job once; a failing job is logged and does not stop the others.

    Without now, each job gets the time it starts at, so mail queued by one job
    (due from the moment it was written) is sent by the dispatcher in the same pass.
    """
    results = []
    for job in JOBS:
        try:
            results.append((job, job.run(db, now or utcnow())))
        except Exception:
            db.rollback()
            log.exception("job %s failed", job.name)
            results.append((job, -1))
    return results

"""`flask --app wsgi scheduler` and `flask --app wsgi send-due`."""

import logging

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from voorelkaar.db import get_session, utcnow
from voorelkaar.jobs.registry import JOBS, Job, run_due_jobs
from voorelkaar.observability import job_succeeded

log = logging.getLogger(__name__)


@click.command("send-due")
@with_appcontext
def send_due_command():
    """Run every due job once and print what each did."""
    for job, count in run_due_jobs(get_session()):
        outcome = "MISLUKT (zie log)" if count < 0 else f"{count}"
        click.echo(f"{job.name}: {outcome} — {job.description}")


def _run_in_app(app: Flask, job: Job) -> None:
    # Each run gets its own app context, and so its own database session.
    with app.app_context():
        try:
            job.run(get_session(), utcnow())
        except Exception:
            log.exception("job %s failed", job.name)
        else:
            job_succeeded(job.name)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduler process until stopped (never inside web workers)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone="Europe/Amsterdam")
    for job in JOBS:
        scheduler.add_job(
            _run_in_app,
            "interval",
            seconds=job.every_seconds,
            args=(app, job),
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            next_run_time=utcnow(),
        )
    click.echo("Planner gestart. Stop met Ctrl-C.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Planner gestopt.")


def init_app(app: Flask) -> None:
    app.cli.add_command(send_due_command)
    app.cli.add_command(scheduler_command)

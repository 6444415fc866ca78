"""Scheduled jobs: plain functions of (session, now), and the commands that run them."""

from voorelkaar.jobs.cli import init_app
from voorelkaar.jobs.registry import JOBS, Job, run_due_jobs

__all__ = ["JOBS", "Job", "init_app", "run_due_jobs"]

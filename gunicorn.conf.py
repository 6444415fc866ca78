"""gunicorn's settings, read from the environment: `gunicorn -c gunicorn.conf.py wsgi:app`.

The production arrangement (several hosts behind a proxy, systemd units) is described in
the README; this file holds what the app itself needs of gunicorn.
"""

import os

import gunicorn
import gunicorn.http.wsgi

# The Server header names no server software: nothing for a scanner to look up.
gunicorn.SERVER = gunicorn.http.wsgi.SERVER = "voorelkaar"

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# Address, request line, status, size and time; no referrer (it can hold a link with a
# token) and no user agent. The app's redaction filter takes tokens out of the request line.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


def child_exit(server, worker):
    """A worker that ended no longer counts in /metrics' live gauges (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

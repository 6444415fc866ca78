"""Configuration: defaults here, then instance/config.py, then the environment."""

import os
import secrets
from pathlib import Path

# Variables read from the environment, as documented in DESIGN.md section 7.
ENVIRONMENT_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "MAIL_URL",
    "BASE_URL",
    "RATELIMIT_STORAGE_URI",
    "VOORELKAAR_ENV",
    "TRUSTED_PROXIES",
    "SECURITY_LOG_RETENTION_DAYS",
    "SECOND_FACTOR_KEY",
    "METRICS_ALLOWED_IPS",
    "METRICS_TOKEN",
)


class Defaults:
    VOORELKAAR_ENV = "development"  # "production" turns on the strict checks
    # How many proxies (load balancer, TLS terminator) stand before the app. 0: forwarded
    # headers are ignored, so nobody can pick the address the per-address limits count.
    TRUSTED_PROXIES = 0
    # Who may read /metrics: these addresses (comma-separated), or whoever sends
    # "Authorization: Bearer METRICS_TOKEN". Anyone else gets a 404.
    METRICS_ALLOWED_IPS = "127.0.0.1"
    METRICS_TOKEN = None
    SITE_NAME = "Meppel voor elkaar"
    MUNICIPALITY = "Meppel"
    BASE_URL = "http://127.0.0.1:5000"
    DATABASE_URL = None  # None: SQLite file in instance/
    SQL_ECHO = False
    MAIL_URL = None  # None: .eml files under instance/mail/
    MAIL_FROM = "Meppel voor elkaar <noreply@voorelkaar.nl>"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_IP = "20 per 10 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 10 minutes"
    REGISTER_LIMIT_PER_IP = "30 per hour"
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds
    EMAIL_CONFIRM_MAX_AGE = 60 * 60 * 48  # the link that makes a new account usable
    UNCONFIRMED_KEEP = 60 * 60 * 24 * 7  # then an account never confirmed is removed
    CONFIRM_RESEND_LIMIT_PER_IP = "10 per hour"
    # The second factor (a code from an app): how long the code page waits after the
    # password, how many wrong codes it takes before the password is asked again, and how
    # many wrong codes an account gets on the server, whatever the browser sends.
    SECOND_FACTOR_PENDING_SECONDS = 5 * 60
    SECOND_FACTOR_TRIES = 5
    SECOND_FACTOR_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    # Encrypts the apps' secrets in the database. None: derived from SECRET_KEY, so a new
    # SECRET_KEY means everyone sets up their app again; set this to keep them apart.
    SECOND_FACTOR_KEY = None
    MAX_CONTENT_LENGTH = 512 * 1024
    # A consent date before this is a typing error: referrals began after it (ISO date).
    EARLIEST_CONSENT_DATE = "2020-01-01"
    # A municipality's logo (and a CSV of its wijken) may be this big. An upload form takes
    # up to UPLOAD_REQUEST_LIMIT, so that a larger file is refused with a message.
    LOGO_MAX_BYTES = 1024 * 1024
    UPLOAD_REQUEST_LIMIT = 32 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")
    SESSION_COOKIE_NAME = "voorelkaar_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True below outside development
    # How long a login lasts (OWASP ASVS 3.3.2 at level 2): at most 12 hours however busy,
    # and for the back office (staff, consultants, admins, who see addresses and notes) 30
    # minutes without a page. Residents and volunteers may stay idle up to the 12 hours: they
    # see only their own data, type slowly, and a form sent after the end is kept anyway.
    SESSION_ABSOLUTE_LIFETIME = 60 * 60 * 12
    SESSION_IDLE_BACK_OFFICE = 60 * 30
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12  # idle, for residents and volunteers; the cookie
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SCHEDULER_OUTBOX_SECONDS = 30
    OUTBOX_CLAIM_SECONDS = 300  # a dispatcher that dies holds its batch this long
    OUTBOX_GIVE_UP_AFTER_HOURS = 72  # mail the server has not taken by then is given up
    MAX_TRAVEL_KM = 25  # the SQL prefilter for suggestions: nobody travels further
    API_RATE_LIMIT = "60 per minute"  # per API token (per IP without one)
    # Refused tokens per address, counted before any token is looked up: made-up tokens
    # cannot each get a counter of their own.
    API_REFUSED_LIMIT_PER_IP = "20 per 10 minutes"
    RETENTION_MONTHS = 24  # closed requests and inactive accounts are anonymised after this
    # How long the audit trail and security log keep a row (at least 180 days: the database
    # refuses to let a younger row go). Two years: long enough to answer "who looked at my
    # data?" over the whole time an account is usually kept, no longer.
    SECURITY_LOG_RETENTION_DAYS = 730


def load_environment(config: dict) -> None:
    """Copy the documented environment variables over the configuration."""
    for key in ENVIRONMENT_KEYS:
        value = os.environ.get(key)
        if value:
            config[key] = value


def database_url(config: dict, instance_path: str) -> str:
    """The configured database, or the embedded SQLite file in instance/."""
    url = config.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'voorelkaar.sqlite'}"
    # Accept the common postgres:// spelling and use psycopg 3 for it.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def ensure_secret_key(config: dict, instance_path: str) -> None:
    """Use SECRET_KEY if given; in development generate one and keep it in instance/."""
    if config.get("SECRET_KEY"):
        return
    if config["VOORELKAAR_ENV"] == "production":
        raise RuntimeError("SECRET_KEY ontbreekt: stel SECRET_KEY in voor productie.")
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    config["SECRET_KEY"] = key_file.read_text().strip()


def check_production(config: dict) -> None:
    """Refuse to run an unsafe production configuration; harden cookies."""
    if config["VOORELKAAR_ENV"] != "production":
        return
    if config.get("DEBUG"):
        raise RuntimeError("DEBUG mag niet aan staan in productie.")
    if len(config.get("SECRET_KEY") or "") < 32:
        raise RuntimeError("SECRET_KEY moet in productie minstens 32 tekens lang zijn.")
    config["SESSION_COOKIE_SECURE"] = True
    # __Host-: the browser takes the cookie only over HTTPS, for the whole site and this host
    # alone, so no other host under the same domain can set or overwrite it.
    config["SESSION_COOKIE_NAME"] = "__Host-voorelkaar_session"
    config["SESSION_COOKIE_PATH"] = "/"
    config["SESSION_COOKIE_DOMAIN"] = None
    config["PREFERRED_URL_SCHEME"] = "https"

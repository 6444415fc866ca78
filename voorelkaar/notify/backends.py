"""Where mail goes: .eml files under instance/mail/ (default), or SMTP from MAIL_URL."""

import contextlib
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from voorelkaar.db import utcnow


class MailError(Exception):
    """Sending failed; the dispatcher will try again later."""


def build_message(message, sender: str) -> EmailMessage:
    """The MIME message for an outbox row: plain text with an HTML alternative."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to_address
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.message_id
    mail["Date"] = format_datetime(message.created_at or utcnow())
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    return mail


class FileBackend:
    """Writes each message as an .eml file, so a newcomer sees what would be sent."""

    def __init__(self, directory: Path):
        self.directory = directory

    def __enter__(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc):
        return False

    def send(self, message, sender: str) -> None:
        path = self.directory / f"{message.id:08d}-{message.kind}.eml"
        path.write_bytes(bytes(build_message(message, sender)))


class SMTPBackend:
    """Sends over one SMTP connection per batch."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.ssl = parts.scheme == "smtps"
        self.starttls = parts.scheme == "smtp+starttls"
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.connection = None

    def __enter__(self):
        try:
            smtp_class = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
            self.connection = smtp_class(self.host, self.port, timeout=30)
            if self.starttls:
                self.connection.starttls()
            if self.username:
                self.connection.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as error:
            self.connection = None
            raise MailError("cannot connect to the SMTP server") from error
        return self

    def __exit__(self, *exc):
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
        return False

    def send(self, message, sender: str) -> None:
        try:
            self.connection.send_message(build_message(message, sender))
        except (OSError, smtplib.SMTPException) as error:
            raise MailError("the SMTP server refused the message") from error


def backend_for(config, instance_path: str):
    """The backend that MAIL_URL names; files under instance/mail/ by default."""
    url = config.get("MAIL_URL")
    if not url or url.startswith("file:"):
        directory = urlsplit(url).path if url else None
        return FileBackend(Path(directory) if directory else Path(instance_path) / "mail")
    return SMTPBackend(url)

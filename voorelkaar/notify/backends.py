"""Where mail goes: .eml files under instance/mail/ (default), or SMTP from MAIL_URL."""

import contextlib
import smtplib
import uuid
from email import message_from_bytes, policy
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from voorelkaar.db import utcnow

UTF8 = Charset("utf-8")
UTF8.body_encoding = QP


class _Compat32(policy.Compat32):
    """compat32 that writes a short ASCII header as it is, without folding it first."""

    def fold_binary(self, name, value):
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= self.max_line_length
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}".encode()
        return super().fold_binary(name, value)


# smtplib sends bytes as they are, and SMTP ends lines with CRLF.
CRLF = _Compat32(linesep="\r\n")


class MailError(Exception):
    """Sending failed; the dispatcher will try again later."""


class ConnectionLost(MailError):
    """The connection broke while sending: the rest of the batch waits for the next pass."""


def build_message(message, sender: str) -> Message:
    """The MIME message for an outbox row: plain text with an HTML alternative."""
    # email.mime (the compat32 policy), not EmailMessage: parsing each header back in,
    # as EmailMessage does, took longer than sending the message.
    mail = _text(message.body_text, "plain")
    if message.body_html:
        html = _text(message.body_html, "html")
        mail = MIMEMultipart("alternative", _boundary(), _subparts=[mail, html])
    if message.attachment is not None:
        maintype, _, subtype = message.attachment_type.partition("/")
        attachment = MIMEBase(maintype, subtype)
        attachment.set_payload(message.attachment.encode())
        encode_base64(attachment)
        attachment.add_header("Content-Disposition", "attachment", filename=message.attachment_name)
        mail = MIMEMultipart("mixed", _boundary(), _subparts=[mail, attachment])
    mail["From"] = _address(sender)
    mail["To"] = message.to_address
    mail["Subject"] = _header(message.subject)
    mail["Message-ID"] = message.message_id
    mail["Date"] = format_datetime(message.created_at or utcnow())
    if message.unsubscribe_url:
        # RFC 8058: mail programs may offer "unsubscribe" and POST to the link themselves.
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return mail


def _text(body: str, subtype: str) -> MIMEText:
    # Quoted-printable: 7-bit safe, short lines, and the Dutch stays readable in the source.
    return MIMEText(body, subtype, UTF8)


def _boundary() -> str:
    # "=_" never occurs in quoted-printable or base64 text, so no part can contain the
    # boundary, and the generator need not search every part for a free one.
    return f"=_{uuid.uuid4().hex}"


def _header(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


@cache  # the sender, the same for every message
def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8")


@cache
def _envelope_sender(from_header: str) -> str:
    return parseaddr(from_header)[1]


class FileBackend:
    """Writes each message as an .eml file, so a newcomer sees what would be sent."""

    def __init__(self, directory: Path):
        self.directory = directory

    def __enter__(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc):
        return False

    def send(self, mail: Message, name: str) -> None:
        (self.directory / f"{name}.eml").write_bytes(bytes(mail))


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

    def send(self, mail: Message, name: str) -> None:
        recipient = mail["To"]
        try:
            if recipient.isascii():
                sender = _envelope_sender(mail["From"])
                self.connection.sendmail(sender, [recipient], mail.as_bytes(policy=CRLF))
            else:
                self.connection.send_message(_international(mail))
        except smtplib.SMTPServerDisconnected as error:
            raise ConnectionLost("the connection to the SMTP server broke") from error
        except smtplib.SMTPException as error:  # a subclass of OSError: caught first
            if self.connection.sock is None:  # a 421 reply closes the connection
                raise ConnectionLost("the SMTP server closed the connection") from error
            raise MailError("the SMTP server refused the message") from error
        except OSError as error:
            raise ConnectionLost("the connection to the SMTP server broke") from error


def _international(mail: Message) -> EmailMessage:
    """The message for an address beyond ASCII; smtplib then asks the server for SMTPUTF8."""
    recipient = mail["To"]
    del mail["To"]
    international = message_from_bytes(mail.as_bytes(), policy=policy.SMTPUTF8)
    international["To"] = recipient
    return international


def backend_for(config, instance_path: str):
    """The backend that MAIL_URL names; files under instance/mail/ by default."""
    url = config.get("MAIL_URL")
    if not url or url.startswith("file:"):
        directory = urlsplit(url).path if url else None
        return FileBackend(Path(directory) if directory else Path(instance_path) / "mail")
    return SMTPBackend(url)

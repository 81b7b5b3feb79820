"""Sending email: SMTP in production and tests, files in development.

Messages are rendered from templates in the recipient's language; the
``file`` backend writes each message as an ``.eml`` file into
``MAIL_CATCH_DIR`` where the development mailbox page can show it.
"""

import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import encoders
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from envoycrm.models.base import utcnow


class MailError(Exception):
    """The message could not be handed to the mail server.

    ``temporary`` says whether trying again later may succeed: 4xx answers,
    refused or dropped connections and timeouts are temporary; 5xx answers
    (a refused recipient, a rejected message) are permanent.
    """

    def __init__(self, message: str, temporary: bool = True):
        super().__init__(message)
        self.temporary = temporary


def _is_temporary(exc: Exception) -> bool:
    """Classify an ``smtplib`` or socket error as temporary or permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return not 500 <= exc.smtp_code < 600
    # Connection refused or dropped, timeouts, DNS failures: try again later.
    return True


def date_header() -> str:
    """Now, as a Date header in UTC: ``+0000`` (``-0000`` means "zone unknown")."""
    return format_datetime(utcnow())


def describe(exc: Exception) -> str:
    """A sentence an admin can read for an ``smtplib`` or socket error.

    ``str()`` of an SMTP error is a Python tuple with bytes in it.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_text(reply)}"
            for address, (code, reply) in exc.recipients.items()
        )
        return f"recipient refused ({refused})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused by the mail server"
    if isinstance(exc, TimeoutError):
        return "the mail server did not answer in time"
    return str(exc) or type(exc).__name__


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", errors="replace")
    return " ".join(reply.split())


def render_message(
    to: str, template: str, locale: str | None, subject, **context
) -> EmailMessage:
    """Build a multipart text + HTML message from ``mail/<template>.txt|.html``.

    ``subject`` may be a lazy string; it is rendered in ``locale`` too.
    """
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
        subject_text = str(subject)
    message = EmailMessage()
    message["Subject"] = subject_text
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Date"] = date_header()
    message["Message-ID"] = make_msgid(domain="envoycrm.local")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


@dataclass
class Part:
    """A file in a mail: an image the HTML shows (``cid``) or an attachment."""

    data: bytes | str
    maintype: str
    subtype: str
    filename: str
    cid: str = ""  # without the angle brackets
    params: dict[str, str] = field(default_factory=dict)

    def mime(self) -> MIMEBase:
        """The MIME part: text in UTF-8, anything else in base64."""
        part: MIMEBase
        if isinstance(self.data, str):
            part = MIMEText(self.data, self.subtype, "utf-8")
        else:
            part = MIMEBase(self.maintype, self.subtype)
            part.set_payload(self.data)
            encoders.encode_base64(part)
        del part["MIME-Version"]
        for name, value in self.params.items():
            part.set_param(name, value)
        if self.cid:
            part["Content-ID"] = f"<{self.cid}>"
        disposition = "inline" if self.cid else "attachment"
        part.add_header("Content-Disposition", disposition, filename=self.filename)
        return part


def assemble(
    headers: dict[str, str],
    text: str,
    html: str,
    inline: Sequence[Part] = (),
    attachments: Sequence[Part] = (),
) -> Message:
    """A text + HTML message, with images the HTML shows and attachments.

    Built with the ``compat32`` classes: they store headers as given where
    ``EmailMessage`` parses each one, which costs three times as much, and a
    sending pass renders thousands. The structure is the usual one:
    mixed(alternative(text, related(html, images)), attachments). Any
    header with non-ASCII text is encoded (RFC 2047) here.
    """
    body: MIMEBase = MIMEMultipart("alternative")
    body.attach(_text_part(text, "plain"))
    if inline:
        related = MIMEMultipart("related")
        related.attach(_text_part(html, "html"))
        for part in inline:
            related.attach(part.mime())
        body.attach(related)
    else:
        body.attach(_text_part(html, "html"))
    if attachments:
        del body["MIME-Version"]
        message: MIMEBase = MIMEMultipart("mixed")
        message.attach(body)
        for part in attachments:
            message.attach(part.mime())
    else:
        message = body
    for name, value in headers.items():
        # compat32 takes a Header object where typeshed says str.
        message[name] = _header(name, value)  # type: ignore[assignment]
    return message


def _text_part(text: str, subtype: str) -> MIMEText:
    part = MIMEText(text, subtype, "utf-8")
    del part["MIME-Version"]
    return part


def _header(name: str, value: str) -> str | Header:
    if value.isascii():
        return value
    if name in ("From", "To", "Reply-To"):
        return formataddr(parseaddr(value), charset="utf-8")
    return Header(value, "utf-8")


def send_message(message: Message) -> str:
    """Deliver ``message`` with the configured backend, or raise ``MailError``.

    Returns the server's answer to the message (``250 …``), or where the
    ``file`` backend kept it. One connection for this one message; a sending
    pass that has many uses a ``Mailer``.
    """
    with Mailer() as mailer:
        return mailer.send(message)


class Mailer:
    """One SMTP connection for a whole sending pass, opened at the first mail.

    Opening a connection (with STARTTLS and a login) costs more than handing
    over a short message, so a pass of 3,000 reminders sends them all over
    one. Any failure closes the connection and the next message opens a new
    one; a connection the server dropped while we were busy elsewhere is
    opened again once, at once, for the message that found it dropped.
    Use it as a context manager: leaving says QUIT.
    """

    def __init__(self) -> None:
        self.config = current_app.config
        self._smtp: smtplib.SMTP | None = None
        self._answer = ""
        self._in_data = False

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, message: Message) -> str:
        """Hand ``message`` over, or raise ``MailError``; the server's answer."""
        if self.config["MAIL_BACKEND"] == "file":
            return _write_file(message, Path(self.config["MAIL_CATCH_DIR"]))
        try:
            reused = self._smtp is not None
            try:
                return self._hand_over(message)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                # The server closed an idle line (its timeout, a restart)
                # before our message's DATA: it has not taken it, so send it
                # anew. Lost during DATA, it may have: that is a retry later.
                self._drop()
                if not reused or self._in_data:
                    raise
                return self._hand_over(message)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise MailError(describe(exc), _is_temporary(exc)) from exc

    def _hand_over(self, message: Message) -> str:
        if self._smtp is None:
            self._smtp = self._connect()
        self._answer = ""
        self._in_data = False
        self._smtp.send_message(message)
        # The server took the message when it answered DATA with 250: that
        # is "sent", whatever happens to the connection afterwards.
        return self._answer

    def _connect(self) -> smtplib.SMTP:
        """A connection to the SMTP server named in the settings, ready to send."""
        config = self.config
        host, port = config["SMTP_HOST"], config["SMTP_PORT"]
        timeout = config["SMTP_TIMEOUT"]
        security = config["SMTP_SECURITY"]
        smtp: smtplib.SMTP
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        sent_data = smtp.data

        def data(msg):
            # smtplib keeps the server's answer to DATA to itself; keep it.
            self._in_data = True
            code, reply = sent_data(msg)
            self._answer = f"{code} {_text(reply)}"
            return code, reply

        smtp.data = data  # type: ignore[method-assign]
        try:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _drop(self) -> None:
        """Close a connection that failed, without a QUIT that could wait out
        the timeout once more."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        """Say QUIT and close; what QUIT answers (421, a dropped line) is moot."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()


def _write_file(message: Message, folder: Path) -> str:
    """Keep the message as an .eml file, named so they sort by time."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(bytes(message))
    return f"kept as {name}"

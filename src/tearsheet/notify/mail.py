"""E-mail: a change as HTML with its card inline, and the same in plain text, over SMTP.

The message is ``multipart/alternative``: a ``text/plain`` part (deletions ``[-so-]``,
insertions ``{+so+}``), then a ``multipart/related`` holding the HTML and the card as an
inline ``image/png`` that the HTML names by ``cid:`` — mail clients show it without
fetching anything. Its ``Message-ID`` is made from the outbox row, so a delivery sent
again after a crash is the same message to the clients that de-duplicate.

Sending uses :mod:`smtplib` on a worker thread: STARTTLS (587) or implicit TLS (465) with
the system's certificate authorities (or ``ca_file``), then ``AUTH`` when a username is
set. A 5xx answer or refused credentials fail the delivery at once; 4xx answers and
network errors are retried. The password never appears in a message or log.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from tearsheet.config import EmailSettings
from tearsheet.errors import PostError

log = logging.getLogger(__name__)
CARD_CID = "card@tearsheet"


def domain(sender: str) -> str:
    """The domain of the sender's address (for Message-IDs)."""
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "tearsheet.invalid"


def message(settings: EmailSettings, to: Sequence[str], subject: str, text: str,
            html: str | None, card: bytes | None, key: str, date: datetime) -> EmailMessage:
    """The e-mail: plain text, and HTML with the card inline (``cid:`` :data:`CARD_CID`)."""
    mail = EmailMessage()
    mail["Subject"] = " ".join(subject.split())[:250]  # one line: no header injection
    mail["From"] = settings.sender
    mail["To"] = ", ".join(str(Address(addr_spec=address)) for address in to)
    mail["Date"] = format_datetime(date)
    mail["Message-ID"] = f"<{key}@{domain(settings.sender)}>"
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(text)
    if html is not None:
        mail.add_alternative(html, subtype="html")
        if card is not None:
            html_part = next(part for part in mail.iter_parts()
                             if part.get_content_type() == "text/html")
            assert isinstance(html_part, EmailMessage)
            html_part.add_related(card, "image", "png", cid=f"<{CARD_CID}>",
                                  disposition="inline", filename="card.png")
    return mail


def send(settings: EmailSettings, mail: EmailMessage, timeout: float) -> None:
    """Deliver through the configured server (blocking: call it on a worker thread)."""
    host, port = settings.host, settings.server_port
    name = f"e-mail ({host}:{port})"
    try:
        context = ssl.create_default_context(cafile=settings.ca_file)
        smtp = (smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
                if settings.security == "ssl" else smtplib.SMTP(host, port, timeout=timeout))
        with smtp:
            smtp.ehlo()
            if settings.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                password = settings.password.get_secret_value() if settings.password else ""
                smtp.login(settings.username, password)
            refused = smtp.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        raise PostError(f"{name}: the server refused the username or password "
                        f"({exc.smtp_code})", final=True) from None
    except smtplib.SMTPNotSupportedError:
        raise PostError(f"{name}: the server does not offer STARTTLS or AUTH; set "
                        "notifications.email.security", final=True) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise PostError(f"{name}: every recipient refused: {_said(exc.recipients)}",
                        final=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPResponseException as exc:
        raise PostError(f"{name}: {exc.smtp_code} {_text(exc.smtp_error)}",
                        final=exc.smtp_code >= 500) from None
    except (ssl.SSLError, ssl.CertificateError) as exc:
        raise PostError(f"{name}: TLS failed: {exc.__class__.__name__}: "
                        f"{getattr(exc, 'reason', None) or exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise PostError(f"{name}: {exc.__class__.__name__}: {exc}") from None
    if refused:  # some took it: sending again would repeat it to them
        log.warning("%s: recipients refused: %s", name, _said(refused))


def _text(value: bytes | str) -> str:
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else value)[:300]


def _said(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address} ({code} {_text(said)})"
                     for address, (code, said) in recipients.items())

"""The bounce message a Bounce receipt action mails: a DSN (RFC 3464) from the rule's sender to the envelope sender.

SES (API reference, ``BounceAction``, and Developer Guide, "Bounce action",
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-bounce.html, checked 2026): the action
"rejects the received email by returning a bounce response to the sender". Receipt actions run after SES
has taken the message (the SMTP client already has its ``250``), so the bounce goes back as mail: ``Sender``
is the address it comes from, ``SmtpReplyCode``, ``StatusCode`` and ``Message`` are what it reports. It is
addressed to the envelope sender (``MAIL FROM``, RFC 5321 section 4.5.5) and sent with the null reverse-path
(``MAIL FROM:<>``), so it can never be bounced in turn; a message that itself came with the null
reverse-path gets no bounce message at all (RFC 3464 section 2 and RFC 5321 section 6.1: no loops).

The shape (real MIME, :mod:`email.message`): ``multipart/report; report-type=delivery-status`` with a
human-readable part (the rule's ``Message``), a ``message/delivery-status`` part (``Reporting-MTA``,
``Arrival-Date``, then per recipient ``Final-Recipient``, ``Action: failed``, ``Status`` = ``StatusCode``,
``Diagnostic-Code: smtp; SmtpReplyCode StatusCode Message``) and the original message's headers
(``text/rfc822-headers``). The exact text of SES's bounce messages is not documented; these words are the
lab's. The id is derived from the inbound message id (no draw from the seeded generator).

In the lab mailbox the message is SES's own mail, like forwarded feedback (``Api`` ``"feedback"``, ``Kind``
``"bounce-action"``, ``Feedback.MessageId`` = the inbound message it answers), listed only on request.
"""

from __future__ import annotations

import email.policy
import hashlib
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime
from typing import Any

from sesbook.lab import clock
from sesbook.lab.ses.feedback.forwarding import status_fields

#: ``Kind`` of the bounce message's lab mailbox record, which ``forwarding.record`` makes
#: (``Api`` "feedback": SES's own mail, listed on request).
KIND = "bounce-action"


def _id(message_id: str, recipients: list[str]) -> str:
    digest = hashlib.sha256(f"{message_id}|bounce-action|{','.join(recipients).lower()}".encode()).hexdigest()
    return f"0100{digest[:12]}-{digest[12:20]}-{digest[20:24]}-{digest[24:28]}-{digest[28:32]}-{digest[32:44]}-000000"


def reply_of(body: dict[str, Any]) -> str:
    """``SmtpReplyCode StatusCode Message`` of one ``BounceAction`` (what the DSN reports)."""
    return " ".join(str(p) for p in (body.get("SmtpReplyCode", "550"), body.get("StatusCode"), body.get("Message"))
                    if p).strip()


def bounce_message(ctx: Any, body: dict[str, Any], recipients: list[str]) -> tuple[str, EmailMessage]:
    """The DSN for one Bounce action of message ``ctx`` (an :class:`.actions.Context`; the rule matched
    ``recipients``)."""
    mail_id = _id(ctx.message_id, recipients)
    original = BytesHeaderParser(policy=email.policy.compat32).parsebytes(ctx.message)
    now = clock.now()
    mail = EmailMessage(policy=email.policy.default)
    mail["From"] = str(body.get("Sender", ""))
    mail["To"] = ctx.mail_from
    subject = str(original.get("Subject", "") or "")
    mail["Subject"] = f"Undelivered Mail Returned to Sender: {subject}" if subject else \
        "Undelivered Mail Returned to Sender"
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = f"<{mail_id}@email.amazonses.com>"
    if original.get("Message-ID"):
        mail["In-Reply-To"] = str(original["Message-ID"]).strip()
    mail["Auto-Submitted"] = "auto-replied"
    reply = reply_of(body)
    lines = ["Your message could not be delivered to the following recipients:", *recipients, "",
             str(body.get("Message", "")), "", f"Reply: {reply}"]
    mail.set_content("\n".join(lines) + "\n")
    arrival = format_datetime(now)
    blocks = [status_fields(("Reporting-MTA", f"dns; inbound-smtp.{ctx.region}.amazonaws.com"),
                      ("X-SES-Receipt-Message-ID", ctx.message_id), ("Arrival-Date", arrival))]
    for recipient in recipients:
        blocks.append(status_fields(("Final-Recipient", f"rfc822; {recipient}"), ("Action", "failed"),
                              ("Status", str(body.get("StatusCode") or _status_from(body))),
                              ("Diagnostic-Code", f"smtp; {reply}"), ("Last-Attempt-Date", arrival)))
    mail.make_mixed()
    mail.set_type("multipart/report")
    mail.set_param("report-type", "delivery-status")
    status = EmailMessage(policy=email.policy.default)
    status.add_header("Content-Type", "message/delivery-status")
    status.set_payload(blocks)  # type: ignore[arg-type]  # DSN blocks are header-only messages
    mail.attach(status)
    headers = EmailMessage(policy=email.policy.default)
    headers.set_payload("".join(f"{name}: {value}\n" for name, value in original.items()))
    headers.add_header("Content-Type", "text/rfc822-headers")
    mail.attach(headers)
    return mail_id, mail


def _status_from(body: dict[str, Any]) -> str:
    """A status code when the action gives none: the reply code's class (RFC 3463), e.g. 550 -> 5.0.0."""
    code = str(body.get("SmtpReplyCode", "550"))
    return f"{code[0]}.0.0" if code[:1] in ("4", "5") else "5.0.0"

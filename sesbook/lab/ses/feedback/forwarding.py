"""Email feedback forwarding: the bounce and complaint messages SES mails to the sender, and the out-of-office
auto reply the mailbox simulator's ``ooto@`` address sends back.

SES (Developer Guide, "Receiving Amazon SES notifications through email":
https://docs.aws.amazon.com/ses/latest/dg/monitor-sending-activity-using-notifications-email.html, and the
``SetIdentityFeedbackForwardingEnabled`` API reference, checked 2026): every identity forwards bounces and
complaints by email unless it was switched off (possible only with both a Bounce and a Complaint SNS topic);
delivery notifications are never mailed. The message goes to the send's ``ReturnPath`` (v1 SendEmail,
SendTemplatedEmail, SendBulkTemplatedEmail; SendRawEmail has none) or ``FeedbackForwardingEmailAddress`` (v2)
when given, else to the Return-Path header of a raw message, else to
the sender (``Source``, MAIL FROM, the From header). The mailbox simulator's bounces and complaints take
the same two roads as real ones, email or SNS as the identity is set up (Developer Guide, "Using the mailbox
simulator": https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator,
checked 2026); its ``ooto@`` address answers with an automatic reply (RFC 3834) to the Return-Path, which
SES reports as a Transient bounce and which never counts toward reputation nor adds anything to a
suppression list. The lab mails that reply only while the identity forwards feedback: with SES's own MAIL
FROM the reply reaches SES first, which passes it on as feedback (the lab's reading; the guide does not say
what happens to it with forwarding off).

Shapes (built with :mod:`email.message`, real MIME):

- bounce: a DSN (RFC 3464), ``multipart/report; report-type=delivery-status``, from
  ``MAILER-DAEMON@amazonses.com`` (the address SES's forwarded bounces come from, as seen in public
  reports; not documented word for word): a human-readable part, a ``message/delivery-status`` part (one
  block per bounced recipient: Final-Recipient, Action, Status, Diagnostic-Code, Remote-MTA) and the
  original headers (``text/rfc822-headers``);
- complaint: an ARF report (RFC 5965), ``multipart/report; report-type=feedback-report``, from
  ``complaints@email-abuse.amazonses.com`` (observed the same way): a human-readable part, a
  ``message/feedback-report`` part and the original headers;
- auto reply: a ``text/plain`` message with ``Auto-Submitted: auto-replied`` from the simulator address.

In the lab these land in the lab mailbox marked as SES's own feedback mail (``Api`` ``"feedback"``, ``Kind``
``bounce`` | ``complaint`` | ``auto-reply``), which the mailbox lists only when asked
(:mod:`sesbook.lab.mailbox`, ``?feedback=1``), so what notebooks and tests read of the mail that was sent
does not change. They are not run through the lab's inbound path even when the lab receives mail for the
sender's domain. Their ids are derived from the original message id (no random draw).
"""

from __future__ import annotations

import email.policy
import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import format_datetime, parseaddr
from typing import Any

from sesbook.lab.ses.feedback.outcomes import REMOTE_MTA, Outcome
from sesbook.lab.ses.feedback.payloads import COMPLAINT_USER_AGENT

BOUNCE_FROM = "MAILER-DAEMON@amazonses.com"
COMPLAINT_FROM = "complaints@email-abuse.amazonses.com"
#: The mailbox record's ``Api`` for mail SES itself sends about a send (bounces, complaints, auto replies).
API = "feedback"


def destination(message: Any) -> str | None:
    """Where feedback for ``message`` (an ``OutboundMessage``) is mailed: ``return_path``, the raw message's
    Return-Path header, ``source``, then the From header's address."""
    if message.return_path:
        return parseaddr(message.return_path)[1] or message.return_path
    if message.raw is not None:
        parsed = email.message_from_string(message.raw, policy=email.policy.compat32)
        header = parseaddr(str(parsed.get("Return-Path", "")))[1]
        if header:
            return header
    found = parseaddr(message.sender or "")[1]
    return found or None


def _date(at: float) -> str:
    return format_datetime(datetime.fromtimestamp(at, tz=UTC))


def _id(message_id: str, kind: str, recipients: list[str]) -> str:
    digest = hashlib.sha256(f"{message_id}|{kind}|{','.join(recipients).lower()}".encode()).hexdigest()
    return f"0100{digest[:12]}-{digest[12:20]}-{digest[20:24]}-{digest[24:28]}-{digest[28:32]}-{digest[32:44]}-000000"


def _original_headers(sent: Any) -> str:
    return "".join(f"{h['name']}: {h['value']}\n" for h in sent.headers)


def _subject(sent: Any) -> str:
    return next((h["value"] for h in sent.headers if h["name"].lower() == "subject"), "")


def _base(kind: str, sender: str, to: str, subject: str, sent: Any, recipients: list[str], at: float
          ) -> tuple[str, EmailMessage]:
    mail_id = _id(sent.message_id, kind, recipients)
    mail = EmailMessage(policy=email.policy.default)
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = _date(at)
    mail["Message-ID"] = f"<{mail_id}@email.amazonses.com>"
    mail["In-Reply-To"] = f"<{sent.message_id}@email.amazonses.com>"
    mail["X-SES-Outgoing-Message-Id"] = sent.message_id
    return mail_id, mail


def bounce_mail(sent: Any, outcome: Outcome, recipients: list[str], to: str, at: float) -> tuple[str, EmailMessage]:
    """The DSN SES forwards for one bounce (all ``recipients`` of the same outcome)."""
    failed = outcome.bounce_type == "Permanent"
    subject = f"Delivery Status Notification ({'Failure' if failed else 'Delay'})"
    mail_id, mail = _base("bounce", BOUNCE_FROM, to, subject, sent, recipients, at)
    mail["Auto-Submitted"] = "auto-replied"
    lines = ["An error occurred while trying to deliver the mail to the following recipients:", *recipients,
             "", f"({outcome.bounce_type}/{outcome.bounce_subtype}: {outcome.diagnostic})"]
    mail.set_content("\n".join(lines) + "\n")
    blocks = [status_fields(("Reporting-MTA", outcome.reporting_mta),
                      ("X-Original-Message-ID", f"<{sent.message_id}@email.amazonses.com>"),
                      ("Arrival-Date", _date(sent.at)))]
    for recipient in recipients:
        fields = [("Final-Recipient", f"rfc822; {recipient}"), ("Action", "failed" if failed else "delayed"),
                  ("Status", str(outcome.status))]
        if outcome.reporting_mta == REMOTE_MTA:
            fields.append(("Remote-MTA", REMOTE_MTA))
        fields += [("Diagnostic-Code", str(outcome.diagnostic)), ("Last-Attempt-Date", _date(at))]
        blocks.append(status_fields(*fields))
    mail.make_mixed()
    mail.set_type("multipart/report")
    mail.set_param("report-type", "delivery-status")
    status = EmailMessage(policy=email.policy.default)
    status.add_header("Content-Type", "message/delivery-status")
    status.set_payload(blocks)  # type: ignore[arg-type]  # the email package keeps DSN blocks as header-only messages
    mail.attach(status)
    mail.attach(_headers_part(sent))
    return mail_id, mail


def complaint_mail(sent: Any, outcome: Outcome, recipients: list[str], to: str, at: float) -> tuple[str, EmailMessage]:
    """The ARF report SES forwards for one complaint."""
    mail_id, mail = _base("complaint", COMPLAINT_FROM, to, f"Complaint about your message: {_subject(sent)}".rstrip(),
                          sent, recipients, at)
    mail.set_content("A recipient of your message marked it as spam (feedback type "
                     f"{outcome.feedback_type or 'abuse'}):\n" + "\n".join(recipients) + "\n")
    report = (f"Feedback-Type: {outcome.feedback_type or 'abuse'}\nUser-Agent: {COMPLAINT_USER_AGENT}\n"
              f"Version: 1\nArrival-Date: {_date(at)}\n"
              + "".join(f"Original-Rcpt-To: {r}\n" for r in recipients)
              + f"Original-Mail-From: {parseaddr(sent.source or '')[1]}\n")
    mail.make_mixed()
    mail.set_type("multipart/report")
    mail.set_param("report-type", "feedback-report")
    part = EmailMessage(policy=email.policy.default)
    part.set_payload(report)
    part.add_header("Content-Type", "message/feedback-report")
    mail.attach(part)
    mail.attach(_headers_part(sent))
    return mail_id, mail


def auto_reply(sent: Any, recipient: str, to: str, at: float) -> tuple[str, EmailMessage]:
    """The out-of-office reply (RFC 3834) the ``ooto@`` simulator address sends back."""
    mail_id, mail = _base("auto-reply", recipient, to, f"Automatic reply: {_subject(sent)}".rstrip(), sent,
                          [recipient], at)
    mail["Auto-Submitted"] = "auto-replied"
    mail["Precedence"] = "auto_reply"
    mail.set_content("Thank you for your message. I am out of the office and will read it when I am back.\n")
    return mail_id, mail


def status_fields(*pairs: tuple[str, str]) -> Message:
    """One block of a delivery-status part: header fields only."""
    block = Message(policy=email.policy.default)
    for name, value in pairs:
        block[name] = value
    return block


def _headers_part(sent: Any) -> EmailMessage:
    part = EmailMessage(policy=email.policy.default)
    part.set_payload(_original_headers(sent))
    part.add_header("Content-Type", "text/rfc822-headers")
    return part


def record(mail_id: str, kind: str, mail: EmailMessage, *, region: str, original: str, recipients: list[str]
           ) -> dict[str, Any]:
    """The lab mailbox record (LocalStack's shape, ``Api`` ``feedback`` and ``Kind``) for one feedback message."""
    text = mail.get_body(("plain",))
    return {
        "Id": mail_id, "Region": region, "Source": parseaddr(str(mail["From"]))[1],
        "Destination": {"ToAddresses": [str(mail["To"])], "CcAddresses": [], "BccAddresses": []},
        "Subject": str(mail["Subject"]),
        "Body": {"text_part": text.get_content() if text is not None else None, "html_part": None},  # type: ignore[attr-defined]
        "RawData": mail.as_string(), "Api": API, "Kind": kind, "Attachments": [],
        "Feedback": {"MessageId": original, "Recipients": list(recipients)},
    }

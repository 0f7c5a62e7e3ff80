"""The JSON SES publishes, in the shapes the Developer Guide documents (checked 2026):

- identity notifications, ``notificationType`` Bounce | Complaint | Delivery ("Amazon SNS notification
  contents": https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html);
- event publishing, ``eventType`` Send | Reject | Bounce | Complaint | Delivery | Rendering Failure | ...
  ("Event publishing data": https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html).

Both share the ``mail`` object: the message id SES answered with, the lab clock's time of the send, the
source as given, the sending identity's ARN, the account, every destination, and (notifications: only when
the identity asks for headers; events: always) the headers and ``commonHeaders``. Events add ``mail.tags``:
SES's own ``ses:*`` tags and the message tags of the send. Times are ISO 8601 with milliseconds, in UTC.
Feedback ids have SES's message id shape and are derived from the message id and the recipient (no random
draw: seeded labs repeat, and nothing shifts the lab's other seeded values).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import uuid
from datetime import UTC, datetime
from email.utils import formataddr, getaddresses, parseaddr
from typing import Any

from sesbook.lab import ACCOUNT_ID
from sesbook.lab.ses.feedback.outcomes import OUTBOUND_MTA, REMOTE_MTA_IP, Outcome

SOURCE_IP = "127.0.0.1"
CALLER_IDENTITY = "lab-user"
COMPLAINT_USER_AGENT = "Lab Feedback Loop (sesbook)"


def iso(seconds: float) -> str:
    """``2016-01-27T14:59:38.237Z`` for a lab clock time."""
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def feedback_id(message_id: str, recipient: str, kind: str) -> str:
    """A feedback id in SES's message id shape, derived (not drawn) from what it is about."""
    digest = hashlib.sha256(f"{message_id}|{recipient.lower()}|{kind}".encode()).digest()
    return f"0100{digest[:6].hex()}-{uuid.UUID(bytes=digest[6:22], version=4)}-000000"


def headers_of(message: Any, message_id: str, recipients: list[str], sent_at: float) -> list[dict[str, str]]:
    """The message's headers as SES lists them: a raw message's own, or those SES writes for built content."""
    if message.raw is not None:
        parsed = email.message_from_string(message.raw, policy=email.policy.compat32)
        return [{"name": k, "value": str(v)} for k, v in parsed.items()]
    dest = message.destination or {}
    headers = [{"name": "From", "value": message.source or ""}]
    if dest.get("ToAddresses"):
        headers.append({"name": "To", "value": ", ".join(dest["ToAddresses"])})
    elif message.bulk:
        headers.append({"name": "To", "value": ", ".join(recipients)})
    if dest.get("CcAddresses"):
        headers.append({"name": "Cc", "value": ", ".join(dest["CcAddresses"])})
    headers.append({"name": "Subject", "value": message.subject or ""})
    headers.append({"name": "MIME-Version", "value": "1.0"})
    kind = "multipart/alternative" if message.text and message.html else "text/html" if message.html else "text/plain"
    headers.append({"name": "Content-Type", "value": f"{kind}; charset=UTF-8"})
    headers.append({"name": "Date", "value": email.utils.format_datetime(datetime.fromtimestamp(sent_at, tz=UTC))})
    headers.append({"name": "Message-ID", "value": f"<{message_id}@email.amazonses.com>"})
    return headers


def common_headers(headers: list[dict[str, str]], message_id: str) -> dict[str, Any]:
    """``commonHeaders``: from, to, cc (lists, as written), date, messageId, subject."""
    by_name: dict[str, list[str]] = {}
    for header in headers:
        by_name.setdefault(header["name"].lower(), []).append(header["value"])
    out: dict[str, Any] = {}
    for name in ("from", "to", "cc", "bcc", "reply-to"):
        if name in by_name:
            values = [formataddr(pair) for pair in getaddresses(by_name[name]) if pair[1]]
            out["replyTo" if name == "reply-to" else name] = values
    if "date" in by_name:
        out["date"] = by_name["date"][0]
    given = (by_name.get("message-id") or [""])[0].strip().strip("<>")
    out["messageId"] = message_id if not given or given.endswith("@email.amazonses.com") else given
    if "subject" in by_name:
        out["subject"] = by_name["subject"][0]
    return out


def mail_object(sent: Any, recipients: list[str], *, with_headers: bool, tags: dict[str, list[str]] | None = None
                ) -> dict[str, Any]:
    """The ``mail`` object of a notification or event about one accepted message (``sent``: :class:`Sent`)."""
    mail: dict[str, Any] = {
        "timestamp": iso(sent.at), "source": sent.source, "sourceArn": sent.source_arn, "sourceIp": SOURCE_IP,
        "sendingAccountId": ACCOUNT_ID, "callerIdentity": CALLER_IDENTITY, "messageId": sent.message_id,
        "destination": list(recipients),
    }
    if with_headers:
        mail["headersTruncated"] = False
        mail["headers"] = sent.headers
        mail["commonHeaders"] = common_headers(sent.headers, sent.message_id)
    if tags is not None:
        mail["tags"] = tags
    return mail


def bounce_object(sent: Any, outcome: Outcome, recipients: list[str], at: float) -> dict[str, Any]:
    bounce: dict[str, Any] = {
        "bounceType": outcome.bounce_type, "bounceSubType": outcome.bounce_subtype,
        "bouncedRecipients": [
            {"emailAddress": r, "action": "failed" if outcome.bounce_type == "Permanent" else "delayed",
             "status": outcome.status, "diagnosticCode": outcome.diagnostic} for r in recipients
        ],
        "timestamp": iso(at), "feedbackId": feedback_id(sent.message_id, recipients[0], "bounce"),
        "reportingMTA": outcome.reporting_mta,
    }
    if not outcome.reporting_mta.endswith("amazonses.com"):
        bounce["remoteMtaIp"] = REMOTE_MTA_IP
    return bounce


def complaint_object(sent: Any, outcome: Outcome, recipients: list[str], at: float) -> dict[str, Any]:
    return {
        "userAgent": COMPLAINT_USER_AGENT, "complainedRecipients": [{"emailAddress": r} for r in recipients],
        "complaintFeedbackType": outcome.feedback_type or "abuse", "arrivalDate": iso(at), "timestamp": iso(at),
        "feedbackId": feedback_id(sent.message_id, recipients[0], "complaint"),
    }


def delivery_object(sent: Any, recipients: list[str], at: float) -> dict[str, Any]:
    return {
        "timestamp": iso(at), "processingTimeMillis": int(round((at - sent.at) * 1000)), "recipients": list(recipients),
        "smtpResponse": "250 2.0.0 OK", "reportingMTA": OUTBOUND_MTA, "remoteMtaIp": REMOTE_MTA_IP,
    }


def body_of(kind: str, sent: Any, outcome: Outcome | None, recipients: list[str], at: float) -> dict[str, Any]:
    """The ``bounce`` / ``complaint`` / ``delivery`` object for ``kind`` (``Bounce``, ``Complaint``, ``Delivery``)."""
    if kind == "Bounce":
        assert outcome is not None
        return bounce_object(sent, outcome, recipients, at)
    if kind == "Complaint":
        assert outcome is not None
        return complaint_object(sent, outcome, recipients, at)
    return delivery_object(sent, recipients, at)


def notification(kind: str, sent: Any, outcome: Outcome | None, recipients: list[str], at: float, *,
                 with_headers: bool) -> dict[str, Any]:
    """An identity notification (``notificationType`` Bounce | Complaint | Delivery)."""
    return {
        "notificationType": kind, kind.lower(): body_of(kind, sent, outcome, recipients, at),
        "mail": mail_object(sent, sent.destination, with_headers=with_headers),
    }


def event_tags(sent: Any) -> dict[str, list[str]]:
    """``mail.tags``: SES's own tags, then the send's message tags (each a one-item list, as SES shows them)."""
    domain = (parseaddr(sent.source or "")[1] or "").rpartition("@")[2]
    tags: dict[str, list[str]] = {
        "ses:operation": [sent.operation], "ses:configuration-set": [sent.configuration_set or ""],
        "ses:source-ip": [SOURCE_IP], "ses:from-domain": [domain], "ses:caller-identity": [CALLER_IDENTITY],
    }
    for name, value in sent.tags:
        tags[name] = [value]
    return tags


def event(event_type: str, sent: Any, body: dict[str, Any] | None = None, *, key: str | None = None) -> dict[str, Any]:
    """An event-publishing record (``eventType`` as SES spells it, e.g. ``Rendering Failure``)."""
    doc: dict[str, Any] = {"eventType": event_type,
                           "mail": mail_object(sent, sent.destination, with_headers=True, tags=event_tags(sent))}
    if body is not None:
        doc[key or event_type[0].lower() + event_type[1:].replace(" ", "")] = body
    return doc

"""What SES writes about an inbound message: the headers it adds, the receipt notification, the Lambda event.

SES's shapes (Developer Guide, checked 2026):

- "Notification contents for receiving email" (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html):
  ``{"notificationType": "Received", "mail": {...}, "receipt": {...}, "content": ...}``; ``mail`` holds
  ``timestamp``, ``source`` (the envelope MAIL FROM), ``messageId``, ``destination`` (every envelope
  recipient), ``headersTruncated``, ``headers`` (name/value pairs, the headers SES added first) and
  ``commonHeaders``; ``receipt`` holds ``timestamp``, ``processingTimeMillis``, ``recipients`` (those the
  rule matched), the verdicts and ``action`` (the action that published, in its own words). ``content`` is
  there only for the SNS action.
- "Invoking Lambda functions" / the Lambda event for SES
  (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html): ``{"Records": [
  {"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {"mail": ..., "receipt": ...}}]}``, no content.
- Stored messages (S3) begin with the headers SES adds, then the message exactly as received. What the lab
  adds is what messages stored by SES show: ``Return-Path``, ``Received`` (by
  ``inbound-smtp.REGION.amazonaws.com``), ``X-SES-Spam-Verdict``, ``X-SES-Virus-Verdict``,
  ``Received-SPF``, ``Authentication-Results: amazonses.com; spf=… dkim=… dmarc=…`` and ``X-SES-RECEIPT``
  (opaque). SES also adds ``X-SES-DKIM-SIGNATURE`` (a signature by amazonses.com over those headers); the lab
  does not, as it holds no amazonses.com key a reader could check it with.
"""

from __future__ import annotations

import base64
from email.parser import BytesHeaderParser
from email.utils import format_datetime, getaddresses
from typing import TYPE_CHECKING, Any

from sesbook.lab import clock, seeding

if TYPE_CHECKING:
    from sesbook.lab.ses.receiving.verdicts import Verdicts

SUBJECT = "Amazon SES Email Receipt Notification"


def newline_of(message: bytes) -> bytes:
    """The line ending the message uses (SMTP gives CRLF; an API caller may give LF)."""
    return b"\r\n" if b"\r\n" in message[:4096] or b"\n" not in message[:4096] else b"\n"


def ses_headers(*, message_id: str, region: str, ip: str, helo: str, mail_from: str, recipients: list[str],
                verdicts: Verdicts, newline: bytes) -> bytes:
    """The block of headers SES puts in front of a received message."""
    now = format_datetime(clock.now())
    sender = mail_from or ""
    receipt = base64.b64encode(seeding.inbound_bytes(48)).decode()
    spf_word, _, spf_why = verdicts.spf_detail.partition(": ")
    dkim_word = verdicts.dkim.lower() if verdicts.dkim in ("PASS", "FAIL") else "none"
    dmarc_word = verdicts.dmarc.lower() if verdicts.dmarc in ("PASS", "FAIL") else "none"
    lines = [
        f"Return-Path: <{sender}>",
        f"Received: from {helo or ip} ({helo or ip} [{ip}])",
        f" by inbound-smtp.{region}.amazonaws.com with SMTP id {message_id}",
        f" for {recipients[0] if recipients else ''};",
        f" {now}",
        f"X-SES-Spam-Verdict: {verdicts.spam}",
        f"X-SES-Virus-Verdict: {verdicts.virus}",
        f"Received-SPF: {spf_word} (spfCheck: {spf_why}) client-ip={ip}; envelope-from={sender}; helo={helo};",
        "Authentication-Results: amazonses.com;",
        f" spf={spf_word} (spfCheck: {spf_why}) smtp.mailfrom={sender};",
        f" dkim={dkim_word}" + "".join(f" header.i=@{d}" for d in verdicts.dkim_domains[:1]) + ";",
        f" dmarc={dmarc_word} header.from={verdicts.from_domain};",
        f"X-SES-RECEIPT: {receipt}",
    ]
    return b"".join(line.encode("utf-8", "replace") + newline for line in lines)


def mail_object(message: bytes, *, message_id: str, mail_from: str, recipients: list[str],
                timestamp: str) -> dict[str, Any]:
    """The notification's ``mail`` object for the message as SES holds it (its added headers first)."""
    parsed = BytesHeaderParser().parsebytes(message)
    headers = [{"name": k, "value": str(v)} for k, v in parsed.items()]
    common: dict[str, Any] = {"returnPath": mail_from}
    for key, name in (("from", "From"), ("to", "To"), ("cc", "Cc"), ("bcc", "Bcc")):
        values = parsed.get_all(name)
        if values:
            common[key] = [str(v) for v in values] if key == "from" else [
                f"{n} <{a}>" if n else a for n, a in getaddresses([str(v) for v in values])]
    for key, name in (("date", "Date"), ("messageId", "Message-ID"), ("subject", "Subject")):
        if parsed.get(name) is not None:
            common[key] = str(parsed.get(name))
    return {"timestamp": timestamp, "source": mail_from, "messageId": message_id, "destination": list(recipients),
            "headersTruncated": False, "headers": headers, "commonHeaders": common}


def receipt_object(*, timestamp: str, millis: int, recipients: list[str], verdicts: Verdicts,
                   action: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": timestamp, "processingTimeMillis": millis, "recipients": list(recipients),
            **verdicts.receipt_fields(), "action": action}


def notification(mail: dict[str, Any], receipt: dict[str, Any], content: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"notificationType": "Received", "mail": mail, "receipt": receipt}
    if content is not None:
        found["content"] = content
    return found


def lambda_event(mail: dict[str, Any], receipt: dict[str, Any]) -> dict[str, Any]:
    return {"Records": [{"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {"mail": mail, "receipt": receipt}}]}


def action_words(action: dict[str, Any], kind: str, *, object_key: str | None = None) -> dict[str, Any]:
    """The ``receipt.action`` object for one rule action, as the notification names it."""
    body = action.get(kind) or {}
    if kind == "S3Action":
        found = {"type": "S3", "bucketName": body.get("BucketName"),
                 "objectKeyPrefix": body.get("ObjectKeyPrefix", ""), "objectKey": object_key}
    elif kind == "SNSAction":
        found = {"type": "SNS", "encoding": body.get("Encoding", "UTF-8").replace("-", "")}
    elif kind == "LambdaAction":
        found = {"type": "Lambda", "functionArn": body.get("FunctionArn"),
                 "invocationType": body.get("InvocationType", "Event")}
    elif kind == "BounceAction":
        found = {"type": "Bounce", "smtpReplyCode": body.get("SmtpReplyCode"), "statusCode": body.get("StatusCode"),
                 "message": body.get("Message"), "sender": body.get("Sender")}
    elif kind == "StopAction":
        found = {"type": "Stop"}
    elif kind == "AddHeaderAction":
        found = {"type": "AddHeader", "headerName": body.get("HeaderName"), "headerValue": body.get("HeaderValue")}
    else:
        found = {"type": kind.removesuffix("Action")}
    if body.get("TopicArn"):
        found = {"type": found["type"], "topicArn": body["TopicArn"], **{k: v for k, v in found.items() if k != "type"}}
    return {k: v for k, v in found.items() if v is not None}

"""Read SES feedback: identity notifications (``notificationType``) and event publishing (``eventType``).

What arrives in a queue is one of (SES Developer Guide, "Amazon SNS notification contents" and "Event
publishing data", checked 2026; the fixtures in tests/fixtures/ses-docs are SES's documented examples):

- an SNS envelope (``Type: Notification``) whose ``Message`` is the payload as a JSON string (SES's way)
  or, from some tools, as an object;
- the payload itself, when the subscription uses raw message delivery;
- either of these as an SQS message (``Body``) or as text.

:func:`parse` returns a frozen :class:`Feedback` or raises :class:`~sesbook.errors.FeedbackParseError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sesbook import _html
from sesbook.errors import FeedbackParseError

NOTIFICATION_TYPES = ("Bounce", "Complaint", "Delivery", "Received")
EVENT_TYPES = ("Send", "Reject", "Bounce", "Complaint", "Delivery", "Open", "Click", "Rendering Failure",
               "DeliveryDelay", "Subscription")
#: The key of each event type's own object in an event payload.
_BODY_KEY = {"Rendering Failure": "failure", "DeliveryDelay": "deliveryDelay"}


@dataclass(frozen=True)
class Recipient:
    """One recipient a bounce, complaint, delay or delivery is about."""

    address: str
    status: str | None = None
    action: str | None = None
    diagnostic_code: str | None = None


@dataclass(frozen=True)
class Feedback:
    """One SES notification or event, read.

    ``kind`` is the ``notificationType`` or ``eventType`` (Bounce, Complaint, Delivery, Send, Reject, Open,
    Click, Rendering Failure, DeliveryDelay, Subscription); ``shape`` is ``notification`` or ``event``.
    ``recipients`` are the ones this is about (bounced, complained, delivered, delayed), else the message's
    destination. ``key`` identifies it for idempotent consumers.
    """

    kind: str
    shape: str
    message_id: str
    timestamp: datetime | None
    source: str
    destination: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    subject: str | None = None
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    complaint_type: str | None = None
    feedback_id: str | None = None
    reporting_mta: str | None = None
    user_agent: str | None = None
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()
    sns_message_id: str | None = None
    topic_arn: str | None = None
    #: Subscription events: the contact list, and the contact's preferences after the change
    #: (``unsubscribe_all``; ``topic_preferences``: (topic, ``OptIn`` | ``OptOut``) pairs)
    contact_list: str | None = None
    unsubscribe_all: bool | None = None
    topic_preferences: tuple[tuple[str, str], ...] = ()
    payload: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def hard_bounce(self) -> bool:
        return self.kind == "Bounce" and self.bounce_type == "Permanent"

    @property
    def soft_bounce(self) -> bool:
        return self.kind == "Bounce" and self.bounce_type in ("Transient", "Undetermined")

    @property
    def key(self) -> str:
        """The same for the same outcome however it arrives (twice, in an envelope or raw, or both as an
        identity notification and as a configuration set event): what it is about (kind, SES message id,
        feedback id, recipients), not the SNS message id nor the shape."""
        who = ",".join(sorted(r.address.lower() for r in self.recipients))
        return f"{self.kind}:{self.message_id}:{self.feedback_id or ''}:{who}"

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(r.address for r in self.recipients)

    def rows(self) -> list[tuple[str, Any]]:
        detail = "/".join(x for x in (self.bounce_type, self.bounce_subtype) if x) or self.complaint_type
        if self.kind == "Subscription":
            detail = "unsubscribed from all" if self.unsubscribe_all else ", ".join(
                f"{topic}: {status}" for topic, status in self.topic_preferences) or None
        return [("kind", f"{self.kind} ({self.shape})"), ("message id", self.message_id),
                ("recipients", ", ".join(self.addresses)), ("detail", detail),
                ("diagnostic", "; ".join(r.diagnostic_code for r in self.recipients if r.diagnostic_code) or None),
                ("from", self.source), ("subject", self.subject),
                ("at", self.timestamp.isoformat() if self.timestamp else None)]

    def __repr__(self) -> str:
        return _html.text_table(["field", "value"], self.rows())

    def _repr_html_(self) -> str:
        return _html.table(["field", "value"], self.rows(), caption=f"SES {self.kind}")


def _when(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FeedbackParseError(f"{what} is not JSON ({exc})") from None


def unwrap(message: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``(payload, sns_envelope or None)`` from an SQS message, an SNS envelope, a payload, or their text."""
    if isinstance(message, (bytes, bytearray)):
        message = message.decode("utf-8", "replace")
    if isinstance(message, dict) and "Body" in message and "notificationType" not in message:
        message = message["Body"]  # an SQS message as boto3 returns it
    if isinstance(message, str):
        message = _json(message, "the message body")
    if not isinstance(message, dict):
        raise FeedbackParseError(f"expected a JSON object, got {type(message).__name__}")
    envelope = None
    if message.get("Type") == "Notification" and "Message" in message:
        envelope = message
        inner = message["Message"]
        message = _json(inner, "the SNS envelope's Message") if isinstance(inner, str) else inner
        if not isinstance(message, dict):
            raise FeedbackParseError("the SNS envelope's Message is not a JSON object")
    return message, envelope


def _recipients(kind: str, body: dict[str, Any], mail: dict[str, Any]) -> tuple[Recipient, ...]:
    def listed(items: Any) -> tuple[Recipient, ...]:
        return tuple(Recipient(str(i.get("emailAddress", "")), i.get("status"), i.get("action"),
                               i.get("diagnosticCode")) for i in items or [] if isinstance(i, dict))

    if kind == "Bounce":
        return listed(body.get("bouncedRecipients"))
    if kind == "Complaint":
        return listed(body.get("complainedRecipients"))
    if kind == "DeliveryDelay":
        return listed(body.get("delayedRecipients"))
    if kind == "Delivery" and body.get("recipients"):
        return tuple(Recipient(str(a), action="delivered") for a in body["recipients"])
    return tuple(Recipient(str(a)) for a in mail.get("destination") or [])


def parse(message: Any) -> Feedback:
    """Read one SES notification or event (see the module docstring for what it accepts)."""
    payload, envelope = unwrap(message)
    if "notificationType" in payload:
        kind, shape = payload["notificationType"], "notification"
        if kind not in NOTIFICATION_TYPES:
            raise FeedbackParseError(f"unknown notificationType {kind!r}")
    elif "eventType" in payload:
        kind, shape = payload["eventType"], "event"
        if kind not in EVENT_TYPES:
            raise FeedbackParseError(f"unknown eventType {kind!r}")
    else:
        raise FeedbackParseError("neither notificationType nor eventType is present")
    mail = payload.get("mail")
    if not isinstance(mail, dict) or not mail.get("messageId"):
        raise FeedbackParseError(f"the {kind} has no mail.messageId")
    key = _BODY_KEY.get(kind, kind[0].lower() + kind[1:])
    body = payload.get(key) or {}
    if not isinstance(body, dict):
        raise FeedbackParseError(f"{key} is not an object")
    if kind in ("Bounce", "Complaint") and not body:
        raise FeedbackParseError(f"the {kind} has no {key} object")
    common = mail.get("commonHeaders") or {}
    tags = {str(k): tuple(str(x) for x in (v if isinstance(v, list) else [v]))
            for k, v in (mail.get("tags") or {}).items()}
    return Feedback(
        kind=kind, shape=shape, message_id=str(mail["messageId"]),
        timestamp=_when(body.get("timestamp") or mail.get("timestamp")),
        source=str(mail.get("source", "")), destination=tuple(str(a) for a in mail.get("destination") or []),
        recipients=_recipients(kind, body, mail), subject=common.get("subject"),
        bounce_type=body.get("bounceType") if kind == "Bounce" else None,
        bounce_subtype=body.get("bounceSubType") if kind == "Bounce" else None,
        complaint_type=body.get("complaintFeedbackType") if kind == "Complaint" else None,
        feedback_id=body.get("feedbackId"), reporting_mta=body.get("reportingMTA"), user_agent=body.get("userAgent"),
        tags=tags, headers=tuple((str(h.get("name")), str(h.get("value"))) for h in mail.get("headers") or []
                                 if isinstance(h, dict)),
        sns_message_id=(envelope or {}).get("MessageId"), topic_arn=(envelope or {}).get("TopicArn"), payload=payload,
        **(_subscription(body) if kind == "Subscription" else {}),
    )


def _subscription(body: dict[str, Any]) -> dict[str, Any]:
    """A Subscription event's ``subscription`` object: the list and the new preferences."""
    new = body.get("newTopicPreferences") or {}
    return {
        "contact_list": body.get("contactList"),
        "unsubscribe_all": bool(new["unsubscribeAll"]) if "unsubscribeAll" in new else None,
        "topic_preferences": tuple((str(t.get("topicName")), str(t.get("subscriptionStatus")))
                                   for t in new.get("topicSubscriptionStatus") or [] if isinstance(t, dict)),
    }


#: The name sesbook exports (``sesbook.parse_feedback``).
parse_feedback = parse

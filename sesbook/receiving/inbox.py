"""Where received mail ends up, and the plumbing around it: the inbound MX, the bucket, the queue on a topic.

- :func:`publish_inbound_mx`: the one DNS record that makes the world send a domain's mail to SES,
  ``MX 10 inbound-smtp.REGION.amazonaws.com`` (Developer Guide, "Publishing an MX record for Amazon SES
  email receiving", https://docs.aws.amazon.com/ses/latest/dg/receiving-email-mx-record.html, checked 2026).
  Only regions where SES receives mail have that endpoint.
- :func:`ensure_bucket`: the bucket an S3 action writes to (SES needs its policy too:
  :func:`sesbook.receiving.policies.apply_bucket_policy`). The bucket must be in the rule set's region.
- :func:`stored_messages`: what S3 actions stored, read back and parsed. SES writes the message as it was
  received, with its own headers (``Return-Path``, ``Received``, ``X-SES-*``, ``Authentication-Results``)
  on top, under the key ``PREFIX + MESSAGE-ID`` ("Deliver to S3 bucket action",
  https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-s3.html, checked 2026).
- :func:`inbound_queue` and :func:`received_notifications`: an SQS queue subscribed to an SNS topic, so the
  notifications SNS actions publish (``notificationType`` ``Received``, with the message in ``content``)
  can be read back ("Amazon SNS notification contents for Amazon SES email receiving",
  https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html, checked 2026).

Against AWS with ``apply=False`` the changes are planned and the names and ARNs computed, so the results
still say what would exist; reads of something not made yet return nothing.

IAM: ``route53:ListHostedZonesByName``, ``route53:ListResourceRecordSets``, ``route53:ChangeResourceRecordSets``,
``s3:CreateBucket``, ``s3:ListBucket``, ``s3:GetObject``, ``sns:CreateTopic``, ``sns:ListSubscriptionsByTopic``,
``sns:Subscribe``, ``sqs:CreateQueue``, ``sqs:GetQueueAttributes``, ``sqs:SetQueueAttributes``,
``sqs:ReceiveMessage``, ``sqs:DeleteMessage``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.dns.domains import normalize_domain, validate_region
from sesbook.dns.records import Record, RecordSet
from sesbook.dns.ses_records import inbound_mx
from sesbook.errors import AwsError, ValidationError
from sesbook.plan import was_planned
from sesbook.receiving.model import S3Action

if TYPE_CHECKING:
    from sesbook.dns.route53 import ApplyResult
    from sesbook.target import Target

__all__ = ["InboundEndpoint", "InboundQueue", "ReceivedNotification", "StoredMessage", "StoredMessages",
           "ensure_bucket", "inbound_endpoint", "inbound_queue", "publish_inbound_mx", "received_notifications",
           "stored_messages"]

log = logging.getLogger("sesbook")

#: The headers SES puts on top of a received message before storing or publishing it.
SES_HEADERS = ("Return-Path", "Received", "X-SES-Spam-Verdict", "X-SES-Virus-Verdict", "Received-SPF",
               "Authentication-Results", "X-SES-RECEIPT", "X-SES-DKIM-SIGNATURE")
_QUEUE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


# -- DNS ----------------------------------------------------------------------------------------------------
def publish_inbound_mx(target: Target, domain: str, *, allow_replace: bool = False) -> ApplyResult:
    """Publish ``DOMAIN MX 10 inbound-smtp.REGION.amazonaws.com`` in the domain's Route 53 zone.

    The region is the target's and must be one where SES receives mail (:class:`ValidationError` otherwise).
    An MX already pointing elsewhere is kept unless ``allow_replace`` (mail for the domain would then go
    to SES only: the old mail servers stop getting it).
    """
    from sesbook.dns.route53 import apply_to_route53

    name = normalize_domain(domain)
    region = validate_region(target.region, receive=True)
    record = Record(name, "MX", inbound_mx(region), purpose="receiving mail (受信メールの設定)",
                    note=f"SES receives for {name} in {region}")
    return apply_to_route53(target, RecordSet(name, region, (record,)), allow_replace=allow_replace)


@dataclass(frozen=True)
class InboundEndpoint:
    """Where mail for a receiving domain is delivered: the lab's inbound server, or
    ``inbound-smtp.REGION.amazonaws.com`` port 25 (what the inbound MX names)."""

    host: str
    port: int
    is_lab: bool

    def source_address(self, ip: str) -> tuple[str, int] | None:
        """smtplib's ``source_address`` for playing a sender at ``ip``: the lab listens on loopback, so a client
        may connect from any 127.x.y.z address; against AWS the connection comes from your own address (None)."""
        if not self.is_lab:
            return None
        import ipaddress

        try:
            address = ipaddress.IPv4Address(ip)
        except ValueError:
            raise ValidationError("ip", ip, "is not an IPv4 address.") from None
        if not address.is_loopback:
            raise ValidationError("ip", ip, "is not a loopback address: the lab can play senders at 127.0.0.0/8 only.",
                                  hint="For example 127.0.0.2 or 127.0.0.3.")
        return (str(address), 0)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}" + (" (the lab's inbound server)" if self.is_lab else "")


def inbound_endpoint(target: Target) -> InboundEndpoint:
    """The inbound SMTP server of ``target``: the lab's announced ``"inbound_smtp"`` address, or SES's
    ``inbound-smtp.REGION.amazonaws.com:25`` (only in a region where SES receives mail)."""
    if target.lab is not None:
        announced = target.endpoints.inbound_smtp
        if not announced:
            from sesbook.errors import LabError

            raise LabError("the running lab announces no inbound SMTP server: it was started by an older sesbook. "
                           "Stop it and start it again (`python -m sesbook lab`).")
        if target.lab.region != target.region:
            raise ValidationError("region", target.region, f"has no inbound server in this lab: the lab's inbound SMTP "
                                  f"server receives for its own region, {target.lab.region}, only.",
                                  hint=f"Use region={target.lab.region!r}, or start a lab in {target.region} "
                                  f"(`python -m sesbook lab --region {target.region}`).")
        host, _, port = announced.rpartition(":")
        return InboundEndpoint(host.strip("[]"), int(port), True)
    from sesbook.facts import inbound_mx_host

    return InboundEndpoint(inbound_mx_host(validate_region(target.region, receive=True)), 25, False)


# -- S3 -----------------------------------------------------------------------------------------------------
def ensure_bucket(target: Target, bucket: str) -> bool:
    """Make ``bucket`` in the target's region if it is not there; True when it was made (or planned)."""
    S3Action(bucket)  # checks the name
    try:
        with aws_errors("s3"):
            target.s3.head_bucket(Bucket=bucket)
        return False
    except AwsError as exc:
        if exc.code not in ("404", "NoSuchBucket", "NotFound"):
            raise
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if target.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    with aws_errors("s3"):
        target.s3.create_bucket(**kwargs)
    log.info("ensure_bucket: %s made%s", bucket, " (planned)" if target.planning else "")
    return True


@dataclass(frozen=True)
class StoredMessage:
    """One message an S3 action stored: its key, size, the main headers, and the headers SES added."""

    key: str
    size: int
    sender: str
    to: str
    subject: str
    ses_headers: tuple[str, ...]
    raw: bytes = field(repr=False)

    @property
    def message_id(self) -> str:
        """The SES message id: the key after its prefix."""
        return self.key.rsplit("/", 1)[-1]

    @property
    def text(self) -> str:
        """The first ``text/plain`` part, with ``\\n`` line ends (empty when there is none)."""
        parsed = message_from_bytes(self.raw, policy=policy.default)
        part = parsed.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
        return str(part.get_content()).replace("\r\n", "\n") if part is not None else ""

    def header(self, name: str) -> str | None:
        """One header of the stored message (the first, as stored)."""
        value = message_from_bytes(self.raw, policy=policy.compat32).get(name)
        return None if value is None else str(value)

    def __repr__(self) -> str:
        return f"StoredMessage({self.key}: {self.subject!r} from {self.sender}, {self.size} bytes)"


def _stored(key: str, raw: bytes) -> StoredMessage:
    parsed = message_from_bytes(raw, policy=policy.default)
    added = tuple(dict.fromkeys(name for name in parsed.keys() if name in SES_HEADERS))  # noqa: SIM118
    return StoredMessage(key, len(raw), str(parsed.get("From", "")), str(parsed.get("To", "")),
                         str(parsed.get("Subject", "")), added, raw)


@dataclass(frozen=True)
class StoredMessages:
    """:func:`stored_messages`' answer: a tuple of :class:`StoredMessage` with a table for notebooks."""

    bucket: str
    prefix: str
    messages: tuple[StoredMessage, ...]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    def __getitem__(self, index: int) -> StoredMessage:
        return self.messages[index]

    def _rows(self) -> list[tuple[str, ...]]:
        return [(m.key, m.sender, m.subject, str(m.size), ", ".join(m.ses_headers)) for m in self.messages]

    def _caption(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}: {len(self.messages)} message(s)"

    def __repr__(self) -> str:
        return self._caption() + "\n" + _html.text_table(["key", "from", "subject", "bytes", "headers SES added"],
                                                         self._rows())

    def _repr_html_(self) -> str:
        return _html.table(["key", "from", "subject", "bytes", "headers SES added"], self._rows(),
                           caption=self._caption())


def stored_messages(target: Target, bucket: str, prefix: str = "", *, subject: str | None = None) -> StoredMessages:
    """The messages S3 actions stored in ``bucket`` under ``prefix``, oldest first (only reads; messages stored
    in the same second come in key order, which is not the order they arrived in).

    ``subject`` keeps only messages with that subject. A bucket that does not exist (yet: a plan-only run)
    holds no messages.
    """
    S3Action(bucket, prefix)  # checks the bucket name and prefix
    found: list[tuple[Any, str]] = []
    try:
        with aws_errors("s3"):
            pages = target.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for page in pages:
                found += [(o["LastModified"], o["Key"]) for o in page.get("Contents") or []]
    except AwsError as exc:
        if exc.code != "NoSuchBucket":
            raise
        return StoredMessages(bucket, prefix, ())
    messages = []
    for _, key in sorted(found):
        with aws_errors("s3"):
            raw = target.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        stored = _stored(key, raw)
        if subject is None or stored.subject == subject:
            messages.append(stored)
    return StoredMessages(bucket, prefix, tuple(messages))


# -- SNS -> SQS ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InboundQueue:
    """An SNS topic and the SQS queue subscribed to it (``planned``: recorded in the plan, not made)."""

    topic_arn: str
    queue_url: str
    queue_arn: str
    planned: bool

    def __repr__(self) -> str:
        state = " (planned, not made)" if self.planned else ""
        return f"InboundQueue(topic {self.topic_arn} -> queue {self.queue_arn}){state}"


def _queue_policy(queue_arn: str, topic_arn: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "only-its-topic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
    }]}


def inbound_queue(target: Target, name: str) -> InboundQueue:
    """Make (or find) SNS topic ``name`` and SQS queue ``name`` subscribed to it, the queue taking messages
    from that topic only. Idempotent. A receipt rule's SNS action names the topic; read the queue with
    :func:`received_notifications`."""
    if not isinstance(name, str) or not _QUEUE_NAME_RE.match(name):
        raise ValidationError("name", name, "must be 1-80 letters, digits, hyphens or underscores (it names the "
                              "topic and the queue).")
    account, region = target.account_id, target.region
    topic_arn = f"arn:aws:sns:{region}:{account}:{name}"
    queue_arn = f"arn:aws:sqs:{region}:{account}:{name}"
    with aws_errors("sns"):
        topic_arn = target.sns.create_topic(Name=name).get("TopicArn") or topic_arn
    with aws_errors("sqs"):
        made = target.sqs.create_queue(QueueName=name)
        planned = was_planned(made)
        queue_url = made.get("QueueUrl") or f"(planned) {name}"
        if not planned:
            queue_arn = str(target.sqs.get_queue_attributes(
                QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
            target.sqs.set_queue_attributes(QueueUrl=queue_url,
                                            Attributes={"Policy": json.dumps(_queue_policy(queue_arn, topic_arn))})
    with aws_errors("sns"):
        existing = [] if target.planning else \
            target.sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        if not any(s.get("Endpoint") == queue_arn and s.get("Protocol") == "sqs" for s in existing):
            target.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return InboundQueue(topic_arn, queue_url, queue_arn, planned)


@dataclass(frozen=True)
class ReceivedNotification:
    """One SES receiving notification, as an SNS action (or an S3, Lambda, Bounce or Stop action's topic) sent it."""

    notification_type: str
    action: str
    source: str
    recipients: tuple[str, ...]
    subject: str
    verdicts: dict[str, str]
    content: str | None = field(repr=False)
    body: dict[str, Any] = field(repr=False)

    def __repr__(self) -> str:
        carries = f", content {len(self.content)} chars" if self.content is not None else ""
        return (f"ReceivedNotification({self.notification_type}, {self.action} action: {self.subject!r} "
                f"from {self.source} to {', '.join(self.recipients)}{carries})")


def _notification(body: dict[str, Any]) -> ReceivedNotification:
    receipt, mail = body.get("receipt") or {}, body.get("mail") or {}
    verdicts = {key.removesuffix("Verdict"): str((value or {}).get("status")) for key, value in receipt.items()
                if key.endswith("Verdict")}
    return ReceivedNotification(
        str(body.get("notificationType", "")), str((receipt.get("action") or {}).get("type", "")),
        str(mail.get("source", "")), tuple(receipt.get("recipients") or ()),
        str((mail.get("commonHeaders") or {}).get("subject", "")), verdicts, body.get("content"), body)


def received_notifications(target: Target, queue_url: str, *, limit: int = 10) -> tuple[ReceivedNotification, ...]:
    """Take up to ``limit`` notifications off the queue (each is deleted once read). SNS wraps SES's JSON as a
    string in its own envelope's ``Message``; this unwraps both. A planned queue has nothing to read."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
        raise ValidationError("limit", limit, "must be a whole number from 1 to 100.")
    if target.planning and queue_url.startswith("(planned)"):
        return ()
    found: list[ReceivedNotification] = []
    while len(found) < limit:
        with aws_errors("sqs"):
            got = target.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=min(10, limit - len(found)),
                                              WaitTimeSeconds=0).get("Messages") or []
        if not got:
            break
        for item in got:
            envelope = json.loads(item["Body"])
            message = envelope.get("Message", envelope) if isinstance(envelope, dict) else envelope
            found.append(_notification(json.loads(message) if isinstance(message, str) else message))
            if not target.planning:
                with aws_errors("sqs"):
                    target.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=item["ReceiptHandle"])
    return tuple(found)

"""The receipt rule actions, run by the lab for real: S3, SNS, Lambda, Bounce, AddHeader, Stop.

Each runner gets the message as SES holds it at that point (its added headers, then the message as
received, then any header an earlier AddHeader action put in) and returns an :class:`ActionRun` saying what
happened. SES's behaviour per action (Developer Guide, "Action options",
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action.html and the page of each action, checked 2026):

- **S3**: the object key is ``ObjectKeyPrefix`` + the message id; the object is the whole message. With
  ``KmsKeyArn`` SES encrypts the object client-side with that key; the lab records the key on the object
  (SSE-KMS metadata) and does not encrypt. With ``TopicArn`` a notification (without content) follows.
- **SNS**: a notification with the message in ``content`` (``Encoding`` ``UTF-8`` or ``Base64``). Mail over
  150 KB cannot go through SNS: SES bounces it. The lab refuses such a message at DATA with ``552 5.3.4``
  before any action runs (:func:`sesbook.receiving.matching.data_reply`); the check here only guards a
  message that grew past the limit with the headers SES and AddHeader actions put on it.
- **Lambda**: the function's handler runs with SES's event (:mod:`.lambdarun`). ``Event`` does not wait
  for an answer (the lab still runs it, to completion, before it answers the sender); ``RequestResponse``
  reads ``{"disposition": "STOP_RULE" | "STOP_RULE_SET" | "CONTINUE"}``. A function that fails or times out
  counts as ``CONTINUE``, and the failure is recorded.
- **Bounce**: SES has already answered the SMTP client (``250``); the action mails a bounce message (a
  DSN reporting ``SmtpReplyCode StatusCode Message``, :mod:`.bounce`) from the rule's ``Sender`` to the
  envelope sender, with the null reverse-path; none for a message that came with the null reverse-path.
  With ``TopicArn`` a notification follows.
- **AddHeader**: the header is added for the actions after it (name: letters, digits, dashes, 1-50;
  value under 2048 characters, no CR/LF; SES checks when the rule is made).
- **Stop**: ends the rule set (``match_rules`` already cut the list there); ``TopicArn``: a notification.
- WorkMail and Connect actions are not emulated: recorded as failed with that reason.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sesbook.lab import ACCOUNT_ID
from sesbook.lab.ses.receiving import notify

log = logging.getLogger("sesbook")

#: The largest message the SNS action carries (Developer Guide, "Publish to Amazon SNS topic action").
SNS_CONTENT_LIMIT = 150 * 1024


@dataclass
class Context:
    """What the actions of one message share: the message so far, its id and the notification parts."""

    region: str
    message_id: str
    message: bytes  # SES's headers + the message as received (+ headers AddHeader put)
    mail_from: str
    recipients: list[str]  # every envelope recipient
    timestamp: str
    verdicts: Any
    newline: bytes
    stop: str | None = None  # "rule" | "rule set": a Lambda answer or Stop ended processing
    stored: list[str] = field(default_factory=list)  # s3://bucket/key of each object written
    outbox: list[dict[str, Any]] = field(default_factory=list)  # mail SES sends (bounce messages): mailbox records

    def mail(self) -> dict[str, Any]:
        return notify.mail_object(self.message, message_id=self.message_id, mail_from=self.mail_from,
                                  recipients=self.recipients, timestamp=self.timestamp)

    def receipt(self, rule_recipients: list[str], action: dict[str, Any], millis: int = 0) -> dict[str, Any]:
        return notify.receipt_object(timestamp=self.timestamp, millis=millis, recipients=rule_recipients,
                                     verdicts=self.verdicts, action=action)


@dataclass(frozen=True)
class ActionRun:
    """One action as it ran: its type, whether it worked, and what it did or why it failed."""

    type: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "ok": self.ok, "detail": self.detail}


def _publish(ctx: Context, topic_arn: str, payload: dict[str, Any]) -> None:
    from moto.sns.models import sns_backends

    sns_backends[ACCOUNT_ID][ctx.region].publish(json.dumps(payload), arn=topic_arn, subject=notify.SUBJECT)


def _notify_topic(ctx: Context, body: dict[str, Any], words: dict[str, Any], rule_recipients: list[str]) -> str:
    topic = body.get("TopicArn")
    if not topic:
        return ""
    _publish(ctx, topic, notify.notification(ctx.mail(), ctx.receipt(rule_recipients, words)))
    return f"; notified {topic}"


def run_s3(ctx: Context, body: dict[str, Any], rule_recipients: list[str]) -> ActionRun:
    from moto.s3.models import s3_backends

    bucket, key = body.get("BucketName", ""), body.get("ObjectKeyPrefix", "") + ctx.message_id
    kms = body.get("KmsKeyArn")
    try:
        s3_backends[ACCOUNT_ID]["aws"].put_object(bucket, key, ctx.message, encryption="aws:kms" if kms else None,
                                                  kms_key_id=kms)
    except Exception as exc:  # noqa: BLE001 - moto raises its own error types; SES records a failed action
        log.warning("lab inbound %s: S3 action could not write s3://%s/%s: %s", ctx.message_id, bucket, key, exc)
        return ActionRun("S3", False, f"could not write s3://{bucket}/{key}: {exc}")
    ctx.stored.append(f"s3://{bucket}/{key}")
    words = notify.action_words({"S3Action": body}, "S3Action", object_key=key)
    return ActionRun("S3", True, f"wrote s3://{bucket}/{key} ({len(ctx.message)} bytes)"
                     + _notify_topic(ctx, body, words, rule_recipients))


def run_sns(ctx: Context, body: dict[str, Any], rule_recipients: list[str]) -> ActionRun:
    topic = body.get("TopicArn", "")
    if len(ctx.message) > SNS_CONTENT_LIMIT:
        return ActionRun("SNS", False, f"message of {len(ctx.message)} bytes (with the headers SES added) is over "
                                       "the SNS action's 150 KB: not published")
    encoding = body.get("Encoding", "UTF-8")
    content = (base64.b64encode(ctx.message).decode() if encoding == "Base64"
               else ctx.message.decode("utf-8", "replace"))
    words = notify.action_words({"SNSAction": body}, "SNSAction")
    try:
        _publish(ctx, topic, notify.notification(ctx.mail(), ctx.receipt(rule_recipients, words), content))
    except Exception as exc:  # noqa: BLE001 - a missing topic is a failed action, recorded
        return ActionRun("SNS", False, f"could not publish to {topic}: {exc}")
    return ActionRun("SNS", True, f"published to {topic} ({encoding})")


def run_lambda(ctx: Context, body: dict[str, Any], rule_recipients: list[str]) -> ActionRun:
    from sesbook.lab.ses.receiving.lambdarun import run_handler

    arn, invocation = body.get("FunctionArn", ""), body.get("InvocationType", "Event")
    words = notify.action_words({"LambdaAction": body}, "LambdaAction")
    event = notify.lambda_event(ctx.mail(), ctx.receipt(rule_recipients, words))
    result = run_handler(arn, ctx.region, event, request_id=ctx.message_id)
    extra = _notify_topic(ctx, body, words, rule_recipients)
    if not result.ok:
        log.warning("lab inbound %s: Lambda %s failed: %s", ctx.message_id, arn, result.error)
        return ActionRun("Lambda", False, f"{arn} ({invocation}) failed: {result.error}{extra}")
    if invocation != "RequestResponse":
        return ActionRun("Lambda", True, f"{arn} ran (Event){extra}")
    disposition = (result.result or {}).get("disposition", "CONTINUE") if isinstance(result.result, dict) else \
        "CONTINUE"
    disposition = str(disposition).upper()
    if disposition == "STOP_RULE":
        ctx.stop = "rule"
    elif disposition == "STOP_RULE_SET":
        ctx.stop = "rule set"
    return ActionRun("Lambda", True, f"{arn} answered {disposition}{extra}")


def run_bounce(ctx: Context, body: dict[str, Any], rule_recipients: list[str]) -> ActionRun:
    from sesbook.lab.ses.feedback import forwarding
    from sesbook.lab.ses.receiving import bounce

    reply = bounce.reply_of(body)
    words = notify.action_words({"BounceAction": body}, "BounceAction")
    extra = _notify_topic(ctx, body, words, rule_recipients)
    if not ctx.mail_from.strip("<> "):
        return ActionRun("Bounce", True, f"no bounce message ({reply!r}): the message came with the null "
                                         f"reverse-path{extra}")
    mail_id, mail = bounce.bounce_message(ctx, body, rule_recipients)
    ctx.outbox.append(forwarding.record(mail_id, bounce.KIND, mail, region=ctx.region, original=ctx.message_id,
                                        recipients=rule_recipients))
    return ActionRun("Bounce", True, f"mailed a bounce message ({reply!r}) from {body.get('Sender', '')} to "
                                     f"{ctx.mail_from} (id {mail_id}){extra}")


def run_add_header(ctx: Context, body: dict[str, Any], rule_recipients: list[str]) -> ActionRun:
    name, value = str(body.get("HeaderName", "")), str(body.get("HeaderValue", ""))
    header = f"{name}: {value}".encode() + ctx.newline
    ctx.message = header + ctx.message
    return ActionRun("AddHeader", True, f"added {name}: {value}")


def run_stop(ctx: Context, body: dict[str, Any], rule_recipients: list[str]) -> ActionRun:
    ctx.stop = "rule set"
    words = notify.action_words({"StopAction": body}, "StopAction")
    return ActionRun("Stop", True, "stopped the rule set" + _notify_topic(ctx, body, words, rule_recipients))


RUNNERS = {"S3Action": run_s3, "SNSAction": run_sns, "LambdaAction": run_lambda, "BounceAction": run_bounce,
           "AddHeaderAction": run_add_header, "StopAction": run_stop}


def run_action(ctx: Context, kind: str, action: dict[str, Any], rule_recipients: list[str]) -> ActionRun:
    runner = RUNNERS.get(kind)
    if runner is None:
        return ActionRun(kind.removesuffix("Action"), False, f"{kind} is not emulated by the lab")
    try:
        return runner(ctx, action.get(kind) or {}, rule_recipients)
    except Exception as exc:  # noqa: BLE001 - nothing accepted is lost: a crashing action is a failed action
        log.exception("lab inbound %s: %s failed", ctx.message_id, kind)
        return ActionRun(kind.removesuffix("Action"), False, f"failed: {exc}")

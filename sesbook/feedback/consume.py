"""Drain a feedback queue and act on what SES reported, idempotently.

:func:`drain` receives every message waiting in the queue, parses it (:func:`~sesbook.feedback.parse.parse`)
and applies a :class:`FeedbackPolicy`:

- a hard bounce (``Permanent``) and a complaint put the address on the account's suppression list
  (SESv2 ``PutSuppressedDestination``, reason BOUNCE or COMPLAINT; bounces that already say
  ``OnAccountSuppressionList`` change nothing);
- a soft bounce (``Transient``, ``Undetermined``) is counted per address; at ``soft_bounce_limit`` the address
  is suppressed as BOUNCE, below it the report says to retry later;
- anything else (deliveries, sends, opens …) is recorded, not acted on.

Idempotent: a :class:`FeedbackLedger` remembers every notification it applied (by what it is about,
:attr:`Feedback.key <sesbook.feedback.parse.Feedback.key>`) and the soft bounce counts, so running :func:`drain`
again on the same messages (redelivered after a crash, or sent twice) changes nothing, and one bounce that
arrives both as an identity notification and as a configuration set event is applied (and counted) once.
Pass the same ledger to every run, or a ``path`` to keep it in a JSON file between sessions.

A message that cannot be parsed is never dropped: it is copied to the dead-letter queue (when one is given)
and then deleted from the queue, or, without one, left in the queue; either way the report lists it.

IAM permissions for the aws target: ``sqs:ReceiveMessage``, ``sqs:DeleteMessage``, ``sqs:SendMessage`` (on the
dead-letter queue), ``ses:PutSuppressedDestination``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import FeedbackParseError, ValidationError
from sesbook.feedback.parse import Feedback, parse

if TYPE_CHECKING:
    from sesbook.target import Target

log = logging.getLogger("sesbook")


@dataclass(frozen=True)
class FeedbackPolicy:
    """What :func:`drain` does with bounces and complaints."""

    suppress_hard_bounces: bool = True
    suppress_complaints: bool = True
    soft_bounce_limit: int = 3  # soft bounces of one address before it is suppressed (0: never)

    def __post_init__(self) -> None:
        if not isinstance(self.soft_bounce_limit, int) or self.soft_bounce_limit < 0:
            raise ValidationError("soft_bounce_limit", self.soft_bounce_limit, "must be a whole number >= 0")


@dataclass
class FeedbackLedger:
    """What was already applied (keys) and soft bounce counts; saved to ``path`` when one is given."""

    seen: set[str] = field(default_factory=set)
    soft_bounces: dict[str, int] = field(default_factory=dict)
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path) -> FeedbackLedger:
        p = Path(path)
        if not p.exists():
            return cls(path=p)
        data = json.loads(p.read_text())
        return cls(set(data.get("seen", [])), dict(data.get("soft_bounces", {})), p)

    def save(self) -> None:
        if self.path is not None:
            self.path.write_text(json.dumps({"seen": sorted(self.seen), "soft_bounces": self.soft_bounces}, indent=1))


@dataclass(frozen=True)
class Applied:
    """One parsed message and what the policy did with it."""

    feedback: Feedback
    action: str  # suppressed | counted | retry | recorded | duplicate | already suppressed


@dataclass(frozen=True)
class DrainReport:
    applied: tuple[Applied, ...]
    dead_lettered: tuple[tuple[str, str], ...]  # (SQS message id, why)
    suppressed: tuple[str, ...]
    ledger: FeedbackLedger = field(repr=False, compare=False)

    @property
    def received(self) -> int:
        return len(self.applied) + len(self.dead_lettered)

    def rows(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = [
            (a.feedback.kind, "/".join(x for x in (a.feedback.bounce_type, a.feedback.bounce_subtype) if x)
             or a.feedback.complaint_type, ", ".join(a.feedback.addresses), a.action) for a in self.applied]
        rows += [("unparseable", why, message_id, "dead-lettered") for message_id, why in self.dead_lettered]
        return rows

    def __repr__(self) -> str:
        return _html.text_table(["kind", "detail", "recipients", "action"], self.rows())

    def _repr_html_(self) -> str:
        return _html.table(["kind", "detail", "recipients", "action"], self.rows(),
                           caption=f"{self.received} messages drained")


def _suppress(target: Target, address: str, reason: str) -> None:
    with aws_errors("sesv2"):
        target.sesv2.put_suppressed_destination(EmailAddress=address, Reason=reason)


def apply_feedback(target: Target, feedback: Feedback, policy: FeedbackPolicy, ledger: FeedbackLedger,
                   suppressed: list[str]) -> str:
    """Apply ``policy`` to one parsed notification; return what was done."""
    if feedback.key in ledger.seen:
        return "duplicate"
    action = "recorded"
    if feedback.hard_bounce and policy.suppress_hard_bounces:
        if feedback.bounce_subtype == "OnAccountSuppressionList":
            action = "already suppressed"
        else:
            for address in feedback.addresses:
                _suppress(target, address, "BOUNCE")
                suppressed.append(address)
            action = "suppressed"
    elif feedback.kind == "Complaint" and policy.suppress_complaints:
        for address in feedback.addresses:
            _suppress(target, address, "COMPLAINT")
            suppressed.append(address)
        action = "suppressed"
    elif feedback.soft_bounce:
        action = "retry"
        for address in feedback.addresses:
            count = ledger.soft_bounces[address.lower()] = ledger.soft_bounces.get(address.lower(), 0) + 1
            if policy.soft_bounce_limit and count >= policy.soft_bounce_limit:
                _suppress(target, address, "BOUNCE")
                suppressed.append(address)
                action = "suppressed"
    ledger.seen.add(feedback.key)
    return action


def drain(target: Target, queue_url: str, policy: FeedbackPolicy | None = None, *,
          dead_letter_queue_url: str | None = None, ledger: FeedbackLedger | None = None,
          max_messages: int = 1000) -> DrainReport:
    """Receive every waiting message from ``queue_url`` and apply ``policy`` (see the module docstring)."""
    policy = policy or FeedbackPolicy()
    ledger = ledger if ledger is not None else FeedbackLedger()
    if not isinstance(queue_url, str) or not queue_url:
        raise ValidationError("queue_url", queue_url, "give the queue's URL", hint="wire_feedback(...).queue_url")
    applied: list[Applied] = []
    dead: list[tuple[str, str]] = []
    suppressed: list[str] = []
    kept_back: set[str] = set()
    while len(applied) + len(dead) < max_messages:
        with aws_errors("sqs"):
            batch = target.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                               VisibilityTimeout=30).get("Messages") or []
        batch = [m for m in batch if m["MessageId"] not in kept_back]
        if not batch:
            break
        for message in batch:
            try:
                feedback = parse(message)
            except FeedbackParseError as exc:
                dead.append((message["MessageId"], exc.reason))
                log.warning("feedback: message %s is not SES feedback (%s)", message["MessageId"], exc.reason)
                if dead_letter_queue_url is None:
                    kept_back.add(message["MessageId"])
                    continue
                with aws_errors("sqs"):
                    target.sqs.send_message(QueueUrl=dead_letter_queue_url, MessageBody=message["Body"])
            else:
                applied.append(Applied(feedback, apply_feedback(target, feedback, policy, ledger, suppressed)))
            with aws_errors("sqs"):
                target.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    ledger.save()
    return DrainReport(tuple(applied), tuple(dead), tuple(dict.fromkeys(suppressed)), ledger)

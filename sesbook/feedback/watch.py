"""Watch feedback arrive in a queue without taking it away: :func:`watch_feedback`.

SES publishes a notification (or an event) to SNS a moment after a send; SNS puts it in the subscribed SQS
queue. :func:`watch_feedback` polls the queue (SQS long polling, ``WaitTimeSeconds`` up to 20 s) until
``expect`` messages have come or ``timeout`` seconds have passed, showing one progress line while it waits,
and returns a :class:`FeedbackWatch`: each message as it sits in the queue (:attr:`Watched.body`) and as
:func:`~sesbook.feedback.parse.parse` reads it.

It only looks: every message it received is made visible again at the end (``ChangeMessageVisibility`` to
0; while it watches they stay hidden, so a queue of more than ten messages is read through and none is
counted twice), so :func:`~sesbook.feedback.consume.drain` then finds and acts on all of them. Each look
counts as a receive towards the queue's redrive ``maxReceiveCount``.

Planned against AWS (``apply=False``) the queue does not exist yet: nothing is called and the result is
empty and ``planned``.

IAM permissions for the aws target: ``sqs:ReceiveMessage``, ``sqs:ChangeMessageVisibility``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook._progress import ProgressLine
from sesbook.errors import FeedbackParseError, NoMessageError, ValidationError
from sesbook.feedback.parse import Feedback, parse

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sesbook.target import Target

LONG_POLL_MAX = 20  # seconds: SQS's largest WaitTimeSeconds
HEADERS = ["#", "kind", "shape", "recipients", "detail"]


def _shorten(value: Any, limit: int) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + f"… ({len(value)} characters)"
    if isinstance(value, dict):
        return {k: _shorten(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v, limit) for v in value]
    return value


@dataclass(frozen=True)
class Watched:
    """One message from the queue: its SQS ``message_id``, its ``body`` as received, and ``feedback`` (the
    parsed notification or event; None with ``error`` saying why when it is not SES feedback)."""

    message_id: str
    body: str
    feedback: Feedback | None
    error: str | None = None

    def raw(self, limit: int = 120) -> str:
        """The body as the queue holds it, indented, each string longer than ``limit`` cut (with its length):
        an SNS envelope shows its ``Message`` as the string it is."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return str(_shorten(self.body, limit))
        return json.dumps(_shorten(data, limit), indent=2, ensure_ascii=False)

    def row(self) -> tuple[Any, ...]:
        f = self.feedback
        if f is None:
            return ("unparseable", None, None, self.error)
        detail = "/".join(x for x in (f.bounce_type, f.bounce_subtype) if x) or f.complaint_type
        return (f.kind, f.shape, ", ".join(f.addresses or f.destination), detail)


@dataclass(frozen=True)
class FeedbackWatch:
    """What :func:`watch_feedback` saw, in the order it arrived (``items``)."""

    items: tuple[Watched, ...]
    expected: int
    planned: bool = False

    @property
    def complete(self) -> bool:
        """True when at least ``expected`` messages arrived."""
        return len(self.items) >= self.expected

    @property
    def feedback(self) -> tuple[Feedback, ...]:
        return tuple(w.feedback for w in self.items if w.feedback is not None)

    def find(self, kind: str, address: str | None = None, *, shape: str | None = None) -> Watched:
        """The first message of ``kind`` (Bounce, Complaint, Delivery …), about ``address`` when given, of
        ``shape`` (``notification`` or ``event``) when given; :class:`~sesbook.errors.NoMessageError` when
        none arrived."""
        for item in self.items:
            f = item.feedback
            if f is None or f.kind != kind or (shape is not None and f.shape != shape):
                continue
            if address is None or address.lower() in {a.lower() for a in f.addresses or f.destination}:
                return item
        about = f" about {address}" if address else ""
        raise NoMessageError(f"no {shape or 'message'} of kind {kind}{about} arrived "
                            f"({len(self.items)} message(s) watched)")

    def rows(self) -> list[tuple[Any, ...]]:
        return [(n, *item.row()) for n, item in enumerate(self.items, 1)]

    def _caption(self) -> str:
        if self.planned:
            return "planned: the queue does not exist yet, nothing to watch"
        return f"{len(self.items)} of {self.expected} expected message(s) arrived" + (
            "" if self.complete else " (timed out)")

    def __repr__(self) -> str:
        table = _html.text_table(HEADERS, self.rows()) if self.items else ""
        return "\n".join(x for x in (self._caption(), table) if x)

    def _repr_html_(self) -> str:
        return _html.table(HEADERS, self.rows(), caption=self._caption())


def watch_feedback(target: Target, queue_url: str, *, expect: int, timeout: float = 60.0,
                   message_ids: Iterable[str] | None = None, progress: bool = True) -> FeedbackWatch:
    """Poll ``queue_url`` until ``expect`` messages arrived or ``timeout`` seconds passed; leave them in the
    queue (see the module docstring).

    ``message_ids``: count and show only feedback about these sends (SES's message ids, as a send returned
    them). A queue that other mail's feedback also reaches (every send from the identity, earlier runs) then
    cannot fill the watch with someone else's messages; those are left in the queue as they were."""
    if not isinstance(queue_url, str) or not queue_url:
        raise ValidationError("queue_url", queue_url, "give the queue's URL", hint="wire_feedback(...).queue_url")
    if isinstance(expect, bool) or not isinstance(expect, int) or expect < 1:
        raise ValidationError("expect", expect, "must be a whole number >= 1: how many messages to wait for")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 <= timeout <= 3600:
        raise ValidationError("timeout", timeout, "must be 0-3600 seconds")
    if target.planning:  # nothing was sent, so no message ids either: nothing to watch
        return FeedbackWatch((), expect, planned=True)
    ours: set[str] | None = None
    if message_ids is not None:
        ours = set(message_ids) if not isinstance(message_ids, str) else {message_ids}
        if not ours or not all(isinstance(m, str) and m for m in ours):
            raise ValidationError("message_ids", message_ids, "give the message ids of the sends to watch for",
                                  hint="[result.message_id for result in sends]")
    deadline = time.monotonic() + timeout
    hide = int(timeout) + 60  # seconds a received message stays hidden: longer than the whole watch
    items: list[Watched] = []
    handles: list[str] = []
    try:
        with ProgressLine(f"feedback: 0 of {expect} message(s)", enabled=progress) as line:
            while len(items) < expect:
                remaining = deadline - time.monotonic()
                with aws_errors("sqs"):
                    got = target.sqs.receive_message(
                        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=hide,
                        WaitTimeSeconds=max(0, min(LONG_POLL_MAX, int(remaining)))).get("Messages") or []
                for message in got:
                    handles.append(message["ReceiptHandle"])
                    try:
                        item = Watched(message["MessageId"], message["Body"], parse(message))
                    except FeedbackParseError as exc:
                        item = Watched(message["MessageId"], message["Body"], None, exc.reason)
                    if ours is None or (item.feedback is not None and item.feedback.message_id in ours):
                        items.append(item)
                line.update(f"feedback: {len(items)} of {expect} message(s)")
                if not got and time.monotonic() >= deadline:
                    break
    finally:
        _show_again(target, queue_url, handles)
    return FeedbackWatch(tuple(items), expect)


def _show_again(target: Target, queue_url: str, handles: list[str]) -> None:
    """Make the received messages visible again, ten at a time (SQS's batch limit)."""
    with aws_errors("sqs"):
        for start in range(0, len(handles), 10):
            entries = [{"Id": str(n), "ReceiptHandle": h, "VisibilityTimeout": 0}
                       for n, h in enumerate(handles[start:start + 10])]
            target.sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries)


__all__ = ["FeedbackWatch", "Watched", "watch_feedback"]

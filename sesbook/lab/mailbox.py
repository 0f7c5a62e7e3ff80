"""The lab's mailbox: every message the lab delivers to an address outside the lab, kept for reading back.

Mailbox simulator addresses (``success@simulator.amazonses.com`` …) are not outside addresses: mail only
to them is not kept.

What lands here: every message the send pipeline accepted (its ``deliver`` stage, see
:mod:`sesbook.lab.ses.sending.pipeline`: v1 ``SendEmail``, ``SendRawEmail``, ``SendTemplatedEmail``,
``SendBulkTemplatedEmail``, v2 ``SendEmail``, SMTP submissions), and the messages SES itself sends (the
address verification request). It is served at ``GET /_aws/ses`` in the shape LocalStack uses, so
test helpers written for LocalStack work unchanged::

    {"messages": [{"Id", "Region", "Source", "Destination": {"ToAddresses", "CcAddresses",
                   "BccAddresses"}, "Subject", "Body": {"text_part", "html_part"}, "RawData",
                   "Timestamp", "Api", "Attachments": [{"Filename", "ContentType", "Size"}]}]}

``Api`` (``v1``, ``v2`` or ``smtp``) and ``Attachments`` are the lab's additions; ``RawData`` is the MIME as
sent for raw sends and the MIME SES builds (text and HTML as alternatives, the rendered template) for the
others; templated messages also carry ``Template`` and ``TemplateData``.

It is bounded: at most :data:`DEFAULT_MAX_MESSAGES` messages and :data:`DEFAULT_MAX_BYTES` bytes in all by
default (``SESBOOK_LAB_MAILBOX_LIMIT`` and ``SESBOOK_LAB_MAILBOX_BYTES``, or ``Lab(mailbox_limit=...,
mailbox_bytes=...)``); past either, the oldest messages are dropped first, one INFO log line each, and the
newest is always kept. A long-running lab does not grow without end (SES's own limit per message is 40 MB).

Filters: ``?id=MESSAGE_ID``, ``?email=SOURCE`` (as LocalStack), and ``?to=ADDRESS`` (any recipient,
case-insensitive).

SES's own feedback mail (email feedback forwarding: the bounce and complaint messages SES mails to the sender,
and the simulator's out-of-office replies; :mod:`sesbook.lab.ses.feedback.forwarding`; and the bounce message
a Bounce receipt action mails to an inbound message's sender, :mod:`sesbook.lab.ses.receiving.bounce`) is kept
here too, marked ``Api`` ``"feedback"`` with ``Kind`` ``bounce`` | ``complaint`` | ``auto-reply`` |
``bounce-action`` and ``Feedback`` (``MessageId`` of the message it is about, ``Recipients``). It is listed
only with ``?feedback=1`` (then beside the other messages, oldest first), so a reader of the mail that was
sent sees the same list whether or not anything bounced. ``DELETE /_aws/ses`` empties it,
``DELETE /_aws/ses?id=...`` removes one message. A lab reset empties it too.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from sesbook._validate import parse_bool, parse_whole_number
from sesbook.errors import ValidationError
from sesbook.facts import is_simulator
from sesbook.lab import clock
from sesbook.lab.registry import on_reset, route

if TYPE_CHECKING:
    from collections.abc import Mapping

log = logging.getLogger("sesbook")

ENV_MAX_MESSAGES = "SESBOOK_LAB_MAILBOX_LIMIT"
ENV_MAX_BYTES = "SESBOOK_LAB_MAILBOX_BYTES"
DEFAULT_MAX_MESSAGES = 1000
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much the mailbox keeps: at most ``max_messages`` messages and ``max_bytes`` bytes in all."""

    max_messages: int = DEFAULT_MAX_MESSAGES
    max_bytes: int = DEFAULT_MAX_BYTES


_lock = threading.Lock()
_messages: list[dict[str, Any]] = []
_sizes: list[int] = []  # bytes of each kept message, in step with _messages
_limits = Limits()


def _positive(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(field, value, "must be a whole number of at least 1.", hint="For example 1000.")
    return value


def limits_from_env(environ: Mapping[str, str] | None = None) -> Limits:
    """The limits ``SESBOOK_LAB_MAILBOX_LIMIT`` / ``SESBOOK_LAB_MAILBOX_BYTES`` ask for (defaults where unset)."""
    environ = os.environ if environ is None else environ
    found = {}
    for name, key in ((ENV_MAX_MESSAGES, "max_messages"), (ENV_MAX_BYTES, "max_bytes")):
        text = environ.get(name, "").strip()
        if text:
            found[key] = _positive(name, parse_whole_number(name, text, hint="For example 1000, or unset it."))
    return Limits(**found)


def configure(*, max_messages: int | None = None, max_bytes: int | None = None) -> Limits:
    """Set the mailbox's limits (``None`` keeps a limit as it is), drop what no longer fits, return them."""
    global _limits
    new = Limits(
        _positive("mailbox_limit", max_messages) if max_messages is not None else _limits.max_messages,
        _positive("mailbox_bytes", max_bytes) if max_bytes is not None else _limits.max_bytes,
    )
    with _lock:
        _limits = new
        _trim()
    return new


def limits() -> Limits:
    return _limits


def _size_of(message: dict[str, Any], *, count_raw: bool = True) -> int:
    body = message.get("Body") or {}
    parts = [message.get("RawData")] if count_raw and message.get("RawData") else [
        message.get("Subject"), body.get("text_part"), body.get("html_part"), message.get("TemplateData")]
    return sum(len(str(p).encode()) for p in parts if p)


def _trim() -> None:
    """Drop the oldest messages until the limits hold (the newest is always kept). Call with ``_lock`` held."""
    while len(_messages) > 1 and (len(_messages) > _limits.max_messages or sum(_sizes) > _limits.max_bytes):
        dropped = _messages.pop(0)
        _sizes.pop(0)
        log.info(
            "lab mailbox: dropped the oldest message %s to keep at most %d messages and %d bytes; raise the "
            "limits with `python -m sesbook lab --mailbox-limit N` or the environment variables %s / %s",
            dropped.get("Id"), _limits.max_messages, _limits.max_bytes, ENV_MAX_MESSAGES, ENV_MAX_BYTES,
        )


def deliver(message: dict[str, Any], *, count_raw: bool = True) -> dict[str, Any] | None:
    """Add one message (LocalStack shape; ``Timestamp`` filled in when missing) and return it.

    ``count_raw=False``: the message's ``RawData`` was built by the lab from its parts (simple and
    templated sends), so the parts are what the byte limit counts, not the MIME text beside them.

    Mail only to mailbox simulator addresses is not kept: the simulator delivers to nobody (its answers
    come back as notifications). Simulator addresses beside real ones are left out of ``Destination``.
    """
    dest = message.get("Destination") or {}
    kept = {key: [a for a in dest.get(key) or [] if not is_simulator(a)] for key in dest}
    if not any(kept.values()):
        return None
    message["Destination"] = kept
    message.setdefault("Timestamp", clock.now().isoformat(timespec="milliseconds"))
    with _lock:
        _messages.append(message)
        _sizes.append(_size_of(message, count_raw=count_raw))
        _trim()
    return message


def _recipients(message: dict[str, Any]) -> list[str]:
    dest = message.get("Destination") or {}
    found = []
    for key in ("ToAddresses", "CcAddresses", "BccAddresses"):
        found += [parseaddr(a)[1].lower() for a in dest.get(key) or []]
    return found


#: ``Api`` of SES's own feedback mail (:mod:`sesbook.lab.ses.feedback.forwarding`).
FEEDBACK_API = "feedback"


def select(*, id: str | None = None, email: str | None = None, to: str | None = None,  # noqa: A002
           feedback: bool = False) -> list[dict[str, Any]]:
    """The messages matching every filter given, oldest first; SES's feedback mail only with ``feedback``."""
    with _lock:
        out = [m for m in _messages if feedback or m.get("Api") != FEEDBACK_API]
    if id:
        out = [m for m in out if m.get("Id") == id]
    if email:
        out = [m for m in out if parseaddr(m.get("Source") or "")[1].lower() == email.lower()]
    if to:
        out = [m for m in out if to.lower() in _recipients(m)]
    return out


def clear(*, id: str | None = None) -> int:  # noqa: A002
    """Remove one message (by id) or all; return how many were removed."""
    with _lock:
        before = len(_messages)
        kept = [(m, n) for m, n in zip(_messages, _sizes, strict=True) if id is not None and m.get("Id") != id]
        _messages[:] = [m for m, _ in kept]
        _sizes[:] = [n for _, n in kept]
        return before - len(_messages)


@on_reset
def _on_reset() -> None:
    clear()


@route("/_aws/ses")
def _serve(request: Any) -> tuple[int, Any]:
    args = request.args
    if request.method == "DELETE":
        clear(id=args.get("id") or None)
        return 204, ""
    if request.method != "GET":
        return 405, {"error": "use GET to read the mailbox or DELETE to empty it"}
    try:
        feedback = parse_bool("feedback", args.get("feedback") or "false")
    except ValidationError as exc:
        return 400, {"error": str(exc)}
    found = select(id=args.get("id") or None, email=args.get("email") or None, to=args.get("to") or None,
                   feedback=feedback)
    return 200, {"messages": found}

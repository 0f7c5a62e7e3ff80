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
                   "Timestamp"}]}

Filters: ``?id=MESSAGE_ID``, ``?email=SOURCE`` (as LocalStack), and ``?to=ADDRESS`` (any recipient,
case-insensitive). ``DELETE /_aws/ses`` empties it, ``DELETE /_aws/ses?id=...`` removes one message.
A lab reset empties it too.
"""

from __future__ import annotations

import threading
from email.utils import parseaddr
from typing import Any

from sesbook.facts import is_simulator
from sesbook.lab import clock
from sesbook.lab.registry import on_reset, route

_lock = threading.Lock()
_messages: list[dict[str, Any]] = []


def deliver(message: dict[str, Any]) -> dict[str, Any] | None:
    """Add one message (LocalStack shape; ``Timestamp`` filled in when missing) and return it.

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
    return message


def _recipients(message: dict[str, Any]) -> list[str]:
    dest = message.get("Destination") or {}
    found = []
    for key in ("ToAddresses", "CcAddresses", "BccAddresses"):
        found += [parseaddr(a)[1].lower() for a in dest.get(key) or []]
    return found


def select(*, id: str | None = None, email: str | None = None, to: str | None = None) -> list[dict[str, Any]]:  # noqa: A002
    """The messages matching every filter given, oldest first."""
    with _lock:
        out = list(_messages)
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
        _messages[:] = [m for m in _messages if id is not None and m.get("Id") != id]
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
    found = select(id=args.get("id") or None, email=args.get("email") or None, to=args.get("to") or None)
    return 200, {"messages": found}

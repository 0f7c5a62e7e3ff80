"""The lab's mailbox: every message the lab delivers to an address outside the lab, kept for reading back.

Mailbox simulator addresses (``success@simulator.amazonses.com`` …) are not outside addresses: mail only
to them is not kept.

What lands here: messages sent through the SES API (v1 ``SendEmail``, ``SendRawEmail``,
``SendTemplatedEmail``, v2 ``SendEmail``) once moto accepted them, and the messages SES itself sends
(the address verification request). It is served at ``GET /_aws/ses`` in the shape LocalStack uses, so
test helpers written for LocalStack work unchanged::

    {"messages": [{"Id", "Region", "Source", "Destination": {"ToAddresses", "CcAddresses",
                   "BccAddresses"}, "Subject", "Body": {"text_part", "html_part"}, "RawData",
                   "Timestamp"}]}

Filters: ``?id=MESSAGE_ID``, ``?email=SOURCE`` (as LocalStack), and ``?to=ADDRESS`` (any recipient,
case-insensitive). ``DELETE /_aws/ses`` empties it, ``DELETE /_aws/ses?id=...`` removes one message.
A lab reset empties it too.

The send wrappers are independent of any other wrapper of the same moto methods: they always call the
original first and record only what it accepted.
"""

from __future__ import annotations

import email
import email.policy
import threading
from email.utils import getaddresses, parseaddr
from typing import Any

from sesbook.lab import clock
from sesbook.lab.extensions import wrap
from sesbook.lab.runtime import RESET_HOOKS, route
from sesbook.lab.simulator import is_simulator

_lock = threading.Lock()
_messages: list[dict[str, Any]] = []
_parts = threading.local()  # text and html parts of the send being handled on this thread


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


def _on_reset() -> None:
    clear()


RESET_HOOKS.append(_on_reset)


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


# -- recording what moto sent ------------------------------------------------------------------------
@wrap("moto.ses.responses.EmailResponse", "send_email")
def _v1_send_parts(original: Any, self: Any, *args: Any, **kwargs: Any) -> Any:
    _parts.value = (self._get_param("Message.Body.Text.Data"), self._get_param("Message.Body.Html.Data"))
    try:
        return original(self, *args, **kwargs)
    finally:
        _parts.value = None


@wrap("moto.sesv2.responses.SESV2Response", "send_email")
def _v2_send_parts(original: Any, self: Any, *args: Any, **kwargs: Any) -> Any:
    body = ((self._get_param("Content") or {}).get("Simple") or {}).get("Body") or {}
    _parts.value = ((body.get("Text") or {}).get("Data"), (body.get("Html") or {}).get("Data"))
    try:
        return original(self, *args, **kwargs)
    finally:
        _parts.value = None


def _destination(destinations: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: list(destinations.get(k) or []) for k in ("ToAddresses", "CcAddresses", "BccAddresses")}


@wrap("moto.ses.models.SESBackend", "send_email")
def _record_send_email(original: Any, self: Any, source: str, subject: str, body: str, destinations: Any) -> Any:
    message = original(self, source, subject, body, destinations)
    text, html = getattr(_parts, "value", None) or (None, None)
    if text is None and html is None:
        text = body
    deliver({
        "Id": message.id, "Region": self.region_name, "Source": source,
        "Destination": _destination(destinations), "Subject": subject,
        "Body": {"text_part": text, "html_part": html},
    })
    return message


@wrap("moto.ses.models.SESBackend", "send_templated_email")
def _record_send_templated(
    original: Any, self: Any, source: str, template: str, template_data: str, destinations: Any
) -> Any:
    message = original(self, source, template, template_data, destinations)
    deliver({
        "Id": message.id, "Region": self.region_name, "Source": source,
        "Destination": _destination(destinations), "Subject": None,
        "Body": {"text_part": None, "html_part": None},
        "Template": template, "TemplateData": template_data,
    })
    return message


def _mime_parts(msg: email.message.Message) -> tuple[str | None, str | None]:
    text = html = None
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html"):
            try:
                content = part.get_content()  # type: ignore[attr-defined]
            except (LookupError, ValueError):
                continue
            if kind == "text/plain" and text is None:
                text = content
            elif kind == "text/html" and html is None:
                html = content
    return text, html


@wrap("moto.ses.models.SESBackend", "send_raw_email")
def _record_send_raw(original: Any, self: Any, source: Any, destinations: list[str], raw_data: str) -> Any:
    envelope = list(destinations or [])
    message = original(self, source, destinations, raw_data)
    parsed = email.message_from_string(raw_data, policy=email.policy.default)
    header_to = [a for _, a in getaddresses(parsed.get_all("To", [])) if a]
    header_cc = [a for _, a in getaddresses(parsed.get_all("Cc", [])) if a]
    everyone = {parseaddr(a)[1].lower() for a in list(message.destinations or []) + envelope if parseaddr(a)[1]}
    shown = {a.lower() for a in header_to + header_cc}
    bcc = sorted(everyone - shown)
    text, html = _mime_parts(parsed)
    deliver({
        "Id": message.id, "Region": self.region_name,
        "Source": source or parseaddr(str(parsed.get("From", "")))[1],
        "Destination": {"ToAddresses": header_to, "CcAddresses": header_cc, "BccAddresses": bcc},
        "Subject": str(parsed.get("Subject", "")) or None,
        "Body": {"text_part": text, "html_part": html},
        "RawData": raw_data,
    })
    return message

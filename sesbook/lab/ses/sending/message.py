"""One outbound message, parsed once, whatever brought it: an SES v1 or v2 send API or SMTP submission.

Build it with the constructor for its source (:func:`from_v1_simple`, :func:`from_v2_simple`,
:func:`from_template`, :func:`from_bulk_template`, :func:`from_raw`) and hand it to
:func:`sesbook.lab.ses.sending.pipeline.submit`. ``api`` (``v1``, ``v2`` or ``smtp``) picks the error codes
the rules answer with; nothing else about a send depends on which door it came through.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr
from typing import Any

from sesbook import facts
from sesbook.facts import base64_size

DESTINATION_KEYS = ("ToAddresses", "CcAddresses", "BccAddresses")


def destination(given: dict[str, Any] | None) -> dict[str, list[str]]:
    """An SES ``Destination`` with all three lists, in SES's order."""
    given = given or {}
    return {key: list(given.get(key) or []) for key in DESTINATION_KEYS}


def _copy(given: dict[str, Any] | None) -> dict[str, list[str]]:
    return {key: list(value or []) for key, value in (given or {}).items()}


def flatten(given: dict[str, Any] | None) -> list[str]:
    """Every address of an SES ``Destination``: To, then Cc, then Bcc."""
    dest = given or {}
    return [a for key in DESTINATION_KEYS for a in dest.get(key, []) or []]


@dataclass(frozen=True)
class OutboundMessage:
    """What a send asks for, parsed once. Read-only; ``destination`` and ``bulk`` are copies of the request's."""

    api: str  # "v1" | "v2" | "smtp": which error codes the rules answer with
    operation: str  # SendEmail | SendRawEmail | SendTemplatedEmail | SendBulkTemplatedEmail | SMTP
    source: str | None  # the sender as given (Source, FromEmailAddress, MAIL FROM); None: the From header's
    recipients: tuple[str, ...]  # who it goes to, as the rules count them (envelope first, else the headers)
    destination: dict[str, list[str]] = field(default_factory=dict)  # structured sends: the Destination given
    envelope: tuple[str, ...] = ()  # raw sends: the envelope recipients as given (may be empty)
    header_from: str | None = None
    header_to: tuple[str, ...] = ()
    header_cc: tuple[str, ...] = ()
    header_bcc: tuple[str, ...] = ()
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    raw: str | None = None  # the MIME text of raw sends
    size: int = 0  # bytes of the MIME message as sent (raw), or of the one SES would build (:func:`built_size`)
    template: str | None = None
    template_data: str | None = None
    bulk: tuple[dict[str, Any], ...] = ()  # SendBulkTemplatedEmail destinations, as given
    configuration_set: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    #: Where SES mails feedback when the identity forwards it (v1 ``ReturnPath``, v2
    #: ``FeedbackForwardingEmailAddress``); None: the raw message's Return-Path header, else the sender.
    return_path: str | None = None
    #: v2 ``ListManagementOptions``: (contact list name, topic name or None).
    list_management: tuple[str, str | None] | None = None

    @property
    def sender(self) -> str | None:
        """The sender the rules check: ``source``, or for raw mail without one the From header's address."""
        if self.source is not None:
            return self.source
        return parseaddr(self.header_from or "")[1] or None


def _tags(tags: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(t.get("Name", "")), str(t.get("Value", ""))) for t in tags or [] if isinstance(t, dict))


def _size(*parts: str | None) -> int:
    return sum(len(p.encode()) for p in parts if p)


_base64_size = base64_size  # 76-character lines, CRLF each (sesbook.facts)


#: What SES adds around the parts of a message it builds (``sesbook.facts``, shared with the client).
BUILT_MIME_OVERHEAD = facts.BUILT_MIME_OVERHEAD


def built_size(source: str | None, dest: dict[str, Any] | None, *parts: str | None) -> int:
    """The size of the MIME message SES would build from structured content, after base64
    (:func:`sesbook.facts.built_message_size`: the client validates with the same count)."""
    return facts.built_message_size(source, flatten(dest), *parts)


def from_v1_simple(source: str | None, dest: dict[str, Any] | None, subject: str | None, text: str | None,
                   html: str | None, *, configuration_set: str | None = None, tags: Any = None) -> OutboundMessage:
    """v1 SendEmail."""
    return OutboundMessage(
        api="v1", operation="SendEmail", source=source, recipients=tuple(flatten(dest)),
        destination=_copy(dest), subject=subject, text=text, html=html,
        size=built_size(source, dest, subject, text, html),
        configuration_set=configuration_set, tags=_tags(tags),
    )


def from_v2_simple(source: str | None, dest: dict[str, Any] | None, subject: str | None, text: str | None,
                   html: str | None, *, configuration_set: str | None = None, tags: Any = None) -> OutboundMessage:
    """v2 SendEmail with Simple content."""
    message = from_v1_simple(source, dest, subject, text, html, configuration_set=configuration_set, tags=tags)
    return _replace(message, api="v2")


def from_template(api: str, source: str | None, dest: dict[str, Any] | None, template: str, template_data: str | None,
                  *, configuration_set: str | None = None, tags: Any = None) -> OutboundMessage:
    """v1 SendTemplatedEmail, or v2 SendEmail with Template content."""
    return OutboundMessage(
        api=api, operation="SendTemplatedEmail" if api == "v1" else "SendEmail", source=source,
        recipients=tuple(flatten(dest)), destination=_copy(dest), template=template,
        template_data=template_data, size=built_size(source, dest, template_data),
        configuration_set=configuration_set,
        tags=_tags(tags),
    )


def from_bulk_template(source: str | None, template: str, default_data: str | None, destinations: list[dict[str, Any]],
                       *, configuration_set: str | None = None, tags: Any = None, api: str = "v1") -> OutboundMessage:
    """v1 SendBulkTemplatedEmail, or v2 SendBulkEmail (``api="v2"``; destinations in the v1 shape:
    ``{"Destination", "ReplacementTemplateData"}``)."""
    bulk = tuple(dict(d) for d in destinations or [])
    recipients = tuple(a for d in bulk for a in flatten(d.get("Destination")))
    return OutboundMessage(
        api=api, operation="SendBulkTemplatedEmail" if api == "v1" else "SendBulkEmail", source=source,
        recipients=recipients, template=template,
        template_data=default_data, bulk=bulk, size=built_size(source, None, default_data),
        configuration_set=configuration_set,
        tags=_tags(tags),
    )


def mime_parts(msg: email.message.Message) -> tuple[str | None, str | None]:
    """The first text/plain and text/html parts of a MIME message that are not attachments."""
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


def attachments(raw: str) -> list[dict[str, Any]]:
    """Each attached part of a MIME message: ``{"Filename", "ContentType", "Size"}`` (decoded bytes).

    A part counts when it has a file name or an ``attachment`` disposition (inline images with a file name
    too); attached messages (``message/rfc822``) count as one part each, and their own parts are listed too.
    """
    found: list[dict[str, Any]] = []
    parsed = email.message_from_string(raw, policy=email.policy.default)
    for part in parsed.walk():
        if part is parsed or (part.is_multipart() and part.get_content_type() != "message/rfc822"):
            continue
        name = part.get_filename()
        if name is None and part.get_content_disposition() != "attachment" and \
                part.get_content_type() != "message/rfc822":
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            inner = part.get_payload()
            first: Any = inner[0] if isinstance(inner, list) and inner else None
            payload = first.as_bytes() if first is not None else str(inner).encode()
        found.append({"Filename": name, "ContentType": part.get_content_type(), "Size": len(payload)})
    return found


_SES_HEADER = re.compile(r"^(x-ses-configuration-set|x-ses-message-tags|x-ses-list-management-options)[ \t]*:"
                         r"(.*(?:\r?\n[ \t].*)*)\r?\n",
                         re.IGNORECASE | re.MULTILINE)


def _ses_headers(text: str) -> tuple[str, str | None, list[tuple[str, str]], tuple[str, str | None] | None]:
    """The message without SES's own headers; the configuration set, the tags and the list management
    options (``X-SES-LIST-MANAGEMENT-OPTIONS: LIST; topic=TOPIC``) they named."""
    end = re.search(r"\r?\n\r?\n", text)
    head, body = (text[:end.end()], text[end.end():]) if end else (text, "")
    configuration_set: str | None = None
    tags: list[tuple[str, str]] = []
    listing: tuple[str, str | None] | None = None
    for match in _SES_HEADER.finditer(head):
        value = " ".join(match[2].split())
        if match[1].lower() == "x-ses-configuration-set":
            configuration_set = value or None
        elif match[1].lower() == "x-ses-list-management-options":
            name, _, rest = value.partition(";")
            topic = rest.strip().partition("=")[2].strip() if rest.strip().lower().startswith("topic") else ""
            listing = (name.strip(), topic or None) if name.strip() else None
        else:
            tags += [(n.strip(), v.strip()) for n, _, v in (p.partition("=") for p in value.split(",")) if n.strip()]
    return _SES_HEADER.sub("", head) + body, configuration_set, tags, listing


def from_raw(raw: str | bytes, *, source: str | None = None, envelope: list[str] | tuple[str, ...] = (),
             api: str = "smtp", operation: str | None = None, configuration_set: str | None = None,
             tags: Any = None) -> OutboundMessage:
    """A MIME message: v1 SendRawEmail, v2 SendEmail with Raw content, or an SMTP submission (``api="smtp"``).

    ``source`` and ``envelope`` are the envelope (Source/Destinations, or MAIL FROM/RCPT TO); without
    them the From header and the To/Cc/Bcc headers say who sends and who receives, as in SES.

    A raw message names its configuration set and message tags in headers (SES Developer Guide, "Specifying
    a configuration set when you send email" and "Monitor email sending using Amazon SES event publishing",
    checked 2026): ``X-SES-CONFIGURATION-SET: NAME`` and ``X-SES-MESSAGE-TAGS: name1=value1, name2=value2``;
    list management ("Using list management", checked 2026) as ``X-SES-LIST-MANAGEMENT-OPTIONS: LIST; topic=TOPIC``.
    A set given as a parameter wins over the header; SES takes both headers out before the message goes on.
    """
    text_raw = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    text_raw, header_set, header_tags, listing = _ses_headers(text_raw)
    if configuration_set is None and header_set:
        configuration_set = header_set
    given = _tags(tags)  # a tag given as a parameter wins over the header's tag of that name
    named = {name for name, _ in given}
    all_tags = given + tuple((n, v) for n, v in header_tags if n not in named)
    parsed = email.message_from_string(text_raw, policy=email.policy.default)

    raw_headers = list(parsed.raw_items())  # address headers unparsed: a malformed one is moto's to refuse, not a crash

    def values(header: str) -> list[str]:
        return [str(v) for k, v in raw_headers if k.lower() == header.lower()]

    def addresses(header: str) -> tuple[str, ...]:
        return tuple(a for _, a in getaddresses(values(header)) if a)

    to, cc, bcc = addresses("To"), addresses("Cc"), addresses("Bcc")
    envelope = tuple(envelope or ())
    text, html = mime_parts(parsed)
    header_from = next(iter(values("From")), None)
    return OutboundMessage(
        api=api, operation=operation or ("SendRawEmail" if api == "v1" else "SendEmail" if api == "v2" else "SMTP"),
        source=source, recipients=envelope or (to + cc + bcc), envelope=envelope,
        header_from=str(header_from) if header_from is not None else None, header_to=to, header_cc=cc,
        header_bcc=bcc, subject=str(parsed.get("Subject", "")) or None, text=text, html=html, raw=text_raw,
        size=len(text_raw.encode()), configuration_set=configuration_set, tags=all_tags, list_management=listing,
    )


def _replace(message: OutboundMessage, **changes: Any) -> OutboundMessage:
    from dataclasses import replace

    return replace(message, **changes)


def replace(message: OutboundMessage, **changes: Any) -> OutboundMessage:
    """``message`` with ``changes`` (the wire adds options a constructor does not take, e.g. ``return_path``)."""
    return _replace(message, **changes)

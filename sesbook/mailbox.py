"""Read the lab's mailbox: the messages the lab delivered to outside addresses (sends, verification links), and
the messages its inbound server received (``kind`` ``"inbound"``: the rules that matched, each action's outcome
and the SPF/DKIM/DMARC verdicts, so a learner sees why a message went where it went).

SES's own feedback mail (email feedback forwarding: the bounce report, ``kind`` ``"bounce"``; the complaint
report, ``"complaint"``; the simulator's out-of-office reply, ``"auto-reply"``; the bounce message a Bounce
receipt action mails to the sender of an inbound message, ``"bounce-action"``; ``api`` ``"feedback"``) is
listed only with ``include_feedback=True``, e.g. ``mailbox_messages(target, to=sender, include_feedback=True)``.

Only the lab has a mailbox (``GET /_aws/ses`` on the lab, LocalStack's shape). From a terminal:
``python -m sesbook lab mail [--to ADDRESS] [--json] [--feedback]`` reads the running lab.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sesbook import _html
from sesbook.errors import LabError, NoMessageError, TargetError, ValidationError

if TYPE_CHECKING:
    import argparse

    from sesbook.lab import LabInfo
    from sesbook.target import Target

_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class MailAttachment:
    """One attached part of a message in the lab mailbox: its file name, content type and size in bytes."""

    filename: str | None
    content_type: str
    size: int

    def __repr__(self) -> str:
        return f"MailAttachment({self.filename!r}, {self.content_type}, {self.size} bytes)"


@dataclass(frozen=True)
class MailMessage:
    """One message from the lab mailbox: the LocalStack fields, the API it came through (``v1``, ``v2``,
    ``smtp``), its raw MIME and its attachments."""

    id: str
    region: str
    source: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str | None
    text: str | None
    html: str | None
    raw: str | None
    timestamp: str
    api: str | None = None
    attachments: tuple[MailAttachment, ...] = ()
    kind: str = "outbound"  # "inbound": received by the lab's inbound server (or SES's delivery to a lab domain);
    # SES's feedback mail (api "feedback"): "bounce", "complaint", "auto-reply", and "bounce-action" (the DSN a
    # Bounce receipt action mails to an inbound message's sender)
    inbound: dict[str, Any] | None = None  # inbound only: reply, verdicts, rules with their actions
    about: str | None = None  # feedback mail only: the id of the message it reports on (sent or received)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MailMessage:
        dest = data.get("Destination") or {}
        body = data.get("Body") or {}
        return cls(
            id=str(data.get("Id", "")), region=str(data.get("Region", "")), source=str(data.get("Source", "")),
            to=tuple(dest.get("ToAddresses") or ()), cc=tuple(dest.get("CcAddresses") or ()),
            bcc=tuple(dest.get("BccAddresses") or ()), subject=data.get("Subject"),
            text=body.get("text_part"), html=body.get("html_part"), raw=data.get("RawData"),
            timestamp=str(data.get("Timestamp", "")), api=data.get("Api"),
            attachments=tuple(MailAttachment(a.get("Filename"), str(a.get("ContentType", "")), int(a.get("Size", 0)))
                              for a in data.get("Attachments") or []),
            kind=str(data.get("Kind") or "outbound"), inbound=data.get("Inbound"),
            about=(data.get("Feedback") or {}).get("MessageId"),
        )

    @property
    def is_feedback(self) -> bool:
        """True for mail SES itself sent about a message (email feedback forwarding, auto replies, the bounce
        messages of Bounce receipt actions)."""
        return self.api == "feedback"

    @property
    def verdicts(self) -> dict[str, str]:
        """Inbound only: ``{"spf": "PASS", "dkim": ..., "dmarc": ..., "spam": ..., "virus": ...}``."""
        found = (self.inbound or {}).get("verdicts") or {}
        return {key.removesuffix("Verdict"): str(value.get("status")) for key, value in found.items()
                if key.endswith("Verdict") and isinstance(value, dict)}

    @property
    def rule_summary(self) -> str:
        """Inbound only: what each rule did, e.g. ``aaa: S3 ok, SNS failed; stopper: Stop ok (stopped rule set)``."""
        parts = []
        for rule in (self.inbound or {}).get("rules") or []:
            actions = ", ".join(f"{a.get('type')} {'ok' if a.get('ok') else 'failed'}"
                                for a in rule.get("actions") or [])
            note = f" (stopped {rule['stopped']})" if rule.get("stopped") else ""
            note += f" (refused: {rule['refused']})" if rule.get("refused") else ""
            parts.append(f"{rule.get('rule')}: {actions or 'no action'}{note}")
        return "; ".join(parts) or "no rule matched"

    @property
    def links(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_LINK.findall((self.text or "") + "\n" + (self.html or ""))))

    def __repr__(self) -> str:
        return f"MailMessage(from {self.source} to {', '.join(self.to + self.cc + self.bcc)}: {self.subject!r})"

    def _repr_html_(self) -> str:
        rows = [("from", self.source), ("to", ", ".join(self.to)), ("subject", self.subject)]
        if self.cc:
            rows.append(("cc", ", ".join(self.cc)))
        return _html.table(["", ""], rows, caption="message") + (
            f"<pre>{_html.cell(self.text)}</pre>" if self.text else "")


def _lab(target: Target | LabInfo) -> LabInfo:
    info = getattr(target, "lab", target) if not hasattr(target, "aws_endpoint") else target
    if info is None or not hasattr(info, "request"):
        raise TargetError("only the lab has a mailbox: real SES delivers mail to real mailboxes. "
                          "Use connect('lab') to read what the lab delivered.")
    return info  # type: ignore[return-value]


def messages(target: Target | LabInfo, *, to: str | None = None, id: str | None = None,  # noqa: A002
             source: str | None = None, include_feedback: bool = False) -> tuple[MailMessage, ...]:
    """The lab mailbox's messages, oldest first, filtered by recipient ``to``, message ``id``, ``source``.

    ``include_feedback``: also SES's own feedback mail (bounce and complaint reports, auto replies), which
    SES mails to the send's Return-Path or sender while the identity forwards feedback by email (the
    default), and the bounce messages Bounce receipt actions mail to an inbound message's sender
    (``kind`` ``"bounce-action"``, ``about`` = the inbound message's id). Lab only."""
    if not isinstance(include_feedback, bool):
        raise ValidationError("include_feedback", include_feedback, "must be True or False")
    query = {k: v for k, v in (("to", to), ("id", id), ("email", source)) if v}
    if include_feedback:
        query["feedback"] = "1"
    path = "/_aws/ses" + ("?" + urlencode(query) if query else "")
    data = _lab(target).request("GET", path) or {}
    return tuple(MailMessage.from_json(m) for m in data.get("messages", []))


#: The name :mod:`sesbook` exports :func:`messages` under.
mailbox_messages = messages


def last_message(target: Target | LabInfo, *, to: str | None = None, include_feedback: bool = False) -> MailMessage:
    """The newest message (to ``to``, if given; SES's feedback mail too with ``include_feedback``); raises
    :class:`NoMessageError` when there is none."""
    found = messages(target, to=to, include_feedback=include_feedback)
    if not found:
        who = f" to {to}" if to else ""
        raise NoMessageError(f"the lab mailbox has no message{who}. Did the send (or verify_email) succeed?")
    return found[-1]


def clear(target: Target | LabInfo, *, id: str | None = None) -> None:  # noqa: A002
    """Empty the lab mailbox, or remove one message by ``id``."""
    _lab(target).request("DELETE", "/_aws/ses" + (f"?{urlencode({'id': id})}" if id else ""))


def follow_verification_link(target: Target | LabInfo, address: str) -> str:
    """Open the link in the newest verification message to ``address`` (as its owner would) and return the page."""
    info = _lab(target)
    message = last_message(info, to=address)
    link = next((u for u in message.links if "/_sesbook/verify-email" in u), None)
    if link is None or not link.startswith(info.aws_endpoint):
        raise NoMessageError(f"the newest message to {address} has no lab verification link; call verify_email first.")
    try:
        with urllib.request.urlopen(link, timeout=10) as resp:  # noqa: S310 - the lab's own loopback URL
            return str(resp.read().decode()).strip()
    except urllib.error.HTTPError as exc:
        raise LabError(f"the verification link was refused: HTTP {exc.code}: {exc.read().decode()[:200]}") from exc


def unsubscribe_link(message: MailMessage) -> str | None:
    """The URL of the message's ``List-Unsubscribe`` header (SES adds it to a message sent with v2
    ``ListManagementOptions`` to one recipient), or None when it has none."""
    import email
    import email.policy

    if not message.raw:
        return None
    header = email.message_from_string(message.raw, policy=email.policy.default).get("List-Unsubscribe")
    found = re.findall(r"<(https?://[^>]+)>", str(header or ""))
    return found[0] if found else None


def follow_unsubscribe(target: Target | LabInfo, message: MailMessage) -> str:
    """Lab only: unsubscribe as a mail client's one-click button does (RFC 8058: a POST of
    ``List-Unsubscribe=One-Click`` to the header's URL) and return the page. SES then opts the contact out
    of the message's topic (or of every topic without one) and publishes a Subscription event."""
    info = _lab(target)
    link = unsubscribe_link(message)
    if link is None or not link.startswith(info.aws_endpoint):
        raise NoMessageError(f"message {message.id} has no lab List-Unsubscribe link: send it with "
                             "ListManagementOptions (v2 SendEmail) to a single recipient.")
    request = urllib.request.Request(link, data=b"List-Unsubscribe=One-Click", method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - the lab's own loopback URL
            return str(resp.read().decode()).strip()
    except urllib.error.HTTPError as exc:
        raise LabError(f"the unsubscribe link was refused: HTTP {exc.code}: {exc.read().decode()[:200]}") from exc


#: What the lab can make an ordinary address do (``POST /_sesbook/feedback/outcomes``): SES's mailbox simulator
#: covers only its own addresses, this lets a notebook show what SES does for a real one.
OUTCOMES = ("bounce", "noemail", "softbounce", "mailboxfull", "complaint", "delay", "delivery")


def script_outcome(target: Target | LabInfo, address: str, outcome: str | None) -> dict[str, str]:
    """Lab only: make mail to the ordinary ``address`` bounce (``bounce``, ``noemail``: hard; ``softbounce``,
    ``mailboxfull``: soft), draw a ``complaint``, be delayed then delivered (``delay``), or be delivered;
    ``None`` forgets it. Returns every scripted address and its outcome in the target's region."""
    if outcome is not None and outcome not in OUTCOMES:
        raise ValidationError("outcome", outcome, f"use one of {', '.join(OUTCOMES)}, or None to forget it")
    if not isinstance(address, str) or "@" not in address:
        raise ValidationError("address", address, "must be an email address (name@domain)")
    info = _lab(target)
    body: dict[str, Any] = {"address": address, "outcome": outcome}
    region = getattr(target, "region", None)
    if region:
        body["region"] = region
    return dict((info.request("POST", "/_sesbook/feedback/outcomes", body) or {}).get("outcomes", {}))
@dataclass(frozen=True)
class InboundLog:
    """What the lab's inbound server received (:func:`inbound_log`): per message the reply the sender got,
    what each rule did, and the verdicts."""

    messages: tuple[MailMessage, ...]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    def _rows(self) -> list[tuple[str, ...]]:
        return [(m.source, ", ".join(m.to), m.subject or "", str((m.inbound or {}).get("reply", "")),
                 m.rule_summary, " ".join(f"{k}={v}" for k, v in m.verdicts.items())) for m in self.messages]

    _HEAD = ("from", "to", "subject", "reply", "rules and actions", "verdicts")

    def __repr__(self) -> str:
        return f"{len(self.messages)} received message(s)\n" + _html.text_table(list(self._HEAD), self._rows())

    def _repr_html_(self) -> str:
        return _html.table(list(self._HEAD), self._rows(), caption=f"{len(self.messages)} received message(s)")


def inbound_log(target: Target | LabInfo, *, to: str | None = None, subject: str | None = None) -> InboundLog:
    """The messages the lab's inbound server received (kind ``inbound``), oldest first; ``to`` and ``subject``
    filter. Only messages that got past the filters and RCPT are recorded (a refused connection is not)."""
    found = [m for m in messages(target, to=to) if m.kind == "inbound"]
    return InboundLog(tuple(m for m in found if subject is None or m.subject == subject))


# -- python -m sesbook lab mail -----------------------------------------------------------------------------
def _running_lab() -> LabInfo:
    import os

    from sesbook.lab import ENV_LAB, LabInfo, current, from_state_file

    if current() is not None:
        return current().info  # type: ignore[no-any-return]
    if os.environ.get(ENV_LAB):
        return LabInfo.from_json(os.environ[ENV_LAB])
    info = from_state_file()
    if info is None:
        raise LabError("no lab is running: start one with `python -m sesbook lab` (or set SESBOOK_LAB).")
    return info


def cmd_mail(args: argparse.Namespace) -> int:
    found = messages(_running_lab(), to=args.to, include_feedback=bool(getattr(args, "feedback", False)))
    if args.json:
        print(json.dumps({"messages": [dataclasses.asdict(m) for m in found]}, indent=2))
        return 0
    if not found:
        print("the lab mailbox is empty" + (f" for {args.to}" if args.to else ""))
        return 0
    rows = [(m.timestamp[:19], m.source, ", ".join(m.to + m.cc + m.bcc), m.subject or "") for m in found
            if m.kind != "inbound"]
    if rows:
        print(_html.text_table(["time", "from", "to", "subject"], rows))
    received = [m for m in found if m.kind == "inbound"]
    if received:
        print("received by the lab's inbound server:")
        print(_html.text_table(
            ["time", "from", "to", "subject", "reply", "rules and actions", "verdicts"],
            [(m.timestamp[:19], m.source, ", ".join(m.to), m.subject or "", (m.inbound or {}).get("reply", ""),
              m.rule_summary, " ".join(f"{k}={v}" for k, v in m.verdicts.items())) for m in received]))
    return 0


def register(subparsers: Any) -> None:
    """Add ``lab mail`` under the ``lab`` command."""
    import argparse

    lab = subparsers.choices["lab"]
    lab_sub = next(a for a in lab._actions if isinstance(a, argparse._SubParsersAction))
    mail = lab_sub.add_parser("mail", help="show the lab mailbox (messages the lab delivered)",
                              description="Show the messages the running lab delivered, newest last.")
    mail.add_argument("--to", default=None, help="only messages to this address")
    mail.add_argument("--json", action="store_true", help="print JSON instead of a table")
    mail.add_argument("--feedback", action="store_true",
                      help="also SES's own feedback mail (bounce and complaint reports, auto replies, "
                           "Bounce actions' bounce messages)")
    mail.set_defaults(lab_func=cmd_mail)

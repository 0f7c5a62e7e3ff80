"""The lab's inbound path: what SES does with mail for the domains it receives for, whoever brings it.

The inbound SMTP server (:mod:`sesbook.lab.smtp.inbound`) calls :func:`connection_verdict` when a client
connects, :func:`recipient_reply` at each ``RCPT TO`` and :func:`receive` after ``DATA``; the send
pipeline's delivery stage calls :func:`accepts` and :func:`receive` for mail SES itself sends to such an
address. The decisions are :mod:`sesbook.receiving.matching`'s (the same functions the client's dry run
uses), so the lab and ``explain()`` cannot disagree. SES's rules (Developer Guide, "Email receiving
concepts" https://docs.aws.amazon.com/ses/latest/dg/receiving-email-concepts.html, "Setting up email
receiving" https://docs.aws.amazon.com/ses/latest/dg/receiving-email-setting-up.html, checked 2026):

- **IP filters** apply when the client connects. A blocked address is refused before the greeting.
- **Recipients** are checked at ``RCPT TO``: the region must have an active rule set, the recipient's
  domain (or the address itself) must be a verified identity, and an enabled rule must match it; a
  matching rule with ``TlsPolicy`` ``Require`` refuses a plain session.
- **Size**: at most 40 MB (SES's limit for receiving; "Service quotas in Amazon SES"); the server
  advertises ``SIZE`` and refuses more with 552, declared or not.
- Then, unless :func:`sesbook.receiving.matching.data_reply` refuses the message (over 40 MB, or over 150 KB
  for an SNS action, decided before any action runs), the matching rules' actions run in order
  (:mod:`.actions`), and only then does the sender get ``250 Ok MESSAGE-ID``. A Bounce action does not change
  that answer: SES has taken the message when actions run, and the Bounce action mails a bounce message
  (:mod:`.bounce`) to the envelope sender, which the lab keeps in its mailbox as SES's own mail (and
  delivers through this path when the sender's domain is one the lab receives for). Every message that
  reached ``DATA`` is recorded in the lab mailbox (kind ``inbound``) with its rules, each action's outcome
  and the verdicts.

The replies and their words are :mod:`sesbook.receiving.matching`'s (``BLOCKED_REPLY`` …).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sesbook.lab import clock, mailbox, seeding
from sesbook.lab.ses._wire import ses_backend_for
from sesbook.lab.ses.identities.state import find, verification_status
from sesbook.lab.ses.receiving import notify, verdicts
from sesbook.lab.ses.receiving.actions import ActionRun, Context, run_action
from sesbook.lab.ses.receiving.rules import active_rules
from sesbook.lab.ses.receiving.state import receipt_filters
from sesbook.receiving import matching
from sesbook.receiving.matching import (
    BLOCKED_REPLY,
    SIZE_LIMIT,
    FilterVerdict,
    action_type,
    filter_verdict,
    match_rules,
)

log = logging.getLogger("sesbook")

__all__ = ["BLOCKED_REPLY", "SIZE_LIMIT", "Inbound", "Outcome", "accepts", "connection_verdict", "deliver_sent",
           "receive", "recipient_reply"]

_lock = threading.Lock()


@dataclass(frozen=True)
class Inbound:
    """One message as it reached the inbound path."""

    region: str
    ip: str
    helo: str
    mail_from: str
    recipients: tuple[str, ...]
    data: bytes
    tls: bool
    via: str = "smtp"  # "smtp" (the inbound server) or "ses" (mail the lab's SES sent)


@dataclass
class Outcome:
    """What happened to one message: the reply the sender got, and what each rule did."""

    message_id: str
    reply: str
    rules: list[dict[str, Any]] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    verdicts: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.reply.startswith("250")


def verified_identities(backend: Any) -> list[str]:
    """The identities (domains and addresses) verified in this backend."""
    found = []
    for name in list(backend.email_identities):
        st = find(backend, name)
        if st is not None and verification_status(st) == "Success":
            found.append(st.name)
    return found


def verified_domains(backend: Any) -> list[str]:
    """The domains verified in this backend (a rule without recipients covers all of them)."""
    return [name for name in verified_identities(backend) if "@" not in name]


def connection_verdict(region: str, ip: str) -> FilterVerdict:
    """The account's IP filters applied to a connecting address."""
    return filter_verdict(list(receipt_filters(ses_backend_for(region)).values()), ip)


def recipient_reply(region: str, address: str, *, tls: bool) -> str | None:
    """None when SES takes mail for ``address`` now, else the SMTP reply that refuses it."""
    backend = ses_backend_for(region)
    return matching.recipient_reply(active_rules(backend), address, tls=tls,
                                    verified_identities=verified_identities(backend))


def accepts(region: str, address: str) -> bool:
    """Whether mail SES sends to ``address`` would be received by this lab in ``region`` (over TLS)."""
    try:
        return recipient_reply(region, address, tls=True) is None
    except KeyError:
        return False


def receive(inbound: Inbound) -> Outcome:
    """Run the active rule set on one message; record it; return the reply for the sender.

    Only the rules and their actions run one message at a time (they change the account's state and draw
    the message id); the verdicts (DNS queries) before them and the parsing for the lab mailbox after them
    run concurrently, so that many SMTP sessions at once are not queued behind each other's lookups."""
    started = time.monotonic()
    found = verdicts.evaluate(inbound.data, ip=inbound.ip, mail_from=inbound.mail_from, helo=inbound.helo)
    with _lock:
        outcome, ctx = _receive(inbound, found)
    millis = int((time.monotonic() - started) * 1000)
    _record(inbound, outcome, ctx, millis)
    log.info("lab inbound %s from %s to %s: %s", outcome.message_id, inbound.mail_from,
             ", ".join(inbound.recipients), outcome.reply)
    for sent in ctx.outbox:  # the bounce messages Bounce actions made, once this message is recorded
        mailbox.deliver(sent)
        deliver_sent(sent, inbound.region, envelope_from="")
    return outcome


def _receive(inbound: Inbound, found: verdicts.Verdicts) -> tuple[Outcome, Context]:
    backend = ses_backend_for(inbound.region)
    message_id = seeding.inbound_message_id()
    newline = notify.newline_of(inbound.data)
    recipients = list(inbound.recipients)
    added = notify.ses_headers(message_id=message_id, region=inbound.region, ip=inbound.ip, helo=inbound.helo,
                               mail_from=inbound.mail_from, recipients=recipients, verdicts=found, newline=newline)
    ctx = Context(region=inbound.region, message_id=message_id, message=added + inbound.data,
                  mail_from=inbound.mail_from, recipients=recipients,
                  timestamp=clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                  verdicts=found, newline=newline)
    outcome = Outcome(message_id, "", verdicts=found.receipt_fields())
    rules = active_rules(backend) or []
    matches = match_rules(rules, recipients, tls=inbound.tls, verified_domains=verified_domains(backend))
    refusal = matching.data_reply(matches, len(inbound.data))
    for match in matches:
        record: dict[str, Any] = {"rule": match.rule_name, "recipients": list(match.recipients), "actions": []}
        outcome.rules.append(record)
        if match.refused_for_tls:
            record["refused"] = "TLS required"
            break
        if refusal is not None:  # refused before any action runs: nothing is stored, nothing is sent
            record["refused"] = refusal.split(" ", 2)[2]
            continue
        for action in match.actions:
            run: ActionRun = run_action(ctx, action_type(action), dict(action), list(match.recipients))
            record["actions"].append(run.to_json())
            if ctx.stop:
                break
        if ctx.stop == "rule":
            ctx.stop = None
            record["stopped"] = "rule"
            continue
        if ctx.stop == "rule set":
            record["stopped"] = "rule set"
            break
    outcome.stored = list(ctx.stored)
    outcome.reply = refusal or f"250 Ok {message_id}"
    return outcome, ctx


def _record(inbound: Inbound, outcome: Outcome, ctx: Context, millis: int) -> None:
    """Keep the message in the lab mailbox (kind ``inbound``), with what every rule did."""
    subject, text, html = _readable(ctx.message)
    mailbox.deliver({
        "Id": outcome.message_id, "Kind": "inbound", "Region": inbound.region, "Source": inbound.mail_from,
        "Destination": {"ToAddresses": list(inbound.recipients), "CcAddresses": [], "BccAddresses": []},
        "Subject": subject,
        "Body": {"text_part": text, "html_part": html},
        "RawData": ctx.message.decode("utf-8", "replace"),
        "Inbound": {"via": inbound.via, "peer": inbound.ip, "helo": inbound.helo, "tls": inbound.tls,
                    "reply": outcome.reply, "verdicts": outcome.verdicts, "rules": outcome.rules,
                    "stored": outcome.stored, "processingTimeMillis": millis},
    })


def _readable(message: bytes) -> tuple[str | None, str | None, str | None]:
    """(Subject, plain text body, HTML body) as the ``email`` package's modern API gives them (``get_body``,
    ``get_content``). A single text part that is not an attachment (most mail) is read with the older, much
    cheaper parser; anything else takes the modern parser, whose header objects cost more than the rest of
    receiving a message."""
    from email.parser import BytesParser
    from email.policy import compat32, default

    head = BytesParser(policy=compat32).parsebytes(message)
    raw_subject = head.get("Subject")
    subject = None if raw_subject is None else str(default.header_fetch_parse("Subject", raw_subject))
    charset = head.get_param("charset", "ASCII")
    if not head.is_multipart() and head.get_content_maintype() == "text" and head.get("Content-Disposition") is None \
            and isinstance(charset, str) and head.get_content_subtype() in ("plain", "html"):
        payload = head.get_payload(decode=True)
        try:
            content = payload.decode(charset, "replace") if isinstance(payload, bytes) else None
        except LookupError:
            content = None
        plain = head.get_content_subtype() == "plain"
        return subject, content if plain else None, None if plain else content
    parsed = BytesParser(policy=default).parsebytes(message)
    text = html = None
    try:
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else None
        body = parsed.get_body(preferencelist=("html",))
        html = body.get_content() if body is not None else None
    except (LookupError, ValueError, AttributeError):
        pass
    return subject, text, html


# -- mail the lab's SES sends to domains the lab receives for ------------------------------------------------
def receiving_region_for(address: str) -> str | None:
    """The region whose active rule set takes mail for ``address`` (the domain's MX would point there)."""
    from moto.ses.models import ses_backends

    from sesbook.facts import RECEIVING_REGIONS
    from sesbook.lab import ACCOUNT_ID

    regions = ses_backends[ACCOUNT_ID]
    for region in RECEIVING_REGIONS:
        if region in regions and regions[region].describe_active_receipt_rule_set() is not None \
                and accepts(region, address):
            return region
    return None


def _sent_mime(record: dict[str, Any]) -> bytes:
    """The message as SES delivers it: the raw MIME sent, or for structured sends the message SES builds."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    if record.get("RawData"):
        raw = str(record["RawData"]).encode("utf-8", "surrogateescape")
        return raw if raw.endswith(b"\n") else raw + b"\r\n"
    dest = record.get("Destination") or {}
    built = EmailMessage()
    built["From"] = record.get("Source") or ""
    if dest.get("ToAddresses"):
        built["To"] = ", ".join(dest["ToAddresses"])
    if dest.get("CcAddresses"):
        built["Cc"] = ", ".join(dest["CcAddresses"])
    built["Subject"] = record.get("Subject") or ""
    built["Date"] = format_datetime(clock.now())
    built["Message-ID"] = f"<{record.get('Id')}@email.amazonses.com>"
    body = record.get("Body") or {}
    built.set_content(body.get("text_part") or "")
    if body.get("html_part"):
        built.add_alternative(body["html_part"], subtype="html")
    return built.as_bytes(policy=built.policy.clone(linesep="\r\n"))


def deliver_sent(record: dict[str, Any], sending_region: str, *, envelope_from: str | None = None) -> list[Outcome]:
    """Deliver one message the lab's SES accepted (a mailbox record) to every recipient the lab receives for.

    SES connects to the recipient domain's MX, ``inbound-smtp.REGION.amazonaws.com``, as any sender would,
    over TLS; the envelope sender is SES's bounce address ``MESSAGE-ID@amazonses.com`` (regions other than
    us-east-1: ``@REGION.amazonses.com``). The lab calls the inbound path directly, as 127.0.0.1 (so the
    receiving account's IP filters apply to it as they would to SES's sending addresses).

    ``envelope_from``: another envelope sender; ``""`` is the null reverse-path (``MAIL FROM:<>``) of the
    bounce messages SES mails, which are never bounced in turn.
    """
    dest = record.get("Destination") or {}
    everyone = [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in dest.get(key) or []]
    by_region: dict[str, list[str]] = {}
    for address in everyone:
        from email.utils import parseaddr

        plain = parseaddr(address)[1]
        region = receiving_region_for(plain) if plain else None
        if region is not None:
            by_region.setdefault(region, []).append(plain)
    if not by_region:
        return []
    data = _sent_mime(record)
    host = "amazonses.com" if sending_region == "us-east-1" else f"{sending_region}.amazonses.com"
    outcomes = []
    for region, recipients in by_region.items():
        verdict = connection_verdict(region, "127.0.0.1")
        if not verdict.allowed:  # SES's outbound addresses go through the filters like anyone's
            log.info("lab inbound: SES delivery to %s refused: %s", ", ".join(recipients), verdict.reason)
            continue
        outcomes.append(receive(Inbound(region=region, ip="127.0.0.1", helo=f"a1-1.smtp-out.{host}",
                                        mail_from=f"{record.get('Id')}@{host}" if envelope_from is None
                                        else envelope_from, recipients=tuple(recipients),
                                        data=data, tls=True, via="ses")))
    return outcomes

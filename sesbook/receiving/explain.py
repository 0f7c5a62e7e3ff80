"""A dry run of receiving: what SES would do with a message, read from the live account, without doing it.

:func:`explain_receipt` reads the active rule set (or a named one), the IP address filters and the verified
domains, then asks :mod:`sesbook.receiving.matching` — the same code the lab's inbound SMTP server runs —
which filter decides about the sender's address, which rules apply to which recipients and which actions
would run, in order. It runs none of them. :func:`explain_message` takes the recipients from a raw message.

What a dry run cannot know: the answer of a Lambda function invoked ``RequestResponse`` (it may stop the
rule or the rule set); such steps are marked "may stop". Spam and virus verdicts are not evaluated.

SES's rules are those of :mod:`sesbook.receiving.matching` (Developer Guide, "Email receiving concepts" and
"Creating receipt rules", checked 2026). A recipient that no enabled rule of the active set covers is refused
at ``RCPT TO``; with no active rule set SES receives nothing.

IAM: ``ses:DescribeActiveReceiptRuleSet``, ``ses:DescribeReceiptRuleSet``, ``ses:ListReceiptFilters``,
``ses:ListIdentities``, ``ses:GetIdentityVerificationAttributes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import ValidationError
from sesbook.facts import SNS_ACTION_MAX_BYTES
from sesbook.receiving.matching import (
    BLOCKED_REPLY,
    UNKNOWN_RECIPIENT_REPLY,
    FilterVerdict,
    action_type,
    data_reply,
    filter_verdict,
    identity_covers,
    match_rules,
    recipient_reply,
)
from sesbook.receiving.rules import active_rule_set, describe_rule_set

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sesbook.receiving.matching import RuleMatch
    from sesbook.target import Target

#: A Bounce action's note: receipt actions run after SES has taken the message (BounceAction, SES API reference).
BOUNCE_NOTE = "accepted (250), then SES mails the sender a bounce message (DSN)"

__all__ = ["ReceiptExplanation", "describe_action", "explain_message", "explain_receipt", "verified_domains",
           "verified_identities"]


def describe_action(action: Mapping[str, Any]) -> str:
    """One ``ReceiptAction`` in words: ``store in s3://bucket/prefix<message id>``."""
    kind = action_type(action)
    body = action.get(kind) or {}
    if kind == "S3Action":
        kms = " (encrypted with KMS)" if body.get("KmsKeyArn") else ""
        return f"store in s3://{body.get('BucketName')}/{body.get('ObjectKeyPrefix') or ''}<message id>{kms}"
    if kind == "SNSAction":
        return f"publish the message to {body.get('TopicArn')} ({body.get('Encoding') or 'UTF-8'})"
    if kind == "LambdaAction":
        return f"invoke {body.get('FunctionArn')} ({body.get('InvocationType') or 'Event'})"
    if kind == "BounceAction":
        status = f" {body['StatusCode']}" if body.get("StatusCode") else ""
        return f"bounce: {body.get('SmtpReplyCode')}{status} {body.get('Message')!r} from {body.get('Sender')}"
    if kind == "AddHeaderAction":
        return f"add header {body.get('HeaderName')}: {body.get('HeaderValue')}"
    if kind == "StopAction":
        return "stop: no later action or rule runs"
    return f"{kind} (not explained by sesbook)"


@dataclass(frozen=True)
class Step:
    """One action that would run: its rule, its position, what it does and a note (may stop, too big …)."""

    rule: str
    index: int
    kind: str
    what: str
    note: str = ""


@dataclass(frozen=True)
class ReceiptExplanation:
    """What SES would do with one message: the filter's verdict, the rules that apply and the actions, in order.

    ``accepted``: the sender may connect, at least one recipient is taken at ``RCPT TO``, and nothing refuses
    the message after ``DATA`` (``reply`` starts with 250). ``refused`` lists the recipients refused at
    ``RCPT TO`` and ``refusals`` each with its reply and why. ``data_refusal`` is the reply that refuses the
    message after ``DATA`` (too big, or over 150 KB for an SNS action), else None. The replies are
    :mod:`sesbook.receiving.matching`'s, the same functions the lab's inbound server answers with.
    """

    sender_ip: str
    recipients: tuple[str, ...]
    tls: bool
    rule_set: str | None
    filter: FilterVerdict
    matches: tuple[RuleMatch, ...]
    refused: tuple[str, ...]
    size: int | None = None
    notes: tuple[str, ...] = field(default=())
    refusals: tuple[tuple[str, str, str], ...] = field(default=())  # (address, SMTP reply, why) at RCPT TO
    data_refusal: str | None = None

    @property
    def refused_for_tls(self) -> bool:
        return any(m.refused_for_tls for m in self.matches) or any(r.startswith("530") for _, r, _ in self.refusals)

    @property
    def accepted(self) -> bool:
        return self.reply.startswith("250")

    @property
    def reply(self) -> str:
        """The SMTP reply the sender ends with: 554 at connection, a refusal at ``RCPT TO`` when every
        recipient is refused (the first one's), the refusal after ``DATA``, or ``250``."""
        if not self.filter.allowed:
            return BLOCKED_REPLY
        if self.rule_set is None or not self.matches:
            return self.refusals[0][1] if self.refusals else UNKNOWN_RECIPIENT_REPLY
        return self.data_refusal or "250 Ok"

    @property
    def rules(self) -> tuple[str, ...]:
        """The names of the rules whose actions would run, in order."""
        return tuple(m.rule_name for m in self.matches if not m.refused_for_tls)

    @property
    def steps(self) -> tuple[Step, ...]:
        steps: list[Step] = []
        for match in self.matches:
            if match.refused_for_tls:
                continue
            for index, action in enumerate(match.actions, 1):
                kind = action_type(action)
                note = ""
                if kind == "LambdaAction" and (action[kind].get("InvocationType") == "RequestResponse"):
                    note = "may stop: the function's answer (STOP_RULE, STOP_RULE_SET or CONTINUE) decides"
                elif kind == "StopAction":
                    note = "stops here"
                elif kind == "SNSAction" and self.size is not None and self.size > SNS_ACTION_MAX_BYTES:
                    note = f"the message ({self.size} bytes) is over SNS's {SNS_ACTION_MAX_BYTES // 1024} KB: not sent"
                elif kind == "BounceAction":
                    note = BOUNCE_NOTE
                steps.append(Step(match.rule_name, index, kind, describe_action(action), note))
            for action in match.skipped_actions:
                steps.append(Step(match.rule_name, 0, action_type(action), describe_action(action),
                                  "skipped: after a Stop"))
        return tuple(steps)

    def verdict(self) -> str:
        """One line: accepted or refused, and why."""
        if not self.filter.allowed:
            return f"refused at connection: {self.filter.reason}"
        if self.rule_set is None:
            return "refused: no rule set is active, so SES receives no mail in this region"
        if not self.accepted and self.refusals and not self.matches:
            whys = "; ".join(dict.fromkeys(why for _, _, why in self.refusals))
            return f"refused at RCPT TO ({self.refusals[0][1].split(' ', 1)[0]}): {whys}"
        if not self.matches:
            return f"refused at RCPT TO: no enabled rule of {self.rule_set!r} covers any recipient"
        if self.data_refusal is not None:
            return f"refused after DATA: {self.data_refusal}"
        bounces = sum(1 for s in self.steps if s.kind == "BounceAction")
        also = f"; {bounces} bounce message(s) mailed to the sender" if bounces else ""
        return f"accepted: {len(self.rules)} rule(s) of {self.rule_set!r} run, {len(self.steps)} action(s){also}"

    def lines(self) -> list[str]:
        out = [f"Message from {self.sender_ip} to {', '.join(self.recipients)} ({'TLS' if self.tls else 'no TLS'})",
               f"1. IP filters: {self.filter.reason}"]
        if self.filter.allowed:
            out.append(f"2. rule set: {self.rule_set or '(none active)'}")
            for address, reply, why in self.refusals:
                out.append(f"   {address}: {why}; refused at RCPT TO ({reply.split(' ', 1)[0]})")
            for match in self.matches:
                head = f"3. rule {match.rule_name!r} for {', '.join(match.recipients)}"
                if match.refused_for_tls:
                    out.append(head + ": requires TLS; SES refuses the message")
                    continue
                out.append(head)
                out += [f"   {s.index or '-'}. {s.what}" + (f"  [{s.note}]" if s.note else "")
                        for s in self.steps if s.rule == match.rule_name]
        out += [f"note: {n}" for n in self.notes]
        out.append("=> " + self.verdict())
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        rows: list[tuple[Any, ...]] = [("filter", self.filter.filter_name or "—", "", self.filter.reason, "")]
        rows += [("refused", "—", "", address, f"{why} (RCPT TO refused: {reply.split(' ', 1)[0]})")
                 for address, reply, why in self.refusals]
        for match in self.matches:
            if match.refused_for_tls:
                rows.append(("rule", match.rule_name, "", "requires TLS", "message refused"))
        rows += [("action", s.rule, s.index or "—", s.what, s.note) for s in self.steps]
        caption = f"{'✅' if self.accepted else '❌'} {self.verdict()}"
        notes = "".join(f"<p>{_html.cell(n)}</p>" for n in self.notes)
        return _html.table(["step", "rule", "#", "what", "note"], rows, caption=caption) + notes


def verified_domains(target: Target) -> tuple[str, ...]:
    """The account's domain identities whose verification status is ``Success``."""
    return tuple(i for i in verified_identities(target) if "@" not in i)


def verified_identities(target: Target) -> tuple[str, ...]:
    """The account's identities (domains and addresses) whose verification status is ``Success``: SES
    receives mail only for addresses at a verified domain or verified themselves."""
    domains: list[str] = []
    with aws_errors("ses"):
        for page in target.ses.get_paginator("list_identities").paginate():
            domains += page.get("Identities") or []
        verified: list[str] = []
        for start in range(0, len(domains), 100):
            chunk = domains[start:start + 100]
            status = target.ses.get_identity_verification_attributes(Identities=chunk)["VerificationAttributes"]
            verified += [d for d in chunk if status.get(d, {}).get("VerificationStatus") == "Success"]
    return tuple(verified)


def _recipients(recipients: Iterable[str]) -> tuple[str, ...]:
    from sesbook.identities._names import normalize_address

    if isinstance(recipients, str):
        raise ValidationError("recipients", recipients, "must be a list of addresses, not one string.",
                              hint=f"Write recipients=[{recipients!r}].")
    found = tuple(normalize_address(r, field=f"recipients[{i}]") for i, r in enumerate(recipients))
    if not found:
        raise ValidationError("recipients", [], "is empty: a message needs at least one recipient.")
    return found


def _ip(value: object) -> str:
    import ipaddress

    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise ValidationError("sender_ip", value, "is not an IP address.", hint="For example '192.0.2.1'.") from None
    return str(address)


def explain_receipt(target: Target, *, sender_ip: str, recipients: Iterable[str], tls: bool = True,
                    rule_set: str | None = None, size: int | None = None) -> ReceiptExplanation:
    """Say what SES would do with a message from ``sender_ip`` to ``recipients`` (only reads; runs nothing).

    ``rule_set`` explains a set that is not active (as if it were); ``size`` (bytes, the message as sent)
    lets the dry run apply the 40 MB limit and the SNS action's 150 KB, which refuse a message after ``DATA``.
    """
    ip = _ip(sender_ip)
    wanted = _recipients(recipients)
    if not isinstance(tls, bool):
        raise ValidationError("tls", tls, "must be True or False.")
    with aws_errors("ses"):
        filters = target.ses.list_receipt_filters().get("Filters") or []
    notes: list[str] = []
    if rule_set is None:
        name, rules = active_rule_set(target)
    else:
        found = describe_rule_set(target, rule_set)
        if found is None:
            raise ValidationError("rule_set", rule_set, "does not exist in this account and region.")
        name, rules = rule_set, found
        if active_rule_set(target)[0] != rule_set:
            notes.append(f"rule set {rule_set!r} is not the active one; explained as if it were")
    verdict = filter_verdict(filters, ip)
    identities = verified_identities(target)
    domains = [i for i in identities if "@" not in i]
    matches: list[RuleMatch] = []
    refusals: list[tuple[str, str, str]] = []
    data_refusal: str | None = None
    if verdict.allowed and name is not None:
        accepted: list[str] = []
        for address in wanted:  # RCPT TO, one recipient at a time, as the inbound server answers
            reply = recipient_reply(rules, address, tls=tls, verified_identities=identities)
            if reply is None:
                accepted.append(address)
            else:
                refusals.append((address, reply, _why(rules, address, identities, domains, tls)))
        matches = match_rules(rules, accepted, tls=tls, verified_domains=domains) if accepted else []
        data_refusal = data_reply(matches, size) if matches else None  # TLS, 40 MB, SNS's 150 KB
        ran = {a for m in matches for a in m.recipients}
        later = [a for a in accepted if a not in ran]
        if later:
            notes.append(f"{', '.join(later)}: covered only by rules after a Stop; accepted, but no action runs "
                         "for them")
    refused = tuple(address for address, _, _ in refusals)
    return ReceiptExplanation(ip, wanted, tls, name, verdict, tuple(matches), refused, size, tuple(notes),
                              tuple(refusals), data_refusal)


def _why(rules: list[dict[str, Any]], address: str, identities: tuple[str, ...], domains: list[str],
         tls: bool) -> str:
    """Why ``address`` is refused at ``RCPT TO``, in words."""
    if not identity_covers(address, identities):
        return "neither its domain nor the address is a verified identity"
    found = match_rules(rules, [address], tls=tls, verified_domains=domains)
    if found and found[-1].refused_for_tls:
        return f"rule {found[-1].rule_name!r} requires TLS and the message came without it"
    return "no enabled rule covers it"


def explain_message(target: Target, raw_message: bytes, sender_ip: str, *, recipients: Iterable[str] | None = None,
                    tls: bool = True, rule_set: str | None = None) -> ReceiptExplanation:
    """:func:`explain_receipt` for a raw message: the envelope ``recipients`` when given, else the addresses
    in its ``To``, ``Cc`` and ``Bcc`` headers (SES routes on the envelope; the headers are the usual guess)."""
    from email import message_from_bytes, policy
    from email.utils import getaddresses

    if not isinstance(raw_message, bytes | bytearray):
        raise ValidationError("raw_message", type(raw_message).__name__, "must be the message as bytes.",
                              hint="Pass message.as_bytes() or the file's bytes.")
    if recipients is None:
        parsed = message_from_bytes(bytes(raw_message), policy=policy.compat32)
        headers = [str(v) for name in ("To", "Cc", "Bcc") for v in parsed.get_all(name, [])]
        recipients = list(dict.fromkeys(address for _, address in getaddresses(headers) if address))
        if not recipients:
            raise ValidationError("raw_message", "(no To, Cc or Bcc)", "names no recipient.",
                                  hint="Pass recipients=[...] (the envelope's RCPT TO addresses).")
    return explain_receipt(target, sender_ip=sender_ip, recipients=recipients, tls=tls, rule_set=rule_set,
                           size=len(raw_message))

"""How SES decides what happens to an inbound message: IP filters, recipient conditions, rule order.

Pure functions over the shapes SES's API returns (``ListReceiptFilters``' ``Filters`` and
``DescribeReceiptRuleSet``'s ``Rules``), with no AWS call, so the same code serves the client's
:func:`sesbook.explain_receipt` dry run (against the lab or a real account) and the lab's inbound SMTP
server, which runs what this module decides. ``explain()`` and the lab can therefore never disagree.

SES's rules kept here (Developer Guide, "Creating IP address filters" and "Creating receipt rules",
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-ip-filtering-console-walkthrough.html and
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-receipt-rules-console-walkthrough.html, checked 2026):

- **IP filters** are account-wide (per region), not part of a rule. With no filter every address may
  connect. A ``Block`` filter refuses the addresses in its range *unless* an ``Allow`` filter also covers
  the address: allow wins. To accept mail only from known senders, block ``0.0.0.0/0`` and allow them.
- **Recipient conditions** of a rule: ``user@example.com`` matches that address only; ``example.com``
  matches every address at that domain (not its subdomains); ``.example.com`` (leading dot) matches every
  address at any subdomain of example.com (not example.com itself). Case does not matter. A rule with no
  recipient condition matches every recipient at every domain the account has verified.
- **Order**: rules run in the rule set's order; disabled rules are skipped. A rule whose condition matches
  at least one recipient runs all its actions, in order, once, for the recipients it matched. A ``Stop``
  action ends the rule set there (later actions and rules do not run); so does a Lambda action invoked
  ``RequestResponse`` whose function answers ``STOP_RULE_SET`` (``STOP_RULE`` ends only its own rule) —
  known only when the function runs, so a dry run says "may stop".
- **TLS**: a matching rule with ``TlsPolicy`` ``Require`` refuses a message that did not arrive over TLS.

The SMTP replies (:func:`recipient_reply`, :func:`data_reply`) are decided here too, and only here: the lab's
inbound server answers with them and :func:`sesbook.explain_receipt` reports them, so the two agree by
construction ("Email receiving concepts", https://docs.aws.amazon.com/ses/latest/dg/receiving-email-concepts.html,
and "Service quotas in Amazon SES", checked 2026):

- at connection, an address a filter blocks: ``554 5.7.1`` (:data:`BLOCKED_REPLY`);
- at ``RCPT TO``, with no active rule set, a recipient whose domain (or address) is not a verified identity, or
  one no enabled rule covers: ``550 5.1.1`` (:data:`UNKNOWN_RECIPIENT_REPLY`); a recipient whose first
  matching rule on the way requires TLS on a plain session: ``530 5.7.0`` (:data:`TLS_REQUIRED_REPLY`);
- after ``DATA``: over 40 MB, ``552`` (:data:`TOO_BIG_REPLY`); a message over the SNS action's 150 KB that an
  SNS action of the matching rules would carry: ``552 5.3.4`` (:data:`SNS_TOO_BIG_REPLY`; SES documents that
  such mail bounces, the lab refuses it before any action runs, so a sender's retry cannot deliver it twice);
  otherwise ``250``. A Bounce action does not change the reply: receipt actions run after SES has taken the
  message, and the Bounce action *mails* a bounce message (a DSN) to the sender (BounceAction, SES API
  reference).
- The words of the replies are the lab's (SES documents the refusals, not their text); the codes are RFC 5321's.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesbook.facts import SNS_ACTION_MAX_BYTES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "FilterVerdict",
    "RuleMatch",
    "data_reply",
    "filter_verdict",
    "identity_covers",
    "match_rules",
    "recipient_matches",
    "recipient_reply",
    "rule_recipients",
]

#: The SMTP replies of SES's inbound servers as the lab gives them (see the module text).
BLOCKED_REPLY = "554 5.7.1 Access denied"
UNKNOWN_RECIPIENT_REPLY = "550 5.1.1 Requested action not taken: mailbox unavailable"
TLS_REQUIRED_REPLY = "530 5.7.0 Must issue a STARTTLS command first"
TOO_BIG_REPLY = "552 5.3.4 Message size exceeds fixed maximum message size"
SNS_TOO_BIG_REPLY = ("552 5.3.4 Message too large for the SNS action (over 150 KB); SES bounces such mail: "
                     "use an S3 action for large messages")
#: SES receives messages up to 40 MB (Developer Guide, "Service quotas in Amazon SES", checked 2026).
SIZE_LIMIT = 40 * 1024 * 1024
#: The largest message an SNS action carries (Developer Guide, "Publish to Amazon SNS topic action").
SNS_LIMIT = SNS_ACTION_MAX_BYTES

#: The action types a receipt rule can hold, as the API names them (``ReceiptAction`` members).
ACTION_TYPES = ("S3Action", "BounceAction", "WorkmailAction", "LambdaAction", "StopAction",
                "AddHeaderAction", "SNSAction", "ConnectAction")


@dataclass(frozen=True)
class FilterVerdict:
    """Whether a connecting address may deliver, and which filter decided (``None``: no filter applied)."""

    ip: str
    allowed: bool
    filter_name: str | None = None
    policy: str | None = None  # "Block" or "Allow" of the deciding filter

    @property
    def reason(self) -> str:
        if self.filter_name is None:
            return f"{self.ip}: no IP address filter covers it; accepted"
        if self.allowed and self.policy == "Allow":
            return f"{self.ip}: allowed by filter {self.filter_name!r} (an Allow filter wins over any Block)"
        return f"{self.ip}: blocked by filter {self.filter_name!r}"


def filter_verdict(filters: Iterable[Mapping[str, Any]], ip: str) -> FilterVerdict:
    """Apply the account's receipt filters (``ListReceiptFilters`` shape) to a connecting IPv4 address."""
    address = ipaddress.ip_address(ip)
    blocked_by: str | None = None
    for item in filters:
        ip_filter = item.get("IpFilter", {})
        network = ipaddress.ip_network(ip_filter.get("Cidr", ""), strict=False)
        if address.version != network.version or address not in network:
            continue
        if ip_filter.get("Policy") == "Allow":
            return FilterVerdict(ip, True, item.get("Name"), "Allow")
        if blocked_by is None:
            blocked_by = item.get("Name")
    if blocked_by is not None:
        return FilterVerdict(ip, False, blocked_by, "Block")
    return FilterVerdict(ip, True)


def recipient_matches(condition: str, address: str) -> bool:
    """Whether one recipient condition (address, domain, or ``.domain`` for subdomains) matches an address."""
    condition, address = condition.strip().lower(), address.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return False
    if "@" in condition:
        return condition == address
    if condition.startswith("."):
        return domain.endswith(condition) and len(domain) > len(condition)
    return domain == condition


def rule_recipients(rule: Mapping[str, Any], recipients: Iterable[str],
                    verified_domains: Iterable[str] = ()) -> list[str]:
    """The recipients (in the order given) that ``rule`` applies to.

    A rule with no recipient condition applies to every recipient at a domain in ``verified_domains``.
    """
    conditions = list(rule.get("Recipients") or [])
    if not conditions:
        verified = {d.lower().rstrip(".") for d in verified_domains}
        return [r for r in recipients if r.rpartition("@")[2].lower() in verified]
    return [r for r in recipients if any(recipient_matches(c, r) for c in conditions)]


@dataclass(frozen=True)
class RuleMatch:
    """One rule that applies to the message: the recipients it matched and the actions it runs, in order.

    ``stops_here`` is true when the rule holds a ``Stop`` action (the rule set ends after it); ``may_stop``
    when it holds a Lambda action invoked ``RequestResponse`` (the function's answer decides).
    ``refused_for_tls`` is true when the rule requires TLS and the message came without it: SES refuses
    the message instead of running any action.
    """

    rule_name: str
    recipients: tuple[str, ...]
    actions: tuple[Mapping[str, Any], ...]
    stops_here: bool = False
    may_stop: bool = False
    refused_for_tls: bool = False
    skipped_actions: tuple[Mapping[str, Any], ...] = field(default=())  # after a Stop, never run

    @property
    def action_types(self) -> tuple[str, ...]:
        return tuple(action_type(a) for a in self.actions)


def action_type(action: Mapping[str, Any]) -> str:
    """``"S3Action"`` etc. for one ``ReceiptAction`` (the one key it sets)."""
    for name in ACTION_TYPES:
        if action.get(name):
            return name
    return "UnknownAction"


def match_rules(rules: Sequence[Mapping[str, Any]], recipients: Iterable[str], *, tls: bool = True,
                verified_domains: Iterable[str] = ()) -> list[RuleMatch]:
    """The rules (``DescribeReceiptRuleSet`` ``Rules``, in order) that apply, up to the first that stops.

    A rule requiring TLS on a plain session is returned with ``refused_for_tls`` and ends the walk (SES
    refuses the message). Lambda ``RequestResponse`` answers cannot be known here: such a rule is marked
    ``may_stop`` and the walk goes on, as it does when the function answers ``CONTINUE``.
    """
    wanted = list(recipients)
    verified = list(verified_domains)
    found: list[RuleMatch] = []
    for rule in rules:
        if not rule.get("Enabled", False):
            continue
        matched = rule_recipients(rule, wanted, verified)
        if not matched:
            continue
        if rule.get("TlsPolicy") == "Require" and not tls:
            found.append(RuleMatch(rule["Name"], tuple(matched), (), refused_for_tls=True))
            break
        actions = list(rule.get("Actions") or [])
        run, skipped, stops, may_stop = actions, [], False, False
        for index, action in enumerate(actions):
            kind = action_type(action)
            if kind == "LambdaAction" and action["LambdaAction"].get("InvocationType", "Event") == "RequestResponse":
                may_stop = True
            if kind == "StopAction":
                run, skipped, stops = actions[: index + 1], actions[index + 1:], True
                break
        found.append(RuleMatch(rule["Name"], tuple(matched), tuple(run), stops_here=stops, may_stop=may_stop,
                               skipped_actions=tuple(skipped)))
        if stops:
            break
    return found


def identity_covers(address: str, verified_identities: Iterable[str]) -> bool:
    """Whether ``address``, its domain or a parent domain of it is a verified identity (SES receives only
    for those; a verified domain covers its subdomains, as it does for sending: Developer Guide, "Creating
    and verifying identities", checked 2026)."""
    domain = address.rpartition("@")[2].lower().rstrip(".")
    found = {i.lower().rstrip(".") for i in verified_identities}
    labels = domain.split(".")
    return address.lower() in found or any(".".join(labels[i:]) in found for i in range(len(labels) - 1))


def recipient_reply(rules: Sequence[Mapping[str, Any]] | None, address: str, *, tls: bool,
                    verified_identities: Iterable[str]) -> str | None:
    """The reply to ``RCPT TO:<address>``: None when SES takes mail for it, else the refusal.

    ``rules``: the active rule set's rules (None: no active set, nothing is received);
    ``verified_identities``: the names of the verified identities, domains and addresses.
    """
    verified = list(verified_identities)
    if rules is None or "@" not in address or not identity_covers(address, verified):
        return UNKNOWN_RECIPIENT_REPLY
    domains = [i for i in verified if "@" not in i]
    matches = match_rules(rules, [address], tls=tls, verified_domains=domains)
    if not matches:
        return UNKNOWN_RECIPIENT_REPLY
    if matches[-1].refused_for_tls:
        return TLS_REQUIRED_REPLY
    return None


def data_reply(matches: Sequence[RuleMatch], size: int | None) -> str | None:
    """The refusal after ``DATA`` for a message of ``size`` bytes (as received) that ``matches`` apply to, or
    None when SES takes it (250). Decided before any action runs. A rule on the way that requires TLS on a
    plain session refuses the whole message (:data:`TLS_REQUIRED_REPLY`)."""
    if any(m.refused_for_tls for m in matches):
        return TLS_REQUIRED_REPLY
    if size is None:
        return None
    if size > SIZE_LIMIT:
        return TOO_BIG_REPLY
    if size > SNS_LIMIT and any(action_type(a) == "SNSAction" for m in matches if not m.refused_for_tls
                                for a in m.actions):
        return SNS_TOO_BIG_REPLY
    return None

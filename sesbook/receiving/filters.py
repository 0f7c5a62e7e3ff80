"""Receipt IP address filters: account-wide rules about which addresses may deliver mail to SES at all.

A filter is not part of a receipt rule (there is no IP condition inside a rule): it is its own object,
applied when a sender connects, before any rule. Filters are created, listed and deleted; there is no
update, so :func:`ensure_filter` replaces a filter whose range or policy changed.

SES's rules kept here (Developer Guide, "Creating IP address filters",
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-ip-filtering-console-walkthrough.html; API Reference,
``ReceiptFilter`` and ``ReceiptIpFilter``, checked 2026):

- Name: letters, digits, ``_`` and ``-``; first and last a letter or digit; 64 or fewer.
- Policy ``Block`` or ``Allow``; one IPv4 address (``10.0.0.1``) or range in CIDR form (``10.0.0.0/24``).
  IPv6 is not supported.
- With no filter every address may connect. An ``Allow`` filter wins over any ``Block`` filter covering the
  same address, so "only these senders" is: block ``0.0.0.0/0``, allow each of them (:func:`allow_only`).
- At most 100 filters per account and region.

IAM: ``ses:CreateReceiptFilter``, ``ses:ListReceiptFilters``, ``ses:DeleteReceiptFilter``.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import ValidationError
from sesbook.facts import MAX_RECEIPT_FILTERS, RECEIPT_FILTER_NAME_RE
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sesbook.target import Target

__all__ = ["FilterChange", "ReceiptFilter", "allow_all", "allow_only", "delete_filter", "ensure_filter",
           "list_filters", "normalize_cidr"]

log = logging.getLogger("sesbook")

POLICIES = ("Block", "Allow")
#: Names :func:`allow_only` gives its filters, so a later call knows which ones it made.
ALLOW_ONLY_BLOCK = "sesbook-block-all"
ALLOW_ONLY_PREFIX = "sesbook-allow-"


def normalize_cidr(value: object, *, field: str = "cidr") -> str:
    """One IPv4 address or CIDR range as SES takes it; a range must start at its network address."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, value, "must be an IPv4 address or CIDR range.",
                              hint="For example '192.0.2.1' or '192.0.2.0/24'.")
    text = value.strip()
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValidationError(field, value, "is not an IPv4 address or CIDR range.",
                              hint="For example '192.0.2.1' or '192.0.2.0/24' (no leading zeros).") from None
    if network.version != 4:
        raise ValidationError(field, value, "is IPv6; SES's receipt filters take IPv4 only.")
    if "/" not in text:
        return str(network.network_address)
    if str(network) != text:
        raise ValidationError(field, value, "has host bits set after the prefix length.",
                              hint=f"Did you mean {network}?")
    return text


def check_filter_name(value: object, *, field: str = "name") -> str:
    if not isinstance(value, str) or not RECEIPT_FILTER_NAME_RE.match(value):
        raise ValidationError(field, value, "is not a valid IP filter name: 1-64 ASCII letters, digits, '_' or '-', "
                              "starting and ending with a letter or digit.", hint="For example 'block-all'.")
    return value


@dataclass(frozen=True)
class ReceiptFilter:
    """One IP address filter: a name, ``Block`` or ``Allow``, and an IPv4 address or range."""

    name: str
    cidr: str
    policy: str = "Block"

    def __post_init__(self) -> None:
        check_filter_name(self.name)
        object.__setattr__(self, "cidr", normalize_cidr(self.cidr))
        if self.policy not in POLICIES:
            raise ValidationError("policy", self.policy, "must be 'Block' or 'Allow'.")

    def to_api(self) -> dict[str, Any]:
        """The ``Filter`` of ``CreateReceiptFilter`` (and an item of ``ListReceiptFilters``' ``Filters``)."""
        return {"Name": self.name, "IpFilter": {"Policy": self.policy, "Cidr": self.cidr}}

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> ReceiptFilter:
        ip_filter = item.get("IpFilter") or {}
        return cls(item["Name"], ip_filter.get("Cidr", ""), ip_filter.get("Policy", ""))


@dataclass(frozen=True)
class FilterChange:
    """What a filter call did: ``(name, outcome)`` with outcome created, replaced, unchanged or deleted."""

    changes: tuple[tuple[str, str], ...]
    filters: tuple[ReceiptFilter, ...]  # the account's filters afterwards (as planned when ``planned``)
    planned: bool = False

    @property
    def changed(self) -> bool:
        return any(outcome != "unchanged" for _, outcome in self.changes)

    def _rows(self) -> list[tuple[str, str, str, str]]:
        outcome = dict(self.changes)
        return [(f.name, f.policy, f.cidr, outcome.get(f.name, "—")) for f in self.filters] + \
            [(n, "", "", o) for n, o in self.changes if o == "deleted"]

    def _head(self) -> str:
        head = "IP address filters: " + ("changed" if self.changed else "no change")
        return head + (" (planned, not sent)" if self.planned else "")

    def __repr__(self) -> str:
        return self._head() + "\n" + _html.text_table(["filter", "policy", "range", "outcome"], self._rows())

    def _repr_html_(self) -> str:
        return _html.table(["filter", "policy", "range", "outcome"], self._rows(), caption=self._head())


def list_filters(target: Target) -> tuple[ReceiptFilter, ...]:
    """The account's receipt IP filters in this region (``ListReceiptFilters``)."""
    with aws_errors("ses"):
        got = target.ses.list_receipt_filters()
    return tuple(ReceiptFilter.from_api(item) for item in got.get("Filters") or [])


def _apply(target: Target, wanted: Iterable[ReceiptFilter], remove: Iterable[str]) -> FilterChange:
    """Make each ``wanted`` filter exist as given and delete the filters named in ``remove``."""
    wanted = list(wanted)
    current = {f.name: f for f in list_filters(target)}
    removing = [n for n in remove if n in current]
    total = len(set(current) - set(removing) | {f.name for f in wanted})
    if total > MAX_RECEIPT_FILTERS:
        raise ValidationError("filters", f"{total} filters", f"SES allows at most {MAX_RECEIPT_FILTERS} IP address "
                              "filters per account and region.", hint="Use wider ranges, or delete unused filters.")
    changes: list[tuple[str, str]] = []
    planned = False
    with aws_errors("ses"):
        for name in removing:
            planned = was_planned(target.ses.delete_receipt_filter(FilterName=name)) or planned
            changes.append((name, "deleted"))
            current.pop(name)
        for item in wanted:
            have = current.get(item.name)
            if have == item:
                changes.append((item.name, "unchanged"))
                continue
            if have is not None:  # no update call: delete and create again
                planned = was_planned(target.ses.delete_receipt_filter(FilterName=item.name)) or planned
            planned = was_planned(target.ses.create_receipt_filter(Filter=item.to_api())) or planned
            changes.append((item.name, "replaced" if have is not None else "created"))
            current[item.name] = item
    result = FilterChange(tuple(changes), tuple(current.values()), planned)
    log.info("receipt filters: %s", result._head())
    return result


def ensure_filter(target: Target, name: str, cidr: str, policy: str = "Block") -> FilterChange:
    """Make filter ``name`` exist with this range and policy (created, replaced or left unchanged)."""
    return _apply(target, [ReceiptFilter(name, cidr, policy)], ())


def delete_filter(target: Target, name: str) -> FilterChange:
    """Delete filter ``name``; one that is not there is "nothing to do" (no change)."""
    check_filter_name(name)
    return _apply(target, (), [name])


def allow_only(target: Target, cidrs: Iterable[str]) -> FilterChange:
    """Accept mail only from ``cidrs``: a ``Block`` filter for ``0.0.0.0/0`` plus an ``Allow`` filter each.

    Idempotent: a later call with another list deletes the allow filters this function made for ranges no
    longer listed. Other filters of the account are left alone (note that any other ``Allow`` filter still
    lets its range in).
    """
    if isinstance(cidrs, str):
        raise ValidationError("cidrs", cidrs, "must be a list of ranges, not one string.",
                              hint=f"Write allow_only(target, [{cidrs!r}]).")
    ranges = [normalize_cidr(c, field=f"cidrs[{i}]") for i, c in enumerate(cidrs)]
    if not ranges:
        raise ValidationError("cidrs", [], "is empty: blocking every address would refuse all mail.",
                              hint="List at least one sender range, or use ensure_filter for a plain block.")
    wanted = [ReceiptFilter(ALLOW_ONLY_BLOCK, "0.0.0.0/0", "Block")]
    wanted += [ReceiptFilter(ALLOW_ONLY_PREFIX + c.replace(".", "-").replace("/", "-"), c, "Allow")
               for c in dict.fromkeys(ranges)]
    names = {f.name for f in wanted}
    stale = [f.name for f in list_filters(target) if f.name.startswith(ALLOW_ONLY_PREFIX) and f.name not in names]
    return _apply(target, wanted, stale)


def allow_all(target: Target) -> FilterChange:
    """Undo :func:`allow_only`: delete the block-everything filter and the allow filters it made.

    Filters are account-wide (every rule set, every recipient in the region), so an :func:`allow_only` left
    behind also refuses mail from everyone else, SES's own sending addresses included. Filters sesbook did
    not make are left alone. Idempotent.
    """
    made = [f.name for f in list_filters(target)
            if f.name == ALLOW_ONLY_BLOCK or f.name.startswith(ALLOW_ONLY_PREFIX)]
    return _apply(target, (), made)

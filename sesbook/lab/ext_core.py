"""Core lab extensions: one reset for everything, and receipt IP address filters (SES v1), which moto
5.2.5 does not implement.

Reset: moto's own reset (``POST /moto-api/reset``, which the lab's ``/_sesbook/reset`` also calls) is
wrapped so that state the lab keeps outside moto's backends (``runtime.RESET_HOOKS``: the clock, the
mailbox) is cleared with it, whichever way a reset is asked for.

SES rules kept here (Developer Guide, "IP address filters"): a filter has a name (1-64 characters:
letters, digits, ``_``, ``.``, ``-``; starting with a letter or digit), a policy ``Block`` or ``Allow``
and one IPv4 address or CIDR range; at most 100 filters per account and region; names are unique.
Deleting a filter that does not exist is not an error.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.ses.exceptions import AlreadyExists, InvalidParameterValue, SesError

from sesbook.lab.extensions import state, v1_action, wrap
from sesbook.lab.runtime import RESET_HOOKS

MAX_RECEIPT_FILTERS = 100


@wrap("moto.moto_api._internal.models.MotoAPIBackend", "reset")
def _reset_lab_state_too(original: Any, self: Any) -> None:
    original(self)
    for hook in RESET_HOOKS:
        hook()



_FILTER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class LimitExceeded(SesError):
    code = "LimitExceeded"


def receipt_filters(backend: Any) -> dict[str, dict[str, Any]]:
    """The receipt filters of one SES backend (account and region), by name, in creation order."""
    return state(backend, "receipt_filters", dict)


@v1_action("create_receipt_filter")
def create_receipt_filter(self: Any) -> ActionResult:
    name = self._get_param("Filter.Name") or ""
    policy = self._get_param("Filter.IpFilter.Policy") or ""
    cidr = self._get_param("Filter.IpFilter.Cidr") or ""
    if not _FILTER_NAME_RE.match(name):
        raise InvalidParameterValue(
            f"Invalid filter name <{name}>: use 1-64 letters, digits, underscores, periods or dashes, "
            "starting with a letter or digit."
        )
    if policy not in ("Block", "Allow"):
        raise InvalidParameterValue(f"Invalid IP filter policy <{policy}>: use Block or Allow.")
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise InvalidParameterValue(
            f"Invalid CIDR <{cidr}>: use an IPv4 address or range such as 192.0.2.0/24."
        ) from None
    if network.version != 4:
        raise InvalidParameterValue(f"Invalid CIDR <{cidr}>: receipt filters take IPv4 ranges only.")
    filters = receipt_filters(self.backend)
    if name in filters:
        raise AlreadyExists(f"Filter {name} already exists.")
    if len(filters) >= MAX_RECEIPT_FILTERS:
        raise LimitExceeded(f"An account can have at most {MAX_RECEIPT_FILTERS} receipt filters.")
    filters[name] = {"Name": name, "IpFilter": {"Policy": policy, "Cidr": cidr}}
    return EmptyResult()


@v1_action("list_receipt_filters")
def list_receipt_filters(self: Any) -> ActionResult:
    return ActionResult({"Filters": list(receipt_filters(self.backend).values())})


@v1_action("delete_receipt_filter")
def delete_receipt_filter(self: Any) -> ActionResult:
    receipt_filters(self.backend).pop(self._get_param("FilterName") or "", None)
    return EmptyResult()

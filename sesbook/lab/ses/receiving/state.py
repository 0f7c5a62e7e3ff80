"""Receipt IP address filters (SES v1), which moto 5.2.5 does not implement: the rules and the data.

SES rules kept here (Developer Guide, "IP address filters"): a filter has a name (1-64 characters:
letters, digits, ``_``, ``.``, ``-``; starting with a letter or digit), a policy ``Block`` or ``Allow``
and one IPv4 address or CIDR range; at most 100 filters per account and region; names are unique.
Deleting a filter that does not exist is not an error.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from moto.ses.exceptions import AlreadyExists, InvalidParameterValue

from sesbook.lab.registry import state
from sesbook.lab.ses.errors import LimitExceeded

MAX_RECEIPT_FILTERS = 100
_FILTER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def receipt_filters(backend: Any) -> dict[str, dict[str, Any]]:
    """The receipt filters of one SES backend (account and region), by name, in creation order."""
    return state(backend, "receipt_filters", dict)


def add_receipt_filter(backend: Any, name: str, policy: str, cidr: str) -> dict[str, Any]:
    """Check one filter against SES's rules and keep it; return it in SES's shape."""
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
    filters = receipt_filters(backend)
    if name in filters:
        raise AlreadyExists(f"Filter {name} already exists.")
    if len(filters) >= MAX_RECEIPT_FILTERS:
        raise LimitExceeded(f"An account can have at most {MAX_RECEIPT_FILTERS} receipt filters.")
    filters[name] = {"Name": name, "IpFilter": {"Policy": policy, "Cidr": cidr}}
    return filters[name]


def delete_receipt_filter(backend: Any, name: str) -> None:
    """Forget one filter; a name that does not exist is not an error."""
    receipt_filters(backend).pop(name, None)

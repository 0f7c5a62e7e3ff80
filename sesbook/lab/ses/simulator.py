"""The SES mailbox simulator's addresses (``success@``, ``bounce@``, ``ooto@``, ``complaint@``,
``suppressionlist@simulator.amazonses.com``, with optional ``+label``): mail to them reaches nobody."""

from __future__ import annotations

import re
from email.utils import parseaddr

SIMULATOR_RE = re.compile(
    r"^(success|bounce|ooto|complaint|suppressionlist)(\+[^@]*)?@simulator\.amazonses\.com$", re.IGNORECASE
)


def is_simulator(address: str) -> bool:
    """True for a mailbox simulator address (display names allowed: ``"X" <bounce@simulator...>``)."""
    return bool(SIMULATOR_RE.match(parseaddr(address)[1] or address))

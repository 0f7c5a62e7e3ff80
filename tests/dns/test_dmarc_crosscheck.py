"""Our DMARC verdicts, cross-checked with checkdmarc's (an independent RFC 9989 implementation), offline.

checkdmarc is a test-only dependency (see sesbook/dmarc.py's docstring for why it is not used at run
time). Its resolver points at a closed loopback port, so the few lookups it makes for rua addresses
fail at once and no test reaches the network.
"""

from __future__ import annotations

import pytest

from sesbook.dns.dmarc import lint_dmarc

checkdmarc_dmarc = pytest.importorskip("checkdmarc.dmarc")

# (record, valid?) where both implementations must agree
AGREED = [
    ("v=DMARC1; p=none", True),
    ("v=DMARC1; p=reject; rua=mailto:a@example.com", True),
    ("v=DMARC1; rua=mailto:a@example.com", True),                     # no p, valid rua: p=none (RFC 9989)
    ("v=DMARC1; rua=mailto:a@example.com; p=reject", True),           # any order after v=DMARC1
    ("v=DMARC1; p=reject; future=1", True),                           # unknown tags are ignored
    ("v=DMARC1; p=reject; pct=50", True),                             # removed tag: a warning, not an error
    ("v=DMARC1; p=reject; rf=afrf; ri=86400", True),
    ("v=DMARC1; p=reject; rua=https://reports.example.com/dmarc", True),  # any URI scheme
    ("v=DMARC1; p=quarantine; np=reject; t=y; psd=n; fo=1:d", True),
    ("v=DMARC1; p=maybe", False),
    ("v=DMARC1; p=none; sp=drop", False),
    ("v=DMARC1; p=none; fo=2", False),
    ("v=DMARC1; p=none; pct=\u00b2", False),
    ("p=none; v=DMARC1", False),
    ("v=DMARC2; p=none", False),
]

# Where we are deliberately stricter, and why (our verdict is asserted; checkdmarc's is not).
STRICTER = [
    # RFC 9989: no valid p and no valid rua -> receivers apply no DMARC; checkdmarc defaults p=none.
    "v=DMARC1",
    # An invalid alignment value is discarded for the default by receivers; we ask for it to be fixed.
    "v=DMARC1; p=none; adkim=x",
    # checkdmarc checks leading white space when it reads DNS, not in its parser.
    " v=DMARC1; p=none",
]


def _checkdmarc_valid(text: str) -> bool:
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = ["127.0.0.1"], 9
    resolver.timeout = resolver.lifetime = 0.5
    try:
        checkdmarc_dmarc.parse_dmarc_record(text, "example.com", resolver=resolver, timeout=0.5)
    except checkdmarc_dmarc.DMARCError:
        return False
    return True


@pytest.mark.parametrize(("text", "valid"), AGREED)
def test_verdicts_agree_with_checkdmarc(text: str, valid: bool) -> None:
    assert lint_dmarc(text).ok is valid
    assert _checkdmarc_valid(text) is valid


@pytest.mark.parametrize("text", STRICTER)
def test_where_we_are_stricter(text: str) -> None:
    assert not lint_dmarc(text).ok

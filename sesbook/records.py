"""``Record``: one DNS record SES asks for, with why it is there and how much it matters.

Shared by :mod:`sesbook.identities` (the records a verification waits for) and :mod:`sesbook.dnsrecords`
(the whole set, rendered and published). Kept deliberately small: a name, a type, a value, a TTL, a
purpose and a requirement level.

Values are written the way a person reads them, not in zone-file syntax: a TXT value is the text
itself without quotes (``v=spf1 include:amazonses.com -all``), an MX value is ``PREFERENCE HOST``
and a CNAME value is the host, both without a trailing dot. :attr:`Record.rdata` gives the zone-file
form (TXT quoted and split into strings of at most 255 bytes, host names absolute).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Requirement levels, strongest first, with the SES notes' Japanese term.
REQUIRED = "required"  # 必須
RECOMMENDED = "recommended"  # 推奨
OPTIONAL = "optional"
LEVELS = (REQUIRED, RECOMMENDED, OPTIONAL)

#: Names and values containing this word are placeholders for tokens not yet known.
PLACEHOLDER = "placeholder"

#: The TTL the SES console proposes for the records it lists (seconds).
DEFAULT_TTL = 1800

_HOST_TYPES = ("CNAME", "NS", "PTR")


@dataclass(frozen=True)
class Record:
    """One DNS record: ``name`` (absolute, lower case, no trailing dot), ``type``, ``value`` (see module doc).

    ``purpose`` says what SES uses it for, ``level`` is one of :data:`LEVELS`, ``note`` adds a caveat
    (e.g. "may be removed once the domain is verified").
    """

    name: str
    type: str
    value: str
    ttl: int = DEFAULT_TTL
    purpose: str = ""
    level: str = REQUIRED
    note: str = ""

    @property
    def required(self) -> bool:
        return self.level == REQUIRED

    @property
    def is_placeholder(self) -> bool:
        """True when the name or value stands in for a token that SES has not given yet."""
        return PLACEHOLDER in self.name.lower() or PLACEHOLDER in self.value.lower()

    @property
    def rdata(self) -> str:
        """The value in zone-file (and Route 53) syntax."""
        return to_rdata(self.type, self.value)

    def __str__(self) -> str:
        return f"{self.name}. {self.ttl} IN {self.type} {self.rdata}"


def txt_strings(text: str) -> list[str]:
    """Split a TXT value into the <=255-byte character-strings DNS carries (RFC 1035 3.3.14)."""
    data = text.encode()
    chunks: list[str] = []
    while data:
        cut = 255
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:  # do not split a UTF-8 sequence
            cut -= 1
        chunks.append(data[:cut].decode())
        data = data[cut:]
    return chunks or [""]


def quote_txt(text: str) -> str:
    """``"part1" "part2"``: a TXT value quoted for a zone file or Route 53, split at 255 bytes."""
    return " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in txt_strings(text))


def to_rdata(rtype: str, value: str) -> str:
    """A readable value (module doc) in zone-file syntax."""
    rtype = rtype.upper()
    if rtype in ("TXT", "SPF"):
        return quote_txt(value)
    if rtype == "MX":
        preference, _, host = value.partition(" ")
        return f"{preference} {host.strip().rstrip('.')}."
    if rtype in _HOST_TYPES:
        return value.rstrip(".") + "."
    return value


def from_rdata(rtype: str, rdata: str) -> str:
    """The readable value of zone-file or Route 53 rdata: TXT strings joined, host names without the dot."""
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    rtype = rtype.upper()
    if rtype in ("TXT", "SPF"):
        parsed = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), rdata)
        return b"".join(parsed.strings).decode(errors="replace")  # type: ignore[attr-defined]
    if rtype == "MX":
        preference, _, host = rdata.strip().partition(" ")
        return f"{int(preference)} {host.strip().rstrip('.').lower()}"
    if rtype in _HOST_TYPES:
        return rdata.strip().rstrip(".").lower()
    return rdata.strip()

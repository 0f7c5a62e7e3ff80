"""``Record`` and ``RecordSet``: DNS records SES asks for, with why each is there, and their renderings.

A :class:`Record` is deliberately small: a name, a type, a value, a TTL, a purpose and a requirement
level. A :class:`RecordSet` holds the records for one domain and region and renders as an HTML table (in a
notebook), a BIND zone file (:meth:`RecordSet.to_zone`), a Route 53 change batch
(:meth:`RecordSet.to_route53_changes`), a CloudFormation snippet (:meth:`RecordSet.to_cloudformation`)
and JSON. :func:`records_table` / :func:`records_text` show any records as a table. Pure: building the
records is :mod:`sesbook.dns.ses_records`, publishing them :mod:`sesbook.dns.route53`.

Values are written the way a person reads them, not in zone-file syntax: a TXT value is the text
itself without quotes (``v=spf1 include:amazonses.com -all``), an MX value is ``PREFERENCE HOST``
and a CNAME value is the host, both without a trailing dot. :attr:`Record.rdata` gives the zone-file
form (TXT quoted and split into strings of at most 255 bytes, host names absolute).

A record is checked when it is made, so a bad one is refused before any call (Route 53 would store
some of them, and DNS servers then drop them): the type must be one Route 53 supports
(:data:`RECORD_TYPES`, from the Route 53 Developer Guide, "Supported DNS record types", checked
2026-12-02); the name is normalised like a domain (lower case, punycode, ``_`` labels allowed); an MX
value is ``PREFERENCE HOST`` (0-65535, a valid host), a CNAME/NS/PTR value a valid name, A and AAAA an
IPv4 / IPv6 address. A TXT value may also be given in zone-file form, one or more quoted strings
(``"part1" "part2"``): Route 53 takes at most 255 characters in each quoted string and 4,000 in a value,
so a longer quoted string is refused with a hint to split it; unquoted text is split for you.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook.dns.domains import display_domain, normalize_domain, normalize_record_name, validate_region
from sesbook.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

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
#: The record types Route 53 supports (Developer Guide, "Supported DNS record types", checked 2026-12-02).
RECORD_TYPES = ("A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV",
                "SSHFP", "SVCB", "TLSA", "TXT")
#: Route 53's limits for one value (API reference, ``ResourceRecord.Value``) and one TXT string.
MAX_VALUE_CHARS = 4000
MAX_TXT_STRING = 255
_MAX_TTL = 2147483647
#: What :meth:`RecordSet.render` (``python -m sesbook dns records --format``) can write.
FORMATS = ("table", "zone", "route53", "cloudformation", "json")


@dataclass(frozen=True)
class Record:
    """One DNS record: ``name`` (absolute, lower case, no trailing dot), ``type``, ``value`` (see module doc).

    ``purpose`` says what SES uses it for, ``level`` is one of :data:`LEVELS`, ``note`` adds a caveat
    (e.g. "may be removed once the domain is verified"). ``exclusive``: this record set holds only this
    value (a DKIM key at ``SELECTOR._domainkey``): publishing it replaces whatever the name held for the
    type, where an ordinary TXT value is added beside the others.
    """

    name: str
    type: str
    value: str
    ttl: int = DEFAULT_TTL
    purpose: str = ""
    level: str = REQUIRED
    note: str = ""
    exclusive: bool = False

    def __post_init__(self) -> None:
        rtype = self.type.strip().upper() if isinstance(self.type, str) else self.type
        if rtype not in RECORD_TYPES:
            raise ValidationError("type", self.type, "is not a DNS record type Route 53 supports.",
                                  hint=f"Use one of {', '.join(RECORD_TYPES)}; SES needs TXT, CNAME and MX.")
        object.__setattr__(self, "type", rtype)
        object.__setattr__(self, "name", normalize_record_name(self.name))
        object.__setattr__(self, "value", _check_value(rtype, self.value, self.name))
        if isinstance(self.ttl, bool) or not isinstance(self.ttl, int) or not 0 <= self.ttl <= _MAX_TTL:
            raise ValidationError("ttl", self.ttl, f"must be a whole number of seconds from 0 to {_MAX_TTL}.",
                                  hint=f"SES suggests {DEFAULT_TTL}.")
        if self.level not in LEVELS:
            raise ValidationError("level", self.level, f"must be one of {', '.join(LEVELS)}.")

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


def _check_value(rtype: str, value: object, name: str) -> str:
    """``value`` checked for ``rtype`` and returned in the readable form (module doc)."""
    field = f"{rtype} value for {name}"
    if not isinstance(value, str):
        raise ValidationError(field, value, "must be text.")
    if rtype in ("TXT", "SPF"):
        text = _unquote_txt(value, field) if value.lstrip().startswith('"') else value
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise ValidationError(field, value, "holds a control character (such as a line break).",
                                  hint="Write the text on one line; DNS text records carry no line breaks.")
        if len(quote_txt(text)) > MAX_VALUE_CHARS:
            raise ValidationError(field, value[:60] + "...", f"is longer than Route 53's {MAX_VALUE_CHARS} "
                                  "characters for one value.", hint="Shorten the text (a 2048-bit DKIM key fits).")
        return text
    value = value.strip()
    if rtype == "MX":
        parts = value.split()
        if len(parts) != 2 or not parts[0].isdigit() or not 0 <= int(parts[0]) <= 65535:
            raise ValidationError(field, value, "must be 'PREFERENCE HOST': a number from 0 to 65535, a space, "
                                  "and a host name.", hint="For example '10 inbound-smtp.us-east-1.amazonaws.com'.")
        if parts[1] == ".":  # a null MX (RFC 7505): the domain receives no mail
            return f"{int(parts[0])} ."
        return f"{int(parts[0])} {normalize_domain(parts[1], field=field + ' (host)')}"
    if rtype in _HOST_TYPES:
        return normalize_record_name(value, field=field)
    if rtype in ("A", "AAAA"):
        kind = ipaddress.IPv4Address if rtype == "A" else ipaddress.IPv6Address
        try:
            kind(value)
        except ValueError:
            raise ValidationError(field, value, f"is not an {'IPv4' if rtype == 'A' else 'IPv6'} address.",
                                  hint="For example '192.0.2.1'." if rtype == "A" else "For example '2001:db8::1'.",
                                  ) from None
        return value
    import dns.exception
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    try:
        dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rtype), to_rdata(rtype, value))
    except (dns.exception.DNSException, ValueError) as exc:
        raise ValidationError(field, value, f"is not a valid {rtype} value ({exc}).",
                              hint="See the Route 53 Developer Guide, 'Supported DNS record types'.") from None
    return value


_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote_txt(value: str, field: str) -> str:
    """The text of a TXT value written as quoted strings; each string at most 255 bytes, as Route 53 wants."""
    import dns.exception
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    pieces = _QUOTED_RE.findall(value)
    if not pieces or _QUOTED_RE.sub("", value).strip():
        raise ValidationError(field, value, "starts with a quote but is not a list of quoted strings.",
                              hint='Write "part1" "part2", or give the text without quotes and sesbook quotes it.')
    data = b""
    for i, piece in enumerate(pieces, 1):
        try:
            rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, f'"{piece}"')
        except dns.exception.DNSException:
            size = len(piece.encode())
            raise ValidationError(
                field, value[:60] + "...",
                f"has a quoted string (number {i}) of about {size} bytes; Route 53 and DNS take at most "
                f"{MAX_TXT_STRING} in one quoted string.",
                hint='Split it into several quoted strings ("first 255" "next 255" ...), or give the text '
                "without quotes and sesbook splits it for you.",
            ) from None
        data += b"".join(rdata.strings)  # type: ignore[attr-defined]
    return data.decode(errors="replace")


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


@dataclass(frozen=True)
class RecordSet:
    """The records for one domain and region, with renderers. Iterates over :class:`Record`."""

    domain: str
    region: str
    records: tuple[Record, ...]
    mail_from: str | None = None
    source: str = "given"

    def __post_init__(self) -> None:
        object.__setattr__(self, "domain", normalize_domain(self.domain))
        object.__setattr__(self, "region", validate_region(self.region))
        if self.mail_from is not None:
            object.__setattr__(self, "mail_from", normalize_domain(self.mail_from, field="mail_from"))
        records = tuple(self.records)
        wrong = [r for r in records if not isinstance(r, Record)]
        if wrong:
            raise ValidationError("records", wrong[0], "must be Record objects.",
                                  hint="Build them with Record(name, type, value).")
        object.__setattr__(self, "records", records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def placeholders(self) -> list[Record]:
        return [r for r in self.records if r.is_placeholder]

    def rrsets(self) -> dict[tuple[str, str], list[Record]]:
        """Records grouped by (name, type): one DNS RRset (and one Route 53 record set) each."""
        groups: dict[tuple[str, str], list[Record]] = {}
        for record in self.records:
            groups.setdefault((record.name, record.type), []).append(record)
        return groups

    def relative(self, name: str) -> str:
        """``name`` relative to the domain, as a zone file writes it (``@`` for the domain itself)."""
        if name == self.domain:
            return "@"
        return name[: -len(self.domain) - 1] if name.endswith("." + self.domain) else name + "."

    # -- renderers ----------------------------------------------------------------------------------------
    def _rows(self) -> list[tuple[Any, ...]]:
        return [(r.purpose, r.type, r.name, r.value, r.ttl, r.level, r.note) for r in self.records]

    def _caption(self) -> str:
        text = f"DNS records for {display_domain(self.domain)} in {self.region}"
        if self.placeholders and self.source == "planned":
            text += (f" — {len(self.placeholders)} PLACEHOLDER value(s): the identity is only planned, so SES has "
                     "not handed out its tokens; they are known once it is created (apply=True)")
        elif self.placeholders:
            text += f" — {len(self.placeholders)} PLACEHOLDER value(s): read the tokens from SES before publishing"
        return text

    def __repr__(self) -> str:
        headers = ["purpose", "type", "name", "value", "ttl", "level", "note"]
        return self._caption() + "\n" + _html.text_table(headers, self._rows())

    def _repr_html_(self) -> str:
        headers = ["purpose", "type", "name (ホスト名)", "value (設定値)", "TTL", "level", "note"]
        return _html.table(headers, self._rows(), caption=self._caption())

    def to_zone(self, *, soa: bool = True) -> str:
        """A BIND zone file for the domain (``named-checkzone DOMAIN FILE`` accepts it).

        With ``soa=True`` (default) it starts with an SOA and NS records, which a zone file must have;
        those are stand-ins: keep your DNS provider's.
        """
        lines = [f"; SES records for {self.domain} ({self.region}), made by sesbook"]
        if self.placeholders:
            lines.append("; WARNING: PLACEHOLDER values below: read the real tokens from SES before publishing")
        lines += [f"$ORIGIN {self.domain}.", f"$TTL {DEFAULT_TTL}"]
        if soa:
            lines += [
                "; SOA and NS: stand-ins so the file is a complete zone; keep your provider's",
                f"@\t3600\tIN\tSOA\tns1.{self.domain}. hostmaster.{self.domain}. 1 7200 900 1209600 300",
                f"@\t3600\tIN\tNS\tns1.{self.domain}.",
                "ns1\t3600\tIN\tA\t192.0.2.53",
            ]
        for record in self.records:
            lines.append(f"; {record.purpose} [{record.level}]" + (f" - {record.note}" if record.note else ""))
            lines.append(f"{self.relative(record.name)}\t{record.ttl}\tIN\t{record.type}\t{record.rdata}")
        return "\n".join(lines) + "\n"

    def to_route53_changes(self, *, action: str = "UPSERT", comment: str | None = None) -> dict[str, Any]:
        """A Route 53 ``ChangeBatch`` (one change per name and type) for ``ChangeResourceRecordSets``."""
        if action not in ("UPSERT", "CREATE", "DELETE"):
            raise ValidationError("action", action, "must be UPSERT, CREATE or DELETE.")
        changes = []
        for (name, rtype), records in self.rrsets().items():
            changes.append({"Action": action, "ResourceRecordSet": {
                "Name": name + ".", "Type": rtype, "TTL": records[0].ttl,
                "ResourceRecords": [{"Value": r.rdata} for r in records],
            }})
        batch: dict[str, Any] = {"Comment": comment or f"SES records for {self.domain} ({self.region})"}
        batch["Changes"] = changes
        return batch

    def to_cloudformation(self, *, hosted_zone_id: str | None = None) -> str:
        """A CloudFormation ``Resources`` snippet (YAML) with one ``AWS::Route53::RecordSet`` per name and type."""
        import yaml

        resources: dict[str, Any] = {}
        for (name, rtype), records in self.rrsets().items():
            props: dict[str, Any] = {}
            if hosted_zone_id:
                props["HostedZoneId"] = hosted_zone_id
            else:
                props["HostedZoneName"] = self.domain + "."
            props.update({"Name": name + ".", "Type": rtype, "TTL": str(records[0].ttl),
                          "ResourceRecords": [r.rdata for r in records]})
            resources[_logical_id(self.relative(name), rtype, resources)] = {
                "Type": "AWS::Route53::RecordSet", "Properties": props,
            }
        head = f"# SES records for {self.domain} ({self.region}), made by sesbook\n"
        if self.placeholders:
            head += "# WARNING: PLACEHOLDER values: read the real tokens from SES before deploying\n"
        return head + yaml.safe_dump({"Resources": resources}, sort_keys=False, width=1000)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [
            {"name": r.name, "type": r.type, "value": r.value, "ttl": r.ttl, "purpose": r.purpose,
             "level": r.level, "note": r.note, "placeholder": r.is_placeholder}
            for r in self.records
        ]

    def to_json(self) -> str:
        return json.dumps({"domain": self.domain, "region": self.region, "mail_from": self.mail_from,
                           "records": self.to_dicts()}, indent=2, ensure_ascii=False)

    def render(self, fmt: str = "table") -> str:
        """Text in one of :data:`FORMATS` (what ``python -m sesbook dns records --format`` prints)."""
        if fmt == "table":
            return repr(self)
        if fmt == "zone":
            return self.to_zone()
        if fmt == "route53":
            return json.dumps(self.to_route53_changes(), indent=2)
        if fmt == "cloudformation":
            return self.to_cloudformation()
        if fmt == "json":
            return self.to_json()
        raise ValidationError("format", fmt, f"must be one of {', '.join(FORMATS)}.")


def _logical_id(relative: str, rtype: str, taken: dict[str, Any]) -> str:
    words = re.split(r"[^A-Za-z0-9]+", "apex" if relative == "@" else relative)
    base = "Ses" + rtype.title() + "".join(w[:1].upper() + w[1:] for w in words if w)
    base = base[:200]
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


# -- records as tables -------------------------------------------------------------------------------------
def records_table(records: Sequence[Record], *, caption: str | None = None) -> str:
    """An HTML table of records: name, type, value, purpose, requirement level."""
    rows = [(r.name, r.type, r.value, r.purpose, r.level) for r in records]
    return _html.table(["name", "type", "value", "purpose", "need"], rows, caption=caption)


def records_text(records: Sequence[Record]) -> str:
    """The same as plain text, long values shortened."""
    rows = [(r.name, r.type, _short(r.value), r.level) for r in records]
    return _html.text_table(["name", "type", "value", "need"], rows)


def _short(value: str, limit: int = 72) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"

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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook.dns.domains import to_unicode
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


@dataclass(frozen=True)
class RecordSet:
    """The records for one domain and region, with renderers. Iterates over :class:`Record`."""

    domain: str
    region: str
    records: tuple[Record, ...]
    mail_from: str | None = None
    source: str = "given"

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
        name = self.domain if to_unicode(self.domain) == self.domain else f"{self.domain} ({to_unicode(self.domain)})"
        text = f"DNS records for {name} in {self.region}"
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

"""What to publish in DNS for SES: the SES notes' summary table, computed for a domain, and rendered.

:func:`required_records` is pure: given a domain, a region and the tokens SES handed out it returns a
:class:`RecordSet` (verification TXT, inbound MX, SPF, three DKIM CNAMEs or the BYODKIM TXT, DMARC,
custom MAIL FROM MX and SPF), each record with its purpose and requirement level. Tokens not given
become placeholders, plainly marked, so the table can be shown before SES is asked.
:func:`records_for` asks SES (the lab or AWS) for the tokens and calls it.

A :class:`RecordSet` renders as an HTML table (in a notebook), a BIND zone file
(:meth:`RecordSet.to_zone`), a Route 53 change batch (:meth:`RecordSet.to_route53_changes`), a
CloudFormation snippet (:meth:`RecordSet.to_cloudformation`) and JSON. Publishing it to Route 53 is
:func:`sesbook.route53.apply_to_route53`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook.domains import mail_from_domain, normalize_domain, to_unicode, validate_region
from sesbook.errors import ValidationError
from sesbook.records import DEFAULT_TTL, PLACEHOLDER, RECOMMENDED, REQUIRED, Record

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from sesbook.target import Target

#: The SPF value the SES notes publish (at the domain and at the MAIL FROM domain).
SES_SPF = "v=spf1 include:amazonses.com -all"
FORMATS = ("table", "zone", "route53", "cloudformation", "json")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9]{1,63}$")
_SELECTOR_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def inbound_mx(region: str) -> str:
    return f"10 inbound-smtp.{region}.amazonaws.com"


def feedback_mx(region: str) -> str:
    return f"10 feedback-smtp.{region}.amazonses.com"


def default_dmarc(domain: str) -> str:
    from sesbook.dmarc import build_dmarc

    return build_dmarc("none", rua=f"mailto:dmarc-reports@{domain}")


def required_records(
    domain: str,
    *,
    region: str,
    verification_token: str | None = None,
    dkim_tokens: Sequence[str] = (),
    byodkim: tuple[str, str] | None = None,
    mail_from: str | None = None,
    receive: bool = True,
    spf: str | None = SES_SPF,
    dmarc: str | None = "default",
    ttl: int = DEFAULT_TTL,
) -> RecordSet:
    """The DNS records SES needs for ``domain`` in ``region`` (the notes' summary table).

    - ``verification_token``: the v1 token (``_amazonses`` TXT); None shows a placeholder.
    - ``dkim_tokens``: Easy DKIM's three tokens; empty shows three placeholders. ``byodkim``
      ``(selector, public_key_base64)`` publishes your own key instead.
    - ``mail_from``: the custom MAIL FROM subdomain (``"mail"`` or ``"mail.example.com"``), or None.
    - ``receive``: include the inbound MX (the region must receive mail).
    - ``spf`` / ``dmarc``: the values for the domain, None to leave them out; ``dmarc="default"`` is
      ``v=DMARC1; p=none; rua=mailto:dmarc-reports@DOMAIN``.

    Every input is checked first; a bad one raises :class:`ValidationError` and nothing is built.
    """
    from sesbook.dmarc import parse_dmarc
    from sesbook.spf import parse_spf

    domain = normalize_domain(domain)
    region = validate_region(region, receive=receive)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 < ttl <= 2147483647:
        raise ValidationError("ttl", ttl, "must be a positive number of seconds.", hint=f"SES suggests {DEFAULT_TTL}.")
    if byodkim is not None and dkim_tokens:
        raise ValidationError("byodkim", byodkim, "cannot be used together with Easy DKIM tokens.",
                              hint="A domain signs with Easy DKIM (three CNAMEs) or with your own key, not both.")
    tokens = _check_dkim_tokens(dkim_tokens)
    if verification_token is not None and (not isinstance(verification_token, str) or not verification_token.strip()
                                           or any(c.isspace() or c == '"' for c in verification_token)):
        raise ValidationError("verification_token", verification_token, "is not a token SES hands out.",
                              hint="Copy it from GetIdentityVerificationAttributes (or leave None for a placeholder).")
    if spf is not None:
        parse_spf(spf)
    dmarc_text = default_dmarc(domain) if dmarc == "default" else dmarc
    if dmarc_text is not None:
        parse_dmarc(dmarc_text)
    mail_from_name = mail_from_domain(domain, mail_from) if mail_from is not None else None

    records: list[Record] = []
    token = verification_token or f"{PLACEHOLDER}-verification-token"
    records.append(Record(
        f"_amazonses.{domain}", "TXT", token, ttl, "domain ownership (ドメイン所有権の証明, SES v1)", REQUIRED,
        "may be removed once the domain is verified",
    ))
    if receive:
        records.append(Record(domain, "MX", inbound_mx(region), ttl, "receiving mail (受信メールの設定)", REQUIRED,
                              f"SES receives for {domain} in {region}"))
    if spf is not None:
        records.append(Record(domain, "TXT", spf, ttl, "sender authentication (SPF)", RECOMMENDED,
                              "checked when the From: domain is also the MAIL FROM domain"))
    if byodkim is not None:
        selector, key = _check_byodkim(byodkim)
        records.append(Record(f"{selector}._domainkey.{domain}", "TXT", f"p={key}", ttl,
                              "DKIM signing with your own key (BYODKIM)", REQUIRED, f"selector {selector}"))
    else:
        names = tokens or [f"{PLACEHOLDER}-dkim-{i}" for i in (1, 2, 3)]
        for i, tok in enumerate(names, 1):
            records.append(Record(f"{tok}._domainkey.{domain}", "CNAME", f"{tok}.dkim.amazonses.com", ttl,
                                  f"DKIM, Easy DKIM key {i} of 3 (改ざん防止)", REQUIRED))
    if dmarc_text is not None:
        records.append(Record(f"_dmarc.{domain}", "TXT", dmarc_text, ttl, "sending policy (DMARC)", RECOMMENDED))
    if mail_from_name is not None:
        records.append(Record(mail_from_name, "MX", feedback_mx(region), ttl,
                              "custom MAIL FROM: bounces (MAIL FROM用MX)", REQUIRED, "the only MX at this name"))
        records.append(Record(mail_from_name, "TXT", SES_SPF, ttl, "custom MAIL FROM: SPF (MAIL FROM用SPF)", REQUIRED))
    return RecordSet(domain, region, tuple(records), mail_from=mail_from_name)


def _check_dkim_tokens(tokens: Iterable[str]) -> list[str]:
    out = list(tokens or ())
    if not out:
        return []
    if len(out) != 3:
        raise ValidationError("dkim_tokens", out, f"has {len(out)} tokens; Easy DKIM gives exactly three.",
                              hint="Pass all three from GetIdentityDkimAttributes / GetEmailIdentity.")
    for tok in out:
        if not isinstance(tok, str) or not _TOKEN_RE.match(tok):
            raise ValidationError("dkim_tokens", tok, "is not a DKIM token (letters and digits, up to 63).",
                                  hint="Copy the three tokens SES shows for the identity.")
    return [t.lower() for t in out]


def _check_byodkim(byodkim: Any) -> tuple[str, str]:
    try:
        selector, key = byodkim
    except (TypeError, ValueError):
        raise ValidationError("byodkim", byodkim, "must be (selector, public_key_base64).",
                              hint="E.g. ('sel1', 'MIIBIjANBg...').") from None
    if not isinstance(selector, str) or not _SELECTOR_RE.match(selector):
        raise ValidationError("byodkim selector", selector, "must be one DNS label (letters, digits, hyphens).",
                              hint="Use a short name such as 'sel1' or '2026a'.")
    key = "".join(str(key).split())
    for marker in ("-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"):
        key = key.replace(marker.replace(" ", ""), "")
    if PLACEHOLDER not in key:
        try:
            base64.b64decode(key, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("byodkim public key", key[:40] + "...", "is not base64.",
                                  hint="Pass the public key's base64 body (no PEM header lines).") from None
    return selector.lower(), key


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
        if self.placeholders:
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


# -- reading the tokens from SES ------------------------------------------------------------------------
@dataclass(frozen=True)
class IdentityTokens:
    """What SES says about a domain identity's DNS: the v1 token, DKIM tokens/origin, MAIL FROM domain."""

    domain: str
    verification_token: str | None = None
    dkim_tokens: tuple[str, ...] = ()
    dkim_origin: str = "AWS_SES"
    mail_from: str | None = None


def identity_tokens(target: Target, domain: str) -> IdentityTokens | None:
    """Read the tokens of the domain identity ``domain``; None when SES has no such identity.

    The DNS-facing view of :func:`sesbook.identities.identity_status` (read-only:
    ``sesv2:GetEmailIdentity`` and ``ses:GetIdentityVerificationAttributes``).
    """
    from sesbook.identities import identity_status

    name = normalize_domain(domain)
    status = identity_status(target, name)
    if not status.exists:
        return None
    return IdentityTokens(
        name, status.verification_token, status.dkim_tokens, status.dkim_origin or "AWS_SES", status.mail_from
    )


def domain_identity_exists(target: Target, domain: str) -> bool:
    """True when SES (the target's region) has a domain identity ``domain`` (read-only)."""
    return identity_tokens(target, domain) is not None


def records_for(
    target: Target,
    domain: str,
    *,
    mail_from: str | None = None,
    receive: bool = True,
    spf: str | None = SES_SPF,
    dmarc: str | None = "default",
    byodkim_public_key: str | None = None,
    ttl: int = DEFAULT_TTL,
) -> RecordSet:
    """:func:`required_records` with the tokens SES has for ``domain`` in the target's region.

    ``mail_from`` defaults to the MAIL FROM domain configured in SES, if any. For a BYODKIM identity
    SES returns the selector but never the key: pass ``byodkim_public_key`` or get a placeholder.
    Raises :class:`ValidationError` when SES has no identity for the domain.
    """
    domain = normalize_domain(domain)
    validate_region(target.region, receive=receive)
    tokens = identity_tokens(target, domain)
    if tokens is None:
        raise ValidationError(
            "domain", domain, f"is not an SES identity in {target.region}, so SES has no tokens for it.",
            hint="Create it first: sesbook.verify_domain(target, domain) (notebook 01) or sesv2 CreateEmailIdentity.",
        )
    byodkim = None
    dkim_tokens: tuple[str, ...] = tokens.dkim_tokens
    if tokens.dkim_origin == "EXTERNAL":
        selector = tokens.dkim_tokens[0] if tokens.dkim_tokens else f"{PLACEHOLDER}-selector"
        byodkim = (selector, byodkim_public_key or f"{PLACEHOLDER}-public-key")
        dkim_tokens = ()
    result = required_records(
        domain, region=target.region, verification_token=tokens.verification_token, dkim_tokens=dkim_tokens,
        byodkim=byodkim, mail_from=mail_from or tokens.mail_from, receive=receive, spf=spf, dmarc=dmarc, ttl=ttl,
    )
    if tokens.verification_token is None:  # verified by DKIM only (SESv2): no _amazonses TXT to publish
        kept = tuple(r for r in result if not r.name.startswith("_amazonses."))
        result = RecordSet(result.domain, result.region, kept, result.mail_from)
    return RecordSet(result.domain, result.region, result.records, result.mail_from, source=target.name)

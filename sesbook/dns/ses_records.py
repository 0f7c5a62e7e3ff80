"""Every DNS record SES needs, built from the tokens SES hands out: pure, no call to SES or DNS.

- :func:`required_records`: the SES notes' summary table for a domain and region (verification TXT,
  inbound MX, SPF, three Easy DKIM CNAMEs or the BYODKIM TXT, DMARC, custom MAIL FROM MX and SPF), each
  record with its purpose and requirement level. Tokens not given become placeholders, plainly marked,
  so the table can be shown before SES is asked.
- :func:`verification_records`: what a verification waits for (the v1 TXT token and/or the Easy DKIM CNAMEs);
- :func:`byodkim_record`: the TXT record carrying a BYODKIM public key (``exclusive``: one key per selector);
- :func:`mail_from_records`: the MX and SPF a custom MAIL FROM domain needs.

Reading the tokens from SES is :mod:`sesbook.identities.records` (``records_for``); rendering and
publishing the result is :mod:`sesbook.dns.records` and :mod:`sesbook.dns.route53`.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from sesbook.dns.domains import mail_from_domain, normalize_domain, validate_region
from sesbook.dns.records import DEFAULT_TTL, PLACEHOLDER, RECOMMENDED, REQUIRED, Record, RecordSet
from sesbook.errors import ValidationError
from sesbook.facts import DKIM_HOST, MX_PREFERENCE, SPF_INCLUDE, feedback_mx_host, inbound_mx_host

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

#: The SPF value the SES notes publish (at the domain and at the MAIL FROM domain).
SES_SPF = f"v=spf1 include:{SPF_INCLUDE} -all"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9]{1,63}$")
_SELECTOR_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def inbound_mx(region: str) -> str:
    """The inbound MX value for ``region``: ``10 inbound-smtp.REGION.amazonaws.com``."""
    return f"{MX_PREFERENCE} {inbound_mx_host(region)}"


def feedback_mx(region: str) -> str:
    """The custom MAIL FROM MX value for ``region``: ``10 feedback-smtp.REGION.amazonses.com``."""
    return f"{MX_PREFERENCE} {feedback_mx_host(region)}"


def default_dmarc(domain: str) -> str:
    from sesbook.dns.dmarc import build_dmarc

    return build_dmarc("none", rua=f"mailto:dmarc-reports@{domain}")


def verification_records(
    domain: str, *, verification_token: str | None = None, dkim_tokens: tuple[str, ...] | list[str] = ()
) -> tuple[Record, ...]:
    """The records that verify ``domain``: the v1 TXT token and/or the three Easy DKIM CNAMEs."""
    domain = normalize_domain(domain)
    out = []
    if verification_token:
        out.append(Record(f"_amazonses.{domain}", "TXT", verification_token,
                          purpose="domain verification (v1 token); may be removed once verified"))
    out += [Record(f"{t}._domainkey.{domain}", "CNAME", f"{t}.{DKIM_HOST}",
                   purpose="Easy DKIM signing key; also verifies the domain") for t in dkim_tokens]
    return tuple(out)


def byodkim_record(domain: str, selector: str, public_key_b64: str) -> Record:
    """The TXT record carrying a BYODKIM public key (``v=DKIM1; k=rsa; p=...``) for ``selector``.

    ``selector`` must already be checked (one DNS label, lower case).
    """
    name = normalize_domain(domain)
    return Record(f"{selector}._domainkey.{name}", "TXT", f"v=DKIM1; k=rsa; p={public_key_b64}",
                  purpose="BYODKIM public key; also verifies the domain", exclusive=True)


def mail_from_records(mail_from: str, region: str) -> tuple[Record, ...]:
    """The two records a MAIL FROM domain needs in ``region``."""
    name = normalize_domain(mail_from, field="mail_from")
    return (
        Record(name, "MX", feedback_mx(region),
               purpose="custom MAIL FROM: where bounces and complaints return (the only MX here)"),
        Record(name, "TXT", SES_SPF, purpose="custom MAIL FROM: SPF allowing SES to send for this domain"),
    )


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
    from sesbook.dns.dmarc import parse_dmarc
    from sesbook.dns.spf import parse_spf

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
                              "DKIM signing with your own key (BYODKIM)", REQUIRED, f"selector {selector}",
                              exclusive=True))
    else:
        names = tokens or [f"{PLACEHOLDER}-dkim-{i}" for i in (1, 2, 3)]
        for i, tok in enumerate(names, 1):
            records.append(Record(f"{tok}._domainkey.{domain}", "CNAME", f"{tok}.{DKIM_HOST}", ttl,
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

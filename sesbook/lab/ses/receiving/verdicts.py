"""SPF, DKIM and DMARC verdicts for inbound mail, computed for real against the lab's DNS data.

SES puts these in every receipt notification (``receipt.spfVerdict``, ``dkimVerdict``, ``dmarcVerdict``,
``dmarcPolicy``; Developer Guide, "Notification contents for receiving email",
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html, checked 2026) with the
statuses ``PASS``, ``FAIL``, ``GRAY`` and ``PROCESSING_FAILED``.

- **SPF**: pyspf (RFC 7208) for (connecting IP, MAIL FROM; HELO when MAIL FROM is empty). pass → PASS;
  fail and softfail → FAIL; neutral and none (no SPF record) → GRAY; permerror/temperror → PROCESSING_FAILED.
  pyspf looks names up through its module-level ``DNSLookup``; the lab points that at its own DNS server
  (once per process: the client never uses pyspf, it has its own SPF reader).
- **DKIM**: dkimpy verifies each ``DKIM-Signature`` with the key published in the lab's DNS (``dnsfunc``).
  At least one valid signature → PASS; signatures but none valid → FAIL; no signature → GRAY.
- **DMARC** (RFC 9989): a small evaluation here, because the client's RFC 9989 code (``sesbook.dns.dmarc*``)
  is off limits to the lab and authheaders is not a dependency. The policy record is found by the DNS tree
  walk (``_dmarc.`` at the From domain, then up its labels); the organizational domain of a name is where
  the walk finds a record with ``psd=n``, one label below a ``psd=y`` record, else the record with the
  fewest labels, else the name itself. Relaxed alignment (the default) compares organizational domains,
  strict (``adkim=s``/``aspf=s``) the names. PASS when SPF or DKIM passes aligned; FAIL otherwise (with
  ``dmarcPolicy``: ``p``, or ``sp``/``np`` for a subdomain / non-existent subdomain); GRAY with no record.
- **Lookups**: the verdicts ask the lab DNS server's own answer function (:func:`sesbook.lab.dns.zones.answer`)
  in this process, with a query built as dnspython would send it, rather than over UDP: the answers are the
  ones the server would send, without a socket and a server thread per query (inbound mail spent most of its
  time there). Within one message the zones are read once and each name and type is looked up once, as a
  resolver's cache would.
  Clients (and the notebooks) still query the server over UDP/TCP.
- **Spam and virus**: not evaluated by the lab; always ``GRAY`` (SES's word for "not determined"), and the
  notebooks say so.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Any

import dns.exception
import dns.resolver

log = logging.getLogger("sesbook")

_dns_address: tuple[str, int] | None = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Verdicts:
    """What the lab found: each status in SES's words, and the details a learner reads in the headers."""

    spf: str
    spf_detail: str
    dkim: str
    dkim_detail: str
    dmarc: str
    dmarc_detail: str
    dmarc_policy: str | None = None
    dkim_domains: tuple[str, ...] = ()  # d= of each valid signature
    from_domain: str = ""  # the From header's domain (DMARC's subject)
    spam: str = "GRAY"
    virus: str = "GRAY"

    def receipt_fields(self) -> dict[str, Any]:
        """The verdict fields of a receipt notification's ``receipt`` object."""
        fields: dict[str, Any] = {
            "spamVerdict": {"status": self.spam}, "virusVerdict": {"status": self.virus},
            "spfVerdict": {"status": self.spf}, "dkimVerdict": {"status": self.dkim},
            "dmarcVerdict": {"status": self.dmarc},
        }
        if self.dmarc == "FAIL" and self.dmarc_policy:
            fields["dmarcPolicy"] = self.dmarc_policy
        return fields


def use_dns(host: str, port: int) -> None:
    """Point the verdicts (and pyspf) at the lab's DNS server."""
    global _dns_address
    import spf

    with _lock:
        _dns_address = (host, port)
        spf.DNSLookup = _spf_lookup  # pyspf's documented hook point (module-level lookup function)


_memo = threading.local()  # for the message being evaluated: .answers, (name, type) -> Answer or the exception;
# .zones, the lab's zones as they were at its first lookup


def _resolve(name: str, qtype: str) -> list[Any]:
    """The records ``Resolver.resolve(name, qtype, raise_on_no_answer=False)`` against the lab's DNS server
    gives (at the end of any CNAME chain; empty for no data), or its NXDOMAIN, or NoNameservers for SERVFAIL
    and REFUSED; from the server's own answer function. Remembered for the rest of the message when one is
    being evaluated."""
    import dns.message
    import dns.name
    import dns.rcode
    import dns.rdatatype

    from sesbook.lab.dns.zones import all_zones, answer

    if _dns_address is None:
        raise dns.resolver.NoNameservers("the lab's DNS server is not running")
    answers: dict[tuple[str, str], Any] | None = getattr(_memo, "answers", None)
    key = (name.lower().rstrip("."), qtype)
    if answers is not None and key in answers:
        found = answers[key]
        if isinstance(found, Exception):
            raise found
        return found  # type: ignore[no-any-return]
    qname = dns.name.from_text(name)
    rdtype = dns.rdatatype.from_text(qtype)
    # no random id: nothing to spoof in-process, and dnspython would draw it from SystemRandom (os.urandom)
    query = dns.message.make_query(qname, rdtype, id=0)
    zones = getattr(_memo, "zones", None)
    if answers is not None and zones is None:
        zones = _memo.zones = all_zones()  # one snapshot of the lab's zones per message
    response = answer(query, zones)
    result: Any
    if response.rcode() == dns.rcode.NXDOMAIN:
        result = dns.resolver.NXDOMAIN(qnames=[qname], responses={qname: response})
    elif response.rcode() != dns.rcode.NOERROR:
        result = dns.resolver.NoNameservers(request=query, errors=[])
    else:  # the answer section holds the CNAME chain, then the records asked for
        result = [rd for rrset in response.answer if rrset.rdtype == rdtype for rd in rrset]
    if answers is not None:
        answers[key] = result
    if isinstance(result, Exception):
        raise result
    return result  # type: ignore[no-any-return]


def _txt(name: str) -> list[str] | None:
    """TXT strings at ``name`` (each record's strings joined); None when the name does not exist."""
    try:
        answer = _resolve(name, "TXT")
    except dns.resolver.NXDOMAIN:
        return None
    return [b"".join(rd.strings).decode("utf-8", "replace") for rd in answer]


def _spf_lookup(name: str, qtype: str, strict: Any = True, timeout: Any = 20) -> list[Any]:
    """pyspf's ``DNSLookup`` contract: ``[((name, qtype), value), ...]`` from the lab's DNS."""
    import spf

    found: list[Any] = []
    try:
        answer = _resolve(name, qtype)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return found
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
        raise spf.TempError(f"DNS {exc}") from exc
    for rd in answer:
        if qtype in ("A", "AAAA"):
            found.append(((name, qtype), rd.address))
        elif qtype == "MX":
            found.append(((name, qtype), (rd.preference, rd.exchange)))
        elif qtype == "PTR":
            found.append(((name, qtype), rd.target.to_text(True)))
        elif qtype in ("TXT", "SPF"):
            found.append(((name, qtype), rd.strings))
    return found


def _dkim_txt(name: bytes, timeout: int = 5) -> bytes | None:
    """dkimpy's ``dnsfunc`` contract: the TXT record at ``name`` as bytes, or None."""
    try:
        values = _txt(name.decode().rstrip("."))
    except dns.exception.DNSException:
        return None
    return values[0].encode() if values else None


# -- SPF --------------------------------------------------------------------------------------------------
def check_spf(ip: str, mail_from: str, helo: str) -> tuple[str, str, str]:
    """(status, pyspf's result word, explanation) for the connecting ``ip`` and envelope sender."""
    import spf

    sender = mail_from or f"postmaster@{helo}"
    try:
        result, explanation = spf.check2(i=ip, s=sender, h=helo or "unknown", timeout=5)
    except Exception as exc:  # noqa: BLE001 - a verdict failure is reported, never fatal to the message
        log.warning("lab inbound: SPF check failed: %s", exc)
        return "PROCESSING_FAILED", "temperror", str(exc)
    status = {"pass": "PASS", "fail": "FAIL", "softfail": "FAIL", "neutral": "GRAY", "none": "GRAY"}.get(
        result, "PROCESSING_FAILED")
    domain = sender.rpartition("@")[2]
    words = {"pass": f"domain of {domain} designates {ip} as permitted sender",
             "fail": f"domain of {domain} does not designate {ip} as permitted sender",
             "softfail": f"domain of {domain} does not designate {ip} as permitted sender (softfail)",
             "neutral": f"{ip} is neither permitted nor denied by domain of {domain}",
             "none": f"domain of {domain} does not publish SPF"}
    return status, result, words.get(result, explanation or result)


# -- DKIM -------------------------------------------------------------------------------------------------
def check_dkim(message: bytes) -> tuple[str, list[str], str]:
    """(status, domains with a valid signature, detail)."""
    import dkim

    headers = BytesHeaderParser().parsebytes(message)
    signatures = headers.get_all("DKIM-Signature") or []
    if not signatures:
        return "GRAY", [], "no DKIM-Signature header"
    passed: list[str] = []
    details = []
    for index, signature in enumerate(signatures):
        tags = _tags(str(signature))
        domain = tags.get("d", "").lower()
        try:
            ok = dkim.DKIM(message).verify(idx=index, dnsfunc=_dkim_txt)
        except dkim.DKIMException as exc:
            ok, why = False, str(exc)
        else:
            why = "valid" if ok else "signature does not verify"
        details.append(f"d={domain} s={tags.get('s', '')}: {why}")
        if ok:
            passed.append(domain)
    return ("PASS" if passed else "FAIL"), passed, "; ".join(details)


def _tags(text: str) -> dict[str, str]:
    found = {}
    for part in "".join(text.split()).split(";"):
        key, eq, value = part.partition("=")
        if eq:
            found[key.strip().lower()] = value.strip()
    return found


# -- DMARC ------------------------------------------------------------------------------------------------
def _dmarc_record(domain: str) -> dict[str, str] | None:
    """The DMARC tags published at ``_dmarc.domain`` (None: none, or more than one record)."""
    values = _txt(f"_dmarc.{domain}") or []
    records = [v for v in values if v.replace(" ", "").lower().startswith("v=dmarc1")]
    return _tags(records[0]) if len(records) == 1 else None


def _walk(domain: str) -> list[tuple[str, dict[str, str]]]:
    """DMARC records found from ``domain`` up its labels to the top-level domain (RFC 9989 tree walk, at most 8
    names; a public suffix operator may publish at a TLD, ``psd=y``), nearest first."""
    labels = domain.lower().rstrip(".").split(".")
    found = []
    names = [".".join(labels[i:]) for i in range(len(labels))]
    if len(names) > 8:
        names = names[:1] + names[-7:]
    for name in names:
        tags = _dmarc_record(name)
        if tags is not None:
            found.append((name, tags))
    return found


def organizational_domain(domain: str) -> str:
    """RFC 9989's organizational domain of ``domain``, from the records the tree walk finds."""
    found = _walk(domain)
    start = domain.lower().rstrip(".")
    for name, tags in found:
        if tags.get("psd", "").lower() == "n":
            return name
        if tags.get("psd", "").lower() == "y" and name != start:  # not the walk's own first name (RFC 9989)
            labels = domain.lower().split(".")
            depth = len(name.split(".")) + 1
            return ".".join(labels[-depth:])
    return found[-1][0] if found else domain.lower()


def _aligned(a: str, b: str, mode: str) -> bool:
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if mode == "s":
        return a == b
    return organizational_domain(a) == organizational_domain(b)


def check_dmarc(header_from: str, spf_status: str, mail_from: str,
                dkim_domains: list[str]) -> tuple[str, str | None, str]:
    """(status, policy when it fails, detail) for the From header's domain."""
    addresses = [a for _, a in getaddresses([header_from]) if "@" in a]
    if len(addresses) != 1:
        return "GRAY", None, "no single From address to evaluate"
    from_domain = addresses[0].rpartition("@")[2].lower()
    found = _walk(from_domain)
    if not found:
        return "GRAY", None, f"no DMARC record for {from_domain}"
    name, tags = found[0]
    spf_domain = mail_from.rpartition("@")[2].lower() if mail_from else ""
    spf_ok = spf_status == "PASS" and bool(spf_domain) and _aligned(spf_domain, from_domain, tags.get("aspf", "r"))
    dkim_ok = any(_aligned(d, from_domain, tags.get("adkim", "r")) for d in dkim_domains)
    if spf_ok or dkim_ok:
        how = "SPF" if spf_ok else "DKIM"
        return "PASS", None, f"{from_domain}: aligned {how} pass (record at _dmarc.{name})"
    policy = tags.get("p", "none")
    if name != from_domain:
        subdomain_policy = tags.get("sp", policy)
        policy = subdomain_policy if _exists(from_domain) else tags.get("np", subdomain_policy)
    return "FAIL", policy.lower(), f"{from_domain}: no aligned SPF or DKIM pass (record at _dmarc.{name}, p={policy})"


def _exists(domain: str) -> bool:
    try:
        _resolve(domain, "A")
    except dns.resolver.NXDOMAIN:
        return False
    except dns.exception.DNSException:
        return True
    return True


def evaluate(message: bytes, *, ip: str, mail_from: str, helo: str) -> Verdicts:
    """Every verdict for one message as received."""
    _memo.answers, _memo.zones = {}, None
    try:
        return _evaluate(message, ip=ip, mail_from=mail_from, helo=helo)
    finally:
        _memo.answers = _memo.zones = None


def _evaluate(message: bytes, *, ip: str, mail_from: str, helo: str) -> Verdicts:
    spf_status, spf_word, spf_why = check_spf(ip, mail_from, helo)
    try:
        dkim_status, dkim_domains, dkim_why = check_dkim(message)
    except Exception as exc:  # noqa: BLE001 - reported as PROCESSING_FAILED, the message still goes on
        dkim_status, dkim_domains, dkim_why = "PROCESSING_FAILED", [], str(exc)
    header_from = str(BytesHeaderParser().parsebytes(message).get("From") or "")
    from_addresses = [a for _, a in getaddresses([header_from]) if "@" in a]
    from_domain = from_addresses[0].rpartition("@")[2].lower() if len(from_addresses) == 1 else ""
    try:
        dmarc_status, policy, dmarc_why = check_dmarc(header_from, spf_status, mail_from, dkim_domains)
    except dns.exception.DNSException as exc:
        dmarc_status, policy, dmarc_why = "PROCESSING_FAILED", None, str(exc)
    return Verdicts(spf_status, f"{spf_word}: {spf_why}", dkim_status, dkim_why, dmarc_status, dmarc_why, policy,
                    tuple(dkim_domains), from_domain)

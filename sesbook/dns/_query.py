"""DNS plumbing for the checkers: which resolver to ask, and one query with its outcome spelled out.

Only dnspython: it is already here for the lab's DNS server, it speaks UDP and TCP and it lets a test
point it at the lab's port. The functions never raise for what DNS answers (NXDOMAIN, no data, a
timeout); they return it, so a checker can say "missing" or "no answer from the server".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook._validate import check_timing
from sesbook.errors import ValidationError

if TYPE_CHECKING:
    import dns.resolver

# Outcomes of one query.
FOUND = "found"
NXDOMAIN = "nxdomain"
NODATA = "nodata"
ERROR = "error"


@dataclass(frozen=True)
class Answer:
    """What one query returned: ``status`` (found/nxdomain/nodata/error), ``values`` (rdata text),
    ``cname`` (the name's CNAME target when the name is an alias), ``detail`` (the error)."""

    name: str
    type: str
    status: str
    values: tuple[str, ...] = ()
    cname: str | None = None
    detail: str = ""

    @property
    def void(self) -> bool:
        """A "void lookup" in SPF's sense (RFC 7208 4.6.4): the name does not exist or has no such data."""
        return self.status in (NXDOMAIN, NODATA)


def parse_nameserver(text: str) -> tuple[str, int]:
    """``"127.0.0.1:5353"``, ``"[::1]:53"`` or ``"192.0.2.1"`` -> (host, port)."""
    import ipaddress

    spec = text.strip()
    host, port = spec, 53
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        if rest.startswith(":"):
            port = _port(rest[1:], text)
    elif spec.count(":") == 1:
        host, _, port_text = spec.partition(":")
        port = _port(port_text, text)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValidationError(
            "nameserver", text, "must be an IP address, optionally with a port (HOST:PORT).",
            hint="For example '127.0.0.1:53535' or '8.8.8.8'.",
        ) from None
    return host, port


def _port(text: str, original: str) -> int:
    if not re.fullmatch(r"[0-9]+", text) or not 0 < int(text) < 65536:  # isdigit() accepts "²"
        raise ValidationError("nameserver", original, "has a port that is not a number from 1 to 65535.")
    return int(text)


def make_resolver(spec: Any = None, *, timeout: float = 5.0) -> dns.resolver.Resolver:
    """A fresh resolver from ``spec``: None (the system's), ``"HOST:PORT"``, a dnspython ``Resolver``
    (its servers are copied) or anything with a ``.resolver`` (a :class:`~sesbook.target.Target`)."""
    check_timing(timeout=timeout)
    import dns.resolver

    if spec is not None and hasattr(spec, "resolver") and not isinstance(spec, dns.resolver.Resolver):
        spec = spec.resolver
    if spec is None:
        resolver = dns.resolver.Resolver()
    elif isinstance(spec, str):
        host, port = parse_nameserver(spec)
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [host]
        resolver.port = port
    elif isinstance(spec, dns.resolver.Resolver):
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = list(spec.nameservers)
        resolver.port = spec.port
    else:
        raise ValidationError(
            "resolver", spec, "must be None, 'HOST:PORT', a dnspython Resolver or a sesbook Target."
        )
    resolver.timeout = min(timeout, 2.0)
    resolver.lifetime = timeout
    resolver.cache = None
    return resolver


def describe(resolver: dns.resolver.Resolver) -> str:
    if resolver.port == 53:
        return ", ".join(str(s) for s in resolver.nameservers)
    return ", ".join(f"{s}:{resolver.port}" for s in resolver.nameservers)


def query(resolver: dns.resolver.Resolver, name: str, rtype: str) -> Answer:
    """Ask ``resolver`` for ``name``/``rtype``; follows CNAMEs and reports the alias in ``cname``."""
    import dns.exception
    import dns.name
    import dns.rdatatype
    import dns.resolver

    try:
        result = resolver.resolve(name, rtype, raise_on_no_answer=False, search=False)
    except dns.resolver.NXDOMAIN:
        return Answer(name, rtype, NXDOMAIN)
    except dns.resolver.NoNameservers as exc:
        return Answer(name, rtype, ERROR, detail=f"no server answered: {exc}")
    except dns.exception.Timeout:
        return Answer(name, rtype, ERROR, detail=f"timed out asking {describe(resolver)}")
    except dns.exception.DNSException as exc:
        return Answer(name, rtype, ERROR, detail=str(exc))
    cname = None
    qname = dns.name.from_text(name)
    for section in result.response.answer:
        if section.name == qname and section.rdtype == dns.rdatatype.CNAME and rtype.upper() != "CNAME":
            cname = str(section[0].target).rstrip(".").lower()  # type: ignore[attr-defined]
    rrset = result.rrset
    if rrset is None:
        return Answer(name, rtype, NODATA, cname=cname)
    return Answer(name, rtype, FOUND, tuple(sorted(r.to_text() for r in rrset)), cname=cname)

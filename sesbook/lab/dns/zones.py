"""The lab's DNS data and how it answers: zones from the lab's Route 53, plus the registry's zone providers.

Records come from moto's Route 53 backend at query time, so a record created through the API is
answered at once (Route 53 changes are ``INSYNC`` immediately in the lab). Extra zones for names SES
itself serves (``dkim.amazonses.com``, ``amazonses.com``) come from zone providers registered with
:func:`sesbook.lab.registry.zone_provider`.

Answers follow RFC 1034/2308: the AA bit is set; CNAMEs are chased inside the lab's data; a name that
exists without the asked type gives NODATA (NOERROR, SOA in authority); a name that does not exist gives
NXDOMAIN with the zone's SOA; wildcard records (``*.example.com``) match names with no records of their
own. A name under no lab zone gets NXDOMAIN with no SOA: the lab stands in for the whole DNS, and
nothing outside it exists. (UDP truncation is the server's business: :mod:`sesbook.lab.dns.server`.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from sesbook.lab.registry import ZONE_PROVIDERS

if TYPE_CHECKING:
    from collections.abc import Iterable

log = logging.getLogger("sesbook")

SUPPORTED_TYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "NS", "SOA", "SPF", "SRV", "CAA", "PTR")
MAX_CNAME_CHAIN = 8


@dataclass
class Zone:
    """One zone's data: ``records[(owner, type)] = (ttl, [rdata text, ...])`` with absolute names."""

    origin: dns.name.Name
    records: dict[tuple[dns.name.Name, str], tuple[int, list[str]]] = field(default_factory=dict)

    def add(self, owner: str | dns.name.Name, rtype: str, ttl: int, values: Iterable[str]) -> None:
        name = owner if isinstance(owner, dns.name.Name) else absolute_name(owner)
        key = (name, rtype.upper())
        old = self.records.get(key, (ttl, []))[1]
        self.records[key] = (ttl, old + list(values))


def absolute_name(text: str) -> dns.name.Name:
    """``text`` as an absolute, lower-case DNS name (Route 53's ``\\052`` read as ``*``)."""
    # Route 53 writes '*' as \052 and keeps a trailing dot; dnspython reads both.
    return dns.name.from_text(text.replace("\\052", "*").lower(), origin=dns.name.root)


def route53_zones() -> list[Zone]:
    """Every hosted zone in the lab's moto Route 53, all accounts, as :class:`Zone` objects."""
    from moto.route53.models import route53_backends

    zones: list[Zone] = []
    for _account, regions in list(route53_backends.items()):
        for _partition, backend in list(regions.items()):
            for hosted in list(backend.zones.values()):
                zone = Zone(absolute_name(hosted.name))
                for rrset in list(hosted.rrsets):
                    if not rrset.type or not rrset.records:
                        continue
                    values = [r["Value"] if isinstance(r, dict) else str(r) for r in rrset.records]
                    zone.add(rrset.name, rrset.type, int(rrset.ttl or 300), values)
                zones.append(zone)
    return zones


def all_zones() -> list[Zone]:
    zones = route53_zones()
    extra: dict[dns.name.Name, Zone] = {}
    for provider in ZONE_PROVIDERS:
        for zone in provider():
            if zone.origin in extra:  # two providers serving one zone: answer from both
                merged = Zone(zone.origin, dict(extra[zone.origin].records))
                for (owner, rtype), (ttl, values) in zone.records.items():
                    merged.add(owner, rtype, ttl, values)
                extra[zone.origin] = merged
            else:
                extra[zone.origin] = zone
    return zones + list(extra.values())


def _parse(rtype: str, values: list[str], origin: dns.name.Name) -> list[dns.rdata.Rdata]:
    out = []
    rdtype = dns.rdatatype.from_text(rtype)
    for value in values:
        try:
            out.append(
                dns.rdata.from_text(dns.rdataclass.IN, rdtype, value, origin=dns.name.root, relativize=False)
            )
        except (dns.exception.DNSException, ValueError) as exc:
            log.warning("lab DNS: skipping bad %s value %r in zone %s: %s", rtype, value, origin, exc)
    return out


def _find_zone(qname: dns.name.Name, zones: list[Zone]) -> Zone | None:
    best: Zone | None = None
    for zone in zones:
        if qname.is_subdomain(zone.origin) and (best is None or len(zone.origin) > len(best.origin)):
            best = zone
    return best


def _soa(zone: Zone) -> dns.rrset.RRset:
    for (owner, rtype), (ttl, values) in zone.records.items():
        if owner == zone.origin and rtype == "SOA":
            rdatas = _parse("SOA", values, zone.origin)
            if rdatas:
                return dns.rrset.from_rdata_list(owner, min(ttl, 300), rdatas)
    soa = f"ns.{zone.origin} hostmaster.{zone.origin} 1 7200 900 1209600 300"
    return dns.rrset.from_rdata_list(zone.origin, 300, _parse("SOA", [soa], zone.origin))


def _rrsets_at(zone: Zone, name: dns.name.Name) -> dict[str, tuple[int, list[str]]]:
    return {rtype: data for (owner, rtype), data in zone.records.items() if owner == name}


def _name_exists(zone: Zone, name: dns.name.Name) -> bool:
    """True if ``name`` owns records or is an empty non-terminal (has records below it)."""
    return any(owner == name or owner.is_subdomain(name) for owner, _ in zone.records)


def _wildcard(zone: Zone, name: dns.name.Name) -> dict[str, tuple[int, list[str]]]:
    """Records of the wildcard covering ``name`` (RFC 4592, closest encloser), or {}."""
    parent = name.parent() if name != zone.origin else None
    while parent is not None and parent.is_subdomain(zone.origin):
        if _name_exists(zone, parent):
            return _rrsets_at(zone, dns.name.Name((b"*",) + parent.labels))
        if parent == zone.origin:
            break
        parent = parent.parent()
    return {}


def answer(query: dns.message.Message, zones: list[Zone] | None = None) -> dns.message.Message:
    """Build the lab's response to a query."""
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    response.flags &= ~dns.flags.RA
    if not query.question:
        response.set_rcode(dns.rcode.FORMERR)
        return response
    question = query.question[0]
    zones = all_zones() if zones is None else zones
    qname, qtype = question.name, dns.rdatatype.to_text(question.rdtype)
    seen: set[dns.name.Name] = set()
    first = True
    while len(seen) <= MAX_CNAME_CHAIN:
        seen.add(qname)
        zone = _find_zone(qname, zones)
        if zone is None:
            if first:
                response.set_rcode(dns.rcode.NXDOMAIN)
            return response  # a CNAME pointing outside the lab: the client resolves the rest
        rrsets = _rrsets_at(zone, qname) or _wildcard(zone, qname)
        if not rrsets:
            if not _name_exists(zone, qname):
                response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(_soa(zone))
            return response
        if "CNAME" in rrsets and qtype != "CNAME":
            ttl, values = rrsets["CNAME"]
            rdatas = _parse("CNAME", values, zone.origin)
            if not rdatas:
                response.set_rcode(dns.rcode.SERVFAIL)
                return response
            response.answer.append(dns.rrset.from_rdata_list(qname, ttl, rdatas))
            target = rdatas[0].target  # type: ignore[attr-defined]
            if target in seen:
                return response  # a loop: give what we have
            qname, first = target, False
            continue
        types = list(rrsets) if qtype == "ANY" else [qtype] if qtype in rrsets else []
        if not types:
            response.authority.append(_soa(zone))
            return response
        for rtype in types:
            ttl, values = rrsets[rtype]
            rdatas = _parse(rtype, values, zone.origin)
            if rdatas:
                response.answer.append(dns.rrset.from_rdata_list(qname, ttl, rdatas))
        return response
    return response

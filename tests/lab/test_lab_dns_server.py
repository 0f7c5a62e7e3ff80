"""The lab's DNS server answers from Route 53 zones, over real UDP and TCP."""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.resolver
import pytest

from sesbook.lab import registry
from sesbook.lab.dns import zones as labdns

pytestmark = pytest.mark.lab

if TYPE_CHECKING:
    import sesbook


def _zone(target: sesbook.Target, name: str = "example.com") -> str:
    return str(target.route53.create_hosted_zone(Name=name, CallerReference=name)["HostedZone"]["Id"])


def _put(target: sesbook.Target, zone_id: str, name: str, rtype: str, *values: str, ttl: int = 300) -> None:
    target.route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": name, "Type": rtype, "TTL": ttl, "ResourceRecords": [{"Value": v} for v in values]}}]},
    )


def _ask(target: sesbook.Target, name: str, rtype: str, *, tcp: bool = False) -> dns.message.Message:
    host, port = target.lab.dns_host_port  # type: ignore[union-attr]
    query = dns.message.make_query(name, rtype)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, host, port=port, timeout=3)


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_txt_created_through_route53_is_answered(target: sesbook.Target, tcp: bool) -> None:
    zone = _zone(target)
    _put(target, zone, "_amazonses.example.com", "TXT", '"pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU="')
    response = _ask(target, "_amazonses.example.com", "TXT", tcp=tcp)
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert [r.to_text() for r in response.answer[0]] == ['"pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU="']


def test_resolver_of_the_target_sees_mx_a_aaaa(target: sesbook.Target) -> None:
    zone = _zone(target)
    _put(target, zone, "example.com", "MX", "10 inbound-smtp.us-east-1.amazonaws.com")
    _put(target, zone, "host.example.com", "A", "192.0.2.10")
    _put(target, zone, "host.example.com", "AAAA", "2001:db8::10")
    mx = target.resolver.resolve("example.com", "MX")
    assert [(r.preference, r.exchange.to_text()) for r in mx] == [(10, "inbound-smtp.us-east-1.amazonaws.com.")]
    assert [r.address for r in target.resolver.resolve("host.example.com", "A")] == ["192.0.2.10"]
    assert [r.address for r in target.resolver.resolve("host.example.com", "AAAA")] == ["2001:db8::10"]


def test_cname_is_chased_inside_the_lab(target: sesbook.Target) -> None:
    zone = _zone(target)
    _put(target, zone, "www.example.com", "CNAME", "host.example.com")
    _put(target, zone, "host.example.com", "A", "192.0.2.10")
    response = _ask(target, "www.example.com", "A")
    assert [rrset.rdtype for rrset in response.answer] == [dns.rdatatype.CNAME, dns.rdatatype.A]
    assert target.resolver.resolve("www.example.com", "A").rrset[0].address == "192.0.2.10"


def test_nxdomain_and_nodata_are_told_apart(target: sesbook.Target) -> None:
    zone = _zone(target)
    _put(target, zone, "a.b.example.com", "TXT", '"deep"')
    nx = _ask(target, "missing.example.com", "TXT")
    assert nx.rcode() == dns.rcode.NXDOMAIN
    assert nx.authority[0].rdtype == dns.rdatatype.SOA
    nodata = _ask(target, "a.b.example.com", "MX")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert nodata.authority[0].rdtype == dns.rdatatype.SOA
    empty_non_terminal = _ask(target, "b.example.com", "TXT")
    assert empty_non_terminal.rcode() == dns.rcode.NOERROR and not empty_non_terminal.answer
    with pytest.raises(dns.resolver.NXDOMAIN):
        target.resolver.resolve("missing.example.com", "TXT")
    outside = _ask(target, "nowhere.invalid", "A")
    assert outside.rcode() == dns.rcode.NXDOMAIN and not outside.authority


def test_zone_apex_has_soa_and_ns_from_route53(target: sesbook.Target) -> None:
    _zone(target)
    assert _ask(target, "example.com", "SOA").answer[0].rdtype == dns.rdatatype.SOA
    assert len(_ask(target, "example.com", "NS").answer[0]) >= 1


def test_wildcard_covers_names_without_records(target: sesbook.Target) -> None:
    zone = _zone(target)
    _put(target, zone, "*.example.com", "TXT", '"wild"')
    _put(target, zone, "own.example.com", "A", "192.0.2.1")
    assert [r.to_text() for r in _ask(target, "anything.example.com", "TXT").answer[0]] == ['"wild"']
    assert not _ask(target, "own.example.com", "TXT").answer  # own records: the wildcard does not apply


def test_large_answer_truncates_over_udp_and_comes_whole_over_tcp(target: sesbook.Target) -> None:
    zone = _zone(target)
    values = [f'"{"x" * 200}-{i}"' for i in range(10)]
    _put(target, zone, "big.example.com", "TXT", *values)
    udp = _ask(target, "big.example.com", "TXT")
    assert udp.flags & dns.flags.TC
    tcp = _ask(target, "big.example.com", "TXT", tcp=True)
    assert len(tcp.answer[0]) == 10
    assert len(target.resolver.resolve("big.example.com", "TXT")) == 10  # dnspython retries over TCP


def test_deleted_record_disappears(target: sesbook.Target) -> None:
    zone = _zone(target)
    _put(target, zone, "gone.example.com", "TXT", '"x"')
    target.route53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": {
            "Name": "gone.example.com", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": '"x"'}]}}]},
    )
    assert _ask(target, "gone.example.com", "TXT").rcode() == dns.rcode.NXDOMAIN


def test_providers_add_zones(target: sesbook.Target) -> None:
    def provider() -> list[labdns.Zone]:
        zone = labdns.Zone(labdns.absolute_name("provided.test"))
        zone.add("x.provided.test", "TXT", 60, ['"from a provider"'])
        return [zone]

    registry.zone_provider(provider)
    try:
        assert _ask(target, "x.provided.test", "TXT").answer[0][0].to_text() == '"from a provider"'
    finally:
        registry.ZONE_PROVIDERS.remove(provider)


def test_garbage_is_ignored_and_the_server_keeps_answering(target: sesbook.Target) -> None:
    import socket

    host, port = target.lab.dns_host_port  # type: ignore[union-attr]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"\x00\x01garbage", (host, port))
    _zone(target)
    assert _ask(target, "example.com", "SOA").rcode() == dns.rcode.NOERROR


@pytest.mark.skipif(shutil.which("dig") is None, reason="dig is not installed (apt-get install bind9-dnsutils)")
@pytest.mark.parametrize("transport", ["+notcp", "+tcp"])
def test_dig_sees_what_route53_published(target: sesbook.Target, transport: str) -> None:
    zone = _zone(target)
    _put(target, zone, "_amazonses.example.com", "TXT", '"token-for-dig"')
    host, port = target.lab.dns_host_port  # type: ignore[union-attr]
    out = subprocess.run(["dig", f"@{host}", "-p", str(port), transport, "+short", "TXT", "_amazonses.example.com"],
                         capture_output=True, text=True, timeout=30, check=True)
    assert out.stdout.strip() == '"token-for-dig"'

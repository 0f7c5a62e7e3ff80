"""The lab's DNS answers for the names SES publishes (amazonses.com SPF, feedback and inbound hosts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dns.resolver
import pytest

from sesbook.facts import RECEIVING_REGIONS
from sesbook.lab import registry
from sesbook.lab.dns import zones as labdns
from sesbook.lab.dns.ses_zones import AMAZONSES_SPF

pytestmark = pytest.mark.lab

if TYPE_CHECKING:
    import sesbook


def test_amazonses_spf_is_served_in_255_byte_strings(target: sesbook.Target) -> None:
    answer = target.resolver.resolve("amazonses.com", "TXT")
    strings = answer.rrset[0].strings
    assert b"".join(strings).decode() == AMAZONSES_SPF and all(len(s) <= 255 for s in strings)
    assert len(strings) == 1  # 217 bytes: one string


@pytest.mark.parametrize("host", ["feedback-smtp.us-east-1.amazonses.com", "feedback-smtp.sa-east-1.amazonses.com",
                                  *(f"inbound-smtp.{r}.amazonaws.com" for r in RECEIVING_REGIONS)])
def test_ses_hosts_have_loopback_addresses(target: sesbook.Target, host: str) -> None:
    assert [r.to_text() for r in target.resolver.resolve(host, "A")] == ["127.0.0.1"]


def test_no_inbound_host_for_a_region_without_receiving(target: sesbook.Target) -> None:
    with pytest.raises(dns.resolver.NXDOMAIN):
        target.resolver.resolve("inbound-smtp.sa-east-1.amazonaws.com", "A")


def test_two_providers_serving_one_zone_are_merged(target: sesbook.Target) -> None:
    def extra() -> list[labdns.Zone]:
        zone = labdns.Zone(labdns.absolute_name("amazonses.com"))
        zone.add("test-extra.amazonses.com", "TXT", 60, ['"from another provider"'])
        return [zone]

    registry.zone_provider(extra)
    try:
        answer = target.resolver.resolve("test-extra.amazonses.com", "TXT")
        assert answer.rrset[0].strings == (b"from another provider",)
        assert target.resolver.resolve("amazonses.com", "TXT")  # the first provider's data is still there
    finally:
        registry.ZONE_PROVIDERS.remove(extra)


def test_mx_and_cname_targets_are_absolute_on_the_wire(target: sesbook.Target) -> None:
    zone_id = target.route53.create_hosted_zone(Name="example.com", CallerReference="x")["HostedZone"]["Id"]
    mx = {"Name": "example.com", "Type": "MX", "TTL": 60,
          "ResourceRecords": [{"Value": "10 inbound-smtp.us-east-1.amazonaws.com"}]}  # no trailing dot
    cname = {"Name": "www.example.com", "Type": "CNAME", "TTL": 60,
             "ResourceRecords": [{"Value": "feedback-smtp.us-east-1.amazonses.com."}]}
    target.route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": mx}, {"Action": "UPSERT", "ResourceRecordSet": cname}]})
    assert target.resolver.resolve("example.com", "MX")[0].to_text() == "10 inbound-smtp.us-east-1.amazonaws.com."
    answer = target.resolver.resolve("www.example.com", "A")
    assert answer.canonical_name.to_text() == "feedback-smtp.us-east-1.amazonses.com."
    assert [r.to_text() for r in answer] == ["127.0.0.1"]

"""Helpers for the DNS tests: put record sets into the lab's Route 53 (which its DNS server answers from)."""

from __future__ import annotations

from typing import Any

from sesbook.records import to_rdata


def zone(target: Any, name: str) -> str:
    """Create a public hosted zone in the lab and return its id."""
    resp = target.route53.create_hosted_zone(Name=name, CallerReference=f"test-{name}")
    return str(resp["HostedZone"]["Id"].rsplit("/", 1)[-1])


def put(target: Any, zone_id: str, name: str, rtype: str, *values: str, ttl: int = 300) -> None:
    """UPSERT one record set; values are readable (TXT unquoted, hosts without the dot)."""
    target.route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {
            "Name": name, "Type": rtype, "TTL": ttl,
            "ResourceRecords": [{"Value": to_rdata(rtype, v)} for v in values]}}]})

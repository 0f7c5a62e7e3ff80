"""Small helpers for tests that publish records into the lab's Route 53 and read them back over DNS."""

from __future__ import annotations

import json
from typing import Any


def zone_id(target: Any, zone: str) -> str:
    found = target.route53.list_hosted_zones_by_name(DNSName=zone)["HostedZones"]
    for hosted in found:
        if hosted["Name"].rstrip(".") == zone:
            return str(hosted["Id"])
    made = target.route53.create_hosted_zone(Name=zone, CallerReference=f"test-{zone}")
    return str(made["HostedZone"]["Id"])


def put(target: Any, zone: str, name: str, rtype: str, values: list[str], *, action: str = "UPSERT") -> None:
    """Write one record set through the Route 53 API (TXT values are quoted here)."""
    if rtype == "TXT":
        values = [json.dumps(v) if not v.startswith('"') else v for v in values]
    target.route53.change_resource_record_sets(
        HostedZoneId=zone_id(target, zone),
        ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": {
            "Name": name, "Type": rtype, "TTL": 300, "ResourceRecords": [{"Value": v} for v in values]}}]},
    )


def delete(target: Any, zone: str, name: str, rtype: str, values: list[str]) -> None:
    put(target, zone, name, rtype, values, action="DELETE")


def verify_domain_now(target: Any, domain: str) -> None:
    """Make ``domain`` a verified identity the way a user would: v1 token, TXT published."""
    token = target.ses.verify_domain_identity(Domain=domain)["VerificationToken"]
    put(target, domain, f"_amazonses.{domain}", "TXT", [token])
    status = target.ses.get_identity_verification_attributes(Identities=[domain])["VerificationAttributes"]
    assert status[domain]["VerificationStatus"] == "Success"

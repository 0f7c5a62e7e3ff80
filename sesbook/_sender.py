"""A verified sender for notebooks that need one before the identities module exists.

Stop-gap until ``sesbook.identities`` lands in main: the smallest idempotent way to get a verified
domain (SES v1 ``VerifyDomainIdentity`` + the ``_amazonses`` TXT record in Route 53), which works both
with moto's instant verification and with a lab that checks DNS before it says ``Success``.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import NotAppliedError, ValidationError, WaitTimeoutError
from sesbook.target import PLANNED_REQUEST_ID

if TYPE_CHECKING:
    from sesbook.target import Target

log = logging.getLogger("sesbook")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class VerifiedSender:
    """A sending identity and the address to send from."""

    domain: str
    address: str
    status: str
    txt_published: bool

    def __repr__(self) -> str:
        return f"VerifiedSender({self.address}: domain {self.domain} {self.status})"

    def _repr_html_(self) -> str:
        rows = [("domain", self.domain), ("send from", self.address), ("verification", self.status),
                ("_amazonses TXT published by sesbook", self.txt_published)]
        return _html.table(["item", "value"], rows, caption="verified sender")


def _status(target: Target, domain: str) -> str:
    with aws_errors("ses"):
        attrs = target.ses.get_identity_verification_attributes(Identities=[domain])
    return str(attrs.get("VerificationAttributes", {}).get(domain, {}).get("VerificationStatus", "NotStarted"))


def _hosted_zone(target: Target, domain: str) -> str | None:
    with aws_errors("route53"):
        zones = target.route53.list_hosted_zones_by_name(DNSName=domain, MaxItems="1").get("HostedZones", [])
    for zone in zones:
        if zone["Name"].rstrip(".").lower() == domain:
            return str(zone["Id"])
    if not target.is_lab:
        return None
    with aws_errors("route53"):
        created = target.route53.create_hosted_zone(Name=domain, CallerReference=f"sesbook-{domain}")
    return str(created["HostedZone"]["Id"])


def ensure_verified_sender(
    target: Target, *, domain: str, local_part: str = "sender", timeout: float = 600.0, interval: float = 10.0
) -> VerifiedSender:
    """Make sure ``domain`` is a verified SES identity and return the sender address on it.

    Idempotent: an identity already ``Success`` is left alone. Otherwise: ``VerifyDomainIdentity``, the
    ``_amazonses.DOMAIN`` TXT record upserted into the domain's Route 53 hosted zone (the lab creates the
    zone if missing; on AWS the zone must exist), then wait for ``Success`` (in the lab by moving the lab
    clock ``interval`` seconds per poll; on AWS by sleeping).
    """
    domain = domain.lower().rstrip(".") if isinstance(domain, str) else domain
    if not isinstance(domain, str) or not _DOMAIN_RE.match(domain):
        raise ValidationError("domain", domain, "is not a domain name.", hint="Use a name such as 'example.com'.")
    address = f"{local_part}@{domain}"
    if _status(target, domain) == "Success":
        return VerifiedSender(domain, address, "Success", False)
    with aws_errors("ses"):
        answer = target.ses.verify_domain_identity(Domain=domain)
    if answer.get("ResponseMetadata", {}).get("RequestId") == PLANNED_REQUEST_ID:
        raise NotAppliedError(
            f"verifying {domain} was only planned (apply=False); run with apply=True to verify it, "
            "then the sandbox steps can send from it."
        )
    token = answer["VerificationToken"]
    zone_id = _hosted_zone(target, domain)
    if zone_id is None:
        raise ValidationError(
            "domain", domain, "has no Route 53 hosted zone in this account.",
            hint=f'Publish TXT _amazonses.{domain} "{token}" at your DNS provider and run this again.',
        )
    change = {"Action": "UPSERT", "ResourceRecordSet": {
        "Name": f"_amazonses.{domain}", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": f'"{token}"'}]}}
    with aws_errors("route53"):
        target.route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [change]})
    waited, status = 0.0, _status(target, domain)
    while status != "Success":
        if status == "Failed" or waited >= timeout:
            raise WaitTimeoutError(f"SES to verify {domain}", timeout, last_state=status,
                                   missing=f"TXT _amazonses.{domain} visible to SES")
        if target.lab is not None:
            target.lab.advance_clock(interval)
        else:
            time.sleep(interval)
        waited += interval
        status = _status(target, domain)
    log.info("verified sender domain %s", domain)
    return VerifiedSender(domain, address, status, True)

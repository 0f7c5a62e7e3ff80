"""The records to publish for an identity, with the tokens read from SES; and publishing them.

:func:`records_for` asks SES (the lab or AWS) for a domain's tokens and builds the whole set with
:func:`sesbook.dns.ses_records.required_records`; :func:`publish_records` publishes records in the
domain's Route 53 zone with :func:`sesbook.dns.route53.apply_to_route53`.

IAM: ``ses:GetEmailIdentity``, ``ses:GetIdentityVerificationAttributes``; for :func:`publish_records`
``route53:ListHostedZonesByName``, ``route53:ListResourceRecordSets``, ``route53:CreateHostedZone``,
``route53:ChangeResourceRecordSets``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook.dns.domains import normalize_domain, validate_region
from sesbook.dns.records import DEFAULT_TTL, PLACEHOLDER, RecordSet
from sesbook.dns.route53 import apply_to_route53
from sesbook.dns.ses_records import SES_SPF, required_records
from sesbook.errors import ValidationError
from sesbook.identities.status import identity_status, planned_creation

if TYPE_CHECKING:
    from sesbook.dns.records import Record
    from sesbook.dns.route53 import ApplyResult
    from sesbook.target import Target


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

    The DNS-facing view of :func:`sesbook.identities.status.identity_status` (read-only:
    ``sesv2:GetEmailIdentity`` and ``ses:GetIdentityVerificationAttributes``).
    """
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
    When the identity was only planned on this target (aws, ``apply=False``) the tokens are placeholders
    (``source="planned"``). Raises :class:`ValidationError` when SES has no identity for the domain.
    """
    domain = normalize_domain(domain)
    validate_region(target.region, receive=receive)
    tokens = identity_tokens(target, domain)
    planned = planned_creation(target, domain) if tokens is None else None
    if planned is not None:  # only planned (apply=False): SES has no tokens yet, so placeholders stand in
        tokens = IdentityTokens(domain, f"{PLACEHOLDER}-verification-token" if planned == "VerifyDomainIdentity"
                                else None)
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
    source = "planned" if planned is not None else target.name
    return RecordSet(result.domain, result.region, result.records, result.mail_from, source=source)


# -- publishing --------------------------------------------------------------------------------------------
def publish_records(
    target: Target, domain: str, records: tuple[Record, ...] | list[Record], *, allow_replace: bool = False
) -> ApplyResult:
    """Publish ``records`` (e.g. ``verification.records``) in the Route 53 zone of ``domain``. Idempotent.

    A thin door to :func:`sesbook.dns.route53.apply_to_route53`: the zone is created when missing, a second run
    changes nothing, and data sesbook did not write is not replaced unless ``allow_replace=True``.
    """
    zone = normalize_domain(domain)
    return apply_to_route53(target, RecordSet(zone, target.region, tuple(records)), allow_replace=allow_replace)

"""Verified identities: prove to SES that you own a domain or an address, and watch it happen.

Two ways to verify a domain:

- ``method="v1"``: the classic API (``VerifyDomainIdentity``) gives a token to publish as a TXT record
  at ``_amazonses.DOMAIN``. This is what older guides and the SES notes describe; it verifies only.
- ``method="v2"``: ``CreateEmailIdentity`` sets up Easy DKIM and gives three tokens, each published as
  a CNAME ``TOKEN._domainkey.DOMAIN -> TOKEN.dkim.amazonses.com``. Those records verify the domain
  *and* let SES sign mail with DKIM, so this is what the console does today.

An address is verified by the link SES mails to it. Statuses use SESv2's names (``PENDING``,
``SUCCESS``, ``FAILED``, ``TEMPORARY_FAILURE``, ``NOT_STARTED``).

IAM: ``ses:VerifyDomainIdentity``, ``ses:VerifyDomainDkim``, ``ses:VerifyEmailIdentity``,
``ses:GetIdentityVerificationAttributes``, ``ses:CreateEmailIdentity``, ``ses:GetEmailIdentity``,
``ses:PutEmailIdentityDkimSigningAttributes``, ``ses:DeleteIdentity``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.dns.domains import display_domain
from sesbook.dns.records import PLACEHOLDER, records_table, records_text
from sesbook.dns.ses_records import verification_records
from sesbook.errors import ValidationError
from sesbook.identities._names import normalize_address, normalize_domain, normalize_identity
from sesbook.identities.status import identity_status
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from sesbook.dns.records import Record
    from sesbook.target import Target

log = logging.getLogger("sesbook")

METHODS = ("v1", "v2")


# -- results ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DomainVerification:
    """What :func:`verify_domain` did and what to publish. ``planned``: nothing was sent (aws, apply=False)."""

    domain: str
    method: str
    verification_token: str | None
    dkim_tokens: tuple[str, ...]
    status: str
    dkim_status: str | None
    records: tuple[Record, ...]
    created: bool
    planned: bool = False

    @property
    def placeholders(self) -> bool:
        """True when the records hold placeholders: the identity was only planned, so SES has no tokens yet."""
        return any(r.is_placeholder for r in self.records)

    def _state(self) -> str:
        if self.placeholders:
            return "planned, not sent: tokens unknown until applied, the records show placeholders"
        return "planned, not sent" if self.planned else f"status {self.status}, DKIM {self.dkim_status}"

    def __repr__(self) -> str:
        return (f"DomainVerification({display_domain(self.domain)}, method={self.method}: {self._state()})\n"
                + (records_text(self.records) if self.records else "(no records yet)"))

    def _repr_html_(self) -> str:
        state = self._state() if self.planned else f"status {self.status} · DKIM {self.dkim_status}"
        caption = f"{display_domain(self.domain)} ({self.method}): {state} — publish these"
        return records_table(self.records, caption=caption)


@dataclass(frozen=True)
class EmailVerification:
    """What :func:`verify_email` did: the address, its status, whether a message was (re)sent."""

    address: str
    status: str
    message_sent: bool
    planned: bool = False

    def __repr__(self) -> str:
        sent = "verification message sent" if self.message_sent else "no message sent"
        return f"EmailVerification({self.address}: {'planned' if self.planned else self.status}, {sent})"

    def _repr_html_(self) -> str:
        return _html.table(["address", "status", "message sent"],
                           [(self.address, "planned" if self.planned else self.status, self.message_sent)])


# -- verifying ----------------------------------------------------------------------------------------------
def verify_domain(
    target: Target, domain: str, *, method: str = "v2", dkim: bool = False, key_length: int = 2048
) -> DomainVerification:
    """Start (or look up) verification of ``domain`` and return the records to publish. Idempotent.

    ``method="v1"`` asks for the TXT token (add ``dkim=True`` to also get Easy DKIM tokens the v1 way);
    ``method="v2"`` creates the identity with Easy DKIM (``key_length`` 1024 or 2048 bits).
    Against AWS with ``apply=False`` nothing is created: the result is ``planned``; when the identity does
    not exist yet its records hold placeholders (SES hands out tokens only when it creates the identity),
    so the plan can still show what would be published.
    """
    name = normalize_domain(domain)
    if method not in METHODS:
        raise ValidationError("method", method, "must be 'v1' or 'v2'.",
                              hint="v1: TXT token at _amazonses.DOMAIN; v2: Easy DKIM with three CNAMEs.")
    if key_length not in (1024, 2048):
        raise ValidationError("key_length", key_length, "must be 1024 or 2048 (bits of the Easy DKIM key).")
    before = identity_status(target, name)
    planned = False
    if method == "v1":
        with aws_errors("ses"):
            got = target.ses.verify_domain_identity(Domain=name)
            planned = was_planned(got)
            token = got.get("VerificationToken") or before.verification_token
            tokens: tuple[str, ...] = ()
            if dkim:
                tokens = tuple(target.ses.verify_domain_dkim(Domain=name).get("DkimTokens") or before.dkim_tokens)
    else:
        token = None
        tokens = before.dkim_tokens
        length = f"RSA_{key_length}_BIT"
        with aws_errors("sesv2"):
            if not before.exists:
                got = target.sesv2.create_email_identity(
                    EmailIdentity=name, DkimSigningAttributes={"NextSigningKeyLength": length})
                planned = was_planned(got)
                tokens = tuple((got.get("DkimAttributes") or {}).get("Tokens") or ())
            elif not tokens and before.dkim_origin != "EXTERNAL":  # made with v1: switch Easy DKIM on
                got = target.sesv2.put_email_identity_dkim_signing_attributes(
                    EmailIdentity=name, SigningAttributesOrigin="AWS_SES",
                    SigningAttributes={"NextSigningKeyLength": length})
                planned = was_planned(got)
                tokens = tuple(got.get("DkimTokens") or ())
    if planned and not before.exists:  # no tokens until SES creates it: show where they would go
        if method == "v1":
            token = f"{PLACEHOLDER}-verification-token"
        if method == "v2" or dkim:
            tokens = tuple(f"{PLACEHOLDER}-dkim-{i}" for i in (1, 2, 3))
    after = before if planned and not before.exists else identity_status(target, name)
    log.info("verify_domain %s (%s): %s", name, method, "planned" if planned else after.verification)
    return DomainVerification(
        domain=name, method=method, verification_token=token, dkim_tokens=tokens,
        status="PLANNED" if planned and not before.exists else after.verification,
        dkim_status=None if planned and not before.exists else after.dkim,
        records=verification_records(name, verification_token=token, dkim_tokens=tokens),
        created=not before.exists, planned=planned,
    )


def verify_email(target: Target, address: str) -> EmailVerification:
    """Ask SES to verify ``address``: it mails a link there (in the lab: to the lab mailbox). Idempotent:
    an address already verified is left alone; one still pending gets a new message."""
    name = normalize_address(address)
    before = identity_status(target, name)
    if before.verified:
        return EmailVerification(name, before.verification, message_sent=False)
    with aws_errors("ses"):
        got = target.ses.verify_email_identity(EmailAddress=name)
    if was_planned(got):
        return EmailVerification(name, before.verification, message_sent=False, planned=True)
    return EmailVerification(name, identity_status(target, name).verification, message_sent=True)


def delete_identity(target: Target, identity: str) -> bool:
    """Remove an identity from SES (its DNS records stay). Returns False when it was not there."""
    name = normalize_identity(identity)
    if not identity_status(target, name).exists:
        return False
    with aws_errors("ses"):
        target.ses.delete_identity(Identity=name)
    return True

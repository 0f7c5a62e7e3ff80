"""Custom MAIL FROM (カスタムメールFROM): send with a return-path domain of your own instead of amazonses.com.

The MAIL FROM domain must be a subdomain of the identity's domain used for nothing else (``mail.example.com``),
with exactly one MX ``10 feedback-smtp.REGION.amazonses.com`` (where bounces go) and an SPF record
``v=spf1 include:amazonses.com -all`` (the notes' value; both records are built by
:mod:`sesbook.dns.ses_records`). The domain itself cannot be its own MAIL FROM domain: its MX already
points at the servers that receive its mail, and the feedback MX would have to replace it.

``behavior_on_mx_failure``: ``USE_DEFAULT_VALUE`` (send with amazonses.com as MAIL FROM while the MX is
missing) or ``REJECT_MESSAGE`` (refuse to send: ``MailFromDomainNotVerified``).

IAM: ``ses:PutEmailIdentityMailFromAttributes``, ``ses:GetEmailIdentity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook._aws import aws_errors
from sesbook.dns.domains import mail_from_domain
from sesbook.dns.records import records_table, records_text
from sesbook.dns.ses_records import mail_from_records
from sesbook.errors import ValidationError
from sesbook.identities._names import normalize_domain
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from sesbook.dns.records import Record
    from sesbook.target import Target

__all__ = ["BEHAVIORS", "MailFromSetup", "mail_from_records", "set_mail_from", "validate_mail_from"]

BEHAVIORS = {"USE_DEFAULT_VALUE": "USE_DEFAULT_VALUE", "REJECT_MESSAGE": "REJECT_MESSAGE",
             "UseDefaultValue": "USE_DEFAULT_VALUE", "RejectMessage": "REJECT_MESSAGE"}


def validate_mail_from(domain: str, mail_from: str) -> tuple[str, str]:
    """Both names normalised; a ValidationError unless ``mail_from`` is a proper subdomain of ``domain``.

    ``mail_from`` may be the full name (``mail.example.com``) or the label alone (``mail``).
    """
    base = normalize_domain(domain)
    return base, mail_from_domain(base, mail_from)


@dataclass(frozen=True)
class MailFromSetup:
    """What :func:`set_mail_from` did and the records to publish."""

    identity: str
    mail_from: str
    behavior_on_mx_failure: str
    status: str
    records: tuple[Record, ...]
    planned: bool = False

    def __repr__(self) -> str:
        state = "planned, not sent" if self.planned else self.status
        return (f"MailFromSetup({self.identity} -> {self.mail_from}: {state}, on MX failure "
                f"{self.behavior_on_mx_failure})\n" + records_text(self.records))

    def _repr_html_(self) -> str:
        state = "planned, not sent" if self.planned else f"status {self.status}"
        return records_table(self.records, caption=f"MAIL FROM {self.mail_from} for {self.identity}: {state}")


def set_mail_from(
    target: Target, domain: str, mail_from: str, *, behavior_on_mx_failure: str = "USE_DEFAULT_VALUE"
) -> MailFromSetup:
    """Set ``mail_from`` as the custom MAIL FROM domain of the identity ``domain`` (SESv2). Idempotent."""
    base, name = validate_mail_from(domain, mail_from)
    behavior = BEHAVIORS.get(behavior_on_mx_failure)
    if behavior is None:
        raise ValidationError("behavior_on_mx_failure", behavior_on_mx_failure,
                              "must be USE_DEFAULT_VALUE or REJECT_MESSAGE.")
    with aws_errors("sesv2", hint=f"Is {base} an identity in {target.region}? Verify it first."):
        got = target.sesv2.put_email_identity_mail_from_attributes(
            EmailIdentity=base, MailFromDomain=name, BehaviorOnMxFailure=behavior)
    planned = was_planned(got)
    status = "PLANNED"
    if not planned:
        with aws_errors("sesv2"):
            attrs = target.sesv2.get_email_identity(EmailIdentity=base).get("MailFromAttributes") or {}
        status = attrs.get("MailFromDomainStatus", "PENDING")
    return MailFromSetup(base, name, behavior, status, mail_from_records(name, target.region), planned=planned)

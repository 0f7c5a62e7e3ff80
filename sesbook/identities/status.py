"""What SES says about an identity now: verification, DKIM and MAIL FROM status (reads only).

Statuses use SESv2's names (``PENDING``, ``SUCCESS``, ``FAILED``, ``TEMPORARY_FAILURE``, ``NOT_STARTED``).

IAM: ``ses:GetEmailIdentity``, ``ses:GetIdentityVerificationAttributes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import AwsError
from sesbook.identities._names import normalize_identity

if TYPE_CHECKING:
    from sesbook.target import Target


@dataclass(frozen=True)
class IdentityStatus:
    """An identity's statuses as SES reports them now. ``exists`` is False when SES does not know it."""

    identity: str
    kind: str  # "domain" | "address"
    exists: bool
    verification: str
    dkim: str | None = None
    dkim_origin: str | None = None
    dkim_tokens: tuple[str, ...] = ()
    verification_token: str | None = None
    mail_from: str | None = None
    mail_from_status: str | None = None
    behavior_on_mx_failure: str | None = None
    note: str = ""

    @property
    def verified(self) -> bool:
        return self.verification == "SUCCESS"

    def rows(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [("identity", self.identity), ("verification", self.verification)]
        if self.kind == "domain":
            rows += [("DKIM", f"{self.dkim} ({self.dkim_origin})" if self.dkim_origin else self.dkim)]
        if self.mail_from:
            rows += [("MAIL FROM", f"{self.mail_from}: {self.mail_from_status}"),
                     ("on MX failure", self.behavior_on_mx_failure)]
        if self.note:
            rows += [("note", self.note)]
        return rows

    def __repr__(self) -> str:
        return "IdentityStatus(" + ", ".join(f"{k}={v}" for k, v in self.rows()) + ")"

    def _repr_html_(self) -> str:
        return _html.table(["", "status"], self.rows(), caption=f"identity status: {self.identity}")


#: The calls that create an identity, with the parameter naming it: a plan holding one means "planned".
_CREATING = {("ses", "VerifyDomainIdentity"): "Domain", ("ses", "VerifyEmailIdentity"): "EmailAddress",
             ("sesv2", "CreateEmailIdentity"): "EmailIdentity"}


def planned_creation(target: Target, identity: str) -> str | None:
    """The operation that would create ``identity`` if ``target.plan`` holds one (``CreateEmailIdentity``,
    ``VerifyDomainIdentity`` ...), else None: the identity is planned, not made, and has no tokens yet."""
    name = normalize_identity(identity)
    for call in target.plan:
        param = _CREATING.get((call.service, call.operation))
        if param and str(call.params.get(param, "")).lower() == name:
            return str(call.operation)
    return None


# -- reading ------------------------------------------------------------------------------------------
def identity_status(target: Target, identity: str) -> IdentityStatus:
    """Ask SES for an identity's verification, DKIM and MAIL FROM status (reads only)."""
    name = normalize_identity(identity)
    kind = "address" if "@" in name else "domain"
    try:
        with aws_errors("sesv2"):
            got = target.sesv2.get_email_identity(EmailIdentity=name)
    except AwsError as exc:
        if exc.code != "NotFoundException":
            raise
        return IdentityStatus(name, kind, exists=False, verification="NOT_STARTED")
    token = None
    if kind == "domain":
        with aws_errors("ses"):
            attrs = target.ses.get_identity_verification_attributes(Identities=[name])["VerificationAttributes"]
        token = attrs.get(name, {}).get("VerificationToken")
    dkim = got.get("DkimAttributes") or {}
    mail_from = got.get("MailFromAttributes") or {}
    return IdentityStatus(
        name, kind, exists=True, verification=got.get("VerificationStatus", "PENDING"),
        dkim=dkim.get("Status"), dkim_origin=dkim.get("SigningAttributesOrigin"),
        dkim_tokens=tuple(dkim.get("Tokens") or ()), verification_token=token,
        mail_from=mail_from.get("MailFromDomain"), mail_from_status=mail_from.get("MailFromDomainStatus"),
        behavior_on_mx_failure=mail_from.get("BehaviorOnMxFailure"),
    )

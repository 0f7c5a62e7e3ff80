"""Checking identities before they reach SES: domains (via :mod:`sesbook.dns.domains`) and addresses.

Addresses: email-validator without a DNS lookup; SES takes ASCII local parts only, and the domain part is
converted to punycode like any domain (``Bücher.example`` -> ``xn--bcher-kva.example``).
"""

from __future__ import annotations

from sesbook.dns.domains import normalize_domain
from sesbook.errors import ValidationError

__all__ = ["normalize_address", "normalize_domain", "normalize_identity"]


def normalize_address(address: object, *, field: str = "address") -> str:
    """``address`` checked by email-validator (no DNS lookup), with its domain in punycode."""
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(address, str) or not address.strip():
        raise ValidationError(field, address, "must be an email address.", hint="For example 'sender@example.com'.")
    try:
        result = validate_email(address.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValidationError(field, address, f"is not a valid email address: {exc}",
                              hint="SES takes addresses like 'name@example.com' with an ASCII local part.") from None
    local, _, domain = (result.ascii_email or result.normalized).rpartition("@")
    return f"{local}@{normalize_domain(domain, field=field)}"


def normalize_identity(identity: object, *, field: str = "identity") -> str:
    """A domain or an address, whichever ``identity`` is."""
    if isinstance(identity, str) and "@" in identity:
        return normalize_address(identity, field=field)
    return normalize_domain(identity, field=field)


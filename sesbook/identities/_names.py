"""Checking identities before they reach SES: domains (via :mod:`sesbook.dns.domains`) and addresses.

Addresses are checked by email-validator (no DNS lookup, ``strict`` so that RFC 5321's limit of 64
characters before the ``@`` holds) with SES's rules on top:

- SES does not support SMTPUTF8 (RFC 6531), so the local part (before the ``@``) must be 7-bit ASCII;
  a domain part with other characters is converted to punycode (``Bücher.example`` ->
  ``xn--bcher-kva.example``). Source: SES API reference, ``Destination`` (SESv2), checked 2026-12-02.
- The local part is kept exactly as given: SES treats the whole address as case-sensitive, and
  ``+label`` sub-addresses are ordinary addresses. Only the domain is lower-cased.
- A carriage return or line feed anywhere is refused: in a header it would start a new header line
  (header injection).
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
    if "\r" in address or "\n" in address:
        raise ValidationError(
            field, address, "holds a line break (CR or LF); in a mail header that would start a new header "
            "line (header injection).", hint="Pass one address per list item, with no line breaks.",
        )
    text = address.strip()
    local, at, _domain = text.rpartition("@")
    if at and not local.isascii():
        raise ValidationError(
            field, address, "has non-ASCII characters before the '@'. SES does not support SMTPUTF8 (RFC 6531), "
            "so the local part must be 7-bit ASCII; only the domain part may be internationalised "
            "(sesbook converts it to punycode).",
            hint="Use an ASCII local part, such as 'user@例え.jp'.",
        )
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False, strict=True)
    except EmailNotValidError as exc:
        raise ValidationError(field, address, f"is not a valid email address: {exc}",
                              hint="SES takes addresses like 'name@example.com': an ASCII local part of at most "
                              "64 characters, '@', and a domain.") from None
    local, _, domain = (result.ascii_email or result.normalized).rpartition("@")
    return f"{local}@{normalize_domain(domain, field=field)}"


def normalize_identity(identity: object, *, field: str = "identity") -> str:
    """A domain or an address, whichever ``identity`` is."""
    if isinstance(identity, str) and "@" in identity:
        return normalize_address(identity, field=field)
    return normalize_domain(identity, field=field)

"""Checking domain names and addresses before they reach SES: clear errors, IDNs turned into punycode.

Domains: IDNA 2008 with UTS #46 mapping (the ``idna`` package, which email-validator depends on), so
``Bücher.example`` becomes ``xn--bcher-kva.example``. Addresses: email-validator without a DNS lookup;
SES takes ASCII local parts only, and the domain part is converted to punycode.
"""

from __future__ import annotations

import ipaddress
import re

from sesbook.errors import ValidationError

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def normalize_domain(domain: object, *, field: str = "domain") -> str:
    """``domain`` as SES wants it: lower case, ASCII (punycode), no trailing dot; or a ValidationError."""
    if not isinstance(domain, str):
        raise ValidationError(field, domain, "must be a domain name as text.", hint="For example 'example.com'.")
    text = domain.strip().rstrip(".")
    if not text:
        raise ValidationError(field, domain, "is empty.", hint="Give a domain name such as 'example.com'.")
    if "@" in text:
        raise ValidationError(
            field, domain, "is an email address, not a domain.",
            hint=f"Use the part after '@': {text.split('@')[-1]!r}.",
        )
    if "://" in text or "/" in text or ":" in text:
        raise ValidationError(field, domain, "looks like a URL.", hint="Give only the host name, e.g. 'example.com'.")
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise ValidationError(field, domain, "is an IP address; SES verifies domain names.")
    if not text.isascii():
        import idna

        try:
            text = idna.encode(text, uts46=True).decode()
        except idna.IDNAError as exc:
            raise ValidationError(
                field, domain, f"is not a valid internationalised domain name ({exc}).",
                hint="Check the spelling, or give its punycode (xn--...) form.",
            ) from None
    text = text.lower()
    labels = text.split(".")
    if len(labels) < 2:
        raise ValidationError(field, domain, "has a single label.", hint="Use a full name such as 'example.com'.")
    if len(text) > 253:
        raise ValidationError(field, domain, f"is {len(text)} characters long; DNS names have at most 253.")
    for label in labels:
        if not _LABEL.match(label):
            raise ValidationError(
                field, domain,
                f"has an invalid label {label!r}: labels are 1-63 letters, digits or hyphens, not starting or "
                "ending with a hyphen.",
                hint="Remove spaces, underscores and other characters.",
            )
    if labels[-1].isdigit():
        raise ValidationError(field, domain, "ends in a numeric label, which no top-level domain is.")
    return text


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


def is_subdomain(name: str, parent: str) -> bool:
    return name.endswith("." + parent)

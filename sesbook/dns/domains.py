"""Domain names and regions as SES and DNS want them: checked, normalised, with a clear error otherwise.

- :func:`normalize_domain` lower-cases, drops a trailing dot and turns an internationalised name (IDN,
  e.g. ``例え.jp``) into its ASCII "punycode" form (``xn--r8jz45g.jp``) with the ``idna`` package
  (IDNA 2008 with the UTS 46 mapping, the rules browsers and registries use). DNS, Route 53 and SES only
  take the ASCII form. An ASCII label that claims to be punycode (``xn--``) must decode to a valid
  IDNA 2008 label (``xn--zz.com`` does not). A name that is not a host name at all (an address, a URL,
  one label, a label with ``_`` or spaces) raises :class:`~sesbook.errors.ValidationError` saying what to pass instead.
- :func:`normalize_record_name` does the same for the owner name of a DNS record, which may also hold
  ``_`` labels (``_dmarc``, ``_domainkey``) and a leading ``*``.
- :func:`display_domain` shows a punycode name with its Unicode form beside it, for people to read.
- :func:`validate_region` checks a region against :data:`sesbook.facts.SES_REGIONS` (the dated list of
  regions with SES) and, for receiving, :data:`sesbook.facts.RECEIVING_REGIONS`.
- :func:`organizational_domain` uses the Public Suffix List that the pinned ``publicsuffixlist``
  package ships (no download, ever), as RFC 7489 (section 3.2) did. Its limitation: the list is
  the one of the package's release date; a suffix added later is treated as an ordinary name.
  RFC 9989 (May 2026) replaced the list with a DNS tree walk of ``_dmarc`` queries
  (:func:`sesbook.dmarccheck.tree_walk`); this offline function remains the approximation used where
  there is no DNS to ask (:func:`sesbook.dns.dmarc.alignment`, the offline lint).
"""

from __future__ import annotations

import re
from functools import lru_cache

from sesbook.errors import ValidationError
from sesbook.facts import RECEIVING_REGIONS, RECEIVING_REGIONS_AS_OF, REGION_RE, SES_REGIONS, ses_regions_hint

__all__ = ["RECEIVING_REGIONS", "display_domain", "mail_from_domain", "normalize_domain",
           "normalize_record_name", "organizational_domain", "to_unicode", "validate_region"]

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
#: A label of a record's owner name: a host label, or one starting with ``_`` (``_dmarc``, ``_domainkey``).
_RECORD_LABEL_RE = re.compile(r"^(?:_[a-z0-9-]{1,62}|(?!-)[a-z0-9-]{1,63}(?<!-))$")


def normalize_domain(value: object, *, field: str = "domain") -> str:
    """``value`` as an ASCII DNS name: lower case, no trailing dot, IDN converted to punycode.

    Raises :class:`ValidationError` for anything that is not a domain name.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, value, "must be a domain name.", hint="Pass one such as 'example.com'.")
    text = value.strip()
    if "@" in text:
        raise ValidationError(
            field, value, "is an email address, not a domain.",
            hint=f"Pass the part after '@': {text.rpartition('@')[2]!r}.",
        )
    if "://" in text or "/" in text:
        raise ValidationError(field, value, "is a URL or path, not a domain.", hint="Pass the host name alone.")
    if text.endswith("."):
        text = text[:-1]
    if not text.isascii():
        text = _to_ascii(text, value, field)
    text = text.lower()
    labels = text.split(".")
    _check_a_labels(labels, value, field)
    if len(labels) < 2:
        raise ValidationError(
            field, value, "has a single label; SES verifies registered domains.",
            hint="Pass a name with a dot, such as 'example.com'.",
        )
    if len(text) > 253:
        raise ValidationError(field, value, "is longer than 253 characters, the limit for a DNS name.",
                              hint="Use a shorter name.")
    for label in labels:
        if not _LABEL_RE.match(label):
            raise ValidationError(
                field, value,
                f"has the label {label!r}: a label is 1-63 letters, digits or hyphens, not starting or "
                "ending with a hyphen (no spaces, no underscores, no empty labels).",
                hint="Check the spelling; internationalised names are converted for you.",
            )
    if labels[-1].isdigit():
        raise ValidationError(field, value, "looks like an IP address, not a domain name.",
                              hint="SES verifies domain names; pass the name, e.g. 'example.com'.")
    return text


def _to_ascii(text: str, original: object, field: str) -> str:
    import idna

    try:
        return idna.encode(text, uts46=True).decode()
    except idna.IDNAError as exc:
        raise ValidationError(
            field, original,
            f"is an internationalised name that IDNA 2008 cannot convert to punycode ({exc}).",
            hint="Check the characters, or pass the ASCII form (xn--...) your registrar shows.",
        ) from exc


def _check_a_labels(labels: list[str], original: object, field: str) -> None:
    """Every ``xn--`` label must be punycode that decodes to a valid IDNA 2008 label and back again."""
    import idna

    for label in labels:
        if not label.startswith("xn--"):
            continue
        try:
            ok = idna.alabel(idna.ulabel(label)).decode() == label
        except (idna.IDNAError, UnicodeError):
            ok = False
        if not ok:
            raise ValidationError(
                field, original,
                f"has the label {label!r}, which starts with 'xn--' (punycode) but does not decode to a valid "
                "internationalised label (IDNA 2008).",
                hint="Pass the name as you would type it (e.g. '例え.jp'; sesbook converts it) or copy the "
                "exact xn-- form your registrar shows.",
            )


def normalize_record_name(value: object, *, field: str = "name") -> str:
    """A DNS record's owner name: lower case, no trailing dot, IDN labels in punycode.

    Unlike :func:`normalize_domain` it accepts ``_`` labels (``_amazonses``, ``_dmarc``,
    ``TOKEN._domainkey``) and a leading ``*`` (a wildcard).
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, value, "must be a DNS name.", hint="For example '_dmarc.example.com'.")
    text = value.strip()
    if any(c.isspace() for c in text) or "@" in text or "/" in text:
        raise ValidationError(field, value, "is not a DNS name (it holds spaces, '@' or '/').",
                              hint="Pass the record's name, such as 'mail.example.com'.")
    if text.endswith("."):
        text = text[:-1]
    labels = text.split(".")
    out = []
    for i, label in enumerate(labels):
        if not label.isascii():
            label = _to_ascii(label, value, field)
        label = label.lower()
        if not (label == "*" and i == 0) and not _RECORD_LABEL_RE.match(label):
            raise ValidationError(
                field, value,
                f"has the label {label!r}: a label is 1-63 letters, digits or hyphens (a leading '_' is "
                "allowed, and '*' as the first label), not starting or ending with a hyphen, never empty.",
                hint="Check the spelling; internationalised names are converted for you.",
            )
        out.append(label)
    _check_a_labels(out, value, field)
    name = ".".join(out)
    if len(labels) < 2 or len(name) > 253:
        raise ValidationError(field, value, "must be a full name of 2 to 253 characters with at least one dot.",
                              hint="Write the whole name, e.g. 'mail.example.com', not 'mail'.")
    return name


def display_domain(domain: str) -> str:
    """``xn--r8jz45g.jp (例え.jp)`` for a punycode name; the name itself when it is ASCII only."""
    readable = to_unicode(domain)
    return domain if readable == domain else f"{domain} ({readable})"


def to_unicode(domain: str) -> str:
    """The readable form of a punycode name (``xn--r8jz45g.jp`` -> ``例え.jp``); unchanged when ASCII only."""
    if "xn--" not in domain:
        return domain
    import idna

    try:
        return idna.decode(domain)
    except idna.IDNAError:
        return domain


def validate_region(region: object, *, receive: bool = False, field: str = "region") -> str:
    """``region`` checked as a region where SES runs; with ``receive=True`` also that SES receives mail there."""
    if not isinstance(region, str) or not REGION_RE.match(region):
        raise ValidationError(field, region, "is not an AWS region name.", hint=ses_regions_hint())
    if region not in SES_REGIONS:
        raise ValidationError(field, region, "is not a region where SES runs (not every AWS region has SES).",
                              hint=ses_regions_hint())
    if receive and region not in RECEIVING_REGIONS:
        raise ValidationError(
            field, region,
            f"is not a region where SES receives mail (as of {RECEIVING_REGIONS_AS_OF}), so there is no "
            "inbound-smtp endpoint to point an MX record at.",
            hint=f"Receive in one of {', '.join(RECEIVING_REGIONS)}, "
            "or pass receive=False (--no-receive) to send only.",
        )
    return region


def mail_from_domain(domain: str, mail_from: str) -> str:
    """The custom MAIL FROM domain for ``domain``: ``"mail"`` or ``"mail.example.com"`` -> ``mail.example.com``.

    Refuses the domain itself (its MX already receives mail: a second MX would fight it) and names
    outside the domain (SES only accepts a subdomain of the identity).
    """
    if not isinstance(mail_from, str) or not mail_from.strip():
        raise ValidationError("mail_from", mail_from, "must be a subdomain.",
                              hint="Pass one such as 'mail' or 'mail.example.com'.")
    text = mail_from.strip().rstrip(".")
    candidate = text if "." in text else f"{text}.{domain}"
    name = normalize_domain(candidate, field="mail_from")
    if name == domain:
        raise ValidationError(
            "mail_from", mail_from,
            "is the domain itself. A custom MAIL FROM domain needs its own MX record pointing at SES's "
            "feedback endpoint, and the domain's MX already says where its mail is received: the two "
            "would conflict (the SES notes' apex MX problem).",
            hint=f"Use a subdomain used for nothing else, e.g. 'mail.{domain}'.",
        )
    if not name.endswith("." + domain):
        raise ValidationError(
            "mail_from", mail_from,
            f"is not a subdomain of {domain}; SES only accepts a MAIL FROM domain under the identity.",
            hint=f"Use e.g. 'mail.{domain}'.",
        )
    if any(label.startswith("_") for label in name.split(".")):  # pragma: no cover - caught by the label rule
        raise ValidationError("mail_from", mail_from, "must be a host name (no underscores).")
    return name


@lru_cache(maxsize=1)
def _psl():  # type: ignore[no-untyped-def]
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organizational_domain(name: str) -> str:
    """The registered ("organizational") domain of ``name``: ``mail.example.co.jp`` -> ``example.co.jp``.

    Uses the Public Suffix List shipped with the pinned ``publicsuffixlist`` package. A name that is a
    public suffix itself is returned unchanged.
    """
    name = name.lower().rstrip(".")
    return _psl().privatesuffix(name) or name

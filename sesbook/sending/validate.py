"""What SES would refuse, found before anything is sent: each a :class:`~sesbook.errors.ValidationError`
naming the field, the value and the rule.

The rules, with their sources (checked 2026):

- addresses: checked with email-validator (a maintained validator, not a hand regex) without a DNS
  look-up; an internationalised domain is sent as its A-labels (punycode); SES does not take a non-ASCII
  local part (SES Developer Guide, "Email format in Amazon SES": the local part must be 7-bit ASCII, the
  domain in Punycode);
- at most :data:`~sesbook.facts.MAX_RECIPIENTS` (50) recipients per message, To, Cc and Bcc together
  ("Service quotas in Amazon SES", https://docs.aws.amazon.com/ses/latest/dg/quotas.html);
- the size after base64 encoding: :data:`~sesbook.facts.MAX_MESSAGE_BYTES` (10 MB through the v1 API,
  40 MB through v2 and SMTP; same page). A raw message is counted as it is sent (its attachments are
  already base64); structured content as SES builds it (:func:`~sesbook.facts.built_message_size`);
- attachments whose file name ends in one of the 90 refused extensions
  (:data:`~sesbook.facts.REFUSED_ATTACHMENT_EXTENSIONS`, "Unsupported attachment types",
  https://docs.aws.amazon.com/ses/latest/dg/attachments.html), compared case-insensitively, in every part
  (nested multiparts and attached ``message/rfc822`` messages too).

The lab enforces the size and recipient limits and the refused attachments with the same facts (its send
pipeline's ``validate``). :func:`~sesbook.send_smtp` runs these checks too, before it connects.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING

from email_validator import EmailNotValidError, validate_email

from sesbook.errors import ValidationError
from sesbook.facts import MAX_MESSAGE_BYTES, MAX_RECIPIENTS, built_message_size, refused_attachment

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from email.message import Message

APIS = ("v1", "v2", "smtp")


def check_api(api: str) -> str:
    """``api`` as given, when it is ``v1``, ``v2`` or ``smtp``."""
    if api not in APIS:
        raise ValidationError("api", api, "must be 'v1' (SES API v1) or 'v2' (SESv2)" +
                              (" or 'smtp'." if api else "."),
                              hint="v2 is the current API; v1 is what older code and SendRawEmail examples use.")
    return api


def check_address(value: object, *, field: str = "address") -> str:
    """One email address, normalised for SES: the domain in A-labels (punycode), a display name kept.

    ``"Jo <jo@bücher.example>"`` becomes ``"Jo <jo@xn--bcher-kva.example>"``.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, value, "must be an email address.", hint="E.g. 'sender@example.com'.")
    if "\r" in value or "\n" in value:
        raise ValidationError(field, value, "must be one line (a line break would start a new header).")
    name, address = parseaddr(value)
    if not address or "@" not in address:
        raise ValidationError(field, value, "is not an email address (no local@domain part found).",
                              hint="E.g. 'sender@example.com' or 'Name <sender@example.com>'.")
    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValidationError(field, value, f"is not a valid email address: {exc}",
                              hint="SES takes an ASCII local part; the domain may be internationalised.") from None
    normal = f"{checked.local_part}@{checked.ascii_domain}"
    return formataddr((name, normal)) if name else normal


def check_addresses(values: str | Iterable[str] | None, *, field: str) -> list[str]:
    """Zero or more addresses (a string is one address), each checked by :func:`check_address`."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [check_address(v, field=field) for v in values]


def check_recipient_count(*groups: Sequence[str], field: str = "to") -> int:
    """The number of recipients, To, Cc and Bcc together; at most :data:`MAX_RECIPIENTS`, at least one."""
    count = sum(len(g) for g in groups)
    if count == 0:
        raise ValidationError(field, [], "a message needs at least one recipient.")
    if count > MAX_RECIPIENTS:
        raise ValidationError("recipients", count, f"SES takes at most {MAX_RECIPIENTS} recipients per message "
                              "(To, Cc and Bcc together).",
                              hint="Split the list into several messages, or send one message per recipient "
                                   "with send_bulk.")
    return count


def check_size(size: int, api: str, *, field: str = "message") -> int:
    """``size`` bytes (after base64) is within the limit of ``api``."""
    limit = MAX_MESSAGE_BYTES[check_api(api)]
    if size > limit:
        more = " SES API v2 and SMTP take up to 40 MB." if api == "v1" else ""
        raise ValidationError(field, f"{size} bytes", f"is larger than the {limit // (1024 * 1024)} MB SES takes "
                              f"through {api} ({limit} bytes, counted after base64 encoding).",
                              hint="Link to large files instead of attaching them." + more)
    return size


def check_attachments(message: Message) -> None:
    """No part of ``message`` (at any depth) has a file name SES refuses
    (:func:`~sesbook.facts.refused_attachment`: ``filename`` and ``name``, RFC 2231 and encoded words decoded)."""
    refused = refused_attachment(message)
    if refused is not None:
        name, ext = refused
        raise ValidationError("attachments", name, f"SES refuses attachments ending in {ext} "
                              "(one of the 90 unsupported attachment types, in any letter case).",
                              hint="Zip the file, rename it, or share a link instead.")


def check_structured(*, source: str, to: Sequence[str], cc: Sequence[str], bcc: Sequence[str], api: str,
                     parts: Sequence[str | None]) -> None:
    """A message SES builds (simple or templated content): recipients and size."""
    check_recipient_count(to, cc, bcc)
    check_size(built_message_size(source, [*to, *cc, *bcc], *parts), api)


def check_raw(data: bytes, message: Message, *, recipients: int, api: str) -> None:
    """A raw message: recipients (``recipients``, the envelope or the headers), size, attachments."""
    if recipients > MAX_RECIPIENTS:
        check_recipient_count(["x"] * recipients)
    check_size(len(data), api)
    check_attachments(message)

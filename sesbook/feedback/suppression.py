"""The account's suppression list, read and changed (SESv2; SES Developer Guide, "Using the Amazon SES
account-level suppression list": https://docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html,
checked 2026). SES does not send to a listed address: the send is accepted and then bounces with
``OnAccountSuppressionList``. Removing an address that is not listed is success (clean-up re-runs).

IAM permissions for the aws target: ``ses:ListSuppressedDestinations``, ``ses:PutSuppressedDestination``,
``ses:DeleteSuppressedDestination``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import ValidationError

if TYPE_CHECKING:
    from sesbook.target import Target

REASONS = ("BOUNCE", "COMPLAINT")


@dataclass(frozen=True)
class SuppressionList:
    """``entries``: (address, reason, last update) in SES's order (newest first)."""

    entries: tuple[tuple[str, str, Any], ...]

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(e[0] for e in self.entries)

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and address.lower() in {a.lower() for a in self.addresses}

    def __repr__(self) -> str:
        return _html.text_table(["address", "reason", "since"], self.entries) if self.entries else "(empty)"

    def _repr_html_(self) -> str:
        return _html.table(["address", "reason", "since"], self.entries, caption="account suppression list")


def suppression_list(target: Target) -> SuppressionList:
    """Every address on the account's suppression list in the target's region."""
    entries: list[tuple[str, str, Any]] = []
    token = None
    with aws_errors("sesv2"):
        while True:
            page = target.sesv2.list_suppressed_destinations(**({"NextToken": token} if token else {}))
            entries += [(s["EmailAddress"], s["Reason"], s.get("LastUpdateTime"))
                        for s in page.get("SuppressedDestinationSummaries", [])]
            token = page.get("NextToken")
            if not token:
                break
    return SuppressionList(tuple(entries))


def _address(address: Any) -> str:
    if not isinstance(address, str) or "@" not in address or any(c in address for c in "\r\n "):
        raise ValidationError("address", address, "must be an email address (name@domain)")
    return address


def suppress(target: Target, address: str, reason: str = "BOUNCE") -> None:
    """Put ``address`` on the list (reason BOUNCE or COMPLAINT)."""
    if reason not in REASONS:
        raise ValidationError("reason", reason, "use BOUNCE or COMPLAINT")
    with aws_errors("sesv2"):
        target.sesv2.put_suppressed_destination(EmailAddress=_address(address), Reason=reason)


def unsuppress(target: Target, address: str) -> bool:
    """Take ``address`` off the list; False when it was not there (not an error)."""
    client = target.sesv2
    with aws_errors("sesv2"):
        try:
            client.delete_suppressed_destination(EmailAddress=_address(address))
        except client.exceptions.NotFoundException:
            return False
    return True

"""Checking that the account can send as wanted: :func:`check_account`.

IAM permission for the aws target: ``ses:GetAccount``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook.account.status import account_status
from sesbook.checks import CheckResult, Finding

if TYPE_CHECKING:
    from sesbook.account.status import AccountStatus
    from sesbook.target import Target


@dataclass(frozen=True, repr=False)
class AccountCheck(CheckResult):
    """Whether the account is ready to send as wanted: ``ok``, ``problems`` and ``warnings``.

    Payload: the :class:`~sesbook.account.status.AccountStatus` that was checked.
    """

    status: AccountStatus
    items: tuple[Finding, ...]
    title = "check_account"


    def heading(self) -> str:
        return f"check_account: {'ok' if self.ok else 'problems'} ({self.status.access_level})"

    def payload_text(self) -> str:
        return repr(self.status)

    def payload_html(self) -> str:
        return self.status._repr_html_()



def check_account(target: Target, *, production: bool = True, usage_warning_percent: float = 80.0) -> AccountCheck:
    """Check that the account can send: sending enabled, enforcement healthy, out of the sandbox when
    ``production`` is True, and warn when the 24-hour quota is ``usage_warning_percent`` used."""
    status = account_status(target)
    findings: list[Finding] = []
    if status.sending_enabled:
        findings.append(Finding.ok("sending", "sending is enabled for the account."))
    else:
        findings.append(Finding.problem(
            "sending", "sending is paused for the account: resume it with set_sending_enabled(target, True).",
            fix="set_sending_enabled(target, True)"))
    if status.enforcement_status not in ("HEALTHY", ""):
        findings.append(Finding.problem(
            "enforcement", f"enforcement status is {status.enforcement_status}: read the reputation dashboard.",
            found=status.enforcement_status))
    if production and not status.production:
        review = status.review_status or "no request filed"
        findings.append(Finding.problem(
            "access level", f"the account is still in the sandbox (review: {review}); request production access.",
            expected="production", found="sandbox", fix="request_production_access(target, ...)"))
    elif status.production:
        findings.append(Finding.ok("access level", "the account has production access."))
    if status.usage_percent >= usage_warning_percent:
        findings.append(Finding.warning("quota", f"{status.usage_percent:.0f} % of the 24-hour quota is used."))
    return AccountCheck(status, tuple(findings))

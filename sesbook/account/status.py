"""The SES account's status: sandbox or production, quotas and usage, sending on or off.

- :func:`account_status` -> :class:`AccountStatus` (read only; SESv2 ``GetAccount``), with
  :meth:`AccountStatus.compare_table`, the notes' sandbox-vs-production table;
- :func:`set_sending_enabled` (SESv2 ``PutAccountSendingAttributes``; planned, not sent, on an aws target
  without ``apply=True``).

IAM permissions for the aws target: ``ses:GetAccount``, ``ses:PutAccountSendingAttributes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import ValidationError
from sesbook.facts import SANDBOX_MAX_24_HOUR_SEND, SANDBOX_MAX_SEND_RATE
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from sesbook.target import Target


# -- status -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountStatus:
    """What GetAccount says about the account in one region."""

    target: str
    region: str
    production: bool
    sending_enabled: bool
    enforcement_status: str
    max_24_hour_send: float
    max_send_rate: float
    sent_last_24_hours: float
    review_status: str | None = None
    case_id: str | None = None
    mail_type: str | None = None
    website_url: str | None = None

    @property
    def access_level(self) -> str:
        return "production" if self.production else "sandbox"

    @property
    def usage_percent(self) -> float:
        """How much of the 24-hour quota is used, in percent."""
        return 100.0 * self.sent_last_24_hours / self.max_24_hour_send if self.max_24_hour_send else 0.0

    @property
    def remaining_24_hours(self) -> float:
        return max(0.0, self.max_24_hour_send - self.sent_last_24_hours)

    def rows(self) -> list[tuple[str, Any]]:
        review = self.review_status or "no request filed"
        if self.case_id:
            review += f" (case {self.case_id})"
        return [
            ("access level (アクセスレベル)", self.access_level),
            ("sending quota (Max24HourSend)", f"{self.max_24_hour_send:g} per 24 hours"),
            ("sent in the last 24 hours", f"{self.sent_last_24_hours:g} ({self.usage_percent:.1f} % used)"),
            ("sending rate (MaxSendRate)", f"{self.max_send_rate:g} per second"),
            ("sending enabled", self.sending_enabled),
            ("enforcement status", self.enforcement_status),
            ("production access review", review),
        ]

    def __repr__(self) -> str:
        return f"AccountStatus({self.target} {self.region})\n" + _html.text_table(["item", "value"], self.rows())

    def _repr_html_(self) -> str:
        return _html.table(["item", "value"], self.rows(), caption=f"SES account: {self.target}, {self.region}")

    def compare_table(self) -> ComparisonTable:
        """The notes' sandbox-vs-production table, with a column for this account now."""
        return ComparisonTable(self)


@dataclass(frozen=True)
class ComparisonTable:
    """The sandbox (サンドボックス) and production (プロダクション) limits beside the live account."""

    status: AccountStatus

    HEADERS = ("制約項目 (item)", "サンドボックス (sandbox, the start)", "プロダクション (production)",
               "this account now")

    def rows(self) -> list[tuple[str, str, str, str]]:
        s = self.status
        now = "✅ " + s.access_level
        recipients = "verified identities and the simulator only" if not s.production else "any address"
        review = s.review_status or "none filed"
        return [
            ("アクセスレベル (access level)", "sandbox", "production", now),
            ("送信対象 (recipients)", "verified addresses/domains and the mailbox simulator only",
             "any address", recipients),
            ("24時間あたりの送信可能メール数 (Sending Quota)", f"{SANDBOX_MAX_24_HOUR_SEND} messages",
             "raised when access is granted", f"{s.max_24_hour_send:g} (sent {s.sent_last_24_hours:g})"),
            ("1秒あたりの送信可能メール数 (Sending Rate)", f"{SANDBOX_MAX_SEND_RATE} per second",
             "raised when access is granted", f"{s.max_send_rate:g} per second"),
            ("バウンス・苦情率 (bounce and complaint rates)", "watched closely",
             "watched; too many can pause sending", f"enforcement {s.enforcement_status}"),
            ("承認プロセス (approval)", "none: every account starts here",
             "a production access request, reviewed by AWS", f"review: {review}"),
        ]

    def __repr__(self) -> str:
        return _html.text_table(self.HEADERS, self.rows())

    def _repr_html_(self) -> str:
        return _html.table(self.HEADERS, self.rows(), caption="Sandbox vs production (アクセスレベル)")


def _status_from(target: Target, answer: dict[str, Any]) -> AccountStatus:
    quota = answer.get("SendQuota") or {}
    details = answer.get("Details") or {}
    review = details.get("ReviewDetails") or {}
    return AccountStatus(
        target=target.name,
        region=target.region,
        production=bool(answer.get("ProductionAccessEnabled", False)),
        sending_enabled=bool(answer.get("SendingEnabled", True)),
        enforcement_status=str(answer.get("EnforcementStatus", "HEALTHY")),
        max_24_hour_send=float(quota.get("Max24HourSend", 0.0)),
        max_send_rate=float(quota.get("MaxSendRate", 0.0)),
        sent_last_24_hours=float(quota.get("SentLast24Hours", 0.0)),
        review_status=review.get("Status"),
        case_id=review.get("CaseId"),
        mail_type=details.get("MailType"),
        website_url=details.get("WebsiteURL"),
    )


def account_status(target: Target) -> AccountStatus:
    """Read the account's access level, quotas, usage and review state (SESv2 ``GetAccount``; read only)."""
    with aws_errors("sesv2"):
        answer = target.sesv2.get_account()
    return _status_from(target, answer)


def set_sending_enabled(target: Target, enabled: bool) -> AccountStatus | None:
    """Pause (``False``) or resume (``True``) sending for the whole account in this region.

    Returns the new status, or None when the change was only planned (aws without ``apply=True``).
    """
    if not isinstance(enabled, bool):
        raise ValidationError("enabled", enabled, "must be True or False.")
    with aws_errors("sesv2"):
        answer = target.sesv2.put_account_sending_attributes(SendingEnabled=enabled)
    if was_planned(answer):
        return None
    return account_status(target)

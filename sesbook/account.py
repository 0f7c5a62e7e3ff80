"""The SES account: sandbox or production, sending quotas, sending on/off, and leaving the sandbox.

Functions (all take a :class:`~sesbook.target.Target` first):

- :func:`account_status` -> :class:`AccountStatus` (read only; SESv2 ``GetAccount``).
- :func:`request_production_access` -> :class:`AccessRequest` (SESv2 ``PutAccountDetails``; planned, not
  sent, on an aws target without ``apply=True``).
- :func:`wait_for_review` -> :class:`AccountStatus` once the review has an answer.
- :func:`set_sending_enabled` (SESv2 ``PutAccountSendingAttributes``).
- :func:`check_account` -> :class:`AccountCheck` (``ok``, ``problems``, ``warnings``).
- :func:`set_lab_review`: the lab only; how the lab answers the next request (e.g. ``DENIED``).

IAM permissions for the aws target: ``ses:GetAccount``, ``ses:PutAccountDetails``,
``ses:PutAccountSendingAttributes``.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook._validate import check_timing
from sesbook.errors import NotAppliedError, ValidationError, WaitTimeoutError
from sesbook.target import PLANNED_REQUEST_ID

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sesbook.target import Target

log = logging.getLogger("sesbook")

MAIL_TYPES = ("MARKETING", "TRANSACTIONAL")
CONTACT_LANGUAGES = ("EN", "JA")
#: SES's sandbox limits (Developer Guide, "Request production access", checked 2023).
SANDBOX_MAX_24_HOUR_SEND = 200
SANDBOX_MAX_SEND_RATE = 1
_URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$", re.IGNORECASE)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


# -- the production access request ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AccessRequest:
    """The outcome of :func:`request_production_access`: ``planned`` (not sent), or the review it started."""

    planned: bool
    sent: bool
    review_status: str | None
    case_id: str | None
    details: dict[str, Any]
    note: str

    def __repr__(self) -> str:
        state = "planned, not sent" if self.planned else (self.review_status or "unknown")
        case = f", case {self.case_id}" if self.case_id else ""
        return f"AccessRequest({state}{case}): {self.note}"

    def _repr_html_(self) -> str:
        state = "planned, not sent (apply=False)" if self.planned else self.review_status
        rows: list[tuple[str, Any]] = [("review", state), ("case id", self.case_id), ("note", self.note)]
        rows += [(k, v) for k, v in self.details.items()]
        return _html.table(["item", "value"], rows, caption="production access request")


def validate_access_request(
    *,
    mail_type: str,
    website_url: str,
    use_case: str,
    contact_language: str = "EN",
    additional_contacts: Sequence[str] = (),
) -> dict[str, Any]:
    """Check a production access request as SES does and return the PutAccountDetails parameters.

    Raises :class:`ValidationError` naming the field, the value and the rule broken.
    """
    kind = mail_type.upper() if isinstance(mail_type, str) else mail_type
    if kind not in MAIL_TYPES:
        raise ValidationError("mail_type", mail_type, "must be MARKETING or TRANSACTIONAL.",
                              hint="TRANSACTIONAL is mail a user asked for (receipts, resets); MARKETING is promotion.")
    if not isinstance(website_url, str) or len(website_url) > 1000 or not _URL_RE.match(website_url):
        raise ValidationError("website_url", website_url, "must be an http:// or https:// URL of at most 1000 "
                              "characters.", hint="Give the site the mail belongs to, e.g. 'https://example.com'.")
    if not isinstance(use_case, str) or not use_case.strip() or len(use_case) > 5000:
        raise ValidationError("use_case", use_case, "must be 1 to 5000 characters describing what you send.",
                              hint="Say who receives the mail, how they sign up, and how you handle bounces "
                              "and complaints: reviewers look for that.")
    language = contact_language.upper() if isinstance(contact_language, str) else contact_language
    if language not in CONTACT_LANGUAGES:
        raise ValidationError("contact_language", contact_language, "must be EN or JA.")
    contacts = list(additional_contacts or ())
    if isinstance(additional_contacts, str) or len(contacts) > 4:
        raise ValidationError("additional_contacts", additional_contacts, "must be a list of at most 4 addresses.",
                              hint="Pass a list or tuple such as ('ops@example.com',).")
    for address in contacts:
        if not isinstance(address, str) or not 6 <= len(address) <= 254 or not _EMAIL_RE.match(address):
            raise ValidationError("additional_contacts", address,
                                  "each must be an email address of 6 to 254 characters.")
    params: dict[str, Any] = {
        "MailType": kind, "WebsiteURL": website_url, "ContactLanguage": language,
        "UseCaseDescription": use_case, "ProductionAccessEnabled": True,
    }
    if contacts:
        params["AdditionalContactEmailAddresses"] = contacts
    return params


def request_production_access(
    target: Target,
    *,
    mail_type: str,
    website_url: str,
    use_case: str,
    contact_language: str = "EN",
    additional_contacts: Sequence[str] = (),
) -> AccessRequest:
    """File the request to leave the sandbox (本番アクセスのリクエスト) with SESv2 ``PutAccountDetails``.

    Input is checked first (:class:`ValidationError`). Against aws without ``apply=True`` the call is
    only planned (``target.plan``). When the account is already in production, or a review is pending,
    nothing is sent and the result says so (so a notebook can run again).
    """
    params = validate_access_request(
        mail_type=mail_type, website_url=website_url, use_case=use_case,
        contact_language=contact_language, additional_contacts=additional_contacts,
    )
    shown = {k: v for k, v in params.items() if k != "ProductionAccessEnabled"}
    status = account_status(target)
    if status.production:
        return AccessRequest(False, False, status.review_status or "GRANTED", status.case_id, shown,
                             "the account already has production access; nothing was sent.")
    if status.review_status == "PENDING":
        return AccessRequest(False, False, "PENDING", status.case_id, shown,
                             "a request is already under review; nothing was sent. Wait with wait_for_review().")
    with aws_errors("sesv2", hint="Fix the field SES names and file the request again."):
        answer = target.sesv2.put_account_details(**params)
    if answer.get("ResponseMetadata", {}).get("RequestId") == PLANNED_REQUEST_ID:
        return AccessRequest(True, False, None, None, shown, "planned: run with apply=True to file it.")
    after = account_status(target)
    log.info("production access requested: %s (case %s)", after.review_status, after.case_id)
    return AccessRequest(False, True, after.review_status, after.case_id, shown,
                         "filed; AWS reviews it (usually within a day). Follow it with wait_for_review().")


def wait_for_review(
    target: Target, *, timeout: float = 3600.0, interval: float = 60.0, progress: bool = True
) -> AccountStatus:
    """Wait until the production access review is no longer ``PENDING`` and return the account status.

    In the lab the review finishes on the lab's clock, so this function moves the lab clock forward by
    ``interval`` seconds per poll (through ``target.lab.advance_clock``; only ever for the lab) and
    ``timeout`` counts lab seconds: it returns at once in real time. Against AWS it sleeps ``interval``
    real seconds between reads. Returns on GRANTED, DENIED or FAILED (check ``review_status``);
    raises :class:`WaitTimeoutError` when still pending after ``timeout``, and :class:`NotAppliedError`
    when no request was filed (e.g. it was only planned).
    """
    check_timing(timeout=timeout, interval=interval, waiting=True)
    from tqdm import tqdm

    status = account_status(target)
    if status.review_status is None and not status.production:
        raise NotAppliedError(
            "no production access request has been filed on this account"
            + (" (the request was only planned: run with apply=True)" if target.planning else "")
            + ". File one with request_production_access()."
        )
    waited = 0.0
    bar = tqdm(total=timeout, desc="review", unit="s", disable=not progress,
               bar_format="{desc}: {n:.0f}/{total:.0f} s waited")
    try:
        while status.review_status == "PENDING":
            if waited >= timeout:
                raise WaitTimeoutError("the production access review", timeout, last_state="PENDING")
            step = min(interval, timeout - waited) or interval
            if target.lab is not None:
                target.lab.advance_clock(step)
            else:
                time.sleep(step)
            waited += step
            bar.update(step)
            status = account_status(target)
    finally:
        bar.close()
    return status


def set_sending_enabled(target: Target, enabled: bool) -> AccountStatus | None:
    """Pause (``False``) or resume (``True``) sending for the whole account in this region.

    Returns the new status, or None when the change was only planned (aws without ``apply=True``).
    """
    if not isinstance(enabled, bool):
        raise ValidationError("enabled", enabled, "must be True or False.")
    with aws_errors("sesv2"):
        answer = target.sesv2.put_account_sending_attributes(SendingEnabled=enabled)
    if answer.get("ResponseMetadata", {}).get("RequestId") == PLANNED_REQUEST_ID:
        return None
    return account_status(target)


def set_lab_review(
    target: Target,
    *,
    outcome: str | None = None,
    delay_seconds: float | None = None,
    granted_max_24_hour_send: float | None = None,
    granted_max_send_rate: float | None = None,
) -> dict[str, Any]:
    """Lab only: how the lab answers production access requests.

    ``outcome`` (``GRANTED`` | ``DENIED`` | ``FAILED``) applies to the next request only; ``delay_seconds``
    is the review time on the lab clock (default 60); the granted quotas default to 50,000 and 14/s.
    """
    if target.lab is None:
        raise ValidationError("target", target.name, "set_lab_review only works with the lab.",
                              hint="AWS decides real reviews; use connect('lab') to practise.")
    if outcome is not None and outcome not in ("GRANTED", "DENIED", "FAILED"):
        raise ValidationError("outcome", outcome, "must be GRANTED, DENIED or FAILED.")
    body = {"region": target.region, "outcome": outcome, "delay_seconds": delay_seconds,
            "granted_max_24_hour_send": granted_max_24_hour_send, "granted_max_send_rate": granted_max_send_rate}
    return dict(target.lab.request("POST", "/_sesbook/account/review", body))


# -- check ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountCheck:
    """Whether the account is ready to send as wanted: ``ok``, ``problems`` and ``warnings``."""

    status: AccountStatus
    problems: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __repr__(self) -> str:
        lines = [f"AccountCheck({'ok' if self.ok else 'PROBLEMS'}: {self.status.access_level})"]
        lines += [f"  problem: {p}" for p in self.problems] + [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [("result", "✅ ok" if self.ok else "❌ problems")]
        rows += [("problem", p) for p in self.problems] + [("warning", w) for w in self.warnings]
        return _html.table(["check", "detail"], rows, caption="check_account") + self.status._repr_html_()


def check_account(target: Target, *, production: bool = True, usage_warning_percent: float = 80.0) -> AccountCheck:
    """Check that the account can send: sending enabled, enforcement healthy, out of the sandbox when
    ``production`` is True, and warn when the 24-hour quota is ``usage_warning_percent`` used."""
    status = account_status(target)
    problems: list[str] = []
    warnings: list[str] = []
    if not status.sending_enabled:
        problems.append("sending is paused for the account: resume it with set_sending_enabled(target, True).")
    if status.enforcement_status not in ("HEALTHY", ""):
        problems.append(f"enforcement status is {status.enforcement_status}: read the reputation dashboard.")
    if production and not status.production:
        review = status.review_status or "no request filed"
        problems.append(f"the account is still in the sandbox (review: {review}); request production access.")
    if status.usage_percent >= usage_warning_percent:
        warnings.append(f"{status.usage_percent:.0f} % of the 24-hour quota is used.")
    return AccountCheck(status, tuple(problems), tuple(warnings))

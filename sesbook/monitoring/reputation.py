"""The account's reputation: the two rates against SES's thresholds, and what SES has decided.

- :func:`reputation_status` -> :class:`ReputationStatus` (a check result): ``healthy``, ``under review`` or
  ``paused``, from GetAccount's ``EnforcementStatus`` and ``SendingEnabled`` and the latest
  ``Reputation.BounceRate`` / ``Reputation.ComplaintRate``, with what an operator does in each state;
- :func:`set_lab_reputation`, :func:`reset_lab_reputation`, :func:`record_lab_event`: the lab's control API,
  to show each state without sending thousands of messages.

The rules (thresholds in :mod:`sesbook.facts`, dated): at or above 5 % bounces or 0.1 % complaints SES puts
the account under review (``EnforcementStatus`` ``PROBATION``); at or above 10 % or 0.5 % it may pause sending
(``SHUTDOWN``). The rates are measured over a representative volume of recent mail, not a fixed period
(SES Developer Guide, "Reputation metrics messages":
https://docs.aws.amazon.com/ses/latest/dg/reputationdashboardmessages.html; checked 2026). A pause is lifted
by AWS after a review that the account owner asks for (AWS re:Post, "Why is my Amazon SES sending account
under review or paused?": https://repost.aws/knowledge-center/ses-resolve-account-review-pause).

IAM permissions for the aws target: ``ses:GetAccount``, ``cloudwatch:GetMetricData``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.checks import CheckResult, Finding
from sesbook.errors import ValidationError
from sesbook.facts import (
    BOUNCE_RATE_PAUSE,
    BOUNCE_RATE_REVIEW,
    COMPLAINT_RATE_PAUSE,
    COMPLAINT_RATE_REVIEW,
    SES_BOUNCE_RATE_METRIC,
    SES_COMPLAINT_RATE_METRIC,
    SES_EVENT_METRICS,
)
from sesbook.monitoring.metrics import sending_metrics

if TYPE_CHECKING:
    from sesbook.target import Target

#: Each rate: (metric, label, review threshold, pause threshold).
RATES = (
    (SES_BOUNCE_RATE_METRIC, "bounce rate (バウンス率)", BOUNCE_RATE_REVIEW, BOUNCE_RATE_PAUSE),
    (SES_COMPLAINT_RATE_METRIC, "complaint rate (苦情率)", COMPLAINT_RATE_REVIEW, COMPLAINT_RATE_PAUSE),
)
STATES = ("healthy", "under review", "paused")
#: What an operator does in each state.
ACTIONS = {
    "healthy": "Keep it so: remove hard-bounced and complaining addresses (the suppression list does it for "
               "you), send only to people who asked, and watch the alarms.",
    "under review": "Sending still works. Find the cause (an old list, a campaign, a form without "
                    "confirmation), stop it, and clean the list before the review period ends, or SES may pause "
                    "sending.",
    "paused": "Sending is refused. Fix the cause first, then ask AWS for a review: reply to the notice or open "
              "a case in the AWS Support Center saying what went wrong and what you changed. In the lab: "
              "reset_lab_reputation(target).",
}


def state_for(enforcement_status: str, sending_enabled: bool) -> str:
    """``healthy`` | ``under review`` | ``paused`` from GetAccount's fields."""
    if enforcement_status == "SHUTDOWN":
        return "paused"
    if enforcement_status == "PROBATION":
        return "under review"
    return "healthy"


def rate_severity(value: float | None, review: float, pause: float) -> str:
    """``ok`` below review, ``warning`` from review, ``problem`` from pause (None: ``info``, no data)."""
    if value is None:
        return "info"
    if value >= pause:
        return "problem"
    if value >= review:
        return "warning"
    return "ok"


@dataclass(frozen=True, repr=False)
class ReputationStatus(CheckResult):
    """The account's reputation state, its two rates against the thresholds, and what to do."""

    target: str
    region: str
    enforcement_status: str
    sending_enabled: bool
    bounce_rate: float | None
    complaint_rate: float | None
    items: tuple[Finding, ...]
    title = "reputation_status"

    @property
    def state(self) -> str:
        return state_for(self.enforcement_status, self.sending_enabled)

    @property
    def action(self) -> str:
        return ACTIONS[self.state]

    def heading(self) -> str:
        return (f"reputation_status: {self.target} {self.region}: {self.state} "
                f"(EnforcementStatus {self.enforcement_status})")

    HEADERS = ("rate", "now", "under review from", "paused from")

    def rate_rows(self) -> list[tuple[str, str, str, str]]:
        values = {SES_BOUNCE_RATE_METRIC: self.bounce_rate, SES_COMPLAINT_RATE_METRIC: self.complaint_rate}
        return [(label, "no data" if values[m] is None else f"{values[m]:.2%}", f"{review:.1%}", f"{pause:.1%}")
                for m, label, review, pause in RATES]

    def payload_text(self) -> str:
        return _html.text_table(self.HEADERS, self.rate_rows()) + f"\nwhat to do: {self.action}"

    def payload_html(self) -> str:
        return (_html.table(self.HEADERS, self.rate_rows(), caption="reputation rates and SES's thresholds")
                + f"<p><strong>What to do ({_html.cell(self.state)}):</strong> {_html.cell(self.action)}</p>")


def reputation_status(target: Target) -> ReputationStatus:
    """Read the account's enforcement state (SESv2 ``GetAccount``) and the latest reputation rates
    (CloudWatch, the last 24 hours at one-minute resolution). Read only; ``ok`` unless sending is paused."""
    with aws_errors("sesv2"):
        account = target.sesv2.get_account()
    status = str(account.get("EnforcementStatus", "HEALTHY"))
    enabled = bool(account.get("SendingEnabled", True))
    metrics = sending_metrics(target, hours=24, period=60)
    values = {m: metrics.latest(m) for m, *_ in RATES}
    findings: list[Finding] = []
    for metric, label, review, pause in RATES:
        value = values[metric]
        severity = rate_severity(value, review, pause)
        shown = "no data in the last 24 hours" if value is None else f"{value:.2%}"
        text = {
            "info": f"{label}: no data in the last 24 hours (SES publishes it once there is eligible mail).",
            "ok": f"{label} is {shown}, under the review threshold of {review:.1%}.",
            "warning": f"{label} is {shown}: at or above {review:.1%}, SES puts the account under review.",
            "problem": f"{label} is {shown}: at or above {pause:.1%}, SES may pause sending.",
        }[severity]
        findings.append(Finding(label, severity, text, expected=f"below {review:.1%}", found=shown))  # type: ignore[arg-type]
    state = state_for(status, enabled)
    account_text = {
        "healthy": "EnforcementStatus HEALTHY: no reputation issue affects the account.",
        "under review": "EnforcementStatus PROBATION: the account is under review; sending still works.",
        "paused": "EnforcementStatus SHUTDOWN: SES has paused the account's sending.",
    }[state]
    severity = {"healthy": "ok", "under review": "warning", "paused": "problem"}[state]
    findings.append(Finding("account", severity, account_text, fix=ACTIONS[state]))  # type: ignore[arg-type]
    return ReputationStatus(target.name, target.region, status, enabled, values[SES_BOUNCE_RATE_METRIC],
                            values[SES_COMPLAINT_RATE_METRIC], tuple(findings))


# -- the lab's control API ------------------------------------------------------------------------------------
def _lab_only(target: Target, what: str) -> None:
    if target.lab is None:
        raise ValidationError("target", target.name, f"{what} only works with the lab.",
                              hint="In AWS the rates come from real mail; use connect('lab') to practise.")


def _count(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(field, value, "must be a whole number, 0 or more.")
    return value


def set_lab_reputation(target: Target, *, sends: int, bounces: int = 0, complaints: int = 0) -> dict[str, Any]:
    """Lab only: make the reputation history ``sends`` eligible sends with ``bounces`` bounces and
    ``complaints`` complaints, and let the lab apply SES's enforcement. Returns the lab's answer (rates,
    ``enforcement_status``, ``sending_enabled``).

    The lab clock moves one minute first, so the new rates have a CloudWatch minute of their own.
    """
    _lab_only(target, "set_lab_reputation")
    sends, bounces, complaints = _count("sends", sends), _count("bounces", bounces), _count("complaints", complaints)
    if bounces > sends or complaints > sends:
        raise ValidationError("bounces" if bounces > sends else "complaints", max(bounces, complaints),
                              f"cannot be more than sends ({sends}).")
    assert target.lab is not None
    target.lab.advance_clock(60)
    body = {"region": target.region, "sends": sends, "bounces": bounces, "complaints": complaints}
    return dict(target.lab.request("POST", "/_sesbook/reputation", body))


def reset_lab_reputation(target: Target) -> dict[str, Any]:
    """Lab only: what a successful review does: history cleared, ``HEALTHY``, sending on again (one lab minute on)."""
    _lab_only(target, "reset_lab_reputation")
    assert target.lab is not None
    target.lab.advance_clock(60)
    return dict(target.lab.request("POST", "/_sesbook/reputation", {"region": target.region, "reset": True}))


def record_lab_event(target: Target, metric: str, *, count: int = 1, configuration_set: str | None = None,
                     reputation: bool = True) -> dict[str, Any]:
    """Lab only: count ``count`` SES events of kind ``metric`` (``Bounce``, ``Complaint``, ``Delivery`` …) now,
    as the lab's feedback would; ``reputation=False`` for mail to the mailbox simulator."""
    _lab_only(target, "record_lab_event")
    if metric not in SES_EVENT_METRICS:
        raise ValidationError("metric", metric, f"is not an SES metric: use one of {', '.join(SES_EVENT_METRICS)}.")
    if not isinstance(reputation, bool):
        raise ValidationError("reputation", reputation, "must be True or False.")
    body = {"region": target.region, "metric": metric, "count": _count("count", count),
            "configuration_set": configuration_set, "reputation": reputation}
    assert target.lab is not None
    return dict(target.lab.request("POST", "/_sesbook/metrics/event", body))

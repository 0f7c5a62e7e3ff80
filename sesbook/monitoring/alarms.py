"""CloudWatch alarms on SES's reputation rates, one per threshold, created idempotently and exported as
CloudFormation.

- :func:`reputation_alarms` -> the four :class:`AlarmSpec` s (bounce and complaint, review and pause levels);
- :func:`create_reputation_alarms` -> :class:`AlarmsResult`: ``PutMetricAlarm`` only for an alarm that is
  missing or differs (a second run changes nothing); on an aws target without ``apply=True`` the calls are
  planned, not sent;
- :func:`alarms_cloudformation`: the same alarms as an ``AWS::CloudWatch::Alarm`` template (JSON).

The alarms follow the SES Developer Guide, "Creating reputation monitoring alarms using CloudWatch"
(https://docs.aws.amazon.com/ses/latest/dg/reputationdashboard-cloudwatch-alarm.html, checked 2026): namespace
``AWS/SES``, metrics ``Reputation.BounceRate`` and ``Reputation.ComplaintRate`` (fractions: 0.05 is 5 %), no
dimension (the whole account). sesbook's choices: statistic ``Maximum`` over 15 minutes, one period to alarm,
``GreaterThanOrEqualToThreshold`` (SES acts "at or above"), and missing data treated as not breaching (no
eligible mail is no evidence of a problem).

IAM permissions for the aws target: ``cloudwatch:DescribeAlarms``, ``cloudwatch:PutMetricAlarm``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import ValidationError
from sesbook.facts import (
    BOUNCE_RATE_PAUSE,
    BOUNCE_RATE_REVIEW,
    COMPLAINT_RATE_PAUSE,
    COMPLAINT_RATE_REVIEW,
    SES_BOUNCE_RATE_METRIC,
    SES_COMPLAINT_RATE_METRIC,
    SES_METRICS_NAMESPACE,
)
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from sesbook.target import Target

PERIOD = 900
STATISTIC = "Maximum"
COMPARISON = "GreaterThanOrEqualToThreshold"
TREAT_MISSING_DATA = "notBreaching"
_NAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: a rate metric, a threshold, and where it notifies."""

    name: str
    logical_id: str  # the CloudFormation resource name
    metric: str
    threshold: float
    description: str
    actions: tuple[str, ...] = ()

    def put_params(self) -> dict[str, Any]:
        """The ``PutMetricAlarm`` parameters."""
        params: dict[str, Any] = {
            "AlarmName": self.name, "AlarmDescription": self.description, "Namespace": SES_METRICS_NAMESPACE,
            "MetricName": self.metric, "Statistic": STATISTIC, "Period": PERIOD, "EvaluationPeriods": 1,
            "Threshold": self.threshold, "ComparisonOperator": COMPARISON, "TreatMissingData": TREAT_MISSING_DATA,
            "ActionsEnabled": True, "AlarmActions": list(self.actions),
        }
        return params

    def matches(self, found: dict[str, Any]) -> bool:
        """True when the alarm ``found`` (a DescribeAlarms item) already says the same."""
        want = self.put_params()
        return (all(found.get(k) == want[k] for k in ("AlarmDescription", "Namespace", "MetricName", "Statistic",
                                                      "Period", "EvaluationPeriods", "ComparisonOperator",
                                                      "TreatMissingData"))
                and float(found.get("Threshold", -1)) == self.threshold
                and sorted(found.get("AlarmActions") or []) == sorted(self.actions)
                and not found.get("Dimensions"))


@dataclass(frozen=True)
class AlarmsResult:
    """What :func:`create_reputation_alarms` did for each alarm: ``created``, ``updated``, ``unchanged`` or
    ``planned``."""

    specs: tuple[AlarmSpec, ...]
    outcomes: tuple[str, ...]

    @property
    def changed(self) -> list[str]:
        return [s.name for s, o in zip(self.specs, self.outcomes, strict=True) if o in ("created", "updated")]

    HEADERS = ("alarm", "metric", "fires at or above", "outcome")

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [(s.name, s.metric, f"{s.threshold:.1%}", o) for s, o in zip(self.specs, self.outcomes, strict=True)]

    def __repr__(self) -> str:
        return "reputation alarms\n" + _html.text_table(self.HEADERS, self.rows())

    def _repr_html_(self) -> str:
        return _html.table(self.HEADERS, self.rows(), caption="CloudWatch alarms on SES's reputation rates")


def reputation_alarms(*, prefix: str = "ses-reputation-",
                      actions: tuple[str, ...] | list[str] = ()) -> tuple[AlarmSpec, ...]:
    """The four alarms: bounce rate at review (5 %) and pause (10 %), complaint rate at review (0.1 %) and pause
    (0.5 %). ``prefix`` starts every alarm name; ``actions``: ARNs notified (an SNS topic, say)."""
    if not isinstance(prefix, str) or len(prefix) > 200 or not set(prefix) <= _NAME_OK:
        raise ValidationError("prefix", prefix, "must be up to 200 letters, digits, '-', '_' or '.'.",
                              hint="For example prefix='ses-reputation-'.")
    arns = tuple(actions)
    for arn in arns:
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise ValidationError("actions", arn, "must be ARNs (such as an SNS topic's arn:aws:sns:...).")
    made = []
    for metric, what, level, threshold, verb in (
        (SES_BOUNCE_RATE_METRIC, "bounce", "review", BOUNCE_RATE_REVIEW, "puts the account under review"),
        (SES_BOUNCE_RATE_METRIC, "bounce", "pause", BOUNCE_RATE_PAUSE, "may pause sending"),
        (SES_COMPLAINT_RATE_METRIC, "complaint", "review", COMPLAINT_RATE_REVIEW, "puts the account under review"),
        (SES_COMPLAINT_RATE_METRIC, "complaint", "pause", COMPLAINT_RATE_PAUSE, "may pause sending"),
    ):
        made.append(AlarmSpec(
            name=f"{prefix}{what}-rate-{level}",
            logical_id=f"{what.capitalize()}Rate{level.capitalize()}Alarm",
            metric=metric, threshold=threshold, actions=arns,
            description=f"SES {what} rate at or above {threshold:.1%}: SES {verb}.",
        ))
    return tuple(made)


def create_reputation_alarms(target: Target, *, prefix: str = "ses-reputation-",
                             actions: tuple[str, ...] | list[str] = ()) -> AlarmsResult:
    """Create the four alarms where missing or different (``PutMetricAlarm``); leave matching ones alone."""
    specs = reputation_alarms(prefix=prefix, actions=actions)
    with aws_errors("cloudwatch"):
        found = {a["AlarmName"]: a for a in
                 target.cloudwatch.describe_alarms(AlarmNames=[s.name for s in specs]).get("MetricAlarms", [])}
        outcomes = []
        for spec in specs:
            if spec.name in found and spec.matches(found[spec.name]):
                outcomes.append("unchanged")
                continue
            answer = target.cloudwatch.put_metric_alarm(**spec.put_params())
            outcomes.append("planned" if was_planned(answer) else ("updated" if spec.name in found else "created"))
    return AlarmsResult(specs, tuple(outcomes))


def alarms_cloudformation(specs: tuple[AlarmSpec, ...] | None = None) -> str:
    """The alarms as a CloudFormation template (JSON, ``AWS::CloudWatch::Alarm`` resources), for deploying
    them the way the rest of an account is deployed. Default: :func:`reputation_alarms` ()."""
    specs = reputation_alarms() if specs is None else specs
    resources = {}
    for spec in specs:
        props = {k: v for k, v in spec.put_params().items() if k != "AlarmActions" or v}
        resources[spec.logical_id] = {"Type": "AWS::CloudWatch::Alarm", "Properties": props}
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Description": "CloudWatch alarms on Amazon SES reputation rates (sesbook)",
                "Resources": resources}
    return json.dumps(template, indent=2, sort_keys=True)

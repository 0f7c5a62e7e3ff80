"""Read SES's sending metrics and statistics for a window into one table.

- :func:`sending_metrics` -> :class:`SendingMetrics`: the ``AWS/SES`` CloudWatch metrics (``GetMetricData``:
  counts per period for Send, Delivery, Bounce, Complaint, Reject, Open, Click, RenderingFailure,
  DeliveryDelay, and the two ``Reputation.*`` rates) and SES v1 ``GetSendStatistics`` (15-minute points of
  the last two weeks), in one table with the SES notes' columns; the series behind it feed the plots
  (:mod:`.plots`).

What SES publishes (CloudWatch User Guide, "Amazon SES metrics and dimensions":
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ses-metricscollected.html; SES Developer Guide,
"Monitoring your Amazon SES sending activity": https://docs.aws.amazon.com/ses/latest/dg/monitor-sending-activity.html;
checked 2026): the account-level metrics carry no dimension; a configuration set's event destination
publishes them again with the dimensions it names, such as ``ses:configuration-set``. The rates are
fractions (0.05 is 5 %).

IAM permissions for the aws target: ``cloudwatch:GetMetricData``, ``ses:GetSendStatistics``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import ValidationError
from sesbook.facts import (
    SES_BOUNCE_RATE_METRIC,
    SES_COMPLAINT_RATE_METRIC,
    SES_CONFIGURATION_SET_DIMENSION,
    SES_EVENT_METRICS,
    SES_METRICS_NAMESPACE,
)

if TYPE_CHECKING:
    from sesbook.target import Target

#: The SES notes' metrics table: metric -> (Japanese name, what it counts, what it is used for).
DESCRIPTIONS: dict[str, tuple[str, str, str]] = {
    "Send": ("送信数", "messages SES accepted to send (per recipient)", "watch sending volume"),
    "Reject": ("拒否数", "messages SES accepted, then refused to send (a virus)", "spot bad content, adjust policy"),
    "Bounce": ("バウンス数", "recipients whose mail server refused the message (hard bounces)",
               "clean the list, protect reputation"),
    "Complaint": ("苦情数", "recipients who marked the message as spam", "improve content, manage the list"),
    "Delivery": ("配信数", "recipients whose mail server accepted the message", "delivery success rate"),
    "Open": ("開封数", "opens of HTML mail (open tracking)", "engagement"),
    "Click": ("クリック数", "link clicks in HTML mail (click tracking)", "content effectiveness"),
    "RenderingFailure": ("レンダリング失敗数", "templated messages not sent: the template did not render",
                         "check templates and their data"),
    "DeliveryDelay": ("配信遅延数", "messages delayed by a temporary problem", "spot receiving trouble"),
}
#: Which GetSendStatistics field a metric is compared with.
STATISTICS_FIELDS = {"Send": "DeliveryAttempts", "Bounce": "Bounces", "Complaint": "Complaints", "Reject": "Rejects"}
RATE_METRICS = (SES_BOUNCE_RATE_METRIC, SES_COMPLAINT_RATE_METRIC)

Series = tuple[tuple[datetime, float], ...]


@dataclass(frozen=True)
class SendDataPoint:
    """One GetSendStatistics point: 15 minutes of sending."""

    timestamp: datetime
    delivery_attempts: int
    bounces: int
    complaints: int
    rejects: int


@dataclass(frozen=True)
class SendingMetrics:
    """The metrics of one window: per-period series from CloudWatch and the GetSendStatistics points."""

    target: str
    region: str
    start: datetime
    end: datetime
    period: int
    configuration_set: str | None
    series: dict[str, Series]  # metric -> ((period start, value), ...): counts summed, rates at their maximum
    statistics: tuple[SendDataPoint, ...]
    hours: float = 24.0  # the window asked for (``start`` is rounded down to a period)

    def total(self, metric: str) -> float:
        """The sum of a count metric over the window (CloudWatch)."""
        return sum(v for _, v in self.series.get(metric, ()))

    def statistics_total(self, metric: str) -> int | None:
        """The same count from GetSendStatistics (points inside the window), or None where it has no field."""
        name = STATISTICS_FIELDS.get(metric)
        if name is None:
            return None
        attr = {"DeliveryAttempts": "delivery_attempts", "Bounces": "bounces", "Complaints": "complaints",
                "Rejects": "rejects"}[name]
        return sum(getattr(p, attr) for p in self.statistics if self.start <= p.timestamp < self.end)

    def latest(self, metric: str) -> float | None:
        """The last value of a series (for the rates: the rate now), or None when there is none."""
        points = self.series.get(metric, ())
        return points[-1][1] if points else None

    def filled(self, metric: str) -> Series:
        """A count series with every period of the window, 0 where CloudWatch had no data (for plotting)."""
        have = dict(self.series.get(metric, ()))
        out, at = [], self.start
        while at < self.end:
            out.append((at, have.get(at, 0.0)))
            at += timedelta(seconds=self.period)
        return tuple(out)

    HEADERS = ("metric (メトリクス名)", "counts", "CloudWatch sum", "GetSendStatistics", "used for (活用用途)")

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        rows = []
        for metric in SES_EVENT_METRICS:
            ja, counts, use = DESCRIPTIONS[metric]
            stats = self.statistics_total(metric)
            rows.append((f"{metric} ({ja})", counts, f"{self.total(metric):g}", "—" if stats is None else str(stats),
                         use))
        for metric in RATE_METRICS:
            value = self.latest(metric)
            rows.append((metric, "rate over SES's representative volume", "—" if value is None else f"{value:.2%}",
                         "—", "stay under the review and pause thresholds"))
        return rows

    def caption(self) -> str:
        scope = f"configuration set {self.configuration_set}" if self.configuration_set else "whole account"
        hours = f"{self.hours:g} hour" + ("" if self.hours == 1 else "s")
        # no clock times: a notebook's output stays the same whenever it runs (``start``/``end`` hold them)
        return (f"SES sending metrics, {self.target} {self.region}, {scope}: the last {hours} up to now, "
                f"{self.period // 60}-minute periods")

    def __repr__(self) -> str:
        return self.caption() + "\n" + _html.text_table(self.HEADERS, self.rows())

    def _repr_html_(self) -> str:
        return _html.table(self.HEADERS, self.rows(), caption=self.caption())


def now_on(target: Target) -> datetime:
    """The target's time: the lab's clock (which tests and notebooks move forward), or the real time."""
    if target.lab is not None:
        return datetime.fromisoformat(str(target.lab.request("GET", "/_sesbook/clock")["now"]))
    return datetime.now(UTC)


def _check_window(hours: Any, period: Any) -> tuple[float, int]:
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours) \
            or not 0 < hours <= 14 * 24:
        raise ValidationError("hours", hours, "must be a number of hours above 0 and at most 336 (two weeks).",
                              hint="For example hours=24.")
    if isinstance(period, bool) or not isinstance(period, int) or period < 60 or period % 60:
        raise ValidationError("period", period, "must be a whole number of seconds, a multiple of 60.",
                              hint="CloudWatch keeps SES's metrics per minute; use 900 for 15-minute periods.")
    if hours * 3600 / period > 2000:
        raise ValidationError("period", period, f"gives more than 2000 periods in {hours:g} hours.",
                              hint="Use a longer period for a longer window, such as period=3600.")
    return float(hours), period


def sending_metrics(target: Target, *, hours: float = 24, period: int = 900,
                    configuration_set: str | None = None) -> SendingMetrics:
    """Read the last ``hours`` of SES's metrics (``GetMetricData``) and statistics (``GetSendStatistics``).

    ``period``: seconds per data point (a multiple of 60; 900 matches GetSendStatistics' 15 minutes).
    ``configuration_set``: read the metrics published for that set (dimension ``ses:configuration-set``)
    instead of the account's. Read only.
    """
    hours, period = _check_window(hours, period)
    if configuration_set is not None and (not isinstance(configuration_set, str) or not configuration_set):
        raise ValidationError("configuration_set", configuration_set, "must be a configuration set's name.")
    end = now_on(target)
    end = end.replace(second=0, microsecond=0) + timedelta(minutes=1)  # include the current minute
    start = end - timedelta(hours=hours)
    start -= timedelta(seconds=(start - start.replace(hour=0, minute=0)).total_seconds() % period)
    dimensions = ([{"Name": SES_CONFIGURATION_SET_DIMENSION, "Value": configuration_set}]
                  if configuration_set else [])
    queries = []
    names = (*SES_EVENT_METRICS, *RATE_METRICS)
    for i, metric in enumerate(names):
        stat = "Maximum" if metric in RATE_METRICS else "Sum"
        queries.append({"Id": f"m{i}", "Label": metric, "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": SES_METRICS_NAMESPACE, "MetricName": metric, "Dimensions": dimensions},
            "Period": period, "Stat": stat}})
    series: dict[str, list[tuple[datetime, float]]] = {name: [] for name in names}
    with aws_errors("cloudwatch"):
        pages = target.cloudwatch.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending")
        for page in pages:
            for result in page["MetricDataResults"]:
                name = names[int(result["Id"][1:])]
                series[name] += [(t.astimezone(UTC), float(v)) for t, v in
                                 zip(result["Timestamps"], result["Values"], strict=True)]
    with aws_errors("ses"):
        points = target.ses.get_send_statistics()["SendDataPoints"]
    statistics = tuple(sorted(
        (SendDataPoint(p["Timestamp"].astimezone(UTC), int(p.get("DeliveryAttempts", 0)), int(p.get("Bounces", 0)),
                       int(p.get("Complaints", 0)), int(p.get("Rejects", 0))) for p in points),
        key=lambda p: p.timestamp))
    return SendingMetrics(target.name, target.region, start, end, period, configuration_set,
                          {k: tuple(sorted(v)) for k, v in series.items()}, statistics, hours)

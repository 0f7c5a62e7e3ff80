"""CloudWatch reads of SES's metrics, matched as CloudWatch matches them: by the exact set of dimensions.

In CloudWatch a metric is its namespace, name and full set of dimensions, so a query for ``AWS/SES`` ``Send``
with no dimension reads the account-level metric only, never the per-configuration-set one (CloudWatch User
Guide, "Dimensions": https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension,
checked 2026). moto 5.2.5 reads a query without dimensions as "any dimensions", so the lab's two publications of
one event (account level, and ``ses:configuration-set``) would add up. For ``AWS/SES`` queries without
dimensions, ``GetMetricStatistics`` here reads a view of the data without the dimensioned points, and
``GetMetricData`` answers every ``AWS/SES`` MetricStat query itself, matching the dimension set exactly in one
pass over the data (moto scans all data once per period, too slow for a day of one-minute periods); every
other query is moto's own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sesbook.facts import SES_METRICS_NAMESPACE
from sesbook.lab.registry import wrap

if TYPE_CHECKING:
    from datetime import datetime

CLOUDWATCH_BACKEND = "moto.cloudwatch.models.CloudWatchBackend"


class _AccountLevelView:
    """What moto's query code reads (``get_all_metrics``), without the dimensioned ``AWS/SES`` points."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def get_all_metrics(self) -> list[Any]:
        return [md for md in self._backend.get_all_metrics()
                if not (md.namespace == SES_METRICS_NAMESPACE and md.dimensions)]


@wrap(CLOUDWATCH_BACKEND, "get_metric_statistics")
def _get_metric_statistics(original: Any, self: Any, namespace: str, metric_name: str, start_time: datetime,
                           end_time: datetime, period: int, stats: list[str], dimensions: list[dict[str, str]],
                           unit: str | None = None) -> Any:
    owner = _AccountLevelView(self) if namespace == SES_METRICS_NAMESPACE and not dimensions else self
    return original(owner, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit)


def _ses_query(query: dict[str, Any]) -> bool:
    metric = (query.get("MetricStat") or {}).get("Metric") or {}
    return metric.get("Namespace") == SES_METRICS_NAMESPACE


def _ses_metric_stat(backend: Any, query: dict[str, Any], start: datetime, end: datetime,
                     scan_by: str) -> dict[str, Any]:
    """One ``AWS/SES`` MetricStat query: the data with exactly the query's dimensions, in periods from ``start``
    (as moto's own loop makes them), in one pass over the data instead of one per period."""
    from moto.cloudwatch.models import Statistics

    stat_query = query["MetricStat"]
    metric = stat_query["Metric"]
    wanted = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions") or [])
    unit, stat, period = stat_query.get("Unit"), stat_query["Stat"], int(stat_query["Period"])
    buckets: dict[int, list[Any]] = {}
    for md in backend.get_all_metrics():
        if (md.namespace == SES_METRICS_NAMESPACE and md.name == metric["MetricName"] and start <= md.timestamp < end
                and sorted((d.name, d.value) for d in md.dimensions) == wanted and (not unit or md.unit == unit)):
            buckets.setdefault(int((md.timestamp - start).total_seconds() // period), []).append(md)
    values, timestamps = [], []
    for index in sorted(buckets):
        stats = Statistics([stat], start + timedelta(seconds=index * period))
        stats.metric_data = buckets[index]
        values.append(stats.get_statistics_for_type(stat))
        timestamps.append(stats.timestamp)
    if scan_by == "TimestampDescending":
        values.reverse()
        timestamps.reverse()
    return {"id": query["Id"], "label": query.get("Label") or f"{metric['MetricName']} {stat}", "values": values,
            "timestamps": timestamps, "status_code": "Complete"}


@wrap(CLOUDWATCH_BACKEND, "get_metric_data")
def _get_metric_data(original: Any, self: Any, queries: list[dict[str, Any]], start_time: datetime,
                     end_time: datetime, scan_by: str = "TimestampAscending") -> Any:
    """``AWS/SES`` MetricStat queries answered here (exact dimensions, one pass); the rest by moto."""
    if not any(_ses_query(q) for q in queries):
        return original(self, queries, start_time, end_time, scan_by)
    from moto.cloudwatch.metric_data_expression_parser import parse_expression

    start, end = start_time.replace(microsecond=0), end_time.replace(microsecond=0)
    if start >= end:  # moto's own checks and wording
        return original(self, queries, start_time, end_time, scan_by)
    results: list[dict[str, Any]] = []
    for query in (q for q in queries if "MetricStat" in q):
        answer = ([_ses_metric_stat(self, query, start, end, scan_by)] if _ses_query(query)
                  else original(self, [{**query, "ReturnData": True}], start_time, end_time, scan_by))
        results.extend({**a, "_return": query.get("ReturnData", True)} for a in answer)
    for query in (q for q in queries if "Expression" in q and not q["Expression"].startswith("SELECT")):
        values, timestamps = parse_expression(query["Expression"], results)
        results.append({"id": query["Id"], "label": query.get("Label") or query["Id"], "values": values,
                        "timestamps": timestamps, "status_code": "Complete",
                        "_return": query.get("ReturnData", True)})
    insights = [q for q in queries if "Expression" in q and q["Expression"].startswith("SELECT")]
    answers = [{k: v for k, v in r.items() if k != "_return"} for r in results if r["_return"]]
    if insights:
        answers += original(self, insights, start_time, end_time, scan_by)
    return answers

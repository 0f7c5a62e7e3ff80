"""CloudWatch reads of SES's metrics, matched as CloudWatch matches them: by the exact set of dimensions.

In CloudWatch a metric is its namespace, name and full set of dimensions, so a query for ``AWS/SES`` ``Send``
with no dimension reads the account-level metric only, never the per-configuration-set one (CloudWatch User
Guide, "Dimensions": https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension,
checked 2026). moto 5.2.5 reads a query without dimensions as "any dimensions", so the lab's two publications of
one event (account level, and ``ses:configuration-set``) would add up. For ``AWS/SES`` queries without
dimensions, ``GetMetricStatistics`` and ``GetMetricData`` here read a view of the data without the dimensioned
points; every other query is moto's own.
"""

from __future__ import annotations

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


def _account_level_ses(query: dict[str, Any]) -> bool:
    metric = (query.get("MetricStat") or {}).get("Metric") or {}
    return metric.get("Namespace") == SES_METRICS_NAMESPACE and not metric.get("Dimensions")


@wrap(CLOUDWATCH_BACKEND, "get_metric_statistics")
def _get_metric_statistics(original: Any, self: Any, namespace: str, metric_name: str, start_time: datetime,
                           end_time: datetime, period: int, stats: list[str], dimensions: list[dict[str, str]],
                           unit: str | None = None) -> Any:
    owner = _AccountLevelView(self) if namespace == SES_METRICS_NAMESPACE and not dimensions else self
    return original(owner, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit)


@wrap(CLOUDWATCH_BACKEND, "get_metric_data")
def _get_metric_data(original: Any, self: Any, queries: list[dict[str, Any]], start_time: datetime,
                     end_time: datetime, scan_by: str = "TimestampAscending") -> Any:
    if not any(_account_level_ses(q) for q in queries):
        return original(self, queries, start_time, end_time, scan_by)
    from moto.cloudwatch.metric_data_expression_parser import parse_expression

    results: list[dict[str, Any]] = []
    for query in (q for q in queries if "MetricStat" in q):  # one at a time, each against its own view
        owner = _AccountLevelView(self) if _account_level_ses(query) else self
        answer = original(owner, [{**query, "ReturnData": True}], start_time, end_time, scan_by)
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
